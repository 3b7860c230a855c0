"""API tokens of a beamtime, for DAQ systems and daemons; owners (and admins) manage them.
Tokens valid for every beamtime are made on the command line (`amarcord tokens create
--all-beamtimes`)."""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import tag, validate_request, validate_response

from amarcord.api.access import access, current_actor
from amarcord.api.context import database, token_cache
from amarcord.schemas.accounts import TokenCreate, TokenCreated, TokenList, TokenOut
from amarcord.store import tokens
from amarcord.store.beamtimes import get as get_beamtime

blueprint = Blueprint("tokens", __name__, url_prefix="/api/beamtimes/<int:bt>/tokens")


@blueprint.get("")
@access("owner")
@tag(["tokens"])
@validate_response(TokenList)
async def list_tokens(bt: int) -> TokenList:
    """The beamtime's tokens, without their secrets."""
    async with database().read() as session:
        await get_beamtime(session, bt)
        rows = await tokens.of_beamtime(session, bt)
    return TokenList(items=[TokenOut.model_validate(row) for row in rows])


@blueprint.post("")
@access("owner")
@tag(["tokens"])
@validate_request(TokenCreate)
@validate_response(TokenCreated, 201)
async def create_token(bt: int, data: TokenCreate) -> tuple[TokenCreated, int]:
    """Create a token; its secret `token` is in this response and never again."""
    async with database().write() as session:
        row, secret = await tokens.create(
            session,
            beamtime_id=bt,
            name=data.name,
            role=data.role,
            expires_at=data.expires_at,
            actor=current_actor(),
        )
    out = TokenOut.model_validate(row)
    return TokenCreated(**out.model_dump(), token=secret), 201


@blueprint.delete("/<int:token_id>")
@access("owner")
@tag(["tokens"])
async def revoke_token(bt: int, token_id: int) -> Response:
    """Revoke a token: it stops working at once."""
    async with database().write() as session:
        await tokens.revoke(session, bt, token_id, actor=current_actor())
    token_cache().clear()
    return Response(status=204)
