"""Test fixtures: every database test runs on a real engine.

SQLite always; MariaDB when AMARCORD_TEST_MYSQL_URL is set and PostgreSQL when
AMARCORD_TEST_POSTGRES_URL is set (`.ci/run` sets both). Tests that take the `database_url`
fixture (directly or through `app`, `client`, `db`) run once per configured engine. Each test
starts from an empty, fully migrated database."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from amarcord.app import create_app
from amarcord.config import Settings
from amarcord.db import migrate
from amarcord.db.engine import Database
from amarcord.db.models import Base
from tests.support.auth import admin_client, anonymous_client, client_as, token_client

__all__ = ["anonymous_client", "client_as", "token_client"]  # fixtures for every test

SERVER_ENGINES = {
    "mysql": "AMARCORD_TEST_MYSQL_URL",
    "postgresql": "AMARCORD_TEST_POSTGRES_URL",
}


def configured_engines() -> list[str]:
    return ["sqlite", *(name for name, var in SERVER_ENGINES.items() if os.environ.get(var))]


def server_url(name: str) -> str:
    return os.environ[SERVER_ENGINES[name]]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session; every test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(migrate.upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


_migrated: set[str] = set()


async def _empty_server_database(url: str) -> None:
    if url not in _migrated:
        await migrate.upgrade(url)
        _migrated.add(url)
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(text(f"DELETE FROM {_quoted(connection, table.name)}"))
    finally:
        await engine.dispose()


def _quoted(connection: object, name: str) -> str:
    dialect = connection.dialect  # type: ignore[attr-defined]
    return str(dialect.identifier_preparer.quote(name))


@pytest.fixture(params=configured_engines())
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> str:
    name: str = request.param
    if name == "sqlite":
        path = tmp_path / "amarcord.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url = server_url(name)
    await _empty_server_database(url)
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, default_timezone="Europe/Berlin", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database.open(settings.database_url, pool_size=25)
    yield database
    await database.dispose()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Quart]:
    application = create_app(settings)
    yield application
    await application.extensions["amarcord"].database.dispose()


@pytest.fixture
async def client(app: Quart) -> Client:
    """An administrator: every request carries an admin token (tests/support/auth.py has
    `anonymous_client`, `client_as(role, beamtime_id)` and `token_client(...)`)."""
    return await admin_client(app)
