"""The change stream's per-process hub: one database poller per followed beamtime, however
many streams follow it.

The change feed lives in the database, so streams held by different server processes all
see every change; within a process, a *channel* per beamtime polls for rows beyond the last
seq it has seen (and for a new live-stream frame) every `poll_interval` while the beamtime has
at least one follower, and hands each finding, already encoded as SSE bytes, to every
follower's queue. 200 browsers on one beamtime cost one small query per tick, not 200.

A follower first catches up from the database (everything after the seq it resumes from),
then joins the channel and drops what it has already sent. That is gap-free because the
writers of a beamtime commit their seqs in increasing order (see `store.change_feed`): a row
committed after the follower's catch-up read has a seq above anything the channel had seen,
so the channel's next poll delivers it.

A follower whose queue grows beyond `max_backlog` (a stalled client) is cut off after the
messages it already has; the browser reconnects with `Last-Event-ID` and catches up from the
database. Transient events (a new live-stream frame) are never stored and never replayed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from amarcord.api import sse
from amarcord.db.engine import Database
from amarcord.db.models import Change
from amarcord.schemas.changes import ChangeOut, LiveStreamEvent
from amarcord.store import change_feed

log = logging.getLogger(__name__)

# Rows fetched per query; a burst larger than this is read in several queries at once.
BATCH = 500
# Browsers wait this long before reconnecting to a stream that ended.
RECONNECT_MS = 2000


@dataclass(frozen=True)
class Message:
    """One SSE event, encoded once for all followers; `seq` is None for transient events."""

    seq: int | None
    frame: bytes
    final: bool = False  # the beamtime was deleted: nothing can follow


def change_message(change: Change) -> Message:
    data = ChangeOut.model_validate(change).model_dump_json().encode()
    return Message(
        seq=change.seq,
        frame=sse.event("change", data, change.seq),
        final=change_feed.ends_beamtime(change),
    )


def live_stream_message(updated_at: datetime) -> Message:
    data = LiveStreamEvent(updated_at=updated_at).model_dump_json().encode()
    return Message(seq=None, frame=sse.event("live-stream", data))


@dataclass(eq=False)
class _Follower:
    # Unbounded so that the end marker always fits; the channel enforces the bound.
    queue: asyncio.Queue[Message | None] = field(default_factory=asyncio.Queue)


class _Channel:
    """The poller of one beamtime and the followers it feeds."""

    def __init__(self, hub: ChangeHub, beamtime_id: int, cursor: int) -> None:
        self.hub = hub
        self.beamtime_id = beamtime_id
        self.cursor = cursor
        self.followers: set[_Follower] = set()
        self.frame_time: datetime | None = None
        self.task = asyncio.create_task(self._run(), name=f"change-stream-{beamtime_id}")
        self.task.add_done_callback(self._finished)

    async def _run(self) -> None:
        first, failing = True, False
        while True:
            try:
                more = await self._tick(announce_frames=not first)
                first = False
            except (SQLAlchemyError, OSError) as error:
                # A database restart must not end the streams; the next tick retries.
                if not failing:
                    log.warning("change stream of beamtime %d: %s", self.beamtime_id, error)
                failing, more = True, False
            else:
                if failing:
                    log.warning("change stream of beamtime %d: polling again", self.beamtime_id)
                failing = False
            if not more:
                await asyncio.sleep(self.hub.poll_interval)

    def _finished(self, task: asyncio.Task[None]) -> None:
        """A poller that died of a bug ends its streams (browsers reconnect and replay from
        the database) rather than leaving them waiting forever."""
        if task.cancelled() or task.exception() is None:
            return
        log.error(
            "change stream of beamtime %d failed", self.beamtime_id, exc_info=task.exception()
        )
        for follower in list(self.followers):
            self.end(follower)
        self.hub.drop(self)

    async def _tick(self, *, announce_frames: bool) -> bool:
        async with self.hub.database.read() as session:
            found = await change_feed.poll(
                session, self.beamtime_id, after=self.cursor, limit=BATCH
            )
        messages = [change_message(change) for change in found.changes]
        if messages:
            self.cursor = found.changes[-1].seq
        frame_time = found.live_stream_updated_at
        if frame_time is not None and frame_time != self.frame_time and announce_frames:
            messages.append(live_stream_message(frame_time))
        self.frame_time = frame_time
        self.publish(messages)
        return len(found.changes) == BATCH

    def publish(self, messages: Sequence[Message]) -> None:
        ends = [index for index, message in enumerate(messages) if message.final]
        if ends:
            # The beamtime is gone: nothing after its deletion is news.
            messages = messages[: ends[0] + 1]
        final = bool(ends)
        if not messages:
            return
        for follower in list(self.followers):
            if follower.queue.qsize() + len(messages) > self.hub.max_backlog:
                log.info("a follower of beamtime %d fell behind; cut off", self.beamtime_id)
                self.end(follower)
                continue
            for message in messages:
                follower.queue.put_nowait(message)
            if final:
                self.end(follower)

    def end(self, follower: _Follower) -> None:
        follower.queue.put_nowait(None)
        self.leave(follower)

    def leave(self, follower: _Follower) -> None:
        self.followers.discard(follower)
        if not self.followers:
            self.hub.drop(self)


class ChangeHub:
    """The process's channels, by beamtime id."""

    def __init__(self, database: Database, *, poll_interval: float, max_backlog: int) -> None:
        self.database = database
        self.poll_interval = poll_interval
        self.max_backlog = max_backlog
        self._channels: dict[int, _Channel] = {}
        self._stopping: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def polling(self) -> list[int]:
        """The beamtimes that currently have a poller in this process."""
        return sorted(self._channels)

    def join(self, beamtime_id: int, cursor: int) -> tuple[_Channel, _Follower]:
        """A new follower; a new channel starts from the first follower's position."""
        channel = self._channels.get(beamtime_id)
        if channel is None:
            channel = self._channels[beamtime_id] = _Channel(self, beamtime_id, cursor)
        follower = _Follower()
        channel.followers.add(follower)
        return channel, follower

    def drop(self, channel: _Channel) -> None:
        if self._channels.get(channel.beamtime_id) is channel:
            del self._channels[channel.beamtime_id]
        channel.task.cancel()
        # Kept until done, so that close() can wait for pollers that are still winding down.
        self._stopping.add(channel.task)
        channel.task.add_done_callback(self._stopping.discard)

    async def close(self) -> None:
        """Ends every stream and stops every poller (app shutdown)."""
        self._closed = True
        for channel in list(self._channels.values()):
            for follower in list(channel.followers):
                channel.end(follower)
        if self._stopping:
            await asyncio.wait(self._stopping)

    async def follow(
        self, beamtime_id: int, after: int, *, keepalive: float
    ) -> AsyncGenerator[bytes, None]:
        """The SSE bytes of one stream: every change after seq `after`, then live events."""
        yield sse.retry(RECONNECT_MS)
        progress = _Progress(seq=after)
        async for frame in self._replay(beamtime_id, progress):
            yield frame
        if progress.ended or self._closed:
            return
        channel, follower = self.join(beamtime_id, progress.seq)
        try:
            # Rows committed while the first replay ran, before joining.
            async for frame in self._replay(beamtime_id, progress):
                yield frame
            if not progress.ended:
                async for frame in _drain(follower.queue, progress.seq, keepalive):
                    yield frame
        finally:
            channel.leave(follower)

    async def _replay(self, beamtime_id: int, progress: _Progress) -> AsyncIterator[bytes]:
        """Every stored change after `progress.seq`, read page by page."""
        while not progress.ended:
            async with self.database.read() as session:
                rows = await change_feed.page(session, beamtime_id, after=progress.seq, limit=BATCH)
            for message in map(change_message, rows):
                yield message.frame
                progress.advance(message)
            if len(rows) < BATCH:
                return


@dataclass
class _Progress:
    """How far one stream has got: the last seq it sent, and whether the beamtime ended."""

    seq: int
    ended: bool = False

    def advance(self, message: Message) -> None:
        if message.seq is not None:
            self.seq = message.seq
        self.ended = self.ended or message.final


async def _drain(
    queue: asyncio.Queue[Message | None], position: int, keepalive: float
) -> AsyncIterator[bytes]:
    """A follower's queue as SSE bytes, skipping changes it already sent and filling silence
    with keep-alive comments, until the channel ends it."""
    while True:
        try:
            async with asyncio.timeout(keepalive):
                message = await queue.get()
        except TimeoutError:
            yield sse.KEEP_ALIVE
            continue
        if message is None:
            return
        if message.seq is not None:
            if message.seq <= position:
                continue
            position = message.seq
        yield message.frame
