"""Experiment types of a beamtime: list, create, get, patch, delete."""

from __future__ import annotations

from collections.abc import Sequence

from quart import Blueprint, Response
from quart_schema import tag, validate_querystring, validate_request, validate_response

from amarcord.api.access import access, current_actor
from amarcord.api.context import database
from amarcord.api.http import etag, if_match_version
from amarcord.api.id_cursor import after_id, page_fields
from amarcord.schemas.common import DeleteQuery, PageQuery
from amarcord.schemas.experiment_types import (
    ExperimentTypeAttributoIn,
    ExperimentTypeCreate,
    ExperimentTypeList,
    ExperimentTypeOut,
    ExperimentTypePatch,
)
from amarcord.store import experiment_types as store
from amarcord.store.experiment_types import ExperimentTypeRecord, Requested

blueprint = Blueprint(
    "experiment_types", __name__, url_prefix="/api/beamtimes/<int:bt>/experiment-types"
)
_TAG = ["experiment types"]


def _out(
    record: ExperimentTypeRecord, status: int = 200
) -> tuple[ExperimentTypeOut, int, dict[str, str]]:
    return ExperimentTypeOut.model_validate(record), status, {"ETag": etag(record.version)}


def _requested(items: Sequence[ExperimentTypeAttributoIn]) -> list[Requested]:
    return [Requested(item.attributo_id, item.role) for item in items]


@blueprint.get("")
@access("read")
@tag(_TAG)
@validate_querystring(PageQuery)
@validate_response(ExperimentTypeList)
async def list_experiment_types(bt: int, query_args: PageQuery) -> ExperimentTypeList:
    """List experiment types in creation order, with their attributi and run counts."""
    async with database().read() as session:
        page = await store.list_page(
            session, bt, limit=query_args.limit, after=after_id(query_args.cursor)
        )
    return ExperimentTypeList(**page_fields(page, ExperimentTypeOut))


@blueprint.post("")
@access("write")
@tag(_TAG)
@validate_request(ExperimentTypeCreate)
@validate_response(ExperimentTypeOut, 201)
async def create_experiment_type(
    bt: int, data: ExperimentTypeCreate
) -> tuple[ExperimentTypeOut, int, dict[str, str]]:
    """Create an experiment type; 409 if the name exists (in any letter case)."""
    async with database().write() as session:
        record = await store.create(
            session, bt, data.name, _requested(data.attributi), actor=current_actor()
        )
    return _out(record, 201)


@blueprint.get("/<int:type_id>")
@access("read")
@tag(_TAG)
@validate_response(ExperimentTypeOut)
async def get_experiment_type(
    bt: int, type_id: int
) -> tuple[ExperimentTypeOut, int, dict[str, str]]:
    """One experiment type."""
    async with database().read() as session:
        return _out(await store.get(session, bt, type_id))


@blueprint.patch("/<int:type_id>")
@access("write")
@tag(_TAG)
@validate_request(ExperimentTypePatch)
@validate_response(ExperimentTypeOut)
async def patch_experiment_type(
    bt: int, type_id: int, data: ExperimentTypePatch
) -> tuple[ExperimentTypeOut, int, dict[str, str]]:
    """Rename and/or replace the attributi; honours `If-Match`."""
    requested = None if data.attributi is None else _requested(data.attributi)
    async with database().write() as session:
        record = await store.update(
            session,
            bt,
            type_id,
            name=data.name,
            requested=requested,
            actor=current_actor(),
            expected_version=if_match_version(),
        )
    return _out(record)


@blueprint.delete("/<int:type_id>")
@access("write")
@tag(_TAG)
@validate_querystring(DeleteQuery)
async def delete_experiment_type(bt: int, type_id: int, query_args: DeleteQuery) -> Response:
    """Delete; 409 while runs have it unless `force=true` (they lose it, its data sets go)."""
    async with database().write() as session:
        await store.delete(
            session,
            bt,
            type_id,
            actor=current_actor(),
            force=query_args.force,
            expected_version=if_match_version(),
        )
    return Response(status=204)
