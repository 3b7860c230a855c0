"""Writing large binary values quickly on every engine.

asyncmy's text protocol escapes bytes in Python at about 5 MB/s: a 1 MiB file chunk took
0.19 s of CPU on the event loop (every other request stalls meanwhile), a 100 KB camera frame
19 ms. A server-side prepared statement sends parameters in binary form without escaping
(2 ms per MiB), so on MySQL/MariaDB statements carrying blobs go through one. The other
engines' drivers already send bytes as they are."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert, Update

_MYSQL = ("mysql", "mariadb")


async def execute_with_blobs(
    session: AsyncSession, statement: Insert | Update, params: Mapping[str, Any] | None = None
) -> int:
    """Executes `statement` (with `params` for its bind parameters) in the session's
    transaction as a Core statement; returns the number of rows it matched."""
    connection = await session.connection()
    dialect = connection.dialect
    if dialect.name not in _MYSQL:
        result = await connection.execute(statement, dict(params) if params else None)
        return result.rowcount
    compiled = statement.compile(dialect=dialect)
    values = compiled.construct_params(dict(params) if params else None)
    ordered = []
    for name in compiled.positiontup or ():
        # The column types' own conversions (UTC datetimes, for one) still apply.
        processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        ordered.append(values[name] if processor is None else processor(values[name]))
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    # The dialect compiles to the `format` paramstyle; prepared statements use `?`.
    prepared = await driver.prepare(compiled.string.replace("%s", "?"))
    try:
        result = await prepared.execute(tuple(ordered))
    finally:
        await prepared.close()
    matched: int = result.affected_rows
    return matched
