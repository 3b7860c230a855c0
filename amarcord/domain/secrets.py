"""Password hashes and API token secrets.

Passwords: scrypt from the standard library (no extra dependency), parameters stored in the
hash so that they can be raised later without invalidating existing hashes. Tokens: random
secrets with 256 bits of entropy; a fast sha256 digest is enough to store them, because
nobody can guess their way through a space that large."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

# n=2**14, r=8 uses 16 MiB and about 50 ms per hash: slow for a guesser, fine for a login.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_SCHEME = "scrypt"
MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "amc_"  # noqa: S105 (a marker that tells tokens apart, not a secret)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32
    )


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"{_SCHEME}${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return scheme == _SCHEME and hmac.compare_digest(actual, expected)


@cache
def dummy_password_hash() -> str:
    """Verified against when the user does not exist, so that an unknown name costs as much
    time as a wrong password and the answer's timing does not reveal which names exist."""
    return hash_password(secrets.token_urlsafe(16))


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
    return None


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_signing_key() -> str:
    return secrets.token_urlsafe(48)


def fingerprint(value: str) -> str:
    """A short digest of a secret value: changes when the value changes, reveals nothing."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]
