"""Attributing quotes to speakers and grouping one speaker's quotes into one statement."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from db.models import StatementMedium
from ingest.dates import find_dates
from ingest.entities import Entity, EntityIndex
from ingest.quotes import Cue, QuoteSpan, cue_for, find_quotes

_PRONOUNS = {"it", "he", "she", "they", "its", "his", "her"}
# A description standing for the latest speaker: "the statement", "the spokesperson".
_DESCRIPTION = re.compile(
    r"^(?:the|this|that|a|an)\s+(?:[\w-]+\s+)?(?:statement|spokesperson|spokesman|spokeswoman"
    r"|official|minister|ministry|group|organization|source|communiqué|release|post|letter)$",
    re.IGNORECASE,
)
_REPORTED = re.compile(
    r"(?:^|[.;]\s+|,\s+and\s+)(?P<who>[^.;“”\"]{1,160}?)\s+"
    r"(?P<verb>announced|said|stated|affirmed|declared|confirmed|warned|insisted)\s+that\b"
)


@dataclass
class AttributedQuote:
    span: QuoteSpan
    cue: Cue | None
    speaker: Entity | None
    confidence: float


@dataclass
class StatementDraft:
    speaker: Entity
    quotes: list[AttributedQuote] = field(default_factory=list)
    reported_in: list[int] = field(default_factory=list)
    issued_on: date | None = None
    issued_on_text: str | None = None
    medium: StatementMedium = StatementMedium.OTHER


def _speaker(
    who: str, index: EntityIndex, latest: Entity | None, before: str = ""
) -> tuple[Entity | None, float]:
    """The entity a cue's subject names, or the one it points back to.

    `before` is the paragraph's text ahead of the quote: a pronoun or a description ("he",
    "the spokesperson") points to the last fitting name there, else to the latest speaker.
    """
    phrase = who.strip(" ,;:–—-")
    lowered = phrase.lower()
    if lowered in _PRONOUNS or (_DESCRIPTION.match(phrase) and not index.mentions(phrase)):
        wants_person = {
            "he": True,
            "she": True,
            "his": True,
            "her": True,
            "it": False,
            "its": False,
        }
        wanted = wants_person.get(lowered)
        for mention in reversed(index.mentions(before)):
            if wanted is None or mention.entity.is_person == wanted:
                return mention.entity, 0.75
        return latest, 0.8
    # "a statement issued on Sunday by the Coalition, …": the agent follows "by".
    by = re.search(r"\bby\s+(.*)$", phrase)
    for candidate in (by.group(1) if by else None, phrase):
        if candidate:
            mentions = index.mentions(candidate)
            persons = [m for m in mentions if m.entity.is_person]
            # "WRO coordinator Hanna Lutz": the person the title belongs to is the speaker.
            if persons:
                return persons[-1].entity, 0.9
            if mentions:
                return mentions[0].entity, 0.9
    found = index.find(phrase)
    if found is not None:
        return found, 0.9
    if re.fullmatch(r"(?:[A-Z][\w’'-]+\s+){1,3}[A-Z][\w’'-]+", phrase):
        return index.learn_person(phrase), 0.7
    if _DESCRIPTION.match(re.sub(r"\s.*\bstatement$", " statement", phrase)):
        return latest, 0.6
    return None, 0.0


def _reported_subject(text: str, index: EntityIndex) -> Entity | None:
    subject = None
    for match in _REPORTED.finditer(text):
        mentions = index.mentions(match["who"])
        if mentions:
            subject = mentions[-1].entity
    return subject


def _folded(text: str) -> str:
    return re.sub(r"[^\w ]", "", text.casefold()).strip()


def attribute(paragraphs: list[tuple[int, str]], index: EntityIndex) -> list[AttributedQuote]:
    """Every quote in the paragraphs with its speaker where a cue or the context names one."""
    attributed: list[AttributedQuote] = []
    latest: Entity | None = None
    for position, text in paragraphs:
        spans = find_quotes(position, text)
        if not spans:
            # Reported speech makes a speaker too: "it said" may point back to it later.
            latest = _reported_subject(text, index) or latest
        for number, span in enumerate(spans):
            following = spans[number + 1].start if number + 1 < len(spans) else None
            cue = cue_for(text, span, following)
            speaker, confidence = (None, 0.0)
            if cue is not None:
                speaker, confidence = _speaker(cue.who, index, latest, text[: span.start - 1])
            previous = attributed[-1] if attributed else None
            if speaker is None and previous is not None and previous.speaker is not None:
                # The same sentence's next quote, or a quote running on from the last paragraph.
                same_paragraph = previous.span.paragraph == position
                runs_on = previous.span.open_ended and previous.span.paragraph == position - 1
                if same_paragraph or runs_on:
                    speaker, confidence = previous.speaker, 0.8
            attributed.append(AttributedQuote(span, cue, speaker, confidence))
            if speaker is not None:
                latest = speaker
    # A pull quote repeats words attributed further down: it has their speaker.
    for quote in attributed:
        if quote.speaker is not None:
            continue
        words = _folded(quote.span.text)
        for other in attributed:
            if other.speaker is not None and words and words in _folded(other.span.text):
                quote.speaker, quote.confidence = other.speaker, 0.7
                break
    return attributed


def _medium(cues: list[Cue]) -> StatementMedium:
    words = " ".join(f"{cue.who} {cue.verb}" for cue in cues).lower()
    if "statement" in words:
        return StatementMedium.WRITTEN_STATEMENT
    if "announced" in words:
        return StatementMedium.ANNOUNCEMENT
    if "told" in words or "interview" in words:
        return StatementMedium.INTERVIEW
    if "tweet" in words or "posted" in words:
        return StatementMedium.SOCIAL_MEDIA_POST
    return StatementMedium.OTHER


def group_statements(
    quotes: list[AttributedQuote],
    paragraphs: list[tuple[int, str]],
    index: EntityIndex,
    published: date | None,
) -> list[StatementDraft]:
    """One statement per speaker in the article: its quotes, and paragraphs that only report it."""
    drafts: dict[str, StatementDraft] = {}
    for quote in quotes:
        if quote.speaker is None:
            continue
        draft = drafts.setdefault(quote.speaker.key, StatementDraft(quote.speaker))
        draft.quotes.append(quote)
    for draft in drafts.values():
        cues = [quote.cue for quote in draft.quotes if quote.cue is not None]
        draft.medium = _medium(cues)
        for cue in cues:
            dates = find_dates(cue.who, published)
            if dates:
                draft.issued_on, draft.issued_on_text = dates[0].on, dates[0].phrase
                break
    quoted_in = {quote.span.paragraph for quote in quotes}
    for position, text in paragraphs:
        if position in quoted_in:
            continue
        for match in _REPORTED.finditer(text):
            who = match["who"]
            if who.strip().lower() in _PRONOUNS:
                # "NATO …, and on Saturday, it announced that": the sentence's own subject.
                sentence = text[: match.start("who")]
                mentions = index.mentions(sentence.split(". ")[-1])
                speaker = mentions[0].entity if mentions else None
            else:
                # The name nearest the verb is its subject: "(Outlet) – On Sunday, the X announced".
                mentions = index.mentions(who)
                speaker = mentions[-1].entity if mentions else _speaker(who, index, None)[0]
            if speaker is None:
                continue
            if speaker.key not in drafts:
                drafts[speaker.key] = _reported_only(speaker, match, text, published)
            draft = drafts[speaker.key]
            if position not in draft.reported_in:
                draft.reported_in.append(position)
    return list(drafts.values())


def _reported_only(
    speaker: Entity, match: re.Match[str], text: str, published: date | None
) -> StatementDraft:
    """A statement the article reports without quoting: "on Saturday, it announced that …"."""
    medium = StatementMedium.ANNOUNCEMENT if match["verb"] == "announced" else StatementMedium.OTHER
    draft = StatementDraft(speaker, medium=medium)
    dates = find_dates(text[: match.end()].split(". ")[-1], published)
    if dates:
        draft.issued_on, draft.issued_on_text = dates[-1].on, dates[-1].phrase
    return draft
