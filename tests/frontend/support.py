"""Running the web frontend's npm scripts from the Python test suite, so that `make test`
(pytest) is the one command for every test."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
BUILD = FRONTEND.parent / "amarcord" / "static" / "app"


def npm() -> str:
    found = shutil.which("npm")
    if found is None:
        raise RuntimeError("npm (Node.js 20+) is needed for the frontend tests")
    return found


def run_npm(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [npm(), *args], cwd=FRONTEND, capture_output=True, text=True, timeout=timeout, check=False
    )


def ensure_node_modules() -> None:
    """`npm ci` when the dependencies are missing or older than the lock file."""
    marker = FRONTEND / "node_modules" / ".package-lock.json"
    lock = FRONTEND / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    result = run_npm("ci", "--no-audit", "--no-fund")
    assert result.returncode == 0, result.stdout + result.stderr


def _newest_source() -> float:
    sources = [*FRONTEND.joinpath("src").rglob("*"), FRONTEND / "index.html"]
    sources += [FRONTEND / "package-lock.json", FRONTEND / "vite.config.ts"]
    return max(path.stat().st_mtime for path in sources if path.is_file())


def ensure_build() -> Path:
    """The built app in the package, rebuilt when a source is newer (as `make frontend` does)."""
    ensure_node_modules()
    index = BUILD / "index.html"
    if not index.exists() or index.stat().st_mtime < _newest_source():
        result = run_npm("run", "build")
        assert result.returncode == 0, result.stdout + result.stderr
    return BUILD
