from __future__ import annotations

from typing import Any
from urllib.parse import quote

from quart import Quart
from quart.typing import TestClientProtocol as Client

from amarcord.api.http import encode_cursor
from tests.api.test_runs import body_of, db_of
from tests.support.factories import create_beamtime
from tests.support.run_seed import add_attributi, add_chemical, add_experiment_type

TYPES: dict[str, dict[str, Any]] = {
    "distance": {"kind": "decimal"},
    "comment": {"kind": "string"},
    "sample": {"kind": "chemical"},
    "tags": {"kind": "list", "item_kind": "string"},
    "good": {"kind": "boolean"},
}


async def seeded(client: Client, app: Quart) -> int:
    """Runs 1-9 in Europe/Berlin: distance = 10 * number except runs 3 and 6 (unset)."""
    beamtime = await create_beamtime(client, timezone="Europe/Berlin")
    bt: int = beamtime["id"]
    await add_attributi(db_of(app), bt, TYPES)
    lyso = await add_chemical(db_of(app), bt, "lysozyme")
    sfx = await add_experiment_type(db_of(app), bt, "SFX")
    for number in range(1, 10):
        attributi: dict[str, Any] = {"comment": "bad" if number % 4 == 0 else "fine"}
        if number % 3:
            attributi["distance"] = 10.0 * number
        if number < 5:
            attributi["sample"] = lyso
            attributi["tags"] = ["x", f"t{number}"]
        payload = {
            "number": number,
            # Berlin is UTC+1: runs 1-3 start on the 21st there, run 4 (23:30 UTC) on the 22nd.
            "started": f"2026-11-21T{19 + number}:30:00Z" if number < 5 else None,
            "experiment_type_id": sfx if number % 2 else None,
            "attributi": attributi,
            "data_paths": [{"path": f"/raw/{number}"}],
        }
        if number >= 5:
            payload["started"] = f"2026-11-22T0{number}:00:00Z"
        await body_of(await client.post(f"/api/beamtimes/{bt}/runs", json=payload), 201)
    return bt


async def numbers(client: Client, bt: int, query: str = "") -> list[int]:
    page = await body_of(await client.get(f"/api/beamtimes/{bt}/runs?{query}"), 200)
    return [item["number"] for item in page["items"]]


async def test_default_listing_newest_first_with_the_same_items_as_get(
    client: Client, app: Quart
) -> None:
    bt = await seeded(client, app)
    response = await client.get(f"/api/beamtimes/{bt}/runs")
    page = await body_of(response, 200)
    assert response.headers["Content-Type"] == "application/json"
    assert page["total"] == 9 and page["next_cursor"] is None
    assert [item["number"] for item in page["items"]] == list(range(9, 0, -1))
    for item in page["items"][:3]:
        single = await body_of(await client.get(f"/api/beamtimes/{bt}/runs/{item['number']}"), 200)
        assert item == single


async def test_filters(client: Client, app: Quart) -> None:
    bt = await seeded(client, app)
    cases = {
        'comment == "bad"': [8, 4],
        "distance >= 50": [8, 7, 5],
        "not (distance >= 50)": [9, 6, 4, 3, 2, 1],
        "distance == null": [9, 6, 3],
        'sample == "lysozyme" and tags ? "t2"': [2],
        'comment ? "in" or number < 2': [9, 7, 6, 5, 3, 2, 1],
        'experiment_type == "SFX"': [9, 7, 5, 3, 1],
        'started >= "2026-11-22T00:00:00Z"': [9, 8, 7, 6, 5],
    }
    for text, expected in cases.items():
        assert await numbers(client, bt, "filter=" + quote(text)) == expected, text
    combined = "runs=2-6,9&experiment_type_id=" + str(
        (await body_of(await client.get(f"/api/beamtimes/{bt}/runs/1"), 200))["experiment_type_id"]
    )
    assert await numbers(client, bt, combined) == [9, 5, 3]
    # The 22nd of November in Berlin began at 23:00 UTC on the 21st.
    assert await numbers(client, bt, "date=2026-11-22") == [9, 8, 7, 6, 5, 4]
    assert await numbers(client, bt, "date=2026-11-21") == [3, 2, 1]
    assert await numbers(client, bt, "filter=%20%20") == list(range(9, 0, -1))


async def test_bad_filters_are_422_with_position_and_hint(client: Client, app: Quart) -> None:
    bt = await seeded(client, app)
    cases = {
        "distanse > 3": "did you mean `distance`?",
        'distance > "far"': "`distance` is a decimal",
        "distance >": "ends too early",
        "comment < 3": "does not apply",
    }
    for text, hint in cases.items():
        response = await client.get(f"/api/beamtimes/{bt}/runs?filter={quote(text)}")
        body = await body_of(response, 422)
        assert body["errors"][0]["loc"] == ["query", "filter"], text
        assert hint in body["errors"][0]["msg"], body
        assert "position" in body["errors"][0]["msg"]


async def test_other_bad_parameters_are_422(client: Client, app: Quart) -> None:
    bt = await seeded(client, app)
    for query in (
        "runs=5-1",
        "date=2026-13-01",
        "limit=0",
        "limit=10001",
        "limit=some",
        "sort=nope",
        "sort=tags",
        "experiment_type_id=1099511627776",
        "cursor=abc",
        "bogus=1",
    ):
        response = await client.get(f"/api/beamtimes/{bt}/runs?{query}")
        assert response.status_code == 422, query


async def test_sort_keeps_unset_values_last_both_ways(client: Client, app: Quart) -> None:
    bt = await seeded(client, app)
    assert await numbers(client, bt, "sort=distance") == [1, 2, 4, 5, 7, 8, 3, 6, 9]
    assert await numbers(client, bt, "sort=-distance") == [8, 7, 5, 4, 2, 1, 9, 6, 3]
    assert await numbers(client, bt, "sort=number") == list(range(1, 10))
    assert await numbers(client, bt, "sort=-comment") == [9, 7, 6, 5, 3, 2, 1, 8, 4]
    assert await numbers(client, bt, "sort=experiment_type") == [1, 3, 5, 7, 9, 2, 4, 6, 8]
    assert await numbers(client, bt, "sort=-started") == list(range(9, 0, -1))


async def test_cursor_pages_cover_every_run_once(client: Client, app: Quart) -> None:
    bt = await seeded(client, app)
    for sort in ("distance", "-distance", "-number", "started", "-good", "sample", "stopped"):
        seen: list[int] = []
        cursor = None
        while True:
            query = f"sort={sort}&limit=2" + (f"&cursor={cursor}" if cursor else "")
            page = await body_of(await client.get(f"/api/beamtimes/{bt}/runs?{query}"), 200)
            assert page["total"] == 9
            seen += [item["number"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == await numbers(client, bt, f"sort={sort}&limit=all"), sort
        assert sorted(seen) == list(range(1, 10)), sort
    filtered = await body_of(
        await client.get(f"/api/beamtimes/{bt}/runs?filter=distance%20>%2015&limit=3"), 200
    )
    assert filtered["total"] == 5 and len(filtered["items"]) == 3


async def test_foreign_cursors_are_422(client: Client, app: Quart) -> None:
    bt = await seeded(client, app)
    page = await body_of(await client.get(f"/api/beamtimes/{bt}/runs?limit=2"), 200)
    other_sort = await client.get(
        f"/api/beamtimes/{bt}/runs?sort=distance&cursor={page['next_cursor']}"
    )
    assert other_sort.status_code == 422
    for value in ({"a": 1}, "text", True):
        forged = encode_cursor({"sort": "distance", "value": value, "number": 3})
        response = await client.get(f"/api/beamtimes/{bt}/runs?sort=distance&cursor={forged}")
        assert response.status_code == 422, value
    forged = encode_cursor({"sort": "started", "value": "yesterday", "number": 3})
    response = await client.get(f"/api/beamtimes/{bt}/runs?sort=started&cursor={forged}")
    assert response.status_code == 422


async def test_limit_all_returns_every_run_with_data_paths(client: Client, app: Quart) -> None:
    bt = await seeded(client, app)
    page = await body_of(await client.get(f"/api/beamtimes/{bt}/runs?limit=all"), 200)
    assert page["total"] == 9 and page["next_cursor"] is None
    assert page["items"][0]["data_paths"] == [{"path": "/raw/9", "source": "raw"}]
    assert page["items"][-1]["attributi"]["tags"] == ["x", "t1"]
