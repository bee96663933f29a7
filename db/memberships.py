"""Which articles support memberships, and dropping memberships no article supports any more."""

from __future__ import annotations

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Membership, MembershipSource

# Bound parameters per DELETE … IN (…): far below what either engine allows.
_CHUNK = 500


async def withdraw_article_support(session: AsyncSession, article_id: int) -> None:
    """The article no longer states its memberships (re-ingested or about to be deleted).

    Memberships other articles still state keep those; the others go, unless an editor
    entered them: an article's fact must not outlive every article that states it.
    """
    supported = list(
        await session.scalars(
            select(MembershipSource.membership_id).where(MembershipSource.article_id == article_id)
        )
    )
    if not supported:
        return
    await session.execute(delete(MembershipSource).where(MembershipSource.article_id == article_id))
    for start in range(0, len(supported), _CHUNK):
        await session.execute(
            delete(Membership).where(
                Membership.id.in_(supported[start : start + _CHUNK]),
                Membership.entered_by_editor.is_(False),
                ~exists().where(MembershipSource.membership_id == Membership.id),
            )
        )
