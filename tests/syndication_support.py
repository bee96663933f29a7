"""What the syndication tests share: more articles, status changes, and apps at a chosen time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update
from starlette.applications import Starlette

from api.app import create_app
from db import models as m
from db.documents import save_article_document
from db.engine import session_factory, unit_of_work
from newsgraph.clock import FixedClock
from newsgraph.document import ArticleDocument
from tests.support import client_for, settings_for


def extra_article(slug: str, published_at: datetime) -> ArticleDocument:
    """A short Kurdistan 24 article mentioning the coalition, published at `published_at`."""
    text = f"The Coalition said something on day {slug}."
    return ArticleDocument.model_validate(
        {
            "article": {
                "slug": slug,
                "headline": f"Headline {slug}",
                "publisher": "kurdistan-24",
                "published_at": published_at,
                "paragraphs": [{"position": 1, "kind": "body", "text": text}],
            },
            "organizations": [
                {"slug": "kurdistan-24", "name": "Kurdistan 24", "kind": "news_outlet"},
                {"slug": "cjtf-oir", "name": "CJTF-OIR", "kind": "military_coalition"},
            ],
            "mentions": [{"paragraph": 1, "organization": "cjtf-oir", "text": "Coalition"}],
        }
    )


async def add_articles(app, count: int) -> list[str]:
    """`count` more articles, a day apart after the seed; their slugs, newest first."""
    slugs = []
    sessions = session_factory(app.state.engine)
    async with unit_of_work(sessions) as session:
        for day in range(1, count + 1):
            slug = f"coalition-day-{day}"
            when = datetime(2020, 1, 5, 12, tzinfo=UTC) + timedelta(days=day)
            await save_article_document(session, extra_article(slug, when))
            slugs.append(slug)
    return list(reversed(slugs))


async def set_article(app, slug: str, **values: object) -> None:
    sessions = session_factory(app.state.engine)
    async with unit_of_work(sessions) as session:
        await session.execute(update(m.Article).where(m.Article.slug == slug).values(**values))


@asynccontextmanager
async def feeds_app(
    url: str, *, now: datetime | None = None, **settings: object
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    clock = FixedClock(now) if now is not None else None
    app = create_app(settings_for(url, **settings), clock=clock)
    async with app.router.lifespan_context(app), client_for(app) as client:
        yield app, client
