"""Articles, their ordered paragraphs, credits and links to related articles."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import (
    Base,
    HasId,
    HasTimestamps,
    enum_type,
    postgresql_index,
    trigram_index,
    utcnow,
)

if TYPE_CHECKING:
    from db.models.persons import Person


class PublicationStatus(enum.Enum):
    DRAFT = "draft"
    EMBARGOED = "embargoed"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class ParagraphKind(enum.Enum):
    STANDFIRST = "standfirst"
    BODY = "body"
    HEADING = "heading"
    BLOCKQUOTE = "blockquote"
    RELATED_LINK = "related_link"
    CREDIT = "credit"
    CAPTION = "caption"


class CreditRole(enum.Enum):
    AUTHOR = "author"
    REPORTER = "reporter"
    EDITOR = "editor"
    CONTRIBUTOR = "contributor"
    PHOTOGRAPHER = "photographer"
    TRANSLATOR = "translator"


class Article(HasId, HasTimestamps, Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_published_at_id", "published_at", "id"),
        Index("ix_articles_publisher_id_published_at", "publisher_id", "published_at"),
        # What every public read filters on (db/visibility.py).
        Index("ix_articles_status_embargoed_until", "status", "embargoed_until"),
        Index("ix_articles_language_published_at", "language", "published_at"),
    )

    slug: Mapped[str] = mapped_column(String(200), unique=True)
    headline: Mapped[str] = mapped_column(Text)
    standfirst: Mapped[str | None] = mapped_column(Text)
    dateline: Mapped[str | None] = mapped_column(Text, doc="The place the story was filed from.")
    publisher_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime | None]
    url: Mapped[str | None] = mapped_column(Text, unique=True)
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    status: Mapped[PublicationStatus] = mapped_column(
        enum_type(PublicationStatus, "publication_status"),
        default=PublicationStatus.PUBLISHED,
        server_default=PublicationStatus.PUBLISHED.value,
    )
    embargoed_until: Mapped[datetime | None]
    copyright_holder: Mapped[str | None] = mapped_column(
        Text, doc="Who holds the copyright, as the publisher states it."
    )
    licence: Mapped[str | None] = mapped_column(
        Text, doc="The usage terms or licence (an SPDX id, a URL or words)."
    )
    partners_may_republish: Mapped[bool] = mapped_column(
        default=False,
        server_default=false(),
        doc="Whether partners may republish the full text; otherwise only headline and link.",
    )
    content_hash: Mapped[str | None] = mapped_column(
        String(64),
        index=True,
        doc="SHA-256 of the canonical article document: reloading it changes nothing.",
    )

    paragraphs: Mapped[list[Paragraph]] = relationship(
        back_populates="article",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Paragraph.position",
        lazy="raise",
    )
    credits: Mapped[list[ArticleCredit]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ArticleCredit.position",
        lazy="raise",
    )
    links: Mapped[list[ArticleLink]] = relationship(
        foreign_keys="ArticleLink.from_article_id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ArticleLink.position",
        lazy="raise",
    )


class Paragraph(HasId, Base):
    """One block of an article's text, in reading order; quotes and mentions anchor here."""

    __tablename__ = "paragraphs"
    __table_args__ = (
        UniqueConstraint("article_id", "position"),
        CheckConstraint("position >= 1", "position_positive"),
    )

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(doc="1 for the first paragraph.")
    kind: Mapped[ParagraphKind] = mapped_column(enum_type(ParagraphKind, "paragraph_kind"))
    text: Mapped[str] = mapped_column(Text)

    article: Mapped[Article] = relationship(back_populates="paragraphs", lazy="raise")


class ArticleCredit(HasId, Base):
    __tablename__ = "article_credits"
    __table_args__ = (UniqueConstraint("article_id", "person_id", "role"),)

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    role: Mapped[CreditRole] = mapped_column(enum_type(CreditRole, "credit_role"))
    position: Mapped[int] = mapped_column(default=0)

    person: Mapped[Person] = relationship(lazy="raise")


class ArticleLink(HasId, Base):
    """A directed "Read More"-style link from one article to another, anchor text as written."""

    __tablename__ = "article_links"
    __table_args__ = (
        UniqueConstraint("from_article_id", "to_article_id"),
        CheckConstraint("from_article_id <> to_article_id", "not_self"),
    )

    from_article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    to_article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    anchor_text: Mapped[str] = mapped_column(Text)
    paragraph_id: Mapped[int | None] = mapped_column(
        ForeignKey("paragraphs.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    to_article: Mapped[Article] = relationship(foreign_keys=[to_article_id], lazy="raise")


postgresql_index(
    "ix_articles_newest_first", Article.published_at.desc().nulls_last(), Article.id.desc()
)
# `articles(filter: {headlineContains:})`.
trigram_index("ix_articles_headline_trigram", Article.headline)


class ArticleRevision(HasId, Base):
    """One saved version of an article's document, numbered from 1; the newest is the article."""

    __tablename__ = "article_revisions"
    __table_args__ = (
        UniqueConstraint("article_id", "number"),
        CheckConstraint("number >= 1", "number_positive"),
    )

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    source_hash: Mapped[str | None] = mapped_column(
        String(64), index=True, doc="SHA-256 of the raw source the document was extracted from."
    )
    document: Mapped[dict[str, Any]] = mapped_column(JSON, doc="The article document, as JSON.")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
