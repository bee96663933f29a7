"""Webhooks: signed deliveries of the change log to a partner's server, retried with backoff."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from db import models as m
from db import webhooks
from db.changes import record_change
from db.engine import session_factory, unit_of_work
from db.seed import SEED_ARTICLE_SLUG
from newsgraph.clock import FixedClock
from newsgraph.settings import Settings
from newsgraph.webhooks import SIGNATURE_HEADER, WebhookDeliverer
from tests.test_cli import newsgraph, succeeds

SECRET = "partner-secret"
LOOPBACK = ["127.0.0.1"]
START = datetime(2030, 1, 1, tzinfo=UTC)


@dataclass
class PartnerServer:
    """A partner's endpoint on a loopback port: records requests, answers with `statuses`."""

    statuses: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""

    async def endpoint(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        return Response(status_code=self.statuses.pop(0) if self.statuses else 200)


@asynccontextmanager
async def partner_server() -> AsyncIterator[PartnerServer]:
    partner = PartnerServer()
    app = Starlette(routes=[Route("/hooks", partner.endpoint, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
            assert not serving.done(), "the partner server did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        partner.url = f"http://127.0.0.1:{port}/hooks"
        yield partner
    finally:
        server.should_exit = True
        await serving


@dataclass
class Harness:
    sessions: Any
    clock: FixedClock
    client: httpx.AsyncClient
    deliverer: WebhookDeliverer
    settings: Settings


@asynccontextmanager
async def harness(url: str, **settings: Any) -> AsyncIterator[Harness]:
    from db.engine import create_app_engine

    # The partner's server listens on loopback, which webhooks may reach only when allowed.
    configured = Settings(**{"database_url": url, "webhook_allowed_networks": LOOPBACK, **settings})
    engine = create_app_engine(configured)
    clock = FixedClock(START)
    try:
        async with httpx.AsyncClient() as client:
            sessions = session_factory(engine)
            deliverer = WebhookDeliverer(sessions, configured, client, clock)
            yield Harness(sessions, clock, client, deliverer, configured)
    finally:
        await engine.dispose()


async def register(h: Harness, url: str) -> int:
    async with unit_of_work(h.sessions) as session:
        return (await webhooks.register(session, url, SECRET)).id


async def correct_seed(h: Harness) -> None:
    """A correction of the founding article, recorded now by the harness clock."""
    async with unit_of_work(h.sessions) as session:
        article_id = await session.scalar(
            select(m.Article.id).where(m.Article.slug == SEED_ARTICLE_SLUG)
        )
        assert article_id is not None
        await record_change(session, article_id, m.ChangeKind.CORRECTED, at=h.clock.now())


async def log(h: Harness) -> list[m.WebhookDelivery]:
    async with h.sessions() as session:
        return list(reversed(await webhooks.deliveries(session, None, 100)))


async def test_a_change_is_posted_with_an_hmac_sha256_signature_of_the_body(fresh_database):
    async with partner_server() as partner, harness(fresh_database.url) as h:
        await register(h, partner.url)
        await correct_seed(h)

        assert await h.deliverer.deliver_due() == 1

    [(headers, body)] = partner.received
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers[SIGNATURE_HEADER.lower()], expected)
    payload = json.loads(body)
    assert payload["event"] == "article.corrected"
    assert payload["article"] == {
        "slug": SEED_ARTICLE_SLUG,
        "path": f"/articles/{SEED_ARTICLE_SLUG}.ninjs.json",
    }
    [delivery] = await log(h)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        m.DeliveryStatus.DELIVERED,
        1,
        200,
    )


async def test_failures_are_retried_with_exponential_backoff(fresh_database):
    async with (
        partner_server() as partner,
        harness(fresh_database.url, webhook_backoff_seconds=30) as h,
    ):
        await register(h, partner.url)
        partner.statuses = [500, 503]
        await correct_seed(h)

        await h.deliverer.deliver_due()
        [first] = await log(h)
        h.clock.at = START + timedelta(seconds=29)
        assert await h.deliverer.deliver_due() == 0  # not due yet
        h.clock.at = START + timedelta(seconds=30)
        await h.deliverer.deliver_due()
        [second] = await log(h)
        h.clock.at = START + timedelta(seconds=90)
        await h.deliverer.deliver_due()
        [third] = await log(h)

    assert first.next_attempt_at == START + timedelta(seconds=30)
    assert (first.last_status_code, first.last_error) == (500, "HTTP 500")
    assert second.next_attempt_at == START + timedelta(seconds=90)  # waits twice as long
    assert (third.status, third.attempts, third.delivered_at) == (
        m.DeliveryStatus.DELIVERED,
        3,
        START + timedelta(seconds=90),
    )
    assert len(partner.received) == 3
    assert len({body for _, body in partner.received}) == 1  # the same body every time


async def test_a_delivery_fails_for_good_after_the_last_attempt(fresh_database):
    async with (
        partner_server() as partner,
        harness(fresh_database.url, webhook_max_attempts=2, webhook_backoff_seconds=10) as h,
    ):
        await register(h, partner.url)
        partner.statuses = [500, 500, 500]
        await correct_seed(h)

        await h.deliverer.deliver_due()
        h.clock.at = START + timedelta(hours=1)
        await h.deliverer.deliver_due()
        h.clock.at = START + timedelta(days=1)
        assert await h.deliverer.deliver_due() == 0

    [delivery] = await log(h)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        m.DeliveryStatus.FAILED,
        2,
        None,
    )


async def test_an_unreachable_server_is_logged_and_retried(fresh_database):
    async with partner_server() as partner:
        closed_url = partner.url  # nothing listens there once the server stops
    async with harness(fresh_database.url) as h:
        await register(h, closed_url)
        await correct_seed(h)

        await h.deliverer.deliver_due()

    [delivery] = await log(h)
    assert delivery.status is m.DeliveryStatus.PENDING
    assert delivery.last_status_code is None
    assert delivery.last_error is not None and delivery.last_error.startswith("ConnectError")


async def test_an_embargoed_publication_is_delivered_when_the_embargo_lifts(fresh_database):
    lifts = START + timedelta(hours=2)
    async with partner_server() as partner, harness(fresh_database.url) as h:
        await register(h, partner.url)
        async with unit_of_work(h.sessions) as session:
            article = await session.scalar(
                select(m.Article).where(m.Article.slug == SEED_ARTICLE_SLUG)
            )
            assert article is not None
            article.status = m.PublicationStatus.EMBARGOED
            article.embargoed_until = lifts
            await record_change(session, article.id, m.ChangeKind.PUBLISHED, at=START)

        assert await h.deliverer.deliver_due() == 0
        h.clock.at = lifts
        assert await h.deliverer.deliver_due() == 1

    assert len(partner.received) == 1


async def test_the_worker_sleeps_through_the_injected_sleeper_when_idle(fresh_database):
    async with (
        partner_server() as partner,
        harness(fresh_database.url, webhook_poll_seconds=7) as h,
    ):
        await register(h, partner.url)
        partner.statuses = [500]
        await correct_seed(h)
        stop = asyncio.Event()
        naps: list[float] = []

        async def sleeper(seconds: float) -> None:
            # Time passes only when the worker sleeps, by as much as it asked for.
            naps.append(seconds)
            h.clock.at += timedelta(seconds=seconds)
            if len(naps) == 10:
                stop.set()

        await WebhookDeliverer(h.sessions, h.settings, h.client, h.clock, sleeper).run(stop)

    assert naps == [7.0] * 10
    assert len(partner.received) == 2  # failed at once, retried 30 s later, between two naps
    [delivery] = await log(h)
    assert delivery.status is m.DeliveryStatus.DELIVERED


async def test_removing_a_webhook_stops_its_deliveries(fresh_database):
    async with partner_server() as partner, harness(fresh_database.url) as h:
        webhook_id = await register(h, partner.url)
        await correct_seed(h)
        async with unit_of_work(h.sessions) as session:
            assert await webhooks.deactivate(session, webhook_id)

        await correct_seed(h)
        assert await h.deliverer.deliver_due() == 0

    [delivery] = await log(h)  # the second correction found no active webhook
    assert (delivery.status, delivery.last_error) == (m.DeliveryStatus.FAILED, "removed")
    assert partner.received == []


def test_the_command_line_registers_lists_logs_and_removes_webhooks(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    succeeds("db", "upgrade", database_url=url)

    added = succeeds(
        "webhooks",
        "add",
        "https://partner.example/hooks",
        "--description",
        "Partner",
        database_url=url,
    )
    listed = succeeds("webhooks", "list", database_url=url)
    logged = succeeds("webhooks", "deliveries", database_url=url)
    removed = succeeds("webhooks", "remove", "1", database_url=url)
    relisted = succeeds("webhooks", "list", database_url=url)

    assert added.startswith("webhook 1 registered for https://partner.example/hooks")
    assert len(added.splitlines()[1].rsplit(" ", 1)[1]) == 64  # the secret, shown once
    assert listed.strip() == "1\tactive\thttps://partner.example/hooks\tPartner"
    assert logged.splitlines()[0].startswith("id\twebhook\tevent\tstatus")
    assert removed.strip() == "webhook 1 removed"
    assert "\tremoved\t" in relisted


def test_the_command_line_refuses_a_url_that_is_not_http(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    completed = newsgraph("webhooks", "add", "ftp://partner.example/hooks", database_url=url)

    assert completed.returncode == 1
    assert "cannot be a webhook: Give an http:// or https:// URL" in completed.stderr


def test_the_command_line_refuses_a_private_address(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    completed = newsgraph("webhooks", "add", "http://10.0.0.7/hooks", database_url=url)

    assert completed.returncode == 1
    assert "10.0.0.7 is a loopback, private, link-local or reserved address" in completed.stderr
