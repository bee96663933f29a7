"""Organizations (outlets, coalitions, governments, legislatures, militias…) and aliases."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, HasId, HasTimestamps, HasVisibleFrom, enum_type, trigram_index

if TYPE_CHECKING:
    from db.models.persons import Membership


class OrganizationKind(enum.Enum):
    NEWS_OUTLET = "news_outlet"
    MILITARY_COALITION = "military_coalition"
    MILITARY = "military"
    GOVERNMENT = "government"
    GOVERNMENT_BODY = "government_body"
    LEGISLATURE = "legislature"
    POLITICAL_PARTY = "political_party"
    MILITIA = "militia"
    ARMED_GROUP = "armed_group"
    INTERNATIONAL_ORGANIZATION = "international_organization"
    COURT = "court"
    COMPANY = "company"
    OTHER = "other"


class Organization(HasId, HasTimestamps, HasVisibleFrom, Base):
    __tablename__ = "organizations"
    __table_args__ = (Index("ix_organizations_kind_normalized_name", "kind", "normalized_name"),)

    slug: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(Text)
    normalized_name: Mapped[str] = mapped_column(Text, index=True)
    kind: Mapped[OrganizationKind] = mapped_column(enum_type(OrganizationKind, "organization_kind"))
    description: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )

    aliases: Mapped[list[OrganizationAlias]] = relationship(
        back_populates="organization",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="OrganizationAlias.position",
        lazy="raise",
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organization", passive_deletes=True, lazy="raise"
    )


class OrganizationAlias(HasId, Base):
    """Another name an organization goes by, as written ("the US-led Coalition")."""

    __tablename__ = "organization_aliases"
    __table_args__ = (UniqueConstraint("organization_id", "normalized"),)

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text, index=True)
    position: Mapped[int] = mapped_column(default=0)

    organization: Mapped[Organization] = relationship(back_populates="aliases", lazy="raise")


# `organizations(search:)` matches names and aliases by substring.
trigram_index("ix_organizations_normalized_name_trigram", Organization.normalized_name)
trigram_index("ix_organization_aliases_normalized_trigram", OrganizationAlias.normalized)
