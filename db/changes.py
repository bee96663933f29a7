"""Writing and reading the article change log that partner mirrors follow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from db.base import utcnow
from db.events import ARTICLES, announce
from db.reads import Reader
from db.webhooks import enqueue_change, enqueue_changes

_BECOMES_VISIBLE = (m.ChangeKind.PUBLISHED, m.ChangeKind.CORRECTED)


class UnknownArticle(LookupError):
    """record_change was given an article id that names no article."""


async def record_change(
    session: AsyncSession, article_id: int, kind: m.ChangeKind, *, at: datetime | None = None
) -> m.ArticleChange:
    """Log `kind` for the article, inside the caller's transaction; the caller commits.

    Call it wherever an article is published (PUBLISHED), its text or facts change
    (CORRECTED), it is withdrawn or unpublished (WITHDRAWN), and just before it is deleted
    (DELETED). `at` is the moment of the change (the request's clock), now by default.

    Every active webhook gets a pending delivery of the entry (db/webhooks.py), due at
    `visible_from`. Publications and corrections are also announced to live subscribers once the
    transaction commits (db/events.py).

    A publication or correction of an article under embargo is shown to partners from the
    embargo's end, not before: the entry is ordered there, so no mirror can have read past it.
    """
    article = await session.get(m.Article, article_id)
    if article is None:
        raise UnknownArticle(f"no article has id {article_id}")
    recorded_at = at or utcnow()
    change = _change(
        ChangedArticle(article_id, article.slug, article.status, article.embargoed_until, kind),
        recorded_at,
    )
    session.add(change)
    await session.flush()
    await enqueue_change(session, change)
    _announce(session, change)
    return change


@dataclass(frozen=True)
class ChangedArticle:
    """What the change log needs of an article, for callers that hold no ORM object of it."""

    article_id: int
    slug: str
    status: m.PublicationStatus
    embargoed_until: datetime | None
    kind: m.ChangeKind


async def record_changes(
    session: AsyncSession, articles: Sequence[ChangedArticle], *, at: datetime | None = None
) -> list[m.ArticleChange]:
    """record_change for many articles at once (a batch of saved documents), in their order.

    The entries are written in one statement, and their webhook deliveries in one more.
    """
    recorded_at = at or utcnow()
    changes = [_change(article, recorded_at) for article in articles]
    session.add_all(changes)
    await session.flush()
    await enqueue_changes(session, changes)
    for change in changes:
        _announce(session, change)
    return changes


def _change(article: ChangedArticle, recorded_at: datetime) -> m.ArticleChange:
    visible_from = recorded_at
    embargo = article.embargoed_until
    if (
        article.kind in _BECOMES_VISIBLE
        and article.status is m.PublicationStatus.EMBARGOED
        and embargo is not None
        and embargo > recorded_at
    ):
        visible_from = embargo
    return m.ArticleChange(
        article_id=article.article_id,
        article_slug=article.slug,
        kind=article.kind,
        recorded_at=recorded_at,
        visible_from=visible_from,
    )


def _announce(session: AsyncSession, change: m.ArticleChange) -> None:
    if change.kind in _BECOMES_VISIBLE:
        announce(session, ARTICLES, {"article_id": change.article_id, "kind": change.kind.value})


@dataclass(frozen=True)
class ChangePosition:
    """Where a partner has read up to: the last entry's visible_from and id."""

    visible_from: datetime
    change_id: int


@dataclass(frozen=True)
class ChangePage:
    changes: list[m.ArticleChange]
    has_more: bool


async def changes_after(
    reader: Reader, after: ChangePosition | None, size: int, settle: timedelta
) -> ChangePage:
    """Up to `size` entries after `after`, oldest first, that the viewer may see by now.

    Entries younger than `settle` wait: a transaction that recorded an earlier entry may
    still be committing, and a mirror that read past it would never see it.
    """
    statement = select(m.ArticleChange).where(
        m.ArticleChange.visible_from <= reader.viewer.now - settle
    )
    if after is not None:
        statement = statement.where(
            or_(
                m.ArticleChange.visible_from > after.visible_from,
                and_(
                    m.ArticleChange.visible_from == after.visible_from,
                    m.ArticleChange.id > after.change_id,
                ),
            )
        )
    statement = statement.order_by(m.ArticleChange.visible_from, m.ArticleChange.id).limit(size + 1)
    found = list(await reader.scalars(statement))
    return ChangePage(found[:size], len(found) > size)
