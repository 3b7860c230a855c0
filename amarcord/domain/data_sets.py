"""Which runs belong to a data set, and when two data sets are indistinguishable.

A data set fixes a value for each attributo of its experiment type. A run of that experiment
type belongs to the data set when every one of those attributi matches:

- boolean: a missing value counts as false on both sides, so a data set saying false accepts
  runs without a value, and one saying true requires true;
- otherwise a missing value is None: None matches only None;
- decimal: within the attributo's tolerance, inclusive. An absolute tolerance bounds the
  difference, a relative one bounds it by ``tolerance times the larger magnitude`` (at 0.1, 220
  matches 200 but 225 does not). Without a tolerance, the values must agree to about nine
  significant digits (`math.isclose` defaults), so that floating-point noise from unit
  conversions (1.5 MHz → 1500 kHz) does not split a data set; a tolerance of 0 is exact;
- everything else (integer, string, choice, datetime, list, chemical id): equality.

Attributi the run has beyond the data set's are ignored. All rules are symmetric, so the same
test tells whether a new data set would duplicate an existing one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K")


@dataclass(frozen=True)
class MatchRule:
    """What matching needs to know about one attributo of the experiment type."""

    kind: str
    tolerance: float | None = None
    tolerance_is_absolute: bool = False


def values_match(
    kind: str,
    data_set_value: object,
    run_value: object,
    *,
    tolerance: float | None = None,
    tolerance_is_absolute: bool = False,
) -> bool:
    """Whether one attributo's run value matches the data set's value (module docstring)."""
    if kind == "boolean":
        return (data_set_value is True) == (run_value is True)
    if data_set_value is None or run_value is None:
        return data_set_value is None and run_value is None
    if kind == "decimal":
        assert isinstance(data_set_value, int | float) and isinstance(run_value, int | float)
        return _decimals_match(data_set_value, run_value, tolerance, tolerance_is_absolute)
    return data_set_value == run_value


def _decimals_match(a: float, b: float, tolerance: float | None, is_absolute: bool) -> bool:
    if tolerance is None:
        return math.isclose(a, b)
    if is_absolute:
        return math.isclose(a, b, rel_tol=0.0, abs_tol=tolerance)
    return math.isclose(a, b, rel_tol=tolerance, abs_tol=0.0)


def run_matches_data_set(
    data_set_values: Mapping[K, object],
    run_values: Mapping[K, object],
    rules: Mapping[K, MatchRule],
) -> bool:
    """Whether a run belongs to a data set. `rules` holds the attributi of the data set's
    experiment type; that the run has this experiment type is the caller's to check."""
    return all(
        values_match(
            rule.kind,
            data_set_values.get(key),
            run_values.get(key),
            tolerance=rule.tolerance,
            tolerance_is_absolute=rule.tolerance_is_absolute,
        )
        for key, rule in rules.items()
    )


def data_set_values_conflict(
    a: Mapping[K, object], b: Mapping[K, object], rules: Mapping[K, MatchRule]
) -> bool:
    """Whether two data sets of one experiment type are compatible: every value of one
    matches the other's by the run rules (symmetric), so they would claim the same runs."""
    return run_matches_data_set(a, b, rules)
