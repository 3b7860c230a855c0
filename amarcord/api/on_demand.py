"""A read session that is begun only when somebody asks for it.

Access checks often need no database at all (a cached API token with a role in the route's
beamtime); they take their session from here, and the transaction exists only if one check
actually reads."""

from __future__ import annotations

from contextlib import AsyncExitStack
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession

from amarcord.api.context import database


class OnDemandRead:
    def __init__(self) -> None:
        self._stack = AsyncExitStack()
        self._session: AsyncSession | None = None

    async def session(self) -> AsyncSession:
        if self._session is None:
            self._session = await self._stack.enter_async_context(database().read())
        return self._session

    async def __aenter__(self) -> OnDemandRead:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        return await self._stack.__aexit__(exc_type, exc, traceback)
