"""Models of the change feed and its stream."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator

from amarcord.domain.limits import MAX_ID
from amarcord.schemas.common import MAX_LIMIT, Model, OutModel, Seq


class ChangeOut(OutModel):
    seq: int = Field(description="Strictly increasing per database; the stream's event id.")
    at: AwareDatetime
    actor: str = Field(description="Who made the change (user or token name).")
    entity: str = Field(examples=["run"])
    entity_id: int = Field(description="The entity's id; for runs their number.")
    action: Literal["created", "updated", "deleted"]
    before: dict[str, Any] | None = Field(description="The changed fields before the change.")
    after: dict[str, Any] | None = Field(description="The changed fields after the change.")


class ChangePage(OutModel):
    items: list[ChangeOut]
    last_seq: int = Field(
        description="Pass as `after` for the next page: the last item's seq; for an empty "
        "page the `after` given, or the beamtime's latest seq (0 if none) without one."
    )


class LiveStreamEvent(OutModel):
    """The data of a transient `live-stream` event: a new frame arrived."""

    updated_at: AwareDatetime


class ChangesQuery(Model):
    after: Seq | None = Field(
        default=None, description="Only changes with a greater seq; default: from the start."
    )
    limit: int = Field(default=100, ge=1, le=MAX_LIMIT, description="Items per page.")
    entity: str | None = Field(
        default=None,
        max_length=64,
        description="Only changes of this kind of entity (`run`, `chemical`, `attributo`, …).",
        examples=["run"],
    )
    entity_id: Annotated[int, Field(ge=0, le=MAX_ID)] | None = Field(
        default=None,
        description="Only changes of this entity (with `entity`); for runs their number: "
        "the history of one run.",
    )

    @field_validator("entity_id")
    @classmethod
    def _id_needs_entity(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("entity") is None:
            msg = "entity_id needs entity (ids are only unique per kind of entity)"
            raise ValueError(msg)
        return value


class StreamQuery(Model):
    after: Seq | None = Field(
        default=None,
        description="Resume after this seq (as the `Last-Event-ID` header does); default: "
        "start at the current end.",
    )
