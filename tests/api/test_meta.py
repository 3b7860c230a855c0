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
