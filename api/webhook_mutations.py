"""Partners manage their own webhooks: register, rotate the secret, pause, resume, remove."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from api.editing import MutationError, pk_of, run_refusable
from api.enums import WebhookEvent
from api.rows import context, optional_row
from api.webhooks import Webhook, webhook_owner
from db import webhooks
from db.webhooks import Limits, Registration
from newsgraph.webhook_targets import networks
from newsgraph.webhooks import new_secret

WebhookId = Annotated[strawberry.ID, strawberry.argument(description="The webhook's global ID.")]


@strawberry.input(description="A new webhook.")
class WebhookCreateInput:
    url: str = strawberry.field(
        description="An http:// or https:// URL of a public host; newsgraph POSTs JSON to it."
    )
    events: list[WebhookEvent] | None = strawberry.field(
        default=None, description="The events to receive; every event when left out."
    )
    description: str | None = strawberry.field(
        default=None, description="A note for your own use, e.g. which system receives it."
    )


@strawberry.type(
    description="A webhook with its new signing secret, or why it was not created or changed."
)
class WebhookSecretPayload:
    webhook: Webhook | None = strawberry.field(description="The webhook; null on failure.")
    secret: str | None = strawberry.field(
        description="The signing secret, shown only in this answer: verify "
        "`X-Newsgraph-Signature` with it. Null on failure."
    )
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


@strawberry.type(description="The webhook a mutation changed, or why it did not.")
class WebhookPayload:
    webhook: Webhook | None = strawberry.field(description="The webhook; null on failure.")
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


async def _with_secret(
    info: Info, webhook_id: str | None, input: Any = None, overlap_seconds: int = 0
) -> Any:
    """Create (no `webhook_id`) or re-key a webhook; the new secret is returned once."""
    viewer = webhook_owner(info)
    settings = context(info).settings
    secret = new_secret()

    async def work(session: AsyncSession) -> Any:
        if webhook_id is None:
            registration = Registration(input.url, input.events, input.description)
            limits = Limits(networks(settings.webhook_allowed_networks), settings.webhooks_per_key)
            return await webhooks.register_for(session, viewer, registration, secret, limits)
        webhook = await webhooks.managed(session, viewer, pk_of(webhook_id, "id", "Webhook"))
        overlap = timedelta(seconds=overlap_seconds)
        webhooks.rotate_secret(webhook, secret, viewer.now, overlap)
        return webhook

    row, errors = await run_refusable(info, work)
    return WebhookSecretPayload(
        webhook=optional_row(Webhook, row), secret=None if errors else secret, errors=errors
    )


async def _change(info: Info, webhook_id: str, paused: bool | None) -> WebhookPayload:
    """Pause or resume (`paused`), or remove (None) a webhook the caller manages."""
    viewer = webhook_owner(info)

    async def work(session: AsyncSession) -> Any:
        webhook = await webhooks.managed(session, viewer, pk_of(webhook_id, "id", "Webhook"))
        if paused is None:
            await webhooks.remove(session, webhook)
        else:
            webhooks.set_paused(webhook, paused)
        return webhook

    row, errors = await run_refusable(info, work)
    return WebhookPayload(webhook=optional_row(Webhook, row), errors=errors)


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Register a webhook owned by the caller's key; its signing secret is in the "
        "answer, and nowhere else ever again. Partners and editors."
    )
    async def webhook_create(
        self,
        info: Info,
        input: Annotated[WebhookCreateInput, strawberry.argument(description="The new webhook.")],
    ) -> WebhookSecretPayload:
        result: WebhookSecretPayload = await _with_secret(info, None, input)
        return result

    @strawberry.mutation(
        description="Replace a webhook's signing secret: every delivery from now on, retries "
        "included, is signed with the new one, shown only in this answer. With "
        "`overlapSeconds`, deliveries are signed with the old secret too until the overlap "
        "ends (`X-Newsgraph-Signature` then holds both signatures, comma-separated, the new "
        "one first), so a receiver can switch at its own pace. Partners (their own) and "
        "editors."
    )
    async def webhook_rotate_secret(
        self,
        info: Info,
        id: WebhookId,
        overlap_seconds: Annotated[
            int,
            strawberry.argument(
                description="How long the old secret keeps signing beside the new one: 0 "
                "(the default) to 604800 seconds (7 days)."
            ),
        ] = 0,
    ) -> WebhookSecretPayload:
        result: WebhookSecretPayload = await _with_secret(info, id, overlap_seconds=overlap_seconds)
        return result

    @strawberry.mutation(
        description="Hold a webhook's deliveries: they keep being queued and are sent once it "
        "is resumed. Partners (their own) and editors."
    )
    async def webhook_pause(self, info: Info, id: WebhookId) -> WebhookPayload:
        return await _change(info, id, paused=True)

    @strawberry.mutation(
        description="Send a paused webhook's deliveries again, those held meanwhile first. "
        "Partners (their own) and editors."
    )
    async def webhook_resume(self, info: Info, id: WebhookId) -> WebhookPayload:
        return await _change(info, id, paused=False)

    @strawberry.mutation(
        description="Remove a webhook: nothing more is sent to it, pending deliveries are marked "
        "failed, and its log stays readable (`webhooks(includeRemoved: true)`). Partners (their "
        "own) and editors."
    )
    async def webhook_remove(self, info: Info, id: WebhookId) -> WebhookPayload:
        return await _change(info, id, paused=None)
