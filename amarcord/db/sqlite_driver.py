"""aiosqlite with one thread hop per statement.

aiosqlite runs every sqlite3 call on the connection's own thread, and each call is a round
trip: queue the call, wake the thread, wake the event loop with the result. SQLAlchemy's
adapter makes four of them per SELECT (create the cursor, execute, fetch, close) and three per
write, and a rollback on every return to the pool. On a loaded two-core VM a round trip costs
150-300 µs, so these hops, not SQLite, were most of a small request's time (a health check
spent 6 of its 8 ms in them).

`OneHopConnection` keeps aiosqlite's thread and queue, and changes what is queued: a cursor
executes, reads its description, row count and last row id, fetches every row and closes in
one call; a rollback or commit outside a transaction returns without a call, since there is
nothing to end. Every sqlite3 call still runs on the connection's own thread.

It builds on aiosqlite's `_execute` and `_conn` (kept by aiosqlite since 0.17); the version is
pinned in pyproject.toml, and tests/db/test_sqlite_driver.py counts the hops so that an
upgrade that changes them fails there, not in production."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy.engine import URL, make_url

_Result = tuple[Any, int, int | None, list[Any]]


class OneHopCursor:
    """The cursor SQLAlchemy's aiosqlite adapter drives, holding a statement's whole result."""

    arraysize = 1

    def __init__(self, connection: OneHopConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> OneHopCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> OneHopCursor:
        self._take(await self._connection.run(_execute, sql, parameters))
        return self

    async def executemany(self, sql: str, seq_of_parameters: Any) -> OneHopCursor:
        self._take(await self._connection.run(_executemany, sql, seq_of_parameters))
        return self

    def _take(self, result: _Result) -> None:
        self.description, self.rowcount, self.lastrowid, self._rows = result

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []


def _execute(connection: sqlite3.Connection, sql: str, parameters: Any) -> _Result:
    cursor = connection.cursor()
    try:
        if parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _executemany(connection: sqlite3.Connection, sql: str, seq_of_parameters: Any) -> _Result:
    cursor = connection.cursor()
    try:
        cursor.executemany(sql, seq_of_parameters)
        return cursor.description, cursor.rowcount, cursor.lastrowid, []
    finally:
        cursor.close()


class OneHopConnection(aiosqlite.Connection):
    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        # As SQLAlchemy does for plain aiosqlite: a connection nobody closed (a pool dropped
        # at exit) must not keep the process alive.
        self._thread.daemon = True

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """Call `function(sqlite3_connection, *args)` on the connection's thread."""
        return await self._execute(lambda: function(self._conn, *args))  # type: ignore[no-untyped-call]

    def cursor(self) -> OneHopCursor:  # type: ignore[override]
        return OneHopCursor(self)

    async def commit(self) -> None:
        if self._conn.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        # Also what the pool's reset on return calls, after every transaction already ended.
        if self._conn.in_transaction:
            await super().rollback()


def connection_factory(
    database_url: str | URL, connect_args: dict[str, Any]
) -> Callable[[], Awaitable[OneHopConnection]]:
    """An `async_creator` for `create_async_engine`, with the arguments SQLAlchemy's own
    aiosqlite dialect would pass to sqlite3 (file name, `uri` for `file:` URLs) plus ours."""
    url = make_url(database_url)
    arguments, options = url.get_dialect()().create_connect_args(url)
    options = {**options, **connect_args}

    async def connect() -> OneHopConnection:
        connection = OneHopConnection(partial(sqlite3.connect, *arguments, **options))
        await connection  # starts the thread and opens the database on it
        return connection

    return connect
