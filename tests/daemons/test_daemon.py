"""The daemon against a fake camera and a stand-in server, both real servers on loopback."""

import asyncio
import logging
import os
import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scripts.fake_camera import CameraOptions, FakeCamera
from tests.daemons.fake_server import FakeServer
from tests.daemons.support import decodes, open_window, running, settings_for

UPLOAD_PATH = "/api/beamtimes/1/live-stream"


def logged(caplog: pytest.LogCaptureFixture, level: int, prefix: str = "") -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == level and record.getMessage().startswith(prefix)
    ]


@pytest.fixture(autouse=True)
def _capture_daemon_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="daemons")


async def test_frames_arrive_within_interval_plus_one_second(
    camera: FakeCamera, server: FakeServer
) -> None:
    open_window(server, 1, camera.url())
    settings = settings_for(server, interval=1.0)
    started = time.monotonic()
    async with running(settings):
        uploads = await server.wait_for_uploads(4, timeout=8)
    times = [started] + [upload.at for upload in uploads]
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert max(gaps) <= settings.interval + 1
    # The camera sends 20 frames a second; only the newest one per interval goes out.
    assert min(gaps[1:]) >= settings.interval * 0.9
    assert {upload.content_type for upload in uploads} == {"image/jpeg"}
    assert {upload.authorization for upload in uploads} == {"Bearer secret"}
    assert len({upload.body for upload in uploads}) == len(uploads)
    assert all(decodes(upload.body) for upload in uploads)


@pytest.mark.parametrize(
    ("path", "quirks"),
    [
        ("/snapshot", {}),
        ("/raw", {}),
        ("/mjpeg", {"boundary_style": "dashed", "line_ending": "lf", "content_length": False}),
        ("/mjpeg", {"boundary_style": "quoted", "junk": True}),
    ],
)
async def test_stream_url_option_with_every_kind_of_camera(
    camera: FakeCamera, server: FakeServer, path: str, quirks: dict[str, Any]
) -> None:
    for name, value in quirks.items():
        setattr(camera.options, name, value)
    open_window(server, 1, None)
    async with running(settings_for(server, stream_url=camera.url(path))):
        uploads = await server.wait_for_uploads(2)
    assert all(decodes(upload.body) for upload in uploads)


@pytest.mark.slow
async def test_recovers_from_camera_and_server_restarts(
    camera: FakeCamera, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    open_window(server, 1, camera.url())
    async with running(settings_for(server)):
        await server.wait_for_uploads(1)
        await camera.stop()
        await asyncio.sleep(1.5)
        await camera.start()
        await server.wait_for_uploads(len(server.uploads) + 1)
        await server.stop()
        await asyncio.sleep(1.5)
        await server.start()
        await server.wait_for_uploads(len(server.uploads) + 1)
    for subject in (f"camera {camera.url()}", "beamtime 1: upload", "server"):
        assert len(logged(caplog, logging.WARNING, subject)) == 1, subject
        assert len(logged(caplog, logging.INFO, f"{subject}: recovered")) == 1, subject


async def test_server_errors_back_off_and_are_logged_once(
    camera: FakeCamera, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    open_window(server, 1, None)
    settings = settings_for(server, stream_url=camera.url(), interval=0.2, max_backoff=0.8)
    async with running(settings):
        await server.wait_for_uploads(1)
        server.status = 503
        server.requests.clear()
        await asyncio.sleep(2)
        attempts = server.count("PUT", UPLOAD_PATH)
        server.status = None
        await server.wait_for_uploads(2)
        # The server counts an upload before the daemon has read the answer and logged.
        async with asyncio.timeout(5):
            while not logged(caplog, logging.INFO, "beamtime 1: upload: recovered"):
                await asyncio.sleep(0.05)
    # Retries after 0.2, 0.4, 0.8, 0.8 s instead of every 0.2 s.
    assert 2 <= attempts <= 5
    assert logged(caplog, logging.WARNING) == [
        f"beamtime 1: upload: PUT {UPLOAD_PATH}: HTTP 503 Service Unavailable: "
        "the test made the server fail"
    ]
    assert logged(caplog, logging.INFO, "beamtime 1: upload: recovered")


async def test_rejected_uploads_are_logged_with_the_reason_and_not_hammered(
    camera: FakeCamera, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.token = "another token"
    open_window(server, 1, None)
    settings = settings_for(server, stream_url=camera.url(), interval=0.1, max_backoff=0.8)
    async with running(settings):
        await asyncio.sleep(2)
    assert 2 <= server.count("PUT", UPLOAD_PATH) <= 6
    assert logged(caplog, logging.ERROR) == [
        f"beamtime 1: upload: PUT {UPLOAD_PATH}: HTTP 401 Unauthorized: missing or invalid token"
    ]


async def test_an_unknown_beamtime_is_reported_and_rechecked_slowly(
    server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(settings_for(server, beamtime=7, recheck_interval=0.5)):
        await asyncio.sleep(1.2)
    # Checks at 0, 0.5 and 1 s (the first may be late on a busy machine).
    assert 2 <= server.count("GET", "/api/beamtimes/7/configuration") <= 3
    assert logged(caplog, logging.ERROR) == [
        "server: cannot check beamtimes: GET /api/beamtimes/7/configuration: "
        "HTTP 404 Not Found: no such resource: /api/beamtimes/7/configuration"
    ]


async def test_waits_for_a_live_stream_url_to_be_configured(
    camera: FakeCamera, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    open_window(server, 1, None)
    async with running(settings_for(server)):
        await asyncio.sleep(0.6)
        assert not server.uploads
        server.beamtimes[1].live_stream_url = camera.url("/snapshot")
        await server.wait_for_uploads(1)
        server.beamtimes[1].live_stream_url = camera.url("/raw")
        await server.wait_for_uploads(len(server.uploads) + 2)
    assert logged(caplog, logging.WARNING) == ["beamtime 1: no live_stream_url configured; waiting"]
    assert len(logged(caplog, logging.INFO, "beamtime 1: uploading frames from")) == 2


@pytest.mark.slow
async def test_active_beamtimes_follow_their_time_windows(
    camera: FakeCamera, server: FakeServer
) -> None:
    now, clock = datetime.now(UTC), time.monotonic()
    server.add_beamtime(1, now + timedelta(seconds=1), now + timedelta(hours=1), camera.url())
    server.add_beamtime(2, now - timedelta(hours=1), now + timedelta(seconds=1.5), camera.url())
    server.add_beamtime(3, now - timedelta(hours=2), now - timedelta(hours=1), camera.url())
    settings = settings_for(server, beamtime="active")
    async with running(settings):
        await server.wait_for_uploads(1, beamtime_id=2)
        await server.wait_for_uploads(1, beamtime_id=1)
        await asyncio.sleep(clock + 3 - time.monotonic())
        opened_later = len(server.uploads_for(1))
        await server.wait_for_uploads(opened_later + 2, beamtime_id=1)
    assert server.uploads_for(1)[0].at >= clock + 1
    # An upload that started just before the end may still be in flight.
    closing_margin = settings.recheck_interval + 1
    assert all(upload.at <= clock + 1.5 + closing_margin for upload in server.uploads_for(2))
    assert not server.uploads_for(3)
    # Both beamtimes were served from one connection to their shared camera.
    assert camera.connections == 1


async def test_uploads_survive_the_server_closing_idle_connections(
    camera: FakeCamera, caplog: pytest.LogCaptureFixture
) -> None:
    # The server drops idle connections just as the next upload is due.
    server = FakeServer(keep_alive_timeout=0.3)
    open_window(server, 1, None)
    await server.start()
    try:
        async with running(settings_for(server, stream_url=camera.url(), interval=0.3)):
            await server.wait_for_uploads(10)
    finally:
        await server.stop()
    assert not logged(caplog, logging.WARNING)


@pytest.mark.parametrize(
    ("trouble", "reason"),
    [
        ({"status": 503}, "HTTP 503 Camera Error"),
        ({"stall": True}, "no complete frame for 1 s"),
    ],
    ids=["error status", "stalled"],
)
async def test_camera_trouble_is_logged_once_and_recovered_from(
    camera: FakeCamera,
    server: FakeServer,
    caplog: pytest.LogCaptureFixture,
    trouble: dict[str, Any],
    reason: str,
) -> None:
    healthy = camera.options
    camera.options = CameraOptions(**(vars(healthy) | trouble))
    open_window(server, 1, camera.url())
    async with running(settings_for(server)):
        await asyncio.sleep(2.5)
        assert not server.uploads
        camera.options = healthy
        await server.wait_for_uploads(1)
    assert logged(caplog, logging.WARNING) == [f"camera {camera.url()}: {reason}"]
    assert logged(caplog, logging.INFO, f"camera {camera.url()}: recovered")


async def test_oversized_frames_are_skipped_and_reported_once(
    camera: FakeCamera, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    open_window(server, 1, camera.url())
    async with running(settings_for(server, max_frame_bytes=1024)):
        await asyncio.sleep(1.5)
    assert not server.uploads
    assert camera.frames_sent > 10
    assert logged(caplog, logging.WARNING) == [
        f"camera {camera.url()}: skipping frames larger than max_frame_bytes (1024 bytes)"
    ]


@pytest.mark.slow
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
async def test_the_daemon_exits_with_status_0_within_2_s_of_a_signal(
    camera: FakeCamera, server: FakeServer, signal_number: int
) -> None:
    open_window(server, 1, camera.url())
    command = Path(sys.executable).with_name("amarcord-mjpeg")
    environment = os.environ | {
        "AMARCORD_MJPEG_SERVER": server.url,
        "AMARCORD_MJPEG_TOKEN": "secret",
    }
    process = await asyncio.create_subprocess_exec(
        command,
        "--beamtime=1",
        "--interval=0.5",
        env=environment,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await server.wait_for_uploads(1, timeout=15)
        process.send_signal(signal_number)
        async with asyncio.timeout(2):
            _, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert stderr.decode().rstrip().endswith("stopped")
