"""Request and response models of attributi (typed, user-defined columns of runs and chemicals)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from amarcord.domain.attributo_types import AssociatedTable, AttributoType
from amarcord.schemas.common import Model, OutModel, PageQuery


def _no_surrounding_space(name: str) -> str:
    if name != name.strip():
        raise ValueError("must not start or end with white space")
    return name


# Names of attributi and chemicals: what people type, shown as column headers and in filters.
Name = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_no_surrounding_space)]


def _locate_without_kind(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """pydantic puts the union tag into error locations (`type.decimal.unit`), but clients
    name fields as they sent them (`type.unit`), so the tag is taken out again."""
    try:
        return handler(value)
    except ValidationError as error:
        kind = value.get("kind") if isinstance(value, dict) else None
        details: list[InitErrorDetails] = []
        for e in error.errors(include_url=False):
            loc = tuple(e["loc"])
            if kind is not None and loc[:1] == (kind,):
                loc = loc[1:]
            details.append(
                InitErrorDetails(
                    type=PydanticCustomError(e["type"], e["msg"]), loc=loc, input=e["input"]
                )
            )
        raise ValidationError.from_exception_data(error.title, details) from None


TypeField = Annotated[AttributoType, WrapValidator(_locate_without_kind)]


class AttributoCreate(Model):
    name: Name
    description: str = ""
    group: str = Field(
        default="manual",
        max_length=64,
        description="`manual`: typed in by people (auto-pilot copies these); "
        "`automatic`: written by machines; anything else is free text.",
    )
    associated_table: AssociatedTable
    type: TypeField


class AttributoPatch(Model):
    name: Name | None = None
    description: str | None = None
    group: str | None = Field(default=None, max_length=64)
    type: TypeField | None = Field(
        default=None,
        description="A new type converts every stored value, or fails naming those that cannot.",
    )
    ignore_units: bool = Field(
        default=False, description="Keep the numbers when the unit changes (no pint conversion)."
    )


class AttributoOut(OutModel):
    id: int
    name: str
    description: str
    group: str
    associated_table: AssociatedTable
    type: AttributoType
    version: int


class AttributoList(OutModel):
    items: list[AttributoOut]
    total: int
    next_cursor: str | None


class AttributoQuery(PageQuery):
    table: AssociatedTable | None = Field(default=None, description="Only run or chemical ones.")
