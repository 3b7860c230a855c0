"""Request and response models of the shift schedule."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from amarcord.schemas.common import Id, Model, OutModel

UserName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class ShiftIn(Model):
    start: AwareDatetime
    end: AwareDatetime = Field(description="After `start`; may be on the next day.")
    users: list[UserName] = Field(default_factory=list, description="Names of the people on it.")
    chemical_ids: list[Id] = Field(default_factory=list, description="Chemicals of this beamtime.")
    comment: str = ""


class ScheduleIn(Model):
    shifts: list[ShiftIn] = Field(description="Replaces every shift; overlaps are allowed.")


class ShiftOut(OutModel):
    id: int
    start: AwareDatetime
    end: AwareDatetime
    users: list[str]
    chemical_ids: list[int]
    comment: str


class ScheduleOut(OutModel):
    shifts: list[ShiftOut] = Field(description="Ordered by start.")
    version: int = Field(description="Grows with every change; 0 if never set.")
