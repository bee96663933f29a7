"""Editor mutations on mentions: the words of a paragraph that name a person or organization."""

from __future__ import annotations

from typing import Any

import pytest

from db.seed import SEED_ARTICLE_SLUG
from tests.support import bearer, graphql, issue_key

PARAGRAPHS = """
query($slug: String!) {
  article(slug: $slug) { id paragraphs { id text mentions { id text start end } } }
}
"""
CREATE_PERSON = """
mutation { personCreate(input: {slug: "jane-roe", name: "Jane Roe"}) { person { id } } }
"""
CREATE_ARTICLE = """
mutation {
  articleCreate(input: {slug: "a-draft", headline: "A draft"}) { article { id } errors { code } }
}
"""
ADD_PARAGRAPH = """
mutation($article: ID!) {
  paragraphCreate(articleId: $article, kind: BODY, text: "Jane Roe said so.") {
    paragraph { id }
  }
}
"""
PERSON = """query { person(slug: "jane-roe") { slug mentionedIn { totalCount } } }"""
SOLEIMANI = """query { person(slug: "qasim-soleimani") { id } }"""
CREATE_MENTION = """
mutation($input: MentionCreateInput!) {
  mentionCreate(input: $input) {
    mention { id text start end entity { ... on Person { slug } } } errors { field code }
  }
}
"""
DELETE_MENTION = """mutation($id: ID!) { mentionDelete(id: $id) { deletedId errors { code } } }"""
REVISIONS = """query($of: ID!) { revisions(of: $of) { edges { node { action changes } } } }"""
NODE = """query($id: ID!) { node(id: $id) { ... on Mention { text } } }"""
# Paragraph 4 of the seed article begins "Muhandis".
PARAGRAPH = 3


@pytest.fixture
async def editor(fresh_database) -> dict[str, str]:
    return bearer((await issue_key(fresh_database.app, "editor")).secret)


async def edit(database, headers, query, variables=None) -> dict[str, Any]:
    return await graphql(database.client, query, variables, headers=headers)


async def seed_paragraphs(database, headers) -> list[dict[str, Any]]:
    data = await edit(database, headers, PARAGRAPHS, {"slug": SEED_ARTICLE_SLUG})
    paragraphs: list[dict[str, Any]] = data["article"]["paragraphs"]
    return paragraphs


async def new_person(database, headers) -> str:
    person_id: str = (await edit(database, headers, CREATE_PERSON))["personCreate"]["person"]["id"]
    return person_id


async def mention(database, headers, **input: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await edit(database, headers, CREATE_MENTION, {"input": input}))[
        "mentionCreate"
    ]
    return payload


async def test_a_mention_takes_its_words_from_the_paragraph_and_is_recorded(fresh_database, editor):
    paragraph = (await seed_paragraphs(fresh_database, editor))[PARAGRAPH]
    jane = await new_person(fresh_database, editor)

    created = await mention(
        fresh_database, editor, paragraphId=paragraph["id"], entityId=jane, start=0, end=8
    )

    assert created["errors"] == []
    assert {key: created["mention"][key] for key in ("text", "start", "end", "entity")} == {
        "text": "Muhandis",
        "start": 0,
        "end": 8,
        "entity": {"slug": "jane-roe"},
    }
    history = await edit(fresh_database, editor, REVISIONS, {"of": created["mention"]["id"]})
    [revision] = [edge["node"] for edge in history["revisions"]["edges"]]
    assert revision["action"] == "CREATE"
    assert revision["changes"]["text"] == [None, "Muhandis"]
    assert revision["changes"]["person_id"][0] is None


async def test_a_mention_in_a_published_paragraph_makes_its_person_public_until_removed(
    fresh_database, editor
):
    paragraph = (await seed_paragraphs(fresh_database, editor))[PARAGRAPH]
    jane = await new_person(fresh_database, editor)
    before = (await graphql(fresh_database.client, PERSON))["person"]

    created = await mention(
        fresh_database, editor, paragraphId=paragraph["id"], entityId=jane, start=0, end=8
    )
    mentioned = (await graphql(fresh_database.client, PERSON))["person"]
    public_node = await graphql(fresh_database.client, NODE, {"id": created["mention"]["id"]})
    removed = await edit(fresh_database, editor, DELETE_MENTION, {"id": created["mention"]["id"]})

    assert before is None
    assert mentioned == {"slug": "jane-roe", "mentionedIn": {"totalCount": 1}}
    assert public_node["node"] == {"text": "Muhandis"}
    assert removed["mentionDelete"] == {"deletedId": created["mention"]["id"], "errors": []}
    assert (await graphql(fresh_database.client, PERSON))["person"] is None


async def test_a_mention_in_a_draft_keeps_its_person_hidden(fresh_database, editor):
    draft = (await edit(fresh_database, editor, CREATE_ARTICLE))["articleCreate"]["article"]["id"]
    paragraph = (await edit(fresh_database, editor, ADD_PARAGRAPH, {"article": draft}))[
        "paragraphCreate"
    ]["paragraph"]["id"]
    jane = await new_person(fresh_database, editor)

    created = await mention(
        fresh_database, editor, paragraphId=paragraph, entityId=jane, start=0, end=8
    )

    assert created["mention"]["text"] == "Jane Roe"
    assert (await graphql(fresh_database.client, PERSON))["person"] is None
    hidden = await graphql(fresh_database.client, NODE, {"id": created["mention"]["id"]})
    assert hidden["node"] is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"end": 10_000}, ("end", "INVALID")),
        ({"start": -1}, ("start", "INVALID")),
        ({"text": "Soleimani"}, ("text", "INVALID")),
        ({"entityId": "QXJ0aWNsZTox"}, ("entityId", "INVALID")),
        ({"entityId": "UGVyc29uOjk5OTk5"}, ("entityId", "NOT_FOUND")),
        ({"paragraphId": "UGFyYWdyYXBoOjk5OTk5"}, ("paragraphId", "NOT_FOUND")),
        ({"paragraphId": "not an ID"}, ("paragraphId", "INVALID")),
        ({}, ("start", "CONFLICT")),
    ],
    ids=[
        "past-the-end",
        "before-the-start",
        "words-differ",
        "not-a-person",
        "unknown-person",
        "unknown-paragraph",
        "malformed-id",
        "already-mentioned",
    ],
)
async def test_a_mention_that_cannot_be_is_refused_and_nothing_is_written(
    fresh_database, editor, change, expected
):
    paragraph = (await seed_paragraphs(fresh_database, editor))[PARAGRAPH]
    jane = await new_person(fresh_database, editor)
    input = {"paragraphId": paragraph["id"], "entityId": jane, "start": 0, "end": 8}
    await mention(fresh_database, editor, **input)

    refused = await mention(fresh_database, editor, **{**input, **change})

    assert refused["mention"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [expected]
    after = (await seed_paragraphs(fresh_database, editor))[PARAGRAPH]
    assert len(after["mentions"]) == len(paragraph["mentions"]) + 1


async def test_another_entity_may_be_mentioned_with_the_same_words(fresh_database, editor):
    paragraph = (await seed_paragraphs(fresh_database, editor))[PARAGRAPH]
    jane = await new_person(fresh_database, editor)
    input = {"paragraphId": paragraph["id"], "start": 0, "end": 8}
    await mention(fresh_database, editor, entityId=jane, **input)
    soleimani = (await edit(fresh_database, editor, SOLEIMANI))["person"]["id"]

    created = await mention(fresh_database, editor, entityId=soleimani, **input)

    assert created["errors"] == []


async def test_deleting_a_mention_twice_finds_nothing_the_second_time(fresh_database, editor):
    seeded = (await seed_paragraphs(fresh_database, editor))[PARAGRAPH]["mentions"][0]["id"]

    first = await edit(fresh_database, editor, DELETE_MENTION, {"id": seeded})
    second = await edit(fresh_database, editor, DELETE_MENTION, {"id": seeded})

    assert first["mentionDelete"] == {"deletedId": seeded, "errors": []}
    assert second["mentionDelete"] == {"deletedId": None, "errors": [{"code": "NOT_FOUND"}]}
    history = await edit(fresh_database, editor, REVISIONS, {"of": seeded})
    assert [edge["node"]["action"] for edge in history["revisions"]["edges"]] == ["DELETE"]
