"""The GraphQL schema: the root Query and Mutation combine each domain's queries and mutations."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry.extensions import MaskErrors

from api.articles import ArticleQueries
from api.errors import should_mask
from api.ingestion import IngestionMutations
from api.nodes import NODE_TYPES, NodeQueries
from api.organizations import OrganizationQueries
from api.persons import PersonQueries
from api.provenance import ProvenanceMutations
from api.statements import StatementQueries
from api.votes import VoteQueries


@strawberry.type(description="Everything newsgraph can read.")
class Query(
    ArticleQueries,
    OrganizationQueries,
    PersonQueries,
    StatementQueries,
    VoteQueries,
    NodeQueries,
):
    pass


@strawberry.type(description="Everything newsgraph can change.")
class Mutation(IngestionMutations, ProvenanceMutations):
    pass


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=list(NODE_TYPES.values()),
    extensions=[
        partial(MaskErrors, should_mask_error=should_mask, error_message="Internal server error.")
    ],
)
