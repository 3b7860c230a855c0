"""JSON responses are encoded by orjson (`amarcord/api/json_output.py`): UTF-8 text as it
is, sorted keys, compact; not the standard library's ASCII escapes."""

from __future__ import annotations

from quart.typing import TestClientProtocol as Client

from tests.support.factories import BEAMTIME


async def test_responses_are_compact_utf8_with_sorted_keys(client: Client) -> None:
    response = await client.post("/api/beamtimes", json={**BEAMTIME, "title": "Jürgen's µ-beam"})
    assert response.status_code == 201
    raw = await response.get_data()
    assert "Jürgen's µ-beam".encode() in raw  # the standard library would send J\u00fcrgen
    assert b", " not in raw and b'": ' not in raw
    body = await response.get_json()
    assert list(body) == sorted(body)
    assert raw.rstrip(b"\n").startswith(b'{"beamline":')
