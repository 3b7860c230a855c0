"""The shift schedule of a beamtime: who is on duty when, and with which chemicals.

Shifts are full instants (a night shift from 22:00 to 06:00 is one shift) and may overlap:
hand-overs and parallel teams are normal. The schedule is replaced as a whole. Its version
is the sequence number of its latest change in the change feed (0 if it was never set)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Change, Chemical, ScheduleShift, ScheduleShiftChemical
from amarcord.domain.errors import ErrorCollector
from amarcord.store import beamtimes, changes

ENTITY = "schedule"


@dataclass(frozen=True)
class Shift:
    start: datetime
    end: datetime
    users: list[str]
    chemical_ids: list[int] = field(default_factory=list)
    comment: str = ""
    id: int | None = None

    def snapshot(self) -> dict[str, Any]:
        """The shift as the change feed records it (ids change on every replacement)."""
        return {
            "start": self.start.astimezone(UTC).isoformat(),
            "end": self.end.astimezone(UTC).isoformat(),
            "users": list(self.users),
            "chemical_ids": list(self.chemical_ids),
            "comment": self.comment,
        }


@dataclass(frozen=True)
class Schedule:
    shifts: list[Shift]
    version: int


async def _version(session: AsyncSession, beamtime_id: int) -> int:
    latest = await session.scalar(
        select(func.max(Change.seq)).where(
            Change.beamtime_id == beamtime_id, Change.entity == ENTITY
        )
    )
    return latest or 0


async def _shifts(session: AsyncSession, beamtime_id: int) -> list[Shift]:
    rows = list(
        await session.scalars(
            select(ScheduleShift)
            .where(ScheduleShift.beamtime_id == beamtime_id)
            .order_by(ScheduleShift.start, ScheduleShift.id)
        )
    )
    chemicals: dict[int, list[int]] = {row.id: [] for row in rows}
    if chemicals:
        links = await session.execute(
            select(ScheduleShiftChemical.shift_id, ScheduleShiftChemical.chemical_id)
            .where(ScheduleShiftChemical.shift_id.in_(list(chemicals)))
            .order_by(ScheduleShiftChemical.chemical_id)
        )
        for shift_id, chemical_id in links:
            chemicals[shift_id].append(chemical_id)
    return [
        Shift(row.start, row.end, list(row.users), chemicals[row.id], row.comment, row.id)
        for row in rows
    ]


async def get(session: AsyncSession, beamtime_id: int) -> Schedule:
    await beamtimes.get(session, beamtime_id)
    return Schedule(await _shifts(session, beamtime_id), await _version(session, beamtime_id))


async def _check(session: AsyncSession, beamtime_id: int, shifts: Sequence[Shift]) -> None:
    wanted = {chemical_id for shift in shifts for chemical_id in shift.chemical_ids}
    known = set(
        await session.scalars(
            select(Chemical.id).where(
                Chemical.beamtime_id == beamtime_id, Chemical.id.in_(list(wanted))
            )
        )
    )
    errors = ErrorCollector()
    for index, shift in enumerate(shifts):
        if shift.end <= shift.start:
            errors.add(("body", "shifts", index, "end"), "a shift must end after it starts")
        for position, chemical_id in enumerate(shift.chemical_ids):
            if chemical_id not in known:
                loc = ("body", "shifts", index, "chemical_ids", position)
                errors.add(loc, f"there is no chemical with id {chemical_id} in this beamtime")
    errors.raise_if_any("the schedule has invalid shifts")


def _in_order(shifts: Sequence[Shift]) -> list[Shift]:
    """Sorted by start, with each shift's chemical ids sorted and listed once, as stored."""
    return sorted(
        (
            Shift(s.start, s.end, list(s.users), sorted(set(s.chemical_ids)), s.comment)
            for s in shifts
        ),
        key=lambda shift: shift.start,
    )


async def _write(session: AsyncSession, beamtime_id: int, shifts: Sequence[Shift]) -> None:
    await session.execute(sql_delete(ScheduleShift).where(ScheduleShift.beamtime_id == beamtime_id))
    for shift in shifts:
        row = ScheduleShift(
            beamtime_id=beamtime_id,
            start=shift.start,
            end=shift.end,
            users=list(shift.users),
            comment=shift.comment,
        )
        session.add(row)
        await session.flush()
        if shift.chemical_ids:
            await session.execute(
                insert(ScheduleShiftChemical),
                [{"shift_id": row.id, "chemical_id": c} for c in shift.chemical_ids],
            )


async def replace(
    session: AsyncSession,
    beamtime_id: int,
    shifts: Sequence[Shift],
    *,
    actor: str,
    expected_version: int | None,
) -> Schedule:
    """Replaces every shift; sending the schedule as it is changes nothing."""
    await beamtimes.lock(session, beamtime_id)
    beamtimes.check_version(await _version(session, beamtime_id), expected_version, "the schedule")
    await _check(session, beamtime_id, shifts)
    wanted = _in_order(shifts)
    before = [shift.snapshot() for shift in await _shifts(session, beamtime_id)]
    after = [shift.snapshot() for shift in wanted]
    if before != after:
        await _write(session, beamtime_id, wanted)
        await changes.record(
            session,
            beamtime_id=beamtime_id,
            actor=actor,
            entity=ENTITY,
            entity_id=beamtime_id,
            action="updated",
            before={"shifts": before},
            after={"shifts": after},
        )
        await session.flush()
    return Schedule(await _shifts(session, beamtime_id), await _version(session, beamtime_id))


async def names_on_shift(session: AsyncSession, beamtime_id: int, at: datetime) -> list[str]:
    """Everyone on a shift at `at` (start ≤ at < end), each name once, in shift order."""
    rows = await session.scalars(
        select(ScheduleShift.users)
        .where(
            ScheduleShift.beamtime_id == beamtime_id,
            ScheduleShift.start <= at,
            ScheduleShift.end > at,
        )
        .order_by(ScheduleShift.start, ScheduleShift.id)
    )
    return list(dict.fromkeys(name for users in rows for name in users))
