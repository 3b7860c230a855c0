"""The SQLite driver: one hop to aiosqlite's thread per statement, none for ending a
transaction that is not open, and the same results as plain aiosqlite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from amarcord.db.engine import Database
from amarcord.db.sqlite_driver import OneHopConnection

metadata = MetaData()
items = Table(
    "item",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False, unique=True),
)


class HopCounter:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.hops = 0
        original = OneHopConnection._execute

        async def counted(connection: OneHopConnection, *args: Any, **kwargs: Any) -> Any:
            self.hops += 1
            return await original(connection, *args, **kwargs)

        monkeypatch.setattr(OneHopConnection, "_execute", counted)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database.open(f"sqlite+aiosqlite:///{tmp_path / 'driver.sqlite'}", pool_size=2)
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield database
    await database.dispose()


async def test_a_read_transaction_is_three_hops(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with database.read() as session:  # a pooled connection exists from here on
        await session.execute(text("SELECT 1"))
    counter = HopCounter(monkeypatch)
    async with database.read() as session:
        assert (await session.execute(text("SELECT 41 + 1"))).scalar_one() == 42
    assert counter.hops == 3  # BEGIN, the SELECT with its rows, COMMIT; no reset on return


async def test_a_statement_outside_a_transaction_needs_no_rollback(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        await connection.commit()
    counter = HopCounter(monkeypatch)
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        await connection.commit()
    assert counter.hops == 3  # BEGIN, SELECT, COMMIT


async def test_results_match_the_dbapi(database: Database) -> None:
    async with database.write() as session:
        first = await session.execute(insert(items).values(name="a"))
        assert first.inserted_primary_key == (1,)
        await session.execute(insert(items), [{"name": name} for name in "bcdef"])
        changed = await session.execute(
            update(items).where(items.c.id > 3).values(name=items.c.name + "!")
        )
        assert changed.rowcount == 3
    async with database.read() as session:
        result = await session.execute(select(items.c.name).order_by(items.c.id))
        assert result.fetchmany(2) == [("a",), ("b",)]
        assert result.fetchone() == ("c",)
        assert result.fetchall() == [("d!",), ("e!",), ("f!",)]
        returned = await session.execute(select(items.c.id).where(items.c.name == "none"))
        assert returned.first() is None


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
