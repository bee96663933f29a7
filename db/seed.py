"""The founding article's seed document, which `newsgraph load-seed` and the tests load."""

from __future__ import annotations

from importlib.resources import as_file, files

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.documents import SaveOutcome, save_article_document
from db.engine import unit_of_work
from newsgraph.document import ArticleDocument, load_document

SEED_ARTICLE_SLUG = "us-led-coalition-suspends-anti-isis-operations"
_SEED_DOCUMENT = "kurdistan24-us-led-coalition-suspends-anti-isis-operations.yaml"


def seed_document() -> ArticleDocument:
    """The packaged seed document, validated."""
    with as_file(files("newsgraph") / "seeds" / _SEED_DOCUMENT) as path:
        return load_document(path)


async def load_seed(sessions: async_sessionmaker[AsyncSession]) -> SaveOutcome:
    """Save the founding article in one transaction; loading it again changes nothing."""
    document = seed_document()
    async with unit_of_work(sessions) as session:
        return await save_article_document(session, document)
