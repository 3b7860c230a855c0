from __future__ import annotations

from typing import Any

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client
from sqlalchemy import select

from amarcord.db.models import ExperimentTypeAttributo
from tests.support.factories import create_attributo, create_beamtime, create_chemical
from tests.support.rows import (
    changes_of,
    data_set_document,
    database,
    insert_data_set,
    insert_run,
    last_seq,
    run_document,
)

ALL_KINDS: list[dict[str, Any]] = [
    {"kind": "integer", "minimum": 0, "maximum": 10},
    {
        "kind": "decimal",
        "unit": "mm",
        "minimum": 0.0,
        "maximum": 5.0,
        "exclusive_minimum": True,
        "exclusive_maximum": False,
        "tolerance": 0.1,
        "tolerance_is_absolute": True,
    },
    {"kind": "string", "max_length": 20},
    {"kind": "boolean"},
    {"kind": "datetime"},
    {"kind": "choice", "choices": ["soak", "co-crystal"]},
    {"kind": "list", "item_kind": "decimal", "min_items": 1, "max_items": 3},
    {"kind": "chemical"},
]


def _set_fields(type_: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in type_.items() if value not in (None, False)}


def url(beamtime_id: int, attributo_id: int | None = None) -> str:
    base = f"/api/beamtimes/{beamtime_id}/attributi"
    return base if attributo_id is None else f"{base}/{attributo_id}"


async def patch(
    client: Client, beamtime_id: int, attributo: dict[str, Any], body: dict[str, Any]
) -> Any:
    return await client.patch(
        url(beamtime_id, attributo["id"]),
        json=body,
        headers={"If-Match": f'"{attributo["version"]}"'},
    )


async def test_every_kind_with_its_constraints_round_trips(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    for index, type_ in enumerate(ALL_KINDS):
        response = await client.post(
            url(bt),
            json={
                "name": f"a{index}",
                "description": "what it is",
                "group": "automatic",
                "associated_table": "run",
                "type": type_,
            },
        )
        assert response.status_code == 201, await response.get_json()
        body = await response.get_json()
        assert response.headers["ETag"] == '"1"'
        assert body["version"] == 1
        assert (body["name"], body["description"], body["group"]) == (
            f"a{index}",
            "what it is",
            "automatic",
        )
        assert _set_fields(body["type"]) == _set_fields(type_)
        fetched = await client.get(url(bt, body["id"]))
        assert await fetched.get_json() == body
    feed = await changes_of(app, bt)
    created = [c for c in feed if c.entity == "attributo"]
    assert [c.action for c in created] == ["created"] * len(ALL_KINDS)
    assert created[0].after is not None and created[0].after["type"] == ALL_KINDS[0]


async def test_attributo_defaults(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    body = await create_attributo(client, bt, "comment", {"kind": "string"})
    assert body["group"] == "manual"
    assert body["description"] == ""
    assert body["associated_table"] == "run"
    assert body["type"]["max_length"] is None


@pytest.mark.parametrize(
    ("type_", "loc"),
    [
        ({"kind": "decimal", "unit": "bananas"}, ["type", "unit"]),
        ({"kind": "decimal", "unit": "3 mm"}, ["type", "unit"]),
        ({"kind": "integer", "minimum": 5, "maximum": 1}, ["type"]),
        ({"kind": "decimal", "exclusive_minimum": True}, ["type"]),
        ({"kind": "decimal", "tolerance": -1}, ["type", "tolerance"]),
        ({"kind": "string", "max_length": 0}, ["type", "max_length"]),
        ({"kind": "choice", "choices": []}, ["type", "choices"]),
        ({"kind": "choice", "choices": ["a", "a"]}, ["type", "choices"]),
        ({"kind": "list", "item_kind": "chemical"}, ["type", "item_kind"]),
        ({"kind": "list", "item_kind": "string", "max_items": 0}, ["type", "max_items"]),
        ({"kind": "integer", "minimum": "5"}, ["type", "minimum"]),
        ({"kind": "colour"}, ["type"]),
        ({"unit": "mm"}, ["type"]),
        ({"kind": "boolean", "unit": "mm"}, ["type", "unit"]),
    ],
)
async def test_invalid_types_are_422_naming_the_field(
    client: Client, type_: dict[str, Any], loc: list[str]
) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.post(
        url(bt), json={"name": "x", "associated_table": "run", "type": type_}
    )
    assert response.status_code == 422
    body = await response.get_json()
    assert response.headers["Content-Type"] == "application/problem+json"
    assert loc in [error["loc"] for error in body["errors"]], body


async def test_units_are_stored_canonical(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    a = await create_attributo(client, bt, "speed", {"kind": "decimal", "unit": "mm/s"})
    b = await create_attributo(client, bt, "speed2", {"kind": "decimal", "unit": "mm / s"})
    c = await create_attributo(client, bt, "frequency", {"kind": "decimal", "unit": "megahertz"})
    assert a["type"]["unit"] == b["type"]["unit"] == "mm / s"
    assert c["type"]["unit"] == "MHz"
    empty = await create_attributo(client, bt, "ratio", {"kind": "decimal", "unit": ""})
    assert empty["type"]["unit"] is None


async def test_names_are_unique_per_table_ignoring_case(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    other = (await create_beamtime(client, external_id="other"))["id"]
    await create_attributo(client, bt, "Sample", {"kind": "chemical"})
    clash = await client.post(
        url(bt), json={"name": "sAMPLE", "associated_table": "run", "type": {"kind": "string"}}
    )
    assert clash.status_code == 409
    assert "Sample" in (await clash.get_json())["detail"]
    # Another table and another beamtime have their own names.
    await create_attributo(client, bt, "sample", {"kind": "string"}, table="chemical")
    await create_attributo(client, other, "SAMPLE", {"kind": "string"})
    # A rename onto an existing name is a conflict too; onto itself in new case is not.
    comment = await create_attributo(client, bt, "comment", {"kind": "string"})
    assert (await patch(client, bt, comment, {"name": "SAMPLE"})).status_code == 409
    renamed = await patch(client, bt, comment, {"name": "Comment"})
    assert renamed.status_code == 200
    assert (await renamed.get_json())["name"] == "Comment"


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("", "run"),
        (" padded", "run"),
        ("padded ", "chemical"),
        ("x" * 256, "run"),
        ("number", "run"),
        ("Started", "run"),
        ("STOPPED", "run"),
        ("experiment_type", "run"),
    ],
)
async def test_bad_names_are_422(client: Client, name: str, table: str) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.post(
        url(bt), json={"name": name, "associated_table": table, "type": {"kind": "string"}}
    )
    assert response.status_code == 422
    assert ["name"] in [e["loc"] for e in (await response.get_json())["errors"]]


async def test_built_in_names_are_fine_for_chemicals_and_refused_on_rename(
    client: Client,
) -> None:
    bt = (await create_beamtime(client))["id"]
    await create_attributo(client, bt, "number", {"kind": "integer"}, table="chemical")
    run_attributo = await create_attributo(client, bt, "count", {"kind": "integer"})
    response = await patch(client, bt, run_attributo, {"name": "Number"})
    assert response.status_code == 422
    long_name = await create_attributo(client, bt, "y" * 255, {"kind": "integer"})
    assert len(long_name["name"]) == 255


async def test_chemical_kind_only_for_run_attributi(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await client.post(
        url(bt), json={"name": "s", "associated_table": "chemical", "type": {"kind": "chemical"}}
    )
    assert response.status_code == 422
    assert (await response.get_json())["errors"][0]["loc"] == ["type", "kind"]
    chemical_one = await create_attributo(client, bt, "s", {"kind": "integer"}, table="chemical")
    retype = await patch(client, bt, chemical_one, {"type": {"kind": "chemical"}})
    assert retype.status_code == 422


async def test_list_orders_by_table_then_creation_and_filters_and_pages(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    other = (await create_beamtime(client, external_id="other"))["id"]
    await create_attributo(client, other, "elsewhere", {"kind": "string"})
    await create_attributo(client, bt, "c1", {"kind": "string"}, table="chemical")
    await create_attributo(client, bt, "r1", {"kind": "string"})
    await create_attributo(client, bt, "c2", {"kind": "string"}, table="chemical")
    await create_attributo(client, bt, "r2", {"kind": "string"})
    body = await (await client.get(url(bt))).get_json()
    assert [item["name"] for item in body["items"]] == ["c1", "c2", "r1", "r2"]
    assert body["total"] == 4
    assert body["next_cursor"] is None
    runs = await (await client.get(url(bt) + "?table=run")).get_json()
    assert [item["name"] for item in runs["items"]] == ["r1", "r2"]
    assert runs["total"] == 2
    seen: list[str] = []
    cursor = None
    while True:
        query = url(bt) + "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = await (await client.get(query)).get_json()
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["c1", "c2", "r1", "r2"]
    assert (await client.get(url(bt) + "?table=sample")).status_code == 422
    assert (await client.get(url(9999))).status_code == 404


async def test_unknown_or_foreign_attributo_is_404(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    other = (await create_beamtime(client, external_id="other"))["id"]
    foreign = await create_attributo(client, other, "x", {"kind": "string"})
    assert (await client.get(url(bt, foreign["id"]))).status_code == 404
    assert (await client.patch(url(bt, foreign["id"]), json={"name": "y"})).status_code == 404
    assert (await client.delete(url(bt, foreign["id"]))).status_code == 404
    assert (await client.get(url(bt, 123456))).status_code == 404
    missing_beamtime = await client.post(
        url(98765), json={"name": "x", "associated_table": "run", "type": {"kind": "string"}}
    )
    assert missing_beamtime.status_code == 404


async def test_patch_description_and_group_records_only_the_change(
    client: Client, app: Quart
) -> None:
    bt = (await create_beamtime(client))["id"]
    attributo = await create_attributo(client, bt, "comment", {"kind": "string"})
    response = await patch(client, bt, attributo, {"description": "free text", "group": "x"})
    assert response.status_code == 200
    body = await response.get_json()
    assert (body["description"], body["group"], body["version"]) == ("free text", "x", 2)
    assert response.headers["ETag"] == '"2"'
    change = (await changes_of(app, bt))[-1]
    assert (change.entity, change.entity_id, change.action) == ("attributo", body["id"], "updated")
    assert change.before == {"description": "", "group": "manual"}
    assert change.after == {"description": "free text", "group": "x"}
    # Sending the same values again changes nothing and bumps nothing.
    again = await patch(client, bt, body, {"description": "free text"})
    assert (await again.get_json())["version"] == 2
    assert (await changes_of(app, bt))[-1].seq == change.seq


async def test_stale_if_match_is_412_and_changes_nothing(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    attributo = await create_attributo(client, bt, "comment", {"kind": "string"})
    assert (await patch(client, bt, attributo, {"name": "note"})).status_code == 200
    stale = await patch(client, bt, attributo, {"name": "remark"})
    assert stale.status_code == 412
    delete = await client.delete(url(bt, attributo["id"]), headers={"If-Match": '"1"'})
    assert delete.status_code == 412
    current = await (await client.get(url(bt, attributo["id"]))).get_json()
    assert current["name"] == "note"
    ok = await client.delete(url(bt, attributo["id"]), headers={"If-Match": '"2"'})
    assert ok.status_code == 204


async def test_rename_keeps_the_values(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    run_attributo = await create_attributo(client, bt, "distance", {"kind": "integer"})
    chemical_attributo = await create_attributo(
        client, bt, "ph", {"kind": "decimal"}, table="chemical"
    )
    await insert_run(app, bt, 1, attributi={run_attributo["id"]: 120})
    chemical = await create_chemical(client, bt, "lysozyme", attributi={"ph": 7.5})
    await patch(client, bt, run_attributo, {"name": "detector distance"})
    await patch(client, bt, chemical_attributo, {"name": "pH"})
    document, _ = await run_document(app, bt, 1)
    assert document == {str(run_attributo["id"]): 120}
    fetched = await client.get(f"/api/beamtimes/{bt}/chemicals/{chemical['id']}")
    assert (await fetched.get_json())["attributi"] == {"pH": 7.5}


async def test_delete_removes_values_everywhere_and_records_them(
    client: Client, app: Quart
) -> None:
    bt = (await create_beamtime(client))["id"]
    doomed = await create_attributo(client, bt, "distance", {"kind": "integer"})
    kept = await create_attributo(client, bt, "comment", {"kind": "string"})
    chemical_attributo = await create_attributo(
        client, bt, "ph", {"kind": "decimal"}, table="chemical"
    )
    await insert_run(app, bt, 7, attributi={doomed["id"]: 120, kept["id"]: "fine"})
    await insert_run(app, bt, 8, attributi={kept["id"]: "no distance"})
    type_id, data_set_id = await insert_data_set(app, bt, {doomed["id"]: 120, kept["id"]: "x"})
    chemical = await create_chemical(client, bt, "lysozyme", attributi={"ph": 7.5})
    seq = await last_seq(app, bt)

    response = await client.delete(url(bt, doomed["id"]))
    assert response.status_code == 204
    assert (await client.get(url(bt, doomed["id"]))).status_code == 404
    document, version = await run_document(app, bt, 7)
    assert document == {str(kept["id"]): "fine"}
    assert version == 2
    assert (await run_document(app, bt, 8))[1] == 1
    assert await data_set_document(app, data_set_id) == {str(kept["id"]): "x"}
    async with database(app).read() as session:
        links = await session.scalars(
            select(ExperimentTypeAttributo.attributo_id).where(
                ExperimentTypeAttributo.experiment_type_id == type_id
            )
        )
        assert list(links) == [kept["id"]]
    feed = [
        (c.entity, c.entity_id, c.action, c.before, c.after) for c in await changes_of(app, bt, seq)
    ]
    assert feed[0][:3] == ("attributo", doomed["id"], "deleted")
    assert feed[0][3] is not None and feed[0][3]["name"] == "distance"
    assert (
        "run",
        7,
        "updated",
        {"attributi": {"distance": 120}},
        {"attributi": {"distance": None}},
    ) in feed
    assert (
        "data_set",
        data_set_id,
        "updated",
        {"attributi": {"distance": 120}},
        {"attributi": {"distance": None}},
    ) in feed
    assert len(feed) == 3

    await client.delete(url(bt, chemical_attributo["id"]))
    fetched = await client.get(f"/api/beamtimes/{bt}/chemicals/{chemical['id']}")
    assert (await fetched.get_json())["attributi"] == {}
    last = (await changes_of(app, bt))[-1]
    assert (last.entity, last.entity_id, last.before) == (
        "chemical",
        chemical["id"],
        {"attributi": {"ph": 7.5}},
    )


async def test_ids_beyond_32_bits_and_foreign_cursors_are_client_errors(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    for path in (url(bt, 2**40), url(2**40), f"/api/beamtimes/{2**40}/chemicals"):
        assert (await client.get(path)).status_code == 404, path
    for cursor in ("eyJpZCI6MX0", "%%%"):  # {"id":1}: another list's cursor
        assert (await client.get(url(bt) + f"?cursor={cursor}")).status_code == 422
