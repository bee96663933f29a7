"""How long a feed page takes to build: prints milliseconds per request; asserts nothing.

    .venv/bin/python -m bench.feeds [ARTICLES]

Builds a throwaway SQLite database with the seed and ARTICLES (default 300) more articles
mentioning the coalition, then times each format at page sizes 20 and 100 through the ASGI
app (no network), and the change feed.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from db import migrate
from db.documents import save_article_document
from db.engine import create_app_engine, session_factory, unit_of_work
from db.keys import create_key
from db.models import KeyRole
from db.seed import load_seed
from newsgraph.document import ArticleDocument
from newsgraph.settings import Settings
from tests.syndication_support import feeds_app

ROUNDS = 20


def _document(number: int) -> ArticleDocument:
    text = " ".join(["The Coalition said it would review its operations."] * 8)
    return ArticleDocument.model_validate(
        {
            "article": {
                "slug": f"bench-{number}",
                "headline": f"Bench article {number}",
                "standfirst": "A standfirst.",
                "publisher": "kurdistan-24",
                "published_at": datetime(2020, 1, 6, tzinfo=UTC) + timedelta(hours=number),
                "paragraphs": [{"position": p, "kind": "body", "text": text} for p in range(1, 11)],
            },
            "organizations": [
                {"slug": "kurdistan-24", "name": "Kurdistan 24", "kind": "news_outlet"},
                {"slug": "cjtf-oir", "name": "CJTF-OIR", "kind": "military_coalition"},
            ],
            "mentions": [
                {
                    "paragraph": 1,
                    "organization": "cjtf-oir",
                    "text": "Coalition",
                    "start": 4,
                    "end": 13,
                }
            ],
        }
    )


async def _prepare(url: str, articles: int) -> None:
    settings = Settings(database_url=url)
    migrate.upgrade(settings)
    engine = create_app_engine(settings)
    sessions = session_factory(engine)
    try:
        await load_seed(sessions)
        async with unit_of_work(sessions) as session:
            for number in range(articles):
                await save_article_document(session, _document(number))
    finally:
        await engine.dispose()


async def _time(client: httpx.AsyncClient, path: str) -> float:
    await client.get(path)  # warm caches and the connection pool
    started = time.perf_counter()
    for _ in range(ROUNDS):
        response = await client.get(path)
        assert response.status_code == 200, response.text
    return (time.perf_counter() - started) / ROUNDS * 1000


async def main(articles: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        await _prepare(url, articles)
        print(f"{articles + 1} articles, 10 paragraphs each; mean of {ROUNDS} requests")
        for size in (20, 100):
            async with feeds_app(url, feed_page_size=size) as (_, client):
                for extension in ("atom", "rss", "json", "ninjs.json"):
                    path = f"/feeds/organizations/cjtf-oir.{extension}"
                    print(f"page of {size:3}  {extension:10}  {await _time(client, path):7.1f} ms")
        async with feeds_app(url, now=datetime.now(UTC) + timedelta(minutes=1)) as (app, client):
            # The change feed is for partners.
            partner = await create_key(session_factory(app.state.engine), "bench", KeyRole.PARTNER)
            client.headers["Authorization"] = f"Bearer {partner.secret}"
            print(f"/changes?limit=100         {await _time(client, '/changes?limit=100'):7.1f} ms")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
