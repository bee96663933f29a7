"""The GraphQL schema: the root Query and Mutation combine each domain's queries and mutations."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry.extensions import ParserCache, ValidationCache

from api.article_mutations import ArticleMutations
from api.articles import ArticleQueries
from api.errors import MASKED_MESSAGE, MaskInternalErrors, should_mask
from api.ingestion import IngestionMutations
from api.live.subscriptions import Subscription
from api.mention_mutations import MentionMutations
from api.nodes import NODE_TYPES, NodeQueries
from api.organization_mutations import OrganizationMutations
from api.organizations import OrganizationQueries
from api.person_mutations import PersonMutations
from api.persons import PersonQueries
from api.provenance import ProvenanceMutations
from api.revisions import RevisionQueries
from api.search import SearchQueries
from api.statement_mutations import StatementMutations
from api.statements import StatementQueries
from api.vote_mutations import VoteMutations
from api.votes import VoteQueries
from api.webhook_mutations import WebhookMutations
from api.webhooks import WebhookQueries


@strawberry.type(description="Everything newsgraph can read.")
class Query(
    ArticleQueries,
    OrganizationQueries,
    PersonQueries,
    SearchQueries,
    StatementQueries,
    VoteQueries,
    RevisionQueries,
    WebhookQueries,
    NodeQueries,
):
    pass


@strawberry.type(
    description="Every change newsgraph accepts: editors change content; partners manage "
    "their own webhooks."
)
class Mutation(
    ArticleMutations,
    StatementMutations,
    MentionMutations,
    PersonMutations,
    OrganizationMutations,
    VoteMutations,
    IngestionMutations,
    ProvenanceMutations,
    WebhookMutations,
):
    pass


schema = strawberry.Schema(
    query=Query,
    subscription=Subscription,
    mutation=Mutation,
    types=list(NODE_TYPES.values()),
    extensions=[
        # Parsing and validating a document cost as much as running a small query.
        partial(ParserCache, maxsize=512),
        partial(ValidationCache, maxsize=512),
        partial(MaskInternalErrors, should_mask_error=should_mask, error_message=MASKED_MESSAGE),
    ],
)
