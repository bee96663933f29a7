"""Only editors may change content: every mutation refuses the public, and every mutation but
the webhook ones (tests/test_partner_webhooks.py) refuses partners."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    build_schema,
)

from api.schema import schema
from db.seed import SEED_ARTICLE_SLUG
from tests.support import bearer, graphql, graphql_response, issue_key

# Values of the right type for every scalar a mutation takes; an ID that names a real row.
_SCALARS = {
    "ID": "QXJ0aWNsZTox",
    "String": "text",
    "Int": 1,
    "Boolean": True,
    "Date": "2020-01-05",
    "DateTime": "2999-01-01T00:00:00Z",
}
SEED = """
query($slug: String!) {
  article(slug: $slug) {
    credits { id }
    relatedLinks { id }
    paragraphs { id mentions { id } }
    votes { positions { id } }
  }
}
"""
# A partner manages its own webhooks with these.
PARTNER_MUTATIONS = frozenset(
    {"webhookCreate", "webhookRotateSecret", "webhookPause", "webhookResume", "webhookRemove"}
)
DELETE_CREDIT = """mutation($id: ID!) { creditDelete(id: $id) { deletedId } }"""
DELETE_LINK = """mutation($id: ID!) { relatedLinkDelete(id: $id) { deletedId } }"""
DELETE_MENTION = """mutation($id: ID!) { mentionDelete(id: $id) { deletedId } }"""
DELETE_POSITION = """mutation($id: ID!) { votePositionDelete(id: $id) { deletedId } }"""


def _value(graphql_type: GraphQLInputType) -> Any:
    """A value of `graphql_type` with every required field filled in."""
    if isinstance(graphql_type, GraphQLNonNull):
        return _value(graphql_type.of_type)
    if isinstance(graphql_type, GraphQLList):
        return [_value(graphql_type.of_type)]
    if isinstance(graphql_type, GraphQLEnumType):
        return next(iter(graphql_type.values))
    if isinstance(graphql_type, GraphQLInputObjectType):
        return {
            name: _value(field.type)
            for name, field in graphql_type.fields.items()
            if isinstance(field.type, GraphQLNonNull)
        }
    assert isinstance(graphql_type, GraphQLScalarType)
    return _SCALARS[graphql_type.name]


def every_mutation() -> list[tuple[str, str, dict[str, Any]]]:
    """(name, document, variables) for every mutation, its required arguments given."""
    mutation_type = build_schema(schema.as_str()).mutation_type
    assert mutation_type is not None
    calls = []
    for name, field in mutation_type.fields.items():
        required = {
            argument: spec.type
            for argument, spec in field.args.items()
            if isinstance(spec.type, GraphQLNonNull)
        }
        declared = ", ".join(f"${argument}: {kind}" for argument, kind in required.items())
        passed = ", ".join(f"{argument}: ${argument}" for argument in required)
        document = f"mutation({declared}) {{ {name}({passed}) {{ __typename }} }}"
        variables = {argument: _value(kind) for argument, kind in required.items()}
        calls.append((name, document, variables))
    return calls


async def caller(database, role) -> dict[str, str]:
    return bearer((await issue_key(database.app, role)).secret) if role else {}


@pytest.mark.parametrize("role", [None, "partner"], ids=["public", "partner"])
async def test_every_mutation_is_forbidden_to_all_but_editors(fresh_database, role):
    headers = await caller(fresh_database, role)
    answers = {}

    for name, document, variables in every_mutation():
        if role == "partner" and name in PARTNER_MUTATIONS:
            continue
        response = await graphql_response(
            fresh_database.client, document, variables, headers=headers
        )
        body = response.json()
        answers[name] = (body.get("data"), [e["extensions"]["code"] for e in body["errors"]])

    assert len(answers) > 40
    assert {
        name: answer for name, answer in answers.items() if answer != (None, ["FORBIDDEN"])
    } == {}


@pytest.mark.parametrize("role", [None, "partner"], ids=["public", "partner"])
async def test_a_forbidden_deletion_deletes_nothing(fresh_database, role):
    headers = await caller(fresh_database, role)
    editor = await caller(fresh_database, "editor")
    before = await graphql(fresh_database.client, SEED, {"slug": SEED_ARTICLE_SLUG}, headers=editor)
    seed = before["article"]
    targets = [
        (DELETE_CREDIT, seed["credits"][0]["id"]),
        (DELETE_LINK, seed["relatedLinks"][0]["id"]),
        (DELETE_MENTION, seed["paragraphs"][3]["mentions"][0]["id"]),
        (DELETE_POSITION, seed["votes"][0]["positions"][0]["id"]),
    ]

    codes = []
    for document, target in targets:
        response = await graphql_response(
            fresh_database.client, document, {"id": target}, headers=headers
        )
        codes.append(response.json()["errors"][0]["extensions"]["code"])

    assert codes == ["FORBIDDEN"] * len(targets)
    after = await graphql(fresh_database.client, SEED, {"slug": SEED_ARTICLE_SLUG}, headers=editor)
    assert after == before
