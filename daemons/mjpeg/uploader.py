"""Uploading a camera's newest frame to one beamtime, once per interval."""

import asyncio
import logging

from daemons.mjpeg.camera import Camera
from daemons.mjpeg.client import ServerClient, ServerError
from daemons.mjpeg.frames import image_media_type
from daemons.mjpeg.resilience import Backoff, Outage
from daemons.mjpeg.settings import MjpegSettings

logger = logging.getLogger(__name__)


class Uploader:
    def __init__(
        self, beamtime_id: int, camera: Camera, server: ServerClient, settings: MjpegSettings
    ) -> None:
        self._beamtime_id = beamtime_id
        self._camera = camera
        self._server = server
        self._interval = settings.interval
        self._server_outage = Outage(logger, f"beamtime {beamtime_id}: upload")
        self._bad_frames = Outage(logger, f"beamtime {beamtime_id}: camera frames")
        self._backoff = Backoff(settings.interval, settings.max_backoff)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        sequence = 0
        while True:
            # Waiting for a newer frame means a stalled camera's last frame is not sent again.
            frame = await self._camera.latest.newer_than(sequence)
            sequence = frame.sequence
            started = loop.time()
            delay = await self._upload(frame.data)
            await asyncio.sleep(max(0.0, delay - (loop.time() - started)))

    async def _upload(self, data: bytes) -> float:
        """Validate and upload one frame; returns how long to wait before the next."""
        # Decoding a large frame takes long enough to delay reading the camera stream.
        media_type = await asyncio.to_thread(image_media_type, data)
        if media_type is None:
            self._bad_frames.failed("a frame does not decode as a JPEG or PNG image; skipped")
            return self._interval
        self._bad_frames.recovered()
        try:
            await self._server.put_live_stream(self._beamtime_id, data, media_type)
        except ServerError as error:
            level = logging.ERROR if error.rejected else logging.WARNING
            self._server_outage.failed(str(error), level)
            return self._backoff.next()
        self._server_outage.recovered()
        self._backoff.reset()
        return self._interval
