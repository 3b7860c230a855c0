"""The type of an attributo: a tagged union on `kind`, stored as compact JSON next to it."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from amarcord.domain.errors import Loc, ValidationFailed
from amarcord.domain.units import canonical_unit

AssociatedTable = Literal["run", "chemical"]
ListItemKind = Literal["integer", "decimal", "string", "boolean"]

_FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class _TypeBase(BaseModel):
    # Strict: a bound of "5" or `true` is a client mistake, not something to coerce silently.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _check_bounds(low: float | None, high: float | None, low_name: str, high_name: str) -> None:
    if low is not None and high is not None and low > high:
        raise ValueError(f"{low_name} ({low}) must not be greater than {high_name} ({high})")


class IntegerType(_TypeBase):
    kind: Literal["integer"] = "integer"
    minimum: int | None = None
    maximum: int | None = None

    @model_validator(mode="after")
    def _bounds_ordered(self) -> Self:
        _check_bounds(self.minimum, self.maximum, "minimum", "maximum")
        return self


class DecimalType(_TypeBase):
    kind: Literal["decimal"] = "decimal"
    unit: str | None = None
    minimum: _FiniteFloat | None = None
    maximum: _FiniteFloat | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    tolerance: Annotated[_FiniteFloat, Field(ge=0)] | None = None
    tolerance_is_absolute: bool = False

    @field_validator("unit")
    @classmethod
    def _canonical_unit(cls, unit: str | None) -> str | None:
        # Forms send "" for "no unit"; storing that as absent keeps one spelling of it.
        if unit is None or not unit.strip():
            return None
        return canonical_unit(unit)

    @model_validator(mode="after")
    def _bounds_consistent(self) -> Self:
        _check_bounds(self.minimum, self.maximum, "minimum", "maximum")
        if self.exclusive_minimum and self.minimum is None:
            raise ValueError("exclusive_minimum needs a minimum")
        if self.exclusive_maximum and self.maximum is None:
            raise ValueError("exclusive_maximum needs a maximum")
        exclusive = self.exclusive_minimum or self.exclusive_maximum
        if exclusive and self.minimum is not None and self.minimum == self.maximum:
            raise ValueError(f"the range ({self.minimum}, {self.maximum}) admits no value")
        return self


class StringType(_TypeBase):
    kind: Literal["string"] = "string"
    max_length: Annotated[int, Field(ge=1)] | None = None


class BooleanType(_TypeBase):
    kind: Literal["boolean"] = "boolean"


class DateTimeType(_TypeBase):
    kind: Literal["datetime"] = "datetime"


class ChoiceType(_TypeBase):
    kind: Literal["choice"] = "choice"
    choices: Annotated[list[str], Field(min_length=1)]

    @field_validator("choices")
    @classmethod
    def _choices_distinct(cls, choices: list[str]) -> list[str]:
        if any(not choice.strip() for choice in choices):
            raise ValueError("choices must not be empty or blank")
        duplicates = sorted(choice for choice, n in Counter(choices).items() if n > 1)
        if duplicates:
            raise ValueError(f"choices must be unique; repeated: {', '.join(duplicates)}")
        return choices


class ListType(_TypeBase):
    kind: Literal["list"] = "list"
    item_kind: ListItemKind
    min_items: Annotated[int, Field(ge=0)] | None = None
    # A list that must stay empty carries no information, hence at least one item.
    max_items: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _bounds_ordered(self) -> Self:
        _check_bounds(self.min_items, self.max_items, "min_items", "max_items")
        return self

    def admits_length(self, length: int) -> bool:
        too_short = self.min_items is not None and length < self.min_items
        too_long = self.max_items is not None and length > self.max_items
        return not (too_short or too_long)


class ChemicalType(_TypeBase):
    kind: Literal["chemical"] = "chemical"


AttributoType = Annotated[
    IntegerType
    | DecimalType
    | StringType
    | BooleanType
    | DateTimeType
    | ChoiceType
    | ListType
    | ChemicalType,
    Field(discriminator="kind"),
]

attributo_type_adapter: TypeAdapter[AttributoType] = TypeAdapter(AttributoType)


def parse_attributo_type(data: dict[str, Any]) -> AttributoType:
    """Validates a type definition; raises `pydantic.ValidationError` listing every problem."""
    return attributo_type_adapter.validate_python(data)


def attributo_type_to_json(t: AttributoType) -> dict[str, Any]:
    """The compact stored form: unset optional fields are left out, `kind` always stays."""
    dumped: dict[str, Any] = t.model_dump(mode="json", exclude_none=True)
    return dumped


def check_kind_allowed(
    table: AssociatedTable, t: AttributoType, loc: Loc = ("type", "kind")
) -> None:
    """A chemical reference describes what was in the beam, so only runs may carry one."""
    if t.kind == "chemical" and table != "run":
        raise ValidationFailed.single(
            loc, f"kind 'chemical' is only allowed for run attributi, not for {table} attributi"
        )
