"""Everything the run overview page shows, read in one transaction with a few indexed
queries, so that the page's one request stays cheap with 10,000 runs:

- the latest run: the (beamtime_id, number) unique index, descending, limit 1;
- its data set: only the data sets of the latest run's experiment type are tried, and only
  the runs of that type are read to list the data set's runs (`data_sets.data_set_of_run`);
- the experiment type is the configuration's current one (what new runs get);
- events: the 20 newest, from the (beamtime_id, created_at) index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Beamtime, Run
from amarcord.domain.run_ranges import format_run_ranges
from amarcord.store import (
    beamtimes,
    configuration,
    data_sets,
    events,
    experiment_types,
    live_stream,
    run_attributi,
    runs,
    schedule,
)
from amarcord.store.configuration import ConfigurationState
from amarcord.store.events import EventFilters, EventRecord
from amarcord.store.experiment_types import ExperimentTypeRecord
from amarcord.store.live_stream import LiveStreamInfo

EVENT_COUNT = 20


@dataclass(frozen=True)
class DataSetSummary:
    id: int
    runs: str
    run_count: int


@dataclass(frozen=True)
class Overview:
    beamtime: Beamtime
    latest_run: dict[str, Any] | None
    configuration: ConfigurationState
    experiment_type: ExperimentTypeRecord | None
    data_set: DataSetSummary | None
    live_stream: LiveStreamInfo | None
    events: list[EventRecord]
    on_shift: list[str]

    @property
    def running(self) -> bool:
        return self.latest_run is not None and self.latest_run["stopped"] is None


def duration_seconds(run: Run, now: datetime) -> float:
    """How long the run took, or has been running; a run that starts in the future (a DAQ
    clock ahead of ours) has not run yet."""
    end = run.stopped or now
    return max(0.0, (end - run.started).total_seconds())


async def load(session: AsyncSession, beamtime_id: int, *, now: datetime) -> Overview:
    beamtime = await beamtimes.get(session, beamtime_id)
    run = await runs.find(session, beamtime_id, None)
    latest = None if run is None else await _run_json(session, run, now)
    current = await configuration.current_configuration(session, beamtime_id)
    type_id = current.current_experiment_type_id
    experiment_type = (
        None if type_id is None else await experiment_types.get(session, beamtime_id, type_id)
    )
    newest_events = await events.list_page(
        session, beamtime_id, EventFilters(), limit=EVENT_COUNT, after=None
    )
    return Overview(
        beamtime=beamtime,
        latest_run=latest,
        configuration=current,
        experiment_type=experiment_type,
        data_set=None if run is None else await _data_set(session, beamtime_id, run),
        live_stream=await live_stream.info(session, beamtime_id),
        events=newest_events.items,
        on_shift=await schedule.names_on_shift(session, beamtime_id, now),
    )


async def _run_json(session: AsyncSession, run: Run, now: datetime) -> dict[str, Any]:
    attributi = await run_attributi.load(session, run.beamtime_id)
    paths = await runs.data_paths(session, run.id)
    return runs.run_json(run, attributi, paths) | {"duration_seconds": duration_seconds(run, now)}


async def _data_set(session: AsyncSession, beamtime_id: int, run: Run) -> DataSetSummary | None:
    found = await data_sets.data_set_of_run(session, beamtime_id, run)
    if found is None:
        return None
    data_set, numbers = found
    return DataSetSummary(id=data_set.id, runs=format_run_ranges(numbers), run_count=len(numbers))
