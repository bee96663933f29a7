"""Who may see which rows: one predicate per model, applied by the Reader to every read.

For the public and partners, an article is visible once published (or once its embargo
lifts) and until it is withdrawn. Everything else is visible only through visible
articles: paragraphs and what is anchored in them (quotes, mentions, reports), the
statements and votes those report, the memberships they state, and the persons and
organizations they name. A fact that only a draft carries is therefore as hidden as the
draft. Partners see an article's text (paragraphs and what is anchored in them) only when
its rights let partners republish it. Editors see every row.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, union

from db import models as m


class Role(enum.Enum):
    PUBLIC = "public"
    PARTNER = "partner"
    EDITOR = "editor"


@dataclass(frozen=True)
class Viewer:
    """The caller of one request, the key it used (if any), and the moment it is answered."""

    role: Role
    now: datetime
    key_id: int | None = None

    @property
    def sees_unpublished(self) -> bool:
        return self.role is Role.EDITOR


def published_articles(viewer: Viewer) -> ColumnElement[bool]:
    """Published articles, and embargoed ones whose embargo has lifted."""
    return or_(
        m.Article.status == m.PublicationStatus.PUBLISHED,
        and_(
            m.Article.status == m.PublicationStatus.EMBARGOED,
            m.Article.embargoed_until <= viewer.now,
        ),
    )


def _text_visible(viewer: Viewer) -> ColumnElement[bool]:
    """Articles whose text (paragraphs and everything anchored in them) the viewer may read."""
    if viewer.role is Role.PARTNER:
        return and_(published_articles(viewer), m.Article.partners_may_republish.is_(True))
    return published_articles(viewer)


def _ids(model: Any, condition: ColumnElement[bool]) -> Select[Any]:
    return select(model.id).where(condition)


def _paragraph_ids(viewer: Viewer) -> Select[Any]:
    return select(m.Paragraph.id).where(
        m.Paragraph.article_id.in_(_ids(m.Article, _text_visible(viewer)))
    )


def _statement_ids(viewer: Viewer) -> Any:
    paragraphs = _paragraph_ids(viewer)
    return union(
        select(m.Quote.statement_id).where(m.Quote.paragraph_id.in_(paragraphs)),
        select(m.StatementReport.statement_id).where(
            m.StatementReport.paragraph_id.in_(paragraphs)
        ),
    )


def _vote_ids(viewer: Viewer) -> Select[Any]:
    return select(m.VoteReport.vote_id).where(m.VoteReport.paragraph_id.in_(_paragraph_ids(viewer)))


def _memberships(viewer: Viewer) -> ColumnElement[bool]:
    """Memberships an editor entered, and those the text of a readable article states."""
    return or_(
        m.Membership.source_article_id.is_(None),
        m.Membership.source_article_id.in_(_ids(m.Article, _text_visible(viewer))),
    )


def _person_ids(viewer: Viewer) -> Any:
    """Persons that visible content names: mentions, credits, statements, votes, memberships."""
    visible_articles = _ids(m.Article, published_articles(viewer))
    return union(
        select(m.Mention.person_id).where(m.Mention.paragraph_id.in_(_paragraph_ids(viewer))),
        select(m.ArticleCredit.person_id).where(m.ArticleCredit.article_id.in_(visible_articles)),
        select(m.Statement.speaker_person_id).where(m.Statement.id.in_(_statement_ids(viewer))),
        select(m.VotePosition.person_id).where(m.VotePosition.vote_id.in_(_vote_ids(viewer))),
        select(m.Membership.person_id).where(_memberships(viewer)),
    )


def _organization_ids(viewer: Viewer) -> Any:
    """Organizations that visible content names, publishers of visible articles included."""
    visible_articles = _ids(m.Article, published_articles(viewer))
    votes = _vote_ids(viewer)
    return union(
        select(m.Mention.organization_id).where(m.Mention.paragraph_id.in_(_paragraph_ids(viewer))),
        select(m.Article.publisher_id).where(m.Article.id.in_(visible_articles)),
        select(m.Statement.speaker_organization_id).where(
            m.Statement.id.in_(_statement_ids(viewer))
        ),
        select(m.Vote.body_id).where(m.Vote.id.in_(votes)),
        select(m.VotePosition.organization_id).where(m.VotePosition.vote_id.in_(votes)),
        select(m.Membership.organization_id).where(_memberships(viewer)),
    )


def visible(model: Any, viewer: Viewer) -> ColumnElement[bool] | None:
    """The condition a row of `model` must meet for `viewer`; None when every row may be seen."""
    if viewer.sees_unpublished:
        return None
    if model is m.Article:
        return published_articles(viewer)
    if model is m.Paragraph:
        return m.Paragraph.id.in_(_paragraph_ids(viewer))
    if model in (m.Quote, m.Mention, m.StatementReport, m.VoteReport):
        return model.paragraph_id.in_(_paragraph_ids(viewer))  # type: ignore[no-any-return]
    visible_articles = _ids(m.Article, published_articles(viewer))
    if model is m.ArticleLink:
        return and_(
            m.ArticleLink.from_article_id.in_(visible_articles),
            m.ArticleLink.to_article_id.in_(visible_articles),
        )
    if model is m.ArticleCredit:
        return m.ArticleCredit.article_id.in_(visible_articles)
    if model is m.Statement:
        return m.Statement.id.in_(_statement_ids(viewer))
    if model is m.Vote:
        return m.Vote.id.in_(_vote_ids(viewer))
    if model is m.VotePosition:
        return m.VotePosition.vote_id.in_(_vote_ids(viewer))
    if model is m.Membership:
        return _memberships(viewer)
    if model is m.Person:
        return m.Person.id.in_(_person_ids(viewer))
    if model is m.Organization:
        return m.Organization.id.in_(_organization_ids(viewer))
    if model is m.Revision:
        return false()  # the revision history is for editors only
    if model in (m.PersonAlias, m.OrganizationAlias, m.ApiKey):
        return None  # reached only through their visible owner, or never over the API
    raise AssertionError(f"no visibility rule for {model!r}: add one before reading it")
