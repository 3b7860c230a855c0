"""Health, the OpenAPI document, the offline docs page, and access declarations."""

from __future__ import annotations

import re

from quart import Quart
from quart.typing import TestClientProtocol as Client

from amarcord.api.access import access_level_of


async def test_health(client: Client, app: Quart) -> None:
    response = await client.get("/api/health")
    body = await response.get_json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"] == app.extensions["amarcord"].database.kind
    assert body["schema_revision"] is not None
    assert isinstance(body["version"], str)


async def test_openapi_document_is_3_1_and_describes_the_api(client: Client) -> None:
    spec = await (await client.get("/openapi.json")).get_json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/beamtimes" in spec["paths"]
    assert "/api/beamtimes/{bt}" in spec["paths"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary") or operation.get("description"), (method, path)


async def test_docs_page_loads_its_assets_from_this_server(client: Client) -> None:
    page = await (await client.get("/docs")).get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls, page
    for url in urls:
        assert url.startswith("/"), f"{url} would need the internet"
        assert (await client.get(url)).status_code == 200, url


def test_every_route_declares_an_access_level(app: Quart) -> None:
    missing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if access_level_of(app, rule.endpoint) is None
    ]
    assert missing == []


async def test_ids_beyond_32_bits_are_404_on_every_engine(client: Client) -> None:
    """A number larger than the id columns matches no route instead of reaching the database."""
    huge = 2**31
    for path in (
        f"/api/beamtimes/{huge}",
        f"/api/beamtimes/{huge}/runs",
        f"/api/beamtimes/{huge}/experiment-types/1",
        f"/api/files/{huge}",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["Content-Type"] == "application/problem+json"


async def test_operation_ids_are_unique(client: Client) -> None:
    """Generated clients name their functions after operationIds; duplicates break them."""
    spec = await (await client.get("/openapi.json")).get_json()
    ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
