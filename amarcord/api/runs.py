"""Runs: start, create-or-update by number (DAQ systems), edit, bulk edit, stop, delete, and
the run listing with filters, sorting and keyset pages."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

import orjson
from quart import Blueprint, Response, current_app, request
from quart_schema import (
    document_response,
    tag,
    validate_querystring,
    validate_request,
    validate_response,
)

from amarcord.api.access import access, current_actor
from amarcord.api.context import database, run_listing_cache
from amarcord.api.downloads import not_modified
from amarcord.api.http import decode_cursor, encode_cursor, etag, if_match_version
from amarcord.domain.errors import ValidationFailed
from amarcord.schemas.runs import (
    RunBulkPatch,
    RunBulkResult,
    RunCreate,
    RunList,
    RunListQuery,
    RunOut,
    RunPatch,
    RunPut,
)
from amarcord.store import change_feed, run_bulk, run_listing
from amarcord.store import runs as store
from amarcord.store.runs import RunRef

blueprint = Blueprint("runs", __name__, url_prefix="/api/beamtimes")
_CURSOR_KEYS = ("sort", "value", "number")
_LATEST = {"number": None}
RunResponse = tuple[RunOut, int, dict[str, str]]


def _out(run: Mapping[str, Any], status: int = 200) -> RunResponse:
    model = RunOut.model_validate(run)
    return model, status, {"ETag": etag(model.version)}


def _sent(data: RunCreate | RunPut | RunPatch | RunBulkPatch) -> dict[str, Any]:
    """The fields the client sent (nested defaults filled in): absent means "leave alone"."""
    dumped = data.model_dump()
    return {name: dumped[name] for name in data.model_fields_set}


@blueprint.get("/<int:bt>/runs")
@access("read")
@tag(["runs"])
@validate_querystring(RunListQuery)
@document_response(RunList)
async def list_runs(bt: int, query_args: RunListQuery) -> Response:
    """List runs: filter, run ranges, day, experiment type; sorted, in pages or all at once.

    The answer carries an ETag that changes with the beamtime's change feed: send it back in
    `If-None-Match` to get 304 while nothing changed. Each process keeps recent listings, so
    many browsers asking for the same table after a change cost one computation."""
    params = run_listing.ListParams(
        filter=query_args.filter,
        runs=query_args.runs,
        day=query_args.date,
        experiment_type_id=query_args.experiment_type_id,
        data_set_id=query_args.data_set_id,
        sort=query_args.sort,
        limit=None if query_args.limit == "all" else query_args.limit,
        after=_position(query_args),
    )
    db = database()
    async with db.read_core() as connection:
        seq = await change_feed.latest_seq(connection, bt)
    tag = f'"runs-{seq}"'
    if not_modified(tag):
        return _with_cache_headers(Response(b"", status=304), tag)

    async def load(_kept: object) -> bytes:
        async with _listing_slot(params.limit), db.read() as session:
            page = await run_listing.list_runs(session, bt, params, dialect_kind=db.kind)
        next_cursor = None
        if page.next_position is not None:
            next_cursor = encode_cursor({"sort": query_args.sort, **page.next_position})
        return _encode(page, next_cursor)

    body = await run_listing_cache().get((bt, request.query_string), seq, load)
    return _with_cache_headers(Response(body, content_type="application/json"), tag)


def _with_cache_headers(response: Response, tag: str) -> Response:
    """A listing is a function of the beamtime's latest seq (see `feed_cache`): its ETag.
    Browsers revalidate and get 304 instead of megabytes while nothing changed."""
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = "no-cache"
    return response


# Timestamps in the listing are naive UTC (see RunPage); these options print them with "Z",
# as pydantic prints the aware ones of a single run.
_JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC
_CHUNK = 1000
# A full table costs tens of MB while it is built; a few at a time bound the peak memory
# without costing throughput, as building is CPU-bound anyway.
_LARGE_LISTING = 1000
_LARGE_LISTINGS_AT_ONCE = 2
_SLOTS_KEY = "amarcord.runs.large_listings"


def _listing_slot(limit: int | None) -> contextlib.AbstractAsyncContextManager[Any]:
    if limit is not None and limit <= _LARGE_LISTING:
        return contextlib.nullcontext()
    slots: asyncio.Semaphore = current_app.extensions.setdefault(
        _SLOTS_KEY, asyncio.Semaphore(_LARGE_LISTINGS_AT_ONCE)
    )
    return slots


def _encode(page: run_listing.RunPage, next_cursor: str | None) -> bytes:
    """The page as JSON, encoded a chunk of runs at a time straight into the response body
    (one orjson call per chunk; the items never exist as one list of dicts)."""
    pieces = [b'{"items":[']
    for items in page.chunks(_CHUNK):
        if len(pieces) > 1:
            pieces.append(b",")
        pieces.append(orjson.dumps(items, option=_JSON_OPTIONS)[1:-1])
    tail = {"total": page.total, "next_cursor": next_cursor}
    pieces += [b"],", orjson.dumps(tail)[1:]]
    return b"".join(pieces)


def _position(query_args: RunListQuery) -> dict[str, Any] | None:
    if query_args.cursor is None:
        return None
    position = decode_cursor(query_args.cursor, _CURSOR_KEYS)
    if position["sort"] != query_args.sort or not isinstance(position["number"], int):
        msg = "the cursor belongs to another sort order"
        raise ValidationFailed.single(("query", "cursor"), msg)
    return position


@blueprint.post("/<int:bt>/runs")
@access("write")
@tag(["runs"])
@validate_request(RunCreate)
@validate_response(RunOut, 201)
async def create_run(bt: int, data: RunCreate) -> RunResponse:
    """Start a run: the number defaults to the highest plus one, `started` to now."""
    async with database().write() as session:
        run = await store.create(session, bt, _sent(data), actor=current_actor())
    return _out(run, 201)


@blueprint.patch("/<int:bt>/runs")
@access("write")
@tag(["runs"])
@validate_request(RunBulkPatch)
@validate_response(RunBulkResult)
async def bulk_update_runs(bt: int, data: RunBulkPatch) -> RunBulkResult:
    """Set attributi and the experiment type of every run in some ranges, all or nothing."""
    values = _sent(data)
    async with database().write() as session:
        result = await run_bulk.update_many(session, bt, data.runs, values, actor=current_actor())
    return RunBulkResult(updated=result.updated, changed=result.changed, runs=result.runs)


@blueprint.get("/<int:bt>/runs/<int:number>")
@blueprint.get("/<int:bt>/runs/latest", defaults=_LATEST)
@access("read")
@tag(["runs"])
@validate_response(RunOut)
async def get_run(bt: int, number: RunRef) -> RunResponse:
    """One run, by number or `latest` (the highest number)."""
    async with database().read() as session:
        return _out(await store.get(session, bt, number))


@blueprint.put("/<int:bt>/runs/<int:number>")
@access("write")
@tag(["runs"])
@validate_request(RunPut)
@validate_response(RunOut, 201)
@validate_response(RunOut, 200)
async def put_run(bt: int, number: int, data: RunPut) -> RunResponse:
    """Create the run with this number (201) or update the fields sent (200); for DAQ
    systems, so repeating the call is safe. Honours `If-Match`."""
    async with database().write() as session:
        run, created = await store.put(
            session,
            bt,
            number,
            _sent(data),
            actor=current_actor(),
            expected_version=if_match_version(),
        )
    return _out(run, 201 if created else 200)


@blueprint.patch("/<int:bt>/runs/<int:number>")
@blueprint.patch("/<int:bt>/runs/latest", defaults=_LATEST)
@access("write")
@tag(["runs"])
@validate_request(RunPatch)
@validate_response(RunOut)
async def patch_run(bt: int, number: RunRef, data: RunPatch) -> RunResponse:
    """Change the fields sent (`null` clears); attributi not sent stay. Honours `If-Match`."""
    async with database().write() as session:
        run = await store.update(
            session,
            bt,
            number,
            _sent(data),
            actor=current_actor(),
            expected_version=if_match_version(),
        )
    return _out(run)


@blueprint.post("/<int:bt>/runs/<int:number>/stop")
@blueprint.post("/<int:bt>/runs/latest/stop", defaults=_LATEST)
@access("write")
@tag(["runs"])
@validate_response(RunOut)
async def stop_run(bt: int, number: RunRef) -> RunResponse:
    """Set `stopped` to now; a run that has already stopped keeps its stop time."""
    async with database().write() as session:
        return _out(await store.stop(session, bt, number, actor=current_actor()))


@blueprint.delete("/<int:bt>/runs/<int:number>")
@blueprint.delete("/<int:bt>/runs/latest", defaults=_LATEST)
@access("write")
@tag(["runs"])
async def delete_run(bt: int, number: RunRef) -> Response:
    """Delete a run and its data paths. Honours `If-Match`."""
    async with database().write() as session:
        await store.delete(
            session, bt, number, actor=current_actor(), expected_version=if_match_version()
        )
    return Response(status=204)
