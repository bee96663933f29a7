"""How quotes are compared across outlets: the same words, give or take small differences."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from newsgraph.names import normalize_name

# Below this many words a match says little: "As a result," is in many statements.
MIN_WORDS = 6
# "currently suspended" against "temporarily suspended" in a sentence of twenty words: ~0.9.
SAME_WORDING = 0.85
_NOT_WORDS = re.compile(r"[^\w ]+")


def _words(text: str) -> list[str]:
    return _NOT_WORDS.sub(" ", normalize_name(text)).split()


def similarity(first: str, second: str) -> float:
    """How alike two quotes read, word by word, from 0 to 1; case and punctuation don't count.

    A quote that is a stretch of the other (one outlet quoting less) counts as alike.
    """
    a, b = _words(first), _words(second)
    if min(len(a), len(b)) < MIN_WORDS:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / min(len(a), len(b)) if _contained(a, b) else matcher.ratio()


def _contained(a: list[str], b: list[str]) -> bool:
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return " ".join(shorter) in " ".join(longer)


def same_wording(first: str, second: str) -> bool:
    return similarity(first, second) >= SAME_WORDING
