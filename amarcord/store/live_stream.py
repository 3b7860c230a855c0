"""The live-stream image: one row per beamtime, replaced in place by every frame.

Frames write no change-feed rows (a camera at 1 fps would add 86,400 a day); the change
stream polls `updated_at` instead (`latest_live_stream_update`) and announces new frames as
transient events."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import BindParameter, Select, Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from amarcord.db.blobs import execute_with_blobs
from amarcord.db.models import File, LiveStreamImage
from amarcord.domain.errors import NotFound
from amarcord.domain.mime import extension
from amarcord.store import changes, core, files
from amarcord.store.beamtimes import lock


@dataclass(frozen=True)
class Frame:
    content: bytes
    thumbnail: bytes
    mime_type: str
    sha256: str
    width: int
    height: int


@dataclass(frozen=True)
class LiveStreamInfo:
    """Everything about the current frame but its bytes."""

    beamtime_id: int
    updated_at: datetime
    mime_type: str
    size: int
    sha256: str
    width: int
    height: int


def _bound(name: str) -> BindParameter[Any]:
    return bindparam(f"new_{name}", type_=_TABLE.c[name].type)


_TABLE = cast(Table, LiveStreamImage.__table__)
_FRAME_COLUMNS = (
    "content",
    "thumbnail",
    "mime_type",
    "size",
    "sha256",
    "width",
    "height",
    "updated_at",
)
# Built once: constructing the statements took a noticeable share of a frame's CPU time.
_REPLACE = (
    update(_TABLE)
    .where(_TABLE.c.beamtime_id == _bound("beamtime_id"))
    .values({name: _bound(name) for name in _FRAME_COLUMNS})
)
_FIRST = insert(_TABLE).values({name: _bound(name) for name in ("beamtime_id", *_FRAME_COLUMNS)})


async def replace(session: AsyncSession, beamtime_id: int, frame: Frame) -> LiveStreamInfo:
    await lock(session, beamtime_id)
    info = LiveStreamInfo(
        beamtime_id=beamtime_id,
        updated_at=changes.utcnow(),
        mime_type=frame.mime_type,
        size=len(frame.content),
        sha256=frame.sha256,
        width=frame.width,
        height=frame.height,
    )
    values = vars(info) | {"content": frame.content, "thumbnail": frame.thumbnail}
    params = {f"new_{name}": value for name, value in values.items()}
    if not await execute_with_blobs(session, _REPLACE, params):
        await execute_with_blobs(session, _FIRST, params)
    return info


_INFO_COLUMNS = tuple(
    _TABLE.c[name]
    for name in ("beamtime_id", "updated_at", "mime_type", "size", "sha256", "width", "height")
)
_THIS_BEAMTIME = _TABLE.c.beamtime_id == bindparam("beamtime_id")
_INFO = select(*_INFO_COLUMNS).where(_THIS_BEAMTIME)
_UPDATED_AT = select(_TABLE.c.updated_at).where(_THIS_BEAMTIME)
_WITH_CONTENT = select(*_INFO_COLUMNS, _TABLE.c.content).where(_THIS_BEAMTIME)
_WITH_THUMBNAIL = select(*_INFO_COLUMNS, _TABLE.c.thumbnail).where(_THIS_BEAMTIME)


async def _row(
    session: AsyncSession | AsyncConnection, query: Select[Any], beamtime_id: int
) -> dict[str, Any] | None:
    # Core statements: browsers poll these with If-None-Match.
    row = (await core.execute(session, query, {"beamtime_id": beamtime_id})).one_or_none()
    return None if row is None else dict(row._mapping)


async def info(session: AsyncSession | AsyncConnection, beamtime_id: int) -> LiveStreamInfo | None:
    """The current frame's metadata (for the overview), or None when there is none."""
    row = await _row(session, _INFO, beamtime_id)
    return None if row is None else LiveStreamInfo(**row)


async def latest_live_stream_update(session: AsyncSession, beamtime_id: int) -> datetime | None:
    """When the current frame arrived; what the change stream polls."""
    row = await _row(session, _UPDATED_AT, beamtime_id)
    return None if row is None else cast(datetime, row["updated_at"])


async def content(session: AsyncSession, beamtime_id: int) -> tuple[LiveStreamInfo, bytes]:
    return await _with_bytes(session, _WITH_CONTENT, beamtime_id, "content")


async def thumbnail(session: AsyncSession, beamtime_id: int) -> tuple[LiveStreamInfo, bytes]:
    return await _with_bytes(session, _WITH_THUMBNAIL, beamtime_id, "thumbnail")


async def _with_bytes(
    session: AsyncSession, query: Select[Any], beamtime_id: int, column: str
) -> tuple[LiveStreamInfo, bytes]:
    row = await _row(session, query, beamtime_id)
    data = None if row is None else row.pop(column)
    if row is None or data is None:
        raise NotFound(f"beamtime {beamtime_id} has no live-stream image")
    return LiveStreamInfo(**row), data


def snapshot_name(current: LiveStreamInfo) -> str:
    stamp = current.updated_at.strftime("%Y-%m-%dT%H-%M-%SZ")
    return f"live-stream-{stamp}{extension(current.mime_type)}"


async def copy_to_file(session: AsyncSession, beamtime_id: int, *, actor: str) -> tuple[File, bool]:
    """A file holding the current frame (an existing file when the frame is identical to
    one); NotFound when there is no frame. Returns the file and whether it was created."""
    await lock(session, beamtime_id)
    current, data = await content(session, beamtime_id)
    _, small = await thumbnail(session, beamtime_id)
    new = files.NewFile(
        name=snapshot_name(current),
        description="",
        mime_type=current.mime_type,
        size=current.size,
        sha256=current.sha256,
        width=current.width,
        height=current.height,
        thumbnail=small,
    )
    return await files.create(session, beamtime_id, new, io.BytesIO(data), actor=actor)
