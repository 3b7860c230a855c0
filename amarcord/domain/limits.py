"""The ranges of the database's integer columns. Every number a client sends is checked
against them before it reaches a query: beyond them PostgreSQL and MariaDB refuse the
statement and SQLite's driver overflows, which would be a 500 instead of a 4xx."""

from __future__ import annotations

# Ids and run numbers: 32-bit INTEGER columns on every engine.
MAX_ID = 2**31 - 1
# Integer attributo values and change-feed seqs: 64-bit (JSON numbers, BIGINT columns).
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def exceeds_int64(value: object) -> bool:
    """An integer (or a list holding one) beyond 64 bits. JSON numbers have no size limit,
    but the stored documents, orjson and the engines' JSON functions hold 64-bit integers."""
    if isinstance(value, list):
        return any(exceeds_int64(item) for item in value)
    return isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX
