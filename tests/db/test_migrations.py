"""Migrations on every engine: upgrade head, downgrade base, upgrade head again; no drift."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from amarcord.db import migrate
from amarcord.db.models import Base
from tests.conftest import configured_engines, server_url
from tests.support.databases import scratch_database


@pytest.fixture(params=configured_engines())
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
    return await scratch_database(server_url(request.param), "migrations")


async def table_names(url: str) -> set[str]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


async def test_upgrade_downgrade_upgrade_without_drift(empty_database: str) -> None:
    expected = {table.name for table in Base.metadata.sorted_tables}

    await migrate.upgrade(empty_database)
    assert await table_names(empty_database) == expected
    assert await migrate.current(empty_database) == migrate.head_revision()
    assert await migrate.check(empty_database) is None

    await migrate.downgrade(empty_database, "base")
    assert await table_names(empty_database) == set()
    assert await migrate.current(empty_database) is None

    await migrate.upgrade(empty_database)
    assert await table_names(empty_database) == expected
    assert await migrate.check(empty_database) is None


async def test_check_reports_drift(empty_database: str) -> None:
    assert await migrate.check(empty_database) is not None  # not migrated at all

    await migrate.upgrade(empty_database)
    engine = create_async_engine(empty_database, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE stray_table (id INTEGER PRIMARY KEY)"))
    finally:
        await engine.dispose()
    drift = await migrate.check(empty_database)
    assert drift is not None and "stray_table" in drift
