"""Rows that run tests build on (attributi, chemicals, experiment types, configuration),
written straight through the ORM so that run tests do not depend on those resources' APIs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from amarcord.db.engine import Database
from amarcord.db.models import Attributo, Beamtime, Chemical, ExperimentType, UserConfiguration
from amarcord.domain.attributo_types import attributo_type_to_json, parse_attributo_type


async def add_beamtime(db: Database, timezone: str = "UTC") -> int:
    now = datetime.now(UTC)
    async with db.write() as session:
        row = Beamtime(
            external_id="seed",
            start=now,
            end=now,
            timezone=timezone,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
        return row.id


async def add_attributo(
    db: Database,
    beamtime_id: int,
    name: str,
    type_: dict[str, Any],
    *,
    group: str = "manual",
    table: str = "run",
) -> int:
    stored = attributo_type_to_json(parse_attributo_type(type_))
    async with db.write() as session:
        row = Attributo(
            beamtime_id=beamtime_id,
            name=name,
            name_key=name.casefold(),
            description="",
            group=group,
            associated_table=table,
            type=stored,
        )
        session.add(row)
        await session.flush()
        return row.id


async def add_attributi(
    db: Database, beamtime_id: int, types: dict[str, dict[str, Any]], *, group: str = "manual"
) -> dict[str, int]:
    return {
        name: await add_attributo(db, beamtime_id, name, type_, group=group)
        for name, type_ in types.items()
    }


async def add_chemical(db: Database, beamtime_id: int, name: str) -> int:
    now = datetime.now(UTC)
    async with db.write() as session:
        row = Chemical(
            beamtime_id=beamtime_id,
            name=name,
            name_key=name.casefold(),
            attributi={},
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
        return row.id


async def add_experiment_type(db: Database, beamtime_id: int, name: str) -> int:
    async with db.write() as session:
        row = ExperimentType(beamtime_id=beamtime_id, name=name, name_key=name.casefold())
        session.add(row)
        await session.flush()
        return row.id


async def configure(
    db: Database,
    beamtime_id: int,
    *,
    auto_pilot: bool = False,
    current_experiment_type_id: int | None = None,
) -> None:
    async with db.write() as session:
        session.add(
            UserConfiguration(
                beamtime_id=beamtime_id,
                created_at=datetime.now(UTC),
                author="test",
                auto_pilot=auto_pilot,
                current_experiment_type_id=current_experiment_type_id,
            )
        )
