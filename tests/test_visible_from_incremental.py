"""Stored visibility kept by lowering (rows only inserted) is what recomputing it all gives.

A commit that only inserts rows lowers the stored moments of what they show; one that
changes or deletes rows recomputes those in full (db/visible_from.py). These tests mix
both through the ingest CLI and the editing API, and after every step compare each row's
stored `public_visible_from` / `partner_visible_from` with what `refresh_all` computes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from db import models as m
from db.visible_from import ALWAYS, refresh_all
from newsgraph.clock import FixedClock
from tests.support import bearer, client_for, graphql, issue_key, settings_for
from tests.test_ingest_cli import ingest, write

EMBARGO = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
EARLIER_EMBARGO = datetime(2031, 2, 1, 9, 0, tzinfo=UTC)
SHOWN = (m.Statement, m.Vote, m.Person, m.Organization)

ARTICLES = (
    """query { articles(first: 100) { edges { node { id url headline paragraphs { id } } } } }"""
)
STATEMENTS_OF = """
query($slug: String!) { person(slug: $slug) { statements { edges { node { id } } } } }
"""
PERSON_ID = """query($slug: String!) { person(slug: $slug) { id } }"""
SHOWN_STATEMENTS = """query($slug: String!) { person(slug: $slug) { statements { totalCount } } }"""
PUBLISH = """
mutation($id: ID!, $until: DateTime) {
  articlePublish(id: $id, embargoedUntil: $until) { errors { code } }
}
"""
UPDATE_ARTICLE = """
mutation($id: ID!, $input: ArticleUpdateInput!) { articleUpdate(id: $id, input: $input) { errors { code } } }
"""
DELETE_ARTICLE = """mutation($id: ID!) { articleDelete(id: $id) { errors { code } } }"""
REPORT = """
mutation($id: ID!, $paragraph: ID!) {
  statementReportSet(id: $id, paragraphId: $paragraph) { errors { code } }
}
"""
UNREPORT = """
mutation($id: ID!, $paragraph: ID!) {
  statementReportSet(id: $id, paragraphId: $paragraph, reports: false) { errors { code } }
}
"""
CREDIT = """
mutation($input: CreditCreateInput!) { creditCreate(input: $input) { errors { code } } }
"""
CREATE_PERSON = """
mutation($input: PersonCreateInput!) { personCreate(input: $input) { person { id } errors { code } } }
"""
CREATE_ORGANIZATION = """
mutation($input: OrganizationCreateInput!) {
  organizationCreate(input: $input) { organization { id } errors { code } }
}
"""
MEMBERSHIP = """
mutation($input: MembershipCreateInput!) { membershipCreate(input: $input) { errors { code } } }
"""
CREATE_VOTE = """
mutation($input: VoteCreateInput!) { voteCreate(input: $input) { vote { id } errors { code } } }
"""
VOTE_REPORT = """
mutation($id: ID!, $paragraph: ID!) { voteReportSet(id: $id, paragraphId: $paragraph) { errors { code } } }
"""
POSITION = """
mutation($input: VotePositionCreateInput!) { votePositionCreate(input: $input) { errors { code } } }
"""


def article(headline: str, outlet: str, speaker: str, words: str, reporter: str) -> str:
    """A short raw article: a quote with its speaker's role, a reported line and a byline."""
    return (
        f"{headline}\n\n"
        # The dateline's en dash is how ingestion finds the outlet.
        f"PORTVALE ({outlet}) – The Portvale Town Council met on Monday.\n\n"  # noqa: RUF001
        f"“{words},” said {speaker}, head of the Portvale Town Council.\n\n"
        f"Reporting by {reporter}\n"
    )


BUSY_WORDS = "We have heard the complaints about the ferry and we will act"
FIRST_BATCH = {
    "ferry-1.txt": article(
        "Ferry complaints heard", "Valley Ledger", "Lena Ortiz", BUSY_WORDS, "Priya Wynn"
    ),
    "ferry-2.txt": article(
        "Council answers on ferry", "Harbour Times", "Lena Ortiz", BUSY_WORDS, "Elin Voss"
    ),
    "ferry-3.txt": article(
        "Ferry timetable to change",
        "Valley Ledger",
        "Owen Hale",
        "The timetable changes in spring",
        "Priya Wynn",
    ),
    "ferry-4.txt": article(
        "Ferry fares under review",
        "Northern Gazette",
        "Miriam Castell",
        "Fares will be frozen for a year",
        "Tomas Pike",
    ),
}
SECOND_BATCH = {
    "ferry-5.txt": article(
        "Ferry complaints again", "Northern Gazette", "Lena Ortiz", BUSY_WORDS, "Tomas Pike"
    ),
    "ferry-6.txt": article(
        "Fares frozen, council says",
        "Harbour Times",
        "Miriam Castell",
        "Fares will be frozen for a year",
        "Rosa Sadiq",
    ),
}
MOVED_URL = "https://ledger.example/ferry-moved"
BEFORE_MOVE = article(
    "Ferry crew speaks", "Valley Ledger", "Owen Hale", "The crew is ready", "Priya Wynn"
)
AFTER_MOVE = article(
    "Ferry crew speaks", "Valley Ledger", "Hanna Lutz", "The crew is ready", "Priya Wynn"
)

Moments = dict[tuple[str, int], tuple[datetime | None, datetime | None]]


def read_moments(connection: Connection) -> Moments:
    return {
        (model.__tablename__, id_): (public, partner)
        for model in SHOWN
        for id_, public, partner in connection.execute(
            select(model.id, model.public_visible_from, model.partner_visible_from)
        )
    }


async def stored_and_recomputed(engine: AsyncEngine) -> tuple[Moments, Moments]:
    """The stored moments, and what recomputing every row gives (then rolled back)."""
    async with engine.connect() as connection:
        stored = await connection.run_sync(read_moments)
        await connection.run_sync(refresh_all)
        recomputed = await connection.run_sync(read_moments)
        await connection.rollback()
    return stored, recomputed


async def assert_as_recomputed(engine: AsyncEngine) -> Moments:
    stored, recomputed = await stored_and_recomputed(engine)
    differing = {
        key: (stored[key], recomputed[key]) for key in stored if stored[key] != recomputed[key]
    }
    assert not differing, f"stored, then recomputed: {differing}"
    return stored


def ingested(database_url: str, folder: Path, files: dict[str, str], *options: str) -> None:
    for name, text in files.items():
        write(folder, name, text)
    completed = ingest(str(folder), "--batch-size", "3", *options, database_url=database_url)
    assert completed.returncode == 0, completed.stderr


class Desk:
    """The editing API, as an editor uses it."""

    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    async def ok(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        data = await graphql(self.client, query, variables, headers=self.headers)
        payload: dict[str, Any] = next(iter(data.values()))
        assert not payload["errors"], payload
        return payload

    async def create(self, query: str, **fields: Any) -> str:
        """A new row's global ID."""
        payload = await self.ok(query, {"input": fields})
        (created,) = (value for key, value in payload.items() if key != "errors")
        created_id: str = created["id"]
        return created_id

    async def article(self, headline: str) -> dict[str, Any]:
        data = await graphql(self.client, ARTICLES, headers=self.headers)
        found: list[dict[str, Any]] = [
            e["node"] for e in data["articles"]["edges"] if e["node"]["headline"] == headline
        ]
        assert len(found) == 1, headline
        return found[0]

    async def statements_of(self, slug: str) -> list[str]:
        data = await graphql(self.client, STATEMENTS_OF, {"slug": slug}, headers=self.headers)
        return [edge["node"]["id"] for edge in data["person"]["statements"]["edges"]]

    async def person_id(self, slug: str) -> str:
        data = await graphql(self.client, PERSON_ID, {"slug": slug}, headers=self.headers)
        person_id: str = data["person"]["id"]
        return person_id


async def moments_of(engine: AsyncEngine, model: Any, slug: str) -> tuple[Any, Any]:
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                select(model.public_visible_from, model.partner_visible_from).where(
                    model.slug == slug
                )
            )
        ).one()
        return row[0], row[1]


async def person_moments(engine: AsyncEngine, slug: str) -> tuple[Any, Any]:
    return await moments_of(engine, m.Person, slug)


async def speaker_moments(engine: AsyncEngine, slug: str) -> set[tuple[Any, Any]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(m.Statement.public_visible_from, m.Statement.partner_visible_from)
            .join(m.Person, m.Person.id == m.Statement.speaker_person_id)
            .where(m.Person.slug == slug)
        )
        return {(public, partner) for public, partner in rows}


async def test_ingests_and_edits_keep_what_recomputing_everything_gives(
    fresh_database, tmp_path: Path
):
    url, engine = fresh_database.url, fresh_database.app.state.engine
    editor = bearer((await issue_key(fresh_database.app, "editor", "Desk")).secret)
    desk = Desk(fresh_database.client, editor)

    # Inserts only: four articles, two of them quoting the same words of a busy speaker.
    ingested(url, tmp_path / "first", FIRST_BATCH)
    await assert_as_recomputed(engine)
    assert await speaker_moments(engine, "lena-ortiz") == {(ALWAYS, None)}

    # Edits (recomputed in full): an embargo, and text partners may republish.
    fares = await desk.article("Ferry fares under review")
    timetable = await desk.article("Ferry timetable to change")
    await desk.ok(PUBLISH, {"id": fares["id"], "until": EMBARGO.isoformat()})
    await desk.ok(UPDATE_ARTICLE, {"id": fares["id"], "input": {"partnersMayRepublish": True}})
    await desk.ok(UPDATE_ARTICLE, {"id": timetable["id"], "input": {"partnersMayRepublish": True}})
    await assert_as_recomputed(engine)
    assert await speaker_moments(engine, "miriam-castell") == {(EMBARGO, EMBARGO)}
    assert await speaker_moments(engine, "owen-hale") == {(ALWAYS, ALWAYS)}

    # Rows added through the API to an article under an earlier embargo lower what they
    # show: a report of Miriam Castell's statement, and a credit for Tomas Pike (whose
    # only byline so far is under the later embargo).
    ingested(url, tmp_path / "crew", {"crew.txt": BEFORE_MOVE}, "--url", MOVED_URL)
    crew = await desk.article("Ferry crew speaks")
    await desk.ok(PUBLISH, {"id": crew["id"], "until": EARLIER_EMBARGO.isoformat()})
    await desk.ok(UPDATE_ARTICLE, {"id": crew["id"], "input": {"partnersMayRepublish": True}})
    await assert_as_recomputed(engine)
    (fares_statement,) = await desk.statements_of("miriam-castell")
    paragraph = crew["paragraphs"][0]["id"]
    await desk.ok(REPORT, {"id": fares_statement, "paragraph": paragraph})
    reporter = await desk.person_id("tomas-pike")
    await desk.ok(
        CREDIT, {"input": {"articleId": crew["id"], "personId": reporter, "role": "EDITOR"}}
    )
    await assert_as_recomputed(engine)
    assert await speaker_moments(engine, "miriam-castell") == {(EARLIER_EMBARGO, EARLIER_EMBARGO)}
    assert await person_moments(engine, "tomas-pike") == (EARLIER_EMBARGO, EARLIER_EMBARGO)

    # A vote, its voters and a membership, recorded through the API in the same article,
    # name a board and two persons nothing else shows.
    board = await desk.create(
        CREATE_ORGANIZATION, slug="ferry-board", name="Ferry Board", kind="GOVERNMENT_BODY"
    )
    early, late, member = [
        await desk.create(CREATE_PERSON, slug=slug, name=name)
        for slug, name in (
            ("ada-early", "Ada Early"),
            ("ben-late", "Ben Late"),
            ("cai-member", "Cai Member"),
        )
    ]
    vote = await desk.create(CREATE_VOTE, bodyId=board, motion="Freeze fares", status="HELD")
    await desk.ok(POSITION, {"input": {"voteId": vote, "option": "SUPPORT", "personId": early}})
    await assert_as_recomputed(engine)
    assert await person_moments(engine, "ada-early") == (None, None)
    await desk.ok(VOTE_REPORT, {"id": vote, "paragraph": paragraph})
    await assert_as_recomputed(engine)
    assert await person_moments(engine, "ada-early") == (EARLIER_EMBARGO, EARLIER_EMBARGO)
    assert await moments_of(engine, m.Organization, "ferry-board") == (
        EARLIER_EMBARGO,
        EARLIER_EMBARGO,
    )
    await desk.ok(POSITION, {"input": {"voteId": vote, "option": "OPPOSE", "personId": late}})
    membership = {"personId": member, "organizationId": board, "sourceId": crew["id"]}
    await desk.ok(MEMBERSHIP, {"input": membership})
    await assert_as_recomputed(engine)
    for slug in ("ada-early", "ben-late", "cai-member"):
        assert await person_moments(engine, slug) == (EARLIER_EMBARGO, EARLIER_EMBARGO), slug

    # Inserts only again: the busy statement quoted once more, and the embargoed one
    # quoted in a published article.
    ingested(url, tmp_path / "second", SECOND_BATCH)
    await assert_as_recomputed(engine)
    assert await speaker_moments(engine, "miriam-castell") == {(ALWAYS, EARLIER_EMBARGO)}
    assert len(await desk.statements_of("lena-ortiz")) == 1

    # An update that moves a quote: the same URL, now attributed to someone else.
    ingested(url, tmp_path / "moved", {"crew.txt": AFTER_MOVE}, "--url", MOVED_URL)
    await assert_as_recomputed(engine)
    # The embargo stays, and so do the rights: the text says nothing of them, so partners
    # may still republish the article and see its new speaker from the embargo's end.
    assert await speaker_moments(engine, "hanna-lutz") == {(EARLIER_EMBARGO, EARLIER_EMBARGO)}
    assert await speaker_moments(engine, "owen-hale") == {(ALWAYS, ALWAYS)}

    # A deletion: Miriam Castell's published quote goes. So did the report, with the crew
    # article's old paragraphs: only the first embargo shows her statement.
    fares_frozen = await desk.article("Fares frozen, council says")
    await desk.ok(DELETE_ARTICLE, {"id": fares_frozen["id"]})
    moments = await assert_as_recomputed(engine)
    assert await speaker_moments(engine, "miriam-castell") == {(EMBARGO, EMBARGO)}
    assert {public for public, _ in moments.values()} >= {ALWAYS, EMBARGO, EARLIER_EMBARGO}

    # The embargo lifts with no write: the public sees her statement from its end.
    assert await shown_statements(url, "miriam-castell", EMBARGO) == 1
    assert await shown_statements(url, "miriam-castell", EMBARGO.replace(hour=8)) is None


async def shown_statements(url: str, slug: str, moment: datetime) -> int | None:
    """How many of the person's statements the public sees at `moment` (None: not the person)."""
    app = create_app(settings_for(url), clock=FixedClock(moment))
    async with app.router.lifespan_context(app), client_for(app) as client:
        person = (await graphql(client, SHOWN_STATEMENTS, {"slug": slug}))["person"]
        return None if person is None else int(person["statements"]["totalCount"])


# --- any mix of writes --------------------------------------------------------------------

INGEST = """
mutation($input: IngestArticleInput!) { ingestArticle(input: $input) { errors { code } } }
"""
UNPUBLISH = """mutation($id: ID!) { articleUnpublish(id: $id) { errors { code } } }"""
EVERYTHING = """query {
  articles(first: 100) { edges { node { id paragraphs { id } } } }
  statements(first: 100) { edges { node { id } } }
  persons(first: 100) { edges { node { id } } }
  organizations(first: 100) { edges { node { id } } }
}"""
SPEAKERS = ("Lena Ortiz", "Owen Hale", "Miriam Castell")
REPORTERS = ("Priya Wynn", "Elin Voss", "Tomas Pike")
OUTLETS = ("Valley Ledger", "Harbour Times")
WORDS = (BUSY_WORDS, "Fares will be frozen for a year")
URLS = tuple(f"https://ledger.example/story-{n}" for n in range(4))

ingests = st.builds(
    lambda speaker, words, outlet, reporter, url: (
        "ingest",
        {
            "source": article(f"Ferry story {url[-1]}", outlet, speaker, words, reporter),
            "url": url,
        },
    ),
    st.sampled_from(SPEAKERS),
    st.sampled_from(WORDS),
    st.sampled_from(OUTLETS),
    st.sampled_from(REPORTERS),
    st.sampled_from(URLS),
)
edits = st.tuples(
    st.sampled_from(
        ["embargo", "publish", "unpublish", "republish", "keep", "delete", "credit"]
        # Memberships an article states (as ingested texts do) and editors' own.
        + ["membership", "editors membership"]
        # Reports show a statement, not its speaker, in an article that may not name them.
        + ["report", "unreport"] * 3
    ),
    st.integers(0, 20),
    st.integers(0, 20),
)


async def apply_write(desk: Desk, one: tuple[Any, ...]) -> None:
    """One write; a refused one (a duplicate credit, an embargo on a draft) changes nothing."""
    if one[0] == "ingest":
        await graphql(desk.client, INGEST, {"input": one[1]}, headers=desk.headers)
        return
    kind, first, second = one
    data = await graphql(desk.client, EVERYTHING, headers=desk.headers)
    articles = [edge["node"] for edge in data["articles"]["edges"]]
    statements = [edge["node"]["id"] for edge in data["statements"]["edges"]]
    persons = [edge["node"]["id"] for edge in data["persons"]["edges"]]
    organizations = [edge["node"]["id"] for edge in data["organizations"]["edges"]]
    paragraphs = [p["id"] for a in articles for p in a["paragraphs"]]
    if not articles:
        return
    target = articles[first % len(articles)]["id"]
    hours = second % 3
    report = {
        "id": statements[first % len(statements)] if statements else "",
        "paragraph": paragraphs[second % len(paragraphs)] if paragraphs else "",
    }
    # The role ingested texts state: an editor's fact may be one an article states too.
    membership = {
        "personId": persons[second % len(persons)] if persons else "",
        "organizationId": organizations[first % len(organizations)] if organizations else "",
        "role": "head",
    }
    query, variables = {
        "embargo": (PUBLISH, {"id": target, "until": (EMBARGO.replace(hour=hours)).isoformat()}),
        "publish": (PUBLISH, {"id": target}),
        "unpublish": (UNPUBLISH, {"id": target}),
        "republish": (UPDATE_ARTICLE, {"id": target, "input": {"partnersMayRepublish": True}}),
        "keep": (UPDATE_ARTICLE, {"id": target, "input": {"partnersMayRepublish": False}}),
        "delete": (DELETE_ARTICLE, {"id": target}),
        "membership": (MEMBERSHIP, {"input": membership | {"sourceId": target}}),
        "editors membership": (MEMBERSHIP, {"input": membership}),
        "report": (REPORT, report),
        "unreport": (UNREPORT, report),
        "credit": (
            CREDIT,
            {
                "input": {
                    "articleId": target,
                    "personId": persons[second % len(persons)] if persons else "",
                    "role": "CONTRIBUTOR",
                }
            },
        ),
    }[kind]
    if all(variables.values()):
        await graphql(desk.client, query, variables, headers=desk.headers)


@settings(
    max_examples=25,
    deadline=None,
    # Shrinking re-runs many HTTP rounds; the drawn writes are readable as they are.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(writes=st.lists(st.one_of(ingests, edits), min_size=3, max_size=12))
async def test_any_mix_of_ingests_and_edits_keeps_what_recomputing_everything_gives(
    fresh_database, writes
):
    # The examples share the database: each starts from whatever the previous ones left.
    editor = bearer((await issue_key(fresh_database.app, "editor", "Desk")).secret)
    desk = Desk(fresh_database.client, editor)
    for one in writes:
        await apply_write(desk, one)
        await assert_as_recomputed(fresh_database.app.state.engine)
