"""Chemicals of a beamtime: list, create, get, patch, delete, and copy from another beamtime."""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import tag, validate_querystring, validate_request, validate_response

from amarcord.api.access import access, current_actor, current_identity, role_in
from amarcord.api.context import database
from amarcord.api.errors import ApiError
from amarcord.api.http import etag, if_match_version
from amarcord.api.keys import ID, cursor_position, next_cursor
from amarcord.domain.accounts import at_least
from amarcord.schemas.attributi import AttributoOut
from amarcord.schemas.chemicals import (
    ChemicalCopy,
    ChemicalCopyResult,
    ChemicalCreate,
    ChemicalList,
    ChemicalOut,
    ChemicalPatch,
)
from amarcord.schemas.common import DeleteQuery, PageQuery
from amarcord.store import beamtimes, chemical_copy
from amarcord.store import chemicals as store

blueprint = Blueprint("chemicals", __name__, url_prefix=f"/api/beamtimes/<{ID}:bt>/chemicals")
_CURSOR_KEYS = {"name_key": str, "id": int}


def _out(
    record: store.ChemicalRecord, status: int = 200
) -> tuple[ChemicalOut, int, dict[str, str]]:
    return ChemicalOut.model_validate(record), status, {"ETag": etag(record.version)}


def _position(items: list[store.ChemicalRecord]) -> dict[str, object]:
    return {"name_key": items[-1].name.casefold(), "id": items[-1].id} if items else {}


@blueprint.get("")
@access("read")
@tag(["chemicals"])
@validate_querystring(PageQuery)
@validate_response(ChemicalList)
async def list_chemicals(bt: int, query_args: PageQuery) -> ChemicalList:
    """List chemicals ordered by name (ignoring letter case)."""
    after = cursor_position(query_args.cursor, _CURSOR_KEYS)
    async with database().read() as session:
        await beamtimes.get(session, bt)
        page = await store.list_page(session, bt, limit=query_args.limit, after=after)
    return ChemicalList(
        items=[ChemicalOut.model_validate(record) for record in page.items],
        total=page.total,
        next_cursor=next_cursor(page.has_more, _position(page.items)),
    )


@blueprint.post("")
@access("write")
@tag(["chemicals"])
@validate_request(ChemicalCreate)
@validate_response(ChemicalOut, 201)
async def create_chemical(bt: int, data: ChemicalCreate) -> tuple[ChemicalOut, int, dict[str, str]]:
    """Create a chemical; 409 if the name exists (in any letter case), 422 listing every
    invalid value and unknown file id."""
    async with database().write() as session:
        record = await store.create(session, bt, data.model_dump(), actor=current_actor())
    return _out(record, 201)


@blueprint.post("/copy")
@access("write")
@tag(["chemicals"])
@validate_request(ChemicalCopy)
@validate_response(ChemicalCopyResult, 201)
async def copy_chemicals(bt: int, data: ChemicalCopy) -> tuple[ChemicalCopyResult, int]:
    """Copy chemicals from another beamtime, values matched by attributo name; attached
    files are copied into this beamtime unless it holds the same content already."""
    async with database().write() as session:
        # The route's own check covers this beamtime only; reading the source is a second one.
        source_role = await role_in(session, current_identity(), data.from_beamtime_id)
        if not at_least(source_role, "viewer"):
            msg = f"copying needs the role viewer (or higher) in beamtime {data.from_beamtime_id}"
            raise ApiError(403, msg)
        result = await chemical_copy.copy(
            session,
            bt,
            from_beamtime_id=data.from_beamtime_id,
            chemical_ids=data.chemical_ids,
            create_missing_attributi=data.create_missing_attributi,
            actor=current_actor(),
        )
    body = ChemicalCopyResult(
        items=[ChemicalOut.model_validate(record) for record in result.chemicals],
        created_attributi=[AttributoOut.model_validate(row) for row in result.created_attributi],
    )
    return body, 201


@blueprint.get(f"/<{ID}:chemical_id>")
@access("read")
@tag(["chemicals"])
@validate_response(ChemicalOut)
async def get_chemical(bt: int, chemical_id: int) -> tuple[ChemicalOut, int, dict[str, str]]:
    """One chemical."""
    async with database().read() as session:
        return _out(await store.get(session, bt, chemical_id))


@blueprint.patch(f"/<{ID}:chemical_id>")
@access("write")
@tag(["chemicals"])
@validate_request(ChemicalPatch)
@validate_response(ChemicalOut)
async def patch_chemical(
    bt: int, chemical_id: int, data: ChemicalPatch
) -> tuple[ChemicalOut, int, dict[str, str]]:
    """Change the fields sent: attributi are merged (`null` clears one), `file_ids` replaces
    the list. Honours `If-Match`."""
    fields = data.model_dump(exclude_unset=True)
    values = {name: value for name, value in fields.items() if value is not None}
    async with database().write() as session:
        record = await store.update(
            session,
            bt,
            chemical_id,
            values,
            actor=current_actor(),
            expected_version=if_match_version(),
        )
    return _out(record)


@blueprint.delete(f"/<{ID}:chemical_id>")
@access("write")
@tag(["chemicals"])
@validate_querystring(DeleteQuery)
async def delete_chemical(bt: int, chemical_id: int, query_args: DeleteQuery) -> Response:
    """Delete a chemical; 409 while runs or data sets use it, unless `force=true`, which
    clears the runs' values and deletes those data sets. Honours `If-Match`."""
    async with database().write() as session:
        await store.delete(
            session,
            bt,
            chemical_id,
            actor=current_actor(),
            force=query_args.force,
            expected_version=if_match_version(),
        )
    return Response(status=204)
