"""Editor mutations: typed payloads, nothing half-written, every change in the revision history."""

from __future__ import annotations

from typing import Any

import pytest

from db.seed import SEED_ARTICLE_SLUG
from tests.support import bearer, count_sql, graphql, graphql_response, issue_key

CREATE_ARTICLE = """
mutation($input: ArticleCreateInput!) {
  articleCreate(input: $input) { article { id slug status } errors { field message code } }
}
"""
PUBLISH = """
mutation($id: ID!, $until: DateTime) {
  articlePublish(id: $id, embargoedUntil: $until) {
    article { status publishedAt embargoedUntil } errors { field code }
  }
}
"""
UNPUBLISH = (
    """mutation($id: ID!) { articleUnpublish(id: $id) { article { status } errors { code } } }"""
)
DELETE_ARTICLE = """mutation($id: ID!) { articleDelete(id: $id) { deletedId errors { code } } }"""
UPDATE_ARTICLE = """
mutation($id: ID!, $input: ArticleUpdateInput!) {
  articleUpdate(id: $id, input: $input) { article { headline standfirst } errors { field code } }
}
"""
ADD_PARAGRAPH = """
mutation($article: ID!, $text: String!, $position: Int) {
  paragraphCreate(articleId: $article, kind: BODY, text: $text, position: $position) {
    paragraph { id position } errors { field code }
  }
}
"""
CORRECT_PARAGRAPH = """
mutation($id: ID!, $text: String!) {
  paragraphCorrect(id: $id, text: $text) { paragraph { text quotes { id needsReview } } errors { code } }
}
"""
CREATE_STATEMENT = """
mutation($speaker: ID!) {
  statementCreate(input: {speakerId: $speaker, medium: INTERVIEW, summary: "Said so."}) {
    statement { id speaker { ... on Person { slug } } } errors { field code }
  }
}
"""
CREATE_QUOTE = """
mutation($input: QuoteCreateInput!) {
  quoteCreate(input: $input) { quote { id text start end needsReview } errors { field message code } }
}
"""
CORRECT_QUOTE = """
mutation($id: ID!, $start: Int!, $end: Int!) {
  quoteCorrect(id: $id, start: $start, end: $end) { quote { text needsReview } errors { field code } }
}
"""
REVISIONS = """
query($of: ID!) { revisions(of: $of) { totalCount edges { node { action entityId keyName changes } } } }
"""
ARTICLE = """
query($slug: String!) {
  article(slug: $slug) { id status paragraphs { id position text quotes { id } } }
}
"""
PERSON = """query { person(slug: "qasim-soleimani") { id } }"""


@pytest.fixture
async def editor(fresh_database) -> dict[str, str]:
    issued = await issue_key(fresh_database.app, "editor", "Night desk")
    return bearer(issued.secret)


async def edit(database, headers, query, variables=None) -> dict[str, Any]:
    return await graphql(database.client, query, variables, headers=headers)


async def new_article(database, headers, slug="a-new-report") -> str:
    data = await edit(
        database, headers, CREATE_ARTICLE, {"input": {"slug": slug, "headline": "A new report"}}
    )
    assert data["articleCreate"]["errors"] == []
    article_id: str = data["articleCreate"]["article"]["id"]
    return article_id


async def seed_article(database, headers) -> dict[str, Any]:
    data = await edit(database, headers, ARTICLE, {"slug": SEED_ARTICLE_SLUG})
    article: dict[str, Any] = data["article"]
    return article


@pytest.mark.parametrize("role", [None, "partner"], ids=["public", "partner"])
async def test_only_editors_may_change_anything(fresh_database, role):
    headers = bearer((await issue_key(fresh_database.app, role)).secret) if role else {}

    response = await graphql_response(
        fresh_database.client,
        CREATE_ARTICLE,
        {"input": {"slug": "sneaky", "headline": "Sneaky"}},
        headers=headers,
    )

    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await graphql(fresh_database.client, ARTICLE, {"slug": "sneaky"}))["article"] is None


async def test_a_new_article_is_a_draft_the_public_sees_only_once_published(fresh_database, editor):
    article_id = await new_article(fresh_database, editor)
    public = fresh_database.client
    assert (await graphql(public, ARTICLE, {"slug": "a-new-report"}))["article"] is None

    published = await edit(fresh_database, editor, PUBLISH, {"id": article_id})

    assert published["articlePublish"]["article"]["status"] == "PUBLISHED"
    assert (await graphql(public, ARTICLE, {"slug": "a-new-report"}))["article"] is not None


async def test_unpublishing_withdraws_the_article_from_the_public(fresh_database, editor):
    article_id = (await seed_article(fresh_database, editor))["id"]

    data = await edit(fresh_database, editor, UNPUBLISH, {"id": article_id})

    assert data["articleUnpublish"]["article"]["status"] == "WITHDRAWN"
    public = await graphql(fresh_database.client, ARTICLE, {"slug": SEED_ARTICLE_SLUG})
    assert public["article"] is None


async def test_publishing_with_an_embargo_embargoes_until_then(fresh_database, editor):
    article_id = await new_article(fresh_database, editor)

    data = await edit(
        fresh_database, editor, PUBLISH, {"id": article_id, "until": "2999-01-01T00:00:00Z"}
    )

    assert data["articlePublish"]["article"] == {
        "status": "EMBARGOED",
        "publishedAt": "2999-01-01T00:00:00+00:00",
        "embargoedUntil": "2999-01-01T00:00:00+00:00",
    }


async def test_an_embargo_must_end_in_the_future(fresh_database, editor):
    article_id = await new_article(fresh_database, editor)

    data = await edit(
        fresh_database, editor, PUBLISH, {"id": article_id, "until": "2001-01-01T00:00:00Z"}
    )

    assert data["articlePublish"] == {
        "article": None,
        "errors": [{"field": "embargoedUntil", "code": "INVALID"}],
    }


async def test_a_taken_slug_is_a_conflict_and_nothing_is_written(fresh_database, editor):
    data = await edit(
        fresh_database,
        editor,
        CREATE_ARTICLE,
        {"input": {"slug": SEED_ARTICLE_SLUG, "headline": "Duplicate"}},
    )

    assert data["articleCreate"]["article"] is None
    assert [(e["field"], e["code"]) for e in data["articleCreate"]["errors"]] == [
        ("slug", "CONFLICT")
    ]


async def test_update_changes_only_the_fields_given_and_null_clears(fresh_database, editor):
    article_id = (await seed_article(fresh_database, editor))["id"]

    data = await edit(
        fresh_database,
        editor,
        UPDATE_ARTICLE,
        {"id": article_id, "input": {"standfirst": None}},
    )

    assert data["articleUpdate"]["article"] == {
        "headline": "US-led Coalition suspends anti-ISIS operations",
        "standfirst": None,
    }


async def test_a_paragraph_inserted_first_moves_the_others_down(fresh_database, editor):
    article = await seed_article(fresh_database, editor)

    data = await edit(
        fresh_database,
        editor,
        ADD_PARAGRAPH,
        {"article": article["id"], "text": "An editor's note.", "position": 1},
    )

    assert data["paragraphCreate"]["paragraph"]["position"] == 1
    after = await seed_article(fresh_database, editor)
    assert [p["position"] for p in after["paragraphs"]] == list(range(1, 19))
    assert after["paragraphs"][1]["id"] == article["paragraphs"][0]["id"]


async def test_a_paragraph_position_past_the_end_is_refused(fresh_database, editor):
    article = await seed_article(fresh_database, editor)

    data = await edit(
        fresh_database,
        editor,
        ADD_PARAGRAPH,
        {"article": article["id"], "text": "x", "position": 30},
    )

    assert data["paragraphCreate"]["errors"] == [{"field": "position", "code": "INVALID"}]


async def test_correcting_a_paragraph_flags_its_quotes_and_is_recorded(fresh_database, editor):
    paragraph = (await seed_article(fresh_database, editor))["paragraphs"][6]  # two quotes

    corrected = await edit(
        fresh_database, editor, CORRECT_PARAGRAPH, {"id": paragraph["id"], "text": "Corrected."}
    )
    history = await edit(fresh_database, editor, REVISIONS, {"of": paragraph["id"]})

    quotes = corrected["paragraphCorrect"]["paragraph"]["quotes"]
    assert len(quotes) == 2 and all(quote["needsReview"] for quote in quotes)
    [revision] = [edge["node"] for edge in history["revisions"]["edges"]]
    assert revision["action"] == "CORRECT"
    assert revision["keyName"] == "Night desk"
    assert revision["changes"]["text"][1] == "Corrected."
    assert len(revision["changes"]["quotes_flagged_for_review"][1]) == 2


ANCHORS = """
query($slug: String!) {
  article(slug: $slug) {
    paragraphs {
      id text
      quotes { id start end text needsReview }
      mentions { id start end text }
    }
  }
}
"""


async def anchored_paragraphs(database, headers) -> dict[str, dict[str, Any]]:
    """The seed's paragraphs by ID, with their quotes and mentions."""
    data = await edit(database, headers, ANCHORS, {"slug": SEED_ARTICLE_SLUG})
    return {paragraph["id"]: paragraph for paragraph in data["article"]["paragraphs"]}


def outside_quotes(paragraph: dict[str, Any]) -> list[dict[str, Any]]:
    """The paragraph's mentions that no quote covers."""
    return [
        mention
        for mention in paragraph["mentions"]
        if not any(q["start"] <= mention["start"] < q["end"] for q in paragraph["quotes"])
    ]


def words_at(text: str, anchored: dict[str, Any]) -> str:
    return text[anchored["start"] : anchored["end"]]


async def test_quotes_and_mentions_follow_their_words_through_a_correction(fresh_database, editor):
    paragraphs = await anchored_paragraphs(fresh_database, editor)
    before = next(p for p in paragraphs.values() if p["quotes"] and p["mentions"])
    corrected = "Correction: " + before["text"]

    data = await edit(
        fresh_database, editor, CORRECT_PARAGRAPH, {"id": before["id"], "text": corrected}
    )
    after = (await anchored_paragraphs(fresh_database, editor))[before["id"]]
    history = await edit(fresh_database, editor, REVISIONS, {"of": before["id"]})

    assert data["paragraphCorrect"]["errors"] == []
    assert after["text"] == corrected
    shift = len("Correction: ")
    for kind in ("quotes", "mentions"):
        assert [(a["id"], a["start"], a["end"], a["text"]) for a in after[kind]] == [
            (b["id"], b["start"] + shift, b["end"] + shift, b["text"]) for b in before[kind]
        ]
        assert all(words_at(corrected, a) == a["text"] for a in after[kind])
    assert not any(quote["needsReview"] for quote in after["quotes"])
    [revision] = [edge["node"] for edge in history["revisions"]["edges"]]
    assert "quotes_flagged_for_review" not in revision["changes"]
    assert "mentions_removed" not in revision["changes"]


async def test_a_correction_of_quoted_or_naming_words_flags_the_quote_and_drops_the_mention(
    fresh_database, editor
):
    paragraphs = await anchored_paragraphs(fresh_database, editor)
    before = next(p for p in paragraphs.values() if p["quotes"] and outside_quotes(p))
    [quote] = before["quotes"]
    dropped = outside_quotes(before)[0]
    # One character of the quoted words and one of the mention's words change.
    changed = {quote["start"], dropped["start"]}
    corrected = "".join("#" if i in changed else c for i, c in enumerate(before["text"]))

    await edit(fresh_database, editor, CORRECT_PARAGRAPH, {"id": before["id"], "text": corrected})
    after = (await anchored_paragraphs(fresh_database, editor))[before["id"]]
    history = await edit(fresh_database, editor, REVISIONS, {"of": before["id"]})

    assert [q["needsReview"] for q in after["quotes"]] == [True]
    kept = [m for m in before["mentions"] if m["id"] != dropped["id"]]
    assert kept, "the paragraph should have mentions the correction left alone"
    assert [(m["id"], m["start"], m["end"]) for m in after["mentions"]] == [
        (m["id"], m["start"], m["end"]) for m in kept
    ]
    assert all(words_at(corrected, m) == m["text"] for m in after["mentions"])
    [revision] = [edge["node"] for edge in history["revisions"]["edges"]]
    assert len(revision["changes"]["quotes_flagged_for_review"][1]) == 1
    assert len(revision["changes"]["mentions_removed"][1]) == 1


async def test_correcting_a_quote_span_clears_its_review_flag(fresh_database, editor):
    paragraph = (await seed_article(fresh_database, editor))["paragraphs"][6]
    text = "“As a result,” the statement said."
    corrected = await edit(
        fresh_database, editor, CORRECT_PARAGRAPH, {"id": paragraph["id"], "text": text}
    )
    quote_id = corrected["paragraphCorrect"]["paragraph"]["quotes"][0]["id"]

    data = await edit(
        fresh_database, editor, CORRECT_QUOTE, {"id": quote_id, "start": 1, "end": 13}
    )

    assert data["quoteCorrect"] == {
        "quote": {"text": "As a result,", "needsReview": False},
        "errors": [],
    }


async def test_a_quote_takes_its_words_from_the_span_of_its_paragraph(fresh_database, editor):
    paragraph = (await seed_article(fresh_database, editor))["paragraphs"][3]
    person = (await graphql(fresh_database.client, PERSON))["person"]["id"]
    statement = await edit(fresh_database, editor, CREATE_STATEMENT, {"speaker": person})
    statement_id = statement["statementCreate"]["statement"]["id"]

    data = await edit(
        fresh_database,
        editor,
        CREATE_QUOTE,
        {
            "input": {
                "statementId": statement_id,
                "paragraphId": paragraph["id"],
                "start": 0,
                "end": 8,
            }
        },
    )

    assert data["quoteCreate"]["quote"]["text"] == "Muhandis"
    assert data["quoteCreate"]["errors"] == []


@pytest.mark.parametrize(
    ("span", "field"),
    [({"start": 0, "end": 10_000}, "end"), ({"start": 0, "end": 8, "text": "Soleimani"}, "text")],
    ids=["past-the-end", "words-differ"],
)
async def test_a_quote_span_that_does_not_hold_is_refused(fresh_database, editor, span, field):
    paragraph = (await seed_article(fresh_database, editor))["paragraphs"][3]
    person = (await graphql(fresh_database.client, PERSON))["person"]["id"]
    statement = await edit(fresh_database, editor, CREATE_STATEMENT, {"speaker": person})
    statement_id = statement["statementCreate"]["statement"]["id"]

    data = await edit(
        fresh_database,
        editor,
        CREATE_QUOTE,
        {"input": {"statementId": statement_id, "paragraphId": paragraph["id"], **span}},
    )

    assert data["quoteCreate"]["quote"] is None
    assert [(e["field"], e["code"]) for e in data["quoteCreate"]["errors"]] == [(field, "INVALID")]


async def test_a_statement_speaker_must_be_a_person_or_an_organization(fresh_database, editor):
    article_id = (await seed_article(fresh_database, editor))["id"]

    data = await edit(fresh_database, editor, CREATE_STATEMENT, {"speaker": article_id})

    assert data["statementCreate"] == {
        "statement": None,
        "errors": [{"field": "speakerId", "code": "INVALID"}],
    }


async def test_a_deleted_article_is_gone_but_its_history_remains(fresh_database, editor):
    article_id = await new_article(fresh_database, editor)

    deleted = await edit(fresh_database, editor, DELETE_ARTICLE, {"id": article_id})
    history = await edit(fresh_database, editor, REVISIONS, {"of": article_id})

    assert deleted["articleDelete"] == {"deletedId": article_id, "errors": []}
    assert (await edit(fresh_database, editor, ARTICLE, {"slug": "a-new-report"}))[
        "article"
    ] is None
    assert [edge["node"]["action"] for edge in history["revisions"]["edges"]] == [
        "CREATE",
        "DELETE",
    ]


async def test_the_revision_history_is_for_editors_only(client):
    response = await graphql_response(client, REVISIONS, {"of": "QXJ0aWNsZTox"})

    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


DELETE_PARAGRAPH = (
    """mutation($id: ID!) { paragraphDelete(id: $id) { deletedId errors { code } } }"""
)
DELETE_STATEMENT = (
    """mutation($id: ID!) { statementDelete(id: $id) { deletedId errors { code } } }"""
)
COALITION_QUOTES = """query { article(slug: "us-led-coalition-suspends-anti-isis-operations") { quotes { id } statements { id } } }"""


async def test_deleting_a_paragraph_moves_the_later_ones_up(fresh_database, editor):
    article = await seed_article(fresh_database, editor)

    await edit(fresh_database, editor, DELETE_PARAGRAPH, {"id": article["paragraphs"][0]["id"]})

    after = await seed_article(fresh_database, editor)
    assert [p["position"] for p in after["paragraphs"]] == list(range(1, 17))
    assert after["paragraphs"][0]["id"] == article["paragraphs"][1]["id"]


async def test_deleting_a_statement_deletes_its_quotes(fresh_database, editor):
    before = (await edit(fresh_database, editor, COALITION_QUOTES))["article"]
    coalition_statement = before["statements"][0]["id"]

    deleted = await edit(fresh_database, editor, DELETE_STATEMENT, {"id": coalition_statement})

    after = (await edit(fresh_database, editor, COALITION_QUOTES))["article"]
    assert deleted["statementDelete"]["errors"] == []
    assert (len(before["quotes"]), after["quotes"]) == (9, [])


async def test_deleting_what_does_not_exist_is_a_not_found_error(fresh_database, editor):
    data = await edit(fresh_database, editor, DELETE_STATEMENT, {"id": "U3RhdGVtZW50Ojk5OTk5"})

    assert data["statementDelete"] == {"deletedId": None, "errors": [{"code": "NOT_FOUND"}]}


HISTORY_WITH_EDITORS = """
query($of: ID!) { revisions(of: $of, first: 50) { totalCount edges { node { action keyName } } } }
"""
# The key lookup, the page of revisions, its count, and the keys that made them.
HISTORY_STATEMENTS = 4


@pytest.mark.parametrize("corrections", [1, 6])
async def test_the_history_of_an_object_costs_the_same_statements_however_long(
    fresh_database, editor, corrections
):
    paragraph = (await seed_article(fresh_database, editor))["paragraphs"][0]
    for number in range(corrections):
        await edit(
            fresh_database, editor, CORRECT_PARAGRAPH, {"id": paragraph["id"], "text": f"v{number}"}
        )

    with count_sql(fresh_database.app) as recorded:
        data = await edit(fresh_database, editor, HISTORY_WITH_EDITORS, {"of": paragraph["id"]})

    assert data["revisions"]["totalCount"] == corrections
    assert recorded.count == HISTORY_STATEMENTS, str(recorded)
