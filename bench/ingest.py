"""Articles per second ingesting a generated corpus into SQLite and PostgreSQL.

    .venv/bin/python -m bench.ingest [--size 1000] [--backend sqlite|postgres|both]

Each run ingests into a fresh database (a temporary SQLite file, or a PostgreSQL schema of
its own that is dropped afterwards) through the same Ingester `newsgraph ingest` uses, one
transaction per article. The corpus is made here from templates: no text from anywhere else.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db import migrate
from db.engine import create_app_engine, session_factory, sync_url
from ingest.pipeline import IngestOptions
from ingest.service import BATCH_SIZE, Ingester, IngestFailure, SourceToIngest
from newsgraph.settings import Settings

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TOWNS = ["Portvale", "Millbrook", "Dunmore", "Kellsay", "Ashford", "Riverton", "Brackley"]
OUTLETS = ["Valley Ledger", "Coastline Courier", "Northern Gazette", "Harbour Times"]
FIRST = ["Lena", "Owen", "Miriam", "Tomas", "Priya", "Gareth", "Hanna", "Ibrahim", "Elin", "Rosa"]
LAST = ["Ortiz", "Hale", "Castell", "Reyes", "Nandakumar", "Wynn", "Lutz", "Sadiq", "Voss", "Pike"]
BODIES = ["Town Council", "Harbour Authority", "Education Board", "Transport Agency"]
TOPICS = ["the ferry timetable", "a new library", "school lunches", "the river bridge", "bus fares"]


def article(number: int, rng: random.Random) -> str:
    """One plausible article: dateline, quotes with cues, a reported statement, a credit."""
    town, outlet = rng.choice(TOWNS), rng.choice(OUTLETS)
    body = f"{town} {rng.choice(BODIES)}"
    speaker = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    topic = rng.choice(TOPICS)
    return (
        f"{body} reviews {topic} (report {number})\n\n"
        f"{town.upper()} ({outlet}) – The {body} said on Monday that it would review {topic}.\n\n"
        f"“We have heard the complaints about {topic} and we will act,” said {speaker}, "
        f"head of the {body}.\n\n"
        f"“The review starts next week,” {speaker.split()[1]} added, “and it will be public.”\n\n"
        f"A decision is expected before the end of the month, the {body} said in a statement.\n\n"
        f"Reporting by {rng.choice(FIRST)} {rng.choice(LAST)}\n"
    )


def corpus(size: int) -> list[str]:
    rng = random.Random(20240101)
    return [article(number, rng) for number in range(size)]


@contextmanager
def database(backend: str, postgres_url: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{Path(directory) / 'bench.db'}"
        return
    schema = f"newsgraph_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(sync_url(postgres_url))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


async def run(url: str, sources: list[str], batch_size: int) -> float:
    """Seconds to ingest every source into the database at `url`, migrated first."""
    settings = Settings(database_url=url)
    migrate.upgrade(settings)
    engine = create_app_engine(settings)
    try:
        ingester = Ingester(session_factory(engine))
        published = datetime(2024, 1, 1, 9, tzinfo=UTC)
        items = [
            SourceToIngest(
                source, "article.txt", IngestOptions(published_at=published + timedelta(hours=n))
            )
            for n, source in enumerate(sources)
        ]
        batches = [items[start : start + batch_size] for start in range(0, len(items), batch_size)]
        started = time.perf_counter()
        async for outcomes in ingester.ingest_batches(batches):
            failed = [outcome for outcome in outcomes if isinstance(outcome, IngestFailure)]
            if failed:
                raise RuntimeError(f"the corpus should all go in: {failed[0].message}")
        return time.perf_counter() - started
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000, help="articles in the corpus")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument(
        "--batch-size", type=int, default=BATCH_SIZE, help="sources per transaction"
    )
    args = parser.parse_args(argv)
    sources = corpus(args.size)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        with database(backend, args.postgres_url) as url:
            seconds = asyncio.run(run(url, sources, args.batch_size))
        print(
            f"{backend:<9} {args.size} articles in {seconds:.1f} s: "
            f"{args.size / seconds:.0f} articles/s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
