"""The one typed settings object. Read once (environment prefix `AMARCORD_`, or a `.env`
file) and passed explicitly to `create_app(settings)`, the CLI and the daemons; nothing else in
the server reads the environment."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Network = IPv4Network | IPv6Network
# The database URL schemes, each with the async driver the server runs on.
DRIVERS = ("sqlite+aiosqlite", "mysql+asyncmy", "mariadb+asyncmy", "postgresql+asyncpg")


class Settings(BaseSettings):
    """Server settings. Every field is documented in docs/admin.md (a test checks that)."""

    model_config = SettingsConfigDict(
        env_prefix="AMARCORD_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = Field(
        default="sqlite+aiosqlite:///./amarcord.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite, mysql+asyncmy/mariadb+asyncmy "
        "or postgresql+asyncpg.",
    )
    host: str = Field(default="127.0.0.1", description="Address the server binds to.")
    port: int = Field(default=5000, ge=1, le=65535, description="TCP port of the server.")
    workers: int = Field(default=1, ge=1, description="Number of server processes.")
    default_timezone: str = Field(
        default="UTC", description="IANA time zone for new beamtimes, e.g. Europe/Berlin."
    )
    max_upload_bytes: int = Field(
        default=512 * 1024 * 1024, ge=1, description="Largest accepted upload (413 beyond)."
    )
    db_pool_size: int = Field(default=10, ge=1, description="Connections kept per process.")
    db_echo: bool = Field(default=False, description="Log every SQL statement (debugging).")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Logging level of the server."
    )
    static_dir: Path | None = Field(
        default=None,
        description="Directory of the built web frontend; default: the one shipped in the package.",
    )
    graceful_timeout: float = Field(
        default=3.0, ge=0, description="Seconds to let open requests finish on shutdown."
    )
    stream_poll_interval: float = Field(
        default=0.25,
        gt=0,
        le=10,
        description="Seconds between the change stream's database polls (per beamtime and "
        "process, while someone follows the stream).",
    )
    stream_keepalive: float = Field(
        default=15.0,
        gt=0,
        description="Seconds of silence after which the change stream sends a keep-alive "
        "comment; also how often an open stream checks its caller's access again.",
    )

    auth: Literal["local", "proxy", "none"] = Field(
        default="local",
        description="Access control: local accounts, a trusted authenticating proxy, or none "
        "(single-user laptop).",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that signs session cookies; default: generated once and kept in the "
        "database, so that every server process uses the same.",
    )
    session_days: float = Field(
        default=14, gt=0, description="Days a browser session stays valid after signing in."
    )
    proxy_user_header: str = Field(
        default="X-Remote-User",
        min_length=1,
        description="Request header in which the trusted proxy passes the user name.",
    )
    proxy_name_header: str | None = Field(
        default=None, description="Optional header with the user's display name (proxy mode)."
    )
    trusted_proxies: Annotated[tuple[Network, ...], NoDecode] = Field(
        default=(),
        description="Comma-separated addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For/-Proto and user headers are believed.",
    )
    token_cache_seconds: float = Field(
        default=5,
        ge=0,
        description="Seconds a process trusts an API token it has verified before it looks the "
        "token up again (0: every request).",
    )
    login_attempts: int = Field(
        default=5, ge=1, description="Failed logins allowed per user name and client address."
    )
    login_window: float = Field(
        default=300, gt=0, description="Seconds over which failed logins are counted."
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(
                ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()
            )
        return value

    @model_validator(mode="after")
    def _proxy_needs_trusted_addresses(self) -> Settings:
        if self.auth == "proxy" and not self.trusted_proxies:
            msg = "AMARCORD_AUTH=proxy needs AMARCORD_TRUSTED_PROXIES (the proxy's addresses)"
            raise ValueError(msg)
        return self

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        driver = value.split("://", 1)[0] if "://" in value else ""
        if driver not in DRIVERS:
            # "postgresql://" would pick a synchronous driver that is not installed.
            msg = f"use {', '.join(f'{name}://' for name in DRIVERS)}; got {driver or value!r}"
            raise ValueError(msg)
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            msg = f"unknown time zone {value!r}"
            raise ValueError(msg) from error
        return value

    @property
    def database_kind(self) -> Literal["sqlite", "mysql", "postgresql"]:
        scheme = self.database_url.split(":", 1)[0].split("+", 1)[0]
        if scheme == "sqlite":
            return "sqlite"
        if scheme in {"mysql", "mariadb"}:
            return "mysql"
        if scheme in {"postgresql", "postgres"}:
            return "postgresql"
        msg = f"unsupported database URL scheme {scheme!r}"
        raise ValueError(msg)
