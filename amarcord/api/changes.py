"""The change feed of a beamtime, as pages and as a Server-Sent Events stream.

A deleted beamtime keeps its feed: the pages still answer (ending with the beamtime's own
`deleted` row), a stream replays what is left after the seq it resumes from and then ends,
and a stream with nothing left to replay is 404, which tells a browser's EventSource to stop
reconnecting."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator

from quart import Blueprint, Response, stream_with_context
from quart_schema import tag, validate_querystring, validate_response

from amarcord.api import sse
from amarcord.api.access import access, enforce_access
from amarcord.api.context import change_hub, database, settings
from amarcord.api.errors import ApiError
from amarcord.domain.errors import NotFound
from amarcord.schemas.changes import ChangeOut, ChangePage, ChangesQuery, StreamQuery
from amarcord.store import change_feed

blueprint = Blueprint("changes", __name__, url_prefix="/api/beamtimes")


@blueprint.get("/<int:bt>/changes")
@access("read")
@tag(["changes"])
@validate_querystring(ChangesQuery)
@validate_response(ChangePage)
async def list_changes(bt: int, query_args: ChangesQuery) -> ChangePage:
    """Changes with seq greater than `after`, ascending; the audit trail and the basis of
    incremental refresh. `entity` and `entity_id` narrow it to one kind of entity or one
    entity, e.g. the history of run 37."""
    async with database().read() as session:
        await change_feed.check_known(session, bt)
        after = query_args.after or 0
        rows = await change_feed.page(
            session,
            bt,
            after=after,
            limit=query_args.limit,
            entity=query_args.entity,
            entity_id=query_args.entity_id,
        )
        if rows:
            last_seq = rows[-1].seq
        elif query_args.after is not None:
            last_seq = query_args.after
        else:
            last_seq = await change_feed.latest_seq(session, bt)
    return ChangePage(items=[ChangeOut.model_validate(row) for row in rows], last_seq=last_seq)


@blueprint.get("/<int:bt>/changes/stream")
@access("read")
@tag(["changes"])
@validate_querystring(StreamQuery)
async def stream_changes(bt: int, query_args: StreamQuery) -> Response:
    """Server-Sent Events: `event: change` with `id: <seq>` for every change after
    `Last-Event-ID` (or `after`; without either from now on), `event: live-stream` (no id,
    never replayed) for each new live-stream frame, and `: keep-alive` comments."""
    resume = sse.last_event_id()
    if resume is None:
        resume = query_args.after
    async with database().read() as session:
        if resume is not None and resume > await change_feed.highest_seq(session):
            # A seq this database never issued (it was restored from a backup): waiting for
            # it would leave the stream silent, so start at the current end instead.
            resume = None
        start = resume if resume is not None else await change_feed.latest_seq(session, bt)
        if not await change_feed.beamtime_exists(session, bt):
            left = await change_feed.page(session, bt, after=start, limit=1)
            if not left:
                raise NotFound(f"beamtime {bt} does not exist")
    interval = settings().stream_keepalive
    body = change_hub().follow(bt, start, keepalive=interval)
    return sse.stream_response(_while_allowed(body, interval))


def _while_allowed(body: AsyncGenerator[bytes, None], interval: float) -> AsyncIterator[bytes]:
    """The stream for as long as its caller may read it. The request's access check runs
    again, with the request's own credentials, once `interval` seconds have passed (the
    stream yields at least a keep-alive that often): a caller whose token was revoked, whose
    membership was removed or who signed out sees the stream end, and the browser's
    reconnect gets 401 or 403."""

    @stream_with_context
    async def checked() -> AsyncIterator[bytes]:
        due = time.monotonic() + interval
        try:
            async for chunk in body:
                yield chunk
                if time.monotonic() >= due:
                    try:
                        await enforce_access()
                    except ApiError:
                        return
                    due = time.monotonic() + interval
        finally:
            await body.aclose()

    result: AsyncIterator[bytes] = checked()
    return result


@blueprint.after_app_serving
async def _stop_streams() -> None:
    await change_hub().close()
