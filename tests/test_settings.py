"""Every setting is documented, and settings come from the environment with the prefix."""

from __future__ import annotations

from pathlib import Path

import pytest

from amarcord.config import Settings

ADMIN_GUIDE = Path(__file__).resolve().parent.parent / "docs" / "admin.md"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"AMARCORD_{name.upper()}" in ADMIN_GUIDE.read_text(), (
        f"document AMARCORD_{name.upper()} in docs/admin.md"
    )


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMARCORD_PORT", "6123")
    monkeypatch.setenv("AMARCORD_DEFAULT_TIMEZONE", "Europe/Berlin")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.port == 6123
    assert settings.default_timezone == "Europe/Berlin"
    assert settings.database_url == "sqlite+aiosqlite:///./amarcord.db"


def test_invalid_settings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMARCORD_DEFAULT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValueError, match="time zone"):
        Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("sqlite+aiosqlite:///x.db", "sqlite"),
        ("mysql+asyncmy://u@h/d", "mysql"),
        ("mariadb+asyncmy://u@h/d", "mysql"),
        ("postgresql+asyncpg://u@h/d", "postgresql"),
    ],
)
def test_database_kind(url: str, kind: str) -> None:
    assert Settings(database_url=url, _env_file=None).database_kind == kind  # type: ignore[call-arg]
