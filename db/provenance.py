"""Recording who vouches for a fact: an editor marking an extracted statement verified."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Statement


async def set_statement_verified(session: AsyncSession, statement_id: int, verified: bool) -> bool:
    """Mark the statement (and so its quotes' source) checked or not; False if there is none."""
    updated = await session.scalars(
        update(Statement)
        .where(Statement.id == statement_id)
        .values(verified=verified)
        .returning(Statement.id)
    )
    return updated.first() is not None
