"""The run attributi kept between writes (`store/attributi_cache.py`) are never stale: not
after a change in another process, not after a change that was rolled back, not across two
databases; and they are kept at all, so that a run write does not load them every time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from amarcord.db.engine import Database
from amarcord.db.models import Beamtime
from amarcord.domain.attributo_types import IntegerType, StringType
from amarcord.store import attributi, run_attributi
from amarcord.store.beamtimes import lock
from amarcord.store.run_attributi import RunAttributi


async def new_beamtime(db: Database) -> int:
    now = datetime.now(UTC)
    async with db.write() as session:
        beamtime = Beamtime(
            external_id="cache", start=now, end=now, timezone="UTC", created_at=now, updated_at=now
        )
        session.add(beamtime)
        await session.flush()
        return beamtime.id


async def add_attributo(db: Database, beamtime_id: int, name: str) -> int:
    values = {"name": name, "description": "", "group": "manual", "associated_table": "run"}
    async with db.write() as session:
        row = await attributi.create(session, beamtime_id, values, IntegerType(), actor="test")
        return row.id


async def as_a_writer_sees_them(db: Database, beamtime_id: int) -> RunAttributi:
    async with db.write() as session:
        await lock(session, beamtime_id)
        return await run_attributi.load(session, beamtime_id)


def names(loaded: RunAttributi) -> list[str]:
    return [info.name for info in loaded.infos]


async def test_kept_between_writes_until_an_attributo_changes(db: Database) -> None:
    bt = await new_beamtime(db)
    await add_attributo(db, bt, "energy")
    first = await as_a_writer_sees_them(db, bt)
    assert await as_a_writer_sees_them(db, bt) is first  # kept, not loaded again
    attributo_id = await add_attributo(db, bt, "flow")
    assert names(await as_a_writer_sees_them(db, bt)) == ["energy", "flow"]
    async with db.write() as session:
        await attributi.update(
            session,
            bt,
            attributo_id,
            {"name": "flow rate"},
            new_type=StringType(),
            ignore_units=False,
            actor="test",
            expected_version=None,
        )
    retyped = await as_a_writer_sees_them(db, bt)
    assert names(retyped) == ["energy", "flow rate"]
    assert retyped.by_id[attributo_id].type.kind == "string"
    async with db.write() as session:
        await attributi.delete(session, bt, attributo_id, actor="test", expected_version=None)
    assert names(await as_a_writer_sees_them(db, bt)) == ["energy"]


async def test_a_change_made_by_another_process_is_seen(db: Database, database_url: str) -> None:
    other = Database.open(database_url)
    try:
        bt = await new_beamtime(db)
        await add_attributo(db, bt, "energy")
        assert names(await as_a_writer_sees_them(db, bt)) == ["energy"]
        await add_attributo(other, bt, "flow")
        assert names(await as_a_writer_sees_them(db, bt)) == ["energy", "flow"]
    finally:
        await other.dispose()


async def test_a_change_rolled_back_leaves_nothing_behind(db: Database) -> None:
    bt = await new_beamtime(db)
    await add_attributo(db, bt, "energy")
    await as_a_writer_sees_them(db, bt)
    values = {"name": "flow", "description": "", "group": "manual", "associated_table": "run"}
    with pytest.raises(RuntimeError):
        async with db.write() as session:
            await attributi.create(session, bt, values, IntegerType(), actor="test")
            # Loaded inside the changing transaction: must not outlive its rollback.
            assert names(await run_attributi.load(session, bt)) == ["energy", "flow"]
            raise RuntimeError("roll back")
    assert names(await as_a_writer_sees_them(db, bt)) == ["energy"]


async def test_reads_and_other_databases_keep_nothing(db: Database, database_url: str) -> None:
    bt = await new_beamtime(db)
    await add_attributo(db, bt, "energy")
    async with db.read() as session:  # no lock: the version is unknown
        read = await run_attributi.load(session, bt)
    assert await as_a_writer_sees_them(db, bt) is not read
    other = Database.open(database_url)
    try:
        assert await as_a_writer_sees_them(other, bt) is not await as_a_writer_sees_them(db, bt)
    finally:
        await other.dispose()
