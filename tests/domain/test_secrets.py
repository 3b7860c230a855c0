"""Password hashes and token secrets."""

from __future__ import annotations

from amarcord.domain.secrets import (
    dummy_password_hash,
    hash_password,
    new_token_secret,
    password_problem,
    token_digest,
    verify_password,
)


def test_a_password_verifies_against_its_own_hash_only() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$")
    assert "correct horse" not in stored
    assert verify_password("correct horse", stored)
    assert not verify_password("correct horsE", stored)
    assert hash_password("correct horse") != stored  # salted


def test_a_damaged_hash_never_verifies() -> None:
    for damaged in ("", "scrypt$1$2", "argon2$16384$8$1$AAAA$AAAA", "scrypt$x$8$1$AAAA$AAAA"):
        assert not verify_password("anything", damaged)


def test_the_dummy_hash_is_stable_and_matches_nothing_typed() -> None:
    assert dummy_password_hash() == dummy_password_hash()
    assert not verify_password("", dummy_password_hash())


def test_short_passwords_are_refused() -> None:
    assert password_problem("short") is not None
    assert password_problem("long enough") is None


def test_token_secrets_are_unique_and_digests_fixed_length() -> None:
    secrets = {new_token_secret() for _ in range(100)}
    assert len(secrets) == 100
    assert all(s.startswith("amc_") and len(s) >= 40 for s in secrets)
    digest = token_digest("amc_x")
    assert len(digest) == 64
    assert digest == token_digest("amc_x")
