"""A deterministic synthetic news corpus, bulk-loaded into SQLite or PostgreSQL for benchmarks.

    python -m bench.corpus --database-url postgresql+psycopg://postgres@127.0.0.1/newsgraph_bench
    python -m bench.corpus --database-url sqlite:///var/bench.db --articles 10000

The database is migrated to head first and must hold no articles yet. Every row is written
with explicit ids (COPY on PostgreSQL, executemany on SQLite), so one seed always gives the
same corpus. Quotes and mentions are anchored to real code-point spans of their paragraphs,
and organization 1 is the Coalition of the README's headline query, so that query (and
`bench/load.py`) work on the corpus unchanged.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TextIO

from sqlalchemy import text
from sqlalchemy.engine import make_url

from db import data_version, migrate
from db.engine import create_sync_engine
from db.visible_from import refresh_all
from newsgraph.names import normalize_name
from newsgraph.settings import Settings

Row = tuple[Any, ...]

# Table → columns, in the order rows are generated and written (parents before children).
COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations": ("id", "slug", "name", "normalized_name", "kind", "description"),
    "organization_aliases": ("id", "organization_id", "alias", "normalized", "position"),
    "persons": ("id", "slug", "name", "normalized_name", "description"),
    "person_aliases": ("id", "person_id", "alias", "normalized", "position"),
    "memberships": (
        "id",
        "person_id",
        "organization_id",
        "role",
        "start_on",
        "end_on",
        "verified",
        "entered_by_editor",
    ),
    "articles": (
        "id",
        "slug",
        "headline",
        "standfirst",
        "dateline",
        "publisher_id",
        "published_at",
        "url",
        "language",
        "status",
        "embargoed_until",
    ),
    "paragraphs": ("id", "article_id", "position", "kind", "text"),
    "article_credits": ("id", "article_id", "person_id", "role", "position"),
    "article_links": (
        "id",
        "from_article_id",
        "to_article_id",
        "anchor_text",
        "paragraph_id",
        "position",
    ),
    "statements": (
        "id",
        "speaker_person_id",
        "speaker_organization_id",
        "issued_on",
        "issued_on_text",
        "medium",
        "summary",
        "extracted_by",
        "confidence",
        "verified",
    ),
    "quotes": (
        "id",
        "statement_id",
        "paragraph_id",
        "start_offset",
        "end_offset",
        "text",
        "extracted_by",
        "confidence",
        "verified",
    ),
    "mentions": (
        "id",
        "paragraph_id",
        "person_id",
        "organization_id",
        "text",
        "start_offset",
        "end_offset",
        "extracted_by",
        "confidence",
        "verified",
    ),
    "votes": (
        "id",
        "body_id",
        "motion",
        "held_on",
        "held_on_text",
        "status",
        "outcome",
        "verified",
    ),
    "vote_positions": (
        "id",
        "vote_id",
        "option",
        "group_name",
        "organization_id",
        "person_id",
        "voter_count",
        "position",
    ),
    "vote_reports": ("id", "vote_id", "paragraph_id"),
}


def _words(text: str) -> list[str]:
    return text.split()


COALITION_NAME = "Combined Joint Task Force-Operation Inherent Resolve"
COALITION_ALIASES = ("CJTF-OIR", "the US-led Coalition", "the Coalition")
EXTRACTOR = "bench-corpus 1"
ARTICLES_PER_CHUNK = 2_000

_FIRST = _words(
    "Adil Amira Bashir Carmen Dana Elif Farid Goran Hana Idris Jalal Karin Layla Marco Nadia "
    "Omar Petra Qasim Rania Sami Tara Umar Vera Walid Yasmin Zana Aram Beatrice Chiara Dilan "
    "Emre Fatima Hamid Ines Jonas Kawa Lina Mustafa Nour Oskar Parisa Rashid Sara Tomas Yusuf "
    "Anna Bruno Celine Daniel Elena Felix Greta Hugo Ilse Jakob Kamal Leila Mina Noah Olga"
)
_LAST = _words(
    "Abbas Barzani Celik Demir Ebrahimi Farouk Ghani Haddad Ismail Jaber Karimi Lazar Mansour "
    "Nasser Osman Perez Qureshi Rahman Saleh Talabani Usman Vidal Wahid Yilmaz Zaidi Ahmadi "
    "Bakr Costa Dogan Essa Fadel Hassan Ibrahim Jafari Kaya Lopez Mahmoud Naji Ortiz Pasha "
    "Rostami Sadiq Tahir Aziz Berger Castro Duarte Engel Fischer Garcia Horvat Ivanova Jensen "
    "Kowalski Lindgren Moreau Novak Olsen Petrov Romano Schmidt Taylor Varga Weber Young"
)
_PLACES = _words(
    "Erbil Kirkuk Mosul Basra Duhok Halabja Zakho Najaf Karbala Ramadi Tikrit Samarra Sulaimani "
    "Baghdad Ankara Tehran Damascus Amman Beirut Geneva Vienna Brussels Washington London Paris "
    "Berlin Rome Madrid Lisbon Oslo Stockholm Helsinki Warsaw Prague Athens Cairo Tunis Doha"
)
_ADJECTIVES = _words(
    "national regional federal joint provincial independent democratic united popular central "
    "northern southern eastern western supreme higher interim permanent special civic"
)
_BODIES = _words(
    "Council Assembly Parliament Ministry Commission Front Movement Alliance Union Authority "
    "Committee Agency Bureau Party Forces Brigade Tribunal Court Network Federation"
)
_TOPICS = _words(
    "security water electricity budget oil exports reconstruction elections border trade "
    "health schools refugees salaries pensions roads housing agriculture drought inflation "
    "airports customs investment tourism telecommunications courts police army militias "
    "prisons corruption reform displacement returns demining vaccines wheat dams tariffs"
)
_VERBS_PAST = _words(
    "approved rejected announced suspended resumed criticized welcomed postponed extended "
    "reviewed signed debated condemned praised questioned confirmed denied launched ended "
    "expanded limited funded blocked proposed"
)
_VERBS_PRESENT = (
    "support",
    "oppose",
    "reject",
    "welcome",
    "expect",
    "demand",
    "call for",
    "will review",
    "will not accept",
    "remain committed to",
    "are ready to discuss",
    "continue to monitor",
    "stand by",
    "will protect",
)
_NOUNS = _words(
    "agreement plan law decision proposal deal talks measures program investigation visit "
    "operation ceasefire negotiations report budget mission deployment census initiative"
)
_CONNECTIVES = (
    "according to officials",
    "a spokesperson said",
    "sources told reporters",
    "local media reported",
    "the statement added",
    "witnesses said",
    "analysts noted",
    "the ministry confirmed",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ROLES = ("member", "spokesperson", "minister", "deputy head", "commander", "chairperson")
_MEDIA = ("written_statement", "announcement", "interview", "speech", "press_conference")
_MOTIONS = ("budget law", "election law", "motion of confidence", "oil revenue bill", "amendment")


def _title(words: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in words.split())


def _slugify(words: str) -> str:
    kept = "".join(c if c.isalnum() else "-" for c in words.lower())
    return "-".join(part for part in kept.split("-") if part)[:80]


@dataclass(frozen=True)
class Entity:
    id: int
    name: str


@dataclass
class _Ids:
    """The next id of every table: rows carry explicit ids so the corpus is reproducible."""

    next: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 1))

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


class CorpusGenerator:
    """Yields the corpus as batches of rows per table; the same seed gives the same rows."""

    def __init__(self, *, articles: int, persons: int, organizations: int, seed: int = 1) -> None:
        if articles < 1 or persons < 10 or organizations < 100:
            raise ValueError("need at least 1 article, 10 persons and 100 organizations")
        self.article_count = articles
        self.person_count = persons
        self.organization_count = organizations
        self.rng = random.Random(seed)
        self.ids = _Ids()
        self.sentences = [self._sentence() for _ in range(20_000)]
        self.quote_texts = [self._quote_text() for _ in range(20_000)]
        self.recent_statements: list[tuple[int, str, Entity, bool]] = []
        self.recent_articles: list[tuple[int, str]] = []

    # Entities: organizations, persons, aliases and memberships.

    def entities(self) -> dict[str, list[Row]]:
        rows: dict[str, list[Row]] = {table: [] for table in COLUMNS}
        rng = self.rng
        kinds = (
            ["news_outlet"] * 20
            + ["legislature"] * 40
            + ["political_party"] * 60
            + ["government", "government_body", "military", "militia", "armed_group"] * 30
            + ["international_organization", "court", "company", "other"] * 10
        )
        names: set[str] = {normalize_name(COALITION_NAME)}
        self.organizations: list[Entity] = []
        self.by_kind: dict[str, list[Entity]] = {}
        for index in range(self.organization_count):
            if index == 0:
                name, kind = COALITION_NAME, "military_coalition"
                aliases: Sequence[str] = COALITION_ALIASES
            else:
                kind = kinds[index % len(kinds)]
                name = self._unique(names, self._organization_name)
                acronym = "".join(word[0] for word in name.split() if word[0].isupper())
                aliases = (acronym, f"the {name.split(' of ')[0]}")
            organization_id = self.ids.take("organizations")
            entity = Entity(organization_id, name)
            self.organizations.append(entity)
            self.by_kind.setdefault(kind, []).append(entity)
            rows["organizations"].append(
                (
                    organization_id,
                    f"{_slugify(name)}-{organization_id}",
                    name,
                    normalize_name(name),
                    kind,
                    f"A synthetic {kind.replace('_', ' ')} for benchmarks.",
                )
            )
            seen: set[str] = {normalize_name(name)}
            for position, alias in enumerate(aliases):
                if normalize_name(alias) in seen:
                    continue
                seen.add(normalize_name(alias))
                rows["organization_aliases"].append(
                    (
                        self.ids.take("organization_aliases"),
                        organization_id,
                        alias,
                        normalize_name(alias),
                        position,
                    )
                )
        names = set()
        self.persons: list[Entity] = []
        for _ in range(self.person_count):
            name = self._unique(names, self._person_name)
            person_id = self.ids.take("persons")
            self.persons.append(Entity(person_id, name))
            rows["persons"].append(
                (person_id, f"{_slugify(name)}-{person_id}", name, normalize_name(name), None)
            )
            surname = name.split()[-1]
            rows["person_aliases"].append(
                (self.ids.take("person_aliases"), person_id, surname, normalize_name(surname), 0)
            )
            for _ in range(rng.choice((1, 1, 2))):
                start = date(2005, 1, 1) + timedelta(days=rng.randrange(6_000))
                end = (
                    start + timedelta(days=rng.randrange(200, 3_000))
                    if rng.random() < 0.4
                    else None
                )
                rows["memberships"].append(
                    (
                        self.ids.take("memberships"),
                        person_id,
                        rng.choice(self.organizations).id,
                        rng.choice(_ROLES),
                        start,
                        end,
                        True,
                        # Editors' facts, shown to everyone: no article states them.
                        True,
                    )
                )
        # A few bylines recur, as staff reporters' do.
        self.reporters = self.persons[: max(1, len(self.persons) // 20)]
        return rows

    def _unique(self, taken: set[str], make: Callable[[], str]) -> str:
        while True:
            name = make()
            key = normalize_name(name)
            if key not in taken:
                taken.add(key)
                return name

    def _organization_name(self) -> str:
        rng = self.rng
        return _title(f"{rng.choice(_ADJECTIVES)} {rng.choice(_BODIES)}") + (
            f" of {rng.choice(_PLACES)}"
            if rng.random() < 0.8
            else f" for {_title(rng.choice(_TOPICS))}"
        )

    def _person_name(self) -> str:
        rng = self.rng
        middle = f" {rng.choice('ABCDEFGHJKLMNPRSTW')}." if rng.random() < 0.5 else ""
        return f"{rng.choice(_FIRST)}{middle} {rng.choice(_LAST)}"

    # Text.

    def _sentence(self) -> str:
        rng = self.rng
        subject = _title(f"the {rng.choice(_ADJECTIVES)} {rng.choice(_BODIES)}")
        return (
            f"{subject} {rng.choice(_VERBS_PAST)} the {rng.choice(_TOPICS)} "
            f"{rng.choice(_NOUNS)} in {rng.choice(_PLACES)} on {rng.choice(_WEEKDAYS)}, "
            f"{rng.choice(_CONNECTIVES)}."
        )

    def _quote_text(self) -> str:
        rng = self.rng
        return (
            f"We {rng.choice(_VERBS_PRESENT)} the {rng.choice(_TOPICS)} {rng.choice(_NOUNS)} "
            f"and the people of {rng.choice(_PLACES)} deserve {rng.choice(_TOPICS)}"
        )

    def _body(self, sentences: int) -> str:
        return " ".join(self.rng.choice(self.sentences) for _ in range(sentences))

    # Articles.

    def articles(self) -> Iterator[tuple[int, dict[str, list[Row]]]]:
        """(articles so far, rows of the next chunk of articles)."""
        start = datetime(2015, 1, 1, tzinfo=UTC)
        span = int((datetime(2025, 12, 31, tzinfo=UTC) - start).total_seconds())
        for chunk_start in range(0, self.article_count, ARTICLES_PER_CHUNK):
            rows: dict[str, list[Row]] = {table: [] for table in COLUMNS}
            chunk_end = min(chunk_start + ARTICLES_PER_CHUNK, self.article_count)
            for index in range(chunk_start, chunk_end):
                # Ids grow with time, so related reading points back to older stories.
                published = start + timedelta(seconds=span * index // self.article_count)
                self._article(rows, published)
            yield chunk_end, rows

    def _article(self, rows: dict[str, list[Row]], published: datetime) -> None:
        rng = self.rng
        article_id = self.ids.take("articles")
        topic = rng.choice(_TOPICS)
        place = rng.choice(_PLACES)
        headline = _title(f"{place} {rng.choice(_BODIES)} {rng.choice(_VERBS_PAST)}") + (
            f" {topic} {rng.choice(_NOUNS)}"
        )
        roll = rng.random()
        status, embargo = "published", None
        if roll < 0.01:
            status = "draft"
        elif roll < 0.02:
            status, embargo = "embargoed", published + timedelta(days=rng.randrange(1, 30))
        elif roll < 0.025:
            status = "withdrawn"
        slug = f"{_slugify(headline)}-{article_id}"
        rows["articles"].append(
            (
                article_id,
                slug,
                headline,
                self._body(1),
                place.upper(),
                rng.choice(self.by_kind["news_outlet"]).id,
                published,
                f"https://news.example/{published:%Y/%m}/{slug}",
                "en",
                status,
                embargo,
            )
        )
        credited = rng.sample(self.reporters, min(len(self.reporters), rng.choice((1, 1, 2))))
        for position, reporter in enumerate(credited):
            rows["article_credits"].append(
                (self.ids.take("article_credits"), article_id, reporter.id, "reporter", position)
            )

        paragraphs: list[tuple[str, Callable[[int, str], None] | None]] = []
        lead = rng.choice(self.organizations)
        lead_text = f"{lead.name} {rng.choice(self.sentences)[4:]}"
        paragraphs.append((lead_text, self._mention_at(rows, lead, 0, organization=True)))
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            paragraphs.append(self._quote_paragraph(rows, published))
        if rng.random() < 0.05:
            paragraphs.append(self._vote_paragraph(rows, published))
        target = rng.randint(8, 15)
        while len(paragraphs) < target - 1:
            paragraphs.insert(
                rng.randint(1, len(paragraphs)), (self._body(rng.randint(1, 3)), None)
            )
        links = []
        if self.recent_articles:
            picks = rng.sample(
                self.recent_articles, min(len(self.recent_articles), rng.randint(0, 3))
            )
            links = [pick for pick in picks if pick[0] != article_id]

        for position, (paragraph_text, anchor) in enumerate(paragraphs, start=1):
            paragraph_id = self.ids.take("paragraphs")
            rows["paragraphs"].append((paragraph_id, article_id, position, "body", paragraph_text))
            if anchor is not None:
                anchor(paragraph_id, paragraph_text)
        for link_position, (linked_id, linked_headline) in enumerate(links):
            paragraph_id = self.ids.take("paragraphs")
            anchor_text = f"Read More: {linked_headline}"
            rows["paragraphs"].append(
                (
                    paragraph_id,
                    article_id,
                    len(paragraphs) + link_position + 1,
                    "related_link",
                    anchor_text,
                )
            )
            rows["article_links"].append(
                (
                    self.ids.take("article_links"),
                    article_id,
                    linked_id,
                    linked_headline,
                    paragraph_id,
                    link_position,
                )
            )
        if status == "published":
            self.recent_articles.append((article_id, headline))
            del self.recent_articles[:-300]

    def _mention_at(
        self, rows: dict[str, list[Row]], entity: Entity, start: int, *, organization: bool
    ) -> Callable[[int, str], None]:
        def anchor(paragraph_id: int, paragraph_text: str) -> None:
            assert paragraph_text[start : start + len(entity.name)] == entity.name
            rows["mentions"].append(
                (
                    self.ids.take("mentions"),
                    paragraph_id,
                    None if organization else entity.id,
                    entity.id if organization else None,
                    entity.name,
                    start,
                    start + len(entity.name),
                    EXTRACTOR,
                    round(0.7 + self.rng.random() * 0.3, 3),
                    False,
                )
            )

        return anchor

    def _speaker(self) -> tuple[Entity, bool]:
        """Who speaks: the Coalition now and then, else an organization or a person."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.01:
            return self.organizations[0], True
        if roll < 0.4:
            return rng.choice(self.organizations), True
        return rng.choice(self.persons), False

    def _quote_paragraph(
        self, rows: dict[str, list[Row]], published: datetime
    ) -> tuple[str, Callable[[int, str], None]]:
        rng = self.rng
        if self.recent_statements and rng.random() < 0.1:
            # A statement quoted again by a later story: one statement, several articles.
            statement_id, words, speaker, is_organization = rng.choice(self.recent_statements)
            said = [words]
        else:
            speaker, is_organization = self._speaker()
            statement_id = self.ids.take("statements")
            said = [rng.choice(self.quote_texts) for _ in range(rng.choice((1, 1, 2)))]
            rows["statements"].append(
                (
                    statement_id,
                    None if is_organization else speaker.id,
                    speaker.id if is_organization else None,
                    published.date(),
                    f"on {_WEEKDAYS[published.weekday()]}",
                    rng.choice(_MEDIA),
                    None,
                    EXTRACTOR,
                    round(0.6 + rng.random() * 0.4, 3),
                    rng.random() < 0.3,
                )
            )
            self.recent_statements.append((statement_id, said[0], speaker, is_organization))
            del self.recent_statements[:-500]
        # “first,” Speaker said, “second.”: spans are the words between the marks.
        first = f"\u201c{said[0]},\u201d "
        speaker_start = len(first)
        paragraph_text = f"{first}{speaker.name} said"
        spans = [(1, said[0])]
        if len(said) > 1:
            paragraph_text += ", \u201c"
            spans.append((len(paragraph_text), said[1]))
            paragraph_text += f"{said[1]}.\u201d"
        else:
            paragraph_text += f". {rng.choice(self.sentences)}"
        mention = self._mention_at(rows, speaker, speaker_start, organization=is_organization)

        def anchor(paragraph_id: int, text_: str) -> None:
            for start, words in spans:
                assert text_[start : start + len(words)] == words
                rows["quotes"].append(
                    (
                        self.ids.take("quotes"),
                        statement_id,
                        paragraph_id,
                        start,
                        start + len(words),
                        words,
                        EXTRACTOR,
                        round(0.6 + rng.random() * 0.4, 3),
                        False,
                    )
                )
            mention(paragraph_id, text_)

        return paragraph_text, anchor

    def _vote_paragraph(
        self, rows: dict[str, list[Row]], published: datetime
    ) -> tuple[str, Callable[[int, str], None]]:
        rng = self.rng
        body = rng.choice(self.by_kind["legislature"])
        support, oppose = rng.randint(20, 200), rng.randint(20, 200)
        motion = f"the {rng.choice(_TOPICS)} {rng.choice(_MOTIONS)}"
        vote_id = self.ids.take("votes")
        rows["votes"].append(
            (
                vote_id,
                body.id,
                motion,
                published.date(),
                f"on {_WEEKDAYS[published.weekday()]}",
                "held",
                "approved" if support > oppose else "rejected" if oppose > support else "tied",
                True,
            )
        )
        parties = rng.sample(self.by_kind["political_party"], 2)
        for position, (party, option, count) in enumerate(
            ((parties[0], "support", support), (parties[1], "oppose", oppose))
        ):
            rows["vote_positions"].append(
                (
                    self.ids.take("vote_positions"),
                    vote_id,
                    option,
                    None,
                    party.id,
                    None,
                    count,
                    position,
                )
            )
        paragraph_text = f"{body.name} voted {support} to {oppose} on {motion}."

        def anchor(paragraph_id: int, _text: str) -> None:
            rows["vote_reports"].append((self.ids.take("vote_reports"), vote_id, paragraph_id))
            self._mention_at(rows, body, 0, organization=True)(paragraph_id, _text)

        return paragraph_text, anchor


# Writing.


def _sqlite_value(value: Any) -> Any:
    # The text forms SQLAlchemy's SQLite types write and read back.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Sink:
    """Writes batches of rows to one database over one raw DB-API connection."""

    def __init__(self, settings: Settings) -> None:
        self.engine = create_sync_engine(settings)
        self.postgres = self.engine.dialect.name == "postgresql"
        self.raw = self.engine.raw_connection()
        self.connection: Any = self.raw.driver_connection

    def write(self, rows: dict[str, list[Row]]) -> None:
        for table, columns in COLUMNS.items():
            batch = rows.get(table)
            if not batch:
                continue
            names = ", ".join(columns)
            if self.postgres:
                with (
                    self.connection.cursor() as cursor,
                    cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
                ):
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns)
                self.connection.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",
                    [tuple(_sqlite_value(value) for value in row) for row in batch],
                )
        self.connection.commit()

    def finish(self) -> None:
        # Rows written behind the ORM's back: work out what each audience may see in one go.
        with self.engine.begin() as connection:
            refresh_all(connection)
        if self.postgres:
            with self.connection.cursor() as cursor:
                for table in COLUMNS:
                    # Explicit ids bypass the sequences; later inserts must not collide.
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                    )
            self.connection.commit()
            self.connection.autocommit = True
            self.connection.execute("VACUUM ANALYZE")
        else:
            self.connection.execute("ANALYZE")
            self.connection.commit()
        self.raw.close()
        self.engine.dispose()


class _Progress:
    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.started = time.monotonic()

    def show(self, done: int, label: str = "articles") -> None:
        width = 30
        filled = width * done // self.total
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed else 0.0
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done:>7}/{self.total} {label}"
            f"  {elapsed:6.1f} s  {rate:7.0f}/s"
        )
        self.stream.flush()


def _article_count(settings: Settings) -> int:
    engine = create_sync_engine(settings)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM articles")).scalar_one())
    finally:
        engine.dispose()


def _bump_data_version(settings: Settings) -> None:
    # The rows went in over raw DB-API, past the Session events that version every write.
    engine = create_sync_engine(settings)
    try:
        with engine.begin() as connection:
            data_version.bump(connection)
    finally:
        engine.dispose()


class CorpusError(Exception):
    pass


def build(
    settings: Settings,
    *,
    articles: int,
    persons: int = 5_000,
    organizations: int = 1_000,
    seed: int = 1,
    stream: TextIO | None = None,
) -> dict[str, int]:
    """Migrate the database and fill it with the corpus; the rows written, per table."""
    migrate.upgrade(settings)
    if _article_count(settings):
        raise CorpusError("the database already holds articles: give an empty one")
    generator = CorpusGenerator(
        articles=articles, persons=persons, organizations=organizations, seed=seed
    )
    sink = _Sink(settings)
    progress = _Progress(articles, stream) if stream is not None else None
    sink.write(generator.entities())
    for done, rows in generator.articles():
        sink.write(rows)
        if progress is not None:
            progress.show(done)
    if progress is not None:
        progress.stream.write("\n")
    sink.finish()
    _bump_data_version(settings)
    return {table: next_id - 1 for table, next_id in generator.ids.next.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", help="target database (default: NEWSGRAPH_DATABASE_URL)")
    parser.add_argument("--articles", type=int, default=100_000, help="articles (100000)")
    parser.add_argument("--persons", type=int, default=5_000, help="persons (5000)")
    parser.add_argument("--organizations", type=int, default=1_000, help="organizations (1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    args = parser.parse_args(argv)
    settings = Settings(database_url=args.database_url) if args.database_url else Settings()
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"corpus → {shown}", file=sys.stderr)
    started = time.monotonic()
    try:
        counts = build(
            settings,
            articles=args.articles,
            persons=args.persons,
            organizations=args.organizations,
            seed=args.seed,
            stream=sys.stderr,
        )
    except (CorpusError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for table, count in counts.items():
        print(f"{table:>22} {count:>10}")
    print(f"{'seconds':>22} {time.monotonic() - started:>10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
