"""Statements (what a person or organization said or issued) and the quotes of their words."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import (
    VISIBLE_FROM,
    Base,
    HasId,
    HasProvenance,
    HasTimestamps,
    HasVisibleFrom,
    enum_type,
    postgresql_index,
)


class StatementMedium(enum.Enum):
    WRITTEN_STATEMENT = "written_statement"
    ANNOUNCEMENT = "announcement"
    INTERVIEW = "interview"
    SPEECH = "speech"
    PRESS_CONFERENCE = "press_conference"
    SOCIAL_MEDIA_POST = "social_media_post"
    TESTIMONY = "testimony"
    OTHER = "other"


class Statement(HasId, HasProvenance, HasTimestamps, HasVisibleFrom, Base):
    __tablename__ = "statements"
    __table_args__ = (
        CheckConstraint(
            "(speaker_person_id IS NULL) <> (speaker_organization_id IS NULL)", "one_speaker"
        ),
        Index("ix_statements_verified", "verified"),
        Index("ix_statements_confidence", "confidence"),
    )

    speaker_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    speaker_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    issued_on: Mapped[date | None] = mapped_column(index=True)
    issued_on_text: Mapped[str | None] = mapped_column(
        Text, doc='The date as the source words it ("on Sunday").'
    )
    medium: Mapped[StatementMedium] = mapped_column(enum_type(StatementMedium, "statement_medium"))
    summary: Mapped[str | None] = mapped_column(Text)

    quotes: Mapped[list[Quote]] = relationship(
        back_populates="statement",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )


# Newest first, on its own and per speaker: the order of every list of statements.
for _name, _leading in (
    ("ix_statements_newest_first", ()),
    ("ix_statements_speaker_organization_newest_first", (Statement.speaker_organization_id,)),
    ("ix_statements_speaker_person_newest_first", (Statement.speaker_person_id,)),
):
    postgresql_index(
        _name,
        *_leading,
        Statement.issued_on.desc().nulls_last(),
        Statement.id.desc(),
        postgresql_include=VISIBLE_FROM,
    )


class Quote(HasId, HasProvenance, Base):
    """A statement's exact words as one paragraph quotes them: text == paragraph.text[start:end]."""

    __tablename__ = "quotes"
    __table_args__ = (
        UniqueConstraint("paragraph_id", "start_offset"),
        CheckConstraint("start_offset >= 0 AND end_offset > start_offset", "span_valid"),
    )

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    paragraph_id: Mapped[int] = mapped_column(
        ForeignKey("paragraphs.id", ondelete="CASCADE"), index=True
    )
    start_offset: Mapped[int] = mapped_column(
        doc="Code-point offset of the first quoted character."
    )
    end_offset: Mapped[int] = mapped_column(doc="Code-point offset just past the last one.")
    text: Mapped[str] = mapped_column(Text)
    needs_review: Mapped[bool] = mapped_column(
        default=False,
        server_default=false(),
        doc="Set when its paragraph is corrected: the span may no longer hold the words.",
    )

    statement: Mapped[Statement] = relationship(back_populates="quotes", lazy="raise")


class StatementReport(HasId, HasProvenance, Base):
    """A paragraph that reports a statement without quoting it (a paraphrase)."""

    __tablename__ = "statement_reports"
    __table_args__ = (UniqueConstraint("statement_id", "paragraph_id"),)

    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    paragraph_id: Mapped[int] = mapped_column(
        ForeignKey("paragraphs.id", ondelete="CASCADE"), index=True
    )
