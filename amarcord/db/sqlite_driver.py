"""aiosqlite, with the thread used only for what can wait.

aiosqlite runs every sqlite3 call on the connection's own thread, and each call is a round
trip: queue the call, wake the thread, wake the event loop with the result. SQLAlchemy's
adapter makes four of them per SELECT (create the cursor, execute, fetch, close), three per
write and a rollback on every return to the pool. On the two-core VMs here a round trip costs
150-300 µs of wall time and, with the event loop and the thread taking turns at the GIL, about
as much CPU: a health check spent 6 of its 8 ms in them.

Most statements of this application take microseconds in SQLite (indexed lookups, single-row
writes into a write transaction that already holds the lock), so `SqliteConnection` runs them
on the event loop's thread directly, and keeps aiosqlite's thread for the calls that can wait:

- `BEGIN IMMEDIATE` while another process writes: it is first tried on the loop with no busy
  wait, and only when the write lock is taken does it go to the thread, to wait there (up to
  `BUSY_TIMEOUT_MS`). The writers of one process queue before it (`Database.write`), so the
  try succeeds unless another process (a second server, the CLI) is writing;
- any statement outside a write transaction that is not a plain read (a PRAGMA at connect);
- WAL checkpoints, which copy pages into the database file and fsync it. SQLite's automatic
  checkpoint would run inside the COMMIT that crosses its threshold, on the loop, so it is
  turned off (`wal_autocheckpoint=0` at connect) and a writer runs a PASSIVE checkpoint on
  the thread after its commit, at most once per `CHECKPOINT_SECONDS` per process. The COMMIT
  itself, in WAL mode with synchronous=NORMAL, appends to the WAL without waiting or syncing;
- every statement inside `in_thread()`, which the scans and big reads of the run listing use
  (`store.core.execute(..., long=True)`): the event loop goes on serving other requests
  while SQLite works, since sqlite3 releases the GIL while it steps through rows. Such a
  statement is one call, which executes, fetches every row and closes the cursor.

In WAL mode a read does not wait for writers, so a plain read on the loop cannot stall it
(short of SQLite rebuilding its WAL index after a crash). Measured with a C load generator
against one process: a 304 of the live-stream image at 1.6-2.1 instead of 3.1-3.3 ms of CPU,
a run creation at 6.4-8.4 instead of 8.7-11.4 ms; BEGIN and COMMIT on the loop then took a run
creation from 2.0 to 1.8 ms on a faster VM.

A connection is used by one session at a time, and a call on the thread is awaited before
the next statement, so the sqlite3 connection (opened with `check_same_thread=False`) is
never used from two threads at once. This builds on aiosqlite's `_execute` and `_conn` (kept
since 0.17); the version is pinned in pyproject.toml, and tests/db/test_sqlite_driver.py
counts the calls on the thread, so that an upgrade that changes them fails there."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any, ClassVar

import aiosqlite
from sqlalchemy.engine import URL, make_url

from amarcord.db.functions import SQLITE_LOWER, python_lower

_Result = tuple[Any, int, int | None, list[Any]]
_IN_THREAD: ContextVar[bool] = ContextVar("amarcord_sqlite_in_thread", default=False)
_WAITS_FOR_WRITERS = "BEGIN IMMEDIATE"
BUSY_TIMEOUT_MS = 30_000  # how long a writer waits for another process's write lock
CHECKPOINT_SECONDS = 1.0  # at most one WAL checkpoint per process this often
log = logging.getLogger(__name__)


@contextmanager
def in_thread() -> Iterator[None]:
    """Statements of this task run on the connection's thread (for long reads)."""
    token = _IN_THREAD.set(True)
    try:
        yield
    finally:
        _IN_THREAD.reset(token)


class SqliteCursor:
    """The cursor SQLAlchemy's aiosqlite adapter drives, holding a statement's whole result."""

    arraysize = 1

    def __init__(self, connection: SqliteConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> SqliteCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> SqliteCursor:
        self._take(await self._connection.statement(_execute, sql, parameters))
        return self

    async def executemany(self, sql: str, seq_of_parameters: Any) -> SqliteCursor:
        self._take(await self._connection.statement(_executemany, sql, seq_of_parameters))
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


def _never_waits(sql: str) -> bool:
    """Statements that take no lock outside a write transaction. Anything else there (a
    write in a read transaction, a PRAGMA at connect) goes to the thread, as it may wait."""
    return sql[:9].upper().startswith(("SELECT", "BEGIN", "SAVEPOINT", "RELEASE"))


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


def _begin_without_waiting(connection: sqlite3.Connection, sql: str) -> bool:
    """Runs `sql` (BEGIN IMMEDIATE) unless another connection holds the write lock."""
    connection.execute("PRAGMA busy_timeout=0")
    try:
        connection.execute(sql)
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
            raise
        return False
    finally:
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return True


def _checkpoint(connection: sqlite3.Connection) -> None:
    # PASSIVE: copies what no reader still needs, never waits for readers or writers.
    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _executemany(connection: sqlite3.Connection, sql: str, seq_of_parameters: Any) -> _Result:
    cursor = connection.cursor()
    try:
        cursor.executemany(sql, seq_of_parameters)
        return cursor.description, cursor.rowcount, cursor.lastrowid, []
    finally:
        cursor.close()


class SqliteConnection(aiosqlite.Connection):
    # When this process last started a WAL checkpoint (time.monotonic()).
    checkpointed_at: ClassVar[float] = 0.0

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        # As SQLAlchemy does for plain aiosqlite: a connection nobody closed (a pool dropped
        # at exit) must not keep the process alive.
        self._thread.daemon = True
        self._writing = False  # the open transaction began with BEGIN IMMEDIATE
        # Set by the engine at connect. Outside WAL mode (an in-memory database, or a file
        # system without shared memory) a COMMIT may wait for readers: then it goes to the
        # thread, and there is no WAL to checkpoint.
        self.wal = False

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """Call `function(sqlite3_connection, *args)` on the connection's thread."""
        return await self._execute(lambda: function(self._conn, *args))  # type: ignore[no-untyped-call]

    async def statement(self, function: Callable[..., Any], sql: str, *args: Any) -> Any:
        if sql.startswith(_WAITS_FOR_WRITERS):
            self._writing = True
            if _begin_without_waiting(self._conn, sql):
                return None, -1, None, []
            return await self.run(function, sql, *args)
        if not _IN_THREAD.get() and (self._writing or _never_waits(sql)):
            return function(self._conn, sql, *args)
        return await self.run(function, sql, *args)

    def cursor(self) -> SqliteCursor:  # type: ignore[override]
        return SqliteCursor(self)

    async def commit(self) -> None:
        writing, self._writing = self._writing, False
        if not self._conn.in_transaction:
            return
        if writing and not self.wal:
            await super().commit()
            return
        self._conn.commit()
        if writing:
            await self._maybe_checkpoint()

    async def _maybe_checkpoint(self) -> None:
        now = time.monotonic()
        if now - SqliteConnection.checkpointed_at < CHECKPOINT_SECONDS:
            return
        SqliteConnection.checkpointed_at = now
        try:
            await self.run(_checkpoint)
        except sqlite3.Error as error:
            # The commit stands; the next writer tries again.
            log.warning("WAL checkpoint failed: %s", error)

    async def rollback(self) -> None:
        # Also what the pool's reset on return calls, after every transaction already ended.
        self._writing = False
        if self._conn.in_transaction:
            self._conn.rollback()


def connection_factory(
    database_url: str | URL, connect_args: dict[str, Any]
) -> Callable[[], Awaitable[SqliteConnection]]:
    """An `async_creator` for `create_async_engine`, with the arguments SQLAlchemy's own
    aiosqlite dialect would pass to sqlite3 (file name, `uri` for `file:` URLs) plus ours."""
    url = make_url(database_url)
    arguments, options = url.get_dialect()().create_connect_args(url)
    options = {**options, **connect_args, "check_same_thread": False}

    async def connect() -> SqliteConnection:
        connection = SqliteConnection(partial(sqlite3.connect, *arguments, **options))
        await connection  # starts the thread and opens the database on it
        await connection.create_function(SQLITE_LOWER, 1, python_lower, deterministic=True)
        return connection

    return connect
