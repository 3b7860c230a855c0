"""The event log: Markdown entries with a level, a source, attached files and an optional
run. Edits and deletions keep the previous content in the change feed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, exists, func, insert, select
from sqlalchemy import delete as sql_delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from amarcord.db.functions import unicode_lower
from amarcord.db.models import Event, EventFile, File, Run
from amarcord.domain.errors import ErrorCollector, NotFound
from amarcord.store import beamtimes, changes, files, live_stream
from amarcord.store.beamtimes import check_version, lock

ENTITY = "event"
_INSERT = insert(cast(Table, Event.__table__))
LEVELS = ("user", "info", "warning", "error")
_FIELDS = ("level", "source", "text", "run_number")


@dataclass(frozen=True)
class EventRecord:
    event: Event
    files: list[File]

    @property
    def file_ids(self) -> list[int]:
        return [f.id for f in self.files]


@dataclass(frozen=True)
class EventFilters:
    """`q` searches text and source case-insensitively; `levels` empty means all;
    `since` is inclusive, `until` exclusive."""

    q: str | None = None
    levels: Sequence[str] = field(default_factory=tuple)
    since: datetime | None = None
    until: datetime | None = None
    run: int | None = None


@dataclass(frozen=True)
class EventPage:
    items: list[EventRecord]
    total: int
    has_more: bool


def snapshot(event: Event, file_ids: Iterable[int]) -> dict[str, Any]:
    return {name: getattr(event, name) for name in _FIELDS} | {"file_ids": sorted(file_ids)}


async def _files_of(session: AsyncSession, event_ids: Sequence[int]) -> dict[int, list[File]]:
    attached: dict[int, list[File]] = {event_id: [] for event_id in event_ids}
    if not event_ids:
        return attached
    query = (
        select(EventFile.event_id, File)
        .join(File, File.id == EventFile.file_id)
        .where(EventFile.event_id.in_(event_ids))
        .order_by(File.id)
    )
    for event_id, file in await session.execute(query):
        attached[event_id].append(file)
    return attached


def _filtered(query: Select[Any], beamtime_id: int, filters: EventFilters) -> Select[Any]:
    query = query.where(Event.beamtime_id == beamtime_id)
    if filters.q:
        needle = filters.q.lower()
        query = query.where(
            unicode_lower(Event.text).contains(needle, autoescape=True)
            | unicode_lower(Event.source).contains(needle, autoescape=True)
        )
    if filters.levels:
        query = query.where(Event.level.in_(filters.levels))
    if filters.since is not None:
        query = query.where(Event.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(Event.created_at < filters.until)
    if filters.run is not None:
        query = query.where(Event.run_number == filters.run)
    return query


async def list_page(
    session: AsyncSession,
    beamtime_id: int,
    filters: EventFilters,
    *,
    limit: int,
    after: tuple[datetime, int] | None,
) -> EventPage:
    """Newest first (creation time, then id)."""
    await beamtimes.get(session, beamtime_id)
    query = _filtered(select(Event), beamtime_id, filters)
    if after is not None:
        created_at, last_id = after
        query = query.where(
            (Event.created_at < created_at)
            | ((Event.created_at == created_at) & (Event.id < last_id))
        )
    query = query.order_by(Event.created_at.desc(), Event.id.desc()).limit(limit + 1)
    rows = list((await session.scalars(query)).all())
    total_query = _filtered(select(func.count()).select_from(Event), beamtime_id, filters)
    total = await session.scalar(total_query) or 0
    attached = await _files_of(session, [row.id for row in rows[:limit]])
    items = [EventRecord(row, attached[row.id]) for row in rows[:limit]]
    return EventPage(items=items, total=total, has_more=len(rows) > limit)


async def _row(session: AsyncSession, beamtime_id: int, event_id: int) -> Event:
    row = await session.get(Event, event_id, populate_existing=True)
    if row is None or row.beamtime_id != beamtime_id:
        raise NotFound(f"event {event_id} does not exist in beamtime {beamtime_id}")
    return row


async def get(session: AsyncSession, beamtime_id: int, event_id: int) -> EventRecord:
    row = await _row(session, beamtime_id, event_id)
    return EventRecord(row, (await _files_of(session, [row.id]))[row.id])


async def _record(session: AsyncSession, row: Event, file_ids: Iterable[int]) -> EventRecord:
    """The record of a row just written, without reading the row back."""
    attached = await files.summaries(session, file_ids)
    return EventRecord(row, [attached[file_id] for file_id in sorted(attached)])


async def _check(
    session: AsyncSession,
    beamtime_id: int,
    values: Mapping[str, Any],
    *,
    attach_live_stream: bool = False,
) -> None:
    errors = ErrorCollector()
    file_ids = values.get("file_ids") or []
    foreign = set(await files.files_exist_in_beamtime(session, beamtime_id, file_ids))
    for index, file_id in enumerate(file_ids):
        if file_id in foreign:
            errors.add(("body", "file_ids", index), f"there is no file {file_id} in this beamtime")
    run_number = values.get("run_number")
    if run_number is not None and not await _run_exists(session, beamtime_id, run_number):
        errors.add(("body", "run_number"), f"there is no run {run_number} in this beamtime")
    if (
        attach_live_stream
        and await live_stream.latest_live_stream_update(session, beamtime_id) is None
    ):
        errors.add(("body", "attach_live_stream"), "this beamtime has no live-stream image")
    if not values.get("text", "").strip() and not file_ids and not attach_live_stream:
        errors.add(("body", "text"), "an event needs a text or at least one file")
    errors.raise_if_any()


async def _run_exists(session: AsyncSession, beamtime_id: int, number: int) -> bool:
    query = select(exists().where(Run.beamtime_id == beamtime_id, Run.number == number))
    return bool(await session.scalar(query))


async def _link(session: AsyncSession, event_id: int, file_ids: Iterable[int]) -> None:
    rows = [{"event_id": event_id, "file_id": file_id} for file_id in sorted(set(file_ids))]
    if rows:
        await session.execute(insert(EventFile), rows)


async def create(
    session: AsyncSession, beamtime_id: int, values: Mapping[str, Any], *, actor: str
) -> EventRecord:
    """`values`: level, source, text, run_number, file_ids, attach_live_stream."""
    await lock(session, beamtime_id)
    attach = bool(values.get("attach_live_stream"))
    await _check(session, beamtime_id, values, attach_live_stream=attach)
    file_ids = set(values.get("file_ids") or [])
    if attach:
        frame_file, _ = await live_stream.copy_to_file(session, beamtime_id, actor=actor)
        file_ids.add(frame_file.id)
    now = changes.utcnow()
    fields = {name: values.get(name) for name in _FIELDS}
    columns = fields | {"beamtime_id": beamtime_id, "created_at": now, "updated_at": now}
    # A Core INSERT: the ORM's unit of work added a fifth to the CPU time of creating an
    # event. The row object only carries the values into the response, outside the session.
    connection = await session.connection()
    result = await connection.execute(_INSERT, columns | {"version": 1})
    (event_id,) = result.inserted_primary_key or (None,)
    row = Event(id=event_id, version=1, **columns)
    await _link(session, row.id, file_ids)
    await changes.record(
        session,
        beamtime_id=beamtime_id,
        actor=actor,
        entity=ENTITY,
        entity_id=row.id,
        action="created",
        after=snapshot(row, file_ids),
    )
    return await _record(session, row, file_ids)


async def update(
    session: AsyncSession,
    beamtime_id: int,
    event_id: int,
    values: Mapping[str, Any],
    *,
    actor: str,
    expected_version: int | None,
) -> EventRecord:
    """Changes the fields in `values`; `file_ids` replaces the attachments."""
    await lock(session, beamtime_id)
    current = await get(session, beamtime_id, event_id)
    row = current.event
    check_version(row.version, expected_version, f"event {event_id}")
    before = snapshot(row, current.file_ids)
    after = before | dict(values)
    after["file_ids"] = sorted(set(after["file_ids"]))
    await _check(session, beamtime_id, after)
    if after == before:
        return current
    for name in _FIELDS:
        setattr(row, name, after[name])
    row.updated_at = changes.utcnow()
    if after["file_ids"] != before["file_ids"]:
        await session.execute(sql_delete(EventFile).where(EventFile.event_id == event_id))
        await _link(session, event_id, after["file_ids"])
    await session.flush()
    await changes.record_update(
        session,
        beamtime_id=beamtime_id,
        actor=actor,
        entity=ENTITY,
        entity_id=event_id,
        before=before,
        after=after,
    )
    return await _record(session, row, after["file_ids"])


async def delete(
    session: AsyncSession,
    beamtime_id: int,
    event_id: int,
    *,
    actor: str,
    expected_version: int | None,
) -> None:
    """Deletes the event; its files stay (they may be attached elsewhere)."""
    await lock(session, beamtime_id)
    current = await get(session, beamtime_id, event_id)
    check_version(current.event.version, expected_version, f"event {event_id}")
    await changes.record(
        session,
        beamtime_id=beamtime_id,
        actor=actor,
        entity=ENTITY,
        entity_id=event_id,
        action="deleted",
        before=snapshot(current.event, current.file_ids),
    )
    await session.delete(current.event)
