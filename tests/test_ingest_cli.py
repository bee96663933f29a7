"""`newsgraph ingest` as a user runs it: a real process, then the API serving what went in."""

from __future__ import annotations

import subprocess
from importlib.resources import files
from pathlib import Path

from sqlalchemy import func, select

from db.engine import session_factory
from db.models import Article, ArticleRevision
from tests.support import graphql, serving
from tests.test_cli import NEWSGRAPH, environment

SEED_TEXT = (files("newsgraph") / "seeds" / "000_05cbda2b39a8e2bf.txt").read_text(encoding="utf-8")
SEED_SLUG = "us-led-coalition-suspends-anti-isis-operations"
SEED_OPTIONS = (
    "--publisher", "kurdistan-24",
    "--published-at", "2020-01-05T12:00:00Z",
    "--url", "https://www.kurdistan24.net/en/news/e8c3eedc-7a22-4c21-bd40-8026ecbddcf8",
)  # fmt: skip
GOOD_ARTICLE = (
    "Dam talks resume in Riverton\n\n"
    "RIVERTON (Valley Ledger) – Talks on the river dam resumed on Monday.\n\n"
    "“We are hopeful,” Mayor Lena Ortiz said.\n"
)
INGESTED_ARTICLE = """query Ingested($slug: String!) { article(slug: $slug) {
  headline dateline publisher { name } paragraphs { position kind }
  quotes { text statement { speaker { ... on Organization { name } ... on Person { name } } } }
} }"""


def ingest(*arguments: str, database_url: str, stdin: str | None = None):
    return subprocess.run(
        [str(NEWSGRAPH), "ingest", *arguments],
        env=environment(database_url),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def migrated(url: str) -> str:
    completed = subprocess.run(
        [str(NEWSGRAPH), "db", "upgrade"], env=environment(url), capture_output=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return url


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


async def revisions_and_articles(url: str) -> tuple[int, int]:
    async with serving(url) as (app, _), session_factory(app.state.engine)() as session:
        revisions = await session.scalar(select(func.count()).select_from(ArticleRevision))
        articles = await session.scalar(select(func.count()).select_from(Article))
    return revisions or 0, articles or 0


async def test_the_seed_text_goes_in_and_the_api_serves_it(empty_database_url, tmp_path):
    url = migrated(empty_database_url)
    source = write(tmp_path, "seed.txt", SEED_TEXT)

    completed = ingest(str(source), *SEED_OPTIONS, database_url=url)

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "new 1, updated 0, unchanged 0, failed 0"
    async with serving(url) as (_, client):
        article = (await graphql(client, INGESTED_ARTICLE, {"slug": SEED_SLUG}))["article"]
    assert article["dateline"] == "WASHINGTON DC"
    assert article["publisher"] == {"name": "Kurdistan 24"}
    assert len(article["paragraphs"]) == 17
    assert len(article["quotes"]) == 9
    assert {q["statement"]["speaker"]["name"] for q in article["quotes"]} == {
        "Combined Joint Task Force-Operation Inherent Resolve"
    }


async def test_ingesting_the_same_source_again_changes_nothing(empty_database_url, tmp_path):
    url = migrated(empty_database_url)
    source = write(tmp_path, "seed.txt", SEED_TEXT)
    ingest(str(source), *SEED_OPTIONS, database_url=url)

    completed = ingest(str(source), *SEED_OPTIONS, database_url=url)

    assert completed.stdout.strip() == "new 0, updated 0, unchanged 1, failed 0"
    assert await revisions_and_articles(url) == (1, 3)  # the article and its two link targets


async def test_a_changed_article_updates_in_place_and_keeps_a_revision(
    empty_database_url, tmp_path
):
    url = migrated(empty_database_url)
    ingest(str(write(tmp_path, "v1.txt", SEED_TEXT)), *SEED_OPTIONS, database_url=url)
    changed = SEED_TEXT.replace("fully committed", "wholly committed")

    completed = ingest(str(write(tmp_path, "v2.txt", changed)), *SEED_OPTIONS, database_url=url)

    assert completed.stdout.strip() == "new 0, updated 1, unchanged 0, failed 0"
    assert await revisions_and_articles(url) == (2, 3)
    async with serving(url) as (_, client):
        article = (await graphql(client, INGESTED_ARTICLE, {"slug": SEED_SLUG}))["article"]
    assert article["quotes"][0]["text"].startswith("We are now wholly committed")
    assert len(article["quotes"]) == 9


async def test_a_broken_file_is_reported_and_the_others_go_in(empty_database_url, tmp_path):
    url = migrated(empty_database_url)
    folder = tmp_path / "inbox"
    write(folder, "a-good.txt", GOOD_ARTICLE)
    broken = write(folder, "b-broken.json", '{"headline": "No body here"')

    completed = ingest(str(folder), str(tmp_path / "missing.txt"), database_url=url)

    assert completed.returncode == 1
    lines = completed.stdout.strip().splitlines()
    assert lines[0] == "new 1, updated 0, unchanged 0, failed 2"
    assert f"failed: {tmp_path / 'missing.txt'}: unreadable: no such file or folder" in lines
    assert any(line.startswith(f"failed: {broken}: unreadable: malformed JSON") for line in lines)
    assert await revisions_and_articles(url) == (1, 1)


async def test_stdin_is_read_when_the_path_is_a_dash(empty_database_url):
    url = migrated(empty_database_url)

    completed = ingest("-", database_url=url, stdin=GOOD_ARTICLE)

    assert completed.stdout.strip() == "new 1, updated 0, unchanged 0, failed 0"
    async with serving(url) as (_, client):
        article = (
            await graphql(client, INGESTED_ARTICLE, {"slug": "dam-talks-resume-in-riverton"})
        )["article"]
    assert article["publisher"] == {"name": "Valley Ledger"}
    assert article["quotes"][0]["statement"]["speaker"] == {"name": "Lena Ortiz"}


def test_a_published_at_without_timezone_is_refused_before_anything_runs(tmp_path):
    url = f"sqlite:///{tmp_path / 'never.db'}"

    completed = ingest("-", "--published-at", "2020-01-05T12:00", database_url=url, stdin="")

    assert completed.returncode == 2
    assert "has no timezone" in completed.stderr
    assert not (tmp_path / "never.db").exists()
