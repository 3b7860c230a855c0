"""The daemon's settings: command-line options over `AMARCORD_MJPEG_*` environment variables.

The prefix differs from the server's `AMARCORD_` so that one environment file can configure
both without the daemon picking up server settings of the same name.
"""

from typing import Annotated, Literal

from pydantic import Field, HttpUrl, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "AMARCORD_MJPEG_"

BeamtimeSelection = Annotated[int, Field(gt=0)] | Literal["active"]


class MjpegSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True)

    server: HttpUrl = Field(description="Base URL of the amarcord server.")
    token: SecretStr | None = Field(
        default=None,
        description="API token, sent as `Authorization: Bearer <token>`. Prefer the "
        "environment variable: command lines are visible to every user of the machine.",
    )
    beamtime: BeamtimeSelection = Field(
        default="active",
        description="Beamtime ID, or `active` for every beamtime whose start <= now <= end.",
    )
    stream_url: HttpUrl | None = Field(
        default=None,
        description="Camera URL (MJPEG stream, raw JPEG stream or snapshot). Default: each "
        "beamtime's configured `live_stream_url`.",
    )
    interval: float = Field(
        default=2.0, gt=0, description="Seconds between uploads of the newest frame."
    )
    max_frame_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1024, description="Frames larger than this are skipped."
    )
    recheck_interval: float = Field(
        default=5.0,
        gt=0,
        description="Seconds between checks of the active beamtimes and their configured "
        "camera URL.",
    )
    max_backoff: float = Field(
        default=30.0, gt=0, description="Longest wait between retries of a failing peer."
    )
    camera_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds without a complete frame before the camera counts as down.",
    )
    server_timeout: float = Field(
        default=10.0, gt=0, description="Timeout of each request to the server."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Logging threshold."
    )
