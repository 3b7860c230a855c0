from datetime import UTC, datetime, timedelta

import pytest

from daemons.mjpeg.client import Beamtime, ServerClient, ServerError
from tests.daemons.fake_server import FakeServer
from tests.daemons.support import open_window, settings_for


async def test_beamtimes_are_read_across_pages(server: FakeServer) -> None:
    server.page_size = 2
    for beamtime_id in range(1, 6):
        open_window(server, beamtime_id, None)
    async with ServerClient(settings_for(server)) as client:
        beamtimes = await client.beamtimes()
    assert sorted(beamtime.id for beamtime in beamtimes) == [1, 2, 3, 4, 5]
    assert server.count("GET", "/api/beamtimes") == 3


async def test_failures_say_what_failed_and_whether_retrying_can_help(server: FakeServer) -> None:
    async with ServerClient(settings_for(server)) as client:
        with pytest.raises(ServerError) as not_found:
            await client.live_stream_url(99)
        server.status = 502
        with pytest.raises(ServerError) as bad_gateway:
            await client.beamtimes()
        await server.stop()
        with pytest.raises(ServerError) as down:
            await client.beamtimes()
    assert not_found.value.rejected
    assert "HTTP 404 Not Found: no such resource" in str(not_found.value)
    assert not bad_gateway.value.rejected
    assert str(bad_gateway.value) == (
        "GET /api/beamtimes: HTTP 502 Bad Gateway: the test made the server fail"
    )
    assert not down.value.rejected
    assert str(down.value).startswith("unreachable (ConnectError")


def test_a_beamtime_is_active_between_its_start_and_end_inclusive() -> None:
    start = datetime(2026, 11, 22, 8, tzinfo=UTC)
    beamtime = Beamtime(id=1, start=start, end=start + timedelta(days=2))
    assert beamtime.active_at(start)
    assert beamtime.active_at(start + timedelta(days=2))
    assert not beamtime.active_at(start - timedelta(seconds=1))
    assert not beamtime.active_at(start + timedelta(days=2, seconds=1))
    assert Beamtime(id=2, start=start).active_at(start + timedelta(days=400))
