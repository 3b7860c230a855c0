from __future__ import annotations

from typing import Any

from quart import Quart
from quart.typing import TestClientProtocol as Client

from tests.support.experiments import (
    BOOLEAN,
    DECIMAL,
    INTEGER,
    STRING,
    create_attributi,
    create_data_set,
    create_experiment_type,
    feed,
    json_of,
    locs,
    put_run,
)
from tests.support.factories import create_beamtime, create_chemical

RELATIVE = {"kind": "decimal", "tolerance": 0.1}
ABSOLUTE = {"kind": "decimal", "tolerance": 0.5, "tolerance_is_absolute": True}


def sets_url(beamtime_id: int, suffix: str = "") -> str:
    return f"/api/beamtimes/{beamtime_id}/data-sets{suffix}"


async def setup(
    client: Client, types: dict[str, dict[str, Any]]
) -> tuple[int, int, dict[str, int]]:
    """A beamtime, its attributi and an experiment type made of all of them."""
    bt = (await create_beamtime(client))["id"]
    ids = await create_attributi(client, bt, types)
    type_id = (await create_experiment_type(client, bt, "Serial", list(ids.values())))["id"]
    return bt, type_id, ids


async def test_create_lists_matching_runs_as_ranges(client: Client, app: Quart) -> None:
    bt, type_id, _ = await setup(client, {"sample": STRING, "frames": INTEGER})
    other_type = (await create_experiment_type(client, bt, "Other", []))["id"]
    for number in (1, 2, 3, 5, 8):
        await put_run(client, bt, number, type_id, sample="lyso", frames=100)
    await put_run(client, bt, 4, type_id, sample="lyso", frames=99)
    await put_run(client, bt, 6, other_type, sample="lyso", frames=100)
    await put_run(client, bt, 7, type_id, sample="thaumatin", frames=100)
    response = await client.post(
        sets_url(bt),
        json={"experiment_type_id": type_id, "attributi": {"sample": "lyso", "frames": 100}},
    )
    created = await json_of(response, 201)
    assert response.headers["ETag"] == '"1"'
    assert created["experiment_type_id"] == type_id
    assert created["attributi"] == {"sample": "lyso", "frames": 100}
    assert created["runs"] == "1-3,5,8"
    assert created["run_count"] == 5
    assert await json_of(await client.get(sets_url(bt, f"/{created['id']}")), 200) == created
    [change] = [c for c in await feed(app, bt) if c.entity == "data_set"]
    assert (change.action, change.entity_id) == ("created", created["id"])
    assert change.after == {
        "experiment_type_id": type_id,
        "attributi": {"sample": "lyso", "frames": 100},
    }


async def test_relative_tolerance(client: Client) -> None:
    bt, type_id, _ = await setup(client, {"energy": RELATIVE})
    for number, energy in ((1, 200.0), (2, 220.0), (3, 225.0), (4, 179.0)):
        await put_run(client, bt, number, type_id, energy=energy)
    created = await create_data_set(
        client, bt, experiment_type_id=type_id, attributi={"energy": 200}
    )
    assert created["runs"] == "1-2"
    assert created["attributi"] == {"energy": 200.0}


async def test_absolute_tolerance(client: Client) -> None:
    bt, type_id, _ = await setup(client, {"distance": ABSOLUTE})
    for number, distance in ((1, 200.0), (2, 200.5), (3, 200.6), (4, 199.5)):
        await put_run(client, bt, number, type_id, distance=distance)
    created = await create_data_set(
        client, bt, experiment_type_id=type_id, attributi={"distance": 200.0}
    )
    assert created["runs"] == "1-2,4"


async def test_missing_boolean_is_false(client: Client) -> None:
    bt, type_id, _ = await setup(client, {"sample": STRING, "dark": BOOLEAN})
    await put_run(client, bt, 1, type_id, sample="lyso")
    await put_run(client, bt, 2, type_id, sample="lyso", dark=False)
    await put_run(client, bt, 3, type_id, sample="lyso", dark=True)
    light = await create_data_set(
        client, bt, experiment_type_id=type_id, attributi={"sample": "lyso"}
    )
    assert light["attributi"] == {"sample": "lyso", "dark": False}
    assert light["runs"] == "1-2"
    dark = await create_data_set(
        client, bt, experiment_type_id=type_id, attributi={"sample": "lyso", "dark": True}
    )
    assert dark["runs"] == "3"


async def test_every_problem_is_named(client: Client) -> None:
    bt, type_id, _ = await setup(client, {"sample": STRING, "frames": INTEGER, "energy": DECIMAL})
    await create_attributi(client, bt, {"outside": STRING})
    body = {
        "experiment_type_id": type_id,
        "attributi": {"frames": "many", "outside": "x", "smaple": "lyso"},
    }
    problem = await json_of(await client.post(sets_url(bt), json=body), 422)
    assert sorted(map(str, locs(problem))) == sorted(
        map(
            str,
            [
                ["attributi", "outside"],
                ["attributi", "smaple"],
                ["attributi", "sample"],
                ["attributi", "energy"],
                ["attributi", "frames"],
            ],
        )
    )
    hint = next(e for e in problem["errors"] if e["loc"][-1] == "smaple")
    assert "did you mean 'sample'" in hint["msg"]


async def test_bad_bodies_are_422(client: Client) -> None:
    bt, type_id, _ = await setup(client, {"sample": STRING})
    bodies: list[dict[str, Any]] = [
        {},
        {"from_run": 1, "experiment_type_id": type_id},
        {"experiment_type_id": type_id, "attributi": {"sample": "x"}, "extra": 1},
        {"experiment_type_id": 999_999, "attributi": {"sample": "x"}},
        {"experiment_type_id": type_id, "attributi": {"sample": None}},
        {"experiment_type_id": type_id, "attributi": {"sample": "x", "frames": 2**70}},
    ]
    for body in bodies:
        response = await client.post(sets_url(bt), json=body)
        assert response.status_code == 422, body


async def test_compatible_duplicate_is_409_naming_the_existing_one(client: Client) -> None:
    bt, type_id, _ = await setup(client, {"energy": RELATIVE, "sample": STRING})
    first = await create_data_set(
        client, bt, experiment_type_id=type_id, attributi={"energy": 200, "sample": "lyso"}
    )
    for energy in (200, 210):
        body = {
            "experiment_type_id": type_id,
            "attributi": {"energy": energy, "sample": "lyso"},
        }
        problem = await json_of(await client.post(sets_url(bt), json=body), 409)
        assert f"data set {first['id']}" in problem["detail"]
    distinct = {"energy": 230, "sample": "lyso"}
    await create_data_set(client, bt, experiment_type_id=type_id, attributi=distinct)


async def test_from_run_copies_type_and_values(client: Client) -> None:
    bt, type_id, _ = await setup(client, {"sample": STRING, "dark": BOOLEAN, "energy": RELATIVE})
    await put_run(client, bt, 1, type_id, sample="lyso", energy=12.0)
    await put_run(client, bt, 2, type_id, sample="lyso", energy=12.5)
    await put_run(client, bt, 3, None, sample="lyso", energy=12.0)
    await put_run(client, bt, 4, type_id, sample="lyso")
    created = await create_data_set(client, bt, from_run=2)
    assert created["experiment_type_id"] == type_id
    assert created["attributi"] == {"sample": "lyso", "dark": False, "energy": 12.5}
    assert created["runs"] == "1-2"
    again = await json_of(await client.post(sets_url(bt), json={"from_run": 1}), 409)
    assert f"data set {created['id']}" in again["detail"]
    untyped = await json_of(await client.post(sets_url(bt), json={"from_run": 3}), 422)
    assert locs(untyped) == [["from_run"]]
    incomplete = await json_of(await client.post(sets_url(bt), json={"from_run": 4}), 422)
    assert "energy" in incomplete["errors"][0]["msg"]
    missing = await client.post(sets_url(bt), json={"from_run": 99})
    assert missing.status_code == 422


async def test_list_filters_by_type_and_pages(client: Client) -> None:
    bt, type_id, _ = await setup(client, {"sample": STRING})
    other = (await create_experiment_type(client, bt, "Other", []))["id"]
    for sample in ("a", "b", "c"):
        await create_data_set(client, bt, experiment_type_id=type_id, attributi={"sample": sample})
    await create_data_set(client, bt, experiment_type_id=other, attributi={})
    await put_run(client, bt, 1, other)
    everything = await json_of(await client.get(sets_url(bt)), 200)
    assert everything["total"] == 4
    assert [item["run_count"] for item in everything["items"]] == [0, 0, 0, 1]
    page = await json_of(
        await client.get(sets_url(bt, f"?experiment_type_id={type_id}&limit=2")), 200
    )
    assert [item["attributi"]["sample"] for item in page["items"]] == ["a", "b"]
    assert page["total"] == 3
    rest = await json_of(await client.get(sets_url(bt, f"?cursor={page['next_cursor']}")), 200)
    assert [item["experiment_type_id"] for item in rest["items"]] == [type_id, other]


async def test_delete_honours_if_match_and_records_the_values(client: Client, app: Quart) -> None:
    bt, type_id, _ = await setup(client, {"sample": STRING})
    created = await create_data_set(
        client, bt, experiment_type_id=type_id, attributi={"sample": "a"}
    )
    url = sets_url(bt, f"/{created['id']}")
    assert (await client.delete(url, headers={"If-Match": '"2"'})).status_code == 412
    assert (await client.delete(url, headers={"If-Match": '"1"'})).status_code == 204
    assert (await client.get(url)).status_code == 404
    assert (await client.delete(url)).status_code == 404
    last = (await feed(app, bt))[-1]
    assert (last.entity, last.action, last.entity_id) == ("data_set", "deleted", created["id"])
    assert last.before == {"experiment_type_id": type_id, "attributi": {"sample": "a"}}


async def test_data_sets_follow_run_edits(client: Client) -> None:
    bt, type_id, _ = await setup(client, {"sample": STRING})
    created = await create_data_set(
        client, bt, experiment_type_id=type_id, attributi={"sample": "a"}
    )
    await put_run(client, bt, 1, type_id, sample="b")
    url = sets_url(bt, f"/{created['id']}")
    assert (await json_of(await client.get(url), 200))["runs"] == ""
    await put_run(client, bt, 1, type_id, sample="a")
    assert (await json_of(await client.get(url), 200))["runs"] == "1"


async def test_every_kind_matches_by_equality(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    lyso = (await create_chemical(client, bt, "lysozyme"))["id"]
    thau = (await create_chemical(client, bt, "thaumatin"))["id"]
    types = {
        "sample": {"kind": "chemical"},
        "delays": {"kind": "list", "item_kind": "integer"},
        "since": {"kind": "datetime"},
        "pump": {"kind": "choice", "choices": ["on", "off"]},
    }
    ids = await create_attributi(client, bt, types)
    type_id = (await create_experiment_type(client, bt, "Serial", list(ids.values())))["id"]
    values = {"sample": lyso, "delays": [1, 2], "since": "2026-11-21T10:00:00Z", "pump": "on"}
    await put_run(client, bt, 1, type_id, **values)
    await put_run(client, bt, 2, type_id, **{**values, "since": "2026-11-21T11:00:00+01:00"})
    await put_run(client, bt, 3, type_id, **{**values, "sample": thau})
    await put_run(client, bt, 4, type_id, **{**values, "delays": [2, 1]})
    await put_run(client, bt, 5, type_id, **{**values, "pump": "off"})
    created = await create_data_set(client, bt, experiment_type_id=type_id, attributi=values)
    assert created["runs"] == "1-2"
    assert created["attributi"]["since"] == "2026-11-21T10:00:00.000000Z"
    unknown_chemical = {**values, "sample": 999_999}
    body = {"experiment_type_id": type_id, "attributi": unknown_chemical}
    problem = await json_of(await client.post(sets_url(bt), json=body), 422)
    assert locs(problem) == [["attributi", "sample"]]


async def test_run_listing_filters_by_data_set(client: Client) -> None:
    """`GET runs?data_set_id=` lists exactly the data set's runs; none when it has none."""
    bt, type_id, _ = await setup(client, {"energy": RELATIVE})
    for number, energy in ((1, 200.0), (2, 300.0), (3, 210.0)):
        await put_run(client, bt, number, type_id, energy=energy)
    data_set = await create_data_set(
        client, bt, experiment_type_id=type_id, attributi={"energy": 200}
    )
    empty = await create_data_set(client, bt, experiment_type_id=type_id, attributi={"energy": 900})
    runs_url = f"/api/beamtimes/{bt}/runs?data_set_id="
    listed = await json_of(await client.get(f"{runs_url}{data_set['id']}"), 200)
    assert [run["number"] for run in listed["items"]] == [3, 1]
    assert (await json_of(await client.get(f"{runs_url}{empty['id']}"), 200))["items"] == []
    assert (await client.get(f"{runs_url}999999")).status_code == 404
