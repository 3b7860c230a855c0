"""Copying reads another beamtime: the caller needs a role there as well."""

from __future__ import annotations

import pytest
from quart.typing import TestClientProtocol as Client

from amarcord.config import Settings
from tests.support.auth import ClientFactory, with_auth
from tests.support.factories import create_beamtime, create_chemical


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_auth(settings, "local")


async def test_copy_needs_a_role_in_the_source_beamtime(
    client: Client, client_as: ClientFactory
) -> None:
    source = (await create_beamtime(client, external_id="secret"))["id"]
    target = (await create_beamtime(client, external_id="mine"))["id"]
    chemical = await create_chemical(client, source, "confidential")
    editor = await client_as("editor", target)
    body = {"from_beamtime_id": source, "chemical_ids": [chemical["id"]]}
    refused = await editor.post(f"/api/beamtimes/{target}/chemicals/copy", json=body)
    assert refused.status_code == 403
    assert str(source) in (await refused.get_json())["detail"]
    viewer = await client_as("viewer", target)
    assert (
        await viewer.post(f"/api/beamtimes/{target}/chemicals/copy", json=body)
    ).status_code == 403
    allowed = await client.post(f"/api/beamtimes/{target}/chemicals/copy", json=body)
    assert allowed.status_code == 201
