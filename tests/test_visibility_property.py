"""Property: whatever mix of workflow states and rights, no path shows public or partners more.

Hypothesis draws each article's state (draft, embargoed before or after now, published,
withdrawn) and whether partners may republish it, then asks every kind of query (root
lists and their counts, lookups, `node`/`nodes`, nested relations, filters) as the public
or as a partner, and compares every ID and slug in the answers with what an oracle
written from the rules in docs/access.md allows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from api.app import create_app
from api.relay import encode_global_id
from db import models as m
from db.documents import save_article_document
from db.engine import session_factory, unit_of_work
from db.seed import SEED_ARTICLE_SLUG
from newsgraph.clock import FixedClock
from newsgraph.document import ArticleDocument
from tests.support import bearer, client_for, graphql, issue_key, settings_for

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
SECOND_ARTICLE = "second-report-on-the-coalition"
NATO_ARTICLE = "nato-suspends-training-in-iraq-following-qasim-soleimani-killing-spokesperson"
PARLIAMENT_ARTICLE = "iraqi-parliament-approves-draft-bill-to-end-us-troop-presence-in-iraq"
ARTICLES = (SEED_ARTICLE_SLUG, SECOND_ARTICLE, NATO_ARTICLE, PARLIAMENT_ARTICLE)

# A second article with facts of its own: a person, a council, a membership, a statement and
# a vote that no other article carries, and a paragraph reporting the Coalition's statement.
SECOND_DOCUMENT: dict[str, Any] = {
    "article": {
        "slug": SECOND_ARTICLE,
        "headline": "A second report on the Coalition",
        "publisher": "kurdistan-24",
        "published_at": "2020-01-06T12:00:00Z",
        "paragraphs": [
            {
                "position": 1,
                "kind": "body",
                "text": "“We will wait and see,” said Jane Example, who chairs the Example Council.",
            },
            {
                "position": 2,
                "kind": "body",
                "text": "The Coalition repeated its statement; the Example Council voted to adjourn.",
            },
        ],
    },
    "organizations": [
        {"slug": "kurdistan-24", "name": "Kurdistan 24", "kind": "news_outlet"},
        {"slug": "example-council", "name": "Example Council", "kind": "legislature"},
    ],
    "persons": [
        {
            "slug": "jane-example",
            "name": "Jane Example",
            "memberships": [{"organization": "example-council", "role": "chair"}],
        }
    ],
    "statements": [
        {
            "speaker": {"person": "jane-example"},
            "medium": "interview",
            "quotes": [{"paragraph": 1, "text": "We will wait and see,"}],
        }
    ],
    "votes": [
        {
            "key": "adjourn",
            "body": "example-council",
            "motion": "To adjourn",
            "status": "held",
            "reported_in": [2],
        }
    ],
    "mentions": [
        {"paragraph": 1, "person": "jane-example", "text": "Jane Example"},
        {"paragraph": 1, "organization": "example-council", "text": "Example Council"},
    ],
}

EVERYTHING = """
fragment Entity on Node { id ... on Person { slug } ... on Organization { slug } }
query Everything {
  articles(first: 100) { totalCount edges { node {
    id slug
    paragraphs { id }
    quotes { id statement { id } paragraph { id } }
    statements { id speaker { ...Entity } }
    votes { id body { id slug } }
    mentions { paragraph { id } entity { ...Entity } }
    relatedArticles { id slug }
    relatedLinks { article { id slug } paragraph { id } }
    linkedFrom(first: 100) { totalCount edges { node { id slug } } }
    credits { person { id slug } }
    publisher { id slug }
  } } }
  statements(first: 100) { totalCount edges { node {
    id speaker { ...Entity }
    quotes { id paragraph { id article { id slug } } }
    articles { id slug }
    reportedIn { id }
  } } }
  organizations(first: 100) { totalCount edges { node {
    id slug
    statements(first: 100) { totalCount edges { node { id } } }
    votes(first: 100) { totalCount edges { node { id } } }
    publishedArticles(first: 100) { totalCount edges { node { id slug } } }
    mentionedIn(first: 100) { totalCount edges { node { id slug } } }
    memberships(first: 100) { totalCount edges { node { id person { id slug } source { id slug } } } }
  } } }
  persons(first: 100) { totalCount edges { node {
    id slug
    statements(first: 100) { totalCount edges { node { id } } }
    memberships(first: 100) { totalCount edges { node { id organization { id slug } } } }
    creditedArticles(first: 100) { totalCount edges { node { id slug } } }
    mentionedIn(first: 100) { totalCount edges { node { id slug } } }
  } } }
  votes(first: 100) { totalCount edges { node {
    id body { id slug } followUp { id } followUpOf { id } reportedIn { id }
    positions { organization { id slug } person { id slug } }
  } } }
}
"""
BY_SLUG = """
query($slug: String!) {
  article(slug: $slug) { id slug paragraphs { id } }
  statements(filter: {quotedIn: $slug}) { totalCount edges { node { id } } }
}
"""
MENTIONING = """
query($person: String!) { articles(filter: {mentionsPerson: $person}) { totalCount edges { node { id slug } } } }
"""
NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Article { slug } } }"""


@dataclass(frozen=True)
class ArticleState:
    status: m.PublicationStatus
    embargo_lifted: bool
    partners_may_republish: bool

    def visible(self) -> bool:
        if self.status is m.PublicationStatus.EMBARGOED:
            return self.embargo_lifted
        return self.status is m.PublicationStatus.PUBLISHED

    def text_visible(self, partner: bool) -> bool:
        return self.visible() and (self.partners_may_republish or not partner)


article_states = st.builds(
    ArticleState,
    status=st.sampled_from(list(m.PublicationStatus)),
    embargo_lifted=st.booleans(),
    partners_may_republish=st.booleans(),
)


@dataclass
class World:
    """What the database holds, by global ID, to tell the oracle what hangs on which article."""

    client: Any
    partner_headers: dict[str, str]
    article_ids: dict[str, str]
    paragraphs: dict[str, set[str]]  # article slug -> paragraph IDs
    quotes: dict[str, set[str]]  # article slug -> quote IDs
    statements: dict[str, set[str]]  # statement ID -> slugs of articles quoting or reporting it
    votes: dict[str, set[str]]  # vote ID -> slugs of articles reporting it
    only_in_second: set[str]  # slugs and IDs of the person and council only the second names
    all_node_ids: list[str]


def collected(value: Any, key: str) -> Iterator[Any]:
    if isinstance(value, dict):
        for name, item in value.items():
            if name == key and isinstance(item, str):
                yield item
            else:
                yield from collected(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from collected(item, key)


def connections(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if "totalCount" in value and "edges" in value:
            yield value
        for item in value.values():
            yield from connections(item)
    elif isinstance(value, list):
        for item in value:
            yield from connections(item)


async def build_world(database) -> tuple[Any, World]:
    sessions = session_factory(database.app.state.engine)
    async with unit_of_work(sessions) as session:
        await save_article_document(session, ArticleDocument.model_validate(SECOND_DOCUMENT))
    async with unit_of_work(sessions) as session:
        second_paragraph = await session.scalar(
            select(m.Paragraph.id)
            .join(m.Article)
            .where(m.Article.slug == SECOND_ARTICLE, m.Paragraph.position == 2)
        )
        coalition_statement = await session.scalar(
            select(m.Statement.id)
            .join(m.Organization, m.Organization.id == m.Statement.speaker_organization_id)
            .where(m.Organization.slug == "cjtf-oir")
        )
        session.add(
            m.StatementReport(statement_id=coalition_statement, paragraph_id=second_paragraph)
        )

    async with sessions() as session:
        slug_of = dict((await session.execute(select(m.Article.id, m.Article.slug))).all())
        paragraphs: dict[str, set[str]] = {slug: set() for slug in ARTICLES}
        paragraph_article: dict[int, str] = {}
        for pk, article_id in (
            await session.execute(select(m.Paragraph.id, m.Paragraph.article_id))
        ).all():
            paragraphs[slug_of[article_id]].add(encode_global_id("Paragraph", pk))
            paragraph_article[pk] = slug_of[article_id]
        quotes: dict[str, set[str]] = {slug: set() for slug in ARTICLES}
        statements: dict[str, set[str]] = {}
        for pk, statement_id, paragraph_id in (
            await session.execute(select(m.Quote.id, m.Quote.statement_id, m.Quote.paragraph_id))
        ).all():
            quotes[paragraph_article[paragraph_id]].add(encode_global_id("Quote", pk))
            statements.setdefault(encode_global_id("Statement", statement_id), set()).add(
                paragraph_article[paragraph_id]
            )
        for statement_id, paragraph_id in (
            await session.execute(
                select(m.StatementReport.statement_id, m.StatementReport.paragraph_id)
            )
        ).all():
            statements.setdefault(encode_global_id("Statement", statement_id), set()).add(
                paragraph_article[paragraph_id]
            )
        votes: dict[str, set[str]] = {}
        for vote_id, paragraph_id in (
            await session.execute(select(m.VoteReport.vote_id, m.VoteReport.paragraph_id))
        ).all():
            votes.setdefault(encode_global_id("Vote", vote_id), set()).add(
                paragraph_article[paragraph_id]
            )
        jane = await session.scalar(select(m.Person.id).where(m.Person.slug == "jane-example"))
        council = await session.scalar(
            select(m.Organization.id).where(m.Organization.slug == "example-council")
        )
        membership = await session.scalar(
            select(m.Membership.id).where(m.Membership.person_id == jane)
        )
        assert jane is not None and council is not None and membership is not None
        all_node_ids: list[str] = [encode_global_id("Article", pk) for pk in slug_of]
        all_node_ids += [node for nodes in paragraphs.values() for node in nodes]
        all_node_ids += [node for nodes in quotes.values() for node in nodes]
        all_node_ids += list(statements) + list(votes)
        all_node_ids += [
            encode_global_id("Person", jane),
            encode_global_id("Organization", council),
            encode_global_id("Membership", membership),
        ]

    # The probe asks for every page of everything at once: far over the default cost limit.
    app = create_app(
        settings_for(database.url, max_cost=10_000_000, max_nodes=10_000_000),
        clock=FixedClock(NOW),
    )
    partner = await issue_key(database.app, "partner")
    world = World(
        client=None,
        partner_headers=bearer(partner.secret),
        article_ids={slug: encode_global_id("Article", pk) for pk, slug in slug_of.items()},
        paragraphs=paragraphs,
        quotes=quotes,
        statements=statements,
        votes=votes,
        only_in_second={
            "jane-example",
            "example-council",
            encode_global_id("Person", jane),
            encode_global_id("Organization", council),
            encode_global_id("Membership", membership),
        },
        all_node_ids=all_node_ids,
    )
    return app, world


async def set_states(database, states: dict[str, ArticleState]) -> None:
    async with unit_of_work(session_factory(database.app.state.engine)) as session:
        for slug, state in states.items():
            embargo = NOW + (timedelta(hours=-1) if state.embargo_lifted else timedelta(hours=1))
            await session.execute(
                update(m.Article)
                .where(m.Article.slug == slug)
                .values(
                    status=state.status,
                    embargoed_until=embargo
                    if state.status is m.PublicationStatus.EMBARGOED
                    else None,
                    partners_may_republish=state.partners_may_republish,
                )
            )


def forbidden(world: World, states: dict[str, ArticleState], partner: bool) -> set[str]:
    """Every ID and slug the oracle says this viewer must not see."""
    readable = {slug for slug, state in states.items() if state.text_visible(partner)}
    hidden: set[str] = set()
    for slug, state in states.items():
        if not state.visible():
            hidden |= {slug, world.article_ids[slug]}
        if slug not in readable:
            hidden |= world.paragraphs[slug] | world.quotes[slug]
    hidden |= {node for node, carriers in world.statements.items() if not carriers & readable}
    hidden |= {node for node, carriers in world.votes.items() if not carriers & readable}
    if SECOND_ARTICLE not in readable:
        hidden |= world.only_in_second
    return hidden


def expected(world: World, states: dict[str, ArticleState], partner: bool) -> set[str]:
    """IDs the viewer must see, so that an answer hiding everything cannot pass."""
    shown: set[str] = set()
    for slug, state in states.items():
        if state.visible():
            shown.add(world.article_ids[slug])
        if state.text_visible(partner):
            shown |= world.paragraphs[slug]
    return shown


@pytest.fixture
async def world(fresh_database):
    app, world = await build_world(fresh_database)
    async with app.router.lifespan_context(app), client_for(app) as client:
        world.client = client
        yield world


@settings(
    max_examples=15,
    deadline=None,
    # Shrinking a failure re-runs dozens of HTTP rounds; the drawn example is readable as is.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    states=st.fixed_dictionaries({slug: article_states for slug in ARTICLES}),
    partner=st.booleans(),
)
async def test_no_query_path_shows_what_the_workflow_and_rights_hide(
    fresh_database, world, states, partner
):
    await set_states(fresh_database, states)
    headers = world.partner_headers if partner else {}

    answers = [await graphql(world.client, EVERYTHING, headers=headers)]
    for slug in ARTICLES:
        answers.append(await graphql(world.client, BY_SLUG, {"slug": slug}, headers=headers))
    for person in ("jane-example", "qasim-soleimani"):
        answers.append(await graphql(world.client, MENTIONING, {"person": person}, headers=headers))
    answers.append(await graphql(world.client, NODES, {"ids": world.all_node_ids}, headers=headers))

    seen = {
        value for answer in answers for key in ("id", "slug") for value in collected(answer, key)
    }
    assert not seen & forbidden(world, states, partner)
    assert expected(world, states, partner) <= seen
    # Every page asked for holds everything, so a count that differs counts hidden rows.
    for connection in connections(answers):
        assert connection["totalCount"] == len(connection["edges"])
