"""The run overview of a beamtime in one response."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag, validate_response

from amarcord.api.access import access
from amarcord.api.context import database
from amarcord.schemas.overview import OverviewOut
from amarcord.store import changes, overview

blueprint = Blueprint("overview", __name__, url_prefix="/api/beamtimes")


@blueprint.get("/<int:bt>/overview")
@access("read")
@tag(["overview"])
@validate_response(OverviewOut)
async def get_overview(bt: int) -> OverviewOut:
    """Latest run (with its duration) and whether it is running, configuration, current
    experiment type, the latest run's data set, live-stream metadata, the 20 newest events
    and who is on shift."""
    async with database().read() as session:
        found = await overview.load(session, bt, now=changes.utcnow())
    return OverviewOut.of(found)
