"""Request and response models of the user configuration."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import AwareDatetime, Field, StrictBool, field_validator

from amarcord.schemas.common import Id, Model, OutModel


class ConfigurationPatch(Model):
    """The keys sent change; the others keep their current values."""

    auto_pilot: StrictBool | None = Field(
        default=None, description="New runs copy the previous run's manual attributi."
    )
    current_experiment_type_id: Id | None = Field(
        default=None, description="The experiment type of new runs; `null` selects none."
    )
    live_stream_url: str | None = Field(
        default=None, max_length=2048, description="An http(s) URL, or `null`."
    )

    @field_validator("auto_pilot")
    @classmethod
    def _not_null(cls, value: bool | None) -> bool:
        if value is None:
            raise ValueError("auto_pilot is true or false, not null")
        return value

    @field_validator("live_stream_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parts = urlsplit(value)
        except ValueError as error:
            raise ValueError(f"not a URL: {error}") from error
        if parts.scheme not in ("http", "https") or not parts.hostname or value != value.strip():
            raise ValueError("expected an http:// or https:// URL")
        return value


class ConfigurationOut(OutModel):
    auto_pilot: bool
    current_experiment_type_id: int | None
    live_stream_url: str | None
    created_at: AwareDatetime | None = Field(description="`null` while never configured.")
    author: str | None = Field(description="Who made this state; `null` for the defaults.")
    version: int = Field(description="Grows with every change; 0 for the defaults.")


class ConfigurationHistory(OutModel):
    items: list[ConfigurationOut] = Field(description="Newest first.")
    total: int
    next_cursor: str | None
