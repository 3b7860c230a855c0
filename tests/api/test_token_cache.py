"""A process trusts an API token it has verified for AMARCORD_TOKEN_CACHE_SECONDS: no
database read per request, yet revocation and expiry still hold."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from quart import Quart
from sqlalchemy import delete, event

from amarcord.api import authn, token_cache
from amarcord.app import create_app
from amarcord.config import Settings
from amarcord.db.models import ApiToken
from amarcord.store.changes import utcnow
from tests.support.auth import AuthorizedClient, bearer, create_token, database_of, with_auth
from tests.support.factories import create_beamtime

SECONDS = 30.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_auth(settings, "local", token_cache_seconds=SECONDS)


class Clock:
    """The cache's clocks, moved by the test: waiting in real time would make the tests
    depend on how fast the database answers (a slow one let entries expire early)."""

    def __init__(self) -> None:
        self.monotonic_offset = 0.0
        self.wall_offset = timedelta()

    def advance(self, seconds: float) -> None:
        self.monotonic_offset += seconds
        self.wall_offset += timedelta(seconds=seconds)

    def monotonic(self) -> float:
        return time.monotonic() + self.monotonic_offset

    def utcnow(self) -> datetime:
        return utcnow() + self.wall_offset


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(token_cache, "time", SimpleNamespace(monotonic=fake.monotonic))
    monkeypatch.setattr(token_cache, "utcnow", fake.utcnow)
    monkeypatch.setattr(authn, "utcnow", fake.utcnow)
    return fake


def _count_statements(app: Quart) -> list[str]:
    statements: list[str] = []
    event.listen(
        database_of(app).engine.sync_engine,
        "before_cursor_execute",
        lambda _conn, _cursor, statement, *_rest: statements.append(statement),
    )
    return statements


async def _delete_tokens(app: Quart) -> None:
    """What `amarcord tokens revoke` does from another process: the row goes away."""
    async with database_of(app).write() as session:
        await session.execute(delete(ApiToken))


async def test_a_verified_token_costs_no_database_read(app: Quart, clock: Clock) -> None:
    admin = AuthorizedClient(app, bearer(await create_token(database_of(app), role="admin")))
    assert (await admin.get("/api/health")).status_code == 200
    assert (await admin.get("/api/beamtimes")).status_code == 200
    statements = _count_statements(app)
    clock.advance(SECONDS - 1)
    assert (await admin.get("/api/beamtimes")).status_code == 200
    assert statements, "the statement listener saw nothing"
    assert not any("api_token" in statement for statement in statements)
    statements.clear()
    clock.advance(1)
    assert (await admin.get("/api/beamtimes")).status_code == 200
    assert any("api_token" in statement for statement in statements)


async def test_a_revocation_elsewhere_takes_effect_within_the_cache_time(
    app: Quart, clock: Clock
) -> None:
    admin = AuthorizedClient(app, bearer(await create_token(database_of(app), role="admin")))
    assert (await admin.get("/api/beamtimes")).status_code == 200
    await _delete_tokens(app)
    clock.advance(SECONDS - 1)
    assert (await admin.get("/api/beamtimes")).status_code == 200  # still trusted
    clock.advance(1)
    assert (await admin.get("/api/beamtimes")).status_code == 401


async def test_a_revocation_through_the_api_takes_effect_at_once(app: Quart) -> None:
    admin = AuthorizedClient(app, bearer(await create_token(database_of(app), role="admin")))
    beamtime = await create_beamtime(admin)
    created = await (
        await admin.post(
            f"/api/beamtimes/{beamtime['id']}/tokens", json={"name": "daq", "role": "editor"}
        )
    ).get_json()
    daq = AuthorizedClient(app, bearer(created["token"]))
    assert (await daq.get(f"/api/beamtimes/{beamtime['id']}")).status_code == 200
    url = f"/api/beamtimes/{beamtime['id']}/tokens/{created['id']}"
    assert (await admin.delete(url)).status_code == 204
    assert (await daq.get(f"/api/beamtimes/{beamtime['id']}")).status_code == 401


async def test_a_cached_token_still_expires_on_time(app: Quart, clock: Clock) -> None:
    expires = utcnow() + timedelta(seconds=5)
    secret = await create_token(database_of(app), role="admin", expires_at=expires)
    client = AuthorizedClient(app, bearer(secret))
    assert (await client.get("/api/beamtimes")).status_code == 200
    clock.advance(5)  # well within the cache time
    response = await client.get("/api/beamtimes")
    assert response.status_code == 401
    assert "expired" in (await response.get_json())["detail"]


async def test_zero_seconds_looks_every_token_up(settings: Settings) -> None:
    app = create_app(with_auth(settings, "local", token_cache_seconds=0))
    try:
        admin = AuthorizedClient(app, bearer(await create_token(database_of(app), role="admin")))
        assert (await admin.get("/api/beamtimes")).status_code == 200
        await _delete_tokens(app)
        assert (await admin.get("/api/beamtimes")).status_code == 401
    finally:
        await database_of(app).dispose()
