"""Finding direct quotations and the cue words that say who spoke them."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = {"“": "”", '"': '"', "«": "»", "„": "“"}
_SPEECH_VERBS = (
    r"said|says|stated|states|affirmed|continued|added|announced|noted|wrote|told"
    r"|explained|argued|warned|insisted|declared|claimed|stressed|asserted|replied"
    r"|responded|remarked|tweeted|confirmed|read"
)
# After the closing mark: “…,” it said. / “…,” the statement affirmed, / “…,” said Jane Doe.
_CUE_AFTER_SUBJECT = re.compile(
    rf"^[\s,;:–—-]*(?:and\s+)?(?P<who>[^“”\".;]{{1,200}}?)\s+(?P<verb>{_SPEECH_VERBS})\b"
)
_CUE_AFTER_VERB = re.compile(
    rf"^[\s,;:–—-]*(?P<verb>{_SPEECH_VERBS})\s+(?P<who>[^“”\",.;]{{1,120}})"
)
_CUE_ACCORDING = re.compile(r"according to (?P<who>[^“”\",.;]{1,160})", re.IGNORECASE)
# Before the opening mark: Jane Doe said: “… / The ministry stated that “…
_CUE_BEFORE = re.compile(
    rf"(?P<who>[^“”\".;:]{{1,200}}?)\s+(?P<verb>{_SPEECH_VERBS})"
    r"(?:\s+(?:that|reporters|journalists|the\s+[A-Z][\w’'-]*|[A-Z][\w’'-]*))?\s*[:,]?\s*$"
)
# The sentence before: Mayor Lena Ortiz said the vote ended a decade of delay. “When I …
_CUE_PREVIOUS_SENTENCE = re.compile(
    rf"(?P<who>(?:[A-Z][\w’'-]+\s+){{0,3}}[A-Z][\w’'-]+)\s+(?P<verb>{_SPEECH_VERBS})\b[^.!?“”]*[.!?:]\s*$"
)


@dataclass(frozen=True)
class QuoteSpan:
    """Quoted words in one paragraph, marks excluded; `open_ended` if it runs on past the end."""

    paragraph: int
    start: int
    end: int
    text: str
    open_ended: bool = False


@dataclass(frozen=True)
class Cue:
    """The words naming a quote's speaker ("the CJTF-OIR statement") and the speech verb."""

    who: str
    verb: str
    context: str


def find_quotes(paragraph: int, text: str) -> list[QuoteSpan]:
    """Top-level quotations in a paragraph; nested single quotes stay inside their quote."""
    spans: list[QuoteSpan] = []
    index = 0
    while index < len(text):
        mark = text[index]
        closing = _OPEN.get(mark)
        if closing is None or (mark == '"' and not _opens(text, index)):
            index += 1
            continue
        end = text.find(closing, index + 1)
        open_ended = end == -1
        if open_ended:
            end = len(text)
        start = index + 1
        words = text[start:end]
        # Trailing space before a missing close is layout, not quoted words.
        trimmed = words.rstrip()
        if trimmed:
            spans.append(
                QuoteSpan(paragraph, start, start + len(trimmed), trimmed, open_ended=open_ended)
            )
        index = end + 1
    return spans


def _opens(text: str, index: int) -> bool:
    # A straight mark opens a quote at the start or after space or an opening bracket.
    return index == 0 or text[index - 1] in " \t([—–-"


def cue_for(text: str, span: QuoteSpan, next_start: int | None) -> Cue | None:
    """The cue standing right after the quote, else right before it, in the same sentence."""
    after = text[span.end + 1 : next_start - 1 if next_start is not None else len(text)]
    sentence_after = re.split(r"(?<=[.!?])\s", after, maxsplit=1)[0]
    for pattern in (_CUE_AFTER_VERB, _CUE_AFTER_SUBJECT):
        match = pattern.match(sentence_after)
        if match and not _too_clausal(match["who"]):
            return Cue(match["who"].strip(), match["verb"], sentence_after)
    according = _CUE_ACCORDING.search(sentence_after)
    if according:
        return Cue(according["who"].strip(), "according to", sentence_after)
    before = text[: span.start - 1]
    sentence_before = re.split(r"[.!?”\"]\s", before)[-1]
    match = _CUE_BEFORE.search(sentence_before)
    if match and not _too_clausal(match["who"]):
        return Cue(match["who"].strip(), match["verb"], sentence_before)
    according = _CUE_ACCORDING.search(sentence_before)
    if according:
        return Cue(according["who"].strip(), "according to", sentence_before)
    if not sentence_before.strip():
        previous = _CUE_PREVIOUS_SENTENCE.search(before)
        if previous:
            return Cue(previous["who"], previous["verb"], before)
    return None


def _too_clausal(who: str) -> bool:
    # "…,” and then the minister, who had earlier …": a subject that long is not a cue.
    return len(who.split()) > 25
