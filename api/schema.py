"""The GraphQL schema: the root Query combines each domain's queries."""

from __future__ import annotations

from functools import partial

import strawberry

from api.articles import ArticleQueries
from api.errors import MASKED_MESSAGE, MaskInternalErrors, should_mask
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
    types=list(NODE_TYPES.values()),
    extensions=[
        partial(
            MaskInternalErrors,
            should_mask_error=should_mask,
            error_message=MASKED_MESSAGE,
        )
    ],
)
