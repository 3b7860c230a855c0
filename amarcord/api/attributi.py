"""Attributi of a beamtime: list, create, get, patch (rename, retype), delete."""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import tag, validate_querystring, validate_request, validate_response

from amarcord.api.access import access, current_actor
from amarcord.api.context import database
from amarcord.api.http import etag, if_match_version
from amarcord.api.keys import ID, cursor_position, next_cursor
from amarcord.db.models import Attributo
from amarcord.schemas.attributi import (
    AttributoCreate,
    AttributoList,
    AttributoOut,
    AttributoPatch,
    AttributoQuery,
)
from amarcord.store import attributi as store
from amarcord.store import beamtimes

blueprint = Blueprint("attributi", __name__, url_prefix=f"/api/beamtimes/<{ID}:bt>/attributi")
_CURSOR_KEYS = {"table": str, "position": int, "id": int}


def _out(row: Attributo, status: int = 200) -> tuple[AttributoOut, int, dict[str, str]]:
    return AttributoOut.model_validate(row), status, {"ETag": etag(row.version)}


def _position(items: list[Attributo]) -> dict[str, object]:
    last = items[-1] if items else None
    if last is None:
        return {}
    return {"table": last.associated_table, "position": last.position, "id": last.id}


@blueprint.get("")
@access("read")
@tag(["attributi"])
@validate_querystring(AttributoQuery)
@validate_response(AttributoList)
async def list_attributi(bt: int, query_args: AttributoQuery) -> AttributoList:
    """List attributi, run ones first, each table in display order."""
    after = cursor_position(query_args.cursor, _CURSOR_KEYS)
    async with database().read() as session:
        await beamtimes.get(session, bt)
        page = await store.list_page(
            session, bt, table=query_args.table, limit=query_args.limit, after=after
        )
    return AttributoList(
        items=[AttributoOut.model_validate(row) for row in page.items],
        total=page.total,
        next_cursor=next_cursor(page.has_more, _position(page.items)),
    )


@blueprint.post("")
@access("write")
@tag(["attributi"])
@validate_request(AttributoCreate)
@validate_response(AttributoOut, 201)
async def create_attributo(
    bt: int, data: AttributoCreate
) -> tuple[AttributoOut, int, dict[str, str]]:
    """Create a run or chemical attributo; 409 if the name exists (in any letter case)."""
    values = data.model_dump(exclude={"type"})
    async with database().write() as session:
        row = await store.create(session, bt, values, data.type, actor=current_actor())
    return _out(row, 201)


@blueprint.get(f"/<{ID}:attributo_id>")
@access("read")
@tag(["attributi"])
@validate_response(AttributoOut)
async def get_attributo(bt: int, attributo_id: int) -> tuple[AttributoOut, int, dict[str, str]]:
    """One attributo."""
    async with database().read() as session:
        return _out(await store.get(session, bt, attributo_id))


@blueprint.patch(f"/<{ID}:attributo_id>")
@access("write")
@tag(["attributi"])
@validate_request(AttributoPatch)
@validate_response(AttributoOut)
async def patch_attributo(
    bt: int, attributo_id: int, data: AttributoPatch
) -> tuple[AttributoOut, int, dict[str, str]]:
    """Rename, describe or retype; a new type converts every stored value in the same
    transaction (422 naming each value that cannot be converted, and nothing changes).
    Honours `If-Match`."""
    fields = data.model_dump(exclude_unset=True, exclude={"type", "ignore_units"})
    values = {name: value for name, value in fields.items() if value is not None}
    async with database().write() as session:
        row = await store.update(
            session,
            bt,
            attributo_id,
            values,
            new_type=data.type,
            ignore_units=data.ignore_units,
            actor=current_actor(),
            expected_version=if_match_version(),
        )
    return _out(row)


@blueprint.delete(f"/<{ID}:attributo_id>")
@access("write")
@tag(["attributi"])
async def delete_attributo(bt: int, attributo_id: int) -> Response:
    """Delete an attributo and its values in every run, chemical and data set; honours
    `If-Match`."""
    async with database().write() as session:
        await store.delete(
            session, bt, attributo_id, actor=current_actor(), expected_version=if_match_version()
        )
    return Response(status=204)
