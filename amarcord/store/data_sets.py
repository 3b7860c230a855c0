"""Data sets: a value for each run attributo of an experiment type; the runs of that type
whose values match (`domain.data_sets`) belong to it. Which runs those are is computed on
every read, so a data set follows the runs as they are edited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Chemical, DataSet, Run
from amarcord.domain.data_sets import MatchRule, data_set_values_conflict, run_matches_data_set
from amarcord.domain.errors import Conflict, ErrorCollector, Loc, NotFound, ValidationFailed
from amarcord.domain.limits import exceeds_int64
from amarcord.domain.run_ranges import format_run_ranges
from amarcord.domain.values import StoredValue, did_you_mean, validate_values
from amarcord.store import beamtimes, changes
from amarcord.store.data_set_runs import RunIndex, runs_of_types
from amarcord.store.id_pages import IdPage, page_by_id
from amarcord.store.type_members import (
    Member,
    check_experiment_type,
    match_rules,
    members_of,
    named_values,
    run_members,
)

ENTITY = "data_set"
_ATTRIBUTI_LOC: Loc = ("body", "attributi")


@dataclass(frozen=True)
class DataSetRecord:
    """A data set as clients see it: values by name, matching runs as ranges."""

    id: int
    experiment_type_id: int
    attributi: dict[str, Any]
    runs: str
    run_count: int
    version: int
    created_at: datetime


def snapshot(data_set: DataSet, members: Sequence[Member]) -> dict[str, Any]:
    """The data set as the change feed records it."""
    return {
        "experiment_type_id": data_set.experiment_type_id,
        "attributi": named_values(members, data_set.attributi or {}),
    }


async def _record_change(
    session: AsyncSession,
    data_set: DataSet,
    members: Sequence[Member],
    action: Literal["created", "deleted"],
    *,
    actor: str,
) -> None:
    values = snapshot(data_set, members)
    await changes.record(
        session,
        beamtime_id=data_set.beamtime_id,
        actor=actor,
        entity=ENTITY,
        entity_id=data_set.id,
        action=action,
        before=values if action == "deleted" else None,
        after=values if action == "created" else None,
    )


@dataclass(frozen=True)
class _Matched:
    data_set: DataSet
    members: list[Member]
    run_numbers: list[int]

    def record(self) -> DataSetRecord:
        data_set = self.data_set
        return DataSetRecord(
            id=data_set.id,
            experiment_type_id=data_set.experiment_type_id,
            attributi=named_values(self.members, data_set.attributi or {}),
            runs=format_run_ranges(self.run_numbers),
            run_count=len(self.run_numbers),
            version=data_set.version,
            created_at=data_set.created_at,
        )


async def _matched(
    session: AsyncSession, beamtime_id: int, data_sets: Sequence[DataSet]
) -> list[_Matched]:
    """Each data set with its matching runs; the runs of each type are loaded once."""
    type_ids = {data_set.experiment_type_id for data_set in data_sets}
    members = await members_of(session, type_ids)
    rules = {type_id: match_rules(members[type_id]) for type_id in type_ids}
    runs = await runs_of_types(session, beamtime_id, rules)
    indexes = {type_id: RunIndex(runs[type_id], rules[type_id]) for type_id in runs}
    return [
        _Matched(
            data_set,
            members[data_set.experiment_type_id],
            indexes[data_set.experiment_type_id].matching(data_set.attributi or {}),
        )
        for data_set in data_sets
    ]


async def list_page(
    session: AsyncSession,
    beamtime_id: int,
    *,
    experiment_type_id: int | None,
    limit: int,
    after: int | None,
) -> IdPage[DataSetRecord]:
    """Data sets in creation order, optionally of one experiment type."""
    await beamtimes.get(session, beamtime_id)
    query = select(DataSet).where(DataSet.beamtime_id == beamtime_id)
    if experiment_type_id is not None:
        query = query.where(DataSet.experiment_type_id == experiment_type_id)
    page = await page_by_id(session, query, DataSet.id, limit=limit, after=after)
    matched = await _matched(session, beamtime_id, page.items)
    return IdPage([item.record() for item in matched], page.total, page.has_more)


async def _get(session: AsyncSession, beamtime_id: int, data_set_id: int) -> DataSet:
    data_set = await session.get(DataSet, data_set_id)
    if data_set is None or data_set.beamtime_id != beamtime_id:
        raise NotFound(f"data set {data_set_id} does not exist in beamtime {beamtime_id}")
    return data_set


async def get(session: AsyncSession, beamtime_id: int, data_set_id: int) -> DataSetRecord:
    data_set = await _get(session, beamtime_id, data_set_id)
    [matched] = await _matched(session, beamtime_id, [data_set])
    return matched.record()


async def run_numbers_in_data_set(
    session: AsyncSession, beamtime_id: int, data_set_id: int
) -> list[int]:
    """The numbers of the runs that belong to a data set, ascending (NotFound if unknown)."""
    data_set = await _get(session, beamtime_id, data_set_id)
    [matched] = await _matched(session, beamtime_id, [data_set])
    return matched.run_numbers


async def data_set_of_run(
    session: AsyncSession, beamtime_id: int, run: Run
) -> tuple[DataSet, list[int]] | None:
    """The first data set (lowest id) of the run's experiment type that the run belongs to,
    with the numbers of all its runs; None without experiment type or matching data set."""
    type_id = run.experiment_type_id
    if type_id is None:
        return None
    rules = match_rules((await members_of(session, [type_id]))[type_id])
    candidates = await session.scalars(
        select(DataSet)
        .where(DataSet.beamtime_id == beamtime_id, DataSet.experiment_type_id == type_id)
        .order_by(DataSet.id)
    )
    document = run.attributi or {}
    for data_set in candidates:
        if run_matches_data_set(data_set.attributi or {}, document, rules):
            runs = (await runs_of_types(session, beamtime_id, {type_id: rules}))[type_id]
            return data_set, RunIndex(runs, rules).matching(data_set.attributi or {})
    return None


async def _type_members(
    session: AsyncSession, beamtime_id: int, type_id: int, loc: Loc
) -> list[Member]:
    await check_experiment_type(session, beamtime_id, type_id, loc)
    return (await members_of(session, [type_id]))[type_id]


def _with_boolean_defaults(
    members: Sequence[Member], given: Mapping[str, StoredValue]
) -> dict[str, StoredValue]:
    document: dict[str, StoredValue] = {
        member.key: False for member in members if member.type.kind == "boolean"
    }
    document.update(given)
    return document


def _screen(
    members: Sequence[Member], raw: Mapping[str, object], errors: ErrorCollector
) -> dict[str, object]:
    """The sent values that are worth validating; the others become errors."""
    known = {member.name.casefold() for member in members}
    names = [member.name for member in members]
    screened: dict[str, object] = {}
    for name, value in raw.items():
        loc = (*_ATTRIBUTI_LOC, name)
        if name.casefold() not in known:
            hint = did_you_mean(name, names)
            msg = f"{name!r} is not a run attributo of this experiment type{hint}"
            errors.add(loc, msg, "unknown_attributo")
        elif exceeds_int64(value):
            errors.add(loc, "integers are limited to 64 bits")
        elif value is not None:
            screened[name] = value
    given = {name.casefold() for name in screened}
    for member in members:
        if member.name.casefold() not in given and member.type.kind != "boolean":
            msg = "every attributo of the experiment type needs a value (booleans default to false)"
            errors.add((*_ATTRIBUTI_LOC, member.name), msg, "missing")
    return screened


async def _validated(
    session: AsyncSession, beamtime_id: int, members: Sequence[Member], raw: Mapping[str, object]
) -> dict[str, StoredValue]:
    errors = ErrorCollector()
    screened = _screen(members, raw, errors)
    chemical_ids = None
    if any(member.type.kind == "chemical" for member in members):
        query = select(Chemical.id).where(Chemical.beamtime_id == beamtime_id)
        chemical_ids = set(await session.scalars(query))
    try:
        stored = validate_values(
            {member.name: member.info() for member in members},
            screened,
            loc=_ATTRIBUTI_LOC,
            known_chemical_ids=chemical_ids,
            allow_null=False,
        )
    except ValidationFailed as failure:
        errors.errors.extend(failure.errors)
    errors.raise_if_any(f"{len(errors.errors)} invalid or missing attributo value(s)")
    given = {str(key): value for key, value in stored.items() if value is not None}
    return _with_boolean_defaults(members, given)


def _copied(members: Sequence[Member], run: Run) -> dict[str, StoredValue]:
    document = run.attributi or {}
    errors = ErrorCollector()
    for member in members:
        if document.get(member.key) is None and member.type.kind != "boolean":
            msg = f"run {run.number} has no value for {member.name!r}"
            errors.add(("body", "from_run"), msg, "missing")
    errors.raise_if_any(f"run {run.number} lacks values the data set needs")
    given = {m.key: document[m.key] for m in members if document.get(m.key) is not None}
    return _with_boolean_defaults(members, given)


async def _from_run(
    session: AsyncSession, beamtime_id: int, number: int
) -> tuple[int, list[Member], dict[str, StoredValue]]:
    run = await session.scalar(
        select(Run).where(Run.beamtime_id == beamtime_id, Run.number == number)
    )
    loc: Loc = ("body", "from_run")
    if run is None:
        raise ValidationFailed.single(loc, f"run {number} does not exist in this beamtime")
    if run.experiment_type_id is None:
        raise ValidationFailed.single(loc, f"run {number} has no experiment type")
    members = run_members(await _type_members(session, beamtime_id, run.experiment_type_id, loc))
    return run.experiment_type_id, members, _copied(members, run)


async def _check_unique(
    session: AsyncSession,
    beamtime_id: int,
    type_id: int,
    document: Mapping[str, Any],
    rules: Mapping[str, MatchRule],
) -> None:
    others = await session.scalars(
        select(DataSet)
        .where(DataSet.beamtime_id == beamtime_id, DataSet.experiment_type_id == type_id)
        .order_by(DataSet.id)
    )
    for other in others:
        if data_set_values_conflict(document, other.attributi or {}, rules):
            msg = f"data set {other.id} of this experiment type has compatible values"
            raise Conflict(f"{msg}: it would hold the same runs")


async def create(
    session: AsyncSession,
    beamtime_id: int,
    *,
    experiment_type_id: int | None,
    attributi: Mapping[str, object],
    from_run: int | None,
    actor: str,
) -> DataSetRecord:
    """A data set from values, or from the values and experiment type of run `from_run`."""
    await beamtimes.lock(session, beamtime_id)
    if from_run is not None:
        type_id, members, document = await _from_run(session, beamtime_id, from_run)
    else:
        assert experiment_type_id is not None, "the schema requires one of the two"
        type_id = experiment_type_id
        loc: Loc = ("body", "experiment_type_id")
        members = run_members(await _type_members(session, beamtime_id, type_id, loc))
        document = await _validated(session, beamtime_id, members, attributi)
    await _check_unique(session, beamtime_id, type_id, document, match_rules(members))
    data_set = DataSet(
        beamtime_id=beamtime_id,
        experiment_type_id=type_id,
        attributi=document,
        created_at=changes.utcnow(),
    )
    session.add(data_set)
    await session.flush()
    await _record_change(session, data_set, members, "created", actor=actor)
    [matched] = await _matched(session, beamtime_id, [data_set])
    return matched.record()


async def delete(
    session: AsyncSession,
    beamtime_id: int,
    data_set_id: int,
    *,
    actor: str,
    expected_version: int | None,
) -> None:
    await beamtimes.lock(session, beamtime_id)
    data_set = await _get(session, beamtime_id, data_set_id)
    beamtimes.check_version(data_set.version, expected_version, f"data set {data_set_id}")
    type_id = data_set.experiment_type_id
    members = (await members_of(session, [type_id]))[type_id]
    await _record_change(session, data_set, members, "deleted", actor=actor)
    await session.delete(data_set)
