"""Domain exceptions: raised by domain and store code, mapped to problem+json in one place
(`amarcord.api.errors`). They know nothing about HTTP beyond the category they stand for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class FieldError:
    """One offending field: `loc` is the path into the request body, e.g. ("attributi", "pH")."""

    loc: Loc
    msg: str
    type: str = "value_error"


class DomainError(Exception):
    """Base class of every error that the API turns into a 4xx answer."""

    title = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    title = "Not found"


class Conflict(DomainError):
    """Duplicate names or numbers, deleting something that still has dependents."""

    title = "Conflict"


class PreconditionFailed(DomainError):
    """An `If-Match` version did not match the stored one."""

    title = "Precondition failed"


class UnsupportedMedia(DomainError):
    title = "Unsupported media type"


class ValidationFailed(DomainError):
    """One or more fields are invalid; `errors` lists every one of them."""

    title = "Validation failed"

    def __init__(self, detail: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(detail)
        self.errors: list[FieldError] = list(errors)

    @classmethod
    def single(cls, loc: Loc, msg: str, type_: str = "value_error") -> ValidationFailed:
        return cls(msg, [FieldError(loc, msg, type_)])


@dataclass
class ErrorCollector:
    """Collects field errors so that one 422 can list every offending field."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, loc: Loc, msg: str, type_: str = "value_error") -> None:
        self.errors.append(FieldError(loc, msg, type_))

    def raise_if_any(self, detail: str = "Validation failed") -> None:
        if self.errors:
            raise ValidationFailed(detail, self.errors)
