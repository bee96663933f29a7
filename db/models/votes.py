"""Votes of a body on a motion or bill: positions per group or member, follow-ups, reports."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, UniqueConstraint
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


class VoteStatus(enum.Enum):
    HELD = "held"
    SCHEDULED = "scheduled"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class VoteOutcome(enum.Enum):
    APPROVED = "approved"
    REJECTED = "rejected"
    TIED = "tied"
    NO_QUORUM = "no_quorum"


class VoteOption(enum.Enum):
    SUPPORT = "support"
    OPPOSE = "oppose"
    ABSTAIN = "abstain"
    ABSENT = "absent"
    BOYCOTT = "boycott"


class Vote(HasId, HasProvenance, HasTimestamps, HasVisibleFrom, Base):
    __tablename__ = "votes"
    __table_args__ = (
        CheckConstraint("status = 'held' OR outcome IS NULL", "outcome_only_when_held"),
        Index("ix_votes_status", "status"),
    )

    body_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    motion: Mapped[str] = mapped_column(Text, doc="What was voted on, as the source words it.")
    held_on: Mapped[date | None] = mapped_column(index=True, doc="Date held, or scheduled for.")
    held_on_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[VoteStatus] = mapped_column(enum_type(VoteStatus, "vote_status"))
    outcome: Mapped[VoteOutcome | None] = mapped_column(enum_type(VoteOutcome, "vote_outcome"))
    follow_up_id: Mapped[int | None] = mapped_column(
        ForeignKey("votes.id", ondelete="SET NULL"), index=True
    )

    positions: Mapped[list[VotePosition]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )


for _name, _leading in (
    ("ix_votes_newest_first", ()),
    ("ix_votes_body_newest_first", (Vote.body_id,)),
):
    postgresql_index(
        _name,
        *_leading,
        Vote.held_on.desc().nulls_last(),
        Vote.id.desc(),
        postgresql_include=VISIBLE_FROM,
    )


class VotePosition(HasId, Base):
    """How one group, organization or person voted, with a head count where known."""

    __tablename__ = "vote_positions"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN group_name IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN organization_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN person_id IS NULL THEN 0 ELSE 1 END) = 1",
            "one_holder",
        ),
        CheckConstraint("voter_count IS NULL OR voter_count >= 0", "count_not_negative"),
        # A person casts one vote; blocs and parties may split between options.
        UniqueConstraint("vote_id", "person_id"),
    )

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    option: Mapped[VoteOption] = mapped_column(enum_type(VoteOption, "vote_option"))
    group_name: Mapped[str | None] = mapped_column(
        Text, doc='A bloc named only in words ("Kurdish parliamentarians").'
    )
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    voter_count: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)


class VoteReport(HasId, Base):
    """A paragraph that reports a vote."""

    __tablename__ = "vote_reports"
    __table_args__ = (UniqueConstraint("vote_id", "paragraph_id"),)

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"))
    paragraph_id: Mapped[int] = mapped_column(
        ForeignKey("paragraphs.id", ondelete="CASCADE"), index=True
    )
