from __future__ import annotations

from datetime import datetime
from typing import Any

from quart import Quart
from quart.typing import TestClientProtocol as Client

from amarcord.store.schedule import names_on_shift
from tests.support.experiments import feed, json_of, locs
from tests.support.factories import create_beamtime, create_chemical

DAY = {"start": "2026-11-21T14:00:00+01:00", "end": "2026-11-21T22:00:00+01:00"}
NIGHT = {"start": "2026-11-21T22:00:00+01:00", "end": "2026-11-22T06:00:00+01:00"}


def schedule_url(beamtime_id: int) -> str:
    return f"/api/beamtimes/{beamtime_id}/schedule"


async def put(client: Client, beamtime_id: int, shifts: list[dict[str, Any]]) -> Any:
    return await client.put(schedule_url(beamtime_id), json={"shifts": shifts})


async def on_shift(app: Quart, beamtime_id: int, at: str) -> list[str]:
    async with app.extensions["amarcord"].database.read() as session:
        return await names_on_shift(session, beamtime_id, datetime.fromisoformat(at))


async def test_empty_schedule(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.get(schedule_url(bt))
    assert await json_of(response, 200) == {"shifts": [], "version": 0}
    assert response.headers["ETag"] == '"0"'
    assert (await client.get(schedule_url(999_999))).status_code == 404


async def test_night_shift_across_midnight(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    lyso = (await create_chemical(client, bt, "lysozyme"))["id"]
    night = {**NIGHT, "users": ["Ada", "Bob"], "chemical_ids": [lyso], "comment": "quiet"}
    day = {**DAY, "users": ["Cleo"]}
    stored = await json_of(await put(client, bt, [night, day]), 200)
    assert [shift["users"] for shift in stored["shifts"]] == [["Cleo"], ["Ada", "Bob"]]
    assert stored["shifts"][1]["start"] == "2026-11-21T21:00:00Z"
    assert stored["shifts"][1]["end"] == "2026-11-22T05:00:00Z"
    assert stored["shifts"][1]["chemical_ids"] == [lyso]
    assert stored["shifts"][1]["comment"] == "quiet"
    assert stored["shifts"][0]["chemical_ids"] == []
    assert await json_of(await client.get(schedule_url(bt)), 200) == stored
    assert await on_shift(app, bt, "2026-11-22T01:00:00+01:00") == ["Ada", "Bob"]
    assert await on_shift(app, bt, "2026-11-21T21:59:59+01:00") == ["Cleo"]
    assert await on_shift(app, bt, "2026-11-21T22:00:00+01:00") == ["Ada", "Bob"]
    assert await on_shift(app, bt, "2026-11-22T06:00:00+01:00") == []


async def test_overlapping_shifts_give_each_name_once(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    handover = {"start": "2026-11-21T21:00:00+01:00", "end": "2026-11-21T23:00:00+01:00"}
    shifts = [{**DAY, "users": ["Ada", "Cleo"]}, {**handover, "users": ["Cleo", "Dan"]}]
    await json_of(await put(client, bt, shifts), 200)
    assert await on_shift(app, bt, "2026-11-21T21:30:00+01:00") == ["Ada", "Cleo", "Dan"]


async def test_every_bad_shift_is_named(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    elsewhere = (await create_beamtime(client))["id"]
    ours = (await create_chemical(client, bt, "lysozyme"))["id"]
    theirs = (await create_chemical(client, elsewhere, "thaumatin"))["id"]
    reversed_shift = {"start": DAY["end"], "end": DAY["start"], "users": ["Ada"]}
    foreign = {**NIGHT, "users": ["Bob"], "chemical_ids": [ours, theirs]}
    problem = await json_of(await put(client, bt, [reversed_shift, foreign]), 422)
    assert locs(problem) == [["shifts", 0, "end"], ["shifts", 1, "chemical_ids", 1]]
    bodies: list[Any] = [
        [{**DAY, "users": ["  "]}],
        [{"start": "2026-11-21T14:00:00", "end": DAY["end"], "users": []}],
        [{**DAY, "users": [], "colour": "red"}],
        [{**DAY, "users": [], "chemical_ids": [0]}],
    ]
    for shifts in bodies:
        assert (await put(client, bt, shifts)).status_code == 422, shifts
    assert (await client.put(schedule_url(bt), json={})).status_code == 422


async def test_changes_versions_and_if_match(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    first = await json_of(await put(client, bt, [{**DAY, "users": ["Ada"]}]), 200)
    assert first["version"] > 0
    same = await put(client, bt, [{**DAY, "users": ["Ada"]}])
    assert (await json_of(same, 200))["version"] == first["version"]
    stale = await client.put(schedule_url(bt), json={"shifts": []}, headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    response = await client.put(
        schedule_url(bt), json={"shifts": []}, headers={"If-Match": f'"{first["version"]}"'}
    )
    emptied = await json_of(response, 200)
    assert emptied["shifts"] == []
    assert response.headers["ETag"] == f'"{emptied["version"]}"'
    changes = [c for c in await feed(app, bt) if c.entity == "schedule"]
    assert [(c.action, c.entity_id) for c in changes] == [("updated", bt), ("updated", bt)]
    assert changes[0].before == {"shifts": []}
    assert changes[0].after == {
        "shifts": [
            {
                "start": "2026-11-21T13:00:00+00:00",
                "end": "2026-11-21T21:00:00+00:00",
                "users": ["Ada"],
                "chemical_ids": [],
                "comment": "",
            }
        ]
    }
    assert changes[1].after == {"shifts": []}
