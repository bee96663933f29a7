"""Article documents: the seed validates, bad ones name their problems, saving is idempotent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import migrate
from db.documents import (
    DocumentBatch,
    DocumentConflict,
    SaveStatus,
    save_article_document,
)
from db.engine import create_app_engine, session_factory, unit_of_work
from db.models import Article, Base, DataVersion, Mention, Organization, Paragraph, Quote
from db.seed import SEED_ARTICLE_SLUG, load_seed, seed_document
from newsgraph.document import ArticleDocument, DocumentError, load_document
from newsgraph.settings import Settings

SEEDS = files("newsgraph") / "seeds"
SEED_YAML = SEEDS / "kurdistan24-us-led-coalition-suspends-anti-isis-operations.yaml"
SEED_SOURCE_TEXT = SEEDS / "000_05cbda2b39a8e2bf.txt"
NATO_ARTICLE_SLUG = "nato-suspends-training-in-iraq-following-qasim-soleimani-killing-spokesperson"

Mutation = Callable[[dict[str, Any]], None]


@pytest.fixture
def seed_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SEED_YAML.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "document.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _problems_of(path: Path) -> str:
    with pytest.raises(DocumentError) as raised:
        load_document(path)
    assert raised.value.path == path
    return "\n".join(raised.value.problems)


# Validation


def test_the_packaged_seed_validates() -> None:
    document = seed_document()

    assert document.article.slug == SEED_ARTICLE_SLUG
    assert len(document.article.paragraphs) == 17
    assert [len(statement.quotes) for statement in document.statements] == [9, 0]
    assert [vote.status.value for vote in document.votes] == ["held", "scheduled"]


def test_the_seed_paragraphs_are_the_source_text_exactly() -> None:
    article = seed_document().article

    rebuilt = "\n\n".join([article.headline, *(p.text for p in article.paragraphs)])

    assert rebuilt == SEED_SOURCE_TEXT.read_text(encoding="utf-8")


def test_a_document_reread_has_the_same_content_hash(
    tmp_path: Path, seed_data: dict[str, Any]
) -> None:
    assert load_document(_write(tmp_path, seed_data)).content_hash() == (
        seed_document().content_hash()
    )


def _move_first_quote(data: dict[str, Any]) -> None:
    data["statements"][0]["quotes"][0]["start"] += 1


def _misspell_a_mention_key(data: dict[str, Any]) -> None:
    data["mentions"][0]["organization"] = "cjtf-oirr"


def _add_an_unknown_field(data: dict[str, Any]) -> None:
    data["article"]["subtitle"] = "An unknown field"


def _give_two_speakers(data: dict[str, Any]) -> None:
    data["statements"][0]["speaker"]["person"] = "qasim-soleimani"


def _give_a_scheduled_vote_an_outcome(data: dict[str, Any]) -> None:
    data["votes"][1]["outcome"] = "approved"


def _skip_a_paragraph_position(data: dict[str, Any]) -> None:
    data["article"]["paragraphs"][3]["position"] = 5


def _report_in_a_missing_paragraph(data: dict[str, Any]) -> None:
    data["statements"][1]["reported_in"] = [18]


def _follow_up_an_unknown_vote(data: dict[str, Any]) -> None:
    data["votes"][0]["follow_up"] = "no-such-vote"


def _count_a_person_twice_in_a_vote(data: dict[str, Any]) -> None:
    voter = {"option": "support", "person": "qasim-soleimani"}
    data["votes"][0]["positions"] += [voter, {**voter, "option": "oppose"}]


def _leave_an_ambiguous_mention_unlocated(data: dict[str, Any]) -> None:
    mention = next(m for m in data["mentions"] if m["paragraph"] == 4 and m["text"] == "Muhandis")
    del mention["start"], mention["end"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_move_first_quote, "statements[0].quotes[0]: text 'We are now fully committed"),
        (_misspell_a_mention_key, "mentions[0].organization: unknown organization 'cjtf-oirr'"),
        (_add_an_unknown_field, "article.subtitle: unknown field"),
        (_give_two_speakers, "statements[0].speaker: give exactly one of person, organization"),
        (_give_a_scheduled_vote_an_outcome, "votes[1]: a scheduled vote has no outcome yet"),
        (_skip_a_paragraph_position, "article.paragraphs: paragraphs[3] has position 5"),
        (_report_in_a_missing_paragraph, "statements[1].reported_in[0]: no paragraph 18"),
        (_follow_up_an_unknown_vote, "votes[0].follow_up: unknown vote 'no-such-vote'"),
        (_leave_an_ambiguous_mention_unlocated, "'Muhandis' occurs 2 times in paragraph 4"),
        (_count_a_person_twice_in_a_vote, "votes[0].positions: person 'qasim-soleimani' is listed"),
    ],
)
def test_an_invalid_document_names_its_problem(
    tmp_path: Path, seed_data: dict[str, Any], mutate: Mutation, expected: str
) -> None:
    mutate(seed_data)

    assert expected in _problems_of(_write(tmp_path, seed_data))


def test_a_wrong_span_says_where_the_words_really_are(
    tmp_path: Path, seed_data: dict[str, Any]
) -> None:
    _move_first_quote(seed_data)

    problems = _problems_of(_write(tmp_path, seed_data))

    assert "paragraph 1 text[2:85]" in problems
    assert "the words start at 1" in problems


def test_every_problem_is_reported_at_once(tmp_path: Path, seed_data: dict[str, Any]) -> None:
    _move_first_quote(seed_data)
    _misspell_a_mention_key(seed_data)
    _follow_up_an_unknown_vote(seed_data)

    with pytest.raises(DocumentError) as raised:
        load_document(_write(tmp_path, seed_data))

    assert len(raised.value.problems) == 3


def test_a_mention_without_offsets_is_located(tmp_path: Path, seed_data: dict[str, Any]) -> None:
    mention = seed_data["mentions"][1]
    expected = (mention.pop("start"), mention.pop("end"))

    document = load_document(_write(tmp_path, seed_data))

    assert document.mentions[1].offsets == expected


def test_malformed_yaml_is_a_document_error(tmp_path: Path) -> None:
    path = tmp_path / "document.yaml"
    path.write_text("article: [unclosed\n", encoding="utf-8")

    assert "malformed YAML" in _problems_of(path)


def test_a_key_written_twice_is_a_document_error(tmp_path: Path) -> None:
    path = tmp_path / "document.yaml"
    path.write_text("notes: one\nnotes: two\n", encoding="utf-8")

    assert "duplicate key 'notes'" in _problems_of(path)


# Saving


@pytest.fixture
async def document_sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'documents.db'}")
    migrate.upgrade(settings)
    engine = create_app_engine(settings)
    yield session_factory(engine)
    await engine.dispose()


async def _row_counts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Rows per table; not the data version's, whose one row the migration writes."""
    async with sessions() as session:
        return {
            table.name: await session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
            if table is not DataVersion.__table__
        }


async def test_loading_the_seed_twice_changes_nothing(
    document_sessions: async_sessionmaker[AsyncSession],
) -> None:
    first = await load_seed(document_sessions)
    counts_after_first = await _row_counts(document_sessions)

    second = await load_seed(document_sessions)

    assert first.status is SaveStatus.CREATED
    assert second.status is SaveStatus.UNCHANGED
    assert second.article_id == first.article_id
    assert await _row_counts(document_sessions) == counts_after_first
    assert counts_after_first["paragraphs"] == 17
    assert counts_after_first["quotes"] == 9
    assert counts_after_first["articles"] == 3  # the seed and its two headline-only links


async def test_every_stored_span_is_a_slice_of_its_paragraph(
    document_sessions: async_sessionmaker[AsyncSession],
) -> None:
    await load_seed(document_sessions)

    async with document_sessions() as session:
        quotes = (await session.execute(select(Quote, Paragraph.text).join(Paragraph))).all()
        mentions = (await session.execute(select(Mention, Paragraph.text).join(Paragraph))).all()

    assert len(quotes) == 9
    assert len(mentions) == 45
    for quote, text in quotes:
        assert text[quote.start_offset : quote.end_offset] == quote.text
    for mention, text in mentions:
        assert text[mention.start_offset : mention.end_offset] == mention.text


async def test_a_failed_save_leaves_no_rows(
    document_sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    insert = DocumentBatch._insert

    # Articles, paragraphs, statements and quotes are written by the time the votes fail.
    async def fail_at_the_votes(batch: DocumentBatch, table: Table, *rest: Any) -> None:
        if table.name == "votes":
            raise RuntimeError("simulated failure mid-write")
        await insert(batch, table, *rest)

    monkeypatch.setattr(DocumentBatch, "_insert", fail_at_the_votes)

    with pytest.raises(RuntimeError, match="mid-write"):
        await load_seed(document_sessions)

    assert set((await _row_counts(document_sessions)).values()) == {0}


async def test_a_headline_only_article_is_filled_in_by_its_own_document(
    document_sessions: async_sessionmaker[AsyncSession],
) -> None:
    await load_seed(document_sessions)
    async with document_sessions() as session:
        headline_only_id = await session.scalar(
            select(Article.id).where(Article.slug == NATO_ARTICLE_SLUG)
        )
    document = ArticleDocument.model_validate(
        {
            "article": {
                "slug": NATO_ARTICLE_SLUG,
                "headline": "NATO suspends training in Iraq following Qasim Soleimani killing",
                "publisher": "kurdistan-24",
                "paragraphs": [{"position": 1, "kind": "body", "text": "NATO paused training."}],
            },
            "organizations": [
                {"slug": "kurdistan-24", "name": "Kurdistan 24", "kind": "news_outlet"}
            ],
        }
    )

    async with unit_of_work(document_sessions) as session:
        outcome = await save_article_document(session, document)

    assert outcome.status is SaveStatus.CREATED
    assert outcome.article_id == headline_only_id


async def test_an_article_saved_with_other_content_is_a_conflict(
    document_sessions: async_sessionmaker[AsyncSession], seed_data: dict[str, Any]
) -> None:
    await load_seed(document_sessions)
    seed_data["article"]["headline"] = "A different headline"
    changed = ArticleDocument.model_validate(seed_data)

    with pytest.raises(DocumentConflict, match=SEED_ARTICLE_SLUG):
        async with unit_of_work(document_sessions) as session:
            await save_article_document(session, changed)


# Batches


def _article_document(slug: str, url: str, organization: str) -> ArticleDocument:
    return ArticleDocument.model_validate(
        {
            "article": {
                "slug": slug,
                "headline": slug.replace("-", " ").capitalize(),
                "url": url,
                "publisher": organization,
                "paragraphs": [{"position": 1, "kind": "body", "text": f"{slug} happened."}],
            },
            "organizations": [
                {"slug": organization, "name": organization.title(), "kind": "news_outlet"}
            ],
        }
    )


@pytest.fixture
async def any_engine_sessions(
    empty_database_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    settings = Settings(database_url=empty_database_url)
    migrate.upgrade(settings)
    engine = create_app_engine(settings)
    yield session_factory(engine)
    await engine.dispose()


async def test_a_conflict_mid_batch_leaves_nothing_of_its_document_and_the_others_go_in(
    any_engine_sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(any_engine_sessions) as session:
        await save_article_document(
            session, _article_document("ferry-news", "https://example.test/taken", "harbour-times")
        )
    conflicting = _article_document("ferry-fares", "https://example.test/taken", "ferry-union")

    async with unit_of_work(any_engine_sessions) as session:
        batch = DocumentBatch(session)
        first = await batch.save(
            _article_document("harbour-opens", "https://example.test/1", "harbour-times")
        )
        with pytest.raises(DocumentConflict, match="ferry-news"):
            await batch.save(conflicting)
        # The same new organization, which the conflicting document listed first.
        third = await batch.save(
            _article_document("union-meets", "https://example.test/3", "ferry-union")
        )
        await batch.flush()

    async with any_engine_sessions() as session:
        articles = set(await session.scalars(select(Article.slug)))
        organizations = set(await session.scalars(select(Organization.slug)))
    assert [first.outcome().status, third.outcome().status] == [SaveStatus.CREATED] * 2
    assert articles == {"ferry-news", "harbour-opens", "union-meets"}
    assert organizations == {"harbour-times", "ferry-union"}
