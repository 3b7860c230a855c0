"""Liveness and version information; public, for load balancers and monitoring."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from quart import Blueprint
from quart_schema import tag, validate_response

from amarcord import __version__
from amarcord.api.access import access
from amarcord.api.context import database
from amarcord.store import schema_info

blueprint = Blueprint("health", __name__, url_prefix="/api")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    database: Literal["sqlite", "mysql", "postgresql"]
    schema_revision: str | None


@blueprint.get("/health")
@access("public")
@tag(["meta"])
@validate_response(Health)
async def health() -> Health:
    """Server status, version, database engine and schema revision."""
    db = database()
    async with db.read() as session:
        revision = await schema_info.current_revision(session)
    kind: Literal["sqlite", "mysql", "postgresql"] = (
        "sqlite" if db.kind == "sqlite" else "mysql" if db.kind == "mysql" else "postgresql"
    )
    return Health(status="ok", version=__version__, database=kind, schema_revision=revision)
