"""Portable column types. Each one exists because a default type loses data on some engine
(see docs/development.md): MySQL drops microseconds, makes Float 4 bytes, caps Text and
LargeBinary at 64 KiB and compares strings case- and accent-insensitively."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Double, LargeBinary, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeDecorator, TypeEngine

_MYSQL = ("mysql", "mariadb")


class UtcDateTime(TypeDecorator[datetime]):
    """Stores naive UTC with microseconds on every engine; returns aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in _MYSQL:
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime(timezone=False))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetimes are ambiguous; pass an aware datetime"
            raise ValueError(msg)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def long_text() -> TypeEngine[str]:
    return Text().with_variant(mysql.LONGTEXT(), *_MYSQL)


def long_blob() -> TypeEngine[bytes]:
    return LargeBinary().with_variant(mysql.LONGBLOB(), *_MYSQL)


def double() -> TypeEngine[float]:
    return Double().with_variant(mysql.DOUBLE(), *_MYSQL)


def json_document() -> TypeEngine[Any]:
    """JSON on every engine (MariaDB stores it as LONGTEXT with a validity check)."""
    return JSON()


def name_key(length: int = 255) -> TypeEngine[str]:
    """A normalised (casefolded) name used in unique constraints. Binary collation on MySQL,
    so that two names our normalisation keeps apart are not merged by the collation."""
    return String(length).with_variant(mysql.VARCHAR(length, collation="utf8mb4_bin"), *_MYSQL)
