"""The SQL translation of the filter language agrees with the domain's reference `evaluate`:
many filters over the same seeded runs, on every engine."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from amarcord.db.engine import Database
from amarcord.db.models import Run
from amarcord.domain.filter_language import (
    CheckedExpr,
    ChemicalRef,
    check_filter,
    evaluate,
    parse_filter,
    run_filter_fields,
)
from amarcord.domain.values import stored_to_datetime
from amarcord.store import run_attributi, run_listing, runs
from amarcord.store.run_json_sql import json_sql
from tests.support.run_seed import add_attributi, add_beamtime, add_chemical, add_experiment_type

TYPES: dict[str, dict[str, Any]] = {
    "frames": {"kind": "integer"},
    "distance": {"kind": "decimal"},
    "comment": {"kind": "string"},
    "good": {"kind": "boolean"},
    "mode": {"kind": "choice", "choices": ["fast", "slow", "Fast"]},
    "taken": {"kind": "datetime"},
    "tags": {"kind": "list", "item_kind": "string"},
    "counts": {"kind": "list", "item_kind": "integer"},
    "energies": {"kind": "list", "item_kind": "decimal"},
    "flags": {"kind": "list", "item_kind": "boolean"},
    "sample": {"kind": "chemical"},
    "sample name": {"kind": "string"},
}
STRINGS = ["", "bad", "Bad", "bad crystal", "a%b", "a_b", "Ünïcode é", "BAD", 'x"y', "thin"]
BASE = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
INSTANTS = [BASE + timedelta(hours=h, microseconds=m) for h in (-5, 0, 3, 7) for m in (0, 1)]
SEED_RUNS = 70


def _random_value(rng: random.Random, kind: str, chemicals: list[int]) -> Any:
    choices: dict[str, Any] = {
        "frames": lambda: rng.choice([-3, 0, 1, 7, 2**40, 100]),
        "distance": lambda: rng.choice([0.1, 1.5, -2.0, 100.0, 1e-5, 3.0, 2.5e10]),
        "comment": lambda: rng.choice(STRINGS),
        "good": lambda: rng.choice([True, False]),
        "mode": lambda: rng.choice(["fast", "slow", "Fast"]),
        "taken": lambda: rng.choice(INSTANTS).isoformat(),
        "tags": lambda: rng.sample(STRINGS, rng.randint(0, 3)),
        "counts": lambda: rng.sample([0, 1, 2, 3, 2**40], rng.randint(0, 3)),
        "energies": lambda: rng.sample([0.1, 1.0, 2.5, 1e-5], rng.randint(0, 3)),
        "flags": lambda: rng.sample([True, False], rng.randint(0, 2)),
        "sample": lambda: rng.choice(chemicals),
        "sample name": lambda: rng.choice(STRINGS),
    }
    return choices[kind]()


async def _seed(db: Database) -> tuple[int, list[int]]:
    rng = random.Random(20261121)
    bt = await add_beamtime(db)
    await add_attributi(db, bt, TYPES)
    chemicals = [await add_chemical(db, bt, name) for name in ("lysozyme", "Lysozyme B", "thau")]
    types = [await add_experiment_type(db, bt, name) for name in ("SFX", "sfx fast", "Serial")]
    for number in range(1, SEED_RUNS + 1):
        values = {
            name: _random_value(rng, name, chemicals)
            for name in TYPES
            if rng.random() < 0.7  # about a third of the values stay unset
        }
        fields: dict[str, Any] = {"number": number, "attributi": values}
        fields["started"] = rng.choice(INSTANTS)
        if rng.random() < 0.6:
            fields["stopped"] = fields["started"] + timedelta(hours=rng.choice([1, 5, 12]))
        fields["experiment_type_id"] = rng.choice([*types, None])
        async with db.write() as session:
            await runs.create(session, bt, fields, actor="test")
    return bt, chemicals


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def _comparisons(chemicals: list[int]) -> list[str]:
    literals: dict[str, list[Any]] = {
        "number": [1, 10, 35, 70, 2**40],
        "started": [i.isoformat() for i in INSTANTS[::3]],
        "stopped": [(i + timedelta(hours=5)).isoformat() for i in INSTANTS[::3]],
        "experiment_type": ["SFX", "sfx", "fast", "Serial", "", "nope"],
        "frames": [-3, 0, 7, 2**40, 5],
        "distance": [0.1, 1.5, -2, 3, 1e-5, 2.5e10],
        "comment": STRINGS,
        "sample name": ["bad", "Bad", "%", "_"],
        "good": [True, False],
        "mode": ["fast", "Fast", "slow"],
        "taken": [i.isoformat() for i in INSTANTS[::2]],
        "tags": STRINGS[:6],
        "counts": [0, 3, 2**40],
        "energies": [0.1, 1.0, 1, 1e-5],
        "flags": [True, False],
        "sample": [*chemicals, "lysozyme", "Lysozyme", "thau", 999],
    }
    ordered = ("==", "!=", "<", "<=", ">", ">=")
    operators = {
        "number": ordered,
        "started": ordered,
        "stopped": ordered,
        "experiment_type": ("==", "!=", "?"),
        "frames": ordered,
        "distance": ordered,
        "comment": ("==", "!=", "?"),
        "sample name": ("==", "?"),
        "good": ("==", "!="),
        "mode": ("==", "!="),
        "taken": ordered,
        "tags": ("?",),
        "counts": ("?",),
        "energies": ("?",),
        "flags": ("?",),
        "sample": ("==", "!="),
    }
    texts = []
    for name, values in literals.items():
        field = f"`{name}`" if " " in name else name
        texts += [f"{field} {op} {_literal(v)}" for op in operators[name] for v in values]
        texts += [f"{field} == null", f"{field} != null"]
    return texts


def _combinations(atoms: list[str]) -> list[str]:
    rng = random.Random(7)
    combined = [f"not ({atom})" for atom in atoms[::3]]
    for _ in range(120):
        a, b, c = rng.sample(atoms, 3)
        combined += [
            f"{a} and not ({b})",
            f"not ({a} or {b}) or {c}",
            f"({a} or {b}) and ({c})",
        ]
    return combined


def _python_values(
    run: Run, infos: run_attributi.RunAttributi, chemicals: dict[int, str], types: dict[int, str]
) -> dict[Any, object]:
    values: dict[Any, object] = {
        "number": run.number,
        "started": run.started,
        "stopped": run.stopped,
        "experiment_type": types.get(run.experiment_type_id or -1),
    }
    for key, stored in run.attributi.items():
        info = infos.by_id[int(key)]
        value = stored
        if info.type.kind == "datetime":
            value = stored_to_datetime(stored)
        elif info.type.kind == "chemical":
            value = ChemicalRef(stored, chemicals[stored])
        values[info.id] = value
    return values


@pytest.mark.slow
async def test_sql_filter_agrees_with_evaluate(db: Database) -> None:
    bt, chemical_ids = await _seed(db)
    sql = json_sql(db.kind)
    async with db.read() as session:
        infos = await run_attributi.load(session, bt)
        chemicals = await run_attributi.chemical_names_by_id(session, bt)
        context = await run_listing.filter_context(session, bt, sql)
        all_runs = list(await session.scalars(select(Run).where(Run.beamtime_id == bt)))
        fields = run_filter_fields(infos.filter_fields())
        python_values = {
            run.number: _python_values(run, infos, chemicals, dict(context.experiment_types))
            for run in all_runs
        }
        atoms = _comparisons(chemical_ids)
        mismatches = []
        for text in [*atoms, *_combinations(atoms)]:
            parsed = parse_filter(text)
            assert parsed is not None
            checked: CheckedExpr = check_filter(parsed, fields)
            query = select(Run.number).where(Run.beamtime_id == bt, context.compile(checked))
            in_sql = set(await session.scalars(query))
            expected = {n for n, values in python_values.items() if evaluate(checked, values)}
            if in_sql != expected:
                mismatches.append((text, sorted(in_sql ^ expected)))
    assert not mismatches, mismatches[:10]
    assert len(atoms) > 150
