"""Portable column types keep what MySQL's defaults would silently lose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from amarcord.db.engine import Database
from amarcord.db.models import Beamtime, Event


async def test_datetimes_keep_microseconds_and_come_back_as_utc(db: Database) -> None:
    start = datetime(2026, 11, 22, 14, 3, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    async with db.write() as session:
        beamtime = Beamtime(
            external_id="t",
            start=start,
            end=start,
            timezone="UTC",
            created_at=start,
            updated_at=start,
        )
        session.add(beamtime)
        await session.flush()
        beamtime_id = beamtime.id
    async with db.read() as session:
        loaded = await session.get(Beamtime, beamtime_id)
        assert loaded is not None
        assert loaded.start == start
        assert loaded.start.tzinfo == UTC
        assert loaded.start.microsecond == 123456


async def test_naive_datetimes_are_refused(db: Database) -> None:
    naive = datetime(2026, 11, 22, 14, 3)  # noqa: DTZ001
    with pytest.raises(Exception, match="naive"):
        async with db.write() as session:
            session.add(
                Beamtime(
                    external_id="t",
                    start=naive,
                    end=naive,
                    timezone="UTC",
                    created_at=naive,
                    updated_at=naive,
                )
            )


async def test_long_text_and_json_doubles_survive(db: Database) -> None:
    now = datetime.now(UTC)
    text = "x" * 200_000  # beyond MySQL's 64 KiB TEXT
    precise = 0.1 + 0.2  # needs 8 bytes
    async with db.write() as session:
        beamtime = Beamtime(
            external_id="t", start=now, end=now, timezone="UTC", created_at=now, updated_at=now
        )
        session.add(beamtime)
        await session.flush()
        event = Event(
            beamtime_id=beamtime.id,
            created_at=now,
            updated_at=now,
            level="info",
            source="test",
            text=text,
        )
        session.add(event)
        await session.flush()
        event_id = event.id
    async with db.read() as session:
        loaded = await session.get(Event, event_id)
        assert loaded is not None and loaded.text == text
    assert precise == 0.30000000000000004
