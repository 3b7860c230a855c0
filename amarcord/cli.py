"""The `amarcord` command: serve the app, manage the database schema, accounts and tokens."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import socket
import sys
from collections.abc import Callable, Sequence

import uvicorn
from alembic.util import CommandError
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from amarcord import cli_accounts, gc_tuning, serving
from amarcord.api.context import EXTENSION_KEY
from amarcord.app import create_app
from amarcord.config import Settings
from amarcord.db import migrate

log = logging.getLogger("amarcord")
Command = Callable[[argparse.Namespace, Settings], int]


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    if args.migrate:
        asyncio.run(migrate.upgrade(settings.database_url))
    revision = asyncio.run(migrate.current(settings.database_url))
    if revision != migrate.head_revision():
        log.error(
            "the database is at revision %s, the code expects %s: run `amarcord db upgrade` "
            "(or `amarcord serve --migrate`)",
            revision,
            migrate.head_revision(),
        )
        return 1
    if settings.workers > 1:
        # Several processes: each imports amarcord.asgi, which reads the settings once.
        serving.run_workers(settings)
        return 0
    asyncio.run(_serve_one(settings))
    return 0


async def _serve_one(settings: Settings) -> None:
    app = create_app(settings)
    gc_tuning.tune()
    server = serving.Server(uvicorn.Config(app, **serving.options(settings)))
    stopping: list[asyncio.Task[None]] = []

    async def stop() -> None:
        # End the open change streams first: browsers reconnect elsewhere at once, and the
        # graceful wait is not spent on responses that never finish.
        await app.extensions[EXTENSION_KEY].change_hub.close()
        server.stop()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, lambda: stopping.append(loop.create_task(stop())))
    await server.serve()


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(migrate.upgrade(settings.database_url, args.revision))
    return 0


def _db_downgrade(args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(migrate.downgrade(settings.database_url, args.revision))
    return 0


def _db_current(_args: argparse.Namespace, settings: Settings) -> int:
    revision = asyncio.run(migrate.current(settings.database_url))
    head = migrate.head_revision()
    state = "up to date" if revision == head else f"head is {head}"
    print(f"{revision or '(none)'} ({state})")  # noqa: T201
    return 0


def _db_check(_args: argparse.Namespace, settings: Settings) -> int:
    drift = asyncio.run(migrate.check(settings.database_url))
    if drift is None:
        print("models and revisions agree")  # noqa: T201
        return 0
    print(f"models and revisions drift apart:\n{drift}", file=sys.stderr)  # noqa: T201
    return 1


def _db_revision(args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(migrate.revision(settings.database_url, args.message))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="amarcord", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server (uvicorn)")
    serve.add_argument("--migrate", action="store_true", help="upgrade the schema first")
    serve.set_defaults(handler=_serve)

    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    upgrade = db.add_parser("upgrade", help="migrate to a revision (default: head)")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(handler=_db_upgrade)
    downgrade = db.add_parser("downgrade", help="migrate down to a revision ('base': empty)")
    downgrade.add_argument("revision")
    downgrade.set_defaults(handler=_db_downgrade)
    db.add_parser("current", help="show the database's revision").set_defaults(handler=_db_current)
    db.add_parser("check", help="exit 1 when the models and the revisions drift").set_defaults(
        handler=_db_check
    )
    revision = db.add_parser("revision", help="autogenerate a revision (developers)")
    revision.add_argument("-m", "--message", required=True)
    revision.set_defaults(handler=_db_revision)
    cli_accounts.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        _fail(_settings_problems(error))
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    handler: Command = args.handler
    try:
        return handler(args, settings)
    except (OSError, SQLAlchemyError, CommandError) as error:
        # The database is unreachable or refuses, its URL names no installed driver, or a
        # revision is unknown: the admin needs the message, not a traceback (DEBUG logs it).
        log.debug("command failed", exc_info=True)
        first_line = str(error).split("\n", 1)[0]
        unreachable = isinstance(error, ConnectionError | TimeoutError | socket.gaierror)
        _fail(f"cannot reach the database: {first_line}" if unreachable else first_line)
        return 1


def _fail(message: str) -> None:
    print(f"amarcord: {message}", file=sys.stderr)  # noqa: T201


def _settings_problems(error: ValidationError) -> str:
    problems = [
        f"AMARCORD_{'_'.join(str(part) for part in problem['loc']).upper() or 'SETTINGS'}: "
        f"{problem['msg']}"
        for problem in error.errors()
    ]
    return "invalid settings: " + "; ".join(problems)


if __name__ == "__main__":
    sys.exit(main())
