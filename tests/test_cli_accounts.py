"""`amarcord users ...` and `amarcord tokens ...` against every engine."""

from __future__ import annotations

import asyncio
import getpass
import io
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from quart import Quart

from amarcord import cli
from amarcord.app import create_app
from amarcord.config import Settings
from tests.support.auth import AuthorizedClient, bearer, database_of, signed_in_client, with_auth
from tests.support.factories import BEAMTIME, create_beamtime

# A server process trusts a verified token this long; a revocation by the CLI (another
# process) takes effect within it.
TOKEN_CACHE_SECONDS = 0.3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_auth(settings, "local", token_cache_seconds=TOKEN_CACHE_SECONDS)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    monkeypatch.setenv("AMARCORD_DATABASE_URL", database_url)
    monkeypatch.setenv("AMARCORD_LOG_LEVEL", "WARNING")
    yield


async def amarcord(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    """Runs the command in this process (in a thread, as it runs its own event loop)."""
    out, err = io.StringIO(), io.StringIO()

    def run() -> int:
        old = sys.stdin, sys.stdout, sys.stderr
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
        try:
            return cli.main(list(argv))
        finally:
            sys.stdin, sys.stdout, sys.stderr = old

    status = await asyncio.to_thread(run)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.usefixtures("environment")
async def test_users_are_created_listed_changed_and_disabled(app: Quart) -> None:
    status, _, _ = await amarcord(
        "users",
        "create",
        "alice",
        "--admin",
        "--display-name",
        "Alice A.",
        "--password-stdin",
        stdin="first password\n",
    )
    assert status == 0
    assert (await amarcord("users", "create", "bob", "--password-stdin", stdin="short\n"))[0] == 1
    status, _, err = await amarcord("users", "create", "ALICE", "--no-password")
    assert status == 1
    assert "exists already" in err
    assert (await amarcord("users", "create", "proxied", "--no-password"))[0] == 0

    listing = (await amarcord("users", "list"))[1].splitlines()
    assert listing == ["alice\tAlice A.\tadmin", "proxied\tproxied\t\t\tno password"]

    await signed_in_client(app, "alice", "first password")
    status, _, _ = await amarcord(
        "users", "set-password", "alice", "--password-stdin", stdin="second password\n"
    )
    assert status == 0
    await signed_in_client(app, "alice", "second password")

    assert (await amarcord("users", "disable", "alice"))[0] == 0
    assert "disabled" in (await amarcord("users", "list"))[1]
    login = await app.test_client().post(
        "/api/auth/login", json={"username": "alice", "password": "second password"}
    )
    assert login.status_code == 401
    assert (await amarcord("users", "disable", "nobody"))[0] == 1


@pytest.mark.usefixtures("environment")
async def test_without_stdin_the_password_is_asked_twice(
    app: Quart, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["typed password", "typo password"])
    monkeypatch.setattr(getpass, "getpass", lambda _prompt="": next(answers))
    status, _, err = await amarcord("users", "create", "carol")
    assert status == 1
    assert "differ" in err
    answers = iter(["typed password", "typed password"])
    assert (await amarcord("users", "create", "carol"))[0] == 0
    await signed_in_client(app, "carol", "typed password")


@pytest.mark.usefixtures("environment")
async def test_tokens_are_created_listed_and_revoked(app: Quart) -> None:
    status, out, _ = await amarcord(
        "tokens", "create", "--all-beamtimes", "--role", "admin", "--name", "bench"
    )
    assert status == 0
    secret = out.splitlines()[-1]
    admin = AuthorizedClient(app, bearer(secret))
    beamtime = await create_beamtime(admin)

    status, out, _ = await amarcord(
        "tokens", "create", "--beamtime", str(beamtime["id"]), "--role", "viewer", "--expires", "2"
    )
    assert status == 0
    viewer = AuthorizedClient(app, bearer(out.splitlines()[-1]))
    assert (await viewer.get(f"/api/beamtimes/{beamtime['id']}")).status_code == 200
    assert (await viewer.post("/api/beamtimes", json=BEAMTIME)).status_code == 403

    listing = (await amarcord("tokens", "list"))[1]
    assert "bench\tadmin\tevery beamtime\tnever expires" in listing
    assert secret not in listing
    token_id = listing.splitlines()[0].split("\t")[0]
    assert (await amarcord("tokens", "revoke", token_id))[0] == 0
    await asyncio.sleep(TOKEN_CACHE_SECONDS)
    assert (await admin.get("/api/beamtimes")).status_code == 401

    refused = await amarcord("tokens", "create", "--beamtime", "1", "--role", "admin")
    assert refused[0] == 1
    assert (await amarcord("tokens", "create", "--beamtime", "999999"))[0] == 1


def test_the_real_command_prints_the_secret_alone_on_its_last_line(database_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "amarcord.cli", "tokens", "create", "--all-beamtimes"],
        env={**os.environ, "AMARCORD_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    last = result.stdout.rstrip("\n").splitlines()[-1]
    assert last.startswith("amc_")
    assert " " not in last


async def test_the_server_explains_how_to_create_the_first_admin(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings)
    try:
        async with app.test_app():
            pass
    finally:
        await database_of(app).dispose()
    assert "amarcord users create NAME --admin" in caplog.text


async def test_the_server_warns_without_access_control(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(with_auth(settings, "none"))
    try:
        async with app.test_app():
            pass
    finally:
        await database_of(app).dispose()
    assert "AMARCORD_AUTH=none" in caplog.text
