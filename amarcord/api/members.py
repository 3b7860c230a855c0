"""Beamtime members and their roles; owners (and admins) manage them."""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import tag, validate_request, validate_response

from amarcord.api.access import access, current_actor
from amarcord.api.context import database, settings
from amarcord.db.models import UserAccount
from amarcord.domain.errors import ValidationFailed
from amarcord.schemas.accounts import MemberCreate, MemberList, MemberOut, MemberPatch
from amarcord.store import accounts, memberships
from amarcord.store.beamtimes import get as get_beamtime

blueprint = Blueprint("members", __name__, url_prefix="/api/beamtimes/<int:bt>/members")


def _out(user: UserAccount, role: str) -> MemberOut:
    return MemberOut.model_validate(
        {"username": user.username, "display_name": user.display_name, "role": role}
    )


@blueprint.get("")
@access("read")
@tag(["members"])
@validate_response(MemberList)
async def list_members(bt: int) -> MemberList:
    """The beamtime's members and their roles."""
    async with database().read() as session:
        await get_beamtime(session, bt)
        rows = await memberships.of_beamtime(session, bt)
    return MemberList(items=[_out(user, role) for user, role in rows])


@blueprint.post("")
@access("owner")
@tag(["members"])
@validate_request(MemberCreate)
@validate_response(MemberOut, 201)
async def add_member(bt: int, data: MemberCreate) -> tuple[MemberOut, int]:
    """Give a user a role in the beamtime. With a sign-on proxy, a user it has not yet
    announced is created."""
    async with database().write() as session:
        user = await accounts.by_username(session, data.username)
        if user is None and settings().auth == "proxy":
            user = await accounts.ensure(session, data.username, None)
        if user is None:
            msg = f"there is no user {data.username!r}"
            raise ValidationFailed.single(("body", "username"), msg)
        await memberships.add(session, bt, user, data.role, actor=current_actor())
    return _out(user, data.role), 201


@blueprint.patch("/<username>")
@access("owner")
@tag(["members"])
@validate_request(MemberPatch)
@validate_response(MemberOut)
async def change_member(bt: int, username: str, data: MemberPatch) -> MemberOut:
    """Change a member's role; a beamtime keeps at least one owner (409)."""
    async with database().write() as session:
        user = await accounts.get_by_username(session, username)
        await memberships.change_role(session, bt, user, data.role, actor=current_actor())
    return _out(user, data.role)


@blueprint.delete("/<username>")
@access("owner")
@tag(["members"])
async def remove_member(bt: int, username: str) -> Response:
    """Take a member's role away; a beamtime keeps at least one owner (409)."""
    async with database().write() as session:
        user = await accounts.get_by_username(session, username)
        await memberships.remove(session, bt, user, actor=current_actor())
    return Response(status=204)
