"""Callers for tests: accounts, memberships and tokens made directly in the database, and test
clients that authenticate every request.

- `client` (tests/conftest.py) is an administrator: every request carries an admin token.
- `anonymous_client` sends no credentials.
- `client_as(role, beamtime_id)` is a person with that role in that beamtime (signed in with a
  session cookie); `token_client(role, beamtime_id)` sends a token of that beamtime.
- `admin_token_for(database_url)` gives subprocess servers (`amarcord serve`) a token."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest
from quart import Quart
from quart.testing import QuartClient
from quart.typing import TestClientProtocol as Client
from werkzeug.datastructures import Headers

from amarcord.config import Settings
from amarcord.db.engine import Database
from amarcord.domain.accounts import Role, TokenRole
from amarcord.domain.secrets import hash_password
from amarcord.store import accounts, memberships, tokens

ADMIN_TOKEN_NAME = "test admin"
PASSWORD = "correct horse battery"
_serial = itertools.count(1)


class AuthorizedClient(QuartClient):
    """A test client that adds `default_headers` to every request; a test's own headers win."""

    def __init__(self, app: Quart, default_headers: dict[str, str]) -> None:
        super().__init__(app)
        self.default_headers = default_headers

    def _headers(self, headers: Any) -> Headers:
        merged = Headers(headers or {})
        for name, value in self.default_headers.items():
            if name not in merged:
                merged[name] = value
        return merged

    async def open(self, path: str, *, headers: Any = None, **kwargs: Any) -> Any:
        return await super().open(path, headers=self._headers(headers), **kwargs)

    def request(self, path: str, *, headers: Any = None, **kwargs: Any) -> Any:
        return super().request(path, headers=self._headers(headers), **kwargs)


def with_auth(settings: Settings, mode: str, **more: Any) -> Settings:
    """The same settings with another AMARCORD_AUTH mode (and more overrides)."""
    return Settings(**{**settings.model_dump(), "auth": mode, **more, "_env_file": None})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def database_of(app: Quart) -> Database:
    database: Database = app.extensions["amarcord"].database
    return database


async def create_user(
    database: Database,
    username: str | None = None,
    *,
    admin: bool = False,
    password: str | None = PASSWORD,
    display_name: str | None = None,
) -> str:
    """A new account (a unique name unless given); returns its user name."""
    username = username or f"user{next(_serial)}"
    async with database.write() as session:
        await accounts.create(
            session,
            username,
            display_name=display_name,
            password_hash=hash_password(password) if password else None,
            admin=admin,
        )
    return username


async def add_member(database: Database, beamtime_id: int, username: str, role: Role) -> None:
    async with database.write() as session:
        user = await accounts.get_by_username(session, username)
        await memberships.add(session, beamtime_id, user, role, actor="tests")


async def create_token(
    database: Database,
    *,
    beamtime_id: int | None = None,
    role: TokenRole = "editor",
    name: str = "test token",
    expires_at: datetime | None = None,
) -> str:
    """A new token's secret; `beamtime_id` None makes it valid for every beamtime."""
    async with database.write() as session:
        _token, secret = await tokens.create(
            session,
            beamtime_id=beamtime_id,
            name=name,
            role=role,
            expires_at=expires_at,
            actor="tests",
        )
    return secret


async def admin_token_for(database_url: str) -> str:
    """A token that acts as an administrator on every beamtime, for a server in a subprocess
    that uses the (migrated) database at `database_url`."""
    database = Database.open(database_url, pool_size=1)
    try:
        return await create_token(database, role="admin", name=ADMIN_TOKEN_NAME)
    finally:
        await database.dispose()


async def admin_client(app: Quart) -> AuthorizedClient:
    secret = await create_token(database_of(app), role="admin", name=ADMIN_TOKEN_NAME)
    return AuthorizedClient(app, bearer(secret))


async def signed_in_client(app: Quart, username: str, password: str = PASSWORD) -> Client:
    """A client holding the session cookie of `username`."""
    client = app.test_client()
    response = await client.post(
        "/api/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, await response.get_data(as_text=True)
    return client


ClientFactory = Callable[[Role, int], Awaitable[Client]]


@pytest.fixture
def anonymous_client(app: Quart) -> Client:
    return app.test_client()


@pytest.fixture
def client_as(app: Quart) -> ClientFactory:
    """`await client_as("editor", beamtime_id)`: a signed-in person with that role."""

    async def make(role: Role, beamtime_id: int) -> Client:
        username = await create_user(database_of(app))
        await add_member(database_of(app), beamtime_id, username, role)
        return await signed_in_client(app, username)

    return make


@pytest.fixture
def token_client(app: Quart) -> ClientFactory:
    """`await token_client("editor", beamtime_id)`: a client sending a token of that beamtime."""

    async def make(role: Role, beamtime_id: int) -> Client:
        secret = await create_token(database_of(app), beamtime_id=beamtime_id, role=role)
        return AuthorizedClient(app, bearer(secret))

    return make
