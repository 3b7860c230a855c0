"""Everything the run overview page shows, in two parts.

`load_recorded` reads what only changes through writes that the change feed records: the
beamtime, the latest run, the configuration, the current experiment type, the latest run's
data set, the newest events and the schedule. Its result stays the same for as long as the
beamtime's latest seq does (every mutation appends to the feed in its own transaction), so
callers may keep it keyed by that seq. It uses few, indexed queries:

- the latest run: the (beamtime_id, number) unique index, descending, limit 1;
- its data set: only the data sets of the latest run's experiment type are tried, and only
  the runs of that type are read to list the data set's runs, or only the runs changed
  since a kept result (`overview_data_set`);
- the experiment type is the configuration's current one (what new runs get);
- events: the 20 newest, from the (beamtime_id, created_at) index.

`load_unrecorded` reads, in one statement, the beamtime's latest seq and what changes without
a feed row: the live-stream frame's metadata. Who is on shift follows from the kept schedule
and the clock (`on_shift`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Beamtime, Change, LiveStreamImage, Run, ScheduleShift
from amarcord.store import (
    beamtimes,
    configuration,
    events,
    experiment_types,
    run_attributi,
    runs,
)
from amarcord.store.configuration import ConfigurationState
from amarcord.store.events import EventFilters, EventRecord
from amarcord.store.experiment_types import ExperimentTypeRecord
from amarcord.store.live_stream import LiveStreamInfo
from amarcord.store.overview_data_set import Membership, membership

EVENT_COUNT = 20
_FRAME_FIELDS = tuple(f.name for f in fields(LiveStreamInfo) if f.name != "beamtime_id")


@dataclass(frozen=True)
class RecordedPart:
    """The part of the overview that the change feed tracks."""

    beamtime: Beamtime
    latest_run: dict[str, Any] | None
    configuration: ConfigurationState
    experiment_type: ExperimentTypeRecord | None
    data_set: Membership | None
    events: list[EventRecord]
    shifts: list[ShiftTimes]


@dataclass(frozen=True)
class ShiftTimes:
    start: datetime
    end: datetime
    users: list[str]


@dataclass(frozen=True)
class Unrecorded:
    """The beamtime's latest seq (0 without feed rows) and its live-stream frame."""

    seq: int
    live_stream: LiveStreamInfo | None


def on_shift(shifts: Sequence[ShiftTimes], now: datetime) -> list[str]:
    """Everyone on a shift at `now` (start ≤ now < end), each name once, in shift order: the
    rule of `schedule.names_on_shift`, applied to the kept schedule."""
    return list(dict.fromkeys(name for s in shifts if s.start <= now < s.end for name in s.users))


def duration_seconds(started: datetime, stopped: datetime | None, now: datetime) -> float:
    """How long a run took, or has been running; a run that starts in the future (a DAQ
    clock ahead of ours) has not run yet."""
    return max(0.0, ((stopped or now) - started).total_seconds())


async def load_recorded(
    session: AsyncSession, beamtime_id: int, kept: tuple[int, Membership | None] | None = None
) -> RecordedPart:
    """`kept`: the data set found by an earlier call and the seq it was read at, if any."""
    beamtime = await beamtimes.get(session, beamtime_id)
    run = await runs.find(session, beamtime_id, None)
    current = await configuration.current_configuration(session, beamtime_id)
    type_id = current.current_experiment_type_id
    newest_events = await events.list_page(
        session, beamtime_id, EventFilters(), limit=EVENT_COUNT, after=None
    )
    return RecordedPart(
        beamtime=beamtime,
        latest_run=None if run is None else await _run_json(session, run),
        configuration=current,
        experiment_type=None
        if type_id is None
        else await experiment_types.get(session, beamtime_id, type_id),
        data_set=None if run is None else await membership(session, beamtime_id, run, kept),
        events=newest_events.items,
        shifts=await _shifts(session, beamtime_id),
    )


async def load_unrecorded(session: AsyncSession, beamtime_id: int) -> Unrecorded:
    """One statement, one row: the live-stream table has at most one row per beamtime, so
    its aggregates are that row's values (all NULL without a frame)."""
    seq = select(func.max(Change.seq)).where(Change.beamtime_id == beamtime_id).scalar_subquery()
    frame = [func.max(getattr(LiveStreamImage, name)) for name in _FRAME_FIELDS]
    query = select(seq, *frame).where(LiveStreamImage.beamtime_id == beamtime_id)
    latest, *values = (await session.execute(query)).one()
    info = None
    if values[0] is not None:
        info = LiveStreamInfo(beamtime_id, **dict(zip(_FRAME_FIELDS, values, strict=True)))
    return Unrecorded(seq=latest or 0, live_stream=info)


async def _shifts(session: AsyncSession, beamtime_id: int) -> list[ShiftTimes]:
    rows = await session.execute(
        select(ScheduleShift.start, ScheduleShift.end, ScheduleShift.users)
        .where(ScheduleShift.beamtime_id == beamtime_id)
        .order_by(ScheduleShift.start, ScheduleShift.id)
    )
    return [ShiftTimes(start, end, list(users)) for start, end, users in rows]


async def _run_json(session: AsyncSession, run: Run) -> dict[str, Any]:
    attributi = await run_attributi.load(session, run.beamtime_id)
    return runs.run_json(run, attributi, await runs.data_paths(session, run.id))
