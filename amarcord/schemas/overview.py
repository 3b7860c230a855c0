"""The run overview: everything its page needs, in one response."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import Field

from amarcord.domain.run_ranges import format_run_ranges
from amarcord.schemas.beamtimes import BeamtimeOut
from amarcord.schemas.common import OutModel
from amarcord.schemas.configuration import ConfigurationOut
from amarcord.schemas.events import EventOut
from amarcord.schemas.experiment_types import ExperimentTypeOut
from amarcord.schemas.files import LiveStreamOverview
from amarcord.schemas.runs import RunOut
from amarcord.store.overview import RecordedPart, ShiftTimes, Unrecorded, duration_seconds, on_shift
from amarcord.store.overview_data_set import Membership


class OverviewRun(RunOut):
    duration_seconds: float = Field(
        description="From `started` to `stopped`, or to now while the run is running."
    )


class DataSetSummary(OutModel):
    id: int
    runs: str = Field(description="The data set's runs as ranges.", examples=["1-5,8"])
    run_count: int

    @classmethod
    def of(cls, membership: Membership) -> DataSetSummary:
        numbers = sorted(membership.numbers)
        return cls(
            id=membership.data_set_id, runs=format_run_ranges(numbers), run_count=len(numbers)
        )


class RecordedOverview(OutModel):
    """The part of the overview that only changes with the change feed (kept per seq)."""

    beamtime: BeamtimeOut
    latest_run: RunOut | None
    configuration: ConfigurationOut
    experiment_type: ExperimentTypeOut | None
    data_set: DataSetSummary | None
    events: list[EventOut]
    shifts: list[ShiftTimes]

    @classmethod
    def of(cls, part: RecordedPart) -> RecordedOverview:
        return cls(
            beamtime=BeamtimeOut.model_validate(part.beamtime),
            latest_run=None if part.latest_run is None else RunOut.model_validate(part.latest_run),
            configuration=ConfigurationOut.model_validate(part.configuration),
            experiment_type=None
            if part.experiment_type is None
            else ExperimentTypeOut.model_validate(part.experiment_type),
            data_set=None if part.data_set is None else DataSetSummary.of(part.data_set),
            events=[EventOut.of(record) for record in part.events],
            shifts=part.shifts,
        )


@dataclass(frozen=True)
class KeptOverview:
    """What a process keeps of a beamtime's overview: the response's recorded part, and the
    latest run's data set, so that the next change only rematches the runs it touched."""

    recorded: RecordedOverview
    data_set: Membership | None


class OverviewOut(OutModel):
    beamtime: BeamtimeOut
    latest_run: OverviewRun | None = Field(description="The run with the highest number.")
    running: bool = Field(description="Whether the latest run has not stopped.")
    configuration: ConfigurationOut
    experiment_type: ExperimentTypeOut | None = Field(
        description="The configuration's current experiment type (the one new runs get)."
    )
    data_set: DataSetSummary | None = Field(
        description="The first data set (lowest id) of its experiment type that the latest "
        "run belongs to."
    )
    live_stream: LiveStreamOverview | None
    events: list[EventOut] = Field(description="The 20 newest events, newest first.")
    on_shift: list[str] = Field(description="Everyone on a shift of the schedule right now.")

    @classmethod
    def of(cls, recorded: RecordedOverview, live: Unrecorded, *, now: datetime) -> OverviewOut:
        run = recorded.latest_run
        latest = None
        if run is not None:
            duration = duration_seconds(run.started, run.stopped, now)
            # Built from validated parts: no second validation of the kept overview.
            latest = OverviewRun.model_construct(**dict(run), duration_seconds=duration)
        frame = live.live_stream
        return cls.model_construct(
            beamtime=recorded.beamtime,
            latest_run=latest,
            running=run is not None and run.stopped is None,
            configuration=recorded.configuration,
            experiment_type=recorded.experiment_type,
            data_set=recorded.data_set,
            live_stream=None if frame is None else LiveStreamOverview.of(frame),
            events=recorded.events,
            on_shift=on_shift(recorded.shifts, now),
        )
