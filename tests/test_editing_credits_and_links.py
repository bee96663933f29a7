"""Editor mutations on an article's credits and related-article links."""

from __future__ import annotations

from typing import Any

import pytest

from db.seed import SEED_ARTICLE_SLUG
from tests.support import bearer, graphql, issue_key

ARTICLE = """
query($slug: String!) {
  article(slug: $slug) {
    id
    credits { id role person { slug } }
    relatedLinks { id anchorText article { slug } paragraph { position } }
    relatedArticles { slug }
    paragraphs { id text }
  }
}
"""
CREATE_ARTICLE = """
mutation($slug: String!) {
  articleCreate(input: {slug: $slug, headline: "Another story"}) { article { id } errors { code } }
}
"""
PUBLISH = """mutation($id: ID!) { articlePublish(id: $id) { errors { code } } }"""
CREATE_PERSON = """
mutation($slug: String!) {
  personCreate(input: {slug: $slug, name: "Jane Roe"}) { person { id } errors { code } }
}
"""
PERSON = """query($slug: String!) { person(slug: $slug) { slug } }"""
PERSON_ID = """query($slug: String!) { person(slug: $slug) { id } }"""
ADD_PARAGRAPH = """
mutation($article: ID!) {
  paragraphCreate(articleId: $article, kind: BODY, text: "Read More here.") { paragraph { id } }
}
"""
CREATE_CREDIT = """
mutation($input: CreditCreateInput!) {
  creditCreate(input: $input) { credit { id role person { slug } } errors { field code } }
}
"""
UPDATE_CREDIT = """
mutation($id: ID!, $input: CreditUpdateInput!) {
  creditUpdate(id: $id, input: $input) { credit { role } errors { field code } }
}
"""
DELETE_CREDIT = """mutation($id: ID!) { creditDelete(id: $id) { deletedId errors { code } } }"""
CREATE_LINK = """
mutation($input: RelatedLinkCreateInput!) {
  relatedLinkCreate(input: $input) {
    relatedLink { id anchorText article { slug } } errors { field code }
  }
}
"""
UPDATE_LINK = """
mutation($id: ID!, $input: RelatedLinkUpdateInput!) {
  relatedLinkUpdate(id: $id, input: $input) { relatedLink { anchorText } errors { field code } }
}
"""
DELETE_LINK = """mutation($id: ID!) { relatedLinkDelete(id: $id) { deletedId errors { code } } }"""
REVISIONS = """
query($of: ID!) { revisions(of: $of) { edges { node { action entityId keyName changes } } } }
"""
NODE = """query($id: ID!) { node(id: $id) { id } }"""
JANE = "jane-roe"


@pytest.fixture
async def editor(fresh_database) -> dict[str, str]:
    return bearer((await issue_key(fresh_database.app, "editor", "Night desk")).secret)


async def edit(database, headers, query, variables=None) -> dict[str, Any]:
    return await graphql(database.client, query, variables, headers=headers)


async def article(database, headers, slug=SEED_ARTICLE_SLUG) -> dict[str, Any]:
    found: dict[str, Any] = (await edit(database, headers, ARTICLE, {"slug": slug}))["article"]
    return found


async def new_person(database, headers) -> str:
    data = await edit(database, headers, CREATE_PERSON, {"slug": JANE})
    person_id: str = data["personCreate"]["person"]["id"]
    return person_id


async def new_article(database, headers, slug, *, published) -> str:
    data = await edit(database, headers, CREATE_ARTICLE, {"slug": slug})
    article_id: str = data["articleCreate"]["article"]["id"]
    if published:
        await edit(database, headers, PUBLISH, {"id": article_id})
    return article_id


async def credit(database, headers, **input: Any) -> dict[str, Any]:
    data = await edit(database, headers, CREATE_CREDIT, {"input": input})
    payload: dict[str, Any] = data["creditCreate"]
    return payload


async def link(database, headers, **input: Any) -> dict[str, Any]:
    data = await edit(database, headers, CREATE_LINK, {"input": input})
    payload: dict[str, Any] = data["relatedLinkCreate"]
    return payload


async def history(database, headers, global_id) -> list[dict[str, Any]]:
    data = await edit(database, headers, REVISIONS, {"of": global_id})
    return [edge["node"] for edge in data["revisions"]["edges"]]


async def public_person(database) -> Any:
    return (await graphql(database.client, PERSON, {"slug": JANE}))["person"]


# Credits


async def test_a_credit_goes_last_unless_placed_and_is_recorded(fresh_database, editor):
    seed = await article(fresh_database, editor)
    jane = await new_person(fresh_database, editor)

    last = await credit(
        fresh_database, editor, articleId=seed["id"], personId=jane, role="REPORTER"
    )
    first = await credit(
        fresh_database, editor, articleId=seed["id"], personId=jane, role="AUTHOR", position=1
    )

    credits = (await article(fresh_database, editor))["credits"]
    assert [(c["person"]["slug"], c["role"]) for c in credits] == [
        (JANE, "AUTHOR"),
        ("karzan-sulaivany", "EDITOR"),
        (JANE, "REPORTER"),
    ]
    assert (last["errors"], first["errors"]) == ([], [])
    [created] = await history(fresh_database, editor, last["credit"]["id"])
    assert (created["action"], created["entityId"], created["keyName"]) == (
        "CREATE",
        last["credit"]["id"],
        "Night desk",
    )
    assert created["changes"]["role"] == [None, "reporter"]


async def test_a_credit_makes_its_person_public_while_the_article_is_published(
    fresh_database, editor
):
    seed = await article(fresh_database, editor)
    jane = await new_person(fresh_database, editor)
    unknown_before = await public_person(fresh_database)

    created = await credit(
        fresh_database, editor, articleId=seed["id"], personId=jane, role="REPORTER"
    )
    known = await public_person(fresh_database)
    public_credit = await graphql(fresh_database.client, NODE, {"id": created["credit"]["id"]})
    await edit(fresh_database, editor, DELETE_CREDIT, {"id": created["credit"]["id"]})

    assert (unknown_before, known) == (None, {"slug": JANE})
    assert public_credit["node"] == {"id": created["credit"]["id"]}
    assert await public_person(fresh_database) is None


async def test_a_credit_on_a_draft_keeps_its_person_hidden(fresh_database, editor):
    draft = await new_article(fresh_database, editor, "a-draft", published=False)
    jane = await new_person(fresh_database, editor)

    created = await credit(fresh_database, editor, articleId=draft, personId=jane, role="AUTHOR")

    assert created["errors"] == []
    assert await public_person(fresh_database) is None
    assert (await graphql(fresh_database.client, NODE, {"id": created["credit"]["id"]}))[
        "node"
    ] is None


@pytest.mark.parametrize(
    ("input", "expected"),
    [
        ({"role": "EDITOR"}, ("role", "CONFLICT")),
        ({"role": "EDITOR", "personId": "QXJ0aWNsZTox"}, ("personId", "INVALID")),
        ({"role": "AUTHOR", "personId": "UGVyc29uOjk5OTk5"}, ("personId", "NOT_FOUND")),
        ({"role": "AUTHOR", "articleId": "QXJ0aWNsZTo5OTk5OQ=="}, ("articleId", "NOT_FOUND")),
        ({"role": "AUTHOR", "position": 3}, ("position", "INVALID")),
    ],
    ids=["taken-role", "not-a-person", "unknown-person", "unknown-article", "past-the-end"],
)
async def test_a_credit_that_cannot_be_is_refused_and_nothing_is_written(
    fresh_database, editor, input, expected
):
    seed = await article(fresh_database, editor)
    karzan = (await graphql(fresh_database.client, PERSON_ID, {"slug": "karzan-sulaivany"}))[
        "person"
    ]["id"]

    refused = await credit(
        fresh_database, editor, **{"articleId": seed["id"], "personId": karzan, **input}
    )

    assert refused["credit"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [expected]
    assert (await article(fresh_database, editor))["credits"] == seed["credits"]


async def test_a_credit_changes_role_and_place_in_one_recorded_update(fresh_database, editor):
    seed = await article(fresh_database, editor)
    jane = await new_person(fresh_database, editor)
    created = await credit(
        fresh_database, editor, articleId=seed["id"], personId=jane, role="REPORTER"
    )
    credit_id = created["credit"]["id"]

    updated = await edit(
        fresh_database,
        editor,
        UPDATE_CREDIT,
        {"id": credit_id, "input": {"role": "PHOTOGRAPHER", "position": 1}},
    )

    assert updated["creditUpdate"] == {"credit": {"role": "PHOTOGRAPHER"}, "errors": []}
    credits = (await article(fresh_database, editor))["credits"]
    assert [c["id"] for c in credits] == [credit_id, seed["credits"][0]["id"]]
    [_, change] = await history(fresh_database, editor, credit_id)
    assert change["action"] == "UPDATE"
    assert change["changes"] == {"role": ["reporter", "photographer"], "position": [1, 0]}


async def test_a_credit_cannot_take_a_role_its_person_already_has(fresh_database, editor):
    seed = await article(fresh_database, editor)
    jane = await new_person(fresh_database, editor)
    for role in ("REPORTER", "AUTHOR"):
        await credit(fresh_database, editor, articleId=seed["id"], personId=jane, role=role)
    reporter = (await article(fresh_database, editor))["credits"][1]["id"]

    data = await edit(
        fresh_database, editor, UPDATE_CREDIT, {"id": reporter, "input": {"role": "AUTHOR"}}
    )

    assert data["creditUpdate"] == {
        "credit": None,
        "errors": [{"field": "role", "code": "CONFLICT"}],
    }
    assert len(await history(fresh_database, editor, reporter)) == 1


async def test_a_deleted_credit_is_gone_with_its_history_kept(fresh_database, editor):
    seed = await article(fresh_database, editor)
    credit_id = seed["credits"][0]["id"]

    deleted = await edit(fresh_database, editor, DELETE_CREDIT, {"id": credit_id})
    again = await edit(fresh_database, editor, DELETE_CREDIT, {"id": credit_id})

    assert deleted["creditDelete"] == {"deletedId": credit_id, "errors": []}
    assert again["creditDelete"] == {"deletedId": None, "errors": [{"code": "NOT_FOUND"}]}
    assert (await article(fresh_database, editor))["credits"] == []
    [removal] = await history(fresh_database, editor, credit_id)
    assert removal["action"] == "DELETE"
    assert removal["changes"]["role"] == ["editor", None]


# Related-article links


async def test_a_link_to_a_published_article_is_public_and_recorded(fresh_database, editor):
    seed = await article(fresh_database, editor)
    other = await new_article(fresh_database, editor, "another-story", published=True)

    created = await link(
        fresh_database, editor, articleId=seed["id"], relatedArticleId=other, anchorText="More"
    )

    assert created == {
        "relatedLink": {
            "id": created["relatedLink"]["id"],
            "anchorText": "More",
            "article": {"slug": "another-story"},
        },
        "errors": [],
    }
    public = await graphql(fresh_database.client, ARTICLE, {"slug": SEED_ARTICLE_SLUG})
    assert public["article"]["relatedArticles"][-1] == {"slug": "another-story"}
    [created_revision] = await history(fresh_database, editor, created["relatedLink"]["id"])
    assert created_revision["changes"]["anchor_text"] == [None, "More"]


async def test_a_link_to_a_draft_shows_only_once_the_draft_is_published(fresh_database, editor):
    seed = await article(fresh_database, editor)
    draft = await new_article(fresh_database, editor, "a-draft", published=False)
    await link(
        fresh_database, editor, articleId=seed["id"], relatedArticleId=draft, anchorText="Soon"
    )

    def slugs(data: dict[str, Any]) -> list[str]:
        return [found["slug"] for found in data["article"]["relatedArticles"]]

    hidden = slugs(await graphql(fresh_database.client, ARTICLE, {"slug": SEED_ARTICLE_SLUG}))
    await edit(fresh_database, editor, PUBLISH, {"id": draft})
    shown = slugs(await graphql(fresh_database.client, ARTICLE, {"slug": SEED_ARTICLE_SLUG}))

    assert "a-draft" not in hidden
    assert shown == [*hidden, "a-draft"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"relatedArticleId": "self"}, ("relatedArticleId", "INVALID")),
        ({"relatedArticleId": "linked"}, ("relatedArticleId", "CONFLICT")),
        ({"relatedArticleId": "QXJ0aWNsZTo5OTk5OQ=="}, ("relatedArticleId", "NOT_FOUND")),
        ({"anchorText": " "}, ("anchorText", "REQUIRED")),
        ({"paragraphId": "elsewhere"}, ("paragraphId", "INVALID")),
        ({"paragraphId": "first"}, ("anchorText", "INVALID")),
        ({"position": 0}, ("position", "INVALID")),
    ],
    ids=[
        "to-itself",
        "already-linked",
        "unknown-article",
        "blank-text",
        "paragraph-of-another-article",
        "text-not-in-paragraph",
        "position-zero",
    ],
)
async def test_a_link_that_cannot_be_is_refused_and_nothing_is_written(
    fresh_database, editor, change, expected
):
    seed = await article(fresh_database, editor)
    other = await new_article(fresh_database, editor, "another-story", published=True)
    stand_ins = {
        "self": seed["id"],
        "linked": (await article(fresh_database, editor, seed["relatedArticles"][0]["slug"]))["id"],
        "elsewhere": (await edit(fresh_database, editor, ADD_PARAGRAPH, {"article": other}))[
            "paragraphCreate"
        ]["paragraph"]["id"],
        "first": seed["paragraphs"][0]["id"],
    }
    input = {"articleId": seed["id"], "relatedArticleId": other, "anchorText": "Read More"}
    input |= {name: stand_ins.get(value, value) for name, value in change.items()}

    refused = await link(fresh_database, editor, **input)

    assert refused["relatedLink"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [expected]
    assert (await article(fresh_database, editor))["relatedLinks"] == seed["relatedLinks"]


async def test_changing_a_links_text_is_recorded(fresh_database, editor):
    seed = await article(fresh_database, editor)
    link_id = seed["relatedLinks"][0]["id"]
    paragraph = seed["paragraphs"][seed["relatedLinks"][0]["paragraph"]["position"] - 1]
    new_text = paragraph["text"][:10]

    data = await edit(
        fresh_database, editor, UPDATE_LINK, {"id": link_id, "input": {"anchorText": new_text}}
    )

    assert data["relatedLinkUpdate"] == {"relatedLink": {"anchorText": new_text}, "errors": []}
    [change] = await history(fresh_database, editor, link_id)
    assert change["changes"] == {"anchor_text": [seed["relatedLinks"][0]["anchorText"], new_text]}


async def test_a_links_text_must_occur_in_its_paragraph(fresh_database, editor):
    seed = await article(fresh_database, editor)
    link_id = seed["relatedLinks"][0]["id"]

    refused = await edit(
        fresh_database, editor, UPDATE_LINK, {"id": link_id, "input": {"anchorText": "Elsewhere"}}
    )
    freed = await edit(
        fresh_database,
        editor,
        UPDATE_LINK,
        {"id": link_id, "input": {"anchorText": "Elsewhere", "paragraphId": None}},
    )

    assert refused["relatedLinkUpdate"]["errors"] == [{"field": "anchorText", "code": "INVALID"}]
    assert freed["relatedLinkUpdate"] == {"relatedLink": {"anchorText": "Elsewhere"}, "errors": []}


async def test_a_deleted_link_is_gone_for_everyone(fresh_database, editor):
    seed = await article(fresh_database, editor)
    link_id = seed["relatedLinks"][0]["id"]

    deleted = await edit(fresh_database, editor, DELETE_LINK, {"id": link_id})

    assert deleted["relatedLinkDelete"] == {"deletedId": link_id, "errors": []}
    public = await graphql(fresh_database.client, ARTICLE, {"slug": SEED_ARTICLE_SLUG})
    assert [found["id"] for found in public["article"]["relatedLinks"]] == [
        found["id"] for found in seed["relatedLinks"][1:]
    ]
    assert [r["action"] for r in await history(fresh_database, editor, link_id)] == ["DELETE"]
