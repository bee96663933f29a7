"""Recognizing an article's parts: standfirst, dateline, body, related links and credits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from db.models import CreditRole, ParagraphKind
from ingest.formats import RawArticle

# "WASHINGTON DC (Kurdistan 24) – ": a capitalized place, the outlet in brackets, a dash.
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.' -]*[A-Z.])(?:,\s*[A-Z][A-Za-z.' -]*)?\s*"
    r"(?:\((?P<outlet>[^()]{2,60})\))?\s*[–—-]{1,2}\s+\S"
)
_RELATED = re.compile(r"^(?:read|see) (?:more|also)\s*:\s*(?P<headline>\S.*)$", re.IGNORECASE)
_CREDIT = re.compile(
    r"^(?P<label>(?:additional )?reporting|editing|writing|written|translated|translation"
    r"|photos?|photography)\s+by\s+(?P<names>.+?)\.?$",
    re.IGNORECASE,
)
_CREDIT_ROLES = {
    "reporting": CreditRole.REPORTER,
    "additional reporting": CreditRole.CONTRIBUTOR,
    "editing": CreditRole.EDITOR,
    "writing": CreditRole.AUTHOR,
    "written": CreditRole.AUTHOR,
    "translated": CreditRole.TRANSLATOR,
    "translation": CreditRole.TRANSLATOR,
    "photo": CreditRole.PHOTOGRAPHER,
    "photos": CreditRole.PHOTOGRAPHER,
    "photography": CreditRole.PHOTOGRAPHER,
}
_NAME_LIST = re.compile(r"\s*(?:,\s*and\s+|,|\band\b|&|;)\s*")
_WHOLE_QUOTE = re.compile(r"^[“\"].*[”\"]$")


@dataclass(frozen=True)
class Credit:
    name: str
    role: CreditRole


@dataclass(frozen=True)
class RelatedLink:
    position: int
    anchor_text: str
    headline: str


@dataclass
class Structure:
    """The article's parts; paragraph positions run from 1 in reading order."""

    headline: str
    paragraphs: list[tuple[ParagraphKind, str]]
    standfirst: str | None = None
    dateline: str | None = None
    publisher_name: str | None = None
    related_links: list[RelatedLink] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)


def recognize_structure(raw: RawArticle) -> Structure:
    """Classify every block; the first dateline opening marks where the body starts."""
    structure = Structure(headline=raw.headline, paragraphs=[])
    dateline_at = next(
        (index for index, block in enumerate(raw.blocks) if _DATELINE.match(block)), None
    )
    for index, block in enumerate(raw.blocks):
        position = index + 1
        related = _RELATED.match(block)
        credit = _CREDIT.match(block)
        if related:
            kind = ParagraphKind.RELATED_LINK
            headline = related["headline"].strip()
            structure.related_links.append(RelatedLink(position, block, headline))
        elif credit and len(block) < 200:
            kind = ParagraphKind.CREDIT
            role = _CREDIT_ROLES[credit["label"].lower()]
            structure.credits.extend(
                Credit(name, role) for name in _NAME_LIST.split(credit["names"]) if name
            )
        elif _is_standfirst(index, block, dateline_at):
            kind = ParagraphKind.STANDFIRST
            if structure.standfirst is None:
                structure.standfirst = block
        else:
            kind = ParagraphKind.BODY
        if index == dateline_at:
            match = _DATELINE.match(block)
            assert match is not None
            structure.dateline = match["place"].strip()
            structure.publisher_name = match["outlet"] and match["outlet"].strip()
        structure.paragraphs.append((kind, block))
    return structure


def _is_standfirst(index: int, block: str, dateline_at: int | None) -> bool:
    # Before the dateline everything is standfirst; with none, only a lone pull quote at the top.
    if dateline_at is not None:
        return index < dateline_at
    return index == 0 and bool(_WHOLE_QUOTE.match(block))
