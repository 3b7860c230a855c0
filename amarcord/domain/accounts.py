"""Accounts and roles: the rules, pure, so that they read in one place."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Literal, get_args

Role = Literal["viewer", "editor", "owner"]
ROLES: tuple[Role, ...] = get_args(Role)
_RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES, start=1)}
# Tokens valid for every beamtime may also carry "admin": they act as an administrator
# (a daemon or a benchmark that creates beamtimes).
TokenRole = Literal["viewer", "editor", "owner", "admin"]
MAX_USERNAME_LENGTH = 255


def at_least(role: str | None, needed: Role) -> bool:
    """Whether `role` (None: no role at all) includes the rights of `needed`."""
    return role is not None and _RANK.get(role, 0) >= _RANK[needed]


def username_key(username: str) -> str:
    """The form names are compared in: "JDoe" and "jdoe" are one account."""
    return unicodedata.normalize("NFKC", username).casefold()


def username_problem(username: str) -> str | None:
    """Why a user name is refused, or None when it is acceptable."""
    if not username or username != username.strip():
        return "a user name must not be empty or start or end with white space"
    if len(username) > MAX_USERNAME_LENGTH:
        return f"a user name has at most {MAX_USERNAME_LENGTH} characters"
    if any(unicodedata.category(c).startswith("C") for c in username):
        return "a user name must not contain control characters"
    return None


def login_attempt_key(username: str, client_address: str) -> str:
    """What failed logins are counted by: user name and client address, as a digest, so
    that the table of failures holds neither."""
    material = f"{username_key(username)}\n{client_address}".encode()
    return hashlib.sha256(material).hexdigest()
