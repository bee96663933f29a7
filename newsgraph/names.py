"""How names are compared: case, accents, apostrophes and a leading "the" don't count."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Typographic variants that writers and outlets use interchangeably.
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
_SPACES = re.compile(r"\s+")
_LEADING_ARTICLE = re.compile(r"^the\s+")


# Ingestion compares the same few thousand names over and over.
@lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """The lookup key of a name: "the US-led Coalition" and "US-LED coalition" share one."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_FOLD))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = _SPACES.sub(" ", stripped.casefold()).strip()
    return _LEADING_ARTICLE.sub("", folded)
