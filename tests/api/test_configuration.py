from __future__ import annotations

from typing import Any

from quart import Quart
from quart.typing import TestClientProtocol as Client

from amarcord.store.configuration import ConfigurationState, current_configuration
from tests.support.auth import ADMIN_TOKEN_NAME
from tests.support.experiments import create_experiment_type, feed, json_of, locs
from tests.support.factories import create_beamtime


def config_url(beamtime_id: int, suffix: str = "") -> str:
    return f"/api/beamtimes/{beamtime_id}/configuration{suffix}"


async def patch(client: Client, beamtime_id: int, **values: Any) -> dict[str, Any]:
    result: dict[str, Any] = await json_of(
        await client.patch(config_url(beamtime_id), json=values), 200
    )
    return result


async def test_defaults_before_anything_was_set(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.get(config_url(bt))
    assert await json_of(response, 200) == {
        "auto_pilot": False,
        "current_experiment_type_id": None,
        "live_stream_url": None,
        "created_at": None,
        "author": None,
        "version": 0,
    }
    assert response.headers["ETag"] == '"0"'
    history = await json_of(await client.get(config_url(bt, "/history")), 200)
    assert history == {"items": [], "total": 0, "next_cursor": None}
    async with app.extensions["amarcord"].database.read() as session:
        assert await current_configuration(session, bt) == ConfigurationState()


async def test_patch_appends_a_complete_state(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    type_id = (await create_experiment_type(client, bt, "Serial", []))["id"]
    first = await patch(client, bt, auto_pilot=True)
    assert first["auto_pilot"] is True
    assert first["author"] == ADMIN_TOKEN_NAME
    assert first["created_at"] is not None
    second = await patch(
        client, bt, current_experiment_type_id=type_id, live_stream_url="https://cam.local/x.jpg"
    )
    assert second["auto_pilot"] is True  # carried over
    assert second["version"] > first["version"]
    third = await patch(client, bt, live_stream_url=None)
    assert third["current_experiment_type_id"] == type_id
    assert await json_of(await client.get(config_url(bt)), 200) == third
    history = await json_of(await client.get(config_url(bt, "/history")), 200)
    assert history["items"] == [third, second, first]
    changes = [c for c in await feed(app, bt) if c.entity == "configuration"]
    assert [(c.action, c.entity_id) for c in changes] == [
        ("updated", state["version"]) for state in (first, second, third)
    ]
    assert (changes[0].before, changes[0].after) == ({"auto_pilot": False}, {"auto_pilot": True})
    assert changes[1].after == {
        "current_experiment_type_id": type_id,
        "live_stream_url": "https://cam.local/x.jpg",
    }
    async with app.extensions["amarcord"].database.read() as session:
        current = await current_configuration(session, bt)
    assert (current.auto_pilot, current.current_experiment_type_id) == (True, type_id)


async def test_a_patch_that_changes_nothing_appends_nothing(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    first = await patch(client, bt, auto_pilot=True)
    again = await patch(client, bt, auto_pilot=True)
    assert again == first
    history = await json_of(await client.get(config_url(bt, "/history")), 200)
    assert history["total"] == 1


async def test_history_pages_newest_first(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    for index in range(5):
        await patch(client, bt, live_stream_url=f"http://cam/{index}")
    page = await json_of(await client.get(config_url(bt, "/history?limit=3")), 200)
    assert page["total"] == 5
    rest = await json_of(
        await client.get(config_url(bt, f"/history?limit=3&cursor={page['next_cursor']}")), 200
    )
    urls = [item["live_stream_url"] for item in page["items"] + rest["items"]]
    assert urls == [f"http://cam/{index}" for index in (4, 3, 2, 1, 0)]
    assert rest["next_cursor"] is None


async def test_unknown_keys_and_bad_values_are_422(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    foreign_bt = (await create_beamtime(client))["id"]
    foreign_type = (await create_experiment_type(client, foreign_bt, "Serial", []))["id"]
    bodies: list[tuple[dict[str, Any], list[str | int]]] = [
        ({"online_crystfel": True}, ["online_crystfel"]),
        ({"auto_pilot": "yes"}, ["auto_pilot"]),
        ({"auto_pilot": None}, ["auto_pilot"]),
        ({"live_stream_url": "ftp://cam/x"}, ["live_stream_url"]),
        ({"live_stream_url": "not a url"}, ["live_stream_url"]),
        ({"current_experiment_type_id": foreign_type}, ["current_experiment_type_id"]),
        ({"current_experiment_type_id": "1"}, ["current_experiment_type_id"]),
    ]
    for body, loc in bodies:
        problem = await json_of(await client.patch(config_url(bt), json=body), 422)
        assert loc in locs(problem), body
    history = await json_of(await client.get(config_url(bt, "/history")), 200)
    assert history["total"] == 0


async def test_if_match_and_unknown_beamtime(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    first = await patch(client, bt, auto_pilot=True)
    stale = await client.patch(
        config_url(bt), json={"auto_pilot": False}, headers={"If-Match": '"0"'}
    )
    assert stale.status_code == 412
    current = f'"{first["version"]}"'
    fresh = await client.patch(
        config_url(bt), json={"auto_pilot": False}, headers={"If-Match": current}
    )
    assert fresh.status_code == 200
    for url in (config_url(999_999), config_url(999_999, "/history")):
        assert (await client.get(url)).status_code == 404
    assert (await client.patch(config_url(999_999), json={})).status_code == 404
