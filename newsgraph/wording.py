"""How quotes are compared across outlets: the same words, give or take small differences."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from newsgraph.names import normalize_name

# Below this many words a match says little: "As a result," is in many statements.
MIN_WORDS = 6
# "currently suspended" against "temporarily suspended" in a sentence of twenty words: ~0.9.
SAME_WORDING = 0.85
_NOT_WORDS = re.compile(r"[^\w ]+")


# Ingestion compares each new quote with many stored ones: each text is split once.
@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_NOT_WORDS.sub(" ", normalize_name(text)).split())


@lru_cache(maxsize=65536)
def _joined(text: str) -> str:
    return " ".join(_words(text))


def similarity(first: str, second: str) -> float:
    """How alike two quotes read, word by word, from 0 to 1; case and punctuation don't count.

    A quote that is a stretch of the other (one outlet quoting less) counts as alike.
    """
    a, b = _words(first), _words(second)
    if min(len(a), len(b)) < MIN_WORDS:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / min(len(a), len(b)) if _contained(first, second) else matcher.ratio()


def _contained(first: str, second: str) -> bool:
    """Whether the quote of fewer words is a stretch of the other's words."""
    if len(_words(first)) <= len(_words(second)):
        return _joined(first) in _joined(second)
    return _joined(second) in _joined(first)


def same_wording(first: str, second: str) -> bool:
    """similarity(first, second) >= SAME_WORDING, with the cheap refusals first."""
    a, b = _words(first), _words(second)
    if min(len(a), len(b)) < MIN_WORDS:
        return False
    if not _contained(first, second):
        # Then similarity is SequenceMatcher.ratio(), which never exceeds these bounds.
        if 2 * min(len(a), len(b)) / (len(a) + len(b)) < SAME_WORDING:
            return False
        if SequenceMatcher(None, a, b, autojunk=False).quick_ratio() < SAME_WORDING:
            return False
    return similarity(first, second) >= SAME_WORDING
