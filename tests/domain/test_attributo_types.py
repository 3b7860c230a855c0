from typing import Any, get_args

import pytest
from pydantic import ValidationError

from amarcord.domain import attributo_types as at
from amarcord.domain.errors import ValidationFailed

DECIMAL_DEFAULTS = {
    "exclusive_minimum": False,
    "exclusive_maximum": False,
    "tolerance_is_absolute": False,
}

# (input, compact stored JSON)
VALID: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"kind": "integer"}, {"kind": "integer"}),
    (
        {"kind": "integer", "minimum": -3, "maximum": 7},
        {"kind": "integer", "minimum": -3, "maximum": 7},
    ),
    (
        {"kind": "integer", "minimum": 5, "maximum": 5},
        {"kind": "integer", "minimum": 5, "maximum": 5},
    ),
    ({"kind": "decimal"}, {"kind": "decimal", **DECIMAL_DEFAULTS}),
    (
        {
            "kind": "decimal",
            "unit": "mm/s",
            "minimum": 0,
            "maximum": 2.5,
            "exclusive_minimum": True,
        },
        {
            "kind": "decimal",
            **DECIMAL_DEFAULTS,
            "unit": "mm / s",
            "minimum": 0.0,
            "maximum": 2.5,
            "exclusive_minimum": True,
        },
    ),
    (
        {"kind": "decimal", "tolerance": 0.1, "tolerance_is_absolute": True, "unit": ""},
        {"kind": "decimal", **DECIMAL_DEFAULTS, "tolerance": 0.1, "tolerance_is_absolute": True},
    ),
    (
        {"kind": "decimal", "minimum": 1, "maximum": 1},
        {"kind": "decimal", **DECIMAL_DEFAULTS, "minimum": 1.0, "maximum": 1.0},
    ),
    ({"kind": "string"}, {"kind": "string"}),
    ({"kind": "string", "max_length": 1}, {"kind": "string", "max_length": 1}),
    ({"kind": "boolean"}, {"kind": "boolean"}),
    ({"kind": "datetime"}, {"kind": "datetime"}),
    ({"kind": "choice", "choices": ["a", "b"]}, {"kind": "choice", "choices": ["a", "b"]}),
    ({"kind": "list", "item_kind": "integer"}, {"kind": "list", "item_kind": "integer"}),
    (
        {"kind": "list", "item_kind": "decimal", "min_items": 0, "max_items": 3},
        {"kind": "list", "item_kind": "decimal", "min_items": 0, "max_items": 3},
    ),
    (
        {"kind": "list", "item_kind": "string", "min_items": 2, "max_items": 2},
        {"kind": "list", "item_kind": "string", "min_items": 2, "max_items": 2},
    ),
    ({"kind": "list", "item_kind": "boolean"}, {"kind": "list", "item_kind": "boolean"}),
    ({"kind": "chemical"}, {"kind": "chemical"}),
]


@pytest.mark.parametrize(("data", "stored"), VALID)
def test_valid_types_store_compactly_and_round_trip(
    data: dict[str, Any], stored: dict[str, Any]
) -> None:
    t = at.parse_attributo_type(data)
    assert at.attributo_type_to_json(t) == stored
    assert at.parse_attributo_type(at.attributo_type_to_json(t)) == t


def test_every_kind_is_covered() -> None:
    assert {stored["kind"] for _, stored in VALID} == {
        "integer",
        "decimal",
        "string",
        "boolean",
        "datetime",
        "choice",
        "list",
        "chemical",
    }


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"kind": "nope"}, "does not match any of the expected tags"),
        ({}, "Unable to extract tag using discriminator 'kind'"),
        ({"kind": "string", "colour": "red"}, "Extra inputs are not permitted"),
        (
            {"kind": "integer", "minimum": 3, "maximum": 2},
            "minimum (3) must not be greater than maximum (2)",
        ),
        ({"kind": "integer", "minimum": "1"}, "valid integer"),
        ({"kind": "integer", "minimum": True}, "valid integer"),
        ({"kind": "integer", "maximum": 1.5}, "valid integer"),
        (
            {"kind": "decimal", "minimum": 2.0, "maximum": 1.0},
            "minimum (2.0) must not be greater than maximum (1.0)",
        ),
        ({"kind": "decimal", "minimum": float("nan")}, "finite number"),
        ({"kind": "decimal", "maximum": float("inf")}, "finite number"),
        ({"kind": "decimal", "tolerance": float("-inf")}, "finite number"),
        ({"kind": "decimal", "tolerance": -0.5}, "greater than or equal to 0"),
        ({"kind": "decimal", "minimum": "1"}, "valid number"),
        ({"kind": "decimal", "unit": "bananas"}, "'bananas'"),
        ({"kind": "decimal", "unit": "3 mm"}, "'3 mm' is not a unit expression"),
        ({"kind": "decimal", "exclusive_minimum": True}, "exclusive_minimum needs a minimum"),
        ({"kind": "decimal", "exclusive_maximum": True}, "exclusive_maximum needs a maximum"),
        (
            {"kind": "decimal", "minimum": 1, "maximum": 1, "exclusive_maximum": True},
            "admits no value",
        ),
        ({"kind": "decimal", "exclusive_minimum": "yes", "minimum": 1}, "valid boolean"),
        ({"kind": "string", "max_length": 0}, "greater than or equal to 1"),
        ({"kind": "choice"}, "Field required"),
        ({"kind": "choice", "choices": []}, "at least 1 item"),
        ({"kind": "choice", "choices": ["a", ""]}, "must not be empty or blank"),
        ({"kind": "choice", "choices": ["a", "  "]}, "must not be empty or blank"),
        (
            {"kind": "choice", "choices": ["a", "b", "a", "b"]},
            "choices must be unique; repeated: a, b",
        ),
        ({"kind": "choice", "choices": ["a", 1]}, "valid string"),
        ({"kind": "list"}, "Field required"),
        ({"kind": "list", "item_kind": "chemical"}, "'integer', 'decimal', 'string' or 'boolean'"),
        ({"kind": "list", "item_kind": "string", "min_items": -1}, "greater than or equal to 0"),
        ({"kind": "list", "item_kind": "string", "max_items": 0}, "greater than or equal to 1"),
        (
            {"kind": "list", "item_kind": "string", "min_items": 3, "max_items": 2},
            "min_items (3) must not be greater than max_items (2)",
        ),
        ({"kind": "boolean", "minimum": 1}, "Extra inputs are not permitted"),
    ],
)
def test_invalid_types_are_refused(data: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        at.parse_attributo_type(data)
    assert fragment in str(info.value)


def test_all_problems_of_a_type_are_reported_together() -> None:
    with pytest.raises(ValidationError) as info:
        at.parse_attributo_type(
            {"kind": "decimal", "unit": "bananas", "tolerance": -1, "minimum": "x"}
        )
    assert {error["loc"][-1] for error in info.value.errors()} == {"unit", "tolerance", "minimum"}


def test_types_are_immutable() -> None:
    t = at.IntegerType(minimum=1)
    with pytest.raises(ValidationError):
        t.minimum = 2  # type: ignore[misc]


def test_constructors_and_adapter_agree() -> None:
    assert at.parse_attributo_type({"kind": "decimal", "unit": "mm"}) == at.DecimalType(
        unit="millimeter"
    )
    assert at.attributo_type_adapter.validate_json(
        '{"kind": "choice", "choices": ["x"]}'
    ) == at.ChoiceType(choices=["x"])


def test_json_schema_is_a_tagged_union() -> None:
    schema = at.attributo_type_adapter.json_schema()
    assert schema["discriminator"]["propertyName"] == "kind"
    assert len(schema["oneOf"]) == 8


@pytest.mark.parametrize(
    ("t", "lengths_admitted"),
    [
        (at.ListType(item_kind="string"), {0: True, 1: True, 100: True}),
        (
            at.ListType(item_kind="string", min_items=1, max_items=2),
            {0: False, 1: True, 2: True, 3: False},
        ),
        (at.ListType(item_kind="string", min_items=2), {1: False, 2: True}),
    ],
)
def test_list_admits_length(t: at.ListType, lengths_admitted: dict[int, bool]) -> None:
    assert {n: t.admits_length(n) for n in lengths_admitted} == lengths_admitted


ALL_KINDS: list[at.AttributoType] = [
    at.IntegerType(),
    at.DecimalType(),
    at.StringType(),
    at.BooleanType(),
    at.DateTimeType(),
    at.ChoiceType(choices=["a"]),
    at.ListType(item_kind="integer"),
    at.ChemicalType(),
]


@pytest.mark.parametrize("table", get_args(at.AssociatedTable))
@pytest.mark.parametrize("t", ALL_KINDS, ids=lambda t: t.kind)
def test_only_runs_may_reference_chemicals(table: at.AssociatedTable, t: at.AttributoType) -> None:
    if t.kind == "chemical" and table == "chemical":
        with pytest.raises(ValidationFailed) as info:
            at.check_kind_allowed(table, t)
        assert [error.loc for error in info.value.errors] == [("type", "kind")]
        assert "only allowed for run attributi" in info.value.errors[0].msg
    else:
        at.check_kind_allowed(table, t)


def test_kind_check_uses_the_given_location() -> None:
    with pytest.raises(ValidationFailed) as info:
        at.check_kind_allowed("chemical", at.ChemicalType(), loc=("attributi", 0, "type", "kind"))
    assert info.value.errors[0].loc == ("attributi", 0, "type", "kind")
