"""Who is calling: a person, an API token, nobody, or anybody (no access control)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

IdentityKind = Literal["anonymous", "open", "user", "token"]


@dataclass(frozen=True)
class Identity:
    """`name` is what the audit trail shows: a person's display name or a token's name.
    `beamtime_id` and `role` describe a token; a person's roles are memberships."""

    name: str
    kind: IdentityKind = "anonymous"
    admin: bool = False
    user_id: int | None = None
    username: str | None = None
    beamtime_id: int | None = None
    role: str | None = None

    @property
    def sees_all_beamtimes(self) -> bool:
        return self.admin or (self.kind == "token" and self.beamtime_id is None)


ANONYMOUS = Identity(name="anonymous")
# AMARCORD_AUTH=none: every caller may do everything, and the audit trail cannot tell who.
OPEN = Identity(name="anonymous", kind="open", admin=True)
