"""The GraphQL schema: the root Query combines each domain's queries."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache

from api.articles import ArticleQueries
from api.errors import should_mask
from api.live.subscriptions import Subscription
from api.nodes import NODE_TYPES, NodeQueries
from api.organizations import OrganizationQueries
from api.persons import PersonQueries
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


schema = strawberry.Schema(
    query=Query,
    subscription=Subscription,
    types=list(NODE_TYPES.values()),
    extensions=[
        # Parsing and validating a document cost as much as running a small query.
        partial(ParserCache, maxsize=512),
        partial(ValidationCache, maxsize=512),
        partial(MaskErrors, should_mask_error=should_mask, error_message="Internal server error."),
    ],
)
