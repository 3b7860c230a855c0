"""Run listings carry an ETag from the change feed, answer 304 while nothing changed, and are
kept per process without ever being stale."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client

from amarcord.store import run_listing
from tests.api.test_run_listing import seeded
from tests.api.test_runs import body_of

ALL = "limit=all"


async def _listing(client: Client, bt: int, query: str = ALL, **headers: str) -> Any:
    return await client.get(f"/api/beamtimes/{bt}/runs?{query}", headers=headers)


async def test_a_listing_is_not_modified_until_the_beamtime_changes(
    client: Client, app: Quart
) -> None:
    bt = await seeded(client, app)
    first = await _listing(client, bt)
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = await _listing(client, bt, **{"If-None-Match": tag})
    assert again.status_code == 304
    assert again.headers["ETag"] == tag
    assert await again.get_data() == b""

    await body_of(
        await client.patch(f"/api/beamtimes/{bt}/runs/2", json={"attributi": {"comment": "new"}}),
        200,
    )
    changed = await _listing(client, bt, **{"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag
    items = (await changed.get_json())["items"]
    assert next(item for item in items if item["number"] == 2)["attributi"]["comment"] == "new"


async def _rename_attributo(client: Client, bt: int) -> None:
    attributi = await body_of(await client.get(f"/api/beamtimes/{bt}/attributi"), 200)
    comment = next(a for a in attributi["items"] if a["name"] == "comment")
    url = f"/api/beamtimes/{bt}/attributi/{comment['id']}"
    await body_of(await client.patch(url, json={"name": "remark"}), 200)


async def _delete_run(client: Client, bt: int) -> None:
    assert (await client.delete(f"/api/beamtimes/{bt}/runs/2")).status_code == 204


async def _add_data_path(client: Client, bt: int) -> None:
    body = {"data_paths": [{"path": "/raw/2", "source": "raw"}, {"path": "/proc/2"}]}
    await body_of(await client.patch(f"/api/beamtimes/{bt}/runs/2", json=body), 200)


async def _new_run(client: Client, bt: int) -> None:
    await body_of(await client.put(f"/api/beamtimes/{bt}/runs/77", json={}), 201)


@pytest.mark.parametrize(
    "change", [_rename_attributo, _delete_run, _add_data_path, _new_run], ids=lambda f: f.__name__
)
async def test_a_kept_listing_follows_every_change(client: Client, app: Quart, change: Any) -> None:
    bt = await seeded(client, app)
    for query in (ALL, "limit=3", "filter=distance%20%3E%205&sort=-distance"):
        await _listing(client, bt, query)
    await change(client, bt)
    for query in (ALL, "limit=3", "filter=distance%20%3E%205&sort=-distance"):
        kept = await (await _listing(client, bt, query)).get_json()
        # What a listing computed afresh says: a new cache has nothing kept.
        app.extensions["amarcord"].run_listing_cache._entries.clear()
        fresh = await (await _listing(client, bt, query)).get_json()
        assert kept == fresh, query


async def test_concurrent_identical_listings_are_computed_once(
    client: Client, app: Quart, monkeypatch: pytest.MonkeyPatch
) -> None:
    bt = await seeded(client, app)
    computed = 0
    original = run_listing.list_runs

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal computed
        computed += 1
        return await original(*args, **kwargs)

    monkeypatch.setattr(run_listing, "list_runs", counted)
    responses = await asyncio.gather(*(_listing(client, bt) for _ in range(8)))
    bodies = {await response.get_data() for response in responses}
    assert computed == 1
    assert len(bodies) == 1


async def test_an_unknown_beamtime_or_a_bad_filter_is_never_kept(
    client: Client, app: Quart
) -> None:
    bt = await seeded(client, app)
    for _ in range(2):
        assert (await _listing(client, 999_999)).status_code == 404
        assert (await _listing(client, bt, "filter=nonsense%20%3E%201")).status_code == 422
