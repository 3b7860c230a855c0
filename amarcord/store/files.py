"""Files: metadata in `file`, content in `file_chunk` rows of at most `FILE_CHUNK_BYTES`, so
that a 100 MB file fits through MariaDB's default `max_allowed_packet` and is never held in
memory as a whole, neither when it is stored nor when it is served. Identical content is
stored once per beamtime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.blobs import execute_with_blobs
from amarcord.db.engine import Database
from amarcord.db.models import (
    FILE_CHUNK_BYTES,
    Chemical,
    ChemicalFile,
    Event,
    EventFile,
    File,
    FileChunk,
)
from amarcord.domain.errors import Conflict, NotFound
from amarcord.store import changes
from amarcord.store.beamtimes import lock

ENTITY = "file"
_LINKS: dict[type[Event] | type[Chemical], Any] = {
    Event: (EventFile, EventFile.event_id),
    Chemical: (ChemicalFile, ChemicalFile.chemical_id),
}
_FIELDS = ("name", "description", "mime_type", "size", "sha256", "width", "height")


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class NewFile:
    name: str
    description: str
    mime_type: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


def snapshot(row: File) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _FIELDS}


async def find_by_sha256(session: AsyncSession, beamtime_id: int, sha256: str) -> File | None:
    query = select(File).where(File.beamtime_id == beamtime_id, File.sha256 == sha256)
    row: File | None = await session.scalar(query)
    return row


async def create(
    session: AsyncSession, beamtime_id: int, new: NewFile, content: Readable, *, actor: str
) -> tuple[File, bool]:
    """Stores `content` unless the beamtime already holds identical content; returns the file
    and whether it was created. `content` is read `FILE_CHUNK_BYTES` at a time."""
    await lock(session, beamtime_id)
    existing = await find_by_sha256(session, beamtime_id, new.sha256)
    if existing is not None:
        return existing, False
    row = File(beamtime_id=beamtime_id, created_at=changes.utcnow(), **vars(new))
    try:
        # The beamtime lock already serialises uploads; the unique key is the last defence.
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        # Rolling back the savepoint has already taken `row` out of the session.
        existing = await find_by_sha256(session, beamtime_id, new.sha256)
        if existing is None:
            raise
        return existing, False
    await _store_chunks(session, row.id, content)
    await changes.record(
        session,
        beamtime_id=beamtime_id,
        actor=actor,
        entity=ENTITY,
        entity_id=row.id,
        action="created",
        after=snapshot(row),
    )
    return row, True


async def _store_chunks(session: AsyncSession, file_id: int, content: Readable) -> None:
    index = 0
    while chunk := content.read(FILE_CHUNK_BYTES):
        # One INSERT per chunk through Core: the ORM would keep every chunk in the session.
        statement = insert(FileChunk).values(file_id=file_id, index=index, data=chunk)
        await execute_with_blobs(session, statement)
        index += 1


async def get(session: AsyncSession, file_id: int) -> File:
    row = await session.get(File, file_id)
    if row is None:
        raise NotFound(f"file {file_id} does not exist")
    return row


async def thumbnail(session: AsyncSession, file_id: int) -> tuple[File, bytes]:
    """The file and its thumbnail; NotFound when the file is not an image."""
    row = await get(session, file_id)
    data = await session.scalar(select(File.thumbnail).where(File.id == file_id))
    if data is None:
        raise NotFound(f"file {file_id} ({row.mime_type}) has no thumbnail")
    return row, data


async def chunk_count(session: AsyncSession, file_id: int) -> int:
    query = select(func.count()).select_from(FileChunk).where(FileChunk.file_id == file_id)
    return await session.scalar(query) or 0


async def iter_content(database: Database, file_id: int, chunks: int) -> AsyncIterator[bytes]:
    """Yields the content one chunk at a time, each read in its own short transaction, so
    a slow download holds neither a pooled connection nor a snapshot. A file deleted
    meanwhile ends the stream early (the client sees fewer bytes than Content-Length)."""
    for index in range(chunks):
        async with database.read() as session:
            data = await session.scalar(
                select(FileChunk.data).where(FileChunk.file_id == file_id, FileChunk.index == index)
            )
        if data is None:
            return
        yield data


async def files_exist_in_beamtime(
    session: AsyncSession, beamtime_id: int, ids: Iterable[int]
) -> list[int]:
    """The ids among `ids` that are not files of the beamtime (unknown or another
    beamtime's), in the order given; for validating attachments of events and chemicals."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    query = select(File.id).where(File.beamtime_id == beamtime_id, File.id.in_(wanted))
    known = set(await session.scalars(query))
    return [file_id for file_id in wanted if file_id not in known]


async def summaries(session: AsyncSession, file_ids: Iterable[int]) -> dict[int, File]:
    """Metadata of the given files by id (the content and thumbnail are not loaded)."""
    wanted = set(file_ids)
    if not wanted:
        return {}
    return {row.id: row for row in await session.scalars(select(File).where(File.id.in_(wanted)))}


async def delete(session: AsyncSession, file_id: int, *, actor: str, force: bool) -> None:
    """Deletes a file; 409 while an event or chemical has it attached, unless `force`, which
    detaches it and records the change of every event and chemical concerned."""
    beamtime_id = await session.scalar(select(File.beamtime_id).where(File.id == file_id))
    if beamtime_id is None:
        raise NotFound(f"file {file_id} does not exist")
    await lock(session, beamtime_id)
    row = await get(session, file_id)
    event_ids = await _ids(session, select(EventFile.event_id).where(EventFile.file_id == file_id))
    chemical_ids = await _ids(
        session, select(ChemicalFile.chemical_id).where(ChemicalFile.file_id == file_id)
    )
    if (event_ids or chemical_ids) and not force:
        raise Conflict(_attached_message(file_id, event_ids, chemical_ids))
    holders = [(Event, i) for i in event_ids] + [(Chemical, i) for i in chemical_ids]
    await _detach(session, beamtime_id, file_id, holders, actor=actor)
    before = snapshot(row) | {"event_ids": event_ids, "chemical_ids": chemical_ids}
    await changes.record(
        session,
        beamtime_id=beamtime_id,
        actor=actor,
        entity=ENTITY,
        entity_id=file_id,
        action="deleted",
        before=before,
    )
    await session.execute(sql_delete(FileChunk).where(FileChunk.file_id == file_id))
    await session.delete(row)


async def _ids(session: AsyncSession, query: Any) -> list[int]:
    return sorted(await session.scalars(query))


def _attached_message(file_id: int, event_ids: Sequence[int], chemical_ids: Sequence[int]) -> str:
    holders = [f"event {i}" for i in event_ids] + [f"chemical {i}" for i in chemical_ids]
    return (
        f"file {file_id} is attached to {', '.join(holders)}; "
        "delete with force=true to detach it everywhere"
    )


async def _detach(
    session: AsyncSession,
    beamtime_id: int,
    file_id: int,
    holders: Sequence[tuple[type[Event] | type[Chemical], int]],
    *,
    actor: str,
) -> None:
    for model, holder_id in holders:
        link, column = _LINKS[model]
        before = await _ids(session, select(link.file_id).where(column == holder_id))
        await session.execute(sql_delete(link).where(column == holder_id, link.file_id == file_id))
        holder: Event | Chemical | None = await session.get(model, holder_id)
        if holder is not None:
            # Touching the row bumps its version: its representation (file_ids) changed.
            holder.updated_at = changes.utcnow()
        await changes.record_update(
            session,
            beamtime_id=beamtime_id,
            actor=actor,
            entity=model.__tablename__,
            entity_id=holder_id,
            before={"file_ids": before},
            after={"file_ids": [i for i in before if i != file_id]},
        )
