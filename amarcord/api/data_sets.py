"""Data sets of a beamtime, with the runs that match them: list, create, get, delete."""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import tag, validate_querystring, validate_request, validate_response

from amarcord.api.access import access, current_actor
from amarcord.api.context import database
from amarcord.api.http import etag, if_match_version
from amarcord.api.id_cursor import after_id, page_fields
from amarcord.schemas.data_sets import DataSetCreate, DataSetList, DataSetOut, DataSetQuery
from amarcord.store import data_sets as store
from amarcord.store.data_sets import DataSetRecord

blueprint = Blueprint("data_sets", __name__, url_prefix="/api/beamtimes/<int:bt>/data-sets")
_TAG = ["data sets"]


def _out(record: DataSetRecord, status: int = 200) -> tuple[DataSetOut, int, dict[str, str]]:
    return DataSetOut.model_validate(record), status, {"ETag": etag(record.version)}


@blueprint.get("")
@access("read")
@tag(_TAG)
@validate_querystring(DataSetQuery)
@validate_response(DataSetList)
async def list_data_sets(bt: int, query_args: DataSetQuery) -> DataSetList:
    """List data sets in creation order, each with its matching runs."""
    async with database().read() as session:
        page = await store.list_page(
            session,
            bt,
            experiment_type_id=query_args.experiment_type_id,
            limit=query_args.limit,
            after=after_id(query_args.cursor),
        )
    return DataSetList(**page_fields(page, DataSetOut))


@blueprint.post("")
@access("write")
@tag(_TAG)
@validate_request(DataSetCreate)
@validate_response(DataSetOut, 201)
async def create_data_set(bt: int, data: DataSetCreate) -> tuple[DataSetOut, int, dict[str, str]]:
    """Create a data set from values or from a run; 409 if an existing one has compatible
    values."""
    async with database().write() as session:
        record = await store.create(
            session,
            bt,
            experiment_type_id=data.experiment_type_id,
            attributi=data.attributi,
            from_run=data.from_run,
            actor=current_actor(),
        )
    return _out(record, 201)


@blueprint.get("/<int:data_set_id>")
@access("read")
@tag(_TAG)
@validate_response(DataSetOut)
async def get_data_set(bt: int, data_set_id: int) -> tuple[DataSetOut, int, dict[str, str]]:
    """One data set with its matching runs."""
    async with database().read() as session:
        return _out(await store.get(session, bt, data_set_id))


@blueprint.delete("/<int:data_set_id>")
@access("write")
@tag(_TAG)
async def delete_data_set(bt: int, data_set_id: int) -> Response:
    """Delete a data set (its runs stay); honours `If-Match`."""
    async with database().write() as session:
        await store.delete(
            session, bt, data_set_id, actor=current_actor(), expected_version=if_match_version()
        )
    return Response(status=204)
