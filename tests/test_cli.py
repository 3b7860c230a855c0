"""The `amarcord` command, run as a real process, and `db upgrade` from an installed wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def amarcord(
    *args: str, url: str, cwd: Path | None = None, **settings: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AMARCORD_DATABASE_URL": url, **settings}
    return subprocess.run(
        [sys.executable, "-m", "amarcord.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_db_commands(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    assert "(none)" in amarcord("db", "current", url=url).stdout
    assert amarcord("db", "check", url=url).returncode == 1
    assert amarcord("db", "upgrade", url=url).returncode == 0
    assert "up to date" in amarcord("db", "current", url=url).stdout
    assert amarcord("db", "check", url=url).returncode == 0
    assert amarcord("db", "downgrade", "base", url=url).returncode == 0
    assert "(none)" in amarcord("db", "current", url=url).stdout


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    result = amarcord("serve", url=f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    assert result.returncode == 1
    assert "amarcord db upgrade" in result.stderr


@pytest.mark.slow
def test_db_upgrade_works_from_an_installed_wheel(tmp_path: Path) -> None:
    """The wheel ships the revisions: unpacked away from the checkout, it migrates a database."""
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(dist.glob("amarcord-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "amarcord/_migrations/env.py" in names
        assert any(n.startswith("amarcord/_migrations/versions/0001") for n in names)
        archive.extractall(tmp_path / "site")
    url = f"sqlite+aiosqlite:///{tmp_path / 'wheel.db'}"
    env = {**os.environ, "AMARCORD_DATABASE_URL": url, "PYTHONPATH": str(tmp_path / "site")}
    code = (
        "import amarcord.db.migrate as m, sys; "
        "assert 'site' in m.migrations_dir().parts, m.migrations_dir(); "
        "sys.exit(__import__('amarcord.cli', fromlist=['main']).main(['db', 'upgrade']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    check = subprocess.run(
        [sys.executable, "-c", code.replace("'upgrade'", "'check'")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize(("level", "logged"), [("INFO", True), ("DEBUG", True), ("WARNING", False)])
def test_the_access_log_is_assembled_only_when_it_is_written(level: str, logged: bool) -> None:
    from amarcord.config import Settings
    from amarcord.serving import options

    assert options(Settings(log_level=level, _env_file=None))["access_log"] is logged  # type: ignore[call-arg,arg-type]


def _one_line_error(result: subprocess.CompletedProcess[str], status: int, text: str) -> None:
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("amarcord: ") and text in last, result.stderr


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("postgresql+asyncpg://nobody@127.0.0.1:1/none", "cannot reach the database"),
        ("sqlite+aiosqlite:////no/such/directory/a.db", "unable to open database file"),
    ],
)
def test_a_database_that_cannot_be_used_is_one_line_not_a_traceback(url: str, text: str) -> None:
    _one_line_error(amarcord("db", "upgrade", url=url), 1, text)


def test_an_unknown_revision_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    _one_line_error(amarcord("db", "downgrade", "zzz", url=url), 1, "'zzz'")


def test_invalid_settings_name_the_variable(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    result = amarcord(
        "db", "current", url=url, AMARCORD_PORT="abc", AMARCORD_DEFAULT_TIMEZONE="Mars/Olympus"
    )
    _one_line_error(result, 2, "AMARCORD_PORT: Input should be a valid integer")
    assert (
        "AMARCORD_DEFAULT_TIMEZONE: Value error, unknown time zone 'Mars/Olympus'" in result.stderr
    )


@pytest.mark.parametrize(
    "args",
    [("tokens", "revoke", "99999999999999999999"), ("tokens", "create", "--beamtime", "0")],
)
def test_ids_outside_the_columns_are_refused_by_the_arguments(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = amarcord(*args, url=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    assert result.returncode == 2
    assert "ids go from 1 to 2147483647" in result.stderr


def test_a_database_url_without_its_async_driver_is_a_settings_error() -> None:
    result = amarcord("db", "current", url="postgresql://postgres@127.0.0.1/test")
    _one_line_error(result, 2, "AMARCORD_DATABASE_URL: Value error, use sqlite+aiosqlite://")
    assert "got 'postgresql'" in result.stderr
