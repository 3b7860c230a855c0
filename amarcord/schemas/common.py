"""Models shared by every resource: pages, problems, query parameters."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from amarcord.domain.limits import INT64_MAX, MAX_ID

MAX_LIMIT = 10_000
# Ids and run numbers are 32-bit columns on every engine, seqs 64-bit: a larger number in a
# request would reach the database as an error, so it is a 422 at its field.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
RunNumber = Annotated[int, Field(ge=1, le=MAX_ID)]
Seq = Annotated[int, Field(ge=0, le=INT64_MAX)]


class Model(BaseModel):
    """Base of request models: unknown keys are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class OutModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PageQuery(Model):
    limit: int = Field(default=100, ge=1, le=MAX_LIMIT, description="Items per page.")
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page.")


class DeleteQuery(Model):
    force: bool = Field(default=False, description="Also delete or detach what depends on it.")


class ProblemDetail(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error response."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ProblemDetail] = []
