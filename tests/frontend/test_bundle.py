"""The built web app stays within its budget and needs nothing from the internet."""

from __future__ import annotations

import gzip
import re

import pytest

from tests.frontend.support import ensure_build

BUDGET_GZIP_BYTES = 300 * 1024


@pytest.mark.slow
def test_javascript_is_within_300_kb_gzipped() -> None:
    scripts = list((ensure_build() / "assets").glob("*.js"))
    assert scripts
    total = sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in scripts)
    assert total <= BUDGET_GZIP_BYTES, f"{total / 1024:.0f} KB gzipped"


@pytest.mark.slow
def test_no_asset_comes_from_another_site() -> None:
    build = ensure_build()
    index = (build / "index.html").read_text()
    for url in re.findall(r'(?:src|href)="([^"]+)"', index):
        assert url.startswith(("/", "data:")), url
    styles = "".join(path.read_text() for path in (build / "assets").glob("*.css"))
    assert "@import" not in styles
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", styles)
