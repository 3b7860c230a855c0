"""The benchmark scripts still run end to end (`--quick`, a small seed) and print every row.

They measure the issues' speed targets, so a script broken by a change elsewhere would go
unnoticed until someone needs the numbers. Whether a target is met is not judged here: the
quick runs are too short for that, and an exit code of 1 (a target missed) is accepted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def run(script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / script), "--quick", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result.stdout


def rows(table: str) -> list[str]:
    return [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]


def missing(printed: list[str], scenarios: tuple[str, ...]) -> list[str]:
    """The scenarios without a row (a row starts with the scenario's name)."""
    return [name for name in scenarios if not any(row.startswith(f"| {name}") for row in printed)]


def test_the_run_table_benchmark() -> None:
    printed = rows(run("benchmark.py", "--runs", "300"))
    scenarios = (
        "floor: fetch + encode the full table in-process (300 runs) |",
        "calibration: GET /api/health |",
        "full run table (limit=all), cold |",
        "full run table (limit=all), kept |",
        "filtered page sorted by an attributo, cold |",
        "run creation by PUT |",
        "PATCH of one attributo |",
    )
    assert missing(printed, scenarios) == []
    judged = [row for row in printed if row.rstrip(" |").endswith(("yes", "**no**"))]
    assert len(judged) == 6  # every target of the issue has its row


def test_the_media_benchmark() -> None:
    printed = rows(run("benchmark_media.py", "--megabytes", "3"))
    scenarios = (
        "live-stream PUT",
        "live-stream GET, matching If-None-Match (304)",
        "event creation",
        "upload",
        "download",
    )
    assert missing(printed, scenarios) == []


def test_the_stream_benchmark() -> None:
    printed = rows(run("benchmark_stream.py", "--runs", "200", "--subscribers", "10"))
    scenarios = ("overview right after a change |", "change delivered to every subscriber |")
    assert missing(printed, scenarios) == []
