"""Acceptance: ingesting the seed's raw text reproduces the hand-written seed document."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files

import pytest

from db.entities import KnownEntity
from db.seed import seed_document
from ingest.formats import read_text
from ingest.pipeline import EXTRACTOR_VERSION, IngestOptions, extract_document
from newsgraph.document import ArticleDocument

SEED_TEXT = (files("newsgraph") / "seeds" / "000_05cbda2b39a8e2bf.txt").read_text(encoding="utf-8")
SEED_URL = "https://www.kurdistan24.net/en/news/e8c3eedc-7a22-4c21-bd40-8026ecbddcf8"
# What the raw text lacks, given as `newsgraph ingest --publisher … --published-at … --url …`.
OPTIONS = IngestOptions(
    publisher="kurdistan-24",
    published_at=datetime(2020, 1, 5, 12, tzinfo=UTC),
    url=SEED_URL,
)


@pytest.fixture(scope="module")
def fixture() -> ArticleDocument:
    return seed_document()


@pytest.fixture(scope="module")
def extracted() -> ArticleDocument:
    return extract_document(read_text(SEED_TEXT), OPTIONS)


def _speaker_names(document: ArticleDocument) -> dict[str, str]:
    names = {o.slug: o.name for o in document.organizations}
    names.update((p.slug, p.name) for p in document.persons)
    return names


def _quotes(document: ArticleDocument) -> list[tuple[int, int, int | None, int | None, str, str]]:
    """Every quote as (statement index, paragraph, start, end, text, speaker name)."""
    names = _speaker_names(document)
    return [
        (
            number,
            quote.paragraph,
            quote.start,
            quote.end,
            quote.text,
            names[statement.speaker.person or statement.speaker.organization or ""],
        )
        for number, statement in enumerate(document.statements)
        for quote in statement.quotes
    ]


def test_article_fields_match(extracted, fixture):
    fields = ("slug", "headline", "standfirst", "dateline", "publisher", "published_at", "url")
    for field in fields:
        assert getattr(extracted.article, field) == getattr(fixture.article, field), field


def test_every_paragraph_matches_with_its_kind(extracted, fixture):
    assert [(p.position, p.kind, p.text) for p in extracted.article.paragraphs] == [
        (p.position, p.kind, p.text) for p in fixture.article.paragraphs
    ]


def test_every_quote_matches_text_span_paragraph_and_speaker(extracted, fixture):
    assert _quotes(extracted) == _quotes(fixture)


def test_related_links_match(extracted, fixture):
    assert [link.model_dump() for link in extracted.related_links] == [
        link.model_dump() for link in fixture.related_links
    ]


def test_credits_match(extracted, fixture):
    def credits(document: ArticleDocument) -> list[tuple[str, str]]:
        names = _speaker_names(document)
        return [(names[c.person], c.role.value) for c in document.article.credits]

    assert credits(extracted) == credits(fixture)


def test_statements_match_speaker_date_medium_and_reporting_paragraphs(extracted, fixture):
    def statements(
        document: ArticleDocument,
    ) -> list[tuple[str, object, object, object, list[int]]]:
        names = _speaker_names(document)
        return [
            (
                names[s.speaker.person or s.speaker.organization or ""],
                s.issued_on,
                s.issued_on_text,
                s.medium,
                s.reported_in,
            )
            for s in document.statements
        ]

    assert statements(extracted) == statements(fixture)


def test_votes_match_body_date_status_outcome_and_positions(extracted, fixture):
    def votes(document: ArticleDocument) -> list[tuple[object, ...]]:
        by_key = {v.key: v for v in document.votes}
        return [
            (
                v.held_on,
                v.held_on_text,
                v.status,
                v.outcome,
                [(p.option, p.group_name) for p in v.positions],
                by_key[v.follow_up].held_on_text if v.follow_up else None,
                v.reported_in,
            )
            for v in document.votes
        ]

    assert votes(extracted) == votes(fixture)


def test_memberships_come_from_appositions(extracted):
    memberships = {
        (person.name, organization.name, membership.role)
        for person in extracted.persons
        for membership in person.memberships
        for organization in extracted.organizations
        if organization.slug == membership.organization
    }
    assert memberships == {
        ("Qasim Soleimani", "Quds Force", "head"),
        ("Abu Mahdi al-Muhandis", "Popular Mobilization Forces", "deputy head"),
    }


def test_the_coalition_keeps_the_names_the_text_gives_it(extracted):
    coalition = next(o for o in extracted.organizations if o.name.startswith("Combined Joint"))
    assert set(coalition.aliases) >= {
        "CJTF-OIR",
        "the Coalition",
        "US-led Coalition against the Islamic State",
    }


def test_known_entities_are_linked_by_alias_not_created_again():
    known = [
        KnownEntity(
            "cjtf-oir",
            "Combined Joint Task Force-Operation Inherent Resolve",
            False,
            ("CJTF-OIR", "the US-led Coalition against the Islamic State", "the Coalition"),
        ),
        KnownEntity("kurdistan-24", "Kurdistan 24", False),
    ]

    document = extract_document(read_text(SEED_TEXT), OPTIONS, known)

    speakers = [s.speaker.organization for s in document.statements]
    assert speakers[0] == "cjtf-oir"
    assert [o.slug for o in document.organizations].count("cjtf-oir") == 1


def test_extracted_facts_carry_the_extractor_and_a_confidence(extracted):
    assert extracted.provenance.extracted_by == EXTRACTOR_VERSION
    assert extracted.provenance.confidence is not None
    assert 0 < extracted.provenance.confidence <= 1
    assert extracted.provenance.verified is False


def test_a_surname_used_alone_becomes_an_alias(extracted):
    muhandis = next(p for p in extracted.persons if p.name == "Abu Mahdi al-Muhandis")
    assert muhandis.aliases == ["Muhandis"]


def test_a_head_word_refers_to_this_articles_body_before_a_stored_one():
    known = [
        KnownEntity(
            "iraqi-council-of-representatives",
            "Council of Representatives of Iraq",
            False,
            ("the Council",),
        )
    ]
    text = (
        "Town approves budget\n\nMILLBROOK (Valley Ledger) – The Millbrook Town Council"
        " approved its budget.\n\nThe Council’s vote was unanimous.\n"
    )

    document = extract_document(read_text(text), IngestOptions(), known)

    assert {m.organization for m in document.mentions if m.paragraph == 2} == {
        "millbrook-town-council"
    }
