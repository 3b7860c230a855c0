"""API tokens: shown once, stored hashed, listed without secrets, revocable, bound to one
beamtime and a role; the audit trail names them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client
from sqlalchemy import select

from amarcord.config import Settings
from amarcord.db.models import ApiToken
from amarcord.domain.secrets import token_digest
from tests.support.auth import (
    AuthorizedClient,
    ClientFactory,
    bearer,
    database_of,
    with_auth,
)
from tests.support.factories import create_beamtime


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_auth(settings, "local")


def _tokens_of(beamtime_id: int) -> str:
    return f"/api/beamtimes/{beamtime_id}/tokens"


async def test_a_token_is_shown_once_and_stored_hashed(app: Quart, client: Client) -> None:
    beamtime = await create_beamtime(client)
    expires = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    response = await client.post(
        _tokens_of(beamtime["id"]),
        json={"name": "daq", "role": "editor", "expires_at": expires.isoformat()},
    )
    assert response.status_code == 201
    created = await response.get_json()
    secret = created["token"]
    assert secret.startswith("amc_")
    assert len(secret) > 40
    assert datetime.fromisoformat(created["expires_at"]) == expires

    listed = await (await client.get(_tokens_of(beamtime["id"]))).get_json()
    assert [t["name"] for t in listed["items"]] == ["daq"]
    assert "token" not in listed["items"][0]
    assert set(listed["items"][0]) == {
        "id",
        "name",
        "role",
        "expires_at",
        "created_at",
        "created_by",
    }

    async with database_of(app).read() as session:
        stored = (await session.scalars(select(ApiToken))).all()
    assert all(secret not in (t.digest, t.name) for t in stored)
    assert token_digest(secret) in {t.digest for t in stored}


async def test_a_token_acts_with_its_role_in_its_beamtime_only(client: Client, app: Quart) -> None:
    beamtime = await create_beamtime(client, external_id="here")
    other = await create_beamtime(client, external_id="there")
    created = await (
        await client.post(_tokens_of(beamtime["id"]), json={"name": "daq", "role": "editor"})
    ).get_json()
    daq = AuthorizedClient(app, bearer(created["token"]))
    changed = await daq.patch(f"/api/beamtimes/{beamtime['id']}", json={"title": "by the daq"})
    assert changed.status_code == 200
    assert (await daq.get(f"/api/beamtimes/{other['id']}")).status_code == 403
    assert (await daq.delete(f"/api/beamtimes/{beamtime['id']}")).status_code == 403
    assert (await daq.get(_tokens_of(beamtime["id"]))).status_code == 403
    feed = await (await daq.get(f"/api/beamtimes/{beamtime['id']}/changes")).get_json()
    assert feed["items"][-1]["actor"] == "daq"
    assert feed["items"][-1]["after"] == {"title": "by the daq"}


async def test_a_revoked_token_stops_working(client: Client, app: Quart) -> None:
    beamtime = await create_beamtime(client)
    created = await (
        await client.post(_tokens_of(beamtime["id"]), json={"name": "old", "role": "viewer"})
    ).get_json()
    daq = AuthorizedClient(app, bearer(created["token"]))
    assert (await daq.get(f"/api/beamtimes/{beamtime['id']}")).status_code == 200
    url = f"{_tokens_of(beamtime['id'])}/{created['id']}"
    assert (await client.delete(url)).status_code == 204
    assert (await client.delete(url)).status_code == 404
    assert (await daq.get(f"/api/beamtimes/{beamtime['id']}")).status_code == 401


async def test_tokens_of_another_beamtime_cannot_be_revoked_here(client: Client) -> None:
    beamtime = await create_beamtime(client, external_id="a")
    other = await create_beamtime(client, external_id="b")
    created = await (
        await client.post(_tokens_of(other["id"]), json={"name": "b-daq", "role": "viewer"})
    ).get_json()
    response = await client.delete(f"{_tokens_of(beamtime['id'])}/{created['id']}")
    assert response.status_code == 404


async def test_an_owner_manages_tokens_an_editor_not(
    client: Client, client_as: ClientFactory
) -> None:
    beamtime = await create_beamtime(client)
    owner = await client_as("owner", beamtime["id"])
    editor = await client_as("editor", beamtime["id"])
    body = {"name": "daq", "role": "owner"}
    assert (await editor.post(_tokens_of(beamtime["id"]), json=body)).status_code == 403
    created = await owner.post(_tokens_of(beamtime["id"]), json=body)
    assert created.status_code == 201
    assert (await created.get_json())["created_by"] != ""


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "role": "admin"},
        {"name": "", "role": "viewer"},
        {"name": "x", "role": "viewer", "expires_at": "2001-01-01T00:00:00Z"},
        {"name": "x", "role": "viewer", "expires_at": "2099-01-01T00:00:00"},
    ],
)
async def test_invalid_tokens_are_422(client: Client, body: dict[str, str]) -> None:
    beamtime = await create_beamtime(client)
    assert (await client.post(_tokens_of(beamtime["id"]), json=body)).status_code == 422
