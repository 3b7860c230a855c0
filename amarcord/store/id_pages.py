"""Pages of rows ordered by id, for lists whose natural order is creation order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

T = TypeVar("T")


@dataclass(frozen=True)
class IdPage(Generic[T]):
    items: list[T]
    total: int
    has_more: bool


async def page_by_id(
    session: AsyncSession,
    query: Select[T],
    id_column: InstrumentedAttribute[Any],
    *,
    limit: int,
    after: int | None,
    newest_first: bool = False,
) -> IdPage[T]:
    """Up to `limit` rows of `query` past the id `after`, and how many rows `query` has."""
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if after is not None:
        query = query.where(id_column < after if newest_first else id_column > after)
    query = query.order_by(id_column.desc() if newest_first else id_column.asc())
    rows = list((await session.scalars(query.limit(limit + 1))).all())
    return IdPage(items=rows[:limit], total=total, has_more=len(rows) > limit)
