"""Files: streamed upload, download, thumbnail, metadata, delete."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from quart import Blueprint, Response
from quart_schema import DataSource, document_request, tag, validate_querystring, validate_response

from amarcord.api.access import access, current_actor
from amarcord.api.context import database, settings
from amarcord.api.downloads import (
    binary_response,
    content_disposition,
    content_tag,
    if_match_fails,
    not_modified,
    not_modified_response,
)
from amarcord.api.json_input import text_problem
from amarcord.api.uploads import ReceivedFile, receive_multipart
from amarcord.db.models import File
from amarcord.domain.errors import PreconditionFailed, ValidationFailed
from amarcord.domain.filenames import clean_filename
from amarcord.domain.images import inspect_image
from amarcord.domain.mime import is_image, sniff
from amarcord.schemas.common import DeleteQuery
from amarcord.schemas.files import FileOut, FileUpload
from amarcord.store import beamtimes
from amarcord.store import files as store

blueprint = Blueprint("files", __name__)
_THUMBNAIL = "-thumbnail"


@blueprint.post("/api/beamtimes/<int:bt>/files")
@access("write")
@tag(["files"])
@document_request(FileUpload, source=DataSource.FORM_MULTIPART)
@validate_response(FileOut, 201)
@validate_response(FileOut, 200)
async def upload_file(bt: int) -> tuple[FileOut, int, dict[str, str]]:
    """Upload a file.

    Multipart `file` and optional `description`. 201 with the new file; 200 with the existing
    one (name and description unchanged) when the beamtime already holds identical content."""
    async with database().read() as session:
        await beamtimes.get(session, bt)
    async with receive_multipart(settings().max_upload_bytes) as upload:
        received = upload.files.get("file")
        if received is None or (received.size == 0 and not received.filename):
            raise ValidationFailed.single(("body", "file"), "the form has no `file` part")
        description = upload.fields.get("description", "")
        if (problem := text_problem(description)) is not None:
            raise ValidationFailed.single(("body", "description"), problem)
        row, created = await _store(bt, received, description)
    return FileOut.model_validate(row), 201 if created else 200, {"ETag": content_tag(row.sha256)}


async def _store(bt: int, received: ReceivedFile, description: str) -> tuple[File, bool]:
    db = database()
    async with db.read() as session:
        existing = await store.find_by_sha256(session, bt, received.sha256)
    if existing is not None:
        return existing, False
    mime_type = received.mime_type
    new = store.NewFile(
        name=clean_filename(received.filename),
        description=description,
        mime_type=mime_type,
        size=received.size,
        sha256=received.sha256,
    )
    if is_image(mime_type):
        # Decoding a large image takes long enough to stall every other request.
        image = await asyncio.to_thread(
            inspect_image, received.spool, mime_type, loc=("body", "file")
        )
        received.spool.seek(0)
        new = replace(new, width=image.width, height=image.height, thumbnail=image.thumbnail)
    async with db.write() as session:
        return await store.create(session, bt, new, received.spool, actor=current_actor())


@blueprint.get("/api/files/<int:file_id>")
@access("read")
@tag(["files"])
async def download_file(file_id: int) -> Response:
    """Download a file.

    Streamed; `ETag` is the sha256, 304 on a matching `If-None-Match`."""
    db = database()
    async with db.read() as session:
        row = await store.get(session, file_id)
        chunks = await store.chunk_count(session, file_id)
    tag_ = content_tag(row.sha256)
    if not_modified(tag_):
        return not_modified_response(tag_)
    return binary_response(
        store.iter_content(db, file_id, chunks),
        mime_type=row.mime_type,
        size=row.size,
        tag=tag_,
        disposition=content_disposition(row.name, row.mime_type),
    )


@blueprint.get("/api/files/<int:file_id>/thumbnail")
@access("read")
@tag(["files"])
async def file_thumbnail(file_id: int) -> Response:
    """A file's thumbnail.

    At most 256 px, for images; 404 for other files."""
    async with database().read() as session:
        row, data = await store.thumbnail(session, file_id)
    tag_ = content_tag(row.sha256, _THUMBNAIL)
    if not_modified(tag_):
        return not_modified_response(tag_)
    mime_type = sniff(data, complete=True)
    return binary_response(data, mime_type=mime_type, size=len(data), tag=tag_)


@blueprint.get("/api/files/<int:file_id>/meta")
@access("read")
@tag(["files"])
@validate_response(FileOut)
async def file_meta(file_id: int) -> tuple[FileOut, int, dict[str, str]]:
    """The file's metadata, without its content."""
    async with database().read() as session:
        row = await store.get(session, file_id)
    return FileOut.model_validate(row), 200, {"ETag": content_tag(row.sha256)}


@blueprint.delete("/api/files/<int:file_id>")
@access("write")
@tag(["files"])
@validate_querystring(DeleteQuery)
async def delete_file(file_id: int, query_args: DeleteQuery) -> Response:
    """Delete a file.

    409 while an event or chemical has it attached, unless `force=true` (which detaches it).
    Honours `If-Match` with the file's ETag."""
    db = database()
    async with db.read() as session:
        row = await store.get(session, file_id)
    # Content never changes, so checking before the write transaction cannot go stale.
    if if_match_fails(content_tag(row.sha256)):
        raise PreconditionFailed(f"file {file_id} does not have the ETag you sent")
    async with db.write() as session:
        await store.delete(session, file_id, actor=current_actor(), force=query_args.force)
    return Response(status=204)
