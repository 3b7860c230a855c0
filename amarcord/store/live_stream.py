"""The live-stream image: one row per beamtime, replaced in place by every frame.

Frames write no change-feed rows (a camera at 1 fps would add 86,400 a day); the change
stream polls `updated_at` instead (`latest_live_stream_update`) and announces new frames as
transient events."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from amarcord.db.blobs import execute_with_blobs
from amarcord.db.models import File, LiveStreamImage
from amarcord.domain.errors import NotFound
from amarcord.domain.mime import extension
from amarcord.store import changes, files
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


_INFO_COLUMNS = (
    LiveStreamImage.beamtime_id,
    LiveStreamImage.updated_at,
    LiveStreamImage.mime_type,
    LiveStreamImage.size,
    LiveStreamImage.sha256,
    LiveStreamImage.width,
    LiveStreamImage.height,
)


async def replace(session: AsyncSession, beamtime_id: int, frame: Frame) -> LiveStreamInfo:
    await lock(session, beamtime_id)
    now = changes.utcnow()
    values: dict[str, object] = {
        "mime_type": frame.mime_type,
        "size": len(frame.content),
        "sha256": frame.sha256,
        "width": frame.width,
        "height": frame.height,
        "updated_at": now,
    }
    values |= {"content": frame.content, "thumbnail": frame.thumbnail}
    # Core statements: the ORM would load the previous frame's bytes first.
    this_beamtime = LiveStreamImage.beamtime_id == beamtime_id
    replaced = await execute_with_blobs(
        session, update(LiveStreamImage).where(this_beamtime).values(values)
    )
    if not replaced:
        first = insert(LiveStreamImage).values(beamtime_id=beamtime_id, **values)
        await execute_with_blobs(session, first)
    return LiveStreamInfo(
        beamtime_id=beamtime_id,
        updated_at=now,
        mime_type=frame.mime_type,
        size=len(frame.content),
        sha256=frame.sha256,
        width=frame.width,
        height=frame.height,
    )


async def info(session: AsyncSession, beamtime_id: int) -> LiveStreamInfo | None:
    """The current frame's metadata (for the overview), or None when there is none."""
    query = select(*_INFO_COLUMNS).where(LiveStreamImage.beamtime_id == beamtime_id)
    row = (await session.execute(query)).one_or_none()
    return None if row is None else LiveStreamInfo(**row._asdict())


async def latest_live_stream_update(session: AsyncSession, beamtime_id: int) -> datetime | None:
    """When the current frame arrived; what the change stream polls."""
    query = select(LiveStreamImage.updated_at).where(LiveStreamImage.beamtime_id == beamtime_id)
    updated_at: datetime | None = await session.scalar(query)
    return updated_at


async def content(session: AsyncSession, beamtime_id: int) -> tuple[LiveStreamInfo, bytes]:
    return await _with_column(session, beamtime_id, LiveStreamImage.content)


async def thumbnail(session: AsyncSession, beamtime_id: int) -> tuple[LiveStreamInfo, bytes]:
    return await _with_column(session, beamtime_id, LiveStreamImage.thumbnail)


async def _with_column(
    session: AsyncSession, beamtime_id: int, column: InstrumentedAttribute[bytes | None]
) -> tuple[LiveStreamInfo, bytes]:
    query = select(*_INFO_COLUMNS, column).where(LiveStreamImage.beamtime_id == beamtime_id)
    row = (await session.execute(query)).one_or_none()
    if row is None or row[-1] is None:
        raise NotFound(f"beamtime {beamtime_id} has no live-stream image")
    data: bytes = row[-1]
    return LiveStreamInfo(*row[:-1]), data


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
