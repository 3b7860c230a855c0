"""The SQLite driver: plain reads and write transactions run on the event loop; what can wait
(BEGIN IMMEDIATE while another process writes, WAL checkpoints, long reads) runs on
aiosqlite's thread while the loop goes on; results are those of sqlite3."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from amarcord.db.engine import Database
from amarcord.db.sqlite_driver import (
    BUSY_TIMEOUT_MS,
    SqliteConnection,
    connection_factory,
    in_thread,
)

metadata = MetaData()
items = Table(
    "item",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False, unique=True),
)
# About a quarter of a second of SQLite work, as one plain SELECT.
SLOW_SELECT = (
    "SELECT count(*) FROM (WITH RECURSIVE c(x) AS "
    "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000) SELECT x FROM c)"
)


class ThreadCalls:
    """Counts the calls that go to the connection's thread."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = SqliteConnection._execute

        async def counted(connection: SqliteConnection, *args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return await original(connection, *args, **kwargs)

        monkeypatch.setattr(SqliteConnection, "_execute", counted)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "driver.sqlite"


@pytest.fixture
async def database(path: Path) -> AsyncIterator[Database]:
    database = Database.open(f"sqlite+aiosqlite:///{path}", pool_size=2)
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    async with database.read() as session:  # a pooled connection exists from here on
        await session.execute(text("SELECT 1"))
    yield database
    await database.dispose()


class Ticker:
    """Counts how often the event loop got to run a task while something else happened."""

    def __init__(self) -> None:
        self.ticks = 0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(0.01)
            self.ticks += 1

    async def __aenter__(self) -> Ticker:
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def test_a_read_transaction_stays_on_the_event_loop(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = ThreadCalls(monkeypatch)
    async with database.read() as session:
        assert (await session.execute(text("SELECT 41 + 1"))).scalar_one() == 42
    assert counter.calls == 0


def _checkpointed_just_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SqliteConnection, "checkpointed_at", time.monotonic())


async def test_a_write_transaction_stays_on_the_event_loop(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _checkpointed_just_now(monkeypatch)
    counter = ThreadCalls(monkeypatch)
    async with database.write() as session:
        await session.execute(insert(items).values(name="a"))
        await session.execute(update(items).values(name="b"))
        await session.execute(select(items.c.name))
    assert counter.calls == 0
    async with database.read() as session:
        assert (await session.scalars(select(items.c.name))).all() == ["b"]
        timeout = (await session.execute(text("PRAGMA busy_timeout"))).scalar_one()
        assert timeout == BUSY_TIMEOUT_MS  # restored after the try without waiting


async def test_checkpoints_run_on_the_thread_at_most_once_a_second(
    database: Database, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with database.read() as session:
        assert (await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar_one() == 0
    _checkpointed_just_now(monkeypatch)
    counter = ThreadCalls(monkeypatch)
    for n in range(50):
        async with database.write() as session:
            await session.execute(insert(items).values(name=f"{n:03}" + "x" * 16))
    size = path.stat().st_size
    assert counter.calls == 0
    assert Path(f"{path}-wal").stat().st_size > 50 * 4096  # every commit is still in the WAL
    monkeypatch.setattr(SqliteConnection, "checkpointed_at", 0.0)  # a second has passed
    for n in range(50, 52):
        async with database.write() as session:
            await session.execute(insert(items).values(name=f"{n:03}"))
    assert counter.calls == 1  # the first writer checkpoints, the second does not
    assert path.stat().st_size > size  # the pages reached the database file


async def test_a_write_in_a_read_transaction_goes_to_the_thread(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = ThreadCalls(monkeypatch)
    async with database.read() as session:
        await session.execute(insert(items).values(name="late"))
    assert counter.calls == 1
    async with database.read() as session:
        assert (await session.scalars(select(items.c.name))).all() == ["late"]


async def test_a_long_read_lets_the_event_loop_go_on(database: Database) -> None:
    async with Ticker() as ticker, database.read() as session:
        with in_thread():
            assert (await session.execute(text(SLOW_SELECT))).scalar_one() == 1_500_000
    on_thread = ticker.ticks
    async with Ticker() as ticker, database.read() as session:
        await session.execute(text(SLOW_SELECT))
    assert on_thread >= 3
    assert ticker.ticks <= 1  # the same read on the loop held it


async def test_waiting_for_another_process_to_write_does_not_hold_the_loop(
    database: Database, path: Path
) -> None:
    holding = threading.Event()

    def other_writer() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        holding.set()
        time.sleep(0.3)
        connection.execute("ROLLBACK")
        connection.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    await asyncio.to_thread(holding.wait)
    async with Ticker() as ticker, database.write() as session:
        await session.execute(insert(items).values(name="after the other"))
    thread.join()
    assert ticker.ticks >= 10
    async with database.read() as session:
        assert (await session.scalars(select(items.c.name))).all() == ["after the other"]


async def test_results_match_the_dbapi(database: Database) -> None:
    async with database.write() as session:
        first = await session.execute(insert(items).values(name="a"))
        assert first.inserted_primary_key == (1,)
        await session.execute(insert(items), [{"name": name} for name in "bcdef"])
        changed = await session.execute(
            update(items).where(items.c.id > 3).values(name=items.c.name + "!")
        )
        assert changed.rowcount == 3
    for long in (False, True):
        async with database.read() as session:
            with in_thread() if long else nullcontext():
                result = await session.execute(select(items.c.name).order_by(items.c.id))
                assert result.fetchmany(2) == [("a",), ("b",)]
                assert result.fetchone() == ("c",)
                assert result.fetchall() == [("d!",), ("e!",), ("f!",)]
                query = select(items.c.id).where(items.c.name == "none")
                assert (await session.execute(query)).first() is None


async def test_errors_arrive_as_sqlalchemy_errors_and_roll_back(database: Database) -> None:
    async with database.write() as session:
        await session.execute(insert(items).values(name="a"))
    with pytest.raises(IntegrityError):
        async with database.write() as session:
            await session.execute(insert(items).values(name="b"))
            await session.execute(insert(items).values(name="a"))
    async with database.read() as session:
        names = (await session.scalars(select(items.c.name))).all()
    assert names == ["a"]


async def test_outside_wal_mode_a_commit_waits_on_the_thread(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A connection the engine did not find in WAL mode (a file system without shared memory,
    # say): its COMMIT may wait for readers, so it goes to the thread, and nothing is
    # checkpointed. (The engine sets `wal`; the tests above show its commits on the loop.)
    connection = await connection_factory(f"sqlite+aiosqlite:///{path}", {})()
    try:
        assert connection.wal is False
        monkeypatch.setattr(SqliteConnection, "checkpointed_at", 0.0)
        counter = ThreadCalls(monkeypatch)
        cursor = connection.cursor()
        await cursor.execute("BEGIN IMMEDIATE")
        await cursor.execute("CREATE TABLE t (x INTEGER)")
        await cursor.execute("INSERT INTO t VALUES (1)")
        await connection.commit()
        assert counter.calls == 1  # the commit, and no checkpoint
        await cursor.execute("SELECT x FROM t")
        assert await cursor.fetchall() == [(1,)]
    finally:
        await connection.close()
