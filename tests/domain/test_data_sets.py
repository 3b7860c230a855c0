from datetime import UTC, datetime, timedelta, timezone

import pytest

from amarcord.domain.data_sets import (
    MatchRule,
    data_set_values_conflict,
    run_matches_data_set,
    values_match,
)


@pytest.mark.parametrize(
    ("data_set", "run", "tolerance", "absolute", "expected"),
    [
        (200.0, 220.0, 0.1, False, True),
        (200.0, 225.0, 0.1, False, False),
        (220.0, 200.0, 0.1, False, True),
        (-200.0, -220.0, 0.1, False, True),
        (200.0, -200.0, 0.1, False, False),
        (0.0, 0.0, 0.1, False, True),
        (0.0, 1e-300, 0.1, False, False),
        (200.0, 200.5, 0.5, True, True),
        (200.0, 199.5, 0.5, True, True),
        (200.0, 201.0, 0.5, True, False),
        (200.0, 220.0, 0.1, True, False),
        (0.0, 0.25, 0.5, True, True),
        (1.0, 1.0, 0.0, True, True),
        (1.0, 1.0 + 1e-12, 0.0, False, False),
        (1500.0, 1.5e3 * (1 + 1e-12), None, False, True),
        (1500.0, 1500.01, None, False, False),
        (120, 120.0, None, False, True),
        (None, None, 0.1, False, True),
        (None, None, None, False, True),
        (200.0, None, 0.1, False, False),
        (None, 200.0, 0.1, True, False),
        (None, 0.0, None, False, False),
    ],
)
def test_decimal_tolerance(data_set, run, tolerance, absolute, expected):
    assert (
        values_match("decimal", data_set, run, tolerance=tolerance, tolerance_is_absolute=absolute)
        is expected
    )


@pytest.mark.parametrize(
    ("data_set", "run", "expected"),
    [
        (False, None, True),
        (False, False, True),
        (False, True, False),
        (True, None, False),
        (True, False, False),
        (True, True, True),
        (None, None, True),
        (None, True, False),
    ],
)
def test_missing_boolean_counts_as_false(data_set, run, expected):
    assert values_match("boolean", data_set, run) is expected


@pytest.mark.parametrize(
    ("kind", "data_set", "run", "expected"),
    [
        ("integer", 3, 3, True),
        ("integer", 3, 4, False),
        ("integer", 3, None, False),
        ("integer", None, None, True),
        ("string", "lyso", "lyso", True),
        ("string", "lyso", "Lyso", False),
        ("string", "", None, False),
        ("choice", "SFX", "SFX", True),
        ("chemical", 4, 4, True),
        ("chemical", 4, 5, False),
        ("list", [1, 2], [1, 2], True),
        ("list", [1, 2], [2, 1], False),
        ("list", [], None, False),
        ("datetime", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC), True),
        (
            "datetime",
            datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
            datetime(2026, 1, 1, tzinfo=UTC),
            True,
        ),
    ],
)
def test_other_kinds_use_equality(kind, data_set, run, expected):
    assert values_match(kind, data_set, run, tolerance=0.5, tolerance_is_absolute=True) is expected


RULES = {
    "distance": MatchRule("decimal", tolerance=0.1),
    "sample": MatchRule("chemical"),
    "dark": MatchRule("boolean"),
}


def test_run_matches_when_every_data_set_attributo_matches():
    data_set = {"distance": 200.0, "sample": 4, "dark": False}
    assert run_matches_data_set(data_set, {"distance": 210.0, "sample": 4}, RULES)
    assert run_matches_data_set(data_set, {"distance": 210.0, "sample": 4, "extra": 1}, RULES)
    assert not run_matches_data_set(data_set, {"distance": 230.0, "sample": 4}, RULES)
    assert not run_matches_data_set(data_set, {"distance": 210.0, "sample": 5}, RULES)
    assert not run_matches_data_set(data_set, {"distance": 210.0}, RULES)
    assert not run_matches_data_set(data_set, {"distance": 210.0, "sample": 4, "dark": True}, RULES)


def test_data_set_without_a_boolean_value_means_false():
    data_set = {"distance": 200.0, "sample": 4}
    assert run_matches_data_set(data_set, {"distance": 200.0, "sample": 4, "dark": False}, RULES)
    assert not run_matches_data_set(data_set, {"distance": 200.0, "sample": 4, "dark": True}, RULES)


def test_no_rules_match_every_run():
    assert run_matches_data_set({"a": 1}, {}, {})


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        ({"distance": 210.0, "sample": 4}, True),
        ({"distance": 210.0, "sample": 4, "dark": False}, True),
        ({"distance": 210.0, "sample": 4, "dark": True}, False),
        ({"distance": 300.0, "sample": 4}, False),
        ({"distance": 200.0, "sample": 3}, False),
    ],
)
def test_conflict_is_symmetric(other, expected):
    existing = {"distance": 200.0, "sample": 4}
    assert data_set_values_conflict(existing, other, RULES) is expected
    assert data_set_values_conflict(other, existing, RULES) is expected
