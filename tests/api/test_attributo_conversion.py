"""Changing an attributo's type converts every stored value, or nothing at all."""

from __future__ import annotations

from typing import Any

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client
from sqlalchemy import select

from amarcord.db.models import Run
from tests.support.factories import create_attributo, create_beamtime, create_chemical
from tests.support.rows import (
    changes_of,
    data_set_document,
    database,
    insert_data_set,
    insert_run,
    insert_runs,
    last_seq,
    run_document,
)

MHZ = {"kind": "decimal", "unit": "MHz"}
KHZ = {"kind": "decimal", "unit": "kHz"}
CHOICE = {"kind": "choice", "choices": ["soak", "co-crystal"]}


async def retype(
    client: Client, bt: int, attributo: dict[str, Any], type_: dict[str, Any], **extra: Any
) -> Any:
    return await client.patch(
        f"/api/beamtimes/{bt}/attributi/{attributo['id']}",
        json={"type": type_, **extra},
        headers={"If-Match": f'"{attributo["version"]}"'},
    )


@pytest.mark.parametrize(
    ("old", "stored", "new", "converted"),
    [
        ({"kind": "integer"}, 3, {"kind": "decimal"}, 3.0),
        ({"kind": "decimal"}, 2.0, {"kind": "integer", "maximum": 5}, 2),
        (MHZ, 1.5, KHZ, 1500.0),
        ({"kind": "decimal", "unit": "mm"}, 1.5, {"kind": "decimal", "unit": "µm"}, 1500.0),
        ({"kind": "decimal", "unit": "degC"}, 20.0, {"kind": "decimal", "unit": "K"}, 293.15),
        ({"kind": "decimal"}, 0.0, {"kind": "boolean"}, False),
        ({"kind": "integer"}, 42, {"kind": "string"}, "42"),
        ({"kind": "integer"}, 7, {"kind": "boolean"}, True),
        ({"kind": "string"}, " 17 ", {"kind": "integer"}, 17),
        ({"kind": "string"}, "2.5", {"kind": "decimal"}, 2.5),
        ({"kind": "string"}, "Yes", {"kind": "boolean"}, True),
        ({"kind": "string"}, "soak", CHOICE, "soak"),
        (
            {"kind": "string"},
            "2026-11-22T14:03:00",
            {"kind": "datetime"},
            "2026-11-22T13:03:00.000000Z",  # read in the beamtime's zone, Europe/Berlin
        ),
        ({"kind": "boolean"}, True, {"kind": "string"}, "true"),
        ({"kind": "boolean"}, False, {"kind": "integer"}, 0),
        (CHOICE, "soak", {"kind": "string"}, "soak"),
        (CHOICE, "soak", {"kind": "choice", "choices": ["soak", "other"]}, "soak"),
        ({"kind": "datetime"}, "2026-11-22T14:03:00.000000Z", {"kind": "string"}, None),
        ({"kind": "integer"}, 5, {"kind": "list", "item_kind": "integer"}, [5]),
        (
            {"kind": "list", "item_kind": "string"},
            ["1", "2"],
            {"kind": "list", "item_kind": "decimal", "max_items": 2},
            [1.0, 2.0],
        ),
        ({"kind": "string", "max_length": 3}, "abc", {"kind": "string"}, None),
    ],
)
async def test_every_conversion_path_converts_run_values(
    client: Client,
    app: Quart,
    old: dict[str, Any],
    stored: Any,
    new: dict[str, Any],
    converted: Any,
) -> None:
    expected = stored if converted is None else converted
    bt = (await create_beamtime(client))["id"]
    attributo = await create_attributo(client, bt, "value", old)
    await insert_run(app, bt, 4, attributi={attributo["id"]: stored})
    seq = await last_seq(app, bt)
    response = await retype(client, bt, attributo, new)
    assert response.status_code == 200, await response.get_json()
    body = await response.get_json()
    assert body["type"]["kind"] == new["kind"]
    assert body["version"] == 2
    document, version = await run_document(app, bt, 4)
    assert document == {str(attributo["id"]): expected}
    assert type(document[str(attributo["id"])]) is type(expected)
    feed = await changes_of(app, bt, seq)
    assert (feed[0].entity, feed[0].action) == ("attributo", "updated")
    assert feed[0].after is not None and "type" in feed[0].after
    if expected == stored and type(expected) is type(stored):
        assert len(feed) == 1 and version == 1
    else:
        assert len(feed) == 2 and version == 2
        assert (feed[1].entity, feed[1].entity_id, feed[1].action) == ("run", 4, "updated")
        assert feed[1].after == {"attributi": {"value": expected}}


async def test_unit_change_converts_chemicals_and_data_sets_too(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    run_frequency = await create_attributo(client, bt, "frequency", MHZ)
    chemical_frequency = await create_attributo(client, bt, "resonance", MHZ, table="chemical")
    chemical = await create_chemical(client, bt, "quartz", attributi={"resonance": 2.25})
    _, data_set_id = await insert_data_set(app, bt, {run_frequency["id"]: 1.5})
    await insert_run(app, bt, 1, attributi={run_frequency["id"]: 1.5})

    assert (await retype(client, bt, run_frequency, KHZ)).status_code == 200
    assert (await retype(client, bt, chemical_frequency, KHZ)).status_code == 200

    assert await data_set_document(app, data_set_id) == {str(run_frequency["id"]): 1500.0}
    assert (await run_document(app, bt, 1))[0] == {str(run_frequency["id"]): 1500.0}
    fetched = await (await client.get(f"/api/beamtimes/{bt}/chemicals/{chemical['id']}")).get_json()
    assert fetched["attributi"] == {"resonance": 2250.0}
    assert fetched["version"] == 2
    last = (await changes_of(app, bt))[-1]
    assert (last.entity, last.entity_id) == ("chemical", chemical["id"])
    assert last.before == {"attributi": {"resonance": 2.25}}
    assert last.after == {"attributi": {"resonance": 2250.0}}


async def test_ignore_units_keeps_the_numbers(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    attributo = await create_attributo(client, bt, "frequency", MHZ)
    await insert_run(app, bt, 1, attributi={attributo["id"]: 1.5})
    response = await retype(client, bt, attributo, KHZ, ignore_units=True)
    assert response.status_code == 200
    assert (await response.get_json())["type"]["unit"] == "kHz"
    assert (await run_document(app, bt, 1)) == ({str(attributo["id"]): 1.5}, 1)


async def test_incompatible_units_fail_unless_ignored(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    attributo = await create_attributo(client, bt, "length", {"kind": "decimal", "unit": "mm"})
    await insert_run(app, bt, 3, attributi={attributo["id"]: 1.5})
    seconds = {"kind": "decimal", "unit": "s"}
    failed = await retype(client, bt, attributo, seconds)
    assert failed.status_code == 422
    error = (await failed.get_json())["errors"][0]
    assert error["loc"] == ["runs", 3, "length"]
    assert "mm" in error["msg"]
    assert (await retype(client, bt, attributo, seconds, ignore_units=True)).status_code == 200


async def test_a_failing_value_aborts_everything(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    attributo = await create_attributo(client, bt, "count", {"kind": "string"})
    chemical_count = await create_attributo(
        client, bt, "count", {"kind": "string"}, table="chemical"
    )
    for number, value in ((1, "12"), (2, "abc"), (3, "7"), (4, "x")):
        await insert_run(app, bt, number, attributi={attributo["id"]: value})
    _, data_set_id = await insert_data_set(app, bt, {attributo["id"]: "zzz"})
    await create_chemical(client, bt, "Lysozyme", attributi={"count": "many"})
    seq = await last_seq(app, bt)

    response = await retype(client, bt, attributo, {"kind": "integer"}, name="counter")
    assert response.status_code == 422
    body = await response.get_json()
    errors = {tuple(e["loc"]): e["msg"] for e in body["errors"]}
    assert set(errors) == {
        ("runs", 2, "counter"),
        ("runs", 4, "counter"),
        ("data_sets", data_set_id, "counter"),
    }
    assert "'abc'" in errors[("runs", 2, "counter")]
    assert "3" in body["detail"]

    unchanged = await (
        await client.get(f"/api/beamtimes/{bt}/attributi/{attributo['id']}")
    ).get_json()
    assert unchanged == attributo
    assert await changes_of(app, bt, seq) == []
    async with database(app).read() as session:
        runs = (await session.scalars(select(Run).order_by(Run.number))).all()
        assert [(r.attributi[str(attributo["id"])], r.version) for r in runs] == [
            ("12", 1),
            ("abc", 1),
            ("7", 1),
            ("x", 1),
        ]
    assert await data_set_document(app, data_set_id) == {str(attributo["id"]): "zzz"}

    chemical_failure = await retype(client, bt, chemical_count, {"kind": "decimal"})
    assert chemical_failure.status_code == 422
    assert (await chemical_failure.get_json())["errors"][0]["loc"] == [
        "chemicals",
        "Lysozyme",
        "count",
    ]


async def test_new_constraints_apply_to_old_values(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    attributo = await create_attributo(client, bt, "count", {"kind": "integer"})
    await insert_run(app, bt, 1, attributi={attributo["id"]: 50})
    response = await retype(client, bt, attributo, {"kind": "integer", "maximum": 10})
    assert response.status_code == 422
    assert "maximum" in (await response.get_json())["errors"][0]["msg"]


async def test_a_kind_without_conversion_is_fine_while_nothing_is_stored(
    client: Client, app: Quart
) -> None:
    bt = (await create_beamtime(client))["id"]
    attributo = await create_attributo(client, bt, "sample", {"kind": "integer"})
    response = await retype(client, bt, attributo, {"kind": "chemical"})
    assert response.status_code == 200
    sample = await response.get_json()
    await insert_run(app, bt, 1, attributi={attributo["id"]: 3})
    failed = await retype(client, bt, sample, {"kind": "datetime"})
    assert failed.status_code == 422
    assert "no conversion" in (await failed.get_json())["errors"][0]["msg"]


async def test_retyping_many_runs_writes_one_change_per_changed_run(
    client: Client, app: Quart
) -> None:
    bt = (await create_beamtime(client))["id"]
    attributo = await create_attributo(client, bt, "energy", {"kind": "integer"})
    other = await create_attributo(client, bt, "comment", {"kind": "string"})
    count = 1200  # more than one batch of updates
    await insert_runs(
        app,
        bt,
        {
            number: {attributo["id"]: number} if number % 3 else {other["id"]: "no energy"}
            for number in range(1, count + 1)
        },
    )
    seq = await last_seq(app, bt)
    assert (await retype(client, bt, attributo, {"kind": "decimal"})).status_code == 200
    feed = await changes_of(app, bt, seq)
    run_changes = [c for c in feed if c.entity == "run"]
    assert feed[0].entity == "attributo"
    assert [c.entity_id for c in run_changes] == [n for n in range(1, count + 1) if n % 3]
    assert all(c.actor == feed[0].actor for c in run_changes)
    assert run_changes[0].before == {"attributi": {"energy": 1}}
    assert run_changes[0].after == {"attributi": {"energy": 1.0}}
    assert (await run_document(app, bt, 3)) == ({str(other["id"]): "no energy"}, 1)
    assert (await run_document(app, bt, count - 1)) == ({str(attributo["id"]): count - 1.0}, 2)
    assert (await run_document(app, bt, 700)) == ({str(attributo["id"]): 700.0}, 2)
