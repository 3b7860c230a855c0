from __future__ import annotations

from typing import Any

from quart import Quart
from quart.typing import TestClientProtocol as Client

from tests.support.factories import create_attributo, create_beamtime, create_chemical
from tests.support.rows import (
    changes_of,
    data_set_document,
    insert_data_set,
    insert_file,
    insert_run,
    last_seq,
    run_document,
)


def url(beamtime_id: int, chemical_id: int | None = None) -> str:
    base = f"/api/beamtimes/{beamtime_id}/chemicals"
    return base if chemical_id is None else f"{base}/{chemical_id}"


async def beamtime_with_attributi(client: Client) -> int:
    bt: int = (await create_beamtime(client))["id"]
    await create_attributo(
        client, bt, "pH", {"kind": "decimal", "minimum": 0, "maximum": 14}, "chemical"
    )
    await create_attributo(
        client, bt, "shape", {"kind": "choice", "choices": ["needle", "plate"]}, "chemical"
    )
    await create_attributo(client, bt, "harvested", {"kind": "datetime"}, "chemical")
    await create_attributo(
        client, bt, "cell", {"kind": "list", "item_kind": "decimal", "max_items": 6}, "chemical"
    )
    return bt


async def patch(client: Client, bt: int, chemical: dict[str, Any], body: dict[str, Any]) -> Any:
    return await client.patch(
        url(bt, chemical["id"]), json=body, headers={"If-Match": f'"{chemical["version"]}"'}
    )


async def test_create_get_and_feed(client: Client, app: Quart) -> None:
    bt = await beamtime_with_attributi(client)
    file_id = await insert_file(app, bt)
    response = await client.post(
        url(bt),
        json={
            "name": "Lysozyme",
            "responsible_person": "Ada",
            "attributi": {"ph": 7, "shape": "needle", "harvested": "2026-11-21T10:00:00+01:00"},
            "file_ids": [file_id],
        },
    )
    assert response.status_code == 201, await response.get_json()
    body = await response.get_json()
    assert response.headers["ETag"] == '"1"'
    assert body["attributi"] == {
        "pH": 7.0,
        "shape": "needle",
        "harvested": "2026-11-21T09:00:00.000000Z",
    }
    assert (body["name"], body["responsible_person"], body["file_ids"]) == (
        "Lysozyme",
        "Ada",
        [file_id],
    )
    assert body["version"] == 1
    assert body["created_at"] == body["updated_at"]
    assert await (await client.get(url(bt, body["id"]))).get_json() == body
    change = (await changes_of(app, bt))[-1]
    assert (change.entity, change.entity_id, change.action) == ("chemical", body["id"], "created")
    assert change.after == {
        "name": "Lysozyme",
        "responsible_person": "Ada",
        "attributi": body["attributi"],
        "file_ids": [file_id],
    }


async def test_defaults_and_naive_datetimes_in_the_beamtime_zone(client: Client) -> None:
    bt = await beamtime_with_attributi(client)
    body = await create_chemical(
        client, bt, "plain", attributi={"harvested": "2026-07-01T12:00:00"}
    )
    assert body["responsible_person"] == ""
    assert body["file_ids"] == []
    assert body["attributi"] == {"harvested": "2026-07-01T10:00:00.000000Z"}  # CEST


async def test_every_invalid_field_in_one_422_and_nothing_written(
    client: Client, app: Quart
) -> None:
    bt = await beamtime_with_attributi(client)
    other = (await create_beamtime(client, external_id="other"))["id"]
    foreign_file = await insert_file(app, other)
    own_file = await insert_file(app, bt)
    seq = await last_seq(app, bt)
    response = await client.post(
        url(bt),
        json={
            "name": "bad",
            "attributi": {
                "pH": 15,
                "shape": "cube",
                "colour": "red",
                "cell": [1, "a"],
                "harvested": "yesterday",
            },
            "file_ids": [own_file, foreign_file, 424242],
        },
    )
    assert response.status_code == 422
    locs = [tuple(e["loc"]) for e in (await response.get_json())["errors"]]
    assert sorted(locs, key=str) == sorted(
        [
            ("attributi", "pH"),
            ("attributi", "shape"),
            ("attributi", "colour"),
            ("attributi", "cell"),
            ("attributi", "harvested"),
            ("file_ids", 1),
            ("file_ids", 2),
        ],
        key=str,
    )
    assert (await (await client.get(url(bt))).get_json())["total"] == 0
    assert await changes_of(app, bt, seq) == []


async def test_schema_errors(client: Client) -> None:
    bt = await beamtime_with_attributi(client)
    for body in (
        {"name": ""},
        {"name": " x"},
        {"name": "x", "extra": 1},
        {"name": "x", "file_ids": ["a"]},
        {"name": "x", "attributi": []},
        {"name": "x", "attributi": {"pH": 2**70}},
    ):
        response = await client.post(url(bt), json=body)
        assert response.status_code == 422, body


async def test_names_are_unique_ignoring_case(client: Client) -> None:
    bt = await beamtime_with_attributi(client)
    other = (await create_beamtime(client, external_id="other"))["id"]
    await create_chemical(client, bt, "Lysozyme")
    await create_chemical(client, other, "lysozyme")
    assert (await client.post(url(bt), json={"name": "LYSOZYME"})).status_code == 409
    thaumatin = await create_chemical(client, bt, "thaumatin")
    assert (await patch(client, bt, thaumatin, {"name": "lysozyme"})).status_code == 409
    renamed = await patch(client, bt, thaumatin, {"name": "Thaumatin"})
    assert (await renamed.get_json())["name"] == "Thaumatin"


async def test_list_ordered_by_name_with_cursor(client: Client) -> None:
    bt = await beamtime_with_attributi(client)
    for name in ("beta", "Alpha", "delta", "Gamma", "epsilon"):
        await create_chemical(client, bt, name)
    seen: list[str] = []
    cursor = None
    while True:
        query = url(bt) + "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = await (await client.get(query)).get_json()
        assert page["total"] == 5
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Alpha", "beta", "delta", "epsilon", "Gamma"]
    assert (await client.get(url(4242))).status_code == 404


async def test_patch_merges_values_clears_nulls_and_replaces_files(
    client: Client, app: Quart
) -> None:
    bt = await beamtime_with_attributi(client)
    first, second, third = [await insert_file(app, bt, bytes([n])) for n in range(3)]
    chemical = await create_chemical(
        client, bt, "lyso", attributi={"pH": 7.0, "shape": "plate"}, file_ids=[second, first]
    )
    assert chemical["file_ids"] == [first, second]
    response = await patch(
        client,
        bt,
        chemical,
        {
            "attributi": {"pH": 6.5, "shape": None, "cell": [79.1, 79.1, 38.0]},
            "file_ids": [third, third],
        },
    )
    assert response.status_code == 200, await response.get_json()
    body = await response.get_json()
    assert body["attributi"] == {"pH": 6.5, "cell": [79.1, 79.1, 38.0]}
    assert body["file_ids"] == [third]
    assert body["version"] == 2
    assert response.headers["ETag"] == '"2"'
    assert body["updated_at"] > chemical["updated_at"]
    change = (await changes_of(app, bt))[-1]
    assert change.before == {
        "attributi": {"pH": 7.0, "shape": "plate", "cell": None},
        "file_ids": [first, second],
    }
    assert change.after == {
        "attributi": {"pH": 6.5, "shape": None, "cell": [79.1, 79.1, 38.0]},
        "file_ids": [third],
    }
    # Only the files change: still a new version.
    files_only = await patch(client, bt, body, {"file_ids": []})
    assert (await files_only.get_json())["version"] == 3
    # Nothing changes: no new version, no change row.
    seq = await last_seq(app, bt)
    same = await patch(client, bt, await files_only.get_json(), {"name": "lyso", "file_ids": []})
    assert (await same.get_json())["version"] == 3
    assert await changes_of(app, bt, seq) == []


async def test_patch_validates_like_create(client: Client, app: Quart) -> None:
    bt = await beamtime_with_attributi(client)
    other = (await create_beamtime(client, external_id="other"))["id"]
    chemical = await create_chemical(client, bt, "lyso", attributi={"pH": 7.0})
    response = await patch(
        client,
        bt,
        chemical,
        {"attributi": {"pH": "acidic"}, "file_ids": [await insert_file(app, other)]},
    )
    assert response.status_code == 422
    assert [e["loc"] for e in (await response.get_json())["errors"]] == [
        ["file_ids", 0],
        ["attributi", "pH"],
    ]
    assert (await (await client.get(url(bt, chemical["id"]))).get_json())["version"] == 1


async def test_if_match(client: Client) -> None:
    bt = await beamtime_with_attributi(client)
    chemical = await create_chemical(client, bt, "lyso")
    assert (await patch(client, bt, chemical, {"responsible_person": "Bob"})).status_code == 200
    assert (await patch(client, bt, chemical, {"responsible_person": "Eve"})).status_code == 412
    stale = await client.delete(url(bt, chemical["id"]), headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    current = await (await client.get(url(bt, chemical["id"]))).get_json()
    assert current["responsible_person"] == "Bob"
    ok = await client.delete(url(bt, chemical["id"]), headers={"If-Match": '"2"'})
    assert ok.status_code == 204
    assert (await client.get(url(bt, chemical["id"]))).status_code == 404


async def test_foreign_chemical_is_404(client: Client) -> None:
    bt = await beamtime_with_attributi(client)
    other = (await create_beamtime(client, external_id="other"))["id"]
    foreign = await create_chemical(client, other, "lyso")
    assert (await client.get(url(bt, foreign["id"]))).status_code == 404
    assert (await client.patch(url(bt, foreign["id"]), json={"name": "x"})).status_code == 404
    assert (await client.delete(url(bt, foreign["id"]))).status_code == 404


async def test_delete_refuses_while_used_and_force_detaches(client: Client, app: Quart) -> None:
    bt = await beamtime_with_attributi(client)
    sample = await create_attributo(client, bt, "sample", {"kind": "chemical"})
    buffer = await create_attributo(client, bt, "buffer", {"kind": "chemical"})
    lyso = await create_chemical(client, bt, "lyso", attributi={"pH": 7.0})
    hepes = await create_chemical(client, bt, "hepes")
    for number in (1, 2, 3, 5):
        await insert_run(
            app, bt, number, attributi={sample["id"]: lyso["id"], buffer["id"]: hepes["id"]}
        )
    await insert_run(app, bt, 4, attributi={sample["id"]: hepes["id"]})
    _, lyso_set = await insert_data_set(app, bt, {sample["id"]: lyso["id"]}, name="by sample")
    _, hepes_set = await insert_data_set(app, bt, {sample["id"]: hepes["id"]}, name="other")

    refused = await client.delete(url(bt, lyso["id"]))
    assert refused.status_code == 409
    detail = (await refused.get_json())["detail"]
    assert "runs 1-3,5" in detail
    assert f"data sets {lyso_set}" in detail
    assert (await client.get(url(bt, lyso["id"]))).status_code == 200

    seq = await last_seq(app, bt)
    assert (await client.delete(url(bt, lyso["id"]) + "?force=true")).status_code == 204
    assert (await client.get(url(bt, lyso["id"]))).status_code == 404
    assert await run_document(app, bt, 1) == ({str(buffer["id"]): hepes["id"]}, 2)
    assert await run_document(app, bt, 4) == ({str(sample["id"]): hepes["id"]}, 1)
    assert await data_set_document(app, lyso_set) is None
    assert await data_set_document(app, hepes_set) == {str(sample["id"]): hepes["id"]}
    feed = [
        (c.entity, c.entity_id, c.action, c.before, c.after) for c in await changes_of(app, bt, seq)
    ]
    assert feed[0][:3] == ("chemical", lyso["id"], "deleted")
    assert feed[0][3] is not None and feed[0][3]["attributi"] == {"pH": 7.0}
    run_rows = [row for row in feed if row[0] == "run"]
    assert [row[1] for row in run_rows] == [1, 2, 3, 5]
    assert run_rows[0][3:] == (
        {"attributi": {"sample": lyso["id"]}},
        {"attributi": {"sample": None}},
    )
    assert ("data_set", lyso_set, "deleted") in [row[:3] for row in feed]
    data_set_row = next(row for row in feed if row[0] == "data_set")
    assert data_set_row[3] is not None and data_set_row[3]["attributi"] == {"sample": lyso["id"]}
    assert len(feed) == 6


async def test_unused_chemical_deletes_without_force(client: Client, app: Quart) -> None:
    bt = await beamtime_with_attributi(client)
    file_id = await insert_file(app, bt)
    chemical = await create_chemical(client, bt, "lyso", file_ids=[file_id])
    assert (await client.delete(url(bt, chemical["id"]))).status_code == 204
    last = (await changes_of(app, bt))[-1]
    assert (last.entity, last.action) == ("chemical", "deleted")
    assert last.before is not None and last.before["file_ids"] == [file_id]
