"""Which paragraphs mention which persons and organizations, and in what words."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, HasId, HasProvenance


class Mention(HasId, HasProvenance, Base):
    __tablename__ = "mentions"
    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (organization_id IS NULL)", "one_entity"),
        CheckConstraint("start_offset >= 0 AND end_offset > start_offset", "span_valid"),
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
