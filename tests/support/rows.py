"""Helpers that write rows straight through the ORM, for resources whose API a test does not
exercise (runs, files, data sets), and that read back what the API wrote."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from quart import Quart
from sqlalchemy import select

from amarcord.db.engine import Database
from amarcord.db.models import (
    Change,
    DataSet,
    ExperimentType,
    ExperimentTypeAttributo,
    File,
    FileChunk,
    Run,
)


def database(app: Quart) -> Database:
    db: Database = app.extensions["amarcord"].database
    return db


async def insert_runs(app: Quart, beamtime_id: int, documents: dict[int, dict[int, Any]]) -> None:
    """Runs by number with their values keyed by attributo id, in one transaction."""
    now = datetime.now(UTC)
    async with database(app).write() as session:
        session.add_all(
            Run(
                beamtime_id=beamtime_id,
                number=number,
                started=now,
                attributi={str(key): value for key, value in values.items()},
                created_at=now,
                updated_at=now,
            )
            for number, values in documents.items()
        )


async def insert_run(app: Quart, beamtime_id: int, number: int, attributi: dict[int, Any]) -> None:
    await insert_runs(app, beamtime_id, {number: attributi})


async def run_document(app: Quart, beamtime_id: int, number: int) -> tuple[dict[str, Any], int]:
    """The stored document and version of a run."""
    async with database(app).read() as session:
        run = await session.scalar(
            select(Run).where(Run.beamtime_id == beamtime_id, Run.number == number)
        )
        assert run is not None
        return run.attributi, run.version


async def insert_file(
    app: Quart, beamtime_id: int, content: bytes = b"spectrum", name: str = "a.txt"
) -> int:
    async with database(app).write() as session:
        row = File(
            beamtime_id=beamtime_id,
            name=name,
            description="",
            mime_type="text/plain",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            created_at=datetime.now(UTC),
        )
        session.add(row)
        await session.flush()
        session.add(FileChunk(file_id=row.id, index=0, data=content))
        return row.id


async def file_content(app: Quart, file_id: int) -> tuple[File, bytes]:
    async with database(app).read() as session:
        row = await session.get(File, file_id)
        assert row is not None
        chunks = await session.scalars(
            select(FileChunk.data).where(FileChunk.file_id == file_id).order_by(FileChunk.index)
        )
        return row, b"".join(chunks)


async def insert_data_set(
    app: Quart, beamtime_id: int, attributi: dict[int, Any], name: str = "standard"
) -> tuple[int, int]:
    """A data set of a new experiment type made of the given attributi: (type id, set id)."""
    now = datetime.now(UTC)
    async with database(app).write() as session:
        experiment_type = ExperimentType(beamtime_id=beamtime_id, name=name, name_key=name)
        session.add(experiment_type)
        await session.flush()
        session.add_all(
            ExperimentTypeAttributo(experiment_type_id=experiment_type.id, attributo_id=key)
            for key in attributi
        )
        data_set = DataSet(
            beamtime_id=beamtime_id,
            experiment_type_id=experiment_type.id,
            attributi={str(key): value for key, value in attributi.items()},
            created_at=now,
        )
        session.add(data_set)
        await session.flush()
        return experiment_type.id, data_set.id


async def data_set_document(app: Quart, data_set_id: int) -> dict[str, Any] | None:
    async with database(app).read() as session:
        row = await session.get(DataSet, data_set_id)
        return None if row is None else row.attributi


async def changes_of(app: Quart, beamtime_id: int, after: int = 0) -> list[Change]:
    async with database(app).read() as session:
        rows = await session.scalars(
            select(Change)
            .where(Change.beamtime_id == beamtime_id, Change.seq > after)
            .order_by(Change.seq)
        )
        return list(rows)


async def last_seq(app: Quart, beamtime_id: int) -> int:
    feed = await changes_of(app, beamtime_id)
    return feed[-1].seq if feed else 0
