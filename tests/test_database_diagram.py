"""The database diagram script: deterministic Mermaid text, pictures, and the check mode."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "generate-database-diagram"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_committed_mermaid_matches_the_migrations() -> None:
    result = run("--check")
    assert result.returncode == 0, result.stderr


def test_check_fails_when_the_text_is_stale(tmp_path: Path) -> None:
    stale = (REPO / "docs" / "database.md").read_text().replace("INTEGER run_id", "INTEGER rn_id")
    (tmp_path / "database.md").write_text(stale)
    result = run("--check", "--docs", str(tmp_path))
    assert result.returncode == 1
    assert "out of date" in result.stderr


# CI installs graphviz (.ci/run); only a developer machine without it skips the pictures.
@pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("CI"), reason="graphviz is not installed"
)
def test_generates_pictures_and_excludes_alembic(tmp_path: Path) -> None:
    shutil.copy(REPO / "docs" / "database.md", tmp_path / "database.md")
    result = run("--docs", str(tmp_path))
    assert result.returncode == 0, result.stderr
    svg = (tmp_path / "database.svg").read_text()
    assert "run_data_path" in svg
    assert "alembic_version" not in svg
    assert (tmp_path / "database.png").read_bytes().startswith(b"\x89PNG")
    text = (tmp_path / "database.md").read_text()
    assert "alembic_version" not in text
    assert text == (REPO / "docs" / "database.md").read_text()
