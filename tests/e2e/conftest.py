"""End-to-end fixtures: a real server process with local accounts, the built web app, and the
Debian chromium driven by Playwright.

Without /usr/bin/chromium the tests are skipped on a developer machine but fail in CI (`CI`
set), so a missing browser can never pass silently there."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.frontend.support import ensure_build

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"
USERS = ("alice", "bob")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing; CI must install the Debian chromium package")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


@dataclass
class Server:
    url: str
    token: str
    root: Path
    database_url: str

    def daq(self) -> httpx.Client:
        """An HTTP client as a DAQ system uses the API: with a bearer token."""
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _amarcord() -> str:
    found = shutil.which("amarcord", path=str(Path(sys.executable).parent))
    assert found, "the amarcord command is not installed next to this Python"
    return found


def _environment(root: Path, port: int) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AMARCORD_")}
    environment.update(
        AMARCORD_DATABASE_URL=f"sqlite+aiosqlite:///{root / 'e2e.db'}",
        AMARCORD_PORT=str(port),
        AMARCORD_HOST="127.0.0.1",
        AMARCORD_AUTH="local",
        AMARCORD_STATIC_DIR=str(ensure_build()),
    )
    return environment


def _run(environment: dict[str, str], root: Path, *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [_amarcord(), *args],
        env=environment,
        cwd=root,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not come up:\n{log.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    environment = _environment(root, port)
    _run(environment, root, "db", "upgrade")
    for name in USERS:
        _run(
            environment,
            root,
            "users",
            "create",
            name,
            "--admin",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
    output = _run(
        environment, root, "tokens", "create", "--all-beamtimes", "--role", "admin", "--name", "daq"
    )
    token = output.strip().splitlines()[-1]
    log = root / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [_amarcord(), "serve"], env=environment, cwd=root, stdout=sink, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield Server(
            url=url, token=token, root=root, database_url=environment["AMARCORD_DATABASE_URL"]
        )
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where the walkthrough saves its pictures: docs/images/user-guide when
    AMARCORD_E2E_SCREENSHOTS=docs (see docs/user-guide.md), else a scratch directory."""
    if os.environ.get("AMARCORD_E2E_SCREENSHOTS") == "docs":
        target = Path(__file__).resolve().parents[2] / "docs" / "images" / "user-guide"
        target.mkdir(parents=True, exist_ok=True)
        return target
    return tmp_path
