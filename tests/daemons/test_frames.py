import asyncio
import io

from PIL import Image

from daemons.mjpeg.frames import LatestFrame, image_media_type
from tests.daemons.support import jpeg


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (4, 4)).save(buffer, "PNG")
    return buffer.getvalue()


def test_complete_images_are_accepted_with_their_media_type() -> None:
    assert image_media_type(jpeg()) == "image/jpeg"
    assert image_media_type(png()) == "image/png"


def test_truncated_and_foreign_frames_are_rejected() -> None:
    whole = jpeg(256, 256, "blue")
    truncated = whole[: len(whole) * 2 // 3]
    with Image.open(io.BytesIO(truncated)) as image:
        image.verify()  # the check that is not enough
    assert image_media_type(truncated) is None
    assert image_media_type(b"\xff\xd8\xff garbage") is None
    assert image_media_type(b"") is None
    gif = io.BytesIO()
    Image.new("P", (4, 4)).save(gif, "GIF")
    assert image_media_type(gif.getvalue()) is None


async def test_latest_frame_hands_out_only_the_newest() -> None:
    latest = LatestFrame()
    waiter = asyncio.create_task(latest.newer_than(0))
    await asyncio.sleep(0)
    latest.put(b"a")
    latest.put(b"b")
    assert (await waiter).data == b"b"
    frame = latest.frame
    assert frame is not None
    assert frame.sequence == 2
    later = asyncio.create_task(latest.newer_than(frame.sequence))
    await asyncio.sleep(0.01)
    assert not later.done()
    latest.put(b"c")
    assert (await later).data == b"c"
