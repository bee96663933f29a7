"""Reading every stored person and organization with its aliases, for linking new text to them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Organization, OrganizationAlias, OrganizationKind, Person, PersonAlias


@dataclass(frozen=True)
class KnownEntity:
    """A stored person or organization: what ingestion links new text to."""

    slug: str
    name: str
    is_person: bool
    aliases: tuple[str, ...] = ()
    organization_kind: OrganizationKind = OrganizationKind.OTHER


async def known_entities(session: AsyncSession) -> list[KnownEntity]:
    """Every stored person and organization with its aliases, in four queries."""
    organization_aliases: dict[int, list[str]] = defaultdict(list)
    for owner, alias in await session.execute(
        select(OrganizationAlias.organization_id, OrganizationAlias.alias).order_by(
            OrganizationAlias.organization_id, OrganizationAlias.position
        )
    ):
        organization_aliases[owner].append(alias)
    person_aliases: dict[int, list[str]] = defaultdict(list)
    for owner, alias in await session.execute(
        select(PersonAlias.person_id, PersonAlias.alias).order_by(
            PersonAlias.person_id, PersonAlias.position
        )
    ):
        person_aliases[owner].append(alias)
    entities = [
        KnownEntity(slug, name, False, tuple(organization_aliases[id_]), kind)
        for id_, slug, name, kind in await session.execute(
            select(Organization.id, Organization.slug, Organization.name, Organization.kind)
        )
    ]
    entities.extend(
        KnownEntity(slug, name, True, tuple(person_aliases[id_]))
        for id_, slug, name in await session.execute(select(Person.id, Person.slug, Person.name))
    )
    return entities
