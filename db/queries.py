"""The root lists and lookups the API offers, as SELECT statements built from validated filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select, union

from db import models as m
from db.relations import AnySelect
from db.visibility import Viewer, visible
from newsgraph.names import normalize_name


def _contains(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def article_by_slug(slug: str) -> AnySelect:
    return select(m.Article).where(m.Article.slug == slug)


@dataclass(frozen=True)
class ArticleCriteria:
    published_after: datetime | None = None
    published_before: datetime | None = None
    publisher: str | None = None
    mentions_organization: str | None = None
    mentions_person: str | None = None
    language: str | None = None
    headline_contains: str | None = None
    oldest_first: bool = False


def _narrowed(statement: AnySelect, model: Any, viewer: Viewer) -> AnySelect:
    """A filter's subquery, kept to rows the viewer may see: filters must not reveal hidden rows."""
    condition = visible(model, viewer)
    return statement if condition is None else statement.where(condition)


def articles(criteria: ArticleCriteria, viewer: Viewer) -> AnySelect:
    statement = select(m.Article)
    if criteria.published_after is not None:
        statement = statement.where(m.Article.published_at >= criteria.published_after)
    if criteria.published_before is not None:
        statement = statement.where(m.Article.published_at < criteria.published_before)
    if criteria.publisher is not None:
        statement = statement.where(
            m.Article.publisher_id.in_(
                select(m.Organization.id).where(m.Organization.slug == criteria.publisher)
            )
        )
    if criteria.mentions_organization is not None:
        statement = statement.where(
            m.Article.id.in_(
                _articles_mentioning(
                    m.Mention.organization_id,
                    m.Organization,
                    criteria.mentions_organization,
                    viewer,
                )
            )
        )
    if criteria.mentions_person is not None:
        statement = statement.where(
            m.Article.id.in_(
                _articles_mentioning(
                    m.Mention.person_id, m.Person, criteria.mentions_person, viewer
                )
            )
        )
    if criteria.language is not None:
        statement = statement.where(m.Article.language == criteria.language)
    if criteria.headline_contains:
        statement = statement.where(
            m.Article.headline.ilike(_contains(criteria.headline_contains), escape="\\")
        )
    published = (
        m.Article.published_at.asc() if criteria.oldest_first else m.Article.published_at.desc()
    )
    newest_id = m.Article.id.asc() if criteria.oldest_first else m.Article.id.desc()
    return statement.order_by(published.nulls_last(), newest_id)


def _articles_mentioning(
    entity_column: Any, entity_model: Any, slug: str, viewer: Viewer
) -> AnySelect:
    mentions = (
        select(m.Mention.paragraph_id)
        .join(entity_model, entity_model.id == entity_column)
        .where(entity_model.slug == slug)
    )
    return select(m.Paragraph.article_id).where(
        m.Paragraph.id.in_(_narrowed(mentions, m.Mention, viewer))
    )


def by_slug(model: Any, slug: str) -> AnySelect:
    return select(model).where(model.slug == slug)


def by_name(model: Any, alias_model: Any, alias_owner: Any, name: str) -> AnySelect:
    """Rows whose name or any alias matches `name`, ignoring case, accents and apostrophes."""
    key = normalize_name(name)
    # One IN over a union of two index lookups: PostgreSQL semi-joins it. Written as
    # `name = key OR id IN (aliases)` it scans every row, and the viewer's visibility
    # rules run on each of them.
    matching_ids = union(
        select(model.id).where(model.normalized_name == key),
        select(alias_owner).where(alias_model.normalized == key),
    )
    return select(model).where(model.id.in_(matching_ids)).order_by(model.id)


def organizations_by_name(name: str) -> AnySelect:
    return by_name(m.Organization, m.OrganizationAlias, m.OrganizationAlias.organization_id, name)


def persons_by_name(name: str) -> AnySelect:
    return by_name(m.Person, m.PersonAlias, m.PersonAlias.person_id, name)


def _named(model: Any, alias_model: Any, alias_owner: Any, search: str | None) -> AnySelect:
    statement = select(model)
    if search:
        pattern = _contains(normalize_name(search))
        # One IN over a union, not an OR across the two tables: each side can then use its
        # own trigram index on PostgreSQL, and a count need not read every row.
        matching_ids = union(
            select(model.id).where(model.normalized_name.like(pattern, escape="\\")),
            select(alias_owner).where(alias_model.normalized.like(pattern, escape="\\")),
        )
        statement = statement.where(model.id.in_(matching_ids))
    return statement.order_by(model.normalized_name, model.id)


def organizations(search: str | None, kind: m.OrganizationKind | None) -> AnySelect:
    statement = _named(
        m.Organization, m.OrganizationAlias, m.OrganizationAlias.organization_id, search
    )
    if kind is not None:
        statement = statement.where(m.Organization.kind == kind)
    return statement


def persons(search: str | None) -> AnySelect:
    return _named(m.Person, m.PersonAlias, m.PersonAlias.person_id, search)


@dataclass(frozen=True)
class StatementCriteria:
    speaker_organization: str | None = None
    speaker_person: str | None = None
    issued_after: date | None = None
    issued_before: date | None = None
    quoted_in: str | None = None
    min_confidence: float | None = None
    verified: bool | None = None
    oldest_first: bool = False


def statements(criteria: StatementCriteria, viewer: Viewer) -> AnySelect:
    statement = select(m.Statement)
    if criteria.speaker_organization is not None:
        statement = statement.where(
            m.Statement.speaker_organization_id.in_(
                select(m.Organization.id).where(
                    m.Organization.slug == criteria.speaker_organization
                )
            )
        )
    if criteria.speaker_person is not None:
        statement = statement.where(
            m.Statement.speaker_person_id.in_(
                select(m.Person.id).where(m.Person.slug == criteria.speaker_person)
            )
        )
    if criteria.issued_after is not None:
        statement = statement.where(m.Statement.issued_on >= criteria.issued_after)
    if criteria.issued_before is not None:
        statement = statement.where(m.Statement.issued_on <= criteria.issued_before)
    if criteria.quoted_in is not None:
        statement = statement.where(
            m.Statement.id.in_(
                _narrowed(
                    select(m.Quote.statement_id)
                    .join(m.Paragraph, m.Paragraph.id == m.Quote.paragraph_id)
                    .join(m.Article, m.Article.id == m.Paragraph.article_id)
                    .where(m.Article.slug == criteria.quoted_in),
                    m.Quote,
                    viewer,
                )
            )
        )
    if criteria.min_confidence is not None:
        # Editorial facts carry no confidence: they are as sure as it gets.
        statement = statement.where(
            or_(m.Statement.confidence.is_(None), m.Statement.confidence >= criteria.min_confidence)
        )
    if criteria.verified is not None:
        statement = statement.where(m.Statement.verified.is_(criteria.verified))
    issued = m.Statement.issued_on.asc() if criteria.oldest_first else m.Statement.issued_on.desc()
    newest_id = m.Statement.id.asc() if criteria.oldest_first else m.Statement.id.desc()
    return statement.order_by(issued.nulls_last(), newest_id)


@dataclass(frozen=True)
class VoteCriteria:
    body: str | None = None
    status: m.VoteStatus | None = None
    held_after: date | None = None
    held_before: date | None = None


def votes(criteria: VoteCriteria) -> AnySelect:
    statement = select(m.Vote)
    if criteria.body is not None:
        statement = statement.where(
            m.Vote.body_id.in_(
                select(m.Organization.id).where(m.Organization.slug == criteria.body)
            )
        )
    if criteria.status is not None:
        statement = statement.where(m.Vote.status == criteria.status)
    if criteria.held_after is not None:
        statement = statement.where(m.Vote.held_on >= criteria.held_after)
    if criteria.held_before is not None:
        statement = statement.where(m.Vote.held_on <= criteria.held_before)
    return statement.order_by(m.Vote.held_on.desc().nulls_last(), m.Vote.id.desc())


def revisions_of(entity_type: str, entity_id: int) -> AnySelect:
    return (
        select(m.Revision)
        .where(m.Revision.entity_type == entity_type, m.Revision.entity_id == entity_id)
        .order_by(m.Revision.id)
    )
