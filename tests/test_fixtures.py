"""The test infrastructure itself: a fresh database is a copy nobody else sees."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from db.engine import create_app_engine
from newsgraph.settings import Settings
from tests.support import FreshDatabase, graphql

COALITION = 'query Coalition { organization(name: "CJTF-OIR") { name } }'


async def test_writes_to_a_fresh_database_stay_out_of_the_shared_one(
    fresh_database: FreshDatabase, client: httpx.AsyncClient
) -> None:
    engine = create_app_engine(Settings(database_url=fresh_database.url))
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM organization_aliases"))
    finally:
        await engine.dispose()

    fresh = await graphql(fresh_database.client, COALITION)
    shared = await graphql(client, COALITION)

    assert fresh["organization"] is None
    assert shared["organization"] is not None
