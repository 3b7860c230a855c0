"""`amarcord users ...` and `amarcord tokens ...`: accounts and API tokens, for admins on the
server's machine (whoever can reach the database is an administrator anyway)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from amarcord.config import Settings
from amarcord.db.engine import Database
from amarcord.db.models import ApiToken
from amarcord.domain.accounts import ROLES
from amarcord.domain.errors import DomainError
from amarcord.domain.limits import MAX_ID
from amarcord.domain.secrets import hash_password, password_problem
from amarcord.store import accounts, tokens
from amarcord.store.changes import utcnow

CLI_ACTOR = "command line"
T = TypeVar("T")
MAX_DAYS = 36_500  # a token valid for a century is as good as one that never expires


class CliError(Exception):
    """A mistake of the caller: printed without a traceback, exit status 1."""


def _run(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        database = Database.open(settings.database_url, pool_size=1)
        try:
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(run())


Handler = Callable[[argparse.Namespace, Settings], int]


def _report_errors(handler: Handler) -> Handler:
    def wrapped(args: argparse.Namespace, settings: Settings) -> int:
        try:
            return handler(args, settings)
        except (CliError, DomainError) as error:
            print(f"amarcord: {error}", file=sys.stderr)  # noqa: T201
            return 1

    return wrapped


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("New password: ")
        if getpass.getpass("Repeat it: ") != password:
            raise CliError("the two passwords differ")
    problem = password_problem(password)
    if problem is not None:
        raise CliError(problem)
    return password


@_report_errors
def _users_create(args: argparse.Namespace, settings: Settings) -> int:
    password_hash = None if args.no_password else hash_password(_new_password(args.password_stdin))

    async def work(database: Database) -> None:
        async with database.write() as session:
            await accounts.create(
                session,
                args.name,
                display_name=args.display_name,
                password_hash=password_hash,
                admin=args.admin,
            )

    _run(settings, work)
    print(f"created {'administrator' if args.admin else 'user'} {args.name}")  # noqa: T201
    return 0


@_report_errors
def _users_list(_args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> list[tuple[str, ...]]:
        async with database.read() as session:
            return [
                (
                    user.username,
                    user.display_name,
                    "admin" if user.admin else "",
                    "disabled" if user.disabled else "",
                    "" if user.password_hash else "no password",
                )
                for user in await accounts.all_users(session)
            ]

    for row in _run(settings, work):
        print("\t".join(row).rstrip())  # noqa: T201
    return 0


def _updating(**values: object) -> Handler:
    @_report_errors
    def handler(args: argparse.Namespace, settings: Settings) -> int:
        changes = dict(values)
        if "password_hash" in changes:
            changes["password_hash"] = hash_password(_new_password(args.password_stdin))

        async def work(database: Database) -> None:
            async with database.write() as session:
                await accounts.update(session, args.name, **changes)

        _run(settings, work)
        print(f"updated {args.name}")  # noqa: T201
        return 0

    return handler


def _describe(token: ApiToken) -> str:
    where = f"beamtime {token.beamtime_id}" if token.beamtime_id else "every beamtime"
    expiry = f"expires {token.expires_at.isoformat()}" if token.expires_at else "never expires"
    return f"{token.id}\t{token.name}\t{token.role}\t{where}\t{expiry}"


@_report_errors
def _tokens_create(args: argparse.Namespace, settings: Settings) -> int:
    if args.role == "admin" and not args.all_beamtimes:
        raise CliError("the role admin needs --all-beamtimes")
    expires = utcnow() + timedelta(days=args.expires) if args.expires else None

    async def work(database: Database) -> tuple[ApiToken, str]:
        async with database.write() as session:
            return await tokens.create(
                session,
                beamtime_id=args.beamtime,
                name=args.name,
                role=args.role,
                expires_at=expires,
                actor=CLI_ACTOR,
            )

    token, secret = _run(settings, work)
    print(f"created token {_describe(token)}; its secret, shown only now:")  # noqa: T201
    print(secret)  # noqa: T201
    return 0


@_report_errors
def _tokens_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> list[str]:
        async with database.read() as session:
            if args.beamtime is None:
                rows = await tokens.all_tokens(session)
            else:
                rows = await tokens.of_beamtime(session, args.beamtime)
            return [_describe(row) for row in rows]

    for line in _run(settings, work):
        print(line)  # noqa: T201
    return 0


@_report_errors
def _tokens_revoke(args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> None:
        async with database.write() as session:
            await tokens.revoke(session, None, args.id, actor=CLI_ACTOR)

    _run(settings, work)
    print(f"revoked token {args.id}")  # noqa: T201
    return 0


def _positive_days(value: str) -> float:
    days = float(value)
    if not 0 < days <= MAX_DAYS:
        msg = f"the number of days must be positive and at most {MAX_DAYS}"
        raise argparse.ArgumentTypeError(msg)
    return days


def _id(value: str) -> int:
    number = int(value)
    if not 1 <= number <= MAX_ID:
        msg = f"ids go from 1 to {MAX_ID}"
        raise argparse.ArgumentTypeError(msg)
    return number


def _add_users(commands: Any) -> None:
    users = commands.add_parser("users", help="user accounts").add_subparsers(
        dest="users_command", required=True
    )
    create = users.add_parser("create", help="create an account")
    create.add_argument("name")
    create.add_argument("--admin", action="store_true", help="may do everything")
    create.add_argument("--display-name", help="the name shown in the logbook (default: NAME)")
    passwords = create.add_mutually_exclusive_group()
    passwords.add_argument("--password-stdin", action="store_true", help="read one line")
    passwords.add_argument(
        "--no-password", action="store_true", help="for people who sign in through a proxy"
    )
    create.set_defaults(handler=_users_create)
    users.add_parser("list", help="list the accounts").set_defaults(handler=_users_list)
    set_password = users.add_parser("set-password", help="set a new password")
    set_password.add_argument("name")
    set_password.add_argument("--password-stdin", action="store_true", help="read one line")
    set_password.set_defaults(handler=_updating(password_hash=None))
    for name, help_text, values in (
        ("disable", "refuse all sign-ins and end all sessions", {"disabled": True}),
        ("enable", "allow a disabled account again", {"disabled": False}),
        ("grant-admin", "make an administrator", {"admin": True}),
        ("revoke-admin", "take the administrator flag away", {"admin": False}),
    ):
        command = users.add_parser(name, help=help_text)
        command.add_argument("name")
        command.set_defaults(handler=_updating(**values))


def _add_tokens(commands: Any) -> None:
    token_commands = commands.add_parser("tokens", help="API tokens").add_subparsers(
        dest="tokens_command", required=True
    )
    create = token_commands.add_parser(
        "create", help="create a token; prints its secret alone on the last line"
    )
    scope = create.add_mutually_exclusive_group(required=True)
    scope.add_argument("--beamtime", type=_id, metavar="ID", help="valid for this beamtime")
    scope.add_argument("--all-beamtimes", action="store_true", help="valid for every beamtime")
    create.add_argument(
        "--role",
        choices=[*ROLES, "admin"],
        default="editor",
        help="admin (with --all-beamtimes only) acts as an administrator",
    )
    create.add_argument("--name", default="command-line token", help="shown in the audit trail")
    create.add_argument("--expires", type=_positive_days, metavar="DAYS", help="default: never")
    create.set_defaults(handler=_tokens_create)
    listing = token_commands.add_parser("list", help="list tokens (never their secrets)")
    listing.add_argument("--beamtime", type=_id, metavar="ID")
    listing.set_defaults(handler=_tokens_list)
    revoke = token_commands.add_parser("revoke", help="revoke a token")
    revoke.add_argument("id", type=_id)
    revoke.set_defaults(handler=_tokens_revoke)


def add_commands(commands: Any) -> None:
    _add_users(commands)
    _add_tokens(commands)
