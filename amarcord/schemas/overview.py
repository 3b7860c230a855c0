"""The run overview: everything its page needs, in one response."""

from __future__ import annotations

from pydantic import Field

from amarcord.schemas.beamtimes import BeamtimeOut
from amarcord.schemas.common import OutModel
from amarcord.schemas.configuration import ConfigurationOut
from amarcord.schemas.events import EventOut
from amarcord.schemas.experiment_types import ExperimentTypeOut
from amarcord.schemas.files import LiveStreamOverview
from amarcord.schemas.runs import RunOut
from amarcord.store.overview import Overview


class OverviewRun(RunOut):
    duration_seconds: float = Field(
        description="From `started` to `stopped`, or to now while the run is running."
    )


class DataSetSummary(OutModel):
    id: int
    runs: str = Field(description="The data set's runs as ranges.", examples=["1-5,8"])
    run_count: int


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
    def of(cls, overview: Overview) -> OverviewOut:
        live = overview.live_stream
        return cls(
            beamtime=BeamtimeOut.model_validate(overview.beamtime),
            latest_run=None
            if overview.latest_run is None
            else OverviewRun.model_validate(overview.latest_run),
            running=overview.running,
            configuration=ConfigurationOut.model_validate(overview.configuration),
            experiment_type=None
            if overview.experiment_type is None
            else ExperimentTypeOut.model_validate(overview.experiment_type),
            data_set=None
            if overview.data_set is None
            else DataSetSummary.model_validate(overview.data_set),
            live_stream=None if live is None else LiveStreamOverview.of(live),
            events=[EventOut.of(record) for record in overview.events],
            on_shift=overview.on_shift,
        )
