"""`newsgraph ingest` as a user runs it: a real process, then the API serving what went in."""

from __future__ import annotations

import subprocess
from importlib.resources import files
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from db.engine import session_factory, sync_url
from db.models import Article, ArticleRevision, Organization, Person
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


# -- batches -----------------------------------------------------------------------------
# `newsgraph ingest` saves up to --batch-size sources per transaction. What goes in must be
# what saving them one transaction each would give.

REFUSED_MARK = "refused by the database"
# A rule the database enforces and ingestion knows nothing of: it stands for any refusal
# (a NUL byte on PostgreSQL, a clash with another writer) that no check can foresee.
REFUSALS = {
    "sqlite": [
        f"CREATE TRIGGER refuse_marked BEFORE INSERT ON paragraphs"
        f" WHEN NEW.text LIKE '%{REFUSED_MARK}%' BEGIN SELECT RAISE(ABORT, 'refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql"
        " AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$",
        f"CREATE TRIGGER refuse_marked BEFORE INSERT ON paragraphs FOR EACH ROW"
        f" WHEN (NEW.text LIKE '%{REFUSED_MARK}%') EXECUTE FUNCTION refuse_marked()",
    ],
}
REFUSED_ARTICLE = (
    "Ferry fares frozen in Portvale\n\n"
    f"PORTVALE (Harbour Times) – Fares were frozen on Monday, {REFUSED_MARK}.\n\n"
    "“We listened,” said Walter Brennan, head of the Portvale Harbour Authority.\n"
)
NAMES_THE_REFUSED_SPEAKER = (
    "Brennan praises ferry crews\n\n"
    "PORTVALE (Harbour Times) – Walter Brennan thanked the crews on Monday.\n\n"
    "“They kept the boats running,” Brennan said.\n"
)
ARTICLE_SPEAKERS = """query Speakers($slug: String!) { article(slug: $slug) {
  quotes { text statement { speaker { ... on Person { slug name } } } }
} }"""


def refusing(url: str) -> str:
    """Install the database rule REFUSALS describes in the migrated database at `url`."""
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as connection:
            for statement in REFUSALS[engine.dialect.name]:
                connection.execute(text(statement))
    finally:
        engine.dispose()
    return url


async def stored(url: str, model: type[Article] | type[Organization] | type[Person]) -> set[str]:
    async with serving(url) as (app, _), session_factory(app.state.engine)() as session:
        return set(await session.scalars(select(model.slug)))


async def test_a_source_the_database_refuses_mid_batch_leaves_nothing_and_the_others_go_in(
    empty_database_url, tmp_path
):
    url = refusing(migrated(empty_database_url))
    folder = tmp_path / "inbox"
    write(folder, "a-good.txt", GOOD_ARTICLE)
    refused = write(folder, "b-refused.txt", REFUSED_ARTICLE)
    write(folder, "c-names-the-same-speaker.txt", NAMES_THE_REFUSED_SPEAKER)

    completed = ingest(str(folder), database_url=url)

    lines = completed.stdout.strip().splitlines()
    assert lines[0] == "new 2, updated 0, unchanged 0, failed 1", completed.stderr
    assert lines[1].startswith(f"failed: {refused}: conflict: ")
    assert await stored(url, Article) == {
        "dam-talks-resume-in-riverton",
        "brennan-praises-ferry-crews",
    }
    # Only the refused article named the authority; the speaker is the third article's own.
    assert "portvale-harbour-authority" not in await stored(url, Organization)
    async with serving(url) as (_, client):
        article = await graphql(client, ARTICLE_SPEAKERS, {"slug": "brennan-praises-ferry-crews"})
    assert {q["statement"]["speaker"]["name"] for q in article["article"]["quotes"]} == {
        "Walter Brennan"
    }


async def test_sources_of_one_batch_see_each_other_as_if_ingested_one_by_one(
    empty_database_url, tmp_path
):
    url = migrated(empty_database_url)
    ingest(str(write(tmp_path, "first.txt", GOOD_ARTICLE)), database_url=url)
    folder = tmp_path / "inbox"
    write(folder, "a-changed.txt", GOOD_ARTICLE.replace("We are hopeful", "We are very hopeful"))
    write(folder, "b-first-again.txt", GOOD_ARTICLE)  # stored, but no longer the latest version
    write(folder, "c-first-once-more.txt", GOOD_ARTICLE)  # the latest version again by now

    completed = ingest(str(folder), database_url=url)

    assert completed.stdout.strip() == "new 0, updated 2, unchanged 1, failed 0"
    assert await revisions_and_articles(url) == (3, 1)
    async with serving(url) as (_, client):
        article = (
            await graphql(client, INGESTED_ARTICLE, {"slug": "dam-talks-resume-in-riverton"})
        )["article"]
    assert article["quotes"][0]["text"] == "We are hopeful,"


MIXED_INBOX = {
    "01-dam.txt": GOOD_ARTICLE,
    "02-first-outlet.txt": (
        "Port closes to cargo after storm damage\n\n"
        "PORTVALE (Valley Ledger) – The port stopped taking cargo ships on Tuesday.\n\n"
        "“All cargo operations are currently suspended while engineers inspect the damaged"
        " quay walls,” the Portvale Harbour Authority said on Tuesday.\n"
    ),
    "03-task-force.txt": (
        "Flood task force formed\n\n"
        "RIVERTON (Valley Ledger) – The Riverton Flood Response Task Force (RFRTF) met on"
        " Monday.\n\n“We start with the levees,” the RFRTF said.\n"
    ),
    "04-broken.json": '{"headline": "No body here"',
    "05-second-outlet.txt": (
        "Storm shuts Portvale port to cargo\n\n"
        "PORTVALE (Coastline Courier) – Cargo ships were turned away from Portvale on"
        " Tuesday.\n\n“All cargo operations are temporarily suspended while engineers inspect"
        " the damaged quay walls,” the Portvale Harbour Authority said.\n"
    ),
    "06-dam-changed.txt": GOOD_ARTICLE.replace("resumed", "restarted"),
    "07-acronym-only.txt": (
        "Levee work begins\n\nRIVERTON (Coastline Courier) – Work began on Wednesday.\n\n"
        "“The first levee is done,” the RFRTF said, and Lena Ortiz agreed.\n"
    ),
    "08-dam-again.txt": GOOD_ARTICLE,
}
EVERYTHING = """query Everything { articles(first: 50) { edges { node {
  slug headline paragraphs { position text }
  quotes { text statement { id speaker { ... on Person { slug } ... on Organization { slug } }
    quotes { text } } }
} } } }"""


async def test_the_batch_size_changes_nothing_that_goes_in(databases, tmp_path):
    folder = tmp_path / "inbox"
    for name, text_ in MIXED_INBOX.items():
        write(folder, name, text_)
    answers = []
    for size in ("1", "3"):  # with 3, a worker extracts each batch while the one before is written
        url = migrated(databases.create(f"batch_{size}"))
        completed = ingest(str(folder), "--batch-size", size, database_url=url)
        async with serving(url) as (_, client):
            answers.append((completed.stdout, await graphql(client, EVERYTHING)))

    assert answers[0] == answers[1]
    assert answers[0][0].startswith("new 5, updated 2, unchanged 0, failed 1")
