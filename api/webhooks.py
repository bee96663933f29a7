"""Webhooks over GraphQL: a partner's own webhooks and their delivery log (editors see all)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api import mapping
from api.editing import Forbidden
from api.enums import DeliveryStatus, WebhookEvent
from api.relay import Connection, Node
from api.rows import After, First, context, related_connection, root_connection
from db import webhooks
from db.visibility import Role, Viewer


def webhook_owner(info: Info) -> Viewer:
    """The caller, if it may have webhooks: a partner (its own) or an editor (every one)."""
    viewer = context(info).viewer
    if viewer.role is Role.PUBLIC:
        raise Forbidden(
            "Webhooks belong to API keys: send a partner's key as `Authorization: Bearer <key>`."
        )
    return viewer


@strawberry.type(
    description="An address newsgraph POSTs change-log entries to, signed with the webhook's "
    "secret (`X-Newsgraph-Signature: sha256=<HMAC-SHA256 of the body>`)."
)
class Webhook(Node):
    MAPPING = mapping.WEBHOOK
    row: strawberry.Private[Any]
    url: str = strawberry.field(description="Where deliveries are POSTed.")
    description: str | None = strawberry.field(description="A note for the owner's own use.")
    active: bool = strawberry.field(
        description="False once removed (or once its key was revoked): nothing more is sent."
    )
    paused: bool = strawberry.field(
        description="Deliveries are queued but held until the webhook is resumed."
    )
    key_id: int | None = strawberry.field(
        description="The id of the API key that owns it; null for one an operator registered."
    )
    created_at: datetime = strawberry.field(description="When it was registered (UTC).")
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="Until when deliveries are also signed with the secret the last rotation "
        "replaced (UTC); null when they are signed with the current secret only."
    )

    @strawberry.field(description="The events it receives.")
    async def events(self, info: Info) -> list[WebhookEvent]:
        rows = await context(info).loaders.many(self.MAPPING, "events", self.pk)
        return [row.event for row in rows]

    @strawberry.field(description="Its delivery log: one entry per change sent, newest first.")
    async def deliveries(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[WebhookDelivery]:
        return await related_connection(
            info, WebhookDelivery, self.MAPPING, "deliveries", self.pk, first, after
        )


@strawberry.type(description="One change-log entry sent (or to be sent) to one webhook.")
class WebhookDelivery:
    MAPPING = mapping.WEBHOOK_DELIVERY
    pk: strawberry.Private[int]
    row: strawberry.Private[Any]
    delivery_id: int = strawberry.field(
        description="The `X-Newsgraph-Delivery` header's value: the same on every attempt."
    )
    event: WebhookEvent = strawberry.field(description="What the entry announces.")
    status: DeliveryStatus = strawberry.field(
        description="Pending (due, or waiting to be retried), delivered, or failed for good."
    )
    attempts: int = strawberry.field(description="How many times it was sent so far.")
    payload: str = strawberry.field(description="The exact JSON body sent, and signed.")
    created_at: datetime = strawberry.field(description="When it was queued (UTC).")
    last_attempt_at: datetime | None = strawberry.field(description="When it was last sent.")
    last_status_code: int | None = strawberry.field(
        description="The HTTP status the last attempt got; null when it got no answer."
    )
    last_error: str | None = strawberry.field(
        description="Why the last attempt failed, or why it was given up (`removed`, "
        "`key revoked`); null after a success."
    )
    next_attempt_at: datetime | None = strawberry.field(
        description="When it is due: the embargo's end or the next retry (while a worker is "
        "sending it, the end of that worker's claim); null once delivered or failed."
    )
    delivered_at: datetime | None = strawberry.field(description="When a 2xx answered it.")


@strawberry.type
class WebhookQueries:
    @strawberry.field(
        description="The caller's own webhooks, oldest first (editors: every webhook). "
        "Partners and editors only."
    )
    async def webhooks(
        self,
        info: Info,
        include_removed: Annotated[
            bool,
            strawberry.argument(description="Also list removed webhooks, with their logs."),
        ] = False,
        first: First = None,
        after: After = None,
    ) -> Connection[Webhook]:
        webhook_owner(info)
        statement = webhooks.owned_webhooks(include_removed)
        return await root_connection(info, Webhook, statement, first, after)
