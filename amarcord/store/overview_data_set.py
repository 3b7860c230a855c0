"""The data set of the overview's latest run, kept up to date from the change feed.

Listing a data set's runs means matching every run of its experiment type (10,000 documents
in a long beamtime). The overview needs it after every change, and most changes touch one
run or none (a new run, a stopped run, an event), so a caller that kept the previous result
passes it in with its seq: when the feed since then holds only run changes and changes that
cannot move a run in or out of a data set, only the runs named in it are matched again.
Anything else (attributi, experiment types, data sets, chemicals, or a latest run that now
belongs to another data set) recomputes the whole list."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Change, DataSet, Run
from amarcord.domain.data_sets import MatchRule, run_matches_data_set
from amarcord.store import beamtimes, configuration, events, files, runs, schedule
from amarcord.store.data_set_runs import RunIndex, runs_of_types
from amarcord.store.type_members import match_rules, members_of

# Changes that never decide whether a run belongs to a data set.
_NEUTRAL = frozenset(
    {beamtimes.ENTITY, configuration.ENTITY, events.ENTITY, files.ENTITY, schedule.ENTITY}
)
# Beyond this many changes, reading them costs about as much as matching every run.
_MAX_CHANGES = 1000


@dataclass(frozen=True)
class Membership:
    """The runs of one data set, as of the seq the caller keeps it with."""

    data_set_id: int
    numbers: frozenset[int]


async def membership(
    session: AsyncSession,
    beamtime_id: int,
    latest: Run,
    kept: tuple[int, Membership | None] | None,
) -> Membership | None:
    """The first data set (lowest id) of the latest run's experiment type that the run
    belongs to, with all its runs; `kept` is a previous result and the seq it was read at."""
    type_id = latest.experiment_type_id
    if type_id is None:
        return None
    rules = match_rules((await members_of(session, [type_id]))[type_id])
    data_set = await _first_match(session, beamtime_id, latest, rules)
    if data_set is None:
        return None
    previous = kept[1] if kept is not None else None
    if kept is not None and previous is not None and previous.data_set_id == data_set.id:
        touched = await _runs_touched_since(session, beamtime_id, kept[0])
        if touched is not None:
            return await _rematched(session, data_set, rules, previous, touched)
    runs_of_type = (await runs_of_types(session, beamtime_id, {type_id: rules}))[type_id]
    numbers = RunIndex(runs_of_type, rules).matching(data_set.attributi or {})
    return Membership(data_set.id, frozenset(numbers))


async def _first_match(
    session: AsyncSession, beamtime_id: int, run: Run, rules: Mapping[str, MatchRule]
) -> DataSet | None:
    candidates = await session.scalars(
        select(DataSet)
        .where(
            DataSet.beamtime_id == beamtime_id,
            DataSet.experiment_type_id == run.experiment_type_id,
        )
        .order_by(DataSet.id)
    )
    document = run.attributi or {}
    for data_set in candidates:
        if run_matches_data_set(data_set.attributi or {}, document, rules):
            return data_set
    return None


async def _runs_touched_since(session: AsyncSession, beamtime_id: int, seq: int) -> set[int] | None:
    """The numbers of the runs changed after `seq`; None when something else changed that
    may move runs in or out of data sets."""
    rows = await session.execute(
        select(Change.entity, Change.entity_id)
        .where(Change.beamtime_id == beamtime_id, Change.seq > seq)
        .limit(_MAX_CHANGES + 1)
    )
    touched: set[int] = set()
    for count, (entity, entity_id) in enumerate(rows):
        if count == _MAX_CHANGES or (entity != runs.ENTITY and entity not in _NEUTRAL):
            return None
        if entity == runs.ENTITY:
            touched.add(entity_id)
    return touched


async def _rematched(
    session: AsyncSession,
    data_set: DataSet,
    rules: Mapping[str, MatchRule],
    previous: Membership,
    touched: Collection[int],
) -> Membership:
    numbers = set(previous.numbers) - set(touched)
    if touched:
        rows = await session.execute(
            select(Run.number, Run.attributi).where(
                Run.beamtime_id == data_set.beamtime_id,
                Run.experiment_type_id == data_set.experiment_type_id,
                Run.number.in_(list(touched)),
            )
        )
        wanted = data_set.attributi or {}
        numbers.update(
            number
            for number, document in rows
            if run_matches_data_set(wanted, document or {}, rules)
        )
    return Membership(data_set.id, frozenset(numbers))
