"""Precision, recall and F1 of quote, speaker and entity extraction over the gold set.

    .venv/bin/python -m bench.extraction [--verbose]

The gold set is the seed (its hand-written fixture) and the articles under bench/gold/,
written for this project with a hand-made annotation beside each.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from db.seed import seed_document
from ingest.formats import read_text
from ingest.pipeline import IngestOptions, extract_document
from newsgraph.document import ArticleDocument
from newsgraph.names import normalize_name

GOLD = Path(__file__).resolve().parent / "gold"
SEED_TEXT = (
    Path(__file__).resolve().parent.parent / "newsgraph" / "seeds" / "000_05cbda2b39a8e2bf.txt"
)

Span = tuple[int, str]


@dataclass
class Gold:
    name: str
    text: str
    published_at: datetime
    quotes: dict[Span, str]
    mentions: dict[Span, str]
    publisher: str | None = None


@dataclass
class Score:
    true_positives: int = 0
    predicted: int = 0
    expected: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.true_positives += other.true_positives
        self.predicted += other.predicted
        self.expected += other.expected

    def row(self, label: str) -> str:
        precision = self.true_positives / self.predicted if self.predicted else 0.0
        recall = self.true_positives / self.expected if self.expected else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return (
            f"{label:<22} {precision:>9.3f} {recall:>7.3f} {f1:>7.3f}"
            f"   ({self.true_positives} right of {self.predicted} found, {self.expected} expected)"
        )


def _names(document: ArticleDocument) -> dict[str, set[str]]:
    """Every entity key of the document with all the names it goes by, normalized."""
    names: dict[str, set[str]] = {}
    for organization in document.organizations:
        names[organization.slug] = {
            normalize_name(n) for n in [organization.name, *organization.aliases]
        }
    for person in document.persons:
        names[person.slug] = {normalize_name(n) for n in [person.name, *person.aliases]}
    return names


def _seed_gold() -> Gold:
    fixture = seed_document()
    by_key = {o.slug: o.name for o in fixture.organizations}
    by_key.update((p.slug, p.name) for p in fixture.persons)
    quotes = {
        (q.paragraph, q.text): by_key[s.speaker.person or s.speaker.organization or ""]
        for s in fixture.statements
        for q in s.quotes
    }
    mentions = {
        (m.paragraph, m.text): by_key[m.person or m.organization or ""] for m in fixture.mentions
    }
    assert fixture.article.published_at is not None
    return Gold(
        "seed (Kurdistan 24)",
        SEED_TEXT.read_text(encoding="utf-8"),
        fixture.article.published_at,
        quotes,
        mentions,
        publisher="kurdistan-24",
    )


def _written_gold(path: Path) -> Gold:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    published_at = data["published_at"]
    if isinstance(published_at, str):
        published_at = datetime.fromisoformat(published_at.replace("Z", "+00:00"))
    return Gold(
        path.stem,
        (path.parent / data["source"]).read_text(encoding="utf-8"),
        published_at,
        {(q["paragraph"], q["text"]): q["speaker"] for q in data["quotes"]},
        {(m["paragraph"], m["text"]): m["entity"] for m in data["mentions"]},
    )


def gold_set() -> list[Gold]:
    return [_seed_gold(), *(_written_gold(p) for p in sorted(GOLD.glob("*.yaml")))]


def score(gold: Gold) -> tuple[Score, Score, Score]:
    options = IngestOptions(publisher=gold.publisher, published_at=gold.published_at)
    document = extract_document(read_text(gold.text), options)
    names = _names(document)
    found_quotes: dict[Span, str] = {
        (q.paragraph, q.text): s.speaker.person or s.speaker.organization or ""
        for s in document.statements
        for q in s.quotes
    }
    found_mentions: dict[Span, str] = {
        (m.paragraph, m.text): m.person or m.organization or "" for m in document.mentions
    }

    quotes = Score(
        len(found_quotes.keys() & gold.quotes.keys()), len(found_quotes), len(gold.quotes)
    )
    quotes.misses = [f"quote {k}" for k in gold.quotes.keys() - found_quotes.keys()]
    quotes.misses += [f"extra quote {k}" for k in found_quotes.keys() - gold.quotes.keys()]

    speakers = Score(predicted=len(found_quotes), expected=len(gold.quotes))
    for span, key in found_quotes.items():
        expected = gold.quotes.get(span)
        if expected is not None and normalize_name(expected) in names.get(key, set()):
            speakers.true_positives += 1
        elif expected is not None:
            speakers.misses.append(f"speaker of {span}: {key}, expected {expected}")

    entities = Score(predicted=len(found_mentions), expected=len(gold.mentions))
    for span, key in found_mentions.items():
        expected = gold.mentions.get(span)
        if expected is not None and normalize_name(expected) in names.get(key, set()):
            entities.true_positives += 1
        else:
            entities.misses.append(f"mention {span}: {key}, expected {expected}")
    entities.misses += [f"missed mention {k}" for k in gold.mentions.keys() - found_mentions.keys()]
    return quotes, speakers, entities


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    groups = {"development": (Score(), Score(), Score()), "held out": (Score(), Score(), Score())}
    labels = ("quote detection", "speaker attribution", "entity linking")
    print(f"{'':<22} {'precision':>9} {'recall':>7} {'F1':>7}")
    for gold in gold_set():
        scores = score(gold)
        # Held-out articles were written after the rules were frozen; the rest shaped them.
        group = groups["held out" if gold.name.startswith("heldout-") else "development"]
        print(f"\n{gold.name}")
        for label, result, total in zip(labels, scores, group, strict=True):
            print("  " + result.row(label))
            total.add(result)
            if args.verbose:
                for miss in result.misses:
                    print(f"      {miss}")
    for name, totals in groups.items():
        print(f"\nall {name} articles")
        for label, total in zip(labels, totals, strict=True):
            print("  " + total.row(label))
    return 0


if __name__ == "__main__":
    sys.exit(main())
