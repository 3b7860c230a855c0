"""The event log of a beamtime: list (with search and filters), create, get, patch, delete."""

from __future__ import annotations

from datetime import datetime

from quart import Blueprint, Response
from quart_schema import tag, validate_querystring, validate_request, validate_response

from amarcord.api.access import access, current_actor
from amarcord.api.context import database
from amarcord.api.http import decode_cursor, encode_cursor, etag, if_match_version
from amarcord.domain.errors import ValidationFailed
from amarcord.schemas.events import EventCreate, EventList, EventOut, EventPatch, EventQuery
from amarcord.store import events as store
from amarcord.store.events import EventFilters, EventRecord

blueprint = Blueprint("events", __name__, url_prefix="/api/beamtimes/<int:bt>/events")
_CURSOR_KEYS = ("created_at", "id")


def _out(record: EventRecord, status: int = 200) -> tuple[EventOut, int, dict[str, str]]:
    return EventOut.of(record), status, {"ETag": etag(record.event.version)}


def _after(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    position = decode_cursor(cursor, _CURSOR_KEYS)
    try:
        return datetime.fromisoformat(position["created_at"]), int(position["id"])
    except (TypeError, ValueError) as error:
        raise ValidationFailed.single(("query", "cursor"), "malformed cursor") from error


@blueprint.get("")
@access("read")
@tag(["events"])
@validate_querystring(EventQuery)
@validate_response(EventList)
async def list_events(bt: int, query_args: EventQuery) -> EventList:
    """List events, newest first.

    `q` searches text and source, `level` takes one or several comma-separated levels,
    `since` (inclusive) and `until` (exclusive) bound the creation time, `run` selects a run."""
    filters = EventFilters(
        q=query_args.q,
        levels=query_args.levels,
        since=query_args.since,
        until=query_args.until,
        run=query_args.run,
    )
    async with database().read() as session:
        page = await store.list_page(
            session, bt, filters, limit=query_args.limit, after=_after(query_args.cursor)
        )
    items = [EventOut.of(record) for record in page.items]
    next_cursor = None
    if page.has_more and items:
        last = items[-1]
        next_cursor = encode_cursor({"created_at": last.created_at.isoformat(), "id": last.id})
    return EventList(items=items, total=page.total, next_cursor=next_cursor)


@blueprint.post("")
@access("write")
@tag(["events"])
@validate_request(EventCreate)
@validate_response(EventOut, 201)
async def create_event(bt: int, data: EventCreate) -> tuple[EventOut, int, dict[str, str]]:
    """Add an event.

    `source` defaults to the caller; `attach_live_stream` attaches a copy of the current
    live-stream image (422 when there is none)."""
    values = data.model_dump()
    values["source"] = data.source or current_actor()
    async with database().write() as session:
        record = await store.create(session, bt, values, actor=current_actor())
    return _out(record, 201)


@blueprint.get("/<int:event_id>")
@access("read")
@tag(["events"])
@validate_response(EventOut)
async def get_event(bt: int, event_id: int) -> tuple[EventOut, int, dict[str, str]]:
    """One event."""
    async with database().read() as session:
        return _out(await store.get(session, bt, event_id))


@blueprint.patch("/<int:event_id>")
@access("write")
@tag(["events"])
@validate_request(EventPatch)
@validate_response(EventOut)
async def patch_event(
    bt: int, event_id: int, data: EventPatch
) -> tuple[EventOut, int, dict[str, str]]:
    """Edit an event.

    Changes the fields sent; the previous values stay in the change feed. Honours `If-Match`."""
    async with database().write() as session:
        record = await store.update(
            session,
            bt,
            event_id,
            data.model_dump(exclude_unset=True),
            actor=current_actor(),
            expected_version=if_match_version(),
        )
    return _out(record)


@blueprint.delete("/<int:event_id>")
@access("write")
@tag(["events"])
async def delete_event(bt: int, event_id: int) -> Response:
    """Delete an event.

    Its files stay; the change feed keeps its content. Honours `If-Match`."""
    async with database().write() as session:
        await store.delete(
            session, bt, event_id, actor=current_actor(), expected_version=if_match_version()
        )
    return Response(status=204)
