"""Two editors at once: the edit that loses a race for a unique value is a CONFLICT, not an error
(or, for an edit that only makes a state so, a success once it finds the state made).

Each test lets a rival request run to its commit at the worst moment for the edit in
flight: after that edit's checks found the value free, just before its first write. The
database then refuses the write, and the edit must answer with a typed CONFLICT on the
right field, having written nothing.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.util import await_only
from starlette.applications import Starlette

from db.seed import SEED_ARTICLE_SLUG
from tests.support import bearer, graphql, graphql_response, issue_key

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)

SEED = """
query($slug: String!) {
  article(slug: $slug) {
    id
    credits { id }
    relatedLinks { id }
    paragraphs { id quotes { id } mentions { id } }
  }
}
"""
ARTICLE_COUNT = """query { articles { totalCount } }"""
PERSON_COUNT = """query { persons { totalCount } }"""
HELD_VOTE = """
query {
  votes(filter: {body: "iraqi-council-of-representatives", status: HELD}) {
    edges { node { id positions { id } reportedIn { id } } }
  }
}
"""
PERSON = """query($slug: String!) { person(slug: $slug) { id } }"""
CREATE_ARTICLE = """
mutation($input: ArticleCreateInput!) {
  articleCreate(input: $input) { article { id } errors { field code message } }
}
"""
UPDATE_ARTICLE = """
mutation($id: ID!, $input: ArticleUpdateInput!) {
  articleUpdate(id: $id, input: $input) { article { id } errors { field code message } }
}
"""
CREATE_PERSON = """
mutation($input: PersonCreateInput!) {
  personCreate(input: $input) { person { id } errors { field code message } }
}
"""
DELETE_PERSON = """mutation($id: ID!) { personDelete(id: $id) { deletedId errors { code } } }"""
CREATE_CREDIT = """
mutation($input: CreditCreateInput!) {
  creditCreate(input: $input) { credit { id } errors { field code message } }
}
"""
CREATE_LINK = """
mutation($input: RelatedLinkCreateInput!) {
  relatedLinkCreate(input: $input) { relatedLink { id } errors { field code message } }
}
"""
CREATE_MENTION = """
mutation($input: MentionCreateInput!) {
  mentionCreate(input: $input) { mention { id } errors { field code message } }
}
"""
CREATE_QUOTE = """
mutation($input: QuoteCreateInput!) {
  quoteCreate(input: $input) { quote { id } errors { field code message } }
}
"""
CREATE_STATEMENT = """
mutation($speaker: ID!) {
  statementCreate(input: {speakerId: $speaker, medium: SPEECH}) { statement { id } }
}
"""
CREATE_POSITION = """
mutation($input: VotePositionCreateInput!) {
  votePositionCreate(input: $input) { votePosition { id } errors { field code message } }
}
"""
REPORT_VOTE = """
mutation($id: ID!, $paragraph: ID!) {
  voteReportSet(id: $id, paragraphId: $paragraph) { vote { id } errors { field code message } }
}
"""
REVISIONS = """query($of: ID!) { revisions(of: $of) { totalCount } }"""
SOLEIMANI = "qasim-soleimani"


@contextmanager
def just_before_the_first_write(
    app: Starlette, rival: Callable[[], Awaitable[Any]]
) -> Iterator[None]:
    """Run `rival` to its end once, just before the app's next INSERT, UPDATE or DELETE.

    The listener runs inside the app's own database call (SQLAlchemy's greenlet), so it can
    wait for the rival request there, as a slower edit would have waited for the database.
    """
    engine = app.state.engine.sync_engine
    fired: list[str] = []

    def before(
        connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if fired or not _WRITE.match(statement):
            return
        fired.append(statement)
        await_only(rival())

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert fired, "the edit wrote nothing, so no rival ran"


@dataclass(frozen=True)
class Race:
    """Two copies of one edit: `mutation` with `variables`, answering under `root`."""

    mutation: str
    variables: dict[str, Any]
    root: str
    field: str


@pytest.fixture
async def editor(fresh_database) -> dict[str, str]:
    return bearer((await issue_key(fresh_database.app, "editor")).secret)


async def run_race(database, headers, race: Race) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the rival's payload, the late edit's payload)."""
    answers: list[dict[str, Any]] = []

    async def rival() -> None:
        answers.append(
            await graphql(database.client, race.mutation, race.variables, headers=headers)
        )

    with just_before_the_first_write(database.app, rival):
        late = await graphql_response(
            database.client, race.mutation, race.variables, headers=headers
        )

    assert late.status_code == 200, late.text
    body = late.json()
    assert "errors" not in body, body["errors"]
    [rival_answer] = answers
    return rival_answer[race.root], body["data"][race.root]


async def the_seed(database, headers) -> dict[str, Any]:
    data = await graphql(database.client, SEED, {"slug": SEED_ARTICLE_SLUG}, headers=headers)
    article: dict[str, Any] = data["article"]
    return article


async def person_id(database, slug=SOLEIMANI) -> str:
    found: str = (await graphql(database.client, PERSON, {"slug": slug}))["person"]["id"]
    return found


def assert_lost_with_a_conflict(
    rival: dict[str, Any], late: dict[str, Any], field: str | None
) -> None:
    assert rival["errors"] == []
    [error] = late["errors"]
    assert (error["field"], error["code"]) == (field, "CONFLICT")
    assert "concurrent edit" in error["message"]
    assert all(value is None for key, value in late.items() if key != "errors")


async def test_two_articles_created_with_one_slug_at_once(fresh_database, editor):
    before = (await graphql(fresh_database.client, ARTICLE_COUNT, headers=editor))["articles"]
    race = Race(
        CREATE_ARTICLE, {"input": {"slug": "twins", "headline": "Twins"}}, "articleCreate", "slug"
    )

    rival, late = await run_race(fresh_database, editor, race)

    assert_lost_with_a_conflict(rival, late, "slug")
    after = (await graphql(fresh_database.client, ARTICLE_COUNT, headers=editor))["articles"]
    assert after["totalCount"] == before["totalCount"] + 1


async def test_two_articles_given_one_url_at_once(fresh_database, editor):
    seed = await the_seed(fresh_database, editor)
    created = await graphql(
        fresh_database.client,
        CREATE_ARTICLE,
        {"input": {"slug": "other", "headline": "Other"}},
        headers=editor,
    )
    other = created["articleCreate"]["article"]["id"]
    url = {"url": "https://example.com/the-story"}

    async def rival() -> None:
        data = await graphql(
            fresh_database.client, UPDATE_ARTICLE, {"id": other, "input": url}, headers=editor
        )
        assert data["articleUpdate"]["errors"] == []

    with just_before_the_first_write(fresh_database.app, rival):
        late = await graphql(
            fresh_database.client, UPDATE_ARTICLE, {"id": seed["id"], "input": url}, headers=editor
        )

    assert_lost_with_a_conflict({"errors": []}, late["articleUpdate"], "url")
    history = await graphql(fresh_database.client, REVISIONS, {"of": seed["id"]}, headers=editor)
    assert history["revisions"]["totalCount"] == 0


async def test_two_persons_created_with_one_slug_at_once(fresh_database, editor):
    before = (await graphql(fresh_database.client, PERSON_COUNT, headers=editor))["persons"]
    race = Race(
        CREATE_PERSON,
        {"input": {"slug": "jane-roe", "name": "Jane Roe", "aliases": ["J. Roe"]}},
        "personCreate",
        "slug",
    )

    rival, late = await run_race(fresh_database, editor, race)

    assert_lost_with_a_conflict(rival, late, "slug")
    after = (await graphql(fresh_database.client, PERSON_COUNT, headers=editor))["persons"]
    assert after["totalCount"] == before["totalCount"] + 1


async def test_one_credit_added_twice_at_once(fresh_database, editor):
    seed = await the_seed(fresh_database, editor)
    input = {"articleId": seed["id"], "personId": await person_id(fresh_database), "role": "AUTHOR"}

    rival, late = await run_race(
        fresh_database, editor, Race(CREATE_CREDIT, {"input": input}, "creditCreate", "role")
    )

    assert_lost_with_a_conflict(rival, late, "role")
    after = await the_seed(fresh_database, editor)
    assert [c["id"] for c in after["credits"]] == [
        *(c["id"] for c in seed["credits"]),
        rival["credit"]["id"],
    ]


async def test_one_related_link_added_twice_at_once(fresh_database, editor):
    seed = await the_seed(fresh_database, editor)
    created = await graphql(
        fresh_database.client,
        CREATE_ARTICLE,
        {"input": {"slug": "other", "headline": "Other"}},
        headers=editor,
    )
    input = {
        "articleId": seed["id"],
        "relatedArticleId": created["articleCreate"]["article"]["id"],
        "anchorText": "Read More: Other",
    }
    race = Race(CREATE_LINK, {"input": input}, "relatedLinkCreate", "relatedArticleId")

    rival, late = await run_race(fresh_database, editor, race)

    assert_lost_with_a_conflict(rival, late, "relatedArticleId")
    after = await the_seed(fresh_database, editor)
    assert len(after["relatedLinks"]) == len(seed["relatedLinks"]) + 1


async def test_one_mention_added_twice_at_once(fresh_database, editor):
    paragraph = (await the_seed(fresh_database, editor))["paragraphs"][3]
    input = {
        "paragraphId": paragraph["id"],
        "entityId": await person_id(fresh_database),
        "start": 0,
        "end": 8,
    }

    rival, late = await run_race(
        fresh_database, editor, Race(CREATE_MENTION, {"input": input}, "mentionCreate", "start")
    )

    assert_lost_with_a_conflict(rival, late, "start")
    after = (await the_seed(fresh_database, editor))["paragraphs"][3]
    assert len(after["mentions"]) == len(paragraph["mentions"]) + 1


async def test_two_quotes_at_one_offset_at_once(fresh_database, editor):
    paragraph = (await the_seed(fresh_database, editor))["paragraphs"][3]
    statement = await graphql(
        fresh_database.client,
        CREATE_STATEMENT,
        {"speaker": await person_id(fresh_database)},
        headers=editor,
    )
    input = {
        "statementId": statement["statementCreate"]["statement"]["id"],
        "paragraphId": paragraph["id"],
        "start": 0,
        "end": 8,
    }

    rival, late = await run_race(
        fresh_database, editor, Race(CREATE_QUOTE, {"input": input}, "quoteCreate", "start")
    )

    assert_lost_with_a_conflict(rival, late, "start")
    after = (await the_seed(fresh_database, editor))["paragraphs"][3]
    assert len(after["quotes"]) == len(paragraph["quotes"]) + 1


async def test_one_persons_vote_recorded_twice_at_once(fresh_database, editor):
    vote = (await graphql(fresh_database.client, HELD_VOTE))["votes"]["edges"][0]["node"]
    input = {"voteId": vote["id"], "option": "OPPOSE", "personId": await person_id(fresh_database)}
    race = Race(CREATE_POSITION, {"input": input}, "votePositionCreate", "personId")

    rival, late = await run_race(fresh_database, editor, race)

    assert_lost_with_a_conflict(rival, late, "personId")
    after = (await graphql(fresh_database.client, HELD_VOTE))["votes"]["edges"][0]["node"]
    assert len(after["positions"]) == len(vote["positions"]) + 1


async def test_one_vote_report_added_twice_at_once(fresh_database, editor):
    vote = (await graphql(fresh_database.client, HELD_VOTE))["votes"]["edges"][0]["node"]
    paragraph = (await the_seed(fresh_database, editor))["paragraphs"][0]["id"]
    race = Race(
        REPORT_VOTE, {"id": vote["id"], "paragraph": paragraph}, "voteReportSet", "paragraphId"
    )

    rival, late = await run_race(fresh_database, editor, race)

    # Both asked for the same state ("this paragraph reports the vote"), and both get it:
    # the late edit runs again after the database refused its duplicate, and finds it done.
    assert rival == {"vote": {"id": vote["id"]}, "errors": []}
    assert late == {"vote": {"id": vote["id"]}, "errors": []}
    after = (await graphql(fresh_database.client, HELD_VOTE))["votes"]["edges"][0]["node"]
    assert len(after["reportedIn"]) == len(vote["reportedIn"]) + 1


async def test_a_credit_for_a_person_deleted_meanwhile_conflicts_with_the_whole_input(
    fresh_database, editor
):
    seed = await the_seed(fresh_database, editor)
    created = await graphql(
        fresh_database.client,
        CREATE_PERSON,
        {"input": {"slug": "jane-roe", "name": "Jane Roe"}},
        headers=editor,
    )
    jane = created["personCreate"]["person"]["id"]

    async def rival() -> None:
        await graphql(fresh_database.client, DELETE_PERSON, {"id": jane}, headers=editor)

    with just_before_the_first_write(fresh_database.app, rival):
        late = await graphql(
            fresh_database.client,
            CREATE_CREDIT,
            {"input": {"articleId": seed["id"], "personId": jane, "role": "AUTHOR"}},
            headers=editor,
        )

    assert_lost_with_a_conflict({"errors": []}, late["creditCreate"], None)
    assert (await the_seed(fresh_database, editor))["credits"] == seed["credits"]
