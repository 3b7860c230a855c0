"""Request and response models of data sets."""

from __future__ import annotations

from typing import Any, Self

from pydantic import AwareDatetime, Field, model_validator

from amarcord.schemas.common import Id, Model, OutModel, PageQuery, RunNumber


class DataSetCreate(Model):
    """Either `experiment_type_id` with `attributi`, or `from_run` alone."""

    experiment_type_id: Id | None = None
    attributi: dict[str, Any] = Field(
        default_factory=dict,
        description="A value for every run attributo of the experiment type, keyed by name; "
        "booleans default to false.",
    )
    from_run: RunNumber | None = Field(
        default=None,
        description="Copy the experiment type and values of the run with this number.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if self.from_run is None and self.experiment_type_id is None:
            raise ValueError("send experiment_type_id (with attributi) or from_run")
        if self.from_run is not None and (self.experiment_type_id or self.attributi):
            raise ValueError("from_run takes the experiment type and values from the run")
        return self


class DataSetOut(OutModel):
    id: int
    experiment_type_id: int
    attributi: dict[str, Any]
    runs: str = Field(description="Numbers of the matching runs as ranges.", examples=["1-5,8"])
    run_count: int
    version: int
    created_at: AwareDatetime


class DataSetList(OutModel):
    items: list[DataSetOut]
    total: int
    next_cursor: str | None


class DataSetQuery(PageQuery):
    experiment_type_id: Id | None = Field(default=None, description="Only data sets of this type.")
