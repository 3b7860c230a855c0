"""Beamtimes: the container of everything else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Beamtime, Run
from amarcord.domain.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from amarcord.store import attributi_cache, changes

ENTITY = "beamtime"
FIELDS = ("external_id", "proposal", "beamline", "title", "comment", "start", "end", "timezone")


@dataclass(frozen=True)
class BeamtimePage:
    items: list[Beamtime]
    total: int
    has_more: bool


def snapshot(beamtime: Beamtime) -> dict[str, Any]:
    """The beamtime's fields as JSON values, for the change feed."""
    values: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(beamtime, name)
        values[name] = value.isoformat() if isinstance(value, datetime) else value
    return values


def check_version(current: int, expected: int | None, what: str) -> None:
    if expected is not None and expected != current:
        msg = f"{what} has changed (version {current}, you sent {expected}); reload and retry"
        raise PreconditionFailed(msg)


_LOCK = (
    select(Beamtime.__table__.c.attributi_version)
    .where(Beamtime.__table__.c.id == bindparam("beamtime_id"))
    .with_for_update()
)


async def lock(session: AsyncSession, beamtime_id: int) -> None:
    """On MySQL/PostgreSQL, locks the beamtime's row for the transaction; NotFound when
    there is no such beamtime.

    Every write to a beamtime takes this lock first. That serialises the writers of one
    beamtime, so change-feed sequence numbers are committed in order (a reader following
    the feed never skips a row committed late) and run numbers are allocated without races.
    SQLite needs no row lock: BEGIN IMMEDIATE already serialises all writers.

    Only the attributi version is selected (see `attributi_cache`), as a Core statement
    built once: the hot write paths (runs, events, live-stream frames) spent as much CPU on
    building the beamtime's ORM object as on the rest of their transaction. `lock_and_get`
    is for writers that need the object."""
    connection = await session.connection()
    version = await connection.scalar(_LOCK, {"beamtime_id": beamtime_id})
    if version is None:
        raise NotFound(f"beamtime {beamtime_id} does not exist")
    attributi_cache.remember_version(session, beamtime_id, version)


async def lock_and_get(session: AsyncSession, beamtime_id: int) -> Beamtime:
    """`lock`, then the beamtime itself."""
    beamtime = await session.scalar(
        select(Beamtime).where(Beamtime.id == beamtime_id).with_for_update()
    )
    if beamtime is None:
        raise NotFound(f"beamtime {beamtime_id} does not exist")
    attributi_cache.remember_version(session, beamtime_id, beamtime.attributi_version)
    return beamtime


async def get(session: AsyncSession, beamtime_id: int) -> Beamtime:
    beamtime = await session.get(Beamtime, beamtime_id)
    if beamtime is None:
        raise NotFound(f"beamtime {beamtime_id} does not exist")
    return beamtime


async def list_page(
    session: AsyncSession,
    *,
    limit: int,
    after: tuple[datetime, int] | None,
    visible: Select[int] | None = None,
) -> BeamtimePage:
    """A page of beamtimes; `visible` (ids the caller may see) limits them, None: all."""
    query = select(Beamtime).order_by(Beamtime.start.desc(), Beamtime.id.desc())
    count = select(func.count()).select_from(Beamtime)
    if visible is not None:
        query = query.where(Beamtime.id.in_(visible))
        count = count.where(Beamtime.id.in_(visible))
    if after is not None:
        start, last_id = after
        query = query.where(
            (Beamtime.start < start) | ((Beamtime.start == start) & (Beamtime.id < last_id))
        )
    rows = list((await session.scalars(query.limit(limit + 1))).all())
    total = await session.scalar(count) or 0
    return BeamtimePage(items=rows[:limit], total=total, has_more=len(rows) > limit)


def _check_window(start: datetime, end: datetime) -> None:
    if end < start:
        raise ValidationFailed.single(("body", "end"), "end must not be before start")


async def create(session: AsyncSession, values: dict[str, Any], *, actor: str) -> Beamtime:
    _check_window(values["start"], values["end"])
    now = changes.utcnow()
    beamtime = Beamtime(**values, created_at=now, updated_at=now)
    session.add(beamtime)
    await session.flush()
    await changes.record(
        session,
        beamtime_id=beamtime.id,
        actor=actor,
        entity=ENTITY,
        entity_id=beamtime.id,
        action="created",
        after=snapshot(beamtime),
    )
    return beamtime


async def update(
    session: AsyncSession,
    beamtime_id: int,
    values: dict[str, Any],
    *,
    actor: str,
    expected_version: int | None,
) -> Beamtime:
    beamtime = await lock_and_get(session, beamtime_id)
    check_version(beamtime.version, expected_version, f"beamtime {beamtime_id}")
    before = snapshot(beamtime)
    for name, value in values.items():
        setattr(beamtime, name, value)
    _check_window(beamtime.start, beamtime.end)
    after = snapshot(beamtime)
    if before != after:
        beamtime.updated_at = changes.utcnow()
        await session.flush()
        await changes.record_update(
            session,
            beamtime_id=beamtime.id,
            actor=actor,
            entity=ENTITY,
            entity_id=beamtime.id,
            before=before,
            after=after,
        )
    return beamtime


async def delete(
    session: AsyncSession,
    beamtime_id: int,
    *,
    actor: str,
    force: bool,
    expected_version: int | None,
) -> None:
    beamtime = await lock_and_get(session, beamtime_id)
    check_version(beamtime.version, expected_version, f"beamtime {beamtime_id}")
    has_runs = await session.scalar(select(exists().where(Run.beamtime_id == beamtime_id)))
    if has_runs and not force:
        msg = f"beamtime {beamtime_id} has runs; delete with force=true to remove them as well"
        raise Conflict(msg)
    await changes.record(
        session,
        beamtime_id=beamtime.id,
        actor=actor,
        entity=ENTITY,
        entity_id=beamtime.id,
        action="deleted",
        before=snapshot(beamtime),
    )
    await session.delete(beamtime)
