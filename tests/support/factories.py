"""Helpers that create test data through the HTTP API, as a client would."""

from __future__ import annotations

from typing import Any

from quart.typing import TestClientProtocol as Client

# The keys of a change-feed item, in pages and in the stream alike.
CHANGE_FIELDS = {"seq", "at", "actor", "entity", "entity_id", "action", "before", "after"}

BEAMTIME = {
    "external_id": "11012345",
    "proposal": "P-42",
    "beamline": "P11",
    "title": "Lysozyme at room temperature",
    "comment": "",
    "start": "2026-11-20T08:00:00Z",
    "end": "2026-11-24T08:00:00Z",
}


async def create_beamtime(client: Client, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/beamtimes", json={**BEAMTIME, **overrides})
    assert response.status_code == 201, await response.get_data(as_text=True)
    body: dict[str, Any] = await response.get_json()
    return body


async def patch_beamtime(client: Client, beamtime_id: int, **values: Any) -> dict[str, Any]:
    response = await client.patch(f"/api/beamtimes/{beamtime_id}", json=values)
    assert response.status_code == 200, await response.get_data(as_text=True)
    body: dict[str, Any] = await response.get_json()
    return body


async def create_attributo(
    client: Client,
    beamtime_id: int,
    name: str,
    type_: dict[str, Any],
    table: str = "run",
    **overrides: Any,
) -> dict[str, Any]:
    response = await client.post(
        f"/api/beamtimes/{beamtime_id}/attributi",
        json={"name": name, "associated_table": table, "type": type_, **overrides},
    )
    assert response.status_code == 201, await response.get_data(as_text=True)
    body: dict[str, Any] = await response.get_json()
    return body


async def create_chemical(
    client: Client, beamtime_id: int, name: str, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/api/beamtimes/{beamtime_id}/chemicals", json={"name": name, **fields}
    )
    assert response.status_code == 201, await response.get_data(as_text=True)
    body: dict[str, Any] = await response.get_json()
    return body
