"""The compiled read path answers every query byte for byte as the resolvers do.

Every request a test sends to the shared database through `graphql_response` is checked
as it is sent (`resolver_twin` in tests/support.py). Here: queries hypothesis-graphql
generates from the schema, roots the compiler must hand over cleanly, and the queries the
benchmarks measure, which must be compiled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from graphql import (
    ArgumentNode,
    FieldNode,
    IntValueNode,
    StringValueNode,
    Visitor,
    parse,
    print_ast,
    visit,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from api.graphiql import HEADLINE_QUERY
from api.relay import encode_cursor
from api.schema import schema
from api.view import READ_PATH_HEADER
from bench.load import ARTICLE_PAGE, ORGANIZATION_PAGE
from tests.support import bearer, graphql, graphql_response, issue_key, serving

GENERATED_QUERIES = 150


@dataclass(frozen=True)
class SentQuery:
    query: str
    variables: Mapping[str, Any] | None


# Root fields with rows behind them: `node`/`nodes` take opaque IDs no generator can guess
# (the rest of the suite sends them real ones).
ROOT_FIELDS = [
    "article",
    "articles",
    "organization",
    "organizations",
    "person",
    "persons",
    "statements",
    "votes",
]
# Values that exist in the seed, so that generated queries find rows.
SLUGS = {
    "article": ["us-led-coalition-suspends-anti-isis-operations"],
    "organization": ["cjtf-oir", "nato", "iraqi-council-of-representatives", "kurdistan-24"],
    "person": ["abu-mahdi-al-muhandis", "qasim-soleimani", "karzan-sulaivany"],
}
NAMES = {
    "organization": ["CJTF-OIR", "the Coalition", "NATO", "the Iraqi parliament", "PMF"],
    "person": ["Muhandis", "Soleimani", "Karzan Sulaivany"],
}
SCALARS = {
    "Date": st.dates(date(2019, 1, 1), date(2021, 1, 1)).map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes(
        datetime(2019, 1, 1), datetime(2021, 1, 1), timezones=st.just(UTC)
    ).map(lambda d: nodes.String(d.isoformat())),
}


class _SeedArguments(Visitor):
    """Rewrites generated arguments to values with data behind them.

    Random slugs find nothing and random cursors or page sizes are client errors, which
    both paths answer alike without the compiled path doing anything: the generator
    chooses the shape of a query, this chooses values that make both paths work.
    """

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []

    def enter_field(self, node: FieldNode, *_args):
        self.fields.append(node.name.value)
        names = {argument.name.value for argument in node.arguments or ()}
        if {"slug", "name"} <= names:  # one of them is enough: keep the slug
            arguments = tuple(a for a in node.arguments or () if a.name.value != "name")
            return FieldNode(
                alias=node.alias,
                name=node.name,
                arguments=arguments,
                directives=node.directives,
                selection_set=node.selection_set,
            )
        return None

    def leave_field(self, *_args):
        self.fields.pop()

    def enter_argument(self, node: ArgumentNode, *_args):
        name, root = node.name.value, self.fields[0]
        seed = sum(map(ord, print_ast(node.value)))
        if name == "first":
            return ArgumentNode(name=node.name, value=IntValueNode(value=str(seed % 4)))
        if name == "after":
            return ArgumentNode(
                name=node.name, value=StringValueNode(value=encode_cursor(seed % 2))
            )
        if name == "slug" and len(self.fields) == 1 and root in SLUGS:
            choice = SLUGS[root][seed % len(SLUGS[root])]
            return ArgumentNode(name=node.name, value=StringValueNode(value=choice))
        if name == "name" and len(self.fields) == 1 and root in NAMES:
            choice = NAMES[root][seed % len(NAMES[root])]
            return ArgumentNode(name=node.name, value=StringValueNode(value=choice))
        return None


def with_seed_arguments(query: str) -> str:
    return print_ast(visit(parse(query), _SeedArguments()))


def generated_queries(count: int) -> list[str]:
    """`count` valid queries over the schema's readable roots, the same ones on every run."""
    found: list[str] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(queries(schema.as_str(), fields=ROOT_FIELDS, custom_scalars=SCALARS))
    def collect(query: str) -> None:
        found.append(with_seed_arguments(query))

    collect()
    return found


async def both_paths(
    database_url: str, sent: list[SentQuery], **settings: Any
) -> list[tuple[SentQuery, httpx.Response, httpx.Response]]:
    answers = []
    async with (
        serving(database_url, compiled_reads=True, **settings) as (_, compiled),
        serving(database_url, compiled_reads=False, **settings) as (_, resolved),
    ):
        for query in sent:
            answers.append(
                (
                    query,
                    await graphql_response(compiled, query.query, query.variables),
                    await graphql_response(resolved, query.query, query.variables),
                )
            )
    return answers


def assert_identical(answers: list[tuple[SentQuery, httpx.Response, httpx.Response]]) -> None:
    for query, compiled, resolved in answers:
        assert (compiled.status_code, compiled.content) == (
            resolved.status_code,
            resolved.content,
        ), f"{query.query}\nvariables: {query.variables}"


async def test_generated_queries_answer_the_same_on_both_paths(database_url):
    sent = [SentQuery(query, None) for query in generated_queries(GENERATED_QUERIES)]

    answers = await both_paths(database_url, sent)

    assert_identical(answers)


# Roots the compiler must answer itself or hand over cleanly.
EDGE_QUERIES = [
    "{ __typename }",
    '{ __type(name: "Article") { name } }',
    "{ __schema { queryType { name } } }",
    '{ kind: __typename article(slug: "us-led-coalition-suspends-anti-isis-operations") { __typename } }',
]


async def test_introspection_and_typename_roots_answer_the_same_on_both_paths(database_url):
    answers = await both_paths(database_url, [SentQuery(query, None) for query in EDGE_QUERIES])

    assert_identical(answers)
    assert all(compiled.status_code == 200 for _, compiled, _ in answers)


async def test_an_object_with_more_keys_than_a_function_takes_arguments_answers_alike(
    database_url,
):
    # PostgreSQL functions take at most 100 arguments and an object of 60 keys is written
    # with 121 pieces: db/jsonsql.py nests its concat() calls.
    fields = " ".join(f"h{number}: headline" for number in range(60))
    slug = SLUGS["article"][0]
    sent = SentQuery(f'{{ article(slug: "{slug}") {{ {fields} }} }}', None)

    [(_, compiled, resolved)] = await both_paths(database_url, [sent], max_aliases=60)

    assert_identical([(sent, compiled, resolved)])
    assert compiled.headers[READ_PATH_HEADER] == "compiled"
    assert len(compiled.json()["data"]["article"]) == 60


# Every character JSON writers may spell differently: quotes, backslashes, control
# characters (named escapes and \u00XX), DEL, the line and paragraph separators, accents,
# astral characters, and an HTML tag. NUL is left out: PostgreSQL text cannot hold it.
AWKWARD_TEXT = 'He said "no" \\ \b\f\n\r\t \x01\x1f \x7f \u2028\u2029 é 😀 </script> /'
PUBLISH_AWKWARD = """
mutation($slug: String!, $text: String!) {
  articleCreate(input: {slug: $slug, headline: $text, standfirst: $text}) {
    article { id } errors { code }
  }
}
"""


async def test_text_with_every_awkward_character_answers_alike(fresh_database):
    editor = bearer((await issue_key(fresh_database.app, "editor")).secret)
    created = await graphql(
        fresh_database.client,
        PUBLISH_AWKWARD,
        {"slug": "awkward", "text": AWKWARD_TEXT},
        headers=editor,
    )
    article_id = created["articleCreate"]["article"]["id"]
    await graphql(
        fresh_database.client,
        """mutation($id: ID!, $text: String!) {
             paragraphCreate(articleId: $id, kind: BODY, text: $text) { errors { code } }
             articlePublish(id: $id) { errors { code } } }""",
        {"id": article_id, "text": AWKWARD_TEXT},
        headers=editor,
    )
    sent = SentQuery(
        '{ article(slug: "awkward") { headline standfirst paragraphs { text } } }', None
    )

    [(_, compiled, resolved)] = await both_paths(fresh_database.url, [sent])

    assert_identical([(sent, compiled, resolved)])
    assert compiled.headers[READ_PATH_HEADER] == "compiled"
    article = compiled.json()["data"]["article"]
    assert article["headline"] == article["paragraphs"][0]["text"] == AWKWARD_TEXT


# What the benchmarks measure (bench/load.py), with arguments the seed has.
BENCHMARKED = [
    SentQuery(HEADLINE_QUERY, None),
    SentQuery(ARTICLE_PAGE, {"slug": "us-led-coalition-suspends-anti-isis-operations"}),
    SentQuery(ORGANIZATION_PAGE, {"name": "the Coalition"}),
]


@pytest.mark.parametrize("sent", BENCHMARKED, ids=["headline", "article", "organization"])
async def test_the_benchmarked_queries_are_compiled_and_answer_alike(database_url, sent):
    [(_, compiled, resolved)] = await both_paths(database_url, [sent])

    assert_identical([(sent, compiled, resolved)])
    assert compiled.headers[READ_PATH_HEADER] == "compiled"
    assert resolved.headers[READ_PATH_HEADER] == "resolver"
    assert "errors" not in compiled.json()
