"""Request and response models of sessions, beamtime members and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from amarcord.domain.accounts import MAX_USERNAME_LENGTH, Role
from amarcord.schemas.common import Model, OutModel


class LoginRequest(Model):
    username: str = Field(min_length=1, max_length=MAX_USERNAME_LENGTH)
    password: str = Field(min_length=1, max_length=1024)


class Membership(BaseModel):
    beamtime_id: int
    role: str


class Me(BaseModel):
    """Who the caller is. `kind` tells a person from an API token; `open` means the server
    runs without access control (AMARCORD_AUTH=none)."""

    username: str
    display_name: str
    admin: bool
    kind: Literal["user", "token", "open"]
    memberships: list[Membership]


class MemberCreate(Model):
    username: str = Field(min_length=1, max_length=MAX_USERNAME_LENGTH)
    role: Role


class MemberPatch(Model):
    role: Role


class MemberOut(BaseModel):
    username: str
    display_name: str
    role: Role


class MemberList(BaseModel):
    items: list[MemberOut]


class TokenCreate(Model):
    name: str = Field(min_length=1, max_length=255, examples=["daq"])
    role: Role = Field(default="editor")
    expires_at: AwareDatetime | None = Field(
        default=None, description="When the token stops working; none: never."
    )


class TokenOut(OutModel):
    id: int
    name: str
    role: str
    expires_at: datetime | None
    created_at: datetime
    created_by: str


class TokenCreated(TokenOut):
    token: str = Field(description="The secret, shown only in this response.")


class TokenList(BaseModel):
    items: list[TokenOut]
