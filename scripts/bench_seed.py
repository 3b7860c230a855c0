"""Seeding the benchmarks' beamtime: 10,000 runs x 30 run attributi of mixed kinds and 50
chemicals x 10 attributi, written directly in the database (the API would take minutes), for
`benchmark.py` and `benchmark_stream.py`."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import insert, select

from amarcord.db.engine import Database
from amarcord.db.models import Attributo, Chemical, Run, RunDataPath
from amarcord.domain.attributo_types import attributo_type_to_json, parse_attributo_type

RUN_KINDS = (
    ["integer"] * 6
    + ["decimal"] * 8
    + ["string"] * 6
    + ["boolean"] * 3
    + ["choice"] * 2
    + ["datetime"] * 2
    + ["list"] * 2
    + ["chemical"]
)
CHEMICAL_KINDS = ["integer"] * 3 + ["decimal"] * 3 + ["string"] * 3 + ["boolean"]
WORDS = ["lysozyme", "thaumatin", "thin crystals", "Bad shot", "ok", "jet unstable", "clear"]
CHOICES = ["fast", "slow", "medium"]


def _type_of(kind: str, rng: random.Random) -> dict[str, Any]:
    if kind == "choice":
        return {"kind": "choice", "choices": CHOICES}
    if kind == "list":
        return {"kind": "list", "item_kind": rng.choice(["decimal", "string"])}
    if kind == "decimal":
        return {"kind": "decimal", "unit": "mm"}
    return {"kind": kind}


def _value(t: dict[str, Any], rng: random.Random, chemicals: list[int], start: datetime) -> Any:
    makers: dict[str, Callable[[], Any]] = {
        "integer": lambda: rng.randint(0, 100_000),
        "decimal": lambda: round(rng.uniform(0, 1000), 3),
        "string": lambda: f"{rng.choice(WORDS)} {rng.randint(0, 99)}",
        "boolean": lambda: rng.random() < 0.5,
        "choice": lambda: rng.choice(CHOICES),
        "datetime": lambda: (start + timedelta(seconds=rng.randint(0, 10**6))).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        ),
        "list": lambda: (
            [round(rng.uniform(0, 10), 2) for _ in range(3)]
            if t.get("item_kind") == "decimal"
            else rng.sample(WORDS, 2)
        ),
        "chemical": lambda: rng.choice(chemicals),
    }
    return makers[t["kind"]]()


async def _add_attributi(
    database: Database, beamtime_id: int, table: str, kinds: list[str], rng: random.Random
) -> list[tuple[int, dict[str, Any]]]:
    counters: dict[str, int] = {}
    created = []
    async with database.write() as session:
        for position, kind in enumerate(kinds):
            counters[kind] = counters.get(kind, 0) + 1
            name = f"{kind}_{counters[kind]}"
            t = attributo_type_to_json(parse_attributo_type(_type_of(kind, rng)))
            row = Attributo(
                beamtime_id=beamtime_id,
                name=name,
                name_key=name.casefold(),
                group="manual" if position % 2 else "automatic",
                associated_table=table,
                type=t,
                position=position,
            )
            session.add(row)
            await session.flush()
            created.append((row.id, t))
    return created


async def seed(database_url: str, base_url: str, runs: int, headers: dict[str, str]) -> int:
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as client:
        response = await client.post(
            "/api/beamtimes",
            json={
                "external_id": "benchmark",
                "start": "2026-11-20T08:00:00Z",
                "end": "2026-11-24T08:00:00Z",
                "timezone": "Europe/Berlin",
            },
        )
        response.raise_for_status()
        beamtime_id: int = response.json()["id"]
    rng = random.Random(42)
    database = Database.open(database_url)
    start = datetime(2026, 11, 20, 8, tzinfo=UTC)
    try:
        chemical_attributi = await _add_attributi(
            database, beamtime_id, "chemical", CHEMICAL_KINDS, rng
        )
        chemicals = []
        async with database.write() as session:
            for index in range(50):
                document = {str(id_): _value(t, rng, [], start) for id_, t in chemical_attributi}
                row = Chemical(
                    beamtime_id=beamtime_id,
                    name=f"chemical {index}",
                    name_key=f"chemical {index}",
                    attributi=document,
                    created_at=start,
                    updated_at=start,
                )
                session.add(row)
                await session.flush()
                chemicals.append(row.id)
        run_attributi = await _add_attributi(database, beamtime_id, "run", RUN_KINDS, rng)
        for first in range(1, runs + 1, 1000):
            await _insert_runs(
                database,
                beamtime_id,
                range(first, min(first + 1000, runs + 1)),
                run_attributi,
                chemicals,
                rng,
                start,
            )
    finally:
        await database.dispose()
    return beamtime_id


async def _insert_runs(
    database: Database,
    beamtime_id: int,
    numbers: range,
    attributi: list[tuple[int, dict[str, Any]]],
    chemicals: list[int],
    rng: random.Random,
    start: datetime,
) -> None:
    rows = []
    for number in numbers:
        started = start + timedelta(minutes=5 * number)
        document = {
            str(id_): _value(t, rng, chemicals, start) for id_, t in attributi if rng.random() < 0.9
        }
        rows.append(
            {
                "beamtime_id": beamtime_id,
                "number": number,
                "started": started,
                "stopped": started + timedelta(minutes=4),
                "experiment_type_id": None,
                "attributi": document,
                "version": 1,
                "created_at": started,
                "updated_at": started,
            }
        )
    async with database.write() as session:
        await session.execute(insert(Run), rows)
        ids = await session.execute(
            select(Run.id, Run.number).where(
                Run.beamtime_id == beamtime_id, Run.number.between(numbers[0], numbers[-1])
            )
        )
        paths = [
            {"run_id": id_, "path": f"/raw/run_{n:05d}/*.h5", "source": "raw"} for id_, n in ids
        ]
        await session.execute(insert(RunDataPath), paths)
