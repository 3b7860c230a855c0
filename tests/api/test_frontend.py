"""Serving the built web app: cache headers, client-side routes, and the API's own 404s."""

from __future__ import annotations

from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as Client

from amarcord.config import Settings

INDEX = '<!doctype html><div id="root"></div><script src="/assets/index-abc123.js"></script>'


@pytest.fixture
def build(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "index-abc123.js").write_text("console.log('app')")
    (root / "robots.txt").write_text("User-agent: *")
    return root


@pytest.fixture
def settings(database_url: str, build: Path) -> Settings:
    return Settings(database_url=database_url, static_dir=build, _env_file=None)  # type: ignore[call-arg]


async def _problem_404(client: Client, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"


async def test_index_is_revalidated_on_every_load(client: Client) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "no-cache" in response.headers["Cache-Control"]
    assert "max-age=31536000" not in response.headers["Cache-Control"]
    assert await response.get_data(as_text=True) == INDEX


async def test_hashed_assets_are_cached_for_a_year(client: Client) -> None:
    response = await client.get("/assets/index-abc123.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "javascript" in response.headers["Content-Type"]


async def test_client_side_routes_get_the_app(client: Client) -> None:
    for path in ("/beamtimes/3/runs", "/signin", "/beamtimes/3/runs?filter=x", "/docs/x"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert await response.get_data(as_text=True) == INDEX
        assert "no-cache" in response.headers["Cache-Control"]


async def test_top_level_files_are_served_as_they_are(client: Client) -> None:
    response = await client.get("/robots.txt")
    assert await response.get_data(as_text=True) == "User-agent: *"


async def test_a_missing_asset_is_404_not_the_app(client: Client) -> None:
    await _problem_404(client, "/assets/index-gone.js")


async def test_unknown_api_paths_stay_problem_json(client: Client) -> None:
    await _problem_404(client, "/api")
    await _problem_404(client, "/api/no-such-thing")
    await _problem_404(client, "/api/beamtimes/not-a-number")
    response = await client.post("/api/no-such-thing", json={})
    assert response.status_code == 404


async def test_path_traversal_gets_the_app_not_a_file(client: Client, build: Path) -> None:
    (build.parent / "secret.txt").write_text("secret")
    response = await client.get("/../secret.txt")
    assert "secret" not in await response.get_data(as_text=True)


async def test_api_documentation_is_untouched(client: Client) -> None:
    assert (await client.get("/openapi.json")).headers["Content-Type"] == "application/json"
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert INDEX not in await docs.get_data(as_text=True)
    assert (await client.get("/docs-assets/swagger-ui.css")).status_code == 200


async def test_without_a_build_the_page_explains_what_to_do(client: Client, build: Path) -> None:
    (build / "index.html").unlink()
    response = await client.get("/beamtimes")
    assert response.status_code == 404
    assert "npm" in (await response.get_json())["detail"]
