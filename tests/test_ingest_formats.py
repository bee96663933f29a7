"""Reading raw articles: plain text, HTML and ninjs give the same parts; bad sources say why."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from ingest.dates import resolve
from ingest.formats import FormatError, read_html, read_ninjs, read_source, read_text
from ingest.pipeline import extract_document

HEADLINE = "Harbour board delays dredging vote"
BODY = [
    "PORTVALE (Valley Ledger) – The harbour board postponed its vote on Tuesday.",
    "“We need another month,” board chair Nadia Okafor said.",
]
HTML = f"""<!doctype html><html lang="en-GB"><head><title>Site | {HEADLINE}</title>
<meta property="og:site_name" content="Valley Ledger">
<meta property="article:published_time" content="2024-03-07T09:30:00Z">
<link rel="canonical" href="https://ledger.example/harbour-vote"></head>
<body><nav>Home | News</nav><h1>{HEADLINE}</h1><p>{BODY[0]}</p>
<p>{BODY[1].replace("“", "&ldquo;")}</p><script>var x = 1;</script></body></html>"""
NINJS = json.dumps(
    {
        "uri": "https://ledger.example/harbour-vote",
        "headline": HEADLINE,
        "body_text": "\n\n".join(BODY),
        "versioncreated": "2024-03-07T09:30:00Z",
        "language": "en",
    }
)


def test_plain_text_takes_the_first_block_as_headline():
    raw = read_text(HEADLINE + "\n\n" + "\n\n".join(BODY) + "\n")
    assert (raw.headline, raw.blocks) == (HEADLINE, BODY)


def test_html_gives_the_same_parts_and_its_metadata():
    raw = read_html(HTML)
    assert (raw.headline, raw.blocks) == (HEADLINE, BODY)
    assert raw.url == "https://ledger.example/harbour-vote"
    assert raw.published_at == datetime(2024, 3, 7, 9, 30, tzinfo=UTC)
    assert (raw.publisher_name, raw.language) == ("Valley Ledger", "en")


def test_ninjs_gives_the_same_parts_and_its_metadata():
    raw = read_ninjs(NINJS)
    assert (raw.headline, raw.blocks) == (HEADLINE, BODY)
    assert raw.url == "https://ledger.example/harbour-vote"
    assert raw.published_at == datetime(2024, 3, 7, 9, 30, tzinfo=UTC)


def test_the_reader_is_chosen_by_file_name():
    assert read_source(NINJS, "a.json").headline == HEADLINE
    assert read_source(HTML, "a.html").headline == HEADLINE


@pytest.mark.parametrize(
    ("text", "name", "reason"),
    [
        ("", "empty.txt", "empty"),
        ("Only a headline\n", "short.txt", "no body"),
        ("{not json", "broken.json", "malformed JSON"),
        ('{"headline": "x"}', "nobody.json", "no body_text"),
        ('{"headline": "x", "body_text": "y", "versioncreated": "soon"}', "t.json", "ISO 8601"),
    ],
)
def test_a_broken_source_says_why(text, name, reason):
    with pytest.raises(FormatError, match=reason):
        read_source(text, name)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("on Sunday", date(2020, 1, 5)),
        ("late on Sunday", date(2020, 1, 5)),
        ("on Saturday", date(2020, 1, 4)),
        ("Friday’s", date(2020, 1, 3)),
        ("next Saturday", date(2020, 1, 11)),
        ("last Sunday", date(2019, 12, 29)),
        ("yesterday", date(2020, 1, 4)),
    ],
)
def test_weekday_phrases_resolve_against_the_publication_date(phrase, expected):
    assert resolve(phrase, date(2020, 1, 5)) == expected


def test_a_ninjs_byline_credits_its_authors():
    data = json.loads(NINJS) | {"byline": "By Jonah Pike and Rosa Lindqvist"}

    document = extract_document(read_ninjs(json.dumps(data)))

    names = {p.slug: p.name for p in document.persons}
    assert [(names[c.person], c.role.value) for c in document.article.credits] == [
        ("Jonah Pike", "author"),
        ("Rosa Lindqvist", "author"),
    ]
