from __future__ import annotations

from typing import Any

from quart import Quart
from quart.typing import TestClientProtocol as Client

from tests.support.factories import create_attributo, create_beamtime, create_chemical
from tests.support.rows import changes_of, file_content, insert_file, last_seq

MHZ = {"kind": "decimal", "unit": "MHz"}


async def copy(client: Client, bt: int, **body: Any) -> Any:
    return await client.post(f"/api/beamtimes/{bt}/chemicals/copy", json=body)


async def source_beamtime(client: Client, app: Quart) -> tuple[int, dict[str, Any], int]:
    """A beamtime with one chemical that has values and a file: (beamtime, chemical, file)."""
    bt = (await create_beamtime(client, external_id="2025"))["id"]
    await create_attributo(
        client, bt, "space group", {"kind": "string"}, "chemical", description="SG"
    )
    await create_attributo(client, bt, "frequency", MHZ, "chemical")
    await create_attributo(client, bt, "unused", {"kind": "boolean"}, "chemical")
    file_id = await insert_file(app, bt, b"crystal photo" * 100_000, "crystal.jpg")
    chemical = await create_chemical(
        client,
        bt,
        "Lysozyme",
        responsible_person="Ada",
        attributi={"space group": "P43212", "frequency": 1.5},
        file_ids=[file_id],
    )
    return bt, chemical, file_id


async def test_missing_attributi_are_422_unless_created(client: Client, app: Quart) -> None:
    source, chemical, file_id = await source_beamtime(client, app)
    target = (await create_beamtime(client, external_id="2026"))["id"]
    seq = await last_seq(app, target)
    refused = await copy(client, target, from_beamtime_id=source, chemical_ids=[chemical["id"]])
    assert refused.status_code == 422
    errors = (await refused.get_json())["errors"]
    assert sorted(e["loc"] for e in errors) == [
        ["attributi", "frequency"],
        ["attributi", "space group"],
    ]
    assert await changes_of(app, target, seq) == []

    response = await copy(
        client,
        target,
        from_beamtime_id=source,
        chemical_ids=[chemical["id"]],
        create_missing_attributi=True,
    )
    assert response.status_code == 201, await response.get_json()
    body = await response.get_json()
    created = {a["name"]: a for a in body["created_attributi"]}
    assert set(created) == {"space group", "frequency"}  # not "unused": no value needs it
    assert created["space group"]["description"] == "SG"
    assert created["frequency"]["type"]["unit"] == "MHz"
    assert all(a["associated_table"] == "chemical" for a in created.values())
    (copied,) = body["items"]
    assert copied["id"] != chemical["id"]
    assert (copied["name"], copied["responsible_person"]) == ("Lysozyme", "Ada")
    assert copied["attributi"] == {"space group": "P43212", "frequency": 1.5}
    # The file now exists in the target beamtime as well, with the same content.
    (new_file,) = copied["file_ids"]
    assert new_file != file_id
    original, original_bytes = await file_content(app, file_id)
    duplicate, duplicate_bytes = await file_content(app, new_file)
    assert duplicate.beamtime_id == target
    assert (duplicate.name, duplicate.sha256) == (original.name, original.sha256)
    assert duplicate_bytes == original_bytes
    listed = await (await client.get(f"/api/beamtimes/{target}/chemicals")).get_json()
    assert listed["items"] == [copied]
    feed = [(c.entity, c.action) for c in await changes_of(app, target, seq)]
    assert sorted(feed) == sorted(
        [
            ("attributo", "created"),
            ("attributo", "created"),
            ("file", "created"),
            ("chemical", "created"),
        ]
    )


async def test_values_convert_to_the_targets_types_and_files_are_shared_by_content(
    client: Client, app: Quart
) -> None:
    source, chemical, _ = await source_beamtime(client, app)
    target = (await create_beamtime(client, external_id="2026"))["id"]
    await create_attributo(client, target, "Space Group", {"kind": "string"}, "chemical")
    await create_attributo(
        client, target, "frequency", {"kind": "decimal", "unit": "kHz"}, "chemical"
    )
    same_content = await insert_file(app, target, b"crystal photo" * 100_000, "photo.jpg")
    response = await copy(client, target, from_beamtime_id=source, chemical_ids=[chemical["id"]])
    assert response.status_code == 201, await response.get_json()
    body = await response.get_json()
    assert body["created_attributi"] == []
    (copied,) = body["items"]
    assert copied["attributi"] == {"Space Group": "P43212", "frequency": 1500.0}
    assert copied["file_ids"] == [same_content]


async def test_incompatible_kind_is_422(client: Client, app: Quart) -> None:
    source, chemical, _ = await source_beamtime(client, app)
    target = (await create_beamtime(client, external_id="2026"))["id"]
    await create_attributo(client, target, "space group", {"kind": "string"}, "chemical")
    await create_attributo(client, target, "frequency", {"kind": "datetime"}, "chemical")
    response = await copy(client, target, from_beamtime_id=source, chemical_ids=[chemical["id"]])
    assert response.status_code == 422
    (error,) = (await response.get_json())["errors"]
    assert error["loc"] == ["attributi", "frequency"]
    assert "no conversion" in error["msg"]


async def test_a_value_that_does_not_fit_is_422_naming_the_chemical(
    client: Client, app: Quart
) -> None:
    source, chemical, _ = await source_beamtime(client, app)
    target = (await create_beamtime(client, external_id="2026"))["id"]
    await create_attributo(
        client, target, "space group", {"kind": "string", "max_length": 3}, "chemical"
    )
    await create_attributo(client, target, "frequency", MHZ, "chemical")
    response = await copy(client, target, from_beamtime_id=source, chemical_ids=[chemical["id"]])
    assert response.status_code == 422
    (error,) = (await response.get_json())["errors"]
    assert error["loc"] == ["chemicals", "Lysozyme", "space group"]
    listed = await (await client.get(f"/api/beamtimes/{target}/chemicals")).get_json()
    assert listed["total"] == 0


async def test_name_clash_is_409(client: Client, app: Quart) -> None:
    source, chemical, _ = await source_beamtime(client, app)
    target = (await create_beamtime(client, external_id="2026"))["id"]
    await create_chemical(client, target, "LYSOZYME")
    response = await copy(
        client,
        target,
        from_beamtime_id=source,
        chemical_ids=[chemical["id"]],
        create_missing_attributi=True,
    )
    assert response.status_code == 409
    assert (await (await client.get(f"/api/beamtimes/{target}/attributi")).get_json())["total"] == 0


async def test_unknown_sources_are_422(client: Client, app: Quart) -> None:
    source, chemical, _ = await source_beamtime(client, app)
    target = (await create_beamtime(client, external_id="2026"))["id"]
    foreign = await create_chemical(client, target, "thaumatin")
    response = await copy(
        client, target, from_beamtime_id=source, chemical_ids=[chemical["id"], foreign["id"], 9999]
    )
    assert response.status_code == 422
    locs = [e["loc"] for e in (await response.get_json())["errors"]]
    assert locs == [["chemical_ids", 1], ["chemical_ids", 2]]
    missing = await copy(client, target, from_beamtime_id=4242, chemical_ids=[chemical["id"]])
    assert missing.status_code == 422
    assert (await missing.get_json())["errors"][0]["loc"] == ["from_beamtime_id"]
    empty = await copy(client, target, from_beamtime_id=source, chemical_ids=[])
    assert empty.status_code == 422
    assert (await copy(client, 4242, from_beamtime_id=source, chemical_ids=[1])).status_code == 404


async def test_copies_several_in_the_order_asked(client: Client, app: Quart) -> None:
    source = (await create_beamtime(client, external_id="2025"))["id"]
    target = (await create_beamtime(client, external_id="2026"))["id"]
    ids = [(await create_chemical(client, source, name))["id"] for name in ("b", "a", "c")]
    response = await copy(
        client, target, from_beamtime_id=source, chemical_ids=[ids[2], ids[0], ids[2]]
    )
    assert response.status_code == 201
    assert [c["name"] for c in (await response.get_json())["items"]] == ["c", "b"]
