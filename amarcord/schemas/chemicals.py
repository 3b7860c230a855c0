"""Request and response models of chemicals (the samples of a beamtime)."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, Field

from amarcord.schemas.attributi import AttributoOut, Name
from amarcord.schemas.common import Id, Model, OutModel

_ATTRIBUTI_DOC = "Values keyed by chemical attributo name; in a PATCH `null` clears a value."
_FILE_IDS_DOC = "Files of this beamtime attached to the chemical (a PATCH replaces the list)."


class ChemicalCreate(Model):
    name: Name
    responsible_person: str = Field(default="", max_length=255)
    attributi: dict[str, Any] = Field(default_factory=dict, description=_ATTRIBUTI_DOC)
    file_ids: list[Id] = Field(default_factory=list, description=_FILE_IDS_DOC)


class ChemicalPatch(Model):
    name: Name | None = None
    responsible_person: str | None = Field(default=None, max_length=255)
    attributi: dict[str, Any] | None = Field(default=None, description=_ATTRIBUTI_DOC)
    file_ids: list[Id] | None = Field(default=None, description=_FILE_IDS_DOC)


class ChemicalOut(OutModel):
    id: int
    name: str
    responsible_person: str
    attributi: dict[str, Any]
    file_ids: list[int] = Field(description="Ascending.")
    version: int
    created_at: AwareDatetime
    updated_at: AwareDatetime


class ChemicalList(OutModel):
    items: list[ChemicalOut]
    total: int
    next_cursor: str | None


class ChemicalCopy(Model):
    from_beamtime_id: Id
    chemical_ids: list[Id] = Field(min_length=1)
    create_missing_attributi: bool = Field(
        default=False,
        description="Create chemical attributi the target lacks (same name and type); "
        "without this, values of a missing attributo are a 422.",
    )


class ChemicalCopyResult(OutModel):
    items: list[ChemicalOut] = Field(description="The new chemicals, in the order requested.")
    created_attributi: list[AttributoOut]
