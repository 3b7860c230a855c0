"""Plain Core statements on a session's connection.

`session.execute` sends even a select of plain columns through the ORM's compile and row
machinery; on the hot paths (the run listing, a DAQ system's writes) that cost more CPU than
the statement itself. These helpers run a statement on the session's connection (same
transaction) and return Core results."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from amarcord.db import sqlite_driver


async def execute(
    session: AsyncSession | AsyncConnection,
    statement: Executable,
    parameters: Any = None,
    *,
    long: bool = False,
) -> Any:
    """The statement's `CursorResult` (typed loosely: its rows are whatever it selects), on
    a session's connection or a plain one (`Database.read_core`).
    `long`: it scans or returns many rows; on SQLite it then runs on the connection's thread
    while the event loop serves other requests (see `amarcord.db.sqlite_driver`)."""
    connection = session if isinstance(session, AsyncConnection) else await session.connection()
    if not long:
        return await connection.execute(statement, parameters)
    with sqlite_driver.in_thread():
        return await connection.execute(statement, parameters)
