"""The newest frame of a camera, and the check that a frame is an image worth uploading."""

import asyncio
import io
import struct
from dataclasses import dataclass

from PIL import Image

_MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}


@dataclass(frozen=True, slots=True)
class Frame:
    data: bytes
    sequence: int


class LatestFrame:
    """Holds only the newest frame: older ones are dropped as soon as a newer one arrives."""

    def __init__(self) -> None:
        self._frame: Frame | None = None
        self._arrived = asyncio.Event()

    @property
    def frame(self) -> Frame | None:
        return self._frame

    def put(self, data: bytes) -> None:
        sequence = self._frame.sequence + 1 if self._frame else 1
        self._frame = Frame(data, sequence)
        # Waiters hold the event they started waiting on; a fresh one serves the next frame.
        self._arrived.set()
        self._arrived = asyncio.Event()

    async def newer_than(self, sequence: int) -> Frame:
        while self._frame is None or self._frame.sequence <= sequence:
            await self._arrived.wait()
        return self._frame


def image_media_type(data: bytes) -> str | None:
    """The media type of a frame that decodes completely, or None for anything else.

    `Image.verify()` accepts truncated JPEGs, so the frame is decoded in full.
    """
    try:
        with Image.open(io.BytesIO(data), formats=tuple(_MEDIA_TYPES)) as image:
            image.load()
            return _MEDIA_TYPES.get(image.format or "")
    except (OSError, SyntaxError, ValueError, struct.error, Image.DecompressionBombError):
        return None
