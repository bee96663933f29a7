"""When an embargo lifts, subscribers and webhooks hear "published" once, whichever process notices."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from api.response_cache import CACHE_HEADER
from db.engine import session_factory
from db.events import ARTICLES
from newsgraph.clock import FixedClock
from newsgraph.webhooks import WebhookDeliverer
from tests.live_changes_support import (
    CORRECT_PARAGRAPH,
    REGISTER,
    Editor,
    SteppedSleeper,
    change_feed,
    next_update,
)
from tests.support import bearer, graphql, graphql_response, issue_key
from tests.test_subscriptions import (
    ARTICLE_UPDATES,
    connection,
    live_app,
    save,
    subscribe,
    until,
)
from tests.test_webhooks import LOOPBACK, partner_server

START = datetime(2030, 1, 1, tzinfo=UTC)
LIFTS = START + timedelta(hours=2)
HEADLINES = "query Headlines { articles(first: 5) { edges { node { headline } } } }"


async def test_the_background_scheduler_announces_a_lift_when_the_clock_reaches_it(
    fresh_database,
):
    clock, sleeper = FixedClock(START), SteppedSleeper()
    async with (
        live_app(fresh_database.url, clock=clock, sleeper=sleeper, embargo_scheduler=True) as (
            app,
            client,
        ),
        connection(client) as ws,
    ):
        editor = Editor(client, bearer((await issue_key(app, "editor")).secret))
        await subscribe(ws, "articles", ARTICLE_UPDATES)
        await until(lambda: app.state.broker.listeners(ARTICLES) == 1, "subscription listens")
        article_id, _ = await editor.draft("embargoed-story")
        await editor.publish(article_id, until=LIFTS)

        await sleeper.step()  # a pass before the embargo ends: nothing is due
        clock.at = LIFTS
        await sleeper.step()
        lifted = await next_update(ws)
        await sleeper.step()  # and a pass after: nothing is due again
        await save(app, "sentinel-story")
        following = await next_update(ws)

    assert lifted == {
        "kind": "PUBLISHED",
        "article": {"slug": "embargoed-story", "headline": "About embargoed-story"},
    }
    # Had the lift been announced twice (or at publication), this would be it.
    assert following["article"]["slug"] == "sentinel-story"


async def test_two_instances_announce_a_lift_once_through_redis(fresh_database, redis_url):
    clock = FixedClock(START)
    prefix = f"newsgraph-test-{uuid.uuid4().hex[:12]}"
    shared = {"clock": clock, "redis_url": redis_url, "redis_channel_prefix": prefix}
    async with (
        live_app(fresh_database.url, **shared) as (writer, writer_client),
        live_app(fresh_database.url, **shared) as (reader, reader_client),
        connection(reader_client) as ws,
    ):
        editor = Editor(writer_client, bearer((await issue_key(writer, "editor")).secret))
        await subscribe(ws, "articles", ARTICLE_UPDATES)
        await until(lambda: reader.state.broker.listeners(ARTICLES) == 1, "the reader listens")
        article_id, _ = await editor.draft("embargoed-story")
        await editor.publish(article_id, until=LIFTS)

        early = await asyncio.gather(
            writer.state.embargo_scheduler.announce_due(),
            reader.state.embargo_scheduler.announce_due(),
        )
        clock.at = LIFTS
        claimed = await asyncio.gather(
            writer.state.embargo_scheduler.announce_due(),
            reader.state.embargo_scheduler.announce_due(),
        )
        lifted = await next_update(ws)
        # Whatever either instance announced has reached Redis before the sentinel is sent.
        await writer.state.broker.flush()
        await reader.state.broker.flush()
        await save(writer, "sentinel-story")
        following = await next_update(ws)

    assert list(early) == [0, 0]
    assert sorted(claimed) == [0, 1]
    assert (lifted["kind"], lifted["article"]["slug"]) == ("PUBLISHED", "embargoed-story")
    assert following["article"]["slug"] == "sentinel-story"


async def test_instances_claiming_at_the_same_time_share_the_lifts_without_overlap(
    fresh_database,
):
    clock = FixedClock(START)
    async with (
        live_app(fresh_database.url, clock=clock) as (one, client),
        live_app(fresh_database.url, clock=clock) as (other, _),
    ):
        editor = Editor(client, bearer((await issue_key(one, "editor")).secret))
        for number in range(5):
            article_id, _ = await editor.draft(f"embargoed-{number}")
            await editor.publish(article_id, until=LIFTS + timedelta(minutes=number))
        clock.at = LIFTS + timedelta(hours=1)

        schedulers = [one.state.embargo_scheduler, other.state.embargo_scheduler] * 2
        claimed = await asyncio.gather(*(s.announce_due() for s in schedulers))
        again = await one.state.embargo_scheduler.announce_due()

    assert sum(claimed) == 5
    assert again == 0


async def test_a_lift_reaches_each_webhook_once_even_with_two_workers(fresh_database):
    clock = FixedClock(START)
    async with (
        partner_server() as partner,
        live_app(fresh_database.url, clock=clock, webhook_allowed_networks=LOOPBACK) as (
            app,
            client,
        ),
        httpx.AsyncClient() as sender,
    ):
        editor = Editor(client, bearer((await issue_key(app, "editor")).secret))
        partner_key = bearer((await issue_key(app, "partner")).secret)
        await graphql(client, REGISTER, {"url": partner.url}, headers=partner_key)
        article_id, _ = await editor.draft("embargoed-story")
        await editor.publish(article_id, until=LIFTS)
        sessions, settings = session_factory(app.state.engine), app.state.settings
        workers = [WebhookDeliverer(sessions, settings, sender, clock) for _ in range(2)]

        before = await asyncio.gather(*(worker.deliver_due() for worker in workers))
        clock.at = LIFTS
        at_lift = await asyncio.gather(*(worker.deliver_due() for worker in workers))
        clock.at = LIFTS + timedelta(days=1)
        later = await asyncio.gather(*(worker.deliver_due() for worker in workers))

    assert (before, sorted(at_lift), later) == ([0, 0], [0, 1], [0, 0])
    [(headers, _)] = partner.received
    assert headers["x-newsgraph-event"] == "article.published"


async def test_a_moved_embargo_is_announced_once_at_its_new_time(fresh_database):
    clock = FixedClock(START)
    moved_to = LIFTS + timedelta(hours=3)
    async with (
        partner_server() as partner,
        live_app(fresh_database.url, clock=clock, webhook_allowed_networks=LOOPBACK) as (
            app,
            client,
        ),
        httpx.AsyncClient() as sender,
    ):
        editor = Editor(client, bearer((await issue_key(app, "editor")).secret))
        partner_key = bearer((await issue_key(app, "partner")).secret)
        await graphql(client, REGISTER, {"url": partner.url}, headers=partner_key)
        worker = WebhookDeliverer(
            session_factory(app.state.engine), app.state.settings, sender, clock
        )
        scheduler = app.state.embargo_scheduler
        article_id, _ = await editor.draft("embargoed-story")
        await editor.publish(article_id, until=LIFTS)
        await editor.publish(article_id, until=moved_to)

        clock.at = LIFTS
        at_first_time = (await scheduler.announce_due(), await worker.deliver_due())
        clock.at = moved_to
        at_new_time = (await scheduler.announce_due(), await worker.deliver_due())
        clock.at = moved_to + timedelta(minutes=1)
        feed = await change_feed(client, partner_key)

    assert at_first_time == (0, 0)
    assert at_new_time == (1, 1)
    assert len(partner.received) == 1
    assert [entry for entry in feed if entry[0] == "embargoed-story"] == [
        ("embargoed-story", "published")
    ]


async def test_a_correction_under_embargo_is_folded_into_the_lift(fresh_database):
    clock = FixedClock(START)
    async with live_app(fresh_database.url, clock=clock) as (app, client):
        editor = Editor(client, bearer((await issue_key(app, "editor")).secret))
        partner_key = bearer((await issue_key(app, "partner")).secret)
        article_id, paragraph_id = await editor.draft("embargoed-story")
        await editor.publish(article_id, until=LIFTS)
        await editor.call(
            CORRECT_PARAGRAPH, "paragraphCorrect", id=paragraph_id, text="The news, corrected."
        )

        clock.at = LIFTS
        claimed = await app.state.embargo_scheduler.announce_due()
        clock.at = LIFTS + timedelta(minutes=1)
        feed = await change_feed(client, partner_key)

    assert claimed == 1
    assert [entry for entry in feed if entry[0] == "embargoed-story"] == [
        ("embargoed-story", "published")
    ]


async def test_a_pass_with_nothing_due_leaves_cached_answers_current(fresh_database):
    clock = FixedClock(START)
    async with live_app(fresh_database.url, clock=clock, response_cache_enabled=True) as (
        app,
        client,
    ):
        first = await graphql_response(client, HEADLINES)
        claimed = await app.state.embargo_scheduler.announce_due()
        second = await graphql_response(client, HEADLINES)

    assert claimed == 0
    # Had the pass written (even nothing), the data version would have changed: a miss.
    assert (first.headers[CACHE_HEADER], second.headers[CACHE_HEADER]) == ("miss", "hit")
