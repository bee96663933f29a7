"""Integrity the database itself guarantees, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from db import models as m
from db.engine import session_factory, unit_of_work
from db.seed import SEED_ARTICLE_SLUG

ANCHORED_TO_PARAGRAPHS = (m.Quote, m.Mention, m.StatementReport, m.VoteReport)


async def count(session, model) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_deleting_an_article_leaves_nothing_anchored_to_its_text(fresh_database):
    sessions = session_factory(fresh_database.app.state.engine)
    async with sessions() as session:
        before = {model: await count(session, model) for model in ANCHORED_TO_PARAGRAPHS}
    assert all(before.values()), before  # the seed has some of each

    async with unit_of_work(sessions) as session:
        await session.execute(delete(m.Article).where(m.Article.slug == SEED_ARTICLE_SLUG))

    async with sessions() as session:
        assert {model: await count(session, model) for model in ANCHORED_TO_PARAGRAPHS} == {
            model: 0 for model in ANCHORED_TO_PARAGRAPHS
        }
        assert await count(session, m.Paragraph) == 0
        # The world the article described outlives it.
        assert await count(session, m.Statement) == 2
        assert await count(session, m.Organization) > 0


@pytest.mark.parametrize(
    "bad_statement",
    [
        {},  # no speaker
        {"speaker_person_id": "person", "speaker_organization_id": "organization"},  # two
    ],
    ids=["no-speaker", "two-speakers"],
)
async def test_a_statement_has_exactly_one_speaker(fresh_database, bad_statement):
    sessions = session_factory(fresh_database.app.state.engine)
    async with sessions() as session:
        ids = {
            "person": await session.scalar(select(m.Person.id).limit(1)),
            "organization": await session.scalar(select(m.Organization.id).limit(1)),
        }
    speaker = {column: ids[kind] for column, kind in bad_statement.items()}

    with pytest.raises(IntegrityError):
        async with unit_of_work(sessions) as session:
            session.add(m.Statement(medium=m.StatementMedium.SPEECH, **speaker))
