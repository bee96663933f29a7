"""Writing and reading the article change log that partner mirrors follow."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from db.base import utcnow
from db.events import ARTICLES, Message, announce
from db.reads import Reader
from db.webhooks import drop_pending_deliveries, enqueue_changes

_BECOMES_VISIBLE = (m.ChangeKind.PUBLISHED, m.ChangeKind.CORRECTED)
_HOLDS_BACK = (m.PublicationStatus.DRAFT, m.PublicationStatus.WITHDRAWN)


class UnknownArticle(LookupError):
    """record_change was given an article id that names no article."""


def public_at(article: m.Article, moment: datetime) -> bool:
    """Whether the public (and so partners) may see `article` at `moment`."""
    if article.status is m.PublicationStatus.PUBLISHED:
        return True
    embargo = article.embargoed_until
    return (
        article.status is m.PublicationStatus.EMBARGOED
        and embargo is not None
        and embargo <= moment
    )


async def record_change(
    session: AsyncSession, article_id: int, kind: m.ChangeKind, *, at: datetime | None = None
) -> m.ArticleChange | None:
    """Log `kind` for the article, inside the caller's transaction; the caller commits.

    Call it wherever an article is published (PUBLISHED), its text or facts change
    (CORRECTED), and *before* it is withdrawn or unpublished (WITHDRAWN) or deleted
    (DELETED): those two are logged only when the article is public at that moment, since
    telling partners to drop an article they never had would reveal a draft or an
    embargoed story. `at` is the moment of the change (the request's clock), now by default.

    A publication or correction of an article under embargo is shown to partners from the
    embargo's end, not before: the entry is ordered there, so no mirror can have read past it.
    Until then it is *pending*: a later publication, withdrawal or deletion replaces it (so
    a moved or cancelled embargo is announced once, or never), and a correction made
    meanwhile is folded into it. A draft's or a withdrawn article's publication or
    correction is not logged at all; publishing it logs it.

    Every active webhook that subscribed to the event gets a pending delivery of the entry
    (db/webhooks.py), due at `visible_from`. Live subscribers hear of an entry once it is
    visible: at once after commit, or from the embargo scheduler (`claim_due_announcements`).
    Returns the entry, or None when nothing was logged.
    """
    article = await session.get(m.Article, article_id)
    if article is None:
        raise UnknownArticle(f"no article has id {article_id}")
    recorded_at = at or utcnow()
    if kind not in _BECOMES_VISIBLE and not public_at(article, recorded_at):
        # Nothing to tell, but a lift still pending must not announce it later.
        await _drop(session, _ids(await _pending(session, [article_id], recorded_at)))
        return None
    changed = ChangedArticle(
        article_id, article.slug, article.status, article.embargoed_until, kind
    )
    [change] = await record_changes(session, [changed], at=recorded_at)
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
) -> list[m.ArticleChange | None]:
    """record_change for many articles at once (a batch of saved documents), in their order;
    None where nothing is logged. Withdrawals and deletions go through record_change, which
    first checks that the article was public.

    The entries are written in one statement, and their webhook deliveries in one more.
    """
    recorded_at = at or utcnow()
    shown = [article for article in articles if article.status not in _HOLDS_BACK]
    pending = await _pending(session, [article.article_id for article in shown], recorded_at)
    dropped: list[int] = []
    logged: dict[int, m.ArticleChange] = {}
    for position, article in enumerate(articles):
        if article.status in _HOLDS_BACK:
            continue  # nobody may see it; publishing it logs it
        change = _change(article, recorded_at)
        waiting = pending.get(article.article_id, {})
        if article.kind is m.ChangeKind.CORRECTED:
            if change.visible_from > recorded_at and change.visible_from in waiting.values():
                continue  # the pending entry will announce the article as it reads then
        else:
            dropped += waiting
        logged[position] = change
    await _drop(session, dropped)
    changes = list(logged.values())
    session.add_all(changes)
    await session.flush()
    await enqueue_changes(session, changes)
    for change in changes:
        if change.announced_at is not None:
            announce(session, ARTICLES, announcement(change))
    return [logged.get(position) for position in range(len(articles))]


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
        # Visible at once: announced after commit. Later: the embargo scheduler announces it.
        announced_at=recorded_at if visible_from <= recorded_at else None,
    )


def announcement(change: Any) -> Message:
    """What live subscribers hear of an entry: ids only, each subscriber reads the row itself."""
    return {
        "article_id": change.article_id,
        "kind": change.kind.value,
        "slug": change.article_slug,
        "change_id": change.id,
    }


async def _pending(
    session: AsyncSession, article_ids: Sequence[int], moment: datetime
) -> dict[int, dict[int, datetime]]:
    """The articles' entries not yet visible at `moment` (nobody has heard of them):
    article id → {entry id → visible_from}."""
    if not article_ids:
        return {}
    rows = await session.execute(
        select(m.ArticleChange.article_id, m.ArticleChange.id, m.ArticleChange.visible_from).where(
            m.ArticleChange.article_id.in_(set(article_ids)),
            m.ArticleChange.announced_at.is_(None),
            m.ArticleChange.visible_from > moment,
        )
    )
    found: dict[int, dict[int, datetime]] = defaultdict(dict)
    for article_id, change_id, visible_from in rows:
        if article_id is not None:  # the IN above says so; the column may hold NULL
            found[article_id][change_id] = visible_from
    return found


def _ids(pending: dict[int, dict[int, datetime]]) -> list[int]:
    return [change_id for entries in pending.values() for change_id in entries]


async def _drop(session: AsyncSession, change_ids: list[int]) -> None:
    if not change_ids:
        return
    await drop_pending_deliveries(session, change_ids)
    await session.execute(delete(m.ArticleChange).where(m.ArticleChange.id.in_(change_ids)))


async def claim_due_announcements(
    session: AsyncSession, now: datetime, limit: int
) -> Sequence[Any]:
    """Mark up to `limit` entries whose time has come as announced, and return them, oldest first.

    The UPDATE only changes rows still unannounced: of two processes claiming at once, each
    entry goes to exactly one (PostgreSQL re-checks the condition on a row another
    transaction changed, once that transaction commits; SQLite writes one at a time). It
    runs only when the SELECT before it found something due, so an idle pass writes nothing
    (a write would bump the data version, and with it every cached answer, each second).
    """
    due = list(
        await session.scalars(
            select(m.ArticleChange.id)
            .where(m.ArticleChange.announced_at.is_(None), m.ArticleChange.visible_from <= now)
            .order_by(m.ArticleChange.visible_from, m.ArticleChange.id)
            .limit(limit)
        )
    )
    if not due:
        return []
    claimed = await session.execute(
        update(m.ArticleChange)
        .where(m.ArticleChange.id.in_(due), m.ArticleChange.announced_at.is_(None))
        .values(announced_at=now)
        .returning(
            m.ArticleChange.id,
            m.ArticleChange.article_id,
            m.ArticleChange.article_slug,
            m.ArticleChange.kind,
            m.ArticleChange.visible_from,
        )
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed.all(), key=lambda row: (row.visible_from, row.id))


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
