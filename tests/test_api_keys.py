"""API keys: the public needs none, partners and editors send one, and a bad key is a 401."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text, update

from db import keys
from db import models as m
from db.engine import session_factory, unit_of_work
from tests.support import bearer, graphql, graphql_response, issue_key

DRAFT = "nato-suspends-training-in-iraq-following-qasim-soleimani-killing-spokesperson"
ARTICLE = """query($slug: String!) { article(slug: $slug) { slug status } }"""
HEADLINES = """query { articles { totalCount } }"""


async def make_draft(database) -> None:
    async with unit_of_work(session_factory(database.app.state.engine)) as session:
        await session.execute(
            update(m.Article)
            .where(m.Article.slug == DRAFT)
            .values(status=m.PublicationStatus.DRAFT)
        )


async def test_an_editor_key_sent_as_bearer_sees_drafts(fresh_database):
    await make_draft(fresh_database)
    editor = await issue_key(fresh_database.app, "editor")

    data = await graphql(
        fresh_database.client, ARTICLE, {"slug": DRAFT}, headers=bearer(editor.secret)
    )

    assert data["article"] == {"slug": DRAFT, "status": "DRAFT"}


async def test_an_editor_key_sent_as_x_api_key_works_the_same(fresh_database):
    await make_draft(fresh_database)
    editor = await issue_key(fresh_database.app, "editor")

    data = await graphql(
        fresh_database.client, ARTICLE, {"slug": DRAFT}, headers={"X-API-Key": editor.secret}
    )

    assert data["article"]["slug"] == DRAFT


async def test_a_partner_key_does_not_see_drafts(fresh_database):
    await make_draft(fresh_database)
    partner = await issue_key(fresh_database.app, "partner")

    data = await graphql(
        fresh_database.client, ARTICLE, {"slug": DRAFT}, headers=bearer(partner.secret)
    )

    assert data["article"] is None


async def test_an_unknown_key_is_a_401_graphql_error_not_the_public(client):
    response = await graphql_response(client, HEADLINES, headers=bearer("ng_not-a-key"))

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json() == {
        "errors": [
            {
                "message": "The API key is unknown or has been revoked.",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ]
    }


async def test_a_scheme_other_than_bearer_is_refused(client):
    response = await graphql_response(client, HEADLINES, headers={"Authorization": "Basic eDp5"})

    assert response.status_code == 401
    assert "Bearer" in response.json()["errors"][0]["message"]


async def test_two_different_keys_in_one_request_are_refused(fresh_database):
    partner = await issue_key(fresh_database.app, "partner")
    editor = await issue_key(fresh_database.app, "editor")

    response = await graphql_response(
        fresh_database.client,
        HEADLINES,
        headers={**bearer(partner.secret), "X-API-Key": editor.secret},
    )

    assert response.status_code == 401


async def test_a_revoked_key_is_refused_from_the_next_request_on(fresh_database):
    partner = await issue_key(fresh_database.app, "partner")
    await graphql(fresh_database.client, HEADLINES, headers=bearer(partner.secret))

    sessions = session_factory(fresh_database.app.state.engine)
    await keys.revoke_key(sessions, partner.id, datetime.now(UTC))
    response = await graphql_response(
        fresh_database.client, HEADLINES, headers=bearer(partner.secret)
    )

    assert response.status_code == 401


async def test_only_a_hash_of_the_secret_is_stored(fresh_database):
    issued = await issue_key(fresh_database.app, "partner")

    async with fresh_database.app.state.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT * FROM api_keys"))).all()

    stored = [str(value) for row in rows for value in row]
    assert keys.hash_secret(issued.secret) in stored
    assert not any(issued.secret in value for value in stored)
