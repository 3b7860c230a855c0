"""Roles and user names."""

from __future__ import annotations

import pytest

from amarcord.domain.accounts import (
    at_least,
    login_attempt_key,
    username_key,
    username_problem,
)


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        ("viewer", "viewer", True),
        ("viewer", "editor", False),
        ("editor", "viewer", True),
        ("editor", "owner", False),
        ("owner", "editor", True),
        (None, "viewer", False),
        ("admin", "viewer", False),  # not a beamtime role: admins are handled before roles
    ],
)
def test_roles_are_ordered(role: str | None, needed: str, allowed: bool) -> None:
    assert at_least(role, needed) is allowed  # type: ignore[arg-type]


def test_user_names_compare_case_insensitively() -> None:
    assert username_key("JDoe") == username_key("jdoe")
    assert username_key("Straße") == username_key("STRASSE")


@pytest.mark.parametrize("name", ["", " alice", "bob ", "a\nb", "x" * 256])
def test_bad_user_names_are_refused(name: str) -> None:
    assert username_problem(name) is not None


@pytest.mark.parametrize("name", ["alice", "jdoe@EXAMPLE.ORG", "Jürgen Müller"])
def test_good_user_names_pass(name: str) -> None:
    assert username_problem(name) is None


def test_login_attempts_are_keyed_by_name_and_address_without_revealing_them() -> None:
    key = login_attempt_key("Alice", "192.0.2.1")
    assert key == login_attempt_key("alice", "192.0.2.1")
    assert key != login_attempt_key("alice", "192.0.2.2")
    assert "alice" not in key
