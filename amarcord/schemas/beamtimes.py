"""Request and response models of beamtimes."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, Field, field_validator

from amarcord.schemas.common import Model, OutModel


def _check_timezone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        msg = f"unknown IANA time zone {value!r}"
        raise ValueError(msg) from error
    return value


class BeamtimeCreate(Model):
    external_id: str = Field(min_length=1, max_length=255, examples=["11012345"])
    proposal: str = Field(default="", max_length=255)
    beamline: str = Field(default="", max_length=255, examples=["P11"])
    title: str = Field(default="", max_length=1024)
    comment: str = ""
    start: AwareDatetime
    end: AwareDatetime
    timezone: str | None = Field(
        default=None, description="IANA time zone; default: the server's AMARCORD_DEFAULT_TIMEZONE"
    )

    _tz = field_validator("timezone")(_check_timezone)


class BeamtimePatch(Model):
    external_id: str | None = Field(default=None, min_length=1, max_length=255)
    proposal: str | None = Field(default=None, max_length=255)
    beamline: str | None = Field(default=None, max_length=255)
    title: str | None = Field(default=None, max_length=1024)
    comment: str | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    timezone: str | None = None

    _tz = field_validator("timezone")(_check_timezone)


class BeamtimeOut(OutModel):
    id: int
    external_id: str
    proposal: str
    beamline: str
    title: str
    comment: str
    start: AwareDatetime
    end: AwareDatetime
    timezone: str
    version: int
    created_at: AwareDatetime
    updated_at: AwareDatetime


class BeamtimeList(OutModel):
    items: list[BeamtimeOut]
    total: int
    next_cursor: str | None
