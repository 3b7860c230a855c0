"""Store-level behaviour of files that the HTTP tests cannot reach."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from amarcord.db.engine import Database
from amarcord.db.models import Beamtime, File
from amarcord.store import files


async def _beamtime(db: Database, name: str = "bt") -> int:
    now = datetime.now(UTC)
    async with db.write() as session:
        row = Beamtime(
            external_id=name, start=now, end=now, timezone="UTC", created_at=now, updated_at=now
        )
        session.add(row)
        await session.flush()
        return row.id


def _new(content: bytes, name: str = "a.bin") -> files.NewFile:
    return files.NewFile(
        name=name,
        description="",
        mime_type="application/octet-stream",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


async def test_a_unique_violation_returns_the_file_that_won(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    bt = await _beamtime(db)
    async with db.write() as session:
        first, created = await files.create(session, bt, _new(b"x"), io.BytesIO(b"x"), actor="t")
    assert created
    # As if another process had inserted the same content after our check.
    real_lookup = files.find_by_sha256
    lookups = 0

    async def blind_once(*args: Any) -> File | None:
        nonlocal lookups
        lookups += 1
        return None if lookups == 1 else await real_lookup(*args)

    monkeypatch.setattr(files, "find_by_sha256", blind_once)
    async with db.write() as session:
        row, created = await files.create(
            session, bt, _new(b"x", "b.bin"), io.BytesIO(b"x"), actor="t"
        )
    assert not created
    assert row.id == first.id and row.name == "a.bin"
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(File)) == 1


async def test_files_exist_in_beamtime_lists_unknown_and_foreign_ids(db: Database) -> None:
    mine, other = await _beamtime(db, "mine"), await _beamtime(db, "other")
    async with db.write() as session:
        a, _ = await files.create(session, mine, _new(b"a"), io.BytesIO(b"a"), actor="t")
        b, _ = await files.create(session, other, _new(b"b"), io.BytesIO(b"b"), actor="t")
    async with db.read() as session:
        missing = await files.files_exist_in_beamtime(session, mine, [b.id, a.id, 999, b.id])
        assert missing == [b.id, 999]
        assert await files.files_exist_in_beamtime(session, mine, []) == []
