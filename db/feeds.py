"""The reads feeds make: a subject's articles a page at a time, newest first, with their text."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from db import models as m
from db.reads import Reader
from db.relations import AnySelect
from db.visibility import visible


class FeedSubjectKind(enum.Enum):
    """What a feed follows; the value is the path segment under /feeds/."""

    PUBLISHER = "publishers"
    ORGANIZATION = "organizations"
    PERSON = "persons"
    TOPIC = "topics"


@dataclass(frozen=True)
class FeedSubject:
    kind: FeedSubjectKind
    slug: str
    title: str
    # The subject's own row (None for topics), whose renaming changes the feed too.
    updated_at: datetime | None
    articles: AnySelect


@dataclass(frozen=True)
class FeedPosition:
    """Where a page ends: the last article's publication time and id (newest first)."""

    published_at: datetime
    article_id: int


@dataclass(frozen=True)
class Entity:
    slug: str
    name: str


@dataclass
class FeedItem:
    """One article as every feed format needs it."""

    article: m.Article
    paragraphs: list[m.Paragraph] = field(default_factory=list)
    publisher: Entity | None = None
    authors: list[Entity] = field(default_factory=list)
    persons: list[Entity] = field(default_factory=list)
    organizations: list[Entity] = field(default_factory=list)


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_position: FeedPosition | None


def topic_slug(kind: m.OrganizationKind) -> str:
    """`military_coalition` → `military-coalition`: topics are named like every other slug."""
    return kind.value.replace("_", "-")


_TOPICS = {topic_slug(kind): kind for kind in m.OrganizationKind}


def topic_names() -> list[str]:
    return sorted(_TOPICS)


def _mentioning(entity_column: Any, entity_ids: Any) -> AnySelect:
    return (
        select(m.Paragraph.article_id)
        .join(m.Mention, m.Mention.paragraph_id == m.Paragraph.id)
        .where(entity_column.in_(entity_ids))
    )


async def find_subject(reader: Reader, kind: FeedSubjectKind, slug: str) -> FeedSubject | None:
    """The subject a feed path names, or None when nothing by that slug exists."""
    if kind is FeedSubjectKind.TOPIC:
        organization_kind = _TOPICS.get(slug)
        if organization_kind is None:
            return None
        of_kind = select(m.Organization.id).where(m.Organization.kind == organization_kind)
        return FeedSubject(
            kind,
            slug,
            f"Articles mentioning {slug.replace('-', ' ')} organizations",
            None,
            select(m.Article).where(
                m.Article.id.in_(_mentioning(m.Mention.organization_id, of_kind))
            ),
        )
    model: Any = m.Person if kind is FeedSubjectKind.PERSON else m.Organization
    found = await reader.scalars(select(model).where(model.slug == slug))
    if not found:
        return None
    entity = found[0]
    if kind is FeedSubjectKind.PUBLISHER:
        title = f"Articles published by {entity.name}"
        articles = select(m.Article).where(m.Article.publisher_id == entity.id)
    else:
        title = f"Articles mentioning {entity.name}"
        column = m.Mention.person_id if model is m.Person else m.Mention.organization_id
        articles = select(m.Article).where(m.Article.id.in_(_mentioning(column, [entity.id])))
    return FeedSubject(kind, slug, title, entity.updated_at, articles)


async def last_modified(reader: Reader, subject: FeedSubject) -> datetime | None:
    """When anything the subject's feed shows last changed, as far as the rows can tell.

    An article's own change (edit, withdrawal) moves its updated_at; an embargo lifting
    changes nothing in the row, so its end counts too. Withdrawn articles count because
    their leaving changes the feed. A deleted article leaves no trace: the ETag covers it.
    """
    shown = visible(m.Article, reader.viewer)
    counted = (
        shown if shown is None else or_(shown, m.Article.status == m.PublicationStatus.WITHDRAWN)
    )
    subquery = subject.articles.order_by(None)
    if counted is not None:
        subquery = subquery.where(counted)
    articles = subquery.subquery()
    lifted_embargo = case(
        (
            and_(
                articles.c.status == m.PublicationStatus.EMBARGOED.value,
                articles.c.embargoed_until <= reader.viewer.now,
            ),
            articles.c.embargoed_until,
        ),
    )
    row = (await reader.rows(select(func.max(articles.c.updated_at), func.max(lifted_embargo))))[0]
    moments = [moment for moment in (*row, subject.updated_at) if moment is not None]
    return max(moments, default=None)


def _after(position: FeedPosition | None) -> Any:
    if position is None:
        return m.Article.published_at.is_not(None)
    return or_(
        m.Article.published_at < position.published_at,
        and_(
            m.Article.published_at == position.published_at,
            m.Article.id < position.article_id,
        ),
    )


async def feed_page(
    reader: Reader, subject: FeedSubject, after: FeedPosition | None, size: int
) -> FeedPage:
    """Up to `size` of the subject's dated articles after `after`, newest first.

    Articles without a publication time (known only by a headline) have no place in a
    dated feed and are left out.
    """
    statement = (
        subject.articles.where(_after(after))
        .order_by(m.Article.published_at.desc(), m.Article.id.desc())
        .limit(size + 1)
    )
    articles = list(await reader.scalars(statement))
    has_more = len(articles) > size
    articles = articles[:size]
    items = await _items(reader, articles)
    next_position = None
    if has_more and articles:
        last = articles[-1]
        assert last.published_at is not None
        next_position = FeedPosition(last.published_at, last.id)
    return FeedPage(items, next_position)


async def article_item(reader: Reader, slug: str) -> FeedItem | None:
    """One article the viewer may see, by slug, with everything a ninjs document shows."""
    found = await reader.scalars(select(m.Article).where(m.Article.slug == slug))
    if not found:
        return None
    return (await _items(reader, list(found)))[0]


async def _items(reader: Reader, articles: list[m.Article]) -> list[FeedItem]:
    """The articles with their paragraphs, publisher, authors and mentions: five statements."""
    items = {article.id: FeedItem(article) for article in articles}
    if not items:
        return []
    ids = list(items)
    paragraphs = await reader.scalars(
        select(m.Paragraph)
        .where(m.Paragraph.article_id.in_(ids))
        .order_by(m.Paragraph.article_id, m.Paragraph.position)
    )
    for paragraph in paragraphs:
        items[paragraph.article_id].paragraphs.append(paragraph)

    publisher_ids = {a.publisher_id for a in articles if a.publisher_id is not None}
    publishers = {
        o.id: Entity(o.slug, o.name)
        for o in await reader.scalars(
            select(m.Organization).where(m.Organization.id.in_(publisher_ids))
        )
    }
    for article in articles:
        if article.publisher_id is not None:
            items[article.id].publisher = publishers.get(article.publisher_id)

    credits = await reader.rows(
        select(m.ArticleCredit.article_id, m.Person.slug, m.Person.name)
        .join(m.Person, m.Person.id == m.ArticleCredit.person_id)
        .where(m.ArticleCredit.article_id.in_(ids))
        .order_by(m.ArticleCredit.article_id, m.ArticleCredit.position)
    )
    for article_id, slug, name in credits:
        items[article_id].authors.append(Entity(slug, name))

    for model, column, attribute in (
        (m.Person, m.Mention.person_id, "persons"),
        (m.Organization, m.Mention.organization_id, "organizations"),
    ):
        mentioned = await _mentioned(reader, model, column, ids)
        for article_id, entities in mentioned.items():
            setattr(items[article_id], attribute, entities)
    return [items[article.id] for article in articles]


async def _mentioned(
    reader: Reader, model: Any, column: Any, article_ids: list[int]
) -> dict[int, list[Entity]]:
    # Mentions only exist in paragraphs of articles the caller already may see.
    rows = await reader.rows(
        select(m.Paragraph.article_id, model.slug, model.name)
        .distinct()
        .join(m.Mention, m.Mention.paragraph_id == m.Paragraph.id)
        .join(model, model.id == column)
        .where(m.Paragraph.article_id.in_(article_ids))
        .order_by(m.Paragraph.article_id, model.name)
    )
    grouped: dict[int, list[Entity]] = defaultdict(list)
    for article_id, slug, name in rows:
        grouped[article_id].append(Entity(slug, name))
    return grouped
