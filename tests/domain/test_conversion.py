from itertools import product
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from amarcord.domain import attributo_types as at
from amarcord.domain.conversion import (
    ConversionError,
    can_convert,
    conversion_problem,
    convert_value,
    parse_boolean,
)

INT = at.IntegerType()
DEC = at.DecimalType()
STR = at.StringType()
BOOL = at.BooleanType()
DT = at.DateTimeType()
CHOICE = at.ChoiceType(choices=["a", "b"])
CHEM = at.ChemicalType()
LIST_INT = at.ListType(item_kind="integer")
LIST_DEC = at.ListType(item_kind="decimal")
LIST_STR = at.ListType(item_kind="string")
LIST_BOOL = at.ListType(item_kind="boolean")

REPRESENTATIVES: dict[str, at.AttributoType] = {
    "integer": INT,
    "decimal": DEC,
    "string": STR,
    "boolean": BOOL,
    "datetime": DT,
    "choice": CHOICE,
    "chemical": CHEM,
    "list[integer]": LIST_INT,
    "list[decimal]": LIST_DEC,
    "list[string]": LIST_STR,
    "list[boolean]": LIST_BOOL,
}

# The conversion matrix: every pair not listed has no conversion.
ALLOWED = {
    "integer": {"integer", "decimal", "string", "boolean", "list[integer]", "list[decimal]"},
    "decimal": {"decimal", "integer", "string", "boolean", "list[integer]", "list[decimal]"},
    "string": {"string", "integer", "decimal", "boolean", "datetime", "choice", "list[string]"},
    "boolean": {"boolean", "string", "integer", "decimal"},
    "choice": {"choice", "string"},
    "datetime": {"datetime", "string"},
    "chemical": {"chemical"},
    "list[integer]": {"list[integer]", "list[decimal]", "list[string]"},
    "list[decimal]": {"list[integer]", "list[decimal]", "list[string]"},
    "list[string]": {"list[integer]", "list[decimal]", "list[string]", "list[boolean]"},
    "list[boolean]": {"list[boolean]", "list[string]"},
}


@pytest.mark.parametrize(("old", "new"), list(product(REPRESENTATIVES, repeat=2)))
def test_conversion_matrix(old: str, new: str) -> None:
    assert can_convert(REPRESENTATIVES[old], REPRESENTATIVES[new]) is (new in ALLOWED[old])


def test_pairs_without_converter_say_so() -> None:
    assert conversion_problem(LIST_INT, CHEM) == "no conversion from list of integer to chemical"
    with pytest.raises(ConversionError, match="^no conversion from list of integer to chemical$"):
        convert_value(LIST_INT, CHEM, [1], ignore_units=False)


@pytest.mark.parametrize(
    ("new", "possible"),
    [
        (at.ListType(item_kind="integer", min_items=1, max_items=1), True),
        (at.ListType(item_kind="decimal", min_items=0), True),
        (at.ListType(item_kind="integer", min_items=2), False),
        (LIST_STR, False),
        (LIST_BOOL, False),
    ],
)
def test_a_number_becomes_a_list_only_of_numbers_that_may_hold_one_item(
    new: at.ListType, possible: bool
) -> None:
    assert can_convert(INT, new) is possible
    assert can_convert(DEC, new) is possible


@pytest.mark.parametrize(
    ("old", "new", "stored", "expected"),
    [
        (INT, INT, 3, 3),
        (INT, at.IntegerType(minimum=0, maximum=3), 3, 3),
        (INT, DEC, 3, 3.0),
        (INT, STR, -3, "-3"),
        (INT, BOOL, 0, False),
        (INT, BOOL, -1, True),
        (INT, LIST_INT, 3, [3]),
        (INT, LIST_DEC, 3, [3.0]),
        (DEC, DEC, 1.5, 1.5),
        (DEC, INT, 2.0, 2),
        (DEC, STR, 1.5, "1.5"),
        (DEC, BOOL, 0.0, False),
        (DEC, BOOL, 0.1, True),
        (DEC, LIST_DEC, 1.5, [1.5]),
        (DEC, LIST_INT, 2.0, [2]),
        (STR, STR, "x", "x"),
        (STR, at.StringType(max_length=1), "x", "x"),
        (STR, INT, " 42 ", 42),
        (STR, INT, "1e3", 1000),
        (STR, INT, "3.0", 3),
        (STR, DEC, " 1.5\n", 1.5),
        (STR, DEC, "2", 2.0),
        (STR, BOOL, "Yes", True),
        (STR, BOOL, " off ", False),
        (STR, DT, "2026-01-01T00:00:00+01:00", "2025-12-31T23:00:00.000000Z"),
        (STR, DT, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000000Z"),
        (STR, CHOICE, "a", "a"),
        (STR, LIST_STR, "x", ["x"]),
        (BOOL, BOOL, True, True),
        (BOOL, STR, True, "true"),
        (BOOL, STR, False, "false"),
        (BOOL, INT, True, 1),
        (BOOL, DEC, False, 0.0),
        (CHOICE, CHOICE, "a", "a"),
        (CHOICE, at.ChoiceType(choices=["b", "c"]), "b", "b"),
        (CHOICE, at.ChoiceType(choices=["b"]), "", None),
        (CHOICE, STR, "a", "a"),
        (CHOICE, STR, "", None),
        (DT, DT, "2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:00.000000Z"),
        (DT, STR, "2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:00.000000Z"),
        (CHEM, CHEM, 4, 4),
        (LIST_INT, LIST_INT, [1, 2], [1, 2]),
        (LIST_INT, LIST_DEC, [1, 2], [1.0, 2.0]),
        (LIST_INT, LIST_STR, [1, 2], ["1", "2"]),
        (LIST_DEC, LIST_INT, [1.0, 2.0], [1, 2]),
        (LIST_DEC, LIST_DEC, [1.5], [1.5]),
        (LIST_DEC, LIST_STR, [1.5], ["1.5"]),
        (LIST_STR, LIST_STR, ["a"], ["a"]),
        (LIST_STR, LIST_INT, [" 1", "2 "], [1, 2]),
        (LIST_STR, LIST_DEC, ["1.5", "2"], [1.5, 2.0]),
        (LIST_STR, LIST_BOOL, ["yes", "OFF", "1", "false"], [True, False, True, False]),
        (LIST_BOOL, LIST_BOOL, [True], [True]),
        (LIST_BOOL, LIST_STR, [True, False], ["true", "false"]),
        (LIST_INT, at.ListType(item_kind="integer", min_items=1, max_items=2), [1, 2], [1, 2]),
        (LIST_STR, LIST_INT, [], []),
    ],
)
def test_values_convert(
    old: at.AttributoType, new: at.AttributoType, stored: Any, expected: object
) -> None:
    converted = convert_value(old, new, stored, ignore_units=False)
    assert converted == expected
    assert type(converted) is type(expected)
    if isinstance(converted, list) and isinstance(expected, list):
        assert [type(item) for item in converted] == [type(item) for item in expected]


@pytest.mark.parametrize(
    ("old", "new", "stored", "fragment"),
    [
        (INT, at.IntegerType(maximum=2), 3, "3 is above the maximum 2"),
        (INT, at.DecimalType(minimum=3, exclusive_minimum=True), 3, "3.0 must be greater than 3.0"),
        (DEC, INT, 1.7, "1.7 is not a whole number"),
        (DEC, INT, 1e300, "1e+300 is beyond the 64-bit integers"),
        (DEC, LIST_INT, -1e19, "item 0: -1e+19 is beyond the 64-bit integers"),
        (STR, INT, "99999999999999999999", "99999999999999999999 is beyond the 64-bit integers"),
        (DEC, LIST_INT, 1.7, "item 0: 1.7 is not a whole number"),
        (DEC, at.IntegerType(minimum=5), 4.0, "4 is below the minimum 5"),
        (STR, INT, "abc", "'abc' is not a number"),
        (STR, INT, "", "'' is not a number"),
        (STR, INT, "1.5", "1.5 is not a whole number"),
        (STR, DEC, "1,5", "'1,5' is not a number"),
        (STR, DEC, "nan", "expected a finite number, got nan"),
        (STR, DEC, "-inf", "expected a finite number, got -inf"),
        (STR, BOOL, "maybe", "'maybe' is neither true/yes/on/1 nor false/no/off/0"),
        (STR, BOOL, "", "'' is neither"),
        (STR, DT, "2026-01-01T00:00:00", "has no time zone offset"),
        (STR, DT, "soon", "'soon' is not an ISO 8601 date and time"),
        (STR, CHOICE, "c", "'c' is not one of the choices 'a', 'b'"),
        (STR, CHOICE, "", "'' is not one of the choices"),
        (STR, at.StringType(max_length=2), "abc", "3 characters exceed the maximum length 2"),
        (CHOICE, at.ChoiceType(choices=["b"]), "a", "'a' is not one of the choices 'b'"),
        (
            LIST_INT,
            at.ListType(item_kind="integer", max_items=1),
            [1, 2],
            "expected at most 1 items, got 2",
        ),
        (
            LIST_INT,
            at.ListType(item_kind="integer", min_items=3),
            [1, 2],
            "expected at least 3 items, got 2",
        ),
        (LIST_STR, LIST_BOOL, ["yes", "x"], "item 1: 'x' is neither"),
        (LIST_STR, LIST_INT, ["1", "a"], "item 1: 'a' is not a number"),
        (LIST_DEC, LIST_INT, [1.5], "item 0: 1.5 is not a whole number"),
        (STR, INT, 5, "expected a string, got an integer"),  # a corrupt stored value
    ],
)
def test_values_that_do_not_fit_abort(
    old: at.AttributoType, new: at.AttributoType, stored: Any, fragment: str
) -> None:
    with pytest.raises(ConversionError) as info:
        convert_value(old, new, stored, ignore_units=False)
    assert fragment in str(info.value)


def test_the_message_names_both_kinds_and_the_value() -> None:
    with pytest.raises(ConversionError) as info:
        convert_value(at.DecimalType(unit="mm"), INT, 1.7, ignore_units=False)
    assert (
        str(info.value)
        == "cannot convert decimal (mm) value 1.7 to integer: 1.7 is not a whole number"
    )
    assert isinstance(info.value, ValueError)


def test_string_to_datetime_may_assume_a_zone() -> None:
    converted = convert_value(
        STR, DT, "2026-07-01 12:00", ignore_units=False, default_tz=ZoneInfo("Europe/Berlin")
    )
    assert converted == "2026-07-01T10:00:00.000000Z"


MHZ = at.DecimalType(unit="MHz")
KHZ = at.DecimalType(unit="kHz")


@pytest.mark.parametrize(
    ("old", "new", "ignore_units", "stored", "expected"),
    [
        (MHZ, KHZ, False, 1.5, 1500.0),
        (KHZ, MHZ, False, 1500, 1.5),
        (MHZ, KHZ, True, 1.5, 1.5),
        (at.DecimalType(unit="degC"), at.DecimalType(unit="degF"), False, 20.0, 68.0),
        (at.DecimalType(unit="degF"), at.DecimalType(unit="K"), False, 32.0, 273.15),
        (at.DecimalType(unit="mm"), at.DecimalType(unit="millimeter"), False, 2.5, 2.5),
        (at.DecimalType(unit="mm"), DEC, False, 2.5, 2.5),
        (DEC, at.DecimalType(unit="mm"), False, 2.5, 2.5),
        (MHZ, at.DecimalType(unit="mm"), True, 1.5, 1.5),
    ],
)
def test_units_convert_unless_ignored(
    old: at.DecimalType, new: at.DecimalType, ignore_units: bool, stored: float, expected: float
) -> None:
    assert convert_value(old, new, stored, ignore_units=ignore_units) == expected


def test_the_range_is_checked_after_unit_conversion() -> None:
    with pytest.raises(ConversionError, match=r"1500\.0 is above the maximum 1000\.0"):
        convert_value(MHZ, at.DecimalType(unit="kHz", maximum=1000), 1.5, ignore_units=False)


def test_different_dimensions_need_ignore_units() -> None:
    mm = at.DecimalType(unit="mm")
    assert not can_convert(MHZ, mm)
    assert can_convert(MHZ, mm, ignore_units=True)
    problem = "MHz cannot be converted to mm; ignore units to keep the numbers"
    assert conversion_problem(MHZ, mm) == problem
    with pytest.raises(ConversionError, match=f"^{problem}$"):
        convert_value(MHZ, mm, 1.5, ignore_units=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
        ("On", True),
        (" false ", False),
        ("0", False),
        ("NO", False),
        ("off", False),
    ],
)
def test_parse_boolean(text: str, expected: bool) -> None:
    assert parse_boolean(text) is expected


@pytest.mark.parametrize("text", ["", "2", "y", "t", "nein", "truthy"])
def test_parse_boolean_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="is neither"):
        parse_boolean(text)
