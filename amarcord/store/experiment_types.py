"""Experiment types: named lists of attributi. Runs have an experiment type, and the runs of a
type are grouped into data sets by their values of the type's run attributi."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from amarcord.db.models import (
    Attributo,
    DataSet,
    ExperimentType,
    ExperimentTypeAttributo,
    Run,
)
from amarcord.domain.attributo_types import parse_attributo_type
from amarcord.domain.errors import Conflict, ErrorCollector, NotFound
from amarcord.domain.run_ranges import format_run_ranges
from amarcord.store import beamtimes, changes, configuration, data_sets
from amarcord.store.changes import ChangeEntry
from amarcord.store.id_pages import IdPage, page_by_id
from amarcord.store.type_members import Member, members_of

ENTITY = "experiment_type"
# (entity, entity id, action, before, after) of a change-feed row written in bulk.


@dataclass(frozen=True)
class Requested:
    """An attributo as a client lists it in an experiment type."""

    attributo_id: int
    role: str | None = None


@dataclass(frozen=True)
class ExperimentTypeRecord:
    id: int
    name: str
    attributi: list[Member]
    version: int
    run_count: int


def snapshot(name: str, members: Sequence[Member]) -> dict[str, Any]:
    """The experiment type as the change feed records it."""
    return {
        "name": name,
        "attributi": [
            {"attributo_id": m.attributo_id, "name": m.name, "role": m.role} for m in members
        ],
    }


async def _run_counts(
    session: AsyncSession, beamtime_id: int, type_ids: Collection[int]
) -> dict[int, int]:
    if not type_ids:
        return {}
    rows = await session.execute(
        select(Run.experiment_type_id, func.count())
        .where(Run.beamtime_id == beamtime_id, Run.experiment_type_id.in_(list(type_ids)))
        .group_by(Run.experiment_type_id)
    )
    return {type_id: count for type_id, count in rows if type_id is not None}


async def _records(
    session: AsyncSession, beamtime_id: int, rows: Sequence[ExperimentType]
) -> list[ExperimentTypeRecord]:
    ids = [row.id for row in rows]
    members = await members_of(session, ids)
    counts = await _run_counts(session, beamtime_id, ids)
    return [
        ExperimentTypeRecord(row.id, row.name, members[row.id], row.version, counts.get(row.id, 0))
        for row in rows
    ]


async def _record(session: AsyncSession, row: ExperimentType) -> ExperimentTypeRecord:
    [record] = await _records(session, row.beamtime_id, [row])
    return record


async def list_page(
    session: AsyncSession, beamtime_id: int, *, limit: int, after: int | None
) -> IdPage[ExperimentTypeRecord]:
    await beamtimes.get(session, beamtime_id)
    query = select(ExperimentType).where(ExperimentType.beamtime_id == beamtime_id)
    page = await page_by_id(session, query, ExperimentType.id, limit=limit, after=after)
    return IdPage(await _records(session, beamtime_id, page.items), page.total, page.has_more)


async def _get(session: AsyncSession, beamtime_id: int, type_id: int) -> ExperimentType:
    row = await session.get(ExperimentType, type_id)
    if row is None or row.beamtime_id != beamtime_id:
        raise NotFound(f"experiment type {type_id} does not exist in beamtime {beamtime_id}")
    return row


async def get(session: AsyncSession, beamtime_id: int, type_id: int) -> ExperimentTypeRecord:
    return await _record(session, await _get(session, beamtime_id, type_id))


async def _check_name(
    session: AsyncSession, beamtime_id: int, name: str, exclude_id: int | None = None
) -> None:
    clash = select(ExperimentType.name).where(
        ExperimentType.beamtime_id == beamtime_id, ExperimentType.name_key == name.casefold()
    )
    if exclude_id is not None:
        clash = clash.where(ExperimentType.id != exclude_id)
    existing = await session.scalar(clash)
    if existing is not None:
        raise Conflict(f"the experiment type {existing!r} already exists in this beamtime")


async def _resolve(
    session: AsyncSession, beamtime_id: int, requested: Sequence[Requested]
) -> list[Member]:
    """The listed attributi, each checked to be an attributo of the beamtime, listed once."""
    ids = {item.attributo_id for item in requested}
    rows = await session.execute(
        select(Attributo.id, Attributo.name, Attributo.associated_table, Attributo.type).where(
            Attributo.beamtime_id == beamtime_id, Attributo.id.in_(list(ids))
        )
    )
    found = {row.id: row for row in rows}
    errors = ErrorCollector()
    seen: set[int] = set()
    for index, item in enumerate(requested):
        loc = ("body", "attributi", index, "attributo_id")
        if item.attributo_id not in found:
            errors.add(loc, f"attributo {item.attributo_id} does not exist in this beamtime")
        elif item.attributo_id in seen:
            errors.add(loc, f"attributo {item.attributo_id} is listed more than once")
        seen.add(item.attributo_id)
    errors.raise_if_any("the experiment type lists invalid attributi")
    members: list[Member] = []
    for item in requested:
        row = found[item.attributo_id]
        t = parse_attributo_type(row.type)
        members.append(Member(row.id, row.name, row.associated_table, item.role, t))
    return members


async def _write_members(session: AsyncSession, type_id: int, members: Sequence[Member]) -> None:
    link = ExperimentTypeAttributo
    await session.execute(sql_delete(link).where(link.experiment_type_id == type_id))
    if members:
        await session.execute(
            insert(link),
            [
                {
                    "experiment_type_id": type_id,
                    "attributo_id": member.attributo_id,
                    "role": member.role,
                    "position": position,
                }
                for position, member in enumerate(members)
            ],
        )


async def create(
    session: AsyncSession,
    beamtime_id: int,
    name: str,
    requested: Sequence[Requested],
    *,
    actor: str,
) -> ExperimentTypeRecord:
    await beamtimes.lock(session, beamtime_id)
    members = await _resolve(session, beamtime_id, requested)
    await _check_name(session, beamtime_id, name)
    row = ExperimentType(beamtime_id=beamtime_id, name=name, name_key=name.casefold())
    session.add(row)
    await session.flush()
    await _write_members(session, row.id, members)
    await changes.record(
        session,
        beamtime_id=beamtime_id,
        actor=actor,
        entity=ENTITY,
        entity_id=row.id,
        action="created",
        after=snapshot(name, members),
    )
    return await _record(session, row)


async def update(
    session: AsyncSession,
    beamtime_id: int,
    type_id: int,
    *,
    name: str | None,
    requested: Sequence[Requested] | None,
    actor: str,
    expected_version: int | None,
) -> ExperimentTypeRecord:
    """Renames and/or replaces the list of attributi; data sets keep their values."""
    await beamtimes.lock(session, beamtime_id)
    row = await _get(session, beamtime_id, type_id)
    beamtimes.check_version(row.version, expected_version, f"experiment type {type_id}")
    old_members = (await members_of(session, [type_id]))[type_id]
    members = old_members
    if requested is not None:
        members = await _resolve(session, beamtime_id, requested)
    if name is not None:
        await _check_name(session, beamtime_id, name, exclude_id=type_id)
    before = snapshot(row.name, old_members)
    after = snapshot(name or row.name, members)
    if before != after:
        if name is not None:
            row.name, row.name_key = name, name.casefold()
        # A new list of attributi is a new version too, although only the link rows change.
        flag_modified(row, "name")
        await session.flush()
        await _write_members(session, type_id, members)
        await changes.record_update(
            session,
            beamtime_id=beamtime_id,
            actor=actor,
            entity=ENTITY,
            entity_id=type_id,
            before=before,
            after=after,
        )
    return await _record(session, row)


async def _numbers_of_runs(session: AsyncSession, beamtime_id: int, type_id: int) -> list[int]:
    rows = await session.scalars(
        select(Run.number)
        .where(Run.beamtime_id == beamtime_id, Run.experiment_type_id == type_id)
        .order_by(Run.number)
    )
    return list(rows)


async def _detach_runs(
    session: AsyncSession, beamtime_id: int, type_id: int, numbers: Sequence[int]
) -> list[ChangeEntry]:
    """Runs lose the type explicitly (not only through the foreign key) so that their
    versions move and the change feed tells clients."""
    await session.execute(
        sql_update(Run)
        .where(Run.beamtime_id == beamtime_id, Run.experiment_type_id == type_id)
        .values(experiment_type_id=None, version=Run.version + 1, updated_at=changes.utcnow())
        .execution_options(synchronize_session=False)
    )
    before, after = {"experiment_type_id": type_id}, {"experiment_type_id": None}
    return [("run", number, "updated", before, after) for number in numbers]


async def _delete_data_sets(
    session: AsyncSession, beamtime_id: int, type_id: int, members: Sequence[Member]
) -> list[ChangeEntry]:
    doomed = await session.scalars(
        select(DataSet).where(DataSet.experiment_type_id == type_id).order_by(DataSet.id)
    )
    entries: list[ChangeEntry] = [
        (data_sets.ENTITY, item.id, "deleted", data_sets.snapshot(item, members), None)
        for item in doomed
    ]
    await session.execute(
        sql_delete(DataSet)
        .where(DataSet.beamtime_id == beamtime_id, DataSet.experiment_type_id == type_id)
        .execution_options(synchronize_session=False)
    )
    return entries


async def delete(
    session: AsyncSession,
    beamtime_id: int,
    type_id: int,
    *,
    actor: str,
    force: bool,
    expected_version: int | None,
) -> None:
    """Refuses while runs have the type, unless `force`: then the runs lose their type, the
    type's data sets are deleted, and a configuration that selects it selects nothing."""
    await beamtimes.lock(session, beamtime_id)
    row = await _get(session, beamtime_id, type_id)
    beamtimes.check_version(row.version, expected_version, f"experiment type {type_id}")
    numbers = await _numbers_of_runs(session, beamtime_id, type_id)
    if numbers and not force:
        used = f"{len(numbers)} run(s) ({format_run_ranges(numbers)})"
        raise Conflict(f"experiment type {type_id} is used by {used}; force=true detaches them")
    members = (await members_of(session, [type_id]))[type_id]
    await changes.record(
        session,
        beamtime_id=beamtime_id,
        actor=actor,
        entity=ENTITY,
        entity_id=type_id,
        action="deleted",
        before=snapshot(row.name, members),
    )
    entries = await _delete_data_sets(session, beamtime_id, type_id, members)
    entries += await _detach_runs(session, beamtime_id, type_id, numbers)
    await changes.record_many(session, beamtime_id=beamtime_id, actor=actor, entries=entries)
    current = await configuration.current_configuration(session, beamtime_id)
    if current.current_experiment_type_id == type_id:
        unset = {"current_experiment_type_id": None}
        await configuration.append(session, beamtime_id, current, unset, actor=actor)
    await session.delete(row)
