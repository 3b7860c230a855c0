"""The reference evaluation of a checked filter, which the SQL translation must agree with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from amarcord.domain.filter_language.check import CheckedComparison, CheckedExpr
from amarcord.domain.filter_language.syntax import COMPARE, And, LiteralValue, Not, Or
from amarcord.domain.values import datetime_to_stored, stored_to_datetime


@dataclass(frozen=True)
class ChemicalRef:
    """How `evaluate` receives a chemical value: ids and names both take part in filters."""

    id: int
    name: str


def evaluate(expr: CheckedExpr, values: Mapping[Any, object]) -> bool:
    """Whether a run with `values` (keyed by each field's `lookup_key`) passes the filter.

    Values are in domain form: int, float, str, bool, list, datetime (naive = UTC, or its
    stored text) and `ChemicalRef` for chemicals; see the module docstring for semantics."""
    if isinstance(expr, Or):
        return any(evaluate(item, values) for item in expr.items)
    if isinstance(expr, And):
        return all(evaluate(item, values) for item in expr.items)
    if isinstance(expr, Not):
        return not evaluate(expr.expr, values)
    return _holds(expr, values.get(expr.spec.lookup_key))


def _holds(comparison: CheckedComparison, actual: object) -> bool:
    if comparison.value is None:
        return (actual is None) == (comparison.op == "==")
    if actual is None:
        return False
    actual = _comparable(comparison, actual)
    if comparison.op != "?":
        return bool(COMPARE[comparison.op](actual, comparison.value))
    if comparison.spec.kind == "list":
        assert isinstance(actual, list | tuple)
        return any(_same(item, comparison.value) for item in actual)
    assert isinstance(actual, str) and isinstance(comparison.value, str)
    return comparison.value in actual


def _comparable(comparison: CheckedComparison, actual: object) -> object:
    if comparison.spec.kind == "datetime":
        if isinstance(actual, datetime):
            # Database drivers hand back the UTC that the store wrote without its offset.
            return datetime_to_stored(actual if actual.tzinfo else actual.replace(tzinfo=UTC))
        if not isinstance(actual, str):
            raise TypeError(f"{comparison.spec.name}: expected a datetime, got {actual!r}")
        stored_to_datetime(actual)
        return actual
    if comparison.spec.kind == "chemical":
        if not isinstance(actual, ChemicalRef):
            raise TypeError(f"{comparison.spec.name}: expected a ChemicalRef, got {actual!r}")
        return actual.id if isinstance(comparison.value, int) else actual.name
    return actual


def _same(item: object, value: LiteralValue) -> bool:
    # Python's True == 1 must not make a boolean item a member of an integer list or back.
    return isinstance(item, bool) == isinstance(value, bool) and item == value
