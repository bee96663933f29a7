"""Which paragraphs mention which persons and organizations, and in what words."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, HasId, HasProvenance


class Mention(HasId, HasProvenance, Base):
    __tablename__ = "mentions"
    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (organization_id IS NULL)", "one_entity"),
        CheckConstraint("start_offset >= 0 AND end_offset > start_offset", "span_valid"),
        # A span names one person or organization once (NULLs differ, so one each). Named
        # by hand: the conventional names outgrow PostgreSQL's 63 characters.
        UniqueConstraint(
            "paragraph_id",
            "start_offset",
            "end_offset",
            "person_id",
            name="uq_mentions_person_span",
        ),
        UniqueConstraint(
            "paragraph_id",
            "start_offset",
            "end_offset",
            "organization_id",
            name="uq_mentions_organization_span",
        ),
    )

    paragraph_id: Mapped[int] = mapped_column(
        ForeignKey("paragraphs.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text, doc="The words used, as written.")
    start_offset: Mapped[int]
    end_offset: Mapped[int]
