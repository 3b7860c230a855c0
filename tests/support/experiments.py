"""Helpers for experiment types, runs of a type and data sets, through the HTTP API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from quart import Quart
from quart.typing import TestClientProtocol as Client
from sqlalchemy import select

from amarcord.db.models import Change

DECIMAL = {"kind": "decimal"}
INTEGER = {"kind": "integer"}
BOOLEAN = {"kind": "boolean"}
STRING = {"kind": "string"}


async def json_of(response: Any, status: int) -> Any:
    assert response.status_code == status, await response.get_data(as_text=True)
    return await response.get_json()


async def feed(app: Quart, beamtime_id: int, after: int = 0) -> list[Change]:
    """The beamtime's change feed after seq `after`."""
    async with app.extensions["amarcord"].database.read() as session:
        rows = await session.scalars(
            select(Change)
            .where(Change.beamtime_id == beamtime_id, Change.seq > after)
            .order_by(Change.seq)
        )
        return list(rows)


async def create_attributi(
    client: Client, beamtime_id: int, types: dict[str, dict[str, Any]], table: str = "run"
) -> dict[str, int]:
    """Attributi by name → id."""
    url = f"/api/beamtimes/{beamtime_id}/attributi"
    ids: dict[str, int] = {}
    for name, type_ in types.items():
        body = {"name": name, "associated_table": table, "type": type_}
        ids[name] = (await json_of(await client.post(url, json=body), 201))["id"]
    return ids


async def create_experiment_type(
    client: Client, beamtime_id: int, name: str, attributo_ids: Sequence[int]
) -> dict[str, Any]:
    body = {"name": name, "attributi": [{"attributo_id": i} for i in attributo_ids]}
    url = f"/api/beamtimes/{beamtime_id}/experiment-types"
    result: dict[str, Any] = await json_of(await client.post(url, json=body), 201)
    return result


async def put_run(
    client: Client, beamtime_id: int, number: int, experiment_type_id: int | None, **values: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"attributi": values}
    if experiment_type_id is not None:
        body["experiment_type_id"] = experiment_type_id
    response = await client.put(f"/api/beamtimes/{beamtime_id}/runs/{number}", json=body)
    assert response.status_code in (200, 201), await response.get_data(as_text=True)
    result: dict[str, Any] = await response.get_json()
    return result


async def create_data_set(client: Client, beamtime_id: int, **body: Any) -> dict[str, Any]:
    url = f"/api/beamtimes/{beamtime_id}/data-sets"
    result: dict[str, Any] = await json_of(await client.post(url, json=body), 201)
    return result


def locs(problem: dict[str, Any]) -> list[list[str | int]]:
    return [error["loc"] for error in problem["errors"]]
