"""Every route of the app, walked with callers who must be turned away: anonymous callers get
401, callers with too weak a role or a token of another beamtime 403. Only the few public
routes are exempt, and the list of those is locked here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client

from amarcord.api.access import BEAMTIME_OF_ARGUMENT, AccessLevel, access_level_of
from amarcord.config import Settings
from amarcord.db.models import File
from amarcord.store.changes import utcnow
from tests.support.auth import (
    AuthorizedClient,
    ClientFactory,
    bearer,
    create_token,
    database_of,
    with_auth,
)
from tests.support.factories import create_beamtime

PUBLIC_ENDPOINTS = {
    "health.health",
    "auth.login",
    "auth.logout",
    "openapi",
    "swagger_ui",
    "docs_assets.asset",
    "static",
}
PUBLIC_PREFIXES = ("frontend.",)
_ARGUMENT = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_auth(settings, "local")


@dataclass(frozen=True)
class Route:
    level: AccessLevel
    method: str
    path: str
    endpoint: str

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.level})"


def _routes(app: Quart, values: dict[str, str]) -> Iterator[Route]:
    for rule in app.url_map.iter_rules():
        level = access_level_of(app, rule.endpoint)
        assert level is not None, rule.rule
        path = _ARGUMENT.sub(lambda m: values.get(m.group(1), "1"), rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield Route(level, method, path, rule.endpoint)


def _protected(app: Quart, values: dict[str, str]) -> list[Route]:
    return [route for route in _routes(app, values) if route.level != "public"]


async def _status(client: Client, route: Route) -> int:
    response = await client.open(route.path, method=route.method)
    return response.status_code


async def _file_in(app: Quart, beamtime_id: int) -> int:
    async with database_of(app).write() as session:
        row = File(
            beamtime_id=beamtime_id,
            name="x.txt",
            mime_type="text/plain",
            size=1,
            sha256="0" * 64,
            created_at=utcnow(),
        )
        session.add(row)
        await session.flush()
        return row.id


@pytest.fixture
async def ids(app: Quart, client: Client) -> dict[str, str]:
    """Path arguments: beamtime A (the one under test), a file of A, and beamtime B."""
    a = (await create_beamtime(client, external_id="A"))["id"]
    b = (await create_beamtime(client, external_id="B"))["id"]
    return {"bt": str(a), "file_id": str(await _file_in(app, a)), "other": str(b)}


def test_public_routes_are_exactly_the_expected_ones(app: Quart) -> None:
    public = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if access_level_of(app, rule.endpoint) == "public"
    }
    unexpected = {e for e in public - PUBLIC_ENDPOINTS if not e.startswith(PUBLIC_PREFIXES)}
    assert unexpected == set()


def test_every_beamtime_route_names_its_beamtime(app: Quart) -> None:
    """read/write/owner need a beamtime: from `bt` or a resolvable argument in the path."""
    unresolvable = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if access_level_of(app, rule.endpoint) in {"read", "write", "owner"}
        and not ({"bt", *BEAMTIME_OF_ARGUMENT} & set(rule.arguments))
    ]
    assert unresolvable == []


async def test_anonymous_callers_get_401_on_every_protected_route(
    app: Quart, anonymous_client: Client, ids: dict[str, str]
) -> None:
    failures = []
    for route in _protected(app, ids):
        response = await anonymous_client.open(route.path, method=route.method)
        if response.status_code != 401 or "WWW-Authenticate" not in response.headers:
            failures.append(f"{route}: {response.status_code}")
    assert failures == []


async def test_a_token_of_another_beamtime_gets_403(app: Quart, ids: dict[str, str]) -> None:
    secret = await create_token(database_of(app), beamtime_id=int(ids["other"]), role="owner")
    stranger = AuthorizedClient(app, bearer(secret))
    needs_a_beamtime = [r for r in _protected(app, ids) if r.level not in {"signed_in"}]
    failures = [
        f"{route}: {status}"
        for route in needs_a_beamtime
        if (status := await _status(stranger, route)) != 403
    ]
    assert failures == []


_WEAKER = {"write": "viewer", "owner": "editor"}


@pytest.mark.parametrize("make", ["client_as", "token_client"])
async def test_too_weak_a_role_gets_403(
    app: Quart, ids: dict[str, str], make: str, request: pytest.FixtureRequest
) -> None:
    factory: ClientFactory = request.getfixturevalue(make)
    weak = {
        level: await factory(role, int(ids["bt"]))  # type: ignore[arg-type]
        for level, role in _WEAKER.items()
    }
    owner = await factory("owner", int(ids["bt"]))
    failures = []
    for route in _protected(app, ids):
        caller = weak.get(route.level) or (owner if route.level == "admin" else None)
        if caller is not None and (status := await _status(caller, route)) != 403:
            failures.append(f"{route}: {status}")
    assert failures == []


async def test_a_member_without_a_role_here_gets_403(
    app: Quart, ids: dict[str, str], client_as: ClientFactory
) -> None:
    outsider = await client_as("owner", int(ids["other"]))
    failures = [
        f"{route}: {status}"
        for route in _protected(app, ids)
        if route.level in {"read", "write", "owner", "admin"}
        and (status := await _status(outsider, route)) != 403
    ]
    assert failures == []


@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
async def test_the_needed_role_gets_through_every_read(
    app: Quart, ids: dict[str, str], client_as: ClientFactory, role: str
) -> None:
    caller = await client_as(role, int(ids["bt"]))  # type: ignore[arg-type]
    reads = [
        r
        for r in _protected(app, ids)
        if r.method == "GET" and r.level == "read" and not r.path.endswith("/stream")
    ]
    refused = [f"{r}: {s}" for r in reads if (s := await _status(caller, r)) in {401, 403}]
    assert refused == []
