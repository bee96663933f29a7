"""Withdrawals and deletions reach subscribers, webhooks and the change feed, and only for articles
that had been public: an embargoed or draft story is never revealed by its withdrawal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from api.relay import decode_global_id
from db.engine import session_factory
from db.events import ARTICLES
from db.seed import SEED_ARTICLE_SLUG
from newsgraph.clock import FixedClock
from newsgraph.webhooks import WebhookDeliverer
from tests.live_changes_support import (
    DELETE,
    REGISTER,
    RENAME,
    UNPUBLISH,
    Editor,
    change_feed,
    next_update,
)
from tests.support import bearer, graphql, issue_key
from tests.test_subscriptions import connection, live_app, save, subscribe, until
from tests.test_webhooks import LOOPBACK, partner_server

START = datetime(2030, 1, 1, tzinfo=UTC)
LIFTS = START + timedelta(hours=2)
UPDATES = """
subscription { articleUpdates { kind articleId slug article { slug status } } }
"""
SEED_ID = """query Seed($slug: String!) { article(slug: $slug) { id } }"""


async def seed_id(client: httpx.AsyncClient) -> str:
    article_id: str = (await graphql(client, SEED_ID, {"slug": SEED_ARTICLE_SLUG}))["article"]["id"]
    return article_id


async def test_a_withdrawal_reaches_subscribers_webhooks_and_the_change_feed(fresh_database):
    clock = FixedClock(START)
    async with (
        partner_server() as partner,
        live_app(fresh_database.url, clock=clock, webhook_allowed_networks=LOOPBACK) as (
            app,
            client,
        ),
        connection(client) as ws,
        httpx.AsyncClient() as sender,
    ):
        editor = Editor(client, bearer((await issue_key(app, "editor")).secret))
        partner_key = bearer((await issue_key(app, "partner")).secret)
        await graphql(client, REGISTER, {"url": partner.url}, headers=partner_key)
        await subscribe(ws, "articles", UPDATES)
        await until(lambda: app.state.broker.listeners(ARTICLES) == 1, "subscription listens")
        article_id = await seed_id(client)

        await editor.call(UNPUBLISH, "articleUnpublish", id=article_id)
        withdrawn = await next_update(ws)
        worker = WebhookDeliverer(
            session_factory(app.state.engine), app.state.settings, sender, clock
        )
        delivered = await worker.deliver_due()
        clock.at = START + timedelta(minutes=1)
        feed = await change_feed(client, partner_key)

    # The public subscriber learns which article to drop, no longer what it says.
    assert withdrawn == {
        "kind": "WITHDRAWN",
        "articleId": article_id,
        "slug": SEED_ARTICLE_SLUG,
        "article": None,
    }
    assert delivered == 1
    [(headers, _)] = partner.received
    assert headers["x-newsgraph-event"] == "article.withdrawn"
    assert feed[-1] == (SEED_ARTICLE_SLUG, "withdrawn")


async def test_an_editor_subscriber_still_reads_the_withdrawn_article(fresh_database):
    async with live_app(fresh_database.url) as (app, client):
        editor_key = bearer((await issue_key(app, "editor")).secret)
        editor = Editor(client, editor_key)
        async with connection(client, headers=editor_key) as ws:
            await subscribe(ws, "articles", UPDATES)
            await until(lambda: app.state.broker.listeners(ARTICLES) == 1, "subscription listens")

            await editor.call(UNPUBLISH, "articleUnpublish", id=await seed_id(client))
            withdrawn = await next_update(ws)

    assert withdrawn["kind"] == "WITHDRAWN"
    assert withdrawn["article"] == {"slug": SEED_ARTICLE_SLUG, "status": "WITHDRAWN"}


async def test_a_deletion_reaches_subscribers_by_id_and_slug(fresh_database):
    async with live_app(fresh_database.url) as (app, client), connection(client) as ws:
        editor = Editor(client, bearer((await issue_key(app, "editor")).secret))
        await subscribe(ws, "articles", UPDATES)
        await until(lambda: app.state.broker.listeners(ARTICLES) == 1, "subscription listens")
        article_id = await seed_id(client)

        await editor.call(DELETE, "articleDelete", id=article_id)
        deleted = await next_update(ws)

    assert deleted == {
        "kind": "DELETED",
        "articleId": article_id,
        "slug": SEED_ARTICLE_SLUG,
        "article": None,
    }
    assert decode_global_id(deleted["articleId"])[0] == "Article"


async def test_withdrawing_an_embargoed_story_reveals_nothing_and_cancels_its_lift(
    fresh_database,
):
    clock = FixedClock(START)
    async with (
        partner_server() as partner,
        live_app(fresh_database.url, clock=clock, webhook_allowed_networks=LOOPBACK) as (
            app,
            client,
        ),
        connection(client) as ws,
        httpx.AsyncClient() as sender,
    ):
        editor = Editor(client, bearer((await issue_key(app, "editor")).secret))
        partner_key = bearer((await issue_key(app, "partner")).secret)
        await graphql(client, REGISTER, {"url": partner.url}, headers=partner_key)
        await subscribe(ws, "articles", UPDATES)
        await until(lambda: app.state.broker.listeners(ARTICLES) == 1, "subscription listens")
        article_id, _ = await editor.draft("secret-story")
        await editor.publish(article_id, until=LIFTS)

        await editor.call(UNPUBLISH, "articleUnpublish", id=article_id)
        clock.at = LIFTS + timedelta(minutes=1)
        claimed = await app.state.embargo_scheduler.announce_due()
        delivered = await WebhookDeliverer(
            session_factory(app.state.engine), app.state.settings, sender, clock
        ).deliver_due()
        feed = await change_feed(client, partner_key)
        await save(app, "sentinel-story")
        following = await next_update(ws)

    assert (claimed, delivered, partner.received) == (0, 0, [])
    assert "secret-story" not in [slug for slug, _ in feed]
    # Neither the withdrawal nor the cancelled lift was pushed before this.
    assert following["slug"] == "sentinel-story"


async def test_renaming_a_published_article_withdraws_the_old_slug(fresh_database):
    clock = FixedClock(START)
    async with live_app(fresh_database.url, clock=clock) as (app, client):
        editor = Editor(client, bearer((await issue_key(app, "editor")).secret))
        partner_key = bearer((await issue_key(app, "partner")).secret)

        await editor.call(RENAME, "articleUpdate", id=await seed_id(client), slug="renamed-story")
        clock.at = START + timedelta(minutes=1)
        feed = await change_feed(client, partner_key)

    assert feed[-2:] == [(SEED_ARTICLE_SLUG, "withdrawn"), ("renamed-story", "published")]
