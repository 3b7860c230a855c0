"""Beamtime members: roles, who may manage them, the last owner, and who sees which beamtime."""

from __future__ import annotations

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client

from amarcord.config import Settings
from tests.support.auth import (
    AuthorizedClient,
    ClientFactory,
    add_member,
    bearer,
    create_token,
    create_user,
    database_of,
    signed_in_client,
    with_auth,
)
from tests.support.factories import BEAMTIME, create_beamtime


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_auth(settings, "local")


def _members_of(beamtime_id: int) -> str:
    return f"/api/beamtimes/{beamtime_id}/members"


async def test_the_creator_of_a_beamtime_becomes_its_owner(app: Quart) -> None:
    username = await create_user(database_of(app), display_name="Nora")
    person = await signed_in_client(app, username)
    beamtime = await create_beamtime(person)
    members = await (await person.get(_members_of(beamtime["id"]))).get_json()
    assert members["items"] == [{"username": username, "display_name": "Nora", "role": "owner"}]


async def test_an_owner_manages_members(app: Quart, client_as: ClientFactory) -> None:
    beamtime = await create_beamtime(
        await signed_in_client(app, await create_user(database_of(app)))
    )
    owner = await client_as("owner", beamtime["id"])
    helper = await create_user(database_of(app), "helper")
    url = _members_of(beamtime["id"])

    added = await owner.post(url, json={"username": helper, "role": "viewer"})
    assert added.status_code == 201
    assert (await added.get_json())["role"] == "viewer"
    assert (await owner.post(url, json={"username": helper, "role": "editor"})).status_code == 409

    changed = await owner.patch(f"{url}/HELPER", json={"role": "editor"})
    assert changed.status_code == 200
    roles = {m["username"]: m["role"] for m in (await (await owner.get(url)).get_json())["items"]}
    assert roles["helper"] == "editor"

    assert (await owner.delete(f"{url}/helper")).status_code == 204
    assert (await owner.delete(f"{url}/helper")).status_code == 404
    feed = await (await owner.get(f"/api/beamtimes/{beamtime['id']}/changes")).get_json()
    member_changes = [c for c in feed["items"] if c["entity"] == "member"][-3:]
    assert [c["action"] for c in member_changes] == ["created", "updated", "deleted"]
    assert member_changes[1]["before"] == {"role": "viewer"}
    assert member_changes[1]["after"] == {"role": "editor"}
    assert member_changes[2]["before"] == {"username": "helper", "role": "editor"}


async def test_adding_an_unknown_user_is_422(app: Quart, client: Client) -> None:
    beamtime = await create_beamtime(client)
    response = await client.post(
        _members_of(beamtime["id"]), json={"username": "ghost", "role": "viewer"}
    )
    assert response.status_code == 422
    assert (await response.get_json())["errors"][0]["loc"] == ["username"]


async def test_a_role_must_be_one_of_the_three(app: Quart, client: Client) -> None:
    beamtime = await create_beamtime(client)
    username = await create_user(database_of(app))
    response = await client.post(
        _members_of(beamtime["id"]), json={"username": username, "role": "admin"}
    )
    assert response.status_code == 422


async def test_the_last_owner_stays(app: Quart) -> None:
    username = await create_user(database_of(app))
    person = await signed_in_client(app, username)
    beamtime = await create_beamtime(person)
    url = f"{_members_of(beamtime['id'])}/{username}"
    assert (await person.patch(url, json={"role": "editor"})).status_code == 409
    assert (await person.delete(url)).status_code == 409
    second = await create_user(database_of(app))
    await add_member(database_of(app), beamtime["id"], second, "owner")
    assert (await person.delete(url)).status_code == 204


async def test_the_beamtime_list_shows_the_callers_beamtimes(app: Quart, client: Client) -> None:
    mine = await create_beamtime(client, external_id="mine")
    await create_beamtime(client, external_id="theirs")
    username = await create_user(database_of(app))
    await add_member(database_of(app), mine["id"], username, "viewer")
    person = await signed_in_client(app, username)
    listed = await (await person.get("/api/beamtimes")).get_json()
    assert [b["external_id"] for b in listed["items"]] == ["mine"]
    assert listed["total"] == 1

    secret = await create_token(database_of(app), beamtime_id=mine["id"], role="viewer")
    by_token = await (await AuthorizedClient(app, bearer(secret)).get("/api/beamtimes")).get_json()
    assert [b["external_id"] for b in by_token["items"]] == ["mine"]

    everything = await create_token(database_of(app), role="viewer")
    all_of_them = AuthorizedClient(app, bearer(everything))
    assert (await (await all_of_them.get("/api/beamtimes")).get_json())["total"] == 2
    assert (await client.get("/api/beamtimes")).status_code == 200


async def test_a_beamtime_token_cannot_create_beamtimes(app: Quart, client: Client) -> None:
    beamtime = await create_beamtime(client)
    secret = await create_token(database_of(app), beamtime_id=beamtime["id"], role="owner")
    response = await AuthorizedClient(app, bearer(secret)).post("/api/beamtimes", json=BEAMTIME)
    assert response.status_code == 403


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("editor", 200), ("owner", 200)])
async def test_roles_decide_who_writes(
    client: Client, client_as: ClientFactory, role: str, status: int
) -> None:
    beamtime = await create_beamtime(client)
    caller = await client_as(role, beamtime["id"])  # type: ignore[arg-type]
    response = await caller.patch(f"/api/beamtimes/{beamtime['id']}", json={"title": "new"})
    assert response.status_code == status


async def test_an_owner_may_delete_the_beamtime_an_editor_not(
    client: Client, client_as: ClientFactory
) -> None:
    beamtime = await create_beamtime(client)
    editor = await client_as("editor", beamtime["id"])
    owner = await client_as("owner", beamtime["id"])
    assert (await editor.delete(f"/api/beamtimes/{beamtime['id']}")).status_code == 403
    assert (await owner.delete(f"/api/beamtimes/{beamtime['id']}")).status_code == 204


async def test_an_unknown_beamtime_is_403_for_members_and_404_for_admins(
    client: Client, client_as: ClientFactory
) -> None:
    beamtime = await create_beamtime(client)
    member = await client_as("owner", beamtime["id"])
    assert (await member.get("/api/beamtimes/999999")).status_code == 403
    assert (await client.get("/api/beamtimes/999999")).status_code == 404
