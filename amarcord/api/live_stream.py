"""The live-stream image of a beamtime: replaced by cameras (the MJPEG daemon), polled by
browsers with `If-None-Match`, copied into files as snapshots."""

from __future__ import annotations

import asyncio
import hashlib
import io

from quart import Blueprint, Response, request
from quart_schema import DataSource, document_request, tag, validate_response

from amarcord.api.access import access, current_actor
from amarcord.api.context import database
from amarcord.api.downloads import (
    binary_response,
    content_tag,
    not_modified,
    not_modified_response,
)
from amarcord.api.uploads import MAX_FIELD_BYTES, read_body, receive_multipart, too_large
from amarcord.domain.errors import UnsupportedMedia, ValidationFailed
from amarcord.domain.images import decodes_quickly, inspect_image
from amarcord.domain.mime import is_image, sniff
from amarcord.schemas.files import FrameUpload, LiveStreamOut, SnapshotOut
from amarcord.store import live_stream as store
from amarcord.store.live_stream import Frame, LiveStreamInfo

blueprint = Blueprint("live_stream", __name__, url_prefix="/api/beamtimes/<int:bt>/live-stream")

# A frame travels in one statement, which MariaDB refuses beyond max_allowed_packet (16 MiB by
# default). Frames go as prepared-statement parameters, unescaped; even through the text
# protocol, whose escaping can double binary data (an uncompressed PNG is mostly zero bytes),
# twice this plus the thumbnail would fit. Camera frames are a few hundred kilobytes.
MAX_FRAME_BYTES = 7 * 1024 * 1024
FRAME_TYPES = ("image/jpeg", "image/png")
_THUMBNAIL = "-thumbnail"


@blueprint.put("")
@access("write")
@tag(["live stream"])
@document_request(FrameUpload, source=DataSource.FORM_MULTIPART)
@validate_response(LiveStreamOut)
async def put_frame(bt: int) -> tuple[LiveStreamOut, int, dict[str, str]]:
    """Replace the live-stream image.

    A raw `image/jpeg` or `image/png` body, or a multipart `file`. The image is decoded
    completely: 415 for other types, 422 when it cannot be decoded, 413 beyond 7 MiB."""
    data = await _frame_bytes()
    mime_type = _frame_type(data)
    if decodes_quickly(data, mime_type):
        # A camera frame: decoding it here costs less than the trip to a thread and back.
        frame = _decoded_frame(data, mime_type)
    else:
        frame = await asyncio.to_thread(_decoded_frame, data, mime_type)
    async with database().write() as session:
        info = await store.replace(session, bt, frame)
    return LiveStreamOut.of(info), 200, {"ETag": content_tag(info.sha256)}


async def _frame_bytes() -> bytes:
    if request.mimetype in FRAME_TYPES:
        return await read_body(MAX_FRAME_BYTES)
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMedia("send an image/jpeg or image/png body, or a multipart `file`")
    async with receive_multipart(MAX_FRAME_BYTES + MAX_FIELD_BYTES) as upload:
        received = upload.files.get("file")
        if received is None:
            raise ValidationFailed.single(("body", "file"), "the form has no `file` part")
        if received.size > MAX_FRAME_BYTES:
            raise too_large(MAX_FRAME_BYTES)
        return received.read_all()


def _frame_type(data: bytes) -> str:
    mime_type = sniff(data[:64], complete=False)
    if mime_type not in FRAME_TYPES:
        if is_image(mime_type):
            raise UnsupportedMedia(f"live-stream images must be JPEG or PNG, not {mime_type}")
        raise ValidationFailed.single(("body",), "the body is not a JPEG or PNG image")
    return mime_type


def _decoded_frame(data: bytes, mime_type: str) -> Frame:
    image = inspect_image(io.BytesIO(data), mime_type, loc=("body",))
    return Frame(
        content=data,
        thumbnail=image.thumbnail,
        mime_type=mime_type,
        sha256=hashlib.sha256(data).hexdigest(),
        width=image.width,
        height=image.height,
    )


@blueprint.get("")
@access("read")
@tag(["live stream"])
async def get_frame(bt: int) -> Response:
    """The current live-stream image.

    `ETag` (its sha256), `Last-Modified`, 304 on a matching `If-None-Match`; 404 when there
    is none."""
    if request.headers.get("If-None-Match") is not None:
        # The cheap path that polling browsers take: no image bytes are read.
        async with database().read_core() as connection:
            info = await store.info(connection, bt)
        if info is not None and not_modified(content_tag(info.sha256)):
            return not_modified_response(content_tag(info.sha256), info.updated_at)
    async with database().read() as session:
        info, data = await store.content(session, bt)
    return _image_response(info, data, content_tag(info.sha256))


@blueprint.get("/thumbnail")
@access("read")
@tag(["live stream"])
async def get_thumbnail(bt: int) -> Response:
    """The current live-stream image's thumbnail.

    At most 256 px; 404 when there is no image."""
    async with database().read() as session:
        info, data = await store.thumbnail(session, bt)
    tag_ = content_tag(info.sha256, _THUMBNAIL)
    if not_modified(tag_):
        return not_modified_response(tag_, info.updated_at)
    return _image_response(info, data, tag_, mime_type=sniff(data, complete=True))


def _image_response(
    info: LiveStreamInfo, data: bytes, tag_: str, mime_type: str | None = None
) -> Response:
    return binary_response(
        data,
        mime_type=mime_type or info.mime_type,
        size=len(data),
        tag=tag_,
        last_modified=info.updated_at,
    )


@blueprint.post("/snapshot")
@access("write")
@tag(["live stream"])
@validate_response(SnapshotOut, 201)
@validate_response(SnapshotOut, 200)
async def snapshot(bt: int) -> tuple[SnapshotOut, int]:
    """Copy the live-stream image into a file.

    201 with `file_id`; 200 with the existing file when the beamtime already holds identical
    content; 404 when there is no image."""
    async with database().write() as session:
        row, created = await store.copy_to_file(session, bt, actor=current_actor())
    return SnapshotOut(file_id=row.id), 201 if created else 200
