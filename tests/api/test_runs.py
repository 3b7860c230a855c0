from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client
from sqlalchemy import select

from amarcord.db.engine import Database
from amarcord.db.models import Change, Run, RunDataPath
from tests.support.factories import create_beamtime
from tests.support.run_seed import (
    add_attributi,
    add_attributo,
    add_chemical,
    add_experiment_type,
    configure,
)

TYPES: dict[str, dict[str, Any]] = {
    "detector_distance": {"kind": "decimal", "unit": "mm", "minimum": 0, "maximum": 1000},
    "frames": {"kind": "integer", "minimum": 0},
    "comment": {"kind": "string", "max_length": 50},
    "good": {"kind": "boolean"},
    "mode": {"kind": "choice", "choices": ["fast", "slow"]},
    "tags": {"kind": "list", "item_kind": "string", "max_items": 2},
    "sample": {"kind": "chemical"},
    "taken": {"kind": "datetime"},
}


def db_of(app: Quart) -> Database:
    database: Database = app.extensions["amarcord"].database
    return database


async def setup(client: Client, app: Quart) -> tuple[int, dict[str, int]]:
    beamtime = await create_beamtime(client)
    ids = await add_attributi(db_of(app), beamtime["id"], TYPES)
    return beamtime["id"], ids


async def body_of(response: Any, status: int) -> Any:
    assert response.status_code == status, await response.get_data(as_text=True)
    return await response.get_json()


async def feed(app: Quart, beamtime_id: int) -> list[Change]:
    async with db_of(app).read() as session:
        rows = await session.scalars(
            select(Change)
            .where(Change.beamtime_id == beamtime_id, Change.entity == "run")
            .order_by(Change.seq)
        )
        return list(rows)


async def test_post_starts_run_one_then_counts_up(client: Client, app: Quart) -> None:
    bt, _ = await setup(client, app)
    before = datetime.now(UTC)
    response = await client.post(f"/api/beamtimes/{bt}/runs", json={})
    first = await body_of(response, 201)
    assert response.headers["ETag"] == '"1"'
    assert set(first) == {
        "number",
        "started",
        "stopped",
        "experiment_type_id",
        "attributi",
        "data_paths",
        "version",
        "created_at",
        "updated_at",
    }
    assert first["number"] == 1 and first["version"] == 1
    assert first["stopped"] is None and first["attributi"] == {} and first["data_paths"] == []
    started = datetime.fromisoformat(first["started"])
    assert before - timedelta(seconds=1) <= started <= datetime.now(UTC)
    assert first["started"].endswith("Z")
    second = await body_of(await client.post(f"/api/beamtimes/{bt}/runs", json={}), 201)
    assert second["number"] == 2
    tenth = await client.post(f"/api/beamtimes/{bt}/runs", json={"number": 10})
    assert (await body_of(tenth, 201))["number"] == 10
    eleventh = await body_of(await client.post(f"/api/beamtimes/{bt}/runs", json={}), 201)
    assert eleventh["number"] == 11


async def test_duplicate_number_is_409(client: Client, app: Quart) -> None:
    bt, _ = await setup(client, app)
    await body_of(await client.post(f"/api/beamtimes/{bt}/runs", json={"number": 3}), 201)
    response = await client.post(f"/api/beamtimes/{bt}/runs", json={"number": 3})
    assert response.status_code == 409
    huge = 2**40
    assert (
        await client.post(f"/api/beamtimes/{bt}/runs", json={"number": huge})
    ).status_code == 422
    # A URL with a number beyond the columns names nothing, whatever the method.
    assert (await client.put(f"/api/beamtimes/{bt}/runs/{huge}", json={})).status_code == 404
    assert (await client.get(f"/api/beamtimes/{bt}/runs/{huge}")).status_code == 404
    foreign = {"experiment_type_id": huge}
    assert (await client.post(f"/api/beamtimes/{bt}/runs", json=foreign)).status_code == 422


async def test_post_with_everything_round_trips(client: Client, app: Quart) -> None:
    bt, _ = await setup(client, app)
    lyso = await add_chemical(db_of(app), bt, "lysozyme")
    type_id = await add_experiment_type(db_of(app), bt, "SFX")
    payload = {
        "started": "2026-11-21T10:00:00+02:00",
        "stopped": "2026-11-21T10:30:00.250000Z",
        "experiment_type_id": type_id,
        "attributi": {
            "detector_distance": 120,
            "FRAMES": 5,  # names match case-insensitively
            "comment": "thin crystals",
            "good": True,
            "mode": "fast",
            "tags": ["a", "b"],
            "sample": lyso,
            "taken": "2026-11-21T10:00:00+01:00",
        },
        "data_paths": [{"path": "/raw/r0001/*.h5"}, {"path": "/proc/r1", "source": "processed"}],
    }
    created = await body_of(await client.post(f"/api/beamtimes/{bt}/runs", json=payload), 201)
    assert created["started"] == "2026-11-21T08:00:00Z"
    assert created["stopped"] == "2026-11-21T10:30:00.250000Z"
    assert created["experiment_type_id"] == type_id
    assert created["attributi"] == {
        "detector_distance": 120.0,
        "frames": 5,
        "comment": "thin crystals",
        "good": True,
        "mode": "fast",
        "tags": ["a", "b"],
        "sample": lyso,
        "taken": "2026-11-21T09:00:00.000000Z",
    }
    assert isinstance(created["attributi"]["detector_distance"], float)
    assert created["data_paths"] == [
        {"path": "/raw/r0001/*.h5", "source": "raw"},
        {"path": "/proc/r1", "source": "processed"},
    ]
    fetched = await body_of(await client.get(f"/api/beamtimes/{bt}/runs/1"), 200)
    assert fetched == created
    change = (await feed(app, bt))[-1]
    assert (change.action, change.entity_id, change.before) == ("created", 1, None)
    assert change.after is not None and change.after["attributi"]["comment"] == "thin crystals"


async def test_every_bad_value_is_listed_in_one_422_and_nothing_is_written(
    client: Client, app: Quart
) -> None:
    bt, _ = await setup(client, app)
    other = await create_beamtime(client, external_id="other")
    foreign_chemical = await add_chemical(db_of(app), other["id"], "foreign")
    foreign_type = await add_experiment_type(db_of(app), other["id"], "other type")
    payload = {
        "experiment_type_id": foreign_type,
        "attributi": {
            "detector_distance": 2000,  # above the maximum
            "frames": "many",  # wrong type
            "mode": "medium",  # not a choice
            "tags": ["a", "b", "c"],  # too many items
            "sample": foreign_chemical,  # another beamtime's chemical
            "detektor_distanz": 1,  # unknown, close to a real name
            "comment": "x" * 51,  # too long
            "good": 1,  # a number is not a boolean
            "taken": "2026-11-21T10:00:00",  # no offset
        },
    }
    response = await client.post(f"/api/beamtimes/{bt}/runs", json=payload)
    body = await body_of(response, 422)
    locs = {tuple(error["loc"]) for error in body["errors"]}
    assert locs == {
        ("experiment_type_id",),
        *(("attributi", name) for name in payload["attributi"]),  # type: ignore[attr-defined]
    }
    unknown = next(e for e in body["errors"] if e["loc"] == ["attributi", "detektor_distanz"])
    assert "detector_distance" in unknown["msg"]
    async with db_of(app).read() as session:
        assert list(await session.scalars(select(Run))) == []


async def test_non_finite_and_huge_numbers_are_422(client: Client, app: Quart) -> None:
    bt, _ = await setup(client, app)
    response = await client.post(
        f"/api/beamtimes/{bt}/runs",
        data='{"attributi": {"detector_distance": NaN, "frames": 100000000000000000000000}}',
        headers={"Content-Type": "application/json"},
    )
    body = await body_of(response, 422)
    assert {tuple(e["loc"]) for e in body["errors"]} == {
        ("attributi", "detector_distance"),
        ("attributi", "frames"),
    }


async def test_auto_pilot_copies_manual_values_of_the_highest_run(
    client: Client, app: Quart
) -> None:
    bt, _ = await setup(client, app)
    db = db_of(app)
    await add_attributo(db, bt, "flux", {"kind": "decimal"}, group="automatic")
    sfx = await add_experiment_type(db, bt, "SFX")
    url = f"/api/beamtimes/{bt}/runs"
    first = {"detector_distance": 100, "comment": "first", "mode": "slow", "flux": 1.5}
    await body_of(await client.post(url, json={"number": 5, "attributi": first}), 201)
    older = {"attributi": {"detector_distance": 50}, "number": 2}
    await body_of(await client.post(url, json=older), 201)
    # Without auto-pilot nothing is copied.
    plain = await body_of(await client.post(url, json={}), 201)
    assert plain["attributi"] == {} and plain["experiment_type_id"] is None
    await client.delete(f"{url}/{plain['number']}")
    await configure(db, bt, auto_pilot=True, current_experiment_type_id=sfx)
    sent = {"attributi": {"comment": "mine", "mode": None}}
    run = await body_of(await client.post(url, json=sent), 201)
    assert run["number"] == 6
    # manual values of run 5 (the highest number), not the automatic one; explicit wins;
    # an explicit null keeps the value unset.
    assert run["attributi"] == {"detector_distance": 100.0, "comment": "mine"}
    assert run["experiment_type_id"] == sfx
    put = await client.put(f"{url}/9", json={"experiment_type_id": None})
    assert (await body_of(put, 201))["attributi"] == {"detector_distance": 100.0, "comment": "mine"}
    assert (await put.get_json())["experiment_type_id"] is None


async def test_put_creates_then_updates_by_number(client: Client, app: Quart) -> None:
    bt, _ = await setup(client, app)
    url = f"/api/beamtimes/{bt}/runs/7"
    payload = {
        "attributi": {"frames": 10, "comment": "c"},
        "data_paths": [{"path": "/raw/7/*.h5"}],
    }
    created = await client.put(url, json=payload)
    assert (await body_of(created, 201))["number"] == 7
    again = await client.put(url, json=payload)
    unchanged = await body_of(again, 200)
    assert unchanged["version"] == 1  # nothing changed, nothing written
    update = {"attributi": {"frames": 11, "comment": None}, "stopped": "2030-01-01T00:00:00Z"}
    response = await client.put(url, json=update, headers={"If-Match": '"1"'})
    updated = await body_of(response, 200)
    assert updated["attributi"] == {"frames": 11}
    assert updated["data_paths"] == [{"path": "/raw/7/*.h5", "source": "raw"}]
    assert updated["version"] == 2 and response.headers["ETag"] == '"2"'
    replaced = await client.put(url, json={"data_paths": []})
    assert (await body_of(replaced, 200))["data_paths"] == []
    stale = await client.put(url, json={"attributi": {"frames": 1}}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    missing = await client.put(f"/api/beamtimes/{bt}/runs/8", json={}, headers={"If-Match": '"1"'})
    assert missing.status_code == 412
    changes = await feed(app, bt)
    assert [c.action for c in changes] == ["created", "updated", "updated"]
    assert changes[1].before == {"attributi": {"frames": 10, "comment": "c"}, "stopped": None}
    assert changes[1].after == {
        "attributi": {"frames": 11, "comment": None},
        "stopped": "2030-01-01T00:00:00+00:00",
    }
    assert changes[2].before == {"data_paths": [{"path": "/raw/7/*.h5", "source": "raw"}]}


async def test_get_latest_and_missing_runs(client: Client, app: Quart) -> None:
    bt, _ = await setup(client, app)
    assert (await client.get(f"/api/beamtimes/{bt}/runs/latest")).status_code == 404
    assert (await client.get(f"/api/beamtimes/{bt}/runs/1")).status_code == 404
    assert (await client.get("/api/beamtimes/999/runs/latest")).status_code == 404
    for number in (3, 12, 5):
        await client.post(f"/api/beamtimes/{bt}/runs", json={"number": number})
    latest = await body_of(await client.get(f"/api/beamtimes/{bt}/runs/latest"), 200)
    assert latest["number"] == 12


async def test_patch_changes_only_what_it_sends(client: Client, app: Quart) -> None:
    bt, _ = await setup(client, app)
    url = f"/api/beamtimes/{bt}/runs"
    await client.post(
        url,
        json={
            "stopped": "2030-01-01T00:00:00Z",
            "attributi": {"frames": 1, "comment": "keep"},
            "data_paths": [{"path": "/a"}],
        },
    )
    response = await client.patch(f"{url}/latest", json={"attributi": {"frames": 2}})
    patched = await body_of(response, 200)
    assert patched["attributi"] == {"frames": 2, "comment": "keep"}
    assert patched["stopped"] == "2030-01-01T00:00:00Z"
    assert patched["data_paths"] == [{"path": "/a", "source": "raw"}]
    cleared = await client.patch(f"{url}/1", json={"stopped": None, "data_paths": None})
    body = await body_of(cleared, 200)
    assert body["stopped"] is None and body["data_paths"] == []
    assert (await client.patch(f"{url}/1", json={"started": None})).status_code == 422
    assert (await client.patch(f"{url}/1", json={"number": 4})).status_code == 422
    early = await client.patch(f"{url}/1", json={"stopped": "2000-01-01T00:00:00Z"})
    assert early.status_code == 422
    stale = await client.patch(f"{url}/1", json={"attributi": {}}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await client.patch(f"{url}/2", json={})).status_code == 404


async def test_delete_honours_if_match_and_records_the_run(client: Client, app: Quart) -> None:
    bt, _ = await setup(client, app)
    url = f"/api/beamtimes/{bt}/runs"
    await client.post(url, json={"attributi": {"frames": 3}, "data_paths": [{"path": "/x"}]})
    assert (await client.delete(f"{url}/1", headers={"If-Match": '"4"'})).status_code == 412
    assert (await client.delete(f"{url}/latest", headers={"If-Match": '"1"'})).status_code == 204
    assert (await client.get(f"{url}/1")).status_code == 404
    assert (await client.delete(f"{url}/1")).status_code == 404
    deleted = (await feed(app, bt))[-1]
    assert (deleted.action, deleted.entity_id) == ("deleted", 1)
    assert deleted.before is not None and deleted.before["attributi"] == {"frames": 3}
    async with db_of(app).read() as session:
        assert list(await session.scalars(select(RunDataPath))) == []


async def test_stop_sets_stopped_once(client: Client, app: Quart) -> None:
    bt, _ = await setup(client, app)
    url = f"/api/beamtimes/{bt}/runs"
    assert (await client.post(f"{url}/latest/stop")).status_code == 404
    await client.post(url, json={"started": "2026-11-21T08:00:00Z"})
    stopped = await body_of(await client.post(f"{url}/latest/stop"), 200)
    assert stopped["stopped"] is not None and stopped["version"] == 2
    again = await body_of(await client.post(f"{url}/1/stop"), 200)
    assert again["stopped"] == stopped["stopped"] and again["version"] == 2
    assert [c.action for c in await feed(app, bt)] == ["created", "updated"]


async def test_bulk_update_is_all_or_nothing(client: Client, app: Quart) -> None:
    bt, _ = await setup(client, app)
    sfx = await add_experiment_type(db_of(app), bt, "SFX")
    url = f"/api/beamtimes/{bt}/runs"
    for number in (1, 2, 3, 10, 11):
        await client.post(url, json={"number": number, "attributi": {"frames": number}})
    await client.patch(f"{url}/2", json={"attributi": {"comment": "set"}})
    bad = await client.patch(
        url, json={"runs": "1-3", "attributi": {"comment": "set", "frames": -1}}
    )
    assert [e["loc"] for e in (await body_of(bad, 422))["errors"]] == [["attributi", "frames"]]
    none = await client.patch(url, json={"runs": "4-9", "attributi": {"comment": "x"}})
    assert (await body_of(none, 422))["errors"][0]["loc"] == ["runs"]
    garbage = await client.patch(url, json={"runs": "3-1", "attributi": {}})
    assert garbage.status_code == 422
    edit = {"runs": "2-10,11,40-50", "attributi": {"comment": "set"}, "experiment_type_id": sfx}
    result = await body_of(await client.patch(url, json=edit), 200)
    assert result == {"updated": 4, "changed": 4, "runs": "2-3,10-11"}
    run2 = await body_of(await client.get(f"{url}/2"), 200)
    assert run2["attributi"] == {"frames": 2, "comment": "set"}
    assert run2["experiment_type_id"] == sfx
    run1 = await body_of(await client.get(f"{url}/1"), 200)
    assert run1["experiment_type_id"] is None
    updates = [c for c in await feed(app, bt) if c.action == "updated"]
    assert sorted(c.entity_id for c in updates) == [2, 2, 3, 10, 11]
    assert updates[-1].after == {"attributi": {"comment": "set"}, "experiment_type_id": sfx}
    cleared = await client.patch(url, json={"runs": "1-100", "attributi": {"comment": None}})
    assert (await body_of(cleared, 200))["changed"] == 4


async def test_unknown_beamtime_is_404(client: Client) -> None:
    assert (await client.post("/api/beamtimes/999/runs", json={})).status_code == 404
    assert (await client.put("/api/beamtimes/999/runs/1", json={})).status_code == 404
    assert (await client.get("/api/beamtimes/999/runs")).status_code == 404


async def test_bad_data_paths_are_422(client: Client, app: Quart) -> None:
    bt, _ = await setup(client, app)
    url = f"/api/beamtimes/{bt}/runs"
    for paths in ([{"path": ""}], [{"path": "x" * 2049}], [{"path": "/a", "bogus": 1}]):
        assert (await client.post(url, json={"data_paths": paths})).status_code == 422


@pytest.mark.slow
async def test_concurrent_starts_get_distinct_numbers(client: Client, app: Quart) -> None:
    bt, _ = await setup(client, app)
    url = f"/api/beamtimes/{bt}/runs"

    async def start_runs() -> list[int]:
        numbers = []
        for _ in range(20):
            response = await client.post(url, json={"attributi": {"frames": 1}})
            numbers.append((await body_of(response, 201))["number"])
        return numbers

    results = await asyncio.gather(*(start_runs() for _ in range(20)))
    numbers = [number for batch in results for number in batch]
    assert sorted(numbers) == list(range(1, 401))
