from __future__ import annotations

from typing import Any

from quart import Quart
from quart.typing import TestClientProtocol as Client

from tests.support.experiments import (
    BOOLEAN,
    DECIMAL,
    STRING,
    create_attributi,
    create_data_set,
    create_experiment_type,
    feed,
    json_of,
    locs,
    put_run,
)
from tests.support.factories import create_beamtime


def types_url(beamtime_id: int, suffix: str = "") -> str:
    return f"/api/beamtimes/{beamtime_id}/experiment-types{suffix}"


async def setup(client: Client) -> tuple[int, dict[str, int]]:
    bt = (await create_beamtime(client))["id"]
    ids = await create_attributi(client, bt, {"distance": DECIMAL, "sample": STRING})
    ids |= await create_attributi(client, bt, {"cell": STRING}, table="chemical")
    return bt, ids


async def test_create_names_each_attributo_and_records_the_change(
    client: Client, app: Quart
) -> None:
    bt, ids = await setup(client)
    body = {
        "name": "Serial",
        "attributi": [
            {"attributo_id": ids["sample"]},
            {"attributo_id": ids["distance"], "role": "geometry"},
            {"attributo_id": ids["cell"], "role": "crystal"},
        ],
    }
    response = await client.post(types_url(bt), json=body)
    created = await json_of(response, 201)
    assert response.headers["ETag"] == '"1"'
    assert created["name"] == "Serial"
    assert created["version"] == 1
    assert created["run_count"] == 0
    assert created["attributi"] == [
        {"attributo_id": ids["sample"], "name": "sample", "associated_table": "run", "role": None},
        {
            "attributo_id": ids["distance"],
            "name": "distance",
            "associated_table": "run",
            "role": "geometry",
        },
        {
            "attributo_id": ids["cell"],
            "name": "cell",
            "associated_table": "chemical",
            "role": "crystal",
        },
    ]
    again = await json_of(await client.get(types_url(bt, f"/{created['id']}")), 200)
    assert again == created
    rows = [c for c in await feed(app, bt) if c.entity == "experiment_type"]
    assert [(c.action, c.entity_id) for c in rows] == [("created", created["id"])]
    assert rows[0].after is not None and rows[0].after["name"] == "Serial"


async def test_names_are_unique_in_any_letter_case(client: Client) -> None:
    bt, ids = await setup(client)
    await create_experiment_type(client, bt, "Serial", [ids["sample"]])
    other = await create_experiment_type(client, bt, "Pump-probe", [])
    clash = await client.post(types_url(bt), json={"name": "SERIAL", "attributi": []})
    assert clash.status_code == 409
    rename = await client.patch(types_url(bt, f"/{other['id']}"), json={"name": "serial"})
    assert rename.status_code == 409
    elsewhere = (await create_beamtime(client))["id"]
    await create_experiment_type(client, elsewhere, "Serial", [])


async def test_attributi_must_belong_to_the_beamtime_and_appear_once(client: Client) -> None:
    bt, ids = await setup(client)
    foreign_bt = (await create_beamtime(client))["id"]
    foreign = await create_attributi(client, foreign_bt, {"speed": DECIMAL})
    body = {
        "name": "Serial",
        "attributi": [
            {"attributo_id": ids["sample"]},
            {"attributo_id": foreign["speed"]},
            {"attributo_id": ids["sample"]},
            {"attributo_id": 999_999},
        ],
    }
    problem = await json_of(await client.post(types_url(bt), json=body), 422)
    assert locs(problem) == [
        ["attributi", 1, "attributo_id"],
        ["attributi", 2, "attributo_id"],
        ["attributi", 3, "attributo_id"],
    ]


async def test_unknown_keys_and_bad_names_are_422(client: Client) -> None:
    bt, _ = await setup(client)
    extra = await client.post(types_url(bt), json={"name": "X", "attributi": [], "colour": 1})
    assert extra.status_code == 422
    blank = await client.post(types_url(bt), json={"name": "", "attributi": []})
    assert blank.status_code == 422
    unknown_beamtime = await client.post(types_url(999_999), json={"name": "X"})
    assert unknown_beamtime.status_code == 404


async def test_list_counts_runs_and_pages_with_a_cursor(client: Client) -> None:
    bt, ids = await setup(client)
    types = [await create_experiment_type(client, bt, f"T{i}", [ids["sample"]]) for i in range(3)]
    for number in (1, 2, 3):
        await put_run(client, bt, number, types[1]["id"], sample="lyso")
    await put_run(client, bt, 4, types[2]["id"])
    first = await json_of(await client.get(types_url(bt, "?limit=2")), 200)
    assert first["total"] == 3
    assert [item["name"] for item in first["items"]] == ["T0", "T1"]
    second = await json_of(await client.get(types_url(bt, f"?cursor={first['next_cursor']}")), 200)
    assert [item["name"] for item in second["items"]] == ["T2"]
    assert second["next_cursor"] is None
    counts = [item["run_count"] for item in first["items"] + second["items"]]
    assert counts == [0, 3, 1]


async def test_patch_replaces_the_list_and_honours_if_match(client: Client, app: Quart) -> None:
    bt, ids = await setup(client)
    created = await create_experiment_type(client, bt, "Serial", [ids["sample"]])
    url = types_url(bt, f"/{created['id']}")
    body = {"attributi": [{"attributo_id": ids["distance"]}, {"attributo_id": ids["sample"]}]}
    response = await client.patch(url, json=body, headers={"If-Match": '"1"'})
    patched = await json_of(response, 200)
    assert response.headers["ETag"] == '"2"'
    assert [a["name"] for a in patched["attributi"]] == ["distance", "sample"]
    assert patched["name"] == "Serial"
    stale = await client.patch(url, json={"name": "Other"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    unchanged = await json_of(await client.patch(url, json={"name": "Serial"}), 200)
    assert unchanged["version"] == 2
    updates = [c for c in await feed(app, bt) if c.action == "updated"]
    assert len(updates) == 1
    assert updates[0].before == {"attributi": [_member(ids, "sample")]}
    assert updates[0].after == {"attributi": [_member(ids, "distance"), _member(ids, "sample")]}


def _member(ids: dict[str, int], name: str) -> dict[str, Any]:
    return {"attributo_id": ids[name], "name": name, "role": None}


async def test_delete_unused_type(client: Client, app: Quart) -> None:
    bt, ids = await setup(client)
    created = await create_experiment_type(client, bt, "Serial", [ids["sample"]])
    url = types_url(bt, f"/{created['id']}")
    assert (await client.delete(url, headers={"If-Match": '"7"'})).status_code == 412
    assert (await client.delete(url)).status_code == 204
    assert (await client.get(url)).status_code == 404
    last = (await feed(app, bt))[-1]
    assert (last.entity, last.action, last.entity_id) == (
        "experiment_type",
        "deleted",
        created["id"],
    )


async def test_delete_in_use_needs_force_and_detaches_everything(
    client: Client, app: Quart
) -> None:
    bt, ids = await setup(client)
    flag = (await create_attributi(client, bt, {"dark": BOOLEAN}))["dark"]
    created = await create_experiment_type(client, bt, "Serial", [ids["sample"], flag])
    kept = await create_experiment_type(client, bt, "Other", [ids["sample"]])
    for number in (1, 2, 4):
        await put_run(client, bt, number, created["id"], sample="lyso")
    await put_run(client, bt, 5, kept["id"], sample="lyso")
    data_set = await create_data_set(
        client, bt, experiment_type_id=created["id"], attributi={"sample": "lyso"}
    )
    config_url = f"/api/beamtimes/{bt}/configuration"
    await client.patch(config_url, json={"current_experiment_type_id": created["id"]})
    url = types_url(bt, f"/{created['id']}")

    refused = await json_of(await client.delete(url), 409)
    assert "1-2,4" in refused["detail"]
    before = (await feed(app, bt))[-1].seq
    assert (await client.delete(f"{url}?force=true")).status_code == 204

    run = await json_of(await client.get(f"/api/beamtimes/{bt}/runs/1"), 200)
    assert run["experiment_type_id"] is None
    assert run["version"] == 2
    other = await json_of(await client.get(f"/api/beamtimes/{bt}/runs/5"), 200)
    assert other["experiment_type_id"] == kept["id"]
    gone = await client.get(f"/api/beamtimes/{bt}/data-sets/{data_set['id']}")
    assert gone.status_code == 404
    config = await json_of(await client.get(config_url), 200)
    assert config["current_experiment_type_id"] is None
    entries = [(c.entity, c.action, c.entity_id) for c in await feed(app, bt, before)]
    assert entries[0] == ("experiment_type", "deleted", created["id"])
    assert ("data_set", "deleted", data_set["id"]) in entries
    assert [entry for entry in entries if entry[0] == "run"] == [
        ("run", "updated", number) for number in (1, 2, 4)
    ]
    assert [entry[:2] for entry in entries if entry[0] == "configuration"] == [
        ("configuration", "updated")
    ]
    dropped = next(c for c in await feed(app, bt, before) if c.entity == "data_set")
    assert dropped.before == {
        "experiment_type_id": created["id"],
        "attributi": {"sample": "lyso", "dark": False},
    }


async def test_unknown_type_is_404(client: Client) -> None:
    bt, _ = await setup(client)
    assert (await client.get(types_url(bt, "/999999"))).status_code == 404
    elsewhere = (await create_beamtime(client))["id"]
    created = await create_experiment_type(client, elsewhere, "Serial", [])
    assert (await client.get(types_url(bt, f"/{created['id']}"))).status_code == 404
