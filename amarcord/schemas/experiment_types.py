"""Request and response models of experiment types."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from amarcord.domain.attributo_types import AssociatedTable
from amarcord.schemas.common import Id, Model, OutModel


def _trimmed(name: str) -> str:
    if name != name.strip():
        raise ValueError("must not start or end with white space")
    return name


Name = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_trimmed)]

_ATTRIBUTI_DOC = (
    "Attributi of the beamtime, in display order. Data sets fix a value for each run "
    "attributo; chemical attributi describe the samples."
)


class ExperimentTypeAttributoIn(Model):
    attributo_id: Id
    role: str | None = Field(
        default=None, max_length=64, description="Free text, e.g. `crystal` or `solution`."
    )


class ExperimentTypeCreate(Model):
    name: Name
    attributi: list[ExperimentTypeAttributoIn] = Field(
        default_factory=list, description=_ATTRIBUTI_DOC
    )


class ExperimentTypePatch(Model):
    name: Name | None = None
    attributi: list[ExperimentTypeAttributoIn] | None = Field(
        default=None, description="Replaces the list; data sets keep their values."
    )


class ExperimentTypeAttributoOut(OutModel):
    attributo_id: int
    name: str
    associated_table: AssociatedTable
    role: str | None


class ExperimentTypeOut(OutModel):
    id: int
    name: str
    attributi: list[ExperimentTypeAttributoOut]
    version: int
    run_count: int = Field(description="How many runs have this experiment type.")


class ExperimentTypeList(OutModel):
    items: list[ExperimentTypeOut]
    total: int
    next_cursor: str | None
