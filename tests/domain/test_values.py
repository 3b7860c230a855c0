from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amarcord.domain import attributo_types as at
from amarcord.domain.errors import ValidationFailed
from amarcord.domain.values import (
    AttributoInfo,
    coerce_value,
    datetime_to_stored,
    did_you_mean,
    stored_to_datetime,
    validate_values,
    value_to_json,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("t", "raw", "expected"),
    [
        (at.IntegerType(), 3, 3),
        (at.IntegerType(), -(2**63), -(2**63)),
        (at.IntegerType(), 2**63 - 1, 2**63 - 1),
        (at.IntegerType(), 3.0, 3),
        (at.IntegerType(minimum=1, maximum=3), 1, 1),
        (at.IntegerType(minimum=1, maximum=3), 3, 3),
        (at.DecimalType(), 1.5, 1.5),
        (at.DecimalType(), 2, 2.0),
        (at.DecimalType(minimum=0, maximum=1), 0, 0.0),
        (at.DecimalType(minimum=0, maximum=1), 1.0, 1.0),
        (at.DecimalType(minimum=0, exclusive_minimum=True), 1e-9, 1e-9),
        (at.DecimalType(maximum=1, exclusive_maximum=True), 0.999, 0.999),
        (at.StringType(), "", ""),
        (at.StringType(max_length=3), "abc", "abc"),
        (at.StringType(max_length=1), "é", "é"),
        (at.BooleanType(), True, True),
        (at.BooleanType(), False, False),
        (at.DateTimeType(), "2026-11-22T14:03:00Z", "2026-11-22T14:03:00.000000Z"),
        (at.DateTimeType(), "2026-11-22T15:03:00.5+01:00", "2026-11-22T14:03:00.500000Z"),
        (at.DateTimeType(), " 2026-11-22 14:03:00+00:00 ", "2026-11-22T14:03:00.000000Z"),
        (at.DateTimeType(), datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01T00:00:00.000000Z"),
        (at.ChoiceType(choices=["a", "b"]), "b", "b"),
        (at.ListType(item_kind="integer"), [], []),
        (at.ListType(item_kind="integer"), [1, 2.0], [1, 2]),
        (at.ListType(item_kind="decimal"), [1, 2.5], [1.0, 2.5]),
        (at.ListType(item_kind="string", min_items=1, max_items=2), ["x", "y"], ["x", "y"]),
        (at.ListType(item_kind="boolean"), [True, False], [True, False]),
        (at.ChemicalType(), 4, 4),
    ],
)
def test_valid_values_take_their_stored_form(
    t: at.AttributoType, raw: object, expected: object
) -> None:
    stored = coerce_value(t, raw)
    assert stored == expected
    assert type(stored) is type(expected)
    if isinstance(stored, list) and isinstance(expected, list):
        assert [type(item) for item in stored] == [type(item) for item in expected]


@pytest.mark.parametrize(
    ("t", "raw", "message"),
    [
        (at.IntegerType(), True, "expected an integer, got a boolean"),
        (at.IntegerType(), "3", "expected an integer, got a string"),
        (at.IntegerType(), None, "expected an integer, got null"),
        (at.IntegerType(), 3.5, "3.5 is not a whole number"),
        (at.IntegerType(), 2**63, "9223372036854775808 is beyond the 64-bit integers"),
        (at.IntegerType(), -(10**20), "is beyond the 64-bit integers"),
        (at.IntegerType(), float("nan"), "nan is not a whole number"),
        (at.IntegerType(), float("inf"), "inf is not a whole number"),
        (at.IntegerType(minimum=1), 0, "0 is below the minimum 1"),
        (at.IntegerType(maximum=1), 2, "2 is above the maximum 1"),
        (at.DecimalType(), False, "expected a number, got a boolean"),
        (at.DecimalType(), "1.5", "expected a number, got a string"),
        (at.DecimalType(), [1.5], "expected a number, got an array"),
        (at.DecimalType(), float("nan"), "expected a finite number, got nan"),
        (at.DecimalType(), float("inf"), "expected a finite number, got inf"),
        (at.DecimalType(), float("-inf"), "expected a finite number, got -inf"),
        (at.DecimalType(), 10**400, "is too large"),
        (at.DecimalType(minimum=0), -0.5, "-0.5 is below the minimum 0.0"),
        (at.DecimalType(maximum=100), 120.5, "120.5 is above the maximum 100.0"),
        (at.DecimalType(minimum=0, exclusive_minimum=True), 0, "0.0 must be greater than 0.0"),
        (at.DecimalType(maximum=1, exclusive_maximum=True), 1, "1.0 must be less than 1.0"),
        (at.StringType(), 5, "expected a string, got an integer"),
        (at.StringType(max_length=3), "abcd", "4 characters exceed the maximum length 3"),
        (at.BooleanType(), 1, "expected true or false, got an integer"),
        (at.BooleanType(), "true", "expected true or false, got a string"),
        (
            at.DateTimeType(),
            1700000000,
            "expected an ISO 8601 date and time string, got an integer",
        ),
        (at.DateTimeType(), "yesterday", "'yesterday' is not an ISO 8601 date and time"),
        (at.DateTimeType(), "2026-11-22T14:03:00", "has no time zone offset; add one, e.g. 'Z'"),
        (at.DateTimeType(), datetime(2026, 1, 1), "has no time zone offset"),
        (at.DateTimeType(), "0001-01-01T00:00:00+05:00", "out of range in UTC"),
        (at.ChoiceType(choices=["a", "b"]), "c", "'c' is not one of the choices 'a', 'b'"),
        (at.ChoiceType(choices=["a"]), 1, "expected a string, got an integer"),
        (at.ListType(item_kind="integer"), 1, "expected an array, got an integer"),
        (at.ListType(item_kind="integer"), {"a": 1}, "expected an array, got an object"),
        (at.ListType(item_kind="integer", min_items=2), [1], "expected at least 2 items, got 1"),
        (at.ListType(item_kind="integer", max_items=1), [1, 2], "expected at most 1 items, got 2"),
        (
            at.ListType(item_kind="integer"),
            [1, True, 2.5],
            "item 1: expected an integer, got a boolean; item 2: 2.5 is not a whole number",
        ),
        (
            at.ListType(item_kind="decimal"),
            [float("nan")],
            "item 0: expected a finite number, got nan",
        ),
        (at.ListType(item_kind="string"), ["a", None], "item 1: expected a string, got null"),
        (at.ListType(item_kind="boolean"), [0], "item 0: expected true or false, got an integer"),
        (at.ChemicalType(), True, "expected an integer, got a boolean"),
        (at.ChemicalType(), 0, "0 is not a chemical id"),
        (at.ChemicalType(), "4", "expected an integer, got a string"),
    ],
)
def test_invalid_values_are_refused_with_a_message(
    t: at.AttributoType, raw: object, message: str
) -> None:
    with pytest.raises(ValueError) as info:
        coerce_value(t, raw)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-15T10:00:00", "2026-01-15T09:00:00.000000Z"),  # CET, +01:00
        ("2026-07-15T10:00:00", "2026-07-15T08:00:00.000000Z"),  # CEST, +02:00
        ("2026-07-15", "2026-07-14T22:00:00.000000Z"),
        ("2026-07-15T10:00:00Z", "2026-07-15T10:00:00.000000Z"),  # an explicit offset wins
        ("2026-10-25T02:30:00", "2026-10-25T00:30:00.000000Z"),  # twice that night: the first
    ],
)
def test_naive_datetimes_are_placed_in_the_default_zone(raw: str, expected: str) -> None:
    assert coerce_value(at.DateTimeType(), raw, default_tz=BERLIN) == expected


def test_stored_datetimes_have_a_fixed_width() -> None:
    assert (
        datetime_to_stored(datetime(987, 6, 5, 4, 3, 2, 1, tzinfo=UTC))
        == "0987-06-05T04:03:02.000001Z"
    )
    assert datetime_to_stored(datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=2)))) == (
        "2025-12-31T23:00:00.000000Z"
    )


def test_naive_datetimes_cannot_be_stored() -> None:
    with pytest.raises(ValueError, match="has no time zone"):
        datetime_to_stored(datetime(2026, 1, 1))


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00.000000+00:00",
        "2026-1-01T00:00:00.000000Z",
        "",
        "x",
    ],
)
def test_only_the_exact_stored_form_is_read_back(text: str) -> None:
    with pytest.raises(ValueError, match="is not a stored datetime"):
        stored_to_datetime(text)


def test_stored_datetime_reads_back_as_aware_utc() -> None:
    dt = stored_to_datetime("2026-11-22T14:03:00.250000Z")
    assert dt == datetime(2026, 11, 22, 14, 3, 0, 250000, tzinfo=UTC)
    assert dt.utcoffset() == timedelta(0)


aware_datetimes = st.datetimes(
    min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.timezones()
)


@given(aware_datetimes)
def test_stored_datetime_round_trips(dt: datetime) -> None:
    # Compared in UTC: Python never calls a wall time that occurs twice equal across zones.
    assert stored_to_datetime(datetime_to_stored(dt)) == dt.astimezone(UTC)


@given(aware_datetimes, aware_datetimes)
def test_stored_datetime_order_is_time_order(a: datetime, b: datetime) -> None:
    assert (datetime_to_stored(a) < datetime_to_stored(b)) == (
        a.astimezone(UTC) < b.astimezone(UTC)
    )


DISTANCE = AttributoInfo(
    1, "detector_distance", at.DecimalType(unit="mm", minimum=0, maximum=500), "manual"
)
SAMPLE = AttributoInfo(2, "Sample", at.ChemicalType(), "manual")
COMMENT = AttributoInfo(3, "comment", at.StringType(), "manual")
STARTED = AttributoInfo(4, "pump started", at.DateTimeType(), "automatic")
ATTRIBUTI = {info.name: info for info in (DISTANCE, SAMPLE, COMMENT, STARTED)}


def validate(raw: dict[str, Any], **kwargs: Any) -> dict[int, Any]:
    options: dict[str, Any] = {"known_chemical_ids": {4, 5}, "allow_null": False} | kwargs
    return validate_values(ATTRIBUTI, raw, **options)


def test_values_are_keyed_by_attributo_id() -> None:
    raw = {"detector_distance": 120, "Sample": 4, "comment": "thin crystals"}
    assert validate(raw) == {1: 120.0, 2: 4, 3: "thin crystals"}


def test_names_match_case_insensitively() -> None:
    assert validate(
        {"DETECTOR_distance": 1.5, "sample": 5, "PUMP STARTED": "2026-01-01T00:00:00Z"}
    ) == {
        1: 1.5,
        2: 5,
        4: "2026-01-01T00:00:00.000000Z",
    }


def test_null_clears_a_value_only_where_allowed() -> None:
    assert validate({"comment": None}, allow_null=True) == {3: None}
    with pytest.raises(ValidationFailed) as info:
        validate({"comment": None})
    assert "null is not allowed" in info.value.errors[0].msg


def test_unknown_names_get_a_suggestion() -> None:
    with pytest.raises(ValidationFailed) as info:
        validate({"detecter_distanse": 1.0, "flux": 3})
    errors = {error.loc: (error.msg, error.type) for error in info.value.errors}
    assert errors == {
        ("attributi", "detecter_distanse"): (
            "unknown attributo 'detecter_distanse'; did you mean 'detector_distance'?",
            "unknown_attributo",
        ),
        ("attributi", "flux"): ("unknown attributo 'flux'", "unknown_attributo"),
    }


def test_chemical_ids_must_be_known_unless_not_given() -> None:
    with pytest.raises(ValidationFailed) as info:
        validate({"sample": 6})
    assert info.value.errors[0].msg == "there is no chemical with id 6 in this beamtime"
    assert validate({"sample": 6}, known_chemical_ids=None) == {2: 6}


def test_default_zone_applies_to_datetimes() -> None:
    assert validate({"pump started": "2026-07-01T12:00:00"}, default_tz=BERLIN) == {
        4: "2026-07-01T10:00:00.000000Z"
    }


def test_all_errors_are_collected_at_once() -> None:
    raw = {
        "detector_distance": 900,
        "Detector_Distance": 1,
        "sample": 99,
        "comment": 7,
        "pump started": "2026-01-01T00:00:00",
        "commment": "x",
        "SAMPLE": None,
    }
    with pytest.raises(ValidationFailed) as info:
        validate(raw, loc=("body", "attributi"))
    assert info.value.detail == "7 invalid attributo value(s)"
    assert [(error.loc[-1], error.msg) for error in info.value.errors] == [
        ("detector_distance", "900.0 is above the maximum 500.0"),
        (
            "Detector_Distance",
            "'Detector_Distance' and 'detector_distance' name the same attributo",
        ),
        ("sample", "there is no chemical with id 99 in this beamtime"),
        ("comment", "expected a string, got an integer"),
        (
            "pump started",
            "'2026-01-01T00:00:00' has no time zone offset; add one, e.g. 'Z' for UTC or '+02:00'",
        ),
        ("commment", "unknown attributo 'commment'; did you mean 'comment'?"),
        ("SAMPLE", "'SAMPLE' and 'sample' name the same attributo"),
    ]
    assert {error.loc[:2] for error in info.value.errors} == {("body", "attributi")}


def test_nothing_given_is_nothing_stored() -> None:
    assert validate({}) == {}


@pytest.mark.parametrize(
    ("name", "candidates", "hint"),
    [
        ("detecter", ["detector", "comment"], "; did you mean 'detector'?"),
        (
            "DETECTOR_dist",
            ["detector_distance_2", "detector_distance", "comment"],
            "; did you mean 'detector_distance' or 'detector_distance_2'?",
        ),
        ("xyz", ["comment"], ""),
        ("a", [], ""),
    ],
)
def test_did_you_mean(name: str, candidates: list[str], hint: str) -> None:
    assert did_you_mean(name, candidates) == hint


@pytest.mark.parametrize(
    ("t", "stored", "expected"),
    [
        (at.IntegerType(), 3, 3),
        (at.DecimalType(), 3, 3.0),
        (at.DecimalType(), 2.5, 2.5),
        (at.StringType(), "x", "x"),
        (at.BooleanType(), False, False),
        (at.DateTimeType(), "2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:00.000000Z"),
        (at.ChoiceType(choices=["a"]), "a", "a"),
        (at.ListType(item_kind="decimal"), [1, 2.5], [1.0, 2.5]),
        (at.ListType(item_kind="string"), ["a"], ["a"]),
        (at.ChemicalType(), 4, 4),
    ],
)
def test_value_to_json(t: at.AttributoType, stored: Any, expected: object) -> None:
    output = value_to_json(t, stored)
    assert output == expected
    assert type(output) is type(expected)


def test_value_to_json_does_not_share_lists() -> None:
    stored = ["a"]
    output = value_to_json(at.ListType(item_kind="string"), stored)
    assert output == stored
    assert output is not stored
