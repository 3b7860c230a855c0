"""Passwords and tokens never reach the server's log: a real `amarcord serve` with its access
log on, signing in and calling with tokens, good and bad."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile

import httpx
import pytest

from amarcord.db.engine import Database
from tests.support.auth import PASSWORD, bearer, create_user
from tests.support.factories import BEAMTIME
from tests.support.live_server import free_port, wait_until_up

WRONG_PASSWORD = "wrong but secret password"
BAD_TOKEN = "amc_this-one-was-never-issued-but-is-still-secret"


@pytest.mark.slow
async def test_secrets_stay_out_of_the_log(database_url: str) -> None:
    database = Database.open(database_url, pool_size=1)
    try:
        await create_user(database, "alice", admin=True)
    finally:
        await database.dispose()
    port = free_port()
    env = {
        **os.environ,
        "AMARCORD_DATABASE_URL": database_url,
        "AMARCORD_PORT": str(port),
        "AMARCORD_AUTH": "local",
        "AMARCORD_LOG_LEVEL": "DEBUG",
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "amarcord.cli", "serve"], env=env, stdout=log, stderr=log
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            await wait_until_up(base_url)
            async with httpx.AsyncClient(base_url=base_url) as client:
                for password in (WRONG_PASSWORD, PASSWORD):
                    await client.post(
                        "/api/auth/login", json={"username": "alice", "password": password}
                    )
                beamtime = (await client.post("/api/beamtimes", json=BEAMTIME)).json()
                created = await client.post(
                    f"/api/beamtimes/{beamtime['id']}/tokens", json={"name": "daq"}
                )
                issued = created.json()["token"]
                assert (await client.post("/api/auth/logout")).status_code == 204
                for token in (issued, BAD_TOKEN):
                    await client.get("/api/beamtimes", headers=bearer(token))
        finally:
            process.terminate()
            await asyncio.to_thread(process.wait, 15)
        log.seek(0)
        text = log.read().decode(errors="replace")
    assert "POST /api/auth/login" in text, text  # the access log is on
    for secret_text in (PASSWORD, WRONG_PASSWORD, issued, BAD_TOKEN, "amarcord_session="):
        assert secret_text not in text
