"""The run overview of a beamtime in one response.

The part that only changes with the change feed (runs, data set, events, configuration,
schedule) is kept per beamtime and seq (`feed_cache`); a request that finds it kept costs one
statement: the beamtime's latest seq together with the live-stream frame."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag, validate_response

from amarcord.api.access import access
from amarcord.api.context import database, overview_cache
from amarcord.schemas.overview import KeptOverview, OverviewOut, RecordedOverview
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
    now = changes.utcnow()
    async with database().read() as session:

        async def load(kept: tuple[int, KeptOverview] | None) -> KeptOverview:
            data_set = None if kept is None else (kept[0], kept[1].data_set)
            part = await overview.load_recorded(session, bt, data_set)
            return KeptOverview(RecordedOverview.of(part), part.data_set)

        unrecorded = await overview.load_unrecorded(session, bt)
        kept = await overview_cache().get(bt, unrecorded.seq, load)
    return OverviewOut.of(kept.recorded, unrecorded, now=now)
