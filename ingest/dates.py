"""Resolving weekday and relative date phrases ("late on Sunday", "next Saturday")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_PHRASE = re.compile(
    r"\b(?P<phrase>(?:(?:late|early) on |on |next |last |this )?"
    r"(?P<day>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"|yesterday|today|tomorrow)(?P<possessive>[’']s)?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DatePhrase:
    """A date as the text words it, where it stands, and the calendar day it means."""

    phrase: str
    start: int
    end: int
    on: date


def resolve(phrase: str, published: date) -> date | None:
    """The day a phrase means, read on `published`; None for words that name no day."""
    words = phrase.lower().replace("’", "'").removesuffix("'s").split()
    if not words:
        return None
    last = words[-1]
    offsets = {"yesterday": -1, "today": 0, "tomorrow": 1}
    if last in offsets:
        return published + timedelta(days=offsets[last])
    if last not in _WEEKDAYS:
        return None
    back = (published.weekday() - _WEEKDAYS.index(last)) % 7
    if words[0] == "next":
        return published + timedelta(days=(7 - back) % 7 or 7)
    if words[0] == "last" and back == 0:
        return published - timedelta(days=7)
    # News reports the week behind it: a bare weekday is the latest one on or before publication.
    return published - timedelta(days=back)


def find_dates(text: str, published: date | None) -> list[DatePhrase]:
    """Every resolvable date phrase in `text`, in order; none without a publication date."""
    if published is None:
        return []
    found = []
    for match in _PHRASE.finditer(text):
        phrase = match["phrase"]
        on = resolve(phrase, published)
        if on is not None:
            found.append(DatePhrase(phrase, match.start("phrase"), match.end("phrase"), on))
    return found
