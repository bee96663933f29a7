"""Read replicas: reads go to a replica; writes, and the reads after them, go to the primary."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from api.read_your_writes import COOKIE
from db.documents import save_article_document
from db.engine import create_app_engine, session_factory, unit_of_work
from db.models import Article, Organization, OrganizationKind
from db.reads import Reader
from newsgraph.settings import Settings
from tests.conftest import prepare_database
from tests.support import graphql, graphql_response, serving
from tests.test_sql_counts import synthetic_article

ARTICLE_COUNT = "{ articles { totalCount } }"
ARTICLE_WITH_PUBLISHER = """
query { article(slug: "us-led-coalition-suspends-anti-isis-operations") { headline publisher { name } } }
"""
SEEDED_ARTICLES = 3


async def count_organizations(url: str, slug: str) -> int:
    engine = create_app_engine(Settings(database_url=url))
    statement = select(func.count()).select_from(Organization).where(Organization.slug == slug)
    try:
        async with session_factory(engine)() as session:
            return int(await session.scalar(statement) or 0)
    finally:
        await engine.dispose()


@pytest.fixture
async def primary_and_replica(databases) -> AsyncIterator[tuple[str, str]]:
    """Two seeded databases; the primary then gets one article the replica has not seen yet."""
    primary, replica = databases.create("primary"), databases.create("replica")
    try:
        await prepare_database(primary)
        await prepare_database(replica)
        engine = create_app_engine(Settings(database_url=primary))
        try:
            async with unit_of_work(session_factory(engine)) as session:
                await save_article_document(session, synthetic_article(1))
        finally:
            await engine.dispose()
        yield primary, replica
    finally:
        databases.drop(primary)
        databases.drop(replica)


async def test_reads_go_to_a_replica(primary_and_replica):
    primary, replica = primary_and_replica
    async with serving(primary, database_replica_urls=[replica]) as (_, client):
        data = await graphql(client, ARTICLE_COUNT)

    assert data["articles"]["totalCount"] == SEEDED_ARTICLES  # the replica lags by one


async def test_a_client_that_wrote_recently_reads_from_the_primary(primary_and_replica):
    primary, replica = primary_and_replica
    async with serving(primary, database_replica_urls=[replica]) as (_, client):
        client.cookies.set(COOKIE, "1")
        data = await graphql(client, ARTICLE_COUNT)

    assert data["articles"]["totalCount"] == SEEDED_ARTICLES + 1


async def test_without_replicas_everything_reads_the_primary(primary_and_replica):
    primary, _ = primary_and_replica
    async with serving(primary) as (_, client):
        data = await graphql(client, ARTICLE_COUNT)

    assert data["articles"]["totalCount"] == SEEDED_ARTICLES + 1


async def test_a_session_that_writes_reads_its_own_writes_from_the_primary(primary_and_replica):
    primary, replica = primary_and_replica
    count = select(func.count()).select_from(Article)
    async with serving(primary, database_replica_urls=[replica]) as (app, _):
        session = app.state.sessions()
        async with session:
            before = await session.scalar(count)
            session.add(
                Organization(
                    slug="new-outlet",
                    name="New Outlet",
                    normalized_name="new outlet",
                    kind=OrganizationKind.NEWS_OUTLET,
                )
            )
            await session.flush()
            after = await session.scalar(count)
            await session.commit()

    assert before == SEEDED_ARTICLES  # read from the replica
    assert after == SEEDED_ARTICLES + 1  # read from the primary, once the session wrote
    assert await count_organizations(primary, slug="new-outlet") == 1
    assert await count_organizations(replica, slug="new-outlet") == 0


def test_replica_urls_are_read_comma_separated_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEWSGRAPH_DATABASE_REPLICA_URLS", "postgresql://r1/db, postgresql://r2/db")

    assert Settings().database_replica_urls == ["postgresql://r1/db", "postgresql://r2/db"]


@pytest.fixture
def writing_id_lookups(monkeypatch):
    """Lookups by ID that write a row first, standing in for a mutation (there is none yet)."""

    async def write_then_find_nothing(self, model, ids):
        self._session.add(
            Organization(
                slug="written-by-request",
                name="Written",
                normalized_name="written",
                kind=OrganizationKind.NEWS_OUTLET,
            )
        )
        await self._session.flush()
        return {}

    monkeypatch.setattr(Reader, "by_ids", write_then_find_nothing)


async def test_a_request_that_wrote_marks_its_client_to_read_from_the_primary(
    primary_and_replica, writing_id_lookups
):
    primary, replica = primary_and_replica
    async with serving(primary, database_replica_urls=[replica], compiled_reads=False) as (
        _,
        client,
    ):
        response = await graphql_response(client, ARTICLE_WITH_PUBLISHER)

    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=1;")
    assert "Max-Age=10" in cookie
    assert "HttpOnly" in cookie


async def test_a_request_that_only_read_sets_no_cookie(primary_and_replica):
    primary, replica = primary_and_replica
    async with serving(primary, database_replica_urls=[replica]) as (_, client):
        response = await graphql_response(client, ARTICLE_WITH_PUBLISHER)

    assert "set-cookie" not in response.headers
