"""Scratch databases for tests that must own a whole database (migrations, wheel installs)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool


async def scratch_database(base_url: str, suffix: str) -> str:
    """Drops and creates `<base database>_<suffix>` on the server of `base_url`; returns its URL."""
    url = make_url(base_url)
    name = f"{url.database}_{suffix}"
    kind = url.get_backend_name()
    admin_url = url.set(database="postgres") if kind == "postgresql" else url
    engine = create_async_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            charset = " CHARACTER SET utf8mb4" if kind != "postgresql" else ""
            await connection.execute(text(f"CREATE DATABASE {name}{charset}"))
    finally:
        await engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)
