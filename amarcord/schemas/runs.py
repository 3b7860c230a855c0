"""Request and response models of runs."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field

from amarcord.schemas.common import MAX_LIMIT, Id, Model, OutModel, RunNumber

AttributiIn = dict[str, Any]
_ATTRIBUTI_DOC = (
    "Values keyed by attributo name; on updates an absent name is left alone and `null` "
    "clears the value."
)


class DataPath(Model):
    path: str = Field(
        min_length=1, max_length=2048, description="A path or glob", examples=["/raw/r0012/*.h5"]
    )
    source: str = Field(default="raw", min_length=1, max_length=64, examples=["raw"])


class RunCreate(Model):
    number: RunNumber | None = Field(
        default=None,
        description="Default: the highest run number plus one (first: 1).",
    )
    started: AwareDatetime | None = Field(default=None, description="Default: now.")
    stopped: AwareDatetime | None = None
    experiment_type_id: Id | None = Field(
        default=None, description="Default: the configuration's current experiment type."
    )
    attributi: AttributiIn = Field(default_factory=dict, description=_ATTRIBUTI_DOC)
    data_paths: list[DataPath] = Field(default_factory=list)


class RunPut(Model):
    """Create-or-update by number: on update only the fields sent change."""

    started: AwareDatetime | None = None
    stopped: AwareDatetime | None = None
    experiment_type_id: Id | None = None
    attributi: AttributiIn = Field(default_factory=dict, description=_ATTRIBUTI_DOC)
    data_paths: list[DataPath] | None = Field(
        default=None, description="Replaces the run's data paths when sent."
    )


class RunPatch(Model):
    started: AwareDatetime | None = Field(default=None, description="Cannot be cleared.")
    stopped: AwareDatetime | None = None
    experiment_type_id: Id | None = None
    attributi: AttributiIn = Field(default_factory=dict, description=_ATTRIBUTI_DOC)
    data_paths: list[DataPath] | None = Field(
        default=None, description="Replaces the run's data paths; `null` removes them all."
    )


class RunBulkPatch(Model):
    runs: str = Field(
        min_length=1,
        description="Run ranges; they select the existing runs.",
        examples=["10-25,31"],
    )
    attributi: AttributiIn = Field(default_factory=dict, description=_ATTRIBUTI_DOC)
    experiment_type_id: Id | None = None


class RunBulkResult(OutModel):
    updated: int = Field(description="How many runs the ranges selected (all now carry the edit).")
    changed: int = Field(description="How many of them actually changed.")
    runs: str = Field(description="The selected runs as ranges.")


class DataPathOut(OutModel):
    path: str
    source: str


class RunOut(OutModel):
    number: int
    started: AwareDatetime
    stopped: AwareDatetime | None
    experiment_type_id: int | None
    attributi: dict[str, Any]
    data_paths: list[DataPathOut]
    version: int
    created_at: AwareDatetime
    updated_at: AwareDatetime


class RunList(OutModel):
    items: list[RunOut]
    total: int
    next_cursor: str | None


Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)] | Literal["all"]


class RunListQuery(Model):
    filter: str | None = Field(
        default=None,
        description='Filter expression, e.g. `sample == "lyso" and detector_distance >= 100`.',
    )
    runs: str | None = Field(default=None, description="Run ranges, e.g. `1-5,8`.")
    date: datetime.date | None = Field(
        default=None,
        # A day's bounds in any time zone must stay within the years 1 to 9999.
        ge=datetime.date(1, 1, 2),
        le=datetime.date(9999, 12, 30),
        description="A day in the beamtime's time zone.",
    )
    experiment_type_id: Id | None = None
    data_set_id: Id | None = None
    sort: str = Field(
        default="-number",
        description="A run field or attributo name; `-` sorts descending. Unset values last.",
    )
    limit: Limit = Field(default=100, description="Items per page, or `all`.")
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page.")
