"""Bulk edit: the same attributi and experiment type for every run in some run ranges, all or
nothing, in one transaction, with one change-feed row per run that changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.db.models import Run
from amarcord.domain.errors import ValidationFailed
from amarcord.domain.run_ranges import format_run_ranges
from amarcord.store import changes
from amarcord.store import run_attributi as attributi_store
from amarcord.store.beamtimes import lock
from amarcord.store.run_query import in_ranges, parse_ranges
from amarcord.store.runs import ENTITY, apply_values, snapshot, validate


@dataclass(frozen=True)
class BulkResult:
    updated: int
    changed: int
    runs: str


async def update_many(
    session: AsyncSession,
    beamtime_id: int,
    ranges_text: str,
    values: Mapping[str, Any],
    *,
    actor: str,
) -> BulkResult:
    """Ranges select the runs that exist; selecting none is a 422 (a typo, most likely)."""
    ranges = parse_ranges(ranges_text, ("runs",))
    await lock(session, beamtime_id)
    attributi = await attributi_store.load(session, beamtime_id)
    stored = await validate(session, beamtime_id, attributi, values, [])
    runs = list(
        await session.scalars(
            select(Run)
            .where(and_(Run.beamtime_id == beamtime_id, in_ranges(ranges)))
            .order_by(Run.number)
        )
    )
    if not runs:
        raise ValidationFailed.single(
            ("runs",), f"no runs of beamtime {beamtime_id} in {ranges_text}"
        )
    changed = 0
    now = changes.utcnow()
    for run in runs:
        before = snapshot(run, attributi, None)
        apply_values(run, values, stored)
        after = snapshot(run, attributi, None)
        if before == after:
            continue
        changed += 1
        run.updated_at = now
        await changes.record_update(
            session,
            beamtime_id=beamtime_id,
            actor=actor,
            entity=ENTITY,
            entity_id=run.number,
            before=before,
            after=after,
        )
    await session.flush()
    numbers = format_run_ranges(run.number for run in runs)
    return BulkResult(updated=len(runs), changed=changed, runs=numbers)
