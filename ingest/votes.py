"""Recognizing reported votes: approved or rejected bills, boycotts, scheduled votes."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from db.models import OrganizationKind, VoteOption, VoteOutcome, VoteStatus
from ingest.dates import find_dates
from ingest.entities import EntityIndex

_BODY_KINDS = {OrganizationKind.LEGISLATURE, OrganizationKind.GOVERNMENT_BODY}
# "the vote of the Iraqi parliament late on Sunday, when it approved a draft bill, calling for …"
_HELD = re.compile(
    r"\b(?P<verb>approved|passed|rejected|voted down|adopted)\s+(?:a|the)\s+"
    r"(?P<motion>(?:draft\s+)?(?:bill|resolution|motion|law|measure|budget)"
    r"(?:,?\s+(?:calling for|to|on|that)\s+[^.;]+)?)",
    re.IGNORECASE,
)
_SCHEDULED = re.compile(
    r"\b(?:a|the)\s+(?:formal\s+|final\s+)?vote\s+on\s+(?P<motion>[^.;]+?)\s+is\s+"
    r"(?:scheduled|expected|set|due)\s+(?:for\s+)?(?P<when>[^.;]+)",
    re.IGNORECASE,
)
_BOYCOTT = re.compile(
    r"(?P<group>(?:[A-Z]\w+\s+(?:and\s+)?)+)(?P<who>parliamentarians|lawmakers"
    r"|members|MPs|deputies)\s+boycotted\b"
)
_SUPPORTED_BY = re.compile(
    r"\bwas\s+(?:approved|supported|backed)\s+by\s+(?:the\s+)?(?:[\w’']+[’']s\s+)?"
    r"(?P<group>[A-Z]\w+\s+(?:members|parliamentarians|lawmakers|MPs|deputies))"
)

_OUTCOMES = {
    "approved": VoteOutcome.APPROVED,
    "passed": VoteOutcome.APPROVED,
    "adopted": VoteOutcome.APPROVED,
    "rejected": VoteOutcome.REJECTED,
    "voted down": VoteOutcome.REJECTED,
}


def find_votes(
    paragraphs: list[tuple[int, str]], index: EntityIndex, published: date | None
) -> list[dict[str, Any]]:
    """Held votes with the positions of the blocs the text names, and the votes scheduled next."""
    votes: list[dict[str, Any]] = []
    held: dict[str, Any] | None = None
    for position, text in paragraphs:
        body = _body(text, index)
        match = _HELD.search(text)
        if match and body is not None and held is None:
            dates = find_dates(text[: match.start()], published)
            held = {
                "key": f"vote-{len(votes) + 1}",
                "body": body,
                "motion": _sentence_case(match["motion"]),
                "held_on": dates[-1].on if dates else None,
                "held_on_text": dates[-1].phrase if dates else None,
                "status": VoteStatus.HELD,
                "outcome": _OUTCOMES[match["verb"].lower()],
                "positions": [],
                "reported_in": [position],
            }
            votes.append(held)
            continue
        if held is not None:
            positions = _positions(text)
            if positions:
                held["positions"].extend(positions)
                held["reported_in"].append(position)
                continue
        scheduled = _SCHEDULED.search(text)
        if scheduled and (body is not None or held is not None):
            dates = find_dates(scheduled["when"], published)
            vote = {
                "key": f"vote-{len(votes) + 1}",
                "body": body or (held["body"] if held else None),
                "motion": f"Vote on {scheduled['motion'].strip()}",
                "held_on": dates[0].on if dates else None,
                "held_on_text": dates[0].phrase if dates else None,
                "status": VoteStatus.SCHEDULED,
                "positions": [],
                "reported_in": [position],
            }
            if held is not None and held.get("follow_up") is None:
                held["follow_up"] = vote["key"]
            votes.append(vote)
    return votes


def _sentence_case(words: str) -> str:
    words = words.strip()
    return words[:1].upper() + words[1:]


def _body(text: str, index: EntityIndex) -> str | None:
    for mention in index.mentions(text):
        if mention.entity.organization_kind in _BODY_KINDS:
            return mention.entity.key
    return None


def _positions(text: str) -> list[dict[str, Any]]:
    positions: list[dict[str, Any]] = []
    for match in _BOYCOTT.finditer(text):
        for group in re.split(r"\s+and\s+", match["group"].strip()):
            positions.append(
                {"option": VoteOption.BOYCOTT, "group_name": f"{group} {match['who']}"}
            )
    for match in _SUPPORTED_BY.finditer(text):
        positions.append({"option": VoteOption.SUPPORT, "group_name": match["group"]})
    return positions
