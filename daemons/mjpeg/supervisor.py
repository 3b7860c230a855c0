"""Deciding which beamtimes get frames from which camera, and keeping those tasks running."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from daemons.mjpeg.camera import Camera, redact
from daemons.mjpeg.client import USER_AGENT, ServerClient, ServerError
from daemons.mjpeg.resilience import Outage
from daemons.mjpeg.settings import MjpegSettings
from daemons.mjpeg.uploader import Uploader

logger = logging.getLogger(__name__)


@dataclass
class _CameraTask:
    camera: Camera
    task: asyncio.Task[None]


@dataclass
class _UploadTask:
    url: str
    task: asyncio.Task[None]


async def run_daemon(settings: MjpegSettings) -> None:
    """Grab and upload frames until cancelled."""
    camera_http = httpx.AsyncClient(
        # Reads wait as long as frames keep coming: `read_frames` has the deadline for that.
        timeout=httpx.Timeout(settings.camera_timeout, read=None),
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
    )
    async with ServerClient(settings) as server, camera_http:
        await Supervisor(settings, server, camera_http).run()


class Supervisor:
    """Re-checks every `recheck_interval` which beamtimes want frames from which camera.

    Each camera is read once, however many beamtimes share it; each beamtime has its own
    uploader. A task that died of a bug is restarted on the next check.
    """

    def __init__(
        self, settings: MjpegSettings, server: ServerClient, camera_http: httpx.AsyncClient
    ) -> None:
        self._settings = settings
        self._server = server
        self._camera_http = camera_http
        self._cameras: dict[str, _CameraTask] = {}
        self._uploads: dict[int, _UploadTask] = {}
        self._unconfigured: set[int] = set()
        self._outage = Outage(logger, "server")

    async def run(self) -> None:
        try:
            while True:
                await self._refresh()
                await asyncio.sleep(self._settings.recheck_interval)
        finally:
            await _cancel(
                [upload.task for upload in self._uploads.values()]
                + [camera.task for camera in self._cameras.values()]
            )

    async def _refresh(self) -> None:
        try:
            wanted = await self._wanted()
        except ServerError as error:
            # Uploads keep going with the cameras they have until the server answers again.
            level = logging.ERROR if error.rejected else logging.WARNING
            self._outage.failed(f"cannot check beamtimes: {error}", level)
            return
        self._outage.recovered()
        await self._apply(wanted)

    async def _wanted(self) -> dict[int, str]:
        """Camera URL by beamtime ID, for every beamtime that should get frames now."""
        selection = self._settings.beamtime
        if selection == "active":
            now = datetime.now(UTC)
            ids = [
                beamtime.id
                for beamtime in await self._server.beamtimes()
                if beamtime.active_at(now)
            ]
        else:
            ids = [selection]
        wanted: dict[int, str] = {}
        for beamtime_id in ids:
            url = await self._camera_url(beamtime_id)
            if url is not None:
                wanted[beamtime_id] = url
        return wanted

    async def _camera_url(self, beamtime_id: int) -> str | None:
        if self._settings.stream_url is not None:
            return str(self._settings.stream_url)
        url = await self._server.live_stream_url(beamtime_id)
        if url is not None:
            self._unconfigured.discard(beamtime_id)
        elif beamtime_id not in self._unconfigured:
            self._unconfigured.add(beamtime_id)
            logger.warning("beamtime %d: no live_stream_url configured; waiting", beamtime_id)
        return url

    async def _apply(self, wanted: dict[int, str]) -> None:
        for beamtime_id, upload in list(self._uploads.items()):
            if wanted.get(beamtime_id) == upload.url and not _crashed(
                upload.task, f"beamtime {beamtime_id}: uploader"
            ):
                continue
            if beamtime_id not in wanted:
                logger.info("beamtime %d: no longer active; uploads stopped", beamtime_id)
            await _cancel([upload.task])
            del self._uploads[beamtime_id]
        for beamtime_id, url in wanted.items():
            if beamtime_id not in self._uploads:
                self._start_upload(beamtime_id, url)
        in_use = {upload.url for upload in self._uploads.values()}
        for url, running in list(self._cameras.items()):
            if url not in in_use:
                await _cancel([running.task])
                del self._cameras[url]
            elif _crashed(running.task, f"camera {redact(url)}"):
                running.task = _start_camera(running.camera)

    def _start_upload(self, beamtime_id: int, url: str) -> None:
        camera = self._camera(url)
        uploader = Uploader(beamtime_id, camera, self._server, self._settings)
        task = asyncio.create_task(uploader.run(), name=f"upload to beamtime {beamtime_id}")
        self._uploads[beamtime_id] = _UploadTask(url, task)
        logger.info("beamtime %d: uploading frames from %s", beamtime_id, redact(url))

    def _camera(self, url: str) -> Camera:
        running = self._cameras.get(url)
        if running is None:
            camera = Camera(url, self._camera_http, self._settings)
            running = self._cameras[url] = _CameraTask(camera, _start_camera(camera))
        return running.camera


def _start_camera(camera: Camera) -> asyncio.Task[None]:
    return asyncio.create_task(camera.run(), name=f"camera {redact(camera.url)}")


def _crashed(task: asyncio.Task[None], subject: str) -> bool:
    if not task.done():
        return False
    if not task.cancelled():
        logger.error("%s: task died; restarting it", subject, exc_info=task.exception())
    return True


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    # `wait` rather than `gather`: our own cancellation must still reach us while waiting.
    if tasks:
        await asyncio.wait(tasks)
