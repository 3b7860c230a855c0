"""Alembic environment. Used through `amarcord.db.migrate`, which hands us an open connection
in `config.attributes["connection"]`; `fileConfig()` is deliberately not called, because it
would silence the application's loggers."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from amarcord.db.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        msg = "run migrations through `amarcord db ...` (amarcord.db.migrate), not bare alembic"
        raise RuntimeError(msg)
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
