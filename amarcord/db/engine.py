"""One engine per process, one session per request.

SQLite: pysqlite's own transaction handling sends BEGIN only before the first write, which
makes read-then-insert (the next run number) racy. We switch it off and emit `BEGIN IMMEDIATE`
for write transactions (taking the write lock up front) and a plain `BEGIN` for reads.
On SQLite, `sqlite_driver` runs the statements that cannot wait on the event loop's thread.
MySQL/MariaDB and PostgreSQL: pre-ping, recycle, and a UTC session time zone."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from amarcord.db import sqlite_driver
from amarcord.db.sqlite_driver import BUSY_TIMEOUT_MS

WRITE_OPTION = "amarcord_write"
# `Session.info` key of a dict shared by every session of one `Database`: what the store keeps
# between transactions (store/attributi_cache.py), per database, never across databases.
KEPT = "amarcord.kept"
log = logging.getLogger(__name__)


def _json_serializer(value: Any) -> str:
    return orjson.dumps(value).decode()


def dialect_kind(url: str | URL) -> str:
    """'sqlite', 'mysql' or 'postgresql', whatever driver the URL names."""
    name = make_url(url).get_backend_name()
    return "mysql" if name == "mariadb" else name


def create_engine(database_url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    kind = dialect_kind(database_url)
    common: dict[str, Any] = {
        "echo": echo,
        "json_serializer": _json_serializer,
        "json_deserializer": orjson.loads,
    }
    if kind == "sqlite":
        engine = create_async_engine(
            database_url,
            async_creator=sqlite_driver.connection_factory(database_url, {"timeout": 30}),
            pool_size=pool_size,
            **common,
        )
        _configure_sqlite(engine)
        return engine
    if kind == "mysql":
        common["connect_args"] = {"init_command": "SET time_zone = '+00:00'"}
        # As on PostgreSQL: each statement sees the latest commits, so a read after taking
        # the beamtime lock (store.beamtimes.lock) sees what the previous writer committed.
        common["isolation_level"] = "READ COMMITTED"
    else:
        common["connect_args"] = {"server_settings": {"timezone": "UTC"}}
    return create_async_engine(
        database_url,
        pool_pre_ping=True,
        pool_recycle=1800,
        pool_size=pool_size,
        max_overflow=pool_size,
        **common,
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # aiosqlite exposes the wrapped sqlite3 connection's isolation level setter.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "foreign_keys=ON",
            "synchronous=NORMAL",
            f"busy_timeout={BUSY_TIMEOUT_MS}",
            # Checkpoints run on the connection's thread (see sqlite_driver), not in COMMIT.
            "wal_autocheckpoint=0",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.execute("PRAGMA journal_mode")
        (mode,) = cursor.fetchone()
        cursor.close()
        # Commits run on the event loop only where they cannot wait for a lock (WAL mode).
        dbapi_connection.driver_connection.wal = mode == "wal"
        if mode != "wal":
            log.warning("SQLite journal mode is %s, not WAL: every commit waits on a thread", mode)

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@dataclass(frozen=True)
class Database:
    """The process's engine and the two session factories built on it."""

    engine: AsyncEngine
    kind: str
    _reader: async_sessionmaker[AsyncSession]
    _writer: async_sessionmaker[AsyncSession]
    # SQLite allows one writer at a time. The writers of this process queue here instead of in
    # SQLite's busy handler, which sleeps in growing steps (up to 100 ms) while the lock may
    # long be free: at 16 concurrent writers that ruins the tail latency.
    _sqlite_writers: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def open(cls, database_url: str, *, pool_size: int = 10, echo: bool = False) -> Database:
        engine = create_engine(database_url, pool_size=pool_size, echo=echo)
        writer_engine = engine.execution_options(**{WRITE_OPTION: True})
        info: dict[str, Any] = {KEPT: {}}
        return cls(
            engine=engine,
            kind=dialect_kind(database_url),
            _reader=async_sessionmaker(engine, expire_on_commit=False, autoflush=False, info=info),
            _writer=async_sessionmaker(writer_engine, expire_on_commit=False, info=info),
        )

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read transaction (on SQLite a plain BEGIN, so it never takes the write lock)."""
        async with self._reader() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read_core(self) -> AsyncIterator[AsyncConnection]:
        """A read transaction on a plain Core connection, for the one-statement reads that
        polling clients repeat many times a second (a live-stream 304, a listing's seq): the
        ORM session's bookkeeping costs more than such a statement."""
        async with self.engine.connect() as connection, connection.begin():
            yield connection

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A write transaction: committed when the block ends normally, rolled back on error."""
        if self.kind != "sqlite":
            async with self._writer() as session, session.begin():
                yield session
            return
        async with self._sqlite_writers, self._writer() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
