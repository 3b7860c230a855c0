from __future__ import annotations

import hashlib
import io
from datetime import datetime

import pytest
from PIL import Image
from quart import Quart
from quart.typing import TestClientProtocol as Client
from sqlalchemy import func, select

from amarcord.api.live_stream import MAX_FRAME_BYTES
from amarcord.db.models import Change, LiveStreamImage
from amarcord.schemas.files import LiveStreamOverview
from amarcord.store import live_stream
from tests.support.factories import create_beamtime
from tests.support.media import (
    files_form,
    image_bytes,
    jpeg,
    noisy_jpeg,
    oversized_png,
    png,
    put_frame,
)


async def test_put_then_get(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    frame = noisy_jpeg((640, 480))
    response = await put_frame(client, bt, frame)
    assert response.status_code == 200
    meta = await response.get_json()
    sha = hashlib.sha256(frame).hexdigest()
    assert meta == {
        "updated_at": meta["updated_at"],
        "size": len(frame),
        "width": 640,
        "height": 480,
        "url": f"/api/beamtimes/{bt}/live-stream",
        "mime_type": "image/jpeg",
        "sha256": sha,
    }
    response = await client.get(f"/api/beamtimes/{bt}/live-stream")
    assert response.status_code == 200
    assert await response.get_data() == frame
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["ETag"] == f'"{sha}"'
    assert response.headers["Cache-Control"] == "no-cache"
    assert "GMT" in response.headers["Last-Modified"]
    thumb = await client.get(f"/api/beamtimes/{bt}/live-stream/thumbnail")
    assert thumb.headers["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(await thumb.get_data())) as image:
        assert max(image.size) <= 256
    async with app.extensions["amarcord"].database.read() as session:
        feed = await session.scalar(select(func.count()).select_from(Change))
    assert feed == 1  # the beamtime's creation only: frames write no change feed


async def test_if_none_match_gives_304_until_the_frame_changes(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    await put_frame(client, bt, jpeg(color=(1, 2, 3)))
    url = f"/api/beamtimes/{bt}/live-stream"
    tag = (await client.get(url)).headers["ETag"]
    response = await client.get(url, headers={"If-None-Match": tag})
    assert response.status_code == 304
    assert response.headers["ETag"] == tag
    assert "Last-Modified" in response.headers
    await put_frame(client, bt, png())
    response = await client.get(url, headers={"If-None-Match": tag})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    thumb_url = f"{url}/thumbnail"
    thumb_tag = (await client.get(thumb_url)).headers["ETag"]
    assert thumb_tag != response.headers["ETag"]
    assert (await client.get(thumb_url, headers={"If-None-Match": thumb_tag})).status_code == 304


async def test_frames_replace_one_row_in_place(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    stamps = []
    for shade in range(3):
        meta = await (await put_frame(client, bt, jpeg(color=(shade, 0, 0)))).get_json()
        stamps.append(meta["updated_at"])
    assert stamps == sorted(stamps)
    async with app.extensions["amarcord"].database.read() as session:
        rows = await session.scalar(select(func.count()).select_from(LiveStreamImage))
        latest = await live_stream.latest_live_stream_update(session, bt)
        info = await live_stream.info(session, bt)
    assert rows == 1
    assert isinstance(latest, datetime) and latest.isoformat().startswith(stamps[-1][:19])
    assert info is not None
    overview = LiveStreamOverview.of(info).model_dump(mode="json")
    assert overview["url"] == f"/api/beamtimes/{bt}/live-stream"
    assert (overview["width"], overview["height"]) == (64, 48)


async def test_multipart_frame(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    frame = png((30, 20))
    response = await client.put(
        f"/api/beamtimes/{bt}/live-stream", files=files_form(frame, "frame.png")
    )
    assert response.status_code == 200
    assert (await response.get_json())["mime_type"] == "image/png"
    assert await (await client.get(f"/api/beamtimes/{bt}/live-stream")).get_data() == frame


async def test_no_frame_is_404(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    for suffix in ("", "/thumbnail"):
        response = await client.get(f"/api/beamtimes/{bt}/live-stream{suffix}")
        assert response.status_code == 404
    assert (await client.post(f"/api/beamtimes/{bt}/live-stream/snapshot")).status_code == 404
    assert (await put_frame(client, 999999, jpeg())).status_code == 404
    async with app.extensions["amarcord"].database.read() as session:
        assert await live_stream.latest_live_stream_update(session, bt) is None
        assert await live_stream.info(session, bt) is None


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        pytest.param(jpeg(), "text/plain", 415, id="text-content-type"),
        pytest.param(jpeg(), "image/gif", 415, id="gif-content-type"),
        pytest.param(
            image_bytes(format_="GIF", mode="P", color=1), "image/jpeg", 415, id="gif-content"
        ),
        pytest.param(b"\x00" * 1000, "image/jpeg", 422, id="random-bytes"),
        pytest.param(noisy_jpeg((320, 240))[:5000], "image/jpeg", 422, id="truncated-jpeg"),
        # Beyond 256 KiB the decoding runs on a thread; its refusals are the same.
        pytest.param(
            noisy_jpeg((1280, 1024))[:300_000], "image/jpeg", 422, id="truncated-large-jpeg"
        ),
        pytest.param(
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "image/png", 422, id="png-header-garbage"
        ),
        pytest.param(oversized_png(50_000, 50_000), "image/png", 422, id="decompression-bomb"),
    ],
)
async def test_bad_frames_are_refused_and_the_old_one_stays(
    client: Client, content: bytes, content_type: str, status: int
) -> None:
    bt = (await create_beamtime(client))["id"]
    good = jpeg()
    await put_frame(client, bt, good)
    response = await put_frame(client, bt, content, content_type)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert await (await client.get(f"/api/beamtimes/{bt}/live-stream")).get_data() == good


async def test_oversize_frame_is_413(client: Client) -> None:
    bt = (await create_beamtime(client))["id"]
    response = await put_frame(client, bt, b"\xff\xd8\xff" + b"\x00" * MAX_FRAME_BYTES)
    assert response.status_code == 413


async def test_largest_frame_fits_every_engine(client: Client) -> None:
    # An uncompressed PNG is almost all zero bytes, which MariaDB's escaping doubles.
    frame = image_bytes((2600, 2700), "PNG", mode="L", color=0, compress_level=0)
    assert len(frame) <= MAX_FRAME_BYTES
    bt = (await create_beamtime(client))["id"]
    assert (await put_frame(client, bt, frame, "image/png")).status_code == 200
    assert await (await client.get(f"/api/beamtimes/{bt}/live-stream")).get_data() == frame


async def test_snapshot_copies_the_frame_into_a_file(client: Client, app: Quart) -> None:
    bt = (await create_beamtime(client))["id"]
    frame = jpeg((100, 80))
    await put_frame(client, bt, frame)
    response = await client.post(f"/api/beamtimes/{bt}/live-stream/snapshot")
    assert response.status_code == 201
    file_id = (await response.get_json())["file_id"]
    meta = await (await client.get(f"/api/files/{file_id}/meta")).get_json()
    assert meta["name"].startswith("live-stream-20") and meta["name"].endswith("Z.jpg")
    assert (meta["mime_type"], meta["width"], meta["height"]) == ("image/jpeg", 100, 80)
    assert await (await client.get(f"/api/files/{file_id}")).get_data() == frame
    assert (await client.get(f"/api/files/{file_id}/thumbnail")).status_code == 200
    again = await client.post(f"/api/beamtimes/{bt}/live-stream/snapshot")
    assert again.status_code == 200
    assert (await again.get_json())["file_id"] == file_id
    async with app.extensions["amarcord"].database.read() as session:
        query = select(Change.action).where(Change.entity == "file")
        assert list(await session.scalars(query)) == ["created"]
