"""Request and response models of the event log."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import AwareDatetime, Field, field_validator, model_validator

from amarcord.schemas.common import Id, Model, OutModel, PageQuery, RunNumber
from amarcord.schemas.files import FileSummary
from amarcord.store.events import LEVELS, EventRecord

Level = Literal["user", "info", "warning", "error"]
_NOT_NULL = ("text", "level", "source", "file_ids")


class EventCreate(Model):
    text: str = Field(default="", description="Markdown; may be empty when files are attached.")
    level: Level = "user"
    source: str | None = Field(
        default=None, min_length=1, max_length=255, description="Default: the caller's name."
    )
    file_ids: list[Id] = Field(default=[], description="Files of this beamtime to attach.")
    run_number: RunNumber | None = Field(
        default=None, description="An existing run of the beamtime."
    )
    attach_live_stream: bool = Field(
        default=False, description="Attach a copy of the current live-stream image."
    )


class EventPatch(Model):
    """Only the fields sent change; `file_ids` replaces the attachments, `run_number: null`
    unlinks the run."""

    text: str | None = None
    level: Level | None = None
    source: str | None = Field(default=None, min_length=1, max_length=255)
    file_ids: list[Id] | None = None
    run_number: RunNumber | None = None

    @model_validator(mode="after")
    def _no_null_where_a_value_is_required(self) -> Self:
        nulls = [
            name
            for name in _NOT_NULL
            if name in self.model_fields_set and getattr(self, name) is None
        ]
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null")
        return self


class EventQuery(PageQuery):
    q: str | None = Field(default=None, description="Case-insensitive search in text and source.")
    level: str | None = Field(
        default=None, description="One level or several separated by commas, e.g. `warning,error`."
    )
    since: AwareDatetime | None = Field(default=None, description="Created at or after (ISO 8601).")
    until: AwareDatetime | None = Field(default=None, description="Created before (ISO 8601).")
    run: RunNumber | None = Field(default=None, description="Events linked to this run number.")

    @field_validator("level")
    @classmethod
    def _known_levels(cls, value: str | None) -> str | None:
        if value is None:
            return None
        unknown = [part for part in value.split(",") if part.strip() not in LEVELS]
        if unknown:
            raise ValueError(f"unknown level(s) {', '.join(unknown)}; use {', '.join(LEVELS)}")
        return value

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.level.split(",")) if self.level else ()


class EventOut(OutModel):
    id: int
    created_at: AwareDatetime
    updated_at: AwareDatetime
    level: Level
    source: str
    text: str
    run_number: int | None
    file_ids: list[int]
    files: list[FileSummary]
    version: int

    @classmethod
    def of(cls, record: EventRecord) -> EventOut:
        event = record.event
        return cls(
            id=event.id,
            created_at=event.created_at,
            updated_at=event.updated_at,
            level=event.level,
            source=event.source,
            text=event.text,
            run_number=event.run_number,
            file_ids=record.file_ids,
            files=[FileSummary.model_validate(f) for f in record.files],
            version=event.version,
        )


class EventList(OutModel):
    items: list[EventOut]
    total: int
    next_cursor: str | None
