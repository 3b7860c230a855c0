"""Images made with Pillow at test time, and helpers that upload files and frames."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from PIL import Image
from quart import Quart
from quart.typing import TestClientProtocol as Client
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from amarcord.db.models import Change


def image_bytes(
    size: tuple[int, int] = (64, 48),
    format_: str = "JPEG",
    mode: str = "RGB",
    color: Any = (200, 30, 30),
    **save: Any,
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format_, **save)
    return out.getvalue()


def jpeg(size: tuple[int, int] = (64, 48), color: Any = (200, 30, 30), **save: Any) -> bytes:
    return image_bytes(size, "JPEG", color=color, **save)


def png(size: tuple[int, int] = (64, 48), color: Any = (30, 200, 30), **save: Any) -> bytes:
    return image_bytes(size, "PNG", color=color, **save)


def noisy_jpeg(size: tuple[int, int], quality: int = 75) -> bytes:
    """A frame with the entropy of a real camera image (a flat one compresses to nothing)."""
    picture = Image.effect_noise(size, 30).convert("RGB")
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality)
    return out.getvalue()


def oversized_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb)."""
    data = png((8, 8))
    header_at = 8  # after the signature: length (4), b"IHDR" (4), then width and height
    body = bytearray(data[header_at + 8 : header_at + 8 + 13])
    body[0:8] = struct.pack(">II", width, height)
    chunk = b"IHDR" + bytes(body)
    patched = struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return data[:header_at] + patched + data[header_at + 8 + 13 + 4 :]


def files_form(content: bytes, filename: str = "data.bin") -> dict[str, FileStorage]:
    return {"file": FileStorage(io.BytesIO(content), filename=filename)}


async def upload(
    client: Client,
    beamtime_id: int,
    content: bytes,
    filename: str = "data.bin",
    description: str | None = None,
    expect: int | None = 201,
) -> dict[str, Any]:
    form = None if description is None else {"description": description}
    response = await client.post(
        f"/api/beamtimes/{beamtime_id}/files", files=files_form(content, filename), form=form
    )
    if expect is not None:
        assert response.status_code == expect, await response.get_data(as_text=True)
    body: dict[str, Any] = await response.get_json()
    return body


async def put_frame(
    client: Client, beamtime_id: int, content: bytes, content_type: str = "image/jpeg"
) -> Any:
    return await client.put(
        f"/api/beamtimes/{beamtime_id}/live-stream",
        data=content,
        headers={"Content-Type": content_type},
    )


async def count_rows(app: Quart, model: Any) -> int:
    async with app.extensions["amarcord"].database.read() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def feed_of(app: Quart, beamtime_id: int, entity: str) -> list[Change]:
    """The beamtime's change-feed rows about `entity`, oldest first."""
    async with app.extensions["amarcord"].database.read() as session:
        query = (
            select(Change)
            .where(Change.beamtime_id == beamtime_id, Change.entity == entity)
            .order_by(Change.seq)
        )
        return list(await session.scalars(query))
