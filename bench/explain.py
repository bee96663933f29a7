"""EXPLAIN every filter, sort and lookup the API offers, and flag sequential scans.

    python -m bench.explain --database-url postgresql+psycopg://postgres@127.0.0.1/newsgraph_bench
    python -m bench.explain --database-url sqlite:///var/bench.db --plans

The statements are the ones the API runs, built by db/queries.py, db/reads.py and
db/search.py for a public viewer (so with the visibility conditions), with arguments
taken from the database itself. Each gets the planner's own plan; a line says whether
it reads any table by a sequential scan (PostgreSQL `Seq Scan`, SQLite `SCAN t` without
an index). Exit status 1 when one does.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable

from db import models as m
from db import queries
from db.engine import create_sync_engine
from db.reads import counted, related_page_select
from db.relations import AnySelect
from db.search import SearchStatements
from db.visibility import Role, Viewer
from db.visibility import narrow as narrowed
from newsgraph.settings import Settings

PAGE = 21  # a default page of 20, plus the row that tells of a next one


class Explain(Executable, ClauseElement):
    """EXPLAIN (QUERY PLAN on SQLite) of a statement, executed with its own bind values."""

    inherit_cache = False

    def __init__(self, statement: AnySelect) -> None:
        self.statement = statement


@compiles(Explain)
def _explain(element: Explain, compiler: SQLCompiler, **kwargs: Any) -> str:
    prefix = "EXPLAIN QUERY PLAN " if compiler.dialect.name == "sqlite" else "EXPLAIN "
    return prefix + compiler.process(element.statement, **kwargs)


@dataclass(frozen=True)
class Case:
    name: str
    statement: AnySelect


_SQLITE_FULL_SCAN = re.compile(r"\bSCAN (\w+)\b(?! USING)")


def sequential_scans(dialect: str, plan: list[str]) -> list[str]:
    """The plan lines that read a whole table without an index."""
    if dialect == "postgresql":
        return [line.strip() for line in plan if "Seq Scan" in line]
    # SQLite says SCAN for subqueries too (anon_1); only tables count.
    return [
        line.strip()
        for line in plan
        if (found := _SQLITE_FULL_SCAN.search(line)) and found.group(1) in m.Base.metadata.tables
    ]


def plan_of(connection: Connection, statement: AnySelect) -> list[str]:
    rows = connection.execute(Explain(statement)).all()
    if connection.dialect.name == "postgresql":
        return [row[0] for row in rows]
    depth = {0: 0}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def _first(connection: Connection, statement: AnySelect, missing: Any) -> Any:
    """The first row of `statement`, or `missing`: a plan needs arguments, not matches."""
    row = connection.execute(statement.limit(1)).first()
    return missing if row is None else (row[0] if len(row) == 1 else tuple(row))


def cases(connection: Connection, viewer: Viewer) -> list[Case]:
    """Every list, filter, sort and lookup, with arguments that exist in this database."""
    publisher = _first(
        connection,
        select(m.Organization.slug).where(m.Organization.kind == m.OrganizationKind.NEWS_OUTLET),
        "none",
    )
    coalition_id, coalition = _first(
        connection,
        select(m.Organization.id, m.Organization.slug).order_by(m.Organization.id),
        (0, "none"),
    )
    person_id, person, person_name = _first(
        connection,
        select(m.Person.id, m.Person.slug, m.Person.name)
        .where(m.Person.id.in_(select(m.Statement.speaker_person_id)))
        .order_by(m.Person.id),
        (0, "none", "none"),
    )
    body = _first(
        connection,
        select(m.Organization.slug).join(m.Vote, m.Vote.body_id == m.Organization.id),
        "none",
    )
    article_id, article = _first(
        connection, select(m.Article.id, m.Article.slug).order_by(m.Article.id.desc()), (0, "none")
    )
    quoting_article = _first(
        connection,
        select(m.Article.slug)
        .join(m.Paragraph, m.Paragraph.article_id == m.Article.id)
        .join(m.Quote, m.Quote.paragraph_id == m.Paragraph.id),
        "none",
    )
    month = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 2, 1, tzinfo=UTC))

    def listed(name: str, statement: AnySelect) -> list[Case]:
        page = narrowed(statement, viewer).limit(PAGE)
        return [Case(name, page), Case(f"{name} (totalCount)", counted(statement, viewer))]

    def articles(**criteria: Any) -> AnySelect:
        return queries.articles(queries.ArticleCriteria(**criteria), viewer)

    def statements(**criteria: Any) -> AnySelect:
        return queries.statements(queries.StatementCriteria(**criteria), viewer)

    def votes(**criteria: Any) -> AnySelect:
        return queries.votes(queries.VoteCriteria(**criteria))

    from api import mapping  # the relations the DataLoaders page through

    def window(type_mapping: Any, field: str, key: int) -> Case:
        relation = type_mapping.relations[field]
        return Case(
            f"{type_mapping.graphql_type}.{field} (first page)",
            related_page_select(relation, [key], viewer, 0, PAGE),
        )

    search = SearchStatements(connection.dialect.name, ["water", "agreement"], viewer)
    built: list[Callable[[], list[Case]]] = [
        lambda: listed("articles", articles()),
        lambda: listed("articles oldest first", articles(oldest_first=True)),
        lambda: listed(
            "articles publishedAfter/Before",
            articles(published_after=month[0], published_before=month[1]),
        ),
        lambda: listed("articles publisher", articles(publisher=publisher)),
        lambda: listed("articles mentionsOrganization", articles(mentions_organization=coalition)),
        lambda: listed("articles mentionsPerson", articles(mentions_person=person)),
        lambda: listed("articles language", articles(language="ku")),
        lambda: listed("articles headlineContains", articles(headline_contains="ceasefire")),
        lambda: [Case("article(slug:)", narrowed(queries.article_by_slug(article), viewer))],
        lambda: listed("organizations", queries.organizations(None, None)),
        lambda: listed("organizations search", queries.organizations("assembly", None)),
        lambda: listed(
            "organizations kind", queries.organizations(None, m.OrganizationKind.LEGISLATURE)
        ),
        lambda: [Case("organization(name:)", queries.organizations_by_name("CJTF-OIR"))],
        lambda: [Case("organization(slug:)", queries.by_slug(m.Organization, coalition))],
        lambda: listed("persons", queries.persons(None)),
        lambda: listed("persons search", queries.persons("karimi")),
        lambda: [Case("person(name:)", queries.persons_by_name(person_name))],
        lambda: listed("statements", statements()),
        lambda: listed("statements oldest first", statements(oldest_first=True)),
        lambda: listed(
            "statements speakerOrganization", statements(speaker_organization=coalition)
        ),
        lambda: listed("statements speakerPerson", statements(speaker_person=person)),
        lambda: listed(
            "statements issuedAfter/Before",
            statements(issued_after=date(2020, 1, 1), issued_before=date(2020, 1, 31)),
        ),
        lambda: listed("statements quotedIn", statements(quoted_in=quoting_article)),
        lambda: listed("statements minConfidence", statements(min_confidence=0.99)),
        lambda: listed("statements verified", statements(verified=True)),
        lambda: listed("votes", votes()),
        lambda: listed("votes body", votes(body=body)),
        lambda: listed("votes status", votes(status=m.VoteStatus.POSTPONED)),
        lambda: listed(
            "votes heldAfter/Before",
            votes(held_after=date(2020, 1, 1), held_before=date(2020, 3, 1)),
        ),
        lambda: [
            window(mapping.ORGANIZATION, "statements", coalition_id),
            window(mapping.ORGANIZATION, "published_articles", coalition_id),
            window(mapping.ORGANIZATION, "mentioned_in", coalition_id),
            window(mapping.PERSON, "statements", person_id),
            window(mapping.ARTICLE, "linked_from", article_id),
        ],
        lambda: [Case("search", search.page(0, PAGE)), Case("search (totalCount)", search.count())],
    ]
    return [case for build in built for case in build()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", help="database (default: NEWSGRAPH_DATABASE_URL)")
    parser.add_argument("--plans", action="store_true", help="print every plan in full")
    parser.add_argument("--only", help="only cases whose name contains this")
    args = parser.parse_args(argv)
    settings = Settings(database_url=args.database_url) if args.database_url else Settings()
    engine = create_sync_engine(settings)
    viewer = Viewer(role=Role.PUBLIC, now=datetime.now(UTC))
    failures = preferred = 0
    with engine.connect() as connection:
        dialect = connection.dialect.name
        for case in cases(connection, viewer):
            if args.only and args.only not in case.name:
                continue
            plan = plan_of(connection, case.statement)
            scans = sequential_scans(dialect, plan)
            verdict = "indexed"
            if scans and dialect == "postgresql":
                # Is it the planner's choice (a small table, an unselective condition) or
                # the lack of an index? Ask again with sequential scans priced out.
                connection.exec_driver_sql("SET enable_seqscan = off")
                forced = sequential_scans(dialect, plan_of(connection, case.statement))
                connection.exec_driver_sql("SET enable_seqscan = on")
                if not forced:
                    verdict = "indexed when asked (the planner prefers a scan here)"
                    preferred += 1
                    scans = []
            if scans:
                failures += 1
                verdict = "SEQUENTIAL: " + "; ".join(scans)
            print(f"{case.name:<46} {verdict}")
            if args.plans or scans:
                for line in plan:
                    print(f"    {line}")
    engine.dispose()
    print(f"\n{failures} statement(s) with no index to use; {preferred} where the planner")
    print("prefers a sequential scan over the index it has (small tables, unselective filters)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
