"""The user configuration of a beamtime: current state, changes, history."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag, validate_querystring, validate_request, validate_response

from amarcord.api.access import access, current_actor
from amarcord.api.context import database
from amarcord.api.http import etag, if_match_version
from amarcord.api.id_cursor import after_id, page_fields
from amarcord.schemas.common import PageQuery
from amarcord.schemas.configuration import (
    ConfigurationHistory,
    ConfigurationOut,
    ConfigurationPatch,
)
from amarcord.store import configuration as store
from amarcord.store.configuration import ConfigurationState

blueprint = Blueprint("configuration", __name__, url_prefix="/api/beamtimes/<int:bt>/configuration")
_TAG = ["configuration"]


def _out(state: ConfigurationState) -> tuple[ConfigurationOut, int, dict[str, str]]:
    return ConfigurationOut.model_validate(state), 200, {"ETag": etag(state.version)}


@blueprint.get("")
@access("read")
@tag(_TAG)
@validate_response(ConfigurationOut)
async def get_configuration(bt: int) -> tuple[ConfigurationOut, int, dict[str, str]]:
    """The current configuration (auto-pilot off and nothing selected until first set)."""
    async with database().read() as session:
        return _out(await store.get(session, bt))


@blueprint.patch("")
@access("write")
@tag(_TAG)
@validate_request(ConfigurationPatch)
@validate_response(ConfigurationOut)
async def patch_configuration(
    bt: int, data: ConfigurationPatch
) -> tuple[ConfigurationOut, int, dict[str, str]]:
    """Change the keys sent, appending a new state to the history; honours `If-Match`."""
    async with database().write() as session:
        state = await store.update(
            session,
            bt,
            data.model_dump(exclude_unset=True),
            actor=current_actor(),
            expected_version=if_match_version(),
        )
    return _out(state)


@blueprint.get("/history")
@access("read")
@tag(_TAG)
@validate_querystring(PageQuery)
@validate_response(ConfigurationHistory)
async def configuration_history(bt: int, query_args: PageQuery) -> ConfigurationHistory:
    """Every state of the configuration, newest first, with author and time."""
    async with database().read() as session:
        page = await store.history(
            session, bt, limit=query_args.limit, after=after_id(query_args.cursor)
        )
    return ConfigurationHistory(**page_fields(page, ConfigurationOut))
