"""Prints what the visibility rules cost: the same queries as the public, a partner and an editor.

    .venv/bin/python -m bench.visibility [ARTICLES] [DATABASE_URL]

Builds a database (SQLite under var/ unless a URL is given) with ARTICLES synthetic articles
(default 2,000; a fifth are drafts), then times each query per role. Editors read without
any visibility condition, so their time is the baseline. The partner may republish none of
them, so it reads no text at all and has less to fetch.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import update

from api.app import create_app
from db import keys, migrate
from db import models as m
from db.documents import save_article_document
from db.engine import create_app_engine, session_factory, unit_of_work
from db.seed import load_seed
from newsgraph.document import (
    ArticleDocument,
    ArticleRecord,
    MentionRecord,
    OrganizationRecord,
    ParagraphRecord,
    QuoteRecord,
    SpeakerRecord,
    StatementRecord,
)
from newsgraph.settings import Settings

QUERIES = {
    "articles page (50) with paragraphs and quotes": """
        { articles(first: 50) { totalCount edges { node { headline
          paragraphs { text quotes { text statement { issuedOn } } } } } } }""",
    "statements page (50) with speakers": """
        { statements(first: 50) { totalCount edges { node { issuedOn
          speaker { ... on Organization { name } } } } } }""",
    "organizations page (50) with statement counts": """
        { organizations(first: 50) { totalCount edges { node { name
          statements { totalCount } mentionedIn { totalCount } } } } }""",
    "headline query": None,
}
ROUNDS = 5


def article(number: int) -> ArticleDocument:
    published_at = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=number)
    texts = [
        f"\u201cMeasure {number}.{p} takes effect,\u201d Minister {number % 50} said."
        for p in (1, 2, 3)
    ]
    return ArticleDocument(
        article=ArticleRecord(
            slug=f"measures-{number}",
            headline=f"Measures, part {number}",
            publisher="daily-bench",
            published_at=published_at,
            paragraphs=[
                ParagraphRecord(position=p, kind=m.ParagraphKind.BODY, text=t)
                for p, t in enumerate(texts, 1)
            ],
        ),
        organizations=[
            OrganizationRecord(
                slug="daily-bench", name="The Daily Bench", kind=m.OrganizationKind.NEWS_OUTLET
            ),
            OrganizationRecord(
                slug=f"ministry-{number % 50}",
                name=f"Ministry {number % 50}",
                kind=m.OrganizationKind.GOVERNMENT_BODY,
            ),
        ],
        statements=[
            StatementRecord(
                speaker=SpeakerRecord(organization=f"ministry-{number % 50}"),
                issued_on=published_at.date(),
                medium=m.StatementMedium.SPEECH,
                quotes=[
                    QuoteRecord(paragraph=p, text=t[1 : t.index(",\u201d") + 1])
                    for p, t in enumerate(texts, 1)
                ],
            )
        ],
        mentions=[
            MentionRecord(
                paragraph=1, organization=f"ministry-{number % 50}", text=f"Minister {number % 50}"
            )
        ],
    )


async def build(url: str, count: int) -> dict[str, str]:
    settings = Settings(database_url=url)
    migrate.upgrade(settings)
    engine = create_app_engine(settings)
    sessions = session_factory(engine)
    try:
        await load_seed(sessions)
        async with unit_of_work(sessions) as session:
            for number in range(count):
                await save_article_document(session, article(number))
            await session.execute(
                update(m.Article)
                .where(m.Article.slug.like("measures-%0"))
                .values(status=m.PublicationStatus.DRAFT)
            )
            await session.execute(
                update(m.Article)
                .where(m.Article.slug.like("measures-%5"))
                .values(status=m.PublicationStatus.DRAFT)
            )
        partner = await keys.create_key(sessions, "bench partner", m.KeyRole.PARTNER)
        editor = await keys.create_key(sessions, "bench editor", m.KeyRole.EDITOR)
    finally:
        await engine.dispose()
    return {"public": "", "partner": partner.secret, "editor": editor.secret}


async def main(count: int, url: str) -> None:
    from api.graphiql import HEADLINE_QUERY

    secrets = await build(url, count)
    app = create_app(Settings(database_url=url, rate_limits_enabled=False))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client,
    ):
        print(f"{count} synthetic articles (a fifth of them drafts) plus the seed, {url}")
        print(f"median of {ROUNDS} rounds, milliseconds")
        print(f"{'query':<50} {'public':>8} {'partner':>8} {'editor':>8}")
        for name, query in QUERIES.items():
            row = []
            for secret in secrets.values():
                headers = {"Authorization": f"Bearer {secret}"} if secret else {}
                timings = []
                for _ in range(ROUNDS):
                    started = time.perf_counter()
                    response = await client.post(
                        "/graphql", json={"query": query or HEADLINE_QUERY}, headers=headers
                    )
                    timings.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200 and "errors" not in response.json(), (
                        response.text
                    )
                row.append(statistics.median(timings))
            print(f"{name:<50} " + " ".join(f"{value:>8.1f}" for value in row))


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    default = f"sqlite:///{Path('var') / f'bench-visibility-{count}.db'}"
    url = sys.argv[2] if len(sys.argv) > 2 else default
    Path(f"var/bench-visibility-{count}.db").unlink(missing_ok=True)
    asyncio.run(main(count, url))
