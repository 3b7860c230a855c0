"""Beamtimes: list, create, get, patch, delete."""

from __future__ import annotations

from datetime import datetime

from quart import Blueprint, Response
from quart_schema import tag, validate_querystring, validate_request, validate_response

from amarcord.api.access import access, current_actor, current_identity
from amarcord.api.context import database, settings
from amarcord.api.http import decode_cursor, encode_cursor, etag, if_match_version
from amarcord.schemas.beamtimes import BeamtimeCreate, BeamtimeList, BeamtimeOut, BeamtimePatch
from amarcord.schemas.common import DeleteQuery, PageQuery
from amarcord.store import accounts, memberships
from amarcord.store import beamtimes as store

blueprint = Blueprint("beamtimes", __name__, url_prefix="/api/beamtimes")
_CURSOR_KEYS = ("start", "id")


def _out(row: object) -> tuple[BeamtimeOut, int, dict[str, str]]:
    model = BeamtimeOut.model_validate(row)
    return model, 200, {"ETag": etag(model.version)}


@blueprint.get("")
@access("signed_in")
@tag(["beamtimes"])
@validate_querystring(PageQuery)
@validate_response(BeamtimeList)
async def list_beamtimes(query_args: PageQuery) -> BeamtimeList:
    """List the caller's beamtimes (admins and tokens for every beamtime: all), newest start
    first."""
    after = None
    if query_args.cursor:
        position = decode_cursor(query_args.cursor, _CURSOR_KEYS)
        after = (datetime.fromisoformat(position["start"]), int(position["id"]))
    async with database().read() as session:
        caller = current_identity()
        visible = None
        if not caller.sees_all_beamtimes:
            visible = memberships.visible_beamtime_ids(caller.user_id, caller.beamtime_id)
        page = await store.list_page(session, limit=query_args.limit, after=after, visible=visible)
    items = [BeamtimeOut.model_validate(row) for row in page.items]
    next_cursor = None
    if page.has_more and items:
        last = items[-1]
        next_cursor = encode_cursor({"start": last.start.isoformat(), "id": last.id})
    return BeamtimeList(items=items, total=page.total, next_cursor=next_cursor)


@blueprint.post("")
@access("person")
@tag(["beamtimes"])
@validate_request(BeamtimeCreate)
@validate_response(BeamtimeOut, 201)
async def create_beamtime(data: BeamtimeCreate) -> tuple[BeamtimeOut, int, dict[str, str]]:
    """Create a beamtime; the signed-in person who creates it becomes its owner."""
    values = data.model_dump()
    values["timezone"] = values["timezone"] or settings().default_timezone
    identity = current_identity()
    async with database().write() as session:
        row = await store.create(session, values, actor=identity.name)
        if identity.user_id is not None:
            creator = await accounts.get(session, identity.user_id)
            await memberships.add(session, row.id, creator, "owner", actor=identity.name)
    model, _, headers = _out(row)
    return model, 201, headers


@blueprint.get("/<int:bt>")
@access("read")
@tag(["beamtimes"])
@validate_response(BeamtimeOut)
async def get_beamtime(bt: int) -> tuple[BeamtimeOut, int, dict[str, str]]:
    """One beamtime."""
    async with database().read() as session:
        return _out(await store.get(session, bt))


@blueprint.patch("/<int:bt>")
@access("write")
@tag(["beamtimes"])
@validate_request(BeamtimePatch)
@validate_response(BeamtimeOut)
async def patch_beamtime(bt: int, data: BeamtimePatch) -> tuple[BeamtimeOut, int, dict[str, str]]:
    """Change the fields sent; honours `If-Match`."""
    values = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    async with database().write() as session:
        row = await store.update(
            session, bt, values, actor=current_actor(), expected_version=if_match_version()
        )
    return _out(row)


@blueprint.delete("/<int:bt>")
@access("owner")
@tag(["beamtimes"])
@validate_querystring(DeleteQuery)
async def delete_beamtime(bt: int, query_args: DeleteQuery) -> Response:
    """Delete a beamtime; 409 while it has runs unless `force=true`."""
    async with database().write() as session:
        await store.delete(
            session,
            bt,
            actor=current_actor(),
            force=query_args.force,
            expected_version=if_match_version(),
        )
    return Response(status=204)
