"""People, their aliases and their memberships of organizations over time (Popolo-style)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, HasId, HasProvenance, HasTimestamps, HasVisibleFrom, trigram_index

if TYPE_CHECKING:
    from db.models.organizations import Organization


class Person(HasId, HasTimestamps, HasVisibleFrom, Base):
    __tablename__ = "persons"

    slug: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(Text)
    normalized_name: Mapped[str] = mapped_column(Text, index=True)
    description: Mapped[str | None] = mapped_column(Text)

    aliases: Mapped[list[PersonAlias]] = relationship(
        back_populates="person",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PersonAlias.position",
        lazy="raise",
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )


class PersonAlias(HasId, Base):
    """Another name a person goes by, as written ("Muhandis")."""

    __tablename__ = "person_aliases"
    __table_args__ = (UniqueConstraint("person_id", "normalized"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text, index=True)
    position: Mapped[int] = mapped_column(default=0)

    person: Mapped[Person] = relationship(back_populates="aliases", lazy="raise")


# `persons(search:)` matches names and aliases by substring.
trigram_index("ix_persons_normalized_name_trigram", Person.normalized_name)
trigram_index("ix_person_aliases_normalized_trigram", PersonAlias.normalized)


class Membership(HasId, HasProvenance, HasTimestamps, Base):
    """A person's role in an organization, between dates where they are known."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint(
            "end_on IS NULL OR start_on IS NULL OR start_on <= end_on", "dates_ordered"
        ),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str | None] = mapped_column(Text)
    start_on: Mapped[date | None]
    end_on: Mapped[date | None]
    # An editor's fact is shown to everyone and outlives the articles that state it; any
    # other membership exists only while an article supports it (MembershipSource).
    entered_by_editor: Mapped[bool] = mapped_column(default=False, server_default=false())

    person: Mapped[Person] = relationship(back_populates="memberships", lazy="raise")
    organization: Mapped[Organization] = relationship(back_populates="memberships", lazy="raise")


class MembershipSource(Base):
    """An article whose text states a membership: one row per article and membership."""

    __tablename__ = "membership_sources"

    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
