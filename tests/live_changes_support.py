"""What the embargo and withdrawal tests share: an editor's GraphQL calls and a sleeper to step."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx

from tests.support import graphql

# A safety net so a broken scheduler fails the test instead of hanging it; never a measurement.
PATIENCE = 10.0

CREATE_ARTICLE = """
mutation Create($input: ArticleCreateInput!) {
  articleCreate(input: $input) { article { id } errors { field code } }
}
"""
ADD_PARAGRAPH = """
mutation Add($article: ID!, $text: String!) {
  paragraphCreate(articleId: $article, kind: BODY, text: $text) { paragraph { id } errors { code } }
}
"""
CORRECT_PARAGRAPH = """
mutation Correct($id: ID!, $text: String!) {
  paragraphCorrect(id: $id, text: $text) { errors { code } }
}
"""
PUBLISH = """
mutation Publish($id: ID!, $until: DateTime) {
  articlePublish(id: $id, embargoedUntil: $until) { article { status } errors { field code } }
}
"""
UNPUBLISH = """mutation Unpublish($id: ID!) { articleUnpublish(id: $id) { errors { code } } }"""
DELETE = """mutation Delete($id: ID!) { articleDelete(id: $id) { deletedId errors { code } } }"""
RENAME = """
mutation Rename($id: ID!, $slug: String!) {
  articleUpdate(id: $id, input: {slug: $slug}) { errors { field code } }
}
"""
REGISTER = """
mutation Register($url: String!) { webhookCreate(input: {url: $url}) { secret errors { code } } }
"""


class Editor:
    """An editor working through the API, with its key."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    async def call(self, query: str, field: str, **variables: Any) -> dict[str, Any]:
        data = await graphql(self.client, query, variables, headers=self.headers)
        payload: dict[str, Any] = data[field]
        assert payload["errors"] == [], payload
        return payload

    async def draft(self, slug: str) -> tuple[str, str]:
        """A new draft with one paragraph: its ID and the paragraph's."""
        created = await self.call(
            CREATE_ARTICLE, "articleCreate", input={"slug": slug, "headline": f"About {slug}"}
        )
        article_id: str = created["article"]["id"]
        added = await self.call(
            ADD_PARAGRAPH, "paragraphCreate", article=article_id, text="The news, in brief."
        )
        return article_id, added["paragraph"]["id"]

    async def publish(self, article_id: str, until: datetime | None = None) -> None:
        await self.call(PUBLISH, "articlePublish", id=article_id, until=until and until.isoformat())


class SteppedSleeper:
    """A sleeper that returns only when the test steps it: background loops run pass by pass."""

    def __init__(self) -> None:
        self._sleeping: list[asyncio.Future[None]] = []
        self._changed = asyncio.Condition()

    async def __call__(self, seconds: float) -> None:
        wake = asyncio.get_running_loop().create_future()
        async with self._changed:
            self._sleeping.append(wake)
            self._changed.notify_all()
        await wake

    async def step(self, loops: int = 1) -> None:
        """Wake the `loops` sleeping loops and wait until each has run a pass and sleeps again."""
        async with asyncio.timeout(PATIENCE), self._changed:
            await self._changed.wait_for(lambda: len(self._sleeping) >= loops)
            woken, self._sleeping = self._sleeping, []
            for wake in woken:
                wake.set_result(None)
            await self._changed.wait_for(lambda: len(self._sleeping) >= len(woken))


async def next_update(ws: Any) -> dict[str, Any]:
    """The next `articleUpdates` event on a subscription socket."""
    message = await ws.receive_json(timeout=PATIENCE)
    update: dict[str, Any] = message["payload"]["data"]["articleUpdates"]
    return update


async def change_feed(client: httpx.AsyncClient, headers: dict[str, str]) -> list[tuple[str, str]]:
    """The change feed as (slug, kind) pairs, oldest first."""
    response = await client.get("/changes", headers=headers)
    assert response.status_code == 200, response.text
    return [(entry["article"]["slug"], entry["kind"]) for entry in response.json()["changes"]]
