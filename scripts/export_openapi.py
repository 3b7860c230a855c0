"""Write the server's OpenAPI document to a file, byte-for-byte reproducible.

The web frontend's client types are generated from this committed file; `make check` runs this
script into a temporary directory and fails when the result differs from the committed copy.

    python scripts/export_openapi.py [OUTPUT]   (default: frontend/openapi.json)
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from amarcord.app import create_app
from amarcord.config import Settings

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "frontend" / "openapi.json"


async def openapi_document() -> dict[str, Any]:
    # The document comes from the routes alone, but the app factory wants a database URL;
    # an in-memory SQLite URL is refused by the pool settings, so a never-opened file is used.
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{scratch}/unused.db", _env_file=None)  # type: ignore[call-arg]
        app = create_app(settings)
        try:
            response = await app.test_client().get("/openapi.json")
            if response.status_code != 200:
                raise SystemExit(f"/openapi.json answered {response.status_code}")
            document: dict[str, Any] = await response.get_json()
        finally:
            await app.extensions["amarcord"].database.dispose()
    return document


def main() -> int:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    document = asyncio.run(openapi_document())
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
