"""The shift schedule of a beamtime: read it, replace it."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag, validate_request, validate_response

from amarcord.api.access import access, current_actor
from amarcord.api.context import database
from amarcord.api.http import etag, if_match_version
from amarcord.schemas.schedule import ScheduleIn, ScheduleOut
from amarcord.store import schedule as store
from amarcord.store.schedule import Schedule, Shift

blueprint = Blueprint("schedule", __name__, url_prefix="/api/beamtimes/<int:bt>/schedule")
_TAG = ["schedule"]


def _out(schedule: Schedule) -> tuple[ScheduleOut, int, dict[str, str]]:
    return ScheduleOut.model_validate(schedule), 200, {"ETag": etag(schedule.version)}


@blueprint.get("")
@access("read")
@tag(_TAG)
@validate_response(ScheduleOut)
async def get_schedule(bt: int) -> tuple[ScheduleOut, int, dict[str, str]]:
    """The shifts, ordered by start."""
    async with database().read() as session:
        return _out(await store.get(session, bt))


@blueprint.put("")
@access("write")
@tag(_TAG)
@validate_request(ScheduleIn)
@validate_response(ScheduleOut)
async def put_schedule(bt: int, data: ScheduleIn) -> tuple[ScheduleOut, int, dict[str, str]]:
    """Replace every shift; honours `If-Match`."""
    shifts = [
        Shift(s.start, s.end, list(s.users), list(s.chemical_ids), s.comment) for s in data.shifts
    ]
    async with database().write() as session:
        schedule = await store.replace(
            session, bt, shifts, actor=current_actor(), expected_version=if_match_version()
        )
    return _out(schedule)
