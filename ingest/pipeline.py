"""From a raw article to a validated ArticleDocument: structure, entities, quotes, statements."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.entities import KnownEntity
from db.models import CreditRole, OrganizationKind, ParagraphKind
from ingest.attribution import attribute, group_statements
from ingest.entities import Entity, EntityIndex, KnownNames, slugify
from ingest.formats import RawArticle
from ingest.structure import recognize_structure
from ingest.votes import find_votes
from newsgraph.document import ArticleDocument

EXTRACTOR_VERSION = "newsgraph-ingest/0.1"
_BYLINE_PREFIX = re.compile(r"^by\s+", re.IGNORECASE)
_BYLINE_NAMES = re.compile(r"\s*(?:,\s*and\s+|,|\band\b|&)\s*")
# Paragraph kinds that can hold someone's words; links and credit lines cannot.
_QUOTABLE = {ParagraphKind.BODY, ParagraphKind.STANDFIRST, ParagraphKind.BLOCKQUOTE}


@dataclass(frozen=True)
class IngestOptions:
    """What the caller knows that the text may not say; a value here wins over the text's."""

    publisher: str | None = None
    published_at: datetime | None = None
    url: str | None = None


def extract_document(
    raw: RawArticle,
    options: IngestOptions = IngestOptions(),
    known: KnownNames | Iterable[KnownEntity] = (),
) -> ArticleDocument:
    """Every record the text supports, linked to `known` entities where names match."""
    known = known if isinstance(known, KnownNames) else KnownNames(known)
    structure = recognize_structure(raw)
    index = EntityIndex(known)
    published_at = options.published_at or raw.published_at
    published = published_at.date() if published_at else None

    publisher = _publisher(index, known, options.publisher, structure.publisher_name, raw)
    paragraphs = list(enumerate((text for _, text in structure.paragraphs), start=1))
    for _, text in paragraphs:
        index.learn(text)
    credited = [(index.learn_person(credit.name), credit.role) for credit in structure.credits]
    # A byline in the source's metadata (HTML author, ninjs byline) names the authors.
    for byline in raw.bylines:
        for name in _BYLINE_NAMES.split(_BYLINE_PREFIX.sub("", byline.strip())):
            if not name.strip():
                continue
            author = (index.learn_person(name.strip()), CreditRole.AUTHOR)
            if author not in credited:
                credited.append(author)

    body = [
        (position, text)
        for position, (kind, text) in enumerate(structure.paragraphs, start=1)
        if kind in _QUOTABLE
    ]
    quotes = attribute(body, index)
    statements = group_statements(quotes, body, index, published)
    votes = find_votes(body, index, published)

    mentions: list[dict[str, Any]] = []
    for position, text in paragraphs:
        for mention in index.mentions(text):
            if mention.entity.is_person:
                # A surname the text uses on its own becomes an alias, as an editor would list it.
                mention.entity.add_alias(mention.text)
            holder = "person" if mention.entity.is_person else "organization"
            mentions.append(
                {
                    "paragraph": position,
                    holder: mention.entity.key,
                    "text": mention.text,
                    "start": mention.start,
                    "end": mention.end,
                }
            )

    used = _referenced(index.entities, statements, credited, publisher, mentions, votes)
    confidences = [quote.confidence for quote in quotes if quote.speaker is not None]
    data: dict[str, Any] = {
        "article": {
            "slug": slugify(structure.headline),
            "headline": structure.headline,
            "standfirst": structure.standfirst,
            "dateline": structure.dateline,
            "publisher": publisher.key if publisher else None,
            "published_at": published_at,
            "url": options.url or raw.url,
            "language": raw.language or "en",
            "credits": [{"person": person.key, "role": role} for person, role in credited],
            "paragraphs": [
                {"position": position, "kind": kind, "text": text}
                for position, (kind, text) in enumerate(structure.paragraphs, start=1)
            ],
        },
        "related_links": [
            {
                "anchor_text": link.anchor_text,
                "paragraph": link.position,
                "target": {
                    "slug": slugify(link.headline),
                    "headline": link.headline,
                    "url": None,
                    "publisher": publisher.key if publisher else None,
                },
            }
            for link in structure.related_links
            if slugify(link.headline) != slugify(structure.headline)
        ],
        "organizations": [_organization(entity) for entity in used if not entity.is_person],
        "persons": [_person(entity, used) for entity in used if entity.is_person],
        "statements": [
            {
                "speaker": {
                    "person" if draft.speaker.is_person else "organization": draft.speaker.key
                },
                "issued_on": draft.issued_on,
                "issued_on_text": draft.issued_on_text,
                "medium": draft.medium,
                "quotes": [
                    {
                        "paragraph": quote.span.paragraph,
                        "text": quote.span.text,
                        "start": quote.span.start,
                        "end": quote.span.end,
                    }
                    for quote in draft.quotes
                ],
                "reported_in": draft.reported_in,
            }
            for draft in statements
        ],
        "votes": votes,
        "mentions": mentions,
        "provenance": {
            "extracted_by": EXTRACTOR_VERSION,
            # The weakest attribution bounds how far the whole document can be trusted.
            "confidence": min(confidences, default=0.5),
            "verified": False,
        },
    }
    return ArticleDocument.model_validate(data)


def _publisher(
    index: EntityIndex,
    known: KnownNames,
    slug: str | None,
    outlet: str | None,
    raw: RawArticle,
) -> Entity | None:
    if slug is not None:
        record = known.get(slug)
        if record is not None and not record.is_person:
            return index.find(record.name)
    name = outlet or raw.publisher_name
    if name is None and slug is None:
        return None
    entity = index.learn_organization(name or slug or "", OrganizationKind.NEWS_OUTLET)
    if slug is not None and not entity.known:
        entity.key = slug
    return entity


def _referenced(
    entities: list[Entity],
    statements: Iterable[Any],
    credited: list[tuple[Entity, Any]],
    publisher: Entity | None,
    mentions: list[dict[str, Any]],
    votes: list[dict[str, Any]],
) -> list[Entity]:
    keys = {entity.key for entity, _ in credited}
    keys.update(draft.speaker.key for draft in statements)
    keys.update(m.get("person") or m["organization"] for m in mentions)
    keys.update(vote["body"] for vote in votes)
    if publisher is not None:
        keys.add(publisher.key)
    used = [entity for entity in entities if entity.key in keys]
    keys_used = {entity.key for entity in used}
    # A membership's organization must be listed too.
    for entity in entities:
        if entity.key not in keys_used and any(
            organization == entity.key for person in used for organization, _ in person.memberships
        ):
            used.append(entity)
    return used


def _organization(entity: Entity) -> dict[str, Any]:
    return {
        "slug": entity.key,
        "name": entity.name,
        "kind": entity.organization_kind,
        "aliases": entity.aliases,
    }


def _person(entity: Entity, used: list[Entity]) -> dict[str, Any]:
    listed = {other.key for other in used}
    return {
        "slug": entity.key,
        "name": entity.name,
        "aliases": entity.aliases,
        "memberships": [
            {"organization": organization, "role": role}
            for organization, role in dict.fromkeys(entity.memberships)
            if organization in listed
        ],
    }
