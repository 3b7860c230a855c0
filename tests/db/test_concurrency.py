"""The engine's transaction setup makes read-then-insert atomic: 20 concurrent tasks x 20
runs each get 400 distinct run numbers and no errors, on every engine."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select

from amarcord.db.engine import Database
from amarcord.db.models import Beamtime, Run
from amarcord.store import beamtimes

TASKS = 20
RUNS_PER_TASK = 20


async def _create_beamtime(db: Database) -> int:
    now = datetime.now(UTC)
    async with db.write() as session:
        beamtime = Beamtime(
            external_id="concurrency",
            start=now,
            end=now,
            timezone="UTC",
            created_at=now,
            updated_at=now,
        )
        session.add(beamtime)
        await session.flush()
        return beamtime.id


async def _next_run(db: Database, beamtime_id: int) -> int:
    async with db.write() as session:
        await beamtimes.lock(session, beamtime_id)
        highest = await session.scalar(
            select(func.max(Run.number)).where(Run.beamtime_id == beamtime_id)
        )
        number = (highest or 0) + 1
        now = datetime.now(UTC)
        session.add(
            Run(
                beamtime_id=beamtime_id,
                number=number,
                started=now,
                attributi={},
                created_at=now,
                updated_at=now,
            )
        )
        return number


async def test_concurrent_run_creation_gets_distinct_numbers(db: Database) -> None:
    beamtime_id = await _create_beamtime(db)

    async def worker() -> list[int]:
        return [await _next_run(db, beamtime_id) for _ in range(RUNS_PER_TASK)]

    results = await asyncio.gather(*(worker() for _ in range(TASKS)))
    numbers = [n for numbers in results for n in numbers]
    assert sorted(numbers) == list(range(1, TASKS * RUNS_PER_TASK + 1))
    async with db.read() as session:
        stored = await session.scalars(select(Run.number).where(Run.beamtime_id == beamtime_id))
        assert sorted(stored) == list(range(1, TASKS * RUNS_PER_TASK + 1))
