"""Partners manage their own webhooks over GraphQL, with their API key, and read its delivery log."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.response_cache import CACHE_HEADER
from db.engine import session_factory
from db.keys import revoke_key
from db.seed import SEED_ARTICLE_SLUG
from newsgraph.clock import FixedClock
from newsgraph.webhook_targets import Target, checked_target, networks
from newsgraph.webhooks import SIGNATURE_HEADER, WebhookDeliverer
from tests.support import (
    bearer,
    client_for,
    count_sql,
    graphql,
    graphql_response,
    issue_key,
    settings_for,
)
from tests.test_webhooks import LOOPBACK, PartnerServer, partner_server

START = datetime(2030, 1, 1, tzinfo=UTC)

CREATE = """
mutation Create($input: WebhookCreateInput!) {
  webhookCreate(input: $input) {
    webhook { id url description events active paused }
    secret
    errors { field message code }
  }
}
"""
ROTATE = """
mutation Rotate($id: ID!) {
  webhookRotateSecret(id: $id) { webhook { id } secret errors { field message code } }
}
"""
PAUSE = """
mutation Pause($id: ID!) { webhookPause(id: $id) { webhook { paused } errors { field code } } }
"""
RESUME = """
mutation Resume($id: ID!) { webhookResume(id: $id) { webhook { paused } errors { field code } } }
"""
REMOVE = """
mutation Remove($id: ID!) { webhookRemove(id: $id) { webhook { active } errors { field code } } }
"""
WEBHOOKS = """
query Webhooks($removed: Boolean! = false) {
  webhooks(includeRemoved: $removed) {
    totalCount
    edges { node { id url events active paused keyId } }
  }
}
"""
DELIVERY_LOG = """
query Log($first: Int, $after: String) {
  webhooks {
    edges {
      node {
        url
        deliveries(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges {
            node {
              deliveryId event status attempts lastStatusCode lastError nextAttemptAt
              lastAttemptAt deliveredAt payload
            }
          }
        }
      }
    }
  }
}
"""
EVERY_LOG = """
query EveryLog {
  webhooks(includeRemoved: true) {
    edges { node { active deliveries { edges { node { status lastError } } } } }
  }
}
"""
WEBHOOK_NODE = """
query Node($id: ID!) {
  node(id: $id) {
    id
    ... on Webhook {
      url description events active paused keyId createdAt
      deliveries(first: 5) { totalCount edges { node { deliveryId event status attempts } } }
    }
  }
}
"""
SEED_PARAGRAPH = """
query Seed($slug: String!) { article(slug: $slug) { id paragraphs { id text } } }
"""
CORRECT_PARAGRAPH = """
mutation Correct($id: ID!, $text: String!) {
  paragraphCorrect(id: $id, text: $text) { errors { code } }
}
"""
UNPUBLISH = """mutation Unpublish($id: ID!) { articleUnpublish(id: $id) { errors { code } } }"""


@dataclass
class Newsroom:
    """An app at a chosen time, its client, keys for two partners and an editor, a deliverer."""

    app: Starlette
    client: httpx.AsyncClient
    clock: FixedClock
    partner: dict[str, str]
    other_partner: dict[str, str]
    editor: dict[str, str]
    partner_key_id: int
    deliverer: WebhookDeliverer

    async def ask(self, headers: dict[str, str], query: str, **variables: Any) -> dict[str, Any]:
        return await graphql(self.client, query, variables, headers=headers)

    async def create(self, headers: dict[str, str], **input: Any) -> dict[str, Any]:
        data = await self.ask(headers, CREATE, input=input)
        payload: dict[str, Any] = data["webhookCreate"]
        return payload

    async def correct_the_seed(self) -> None:
        """An editor's correction of the founding article: one change-log entry."""
        article = (await self.ask(self.editor, SEED_PARAGRAPH, slug=SEED_ARTICLE_SLUG))["article"]
        first = article["paragraphs"][0]
        corrected = await self.ask(
            self.editor, CORRECT_PARAGRAPH, id=first["id"], text=first["text"] + " (corrected)"
        )
        assert corrected["paragraphCorrect"]["errors"] == []

    async def unpublish_the_seed(self) -> None:
        article = (await self.ask(self.editor, SEED_PARAGRAPH, slug=SEED_ARTICLE_SLUG))["article"]
        unpublished = await self.ask(self.editor, UNPUBLISH, id=article["id"])
        assert unpublished["articleUnpublish"]["errors"] == []


@asynccontextmanager
async def newsroom(url: str, **settings: Any) -> AsyncIterator[Newsroom]:
    clock = FixedClock(START)
    # The partner's test server listens on loopback, which must be allowed explicitly.
    configured = settings_for(url, **{"webhook_allowed_networks": LOOPBACK, **settings})
    app = create_app(configured, clock=clock)
    async with (
        app.router.lifespan_context(app),
        client_for(app) as client,
        httpx.AsyncClient() as sender,
    ):
        partner = await issue_key(app, "partner", "Partner A")
        other = await issue_key(app, "partner", "Partner B")
        editor = await issue_key(app, "editor", "Desk")
        deliverer = WebhookDeliverer(session_factory(app.state.engine), configured, sender, clock)
        yield Newsroom(
            app,
            client,
            clock,
            bearer(partner.secret),
            bearer(other.secret),
            bearer(editor.secret),
            partner.id,
            deliverer,
        )


def signature_of(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verified(partner: PartnerServer, secret: str) -> list[dict[str, Any]]:
    """The bodies the partner received, each checked against `secret` as a receiver would."""
    bodies = []
    for headers, body in partner.received:
        assert hmac.compare_digest(headers[SIGNATURE_HEADER.lower()], signature_of(secret, body))
        bodies.append(json.loads(body))
    return bodies


# -- registering, listing, rotating, pausing, removing --------------------------------------


async def test_a_partner_registers_a_webhook_and_gets_its_secret_once(fresh_database):
    async with newsroom(fresh_database.url) as room:
        created = await room.create(
            room.partner, url="https://partner.example/hooks", description="  Mirror  "
        )
        listed = await room.ask(room.partner, WEBHOOKS)

    assert created["errors"] == []
    assert len(created["secret"]) == 64 and int(created["secret"], 16) >= 0
    assert created["webhook"] == {
        "id": created["webhook"]["id"],
        "url": "https://partner.example/hooks",
        "description": "Mirror",
        "events": [
            "ARTICLE_PUBLISHED",
            "ARTICLE_CORRECTED",
            "ARTICLE_WITHDRAWN",
            "ARTICLE_DELETED",
        ],
        "active": True,
        "paused": False,
    }
    assert listed["webhooks"] == {
        "totalCount": 1,
        "edges": [
            {
                "node": {
                    "id": created["webhook"]["id"],
                    "url": "https://partner.example/hooks",
                    "events": created["webhook"]["events"],
                    "active": True,
                    "paused": False,
                    "keyId": room.partner_key_id,
                }
            }
        ],
    }


async def test_deliveries_are_signed_with_the_secret_and_logged(fresh_database):
    async with partner_server() as partner, newsroom(fresh_database.url) as room:
        created = await room.create(room.partner, url=partner.url)
        await room.correct_the_seed()

        assert await room.deliverer.deliver_due() == 1
        log = await room.ask(room.partner, DELIVERY_LOG)

    [body] = verified(partner, created["secret"])
    assert (body["event"], body["article"]["slug"]) == ("article.corrected", SEED_ARTICLE_SLUG)
    [hook] = log["webhooks"]["edges"]
    [entry] = hook["node"]["deliveries"]["edges"]
    assert entry["node"] == {
        "deliveryId": entry["node"]["deliveryId"],
        "event": "ARTICLE_CORRECTED",
        "status": "DELIVERED",
        "attempts": 1,
        "lastStatusCode": 200,
        "lastError": None,
        "nextAttemptAt": None,
        "lastAttemptAt": START.isoformat(),
        "deliveredAt": START.isoformat(),
        "payload": partner.received[0][1].decode(),
    }
    assert str(entry["node"]["deliveryId"]) == partner.received[0][0]["x-newsgraph-delivery"]


async def test_the_log_shows_failures_and_the_next_retry(fresh_database):
    async with (
        partner_server() as partner,
        newsroom(fresh_database.url, webhook_backoff_seconds=30) as room,
    ):
        await room.create(room.partner, url=partner.url)
        partner.statuses = [503]
        await room.correct_the_seed()

        await room.deliverer.deliver_due()
        log = await room.ask(room.partner, DELIVERY_LOG)

    [entry] = log["webhooks"]["edges"][0]["node"]["deliveries"]["edges"]
    node = entry["node"]
    assert (node["status"], node["attempts"], node["lastStatusCode"], node["lastError"]) == (
        "PENDING",
        1,
        503,
        "HTTP 503",
    )
    assert node["nextAttemptAt"] == (START + timedelta(seconds=30)).isoformat()


async def test_the_delivery_log_is_paged_newest_first(fresh_database):
    async with partner_server() as partner, newsroom(fresh_database.url) as room:
        await room.create(room.partner, url=partner.url)
        for _ in range(3):
            await room.correct_the_seed()

        first = await room.ask(room.partner, DELIVERY_LOG, first=2)
        page = first["webhooks"]["edges"][0]["node"]["deliveries"]
        second = await room.ask(
            room.partner, DELIVERY_LOG, first=2, after=page["pageInfo"]["endCursor"]
        )
        rest = second["webhooks"]["edges"][0]["node"]["deliveries"]

    ids = [edge["node"]["deliveryId"] for edge in page["edges"] + rest["edges"]]
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is True
    assert rest["pageInfo"]["hasNextPage"] is False
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 3


async def test_a_webhook_receives_only_the_events_it_chose(fresh_database):
    async with partner_server() as partner, newsroom(fresh_database.url) as room:
        created = await room.create(room.partner, url=partner.url, events=["ARTICLE_WITHDRAWN"])
        await room.correct_the_seed()
        await room.unpublish_the_seed()

        assert await room.deliverer.deliver_due() == 1

    assert created["webhook"]["events"] == ["ARTICLE_WITHDRAWN"]
    [body] = verified(partner, created["secret"])
    assert body["event"] == "article.withdrawn"


async def test_rotating_the_secret_signs_later_deliveries_with_the_new_one(fresh_database):
    async with partner_server() as partner, newsroom(fresh_database.url) as room:
        created = await room.create(room.partner, url=partner.url)
        rotated = (await room.ask(room.partner, ROTATE, id=created["webhook"]["id"]))[
            "webhookRotateSecret"
        ]
        await room.correct_the_seed()

        await room.deliverer.deliver_due()

    assert rotated["errors"] == []
    assert rotated["webhook"]["id"] == created["webhook"]["id"]
    assert rotated["secret"] != created["secret"] and len(rotated["secret"]) == 64
    [(headers, body)] = partner.received
    assert headers[SIGNATURE_HEADER.lower()] == signature_of(rotated["secret"], body)
    assert headers[SIGNATURE_HEADER.lower()] != signature_of(created["secret"], body)


ROTATE_WITH_OVERLAP = """
mutation Rotate($id: ID!, $overlap: Int!) {
  webhookRotateSecret(id: $id, overlapSeconds: $overlap) {
    webhook { id previousSecretExpiresAt } secret errors { field message code }
  }
}
"""


def signatures_received(partner: PartnerServer) -> list[list[str]]:
    """Each delivery's signatures, as a receiver splits the header."""
    return [
        [value.strip() for value in headers[SIGNATURE_HEADER.lower()].split(",")]
        for headers, _ in partner.received
    ]


async def test_a_rotation_with_an_overlap_signs_with_both_secrets_until_it_ends(fresh_database):
    async with partner_server() as partner, newsroom(fresh_database.url) as room:
        created = await room.create(room.partner, url=partner.url)
        rotated = (
            await room.ask(
                room.partner, ROTATE_WITH_OVERLAP, id=created["webhook"]["id"], overlap=3600
            )
        )["webhookRotateSecret"]
        await room.correct_the_seed()
        await room.deliverer.deliver_due()
        room.clock.at = START + timedelta(hours=1)  # the overlap is over
        await room.correct_the_seed()
        await room.deliverer.deliver_due()

    assert rotated["errors"] == []
    assert rotated["webhook"]["previousSecretExpiresAt"] == "2030-01-01T01:00:00+00:00"
    [(_, during), (_, after)] = partner.received
    assert signatures_received(partner) == [
        [signature_of(rotated["secret"], during), signature_of(created["secret"], during)],
        [signature_of(rotated["secret"], after)],
    ]


@pytest.mark.parametrize("overlap", [-1, 7 * 24 * 3600 + 1])
async def test_an_overlap_out_of_bounds_is_refused_and_the_secret_stays(fresh_database, overlap):
    async with partner_server() as partner, newsroom(fresh_database.url) as room:
        created = await room.create(room.partner, url=partner.url)
        refused = (
            await room.ask(
                room.partner, ROTATE_WITH_OVERLAP, id=created["webhook"]["id"], overlap=overlap
            )
        )["webhookRotateSecret"]
        await room.correct_the_seed()
        await room.deliverer.deliver_due()

    assert refused["webhook"] is None and refused["secret"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("overlapSeconds", "INVALID")]
    assert signatures_received(partner) == [
        [signature_of(created["secret"], partner.received[0][1])]
    ]


async def test_a_paused_webhook_holds_its_deliveries_until_resumed(fresh_database):
    async with partner_server() as partner, newsroom(fresh_database.url) as room:
        created = await room.create(room.partner, url=partner.url)
        webhook_id = created["webhook"]["id"]
        paused = (await room.ask(room.partner, PAUSE, id=webhook_id))["webhookPause"]
        await room.correct_the_seed()

        held = await room.deliverer.deliver_due()
        resumed = (await room.ask(room.partner, RESUME, id=webhook_id))["webhookResume"]
        sent = await room.deliverer.deliver_due()

    assert paused == {"webhook": {"paused": True}, "errors": []}
    assert resumed == {"webhook": {"paused": False}, "errors": []}
    assert (held, sent) == (0, 1)
    assert [body["event"] for body in verified(partner, created["secret"])] == ["article.corrected"]


async def test_a_removed_webhook_gets_nothing_more_and_keeps_its_log(fresh_database):
    async with partner_server() as partner, newsroom(fresh_database.url) as room:
        created = await room.create(room.partner, url=partner.url)
        await room.correct_the_seed()  # queued, not yet sent

        removed = (await room.ask(room.partner, REMOVE, id=created["webhook"]["id"]))[
            "webhookRemove"
        ]
        await room.correct_the_seed()
        attempted = await room.deliverer.deliver_due()
        active = await room.ask(room.partner, WEBHOOKS)
        everything = await room.ask(room.partner, WEBHOOKS, removed=True)
        again = (await room.ask(room.partner, REMOVE, id=created["webhook"]["id"]))["webhookRemove"]

    assert removed == {"webhook": {"active": False}, "errors": []}
    assert attempted == 0 and partner.received == []
    assert active["webhooks"]["totalCount"] == 0
    assert [edge["node"]["active"] for edge in everything["webhooks"]["edges"]] == [False]
    assert again == {"webhook": None, "errors": [{"field": "id", "code": "NOT_FOUND"}]}


# -- who may see and touch what -------------------------------------------------------------


async def test_another_partner_can_neither_see_nor_touch_a_webhook(fresh_database):
    async with newsroom(fresh_database.url) as room:
        created = await room.create(room.partner, url="https://partner.example/hooks")
        webhook_id = created["webhook"]["id"]

        listed = await room.ask(room.other_partner, WEBHOOKS)
        looked_up = await room.ask(room.other_partner, WEBHOOK_NODE, id=webhook_id)
        attempts = {
            name: (await room.ask(room.other_partner, query, id=webhook_id))[name]
            for name, query in (
                ("webhookRotateSecret", ROTATE),
                ("webhookPause", PAUSE),
                ("webhookRemove", REMOVE),
            )
        }
        unchanged = await room.ask(room.partner, WEBHOOKS)

    assert listed["webhooks"] == {"totalCount": 0, "edges": []}
    assert looked_up == {"node": None}
    for name, payload in attempts.items():
        assert payload["webhook"] is None, name
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("id", "NOT_FOUND")], name
    assert attempts["webhookRotateSecret"]["secret"] is None
    [edge] = unchanged["webhooks"]["edges"]
    assert (edge["node"]["active"], edge["node"]["paused"]) == (True, False)


async def test_editors_see_and_manage_every_webhook(fresh_database):
    async with newsroom(fresh_database.url) as room:
        mine = await room.create(room.partner, url="https://a.example/hooks")
        theirs = await room.create(room.other_partner, url="https://b.example/hooks")

        listed = await room.ask(room.editor, WEBHOOKS)
        paused = (await room.ask(room.editor, PAUSE, id=theirs["webhook"]["id"]))["webhookPause"]

    assert [edge["node"]["id"] for edge in listed["webhooks"]["edges"]] == [
        mine["webhook"]["id"],
        theirs["webhook"]["id"],
    ]
    assert paused == {"webhook": {"paused": True}, "errors": []}


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (WEBHOOKS, {}),
        (CREATE, {"input": {"url": "https://partner.example/hooks"}}),
        (PAUSE, {"id": "V2ViaG9vazox"}),
    ],
    ids=["list", "create", "pause"],
)
async def test_the_public_gets_a_forbidden_error(fresh_database, query, variables):
    response = await graphql_response(fresh_database.client, query, variables)

    body = response.json()
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "partner's key" in error["message"]
    assert body["data"] is None


async def test_the_public_finds_no_webhook_by_id(fresh_database):
    async with newsroom(fresh_database.url) as room:
        created = await room.create(room.partner, url="https://partner.example/hooks")

        found = await room.ask({}, WEBHOOK_NODE, id=created["webhook"]["id"])

    assert found == {"node": None}


async def test_revoking_a_key_stops_its_webhooks(fresh_database):
    async with partner_server() as partner, newsroom(fresh_database.url) as room:
        await room.create(room.partner, url=partner.url)
        await room.correct_the_seed()  # queued before the revocation

        await revoke_key(session_factory(room.app.state.engine), room.partner_key_id, START)
        await room.correct_the_seed()  # after it
        attempted = await room.deliverer.deliver_due()
        refused = await graphql_response(room.client, WEBHOOKS, headers=room.partner)
        log = await room.ask(room.editor, EVERY_LOG)

    assert attempted == 0 and partner.received == []
    assert refused.status_code == 401
    [edge] = log["webhooks"]["edges"]
    assert edge["node"]["active"] is False
    assert [d["node"] for d in edge["node"]["deliveries"]["edges"]] == [
        {"status": "FAILED", "lastError": "key revoked"}
    ]


# -- refused input ----------------------------------------------------------------------------

REFUSED_URLS = {
    "ftp://partner.example/hooks": "Give an http:// or https:// URL",
    "https:///no-host": "Give an http:// or https:// URL",
    "http://127.0.0.1:9000/hooks": "loopback",
    "http://localhost/hooks": "this machine",
    "http://169.254.169.254/latest/meta-data": "link-local",
    "http://10.1.2.3/hooks": "private",
    "http://[::1]/hooks": "loopback",
    "http://[::ffff:192.168.0.1]/hooks": "private",
    "http://2130706433/hooks": "loopback",
    "http://0x7f.1/hooks": "loopback",
    "https://partner.example:99999/hooks": "Give an http:// or https:// URL",
}


async def test_hostile_or_malformed_urls_are_refused_and_nothing_is_written(fresh_database):
    # No loopback allowance: the app's defaults.
    async with newsroom(fresh_database.url, webhook_allowed_networks=[]) as room:
        answers = {url: await room.create(room.partner, url=url) for url in REFUSED_URLS}
        listed = await room.ask(room.partner, WEBHOOKS)

    for url, expected in REFUSED_URLS.items():
        payload = answers[url]
        assert (payload["webhook"], payload["secret"]) == (None, None), url
        [error] = payload["errors"]
        assert (error["field"], error["code"]) == ("url", "INVALID"), url
        assert expected in error["message"], (url, error["message"])
    assert listed["webhooks"]["totalCount"] == 0


async def test_an_allowed_network_may_be_registered(fresh_database):
    async with newsroom(fresh_database.url, webhook_allowed_networks=["10.0.0.0/8"]) as room:
        allowed = await room.create(room.partner, url="http://10.1.2.3/hooks")
        elsewhere = await room.create(room.partner, url="http://192.168.0.1/hooks")

    assert allowed["errors"] == []
    assert [error["code"] for error in elsewhere["errors"]] == ["INVALID"]


async def test_other_refusals_are_field_errors(fresh_database):
    async with newsroom(fresh_database.url, webhooks_per_key=2) as room:
        no_events = await room.create(room.partner, url="https://a.example/hooks", events=[])
        first = await room.create(room.partner, url="https://a.example/hooks")
        twice = await room.create(room.partner, url="https://a.example/hooks")
        other_partner_same_url = await room.create(
            room.other_partner, url="https://a.example/hooks"
        )
        second = await room.create(room.partner, url="https://b.example/hooks")
        too_many = await room.create(room.partner, url="https://c.example/hooks")
        malformed_id = (await room.ask(room.partner, PAUSE, id="not-an-id"))["webhookPause"]
        wrong_type = (await room.ask(room.partner, PAUSE, id="QXJ0aWNsZTox"))["webhookPause"]

    def codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
        return [(error["field"], error["code"]) for error in payload["errors"]]

    assert codes(no_events) == [("events", "REQUIRED")]
    assert codes(first) == codes(second) == codes(other_partner_same_url) == []
    assert codes(twice) == [("url", "CONFLICT")]
    assert codes(too_many) == [(None, "CONFLICT")]
    assert codes(malformed_id) == codes(wrong_type) == [("id", "INVALID")]


async def test_a_delivery_to_an_address_refused_since_registration_is_not_sent(fresh_database):
    async with partner_server() as partner, newsroom(fresh_database.url) as room:
        await room.create(room.partner, url=partner.url)
        await room.correct_the_seed()
        # The worker runs without the loopback allowance the API had.
        strict = room.app.state.settings.model_copy(update={"webhook_allowed_networks": []})
        async with httpx.AsyncClient() as sender:
            worker = WebhookDeliverer(
                session_factory(room.app.state.engine), strict, sender, room.clock
            )
            await worker.deliver_due()
        log = await room.ask(room.partner, DELIVERY_LOG)

    assert partner.received == []
    [entry] = log["webhooks"]["edges"][0]["node"]["deliveries"]["edges"]
    assert entry["node"]["status"] == "PENDING"
    assert entry["node"]["lastError"].startswith("refused: 127.0.0.1 is a loopback")


async def test_a_host_name_resolving_to_a_private_address_is_not_sent_to(
    fresh_database, monkeypatch
):
    async def resolves_inside(host: str, port: int, **_: Any) -> list[Any]:
        return [(2, 1, 6, "", ("10.9.8.7", port))]

    async with newsroom(fresh_database.url) as room:
        await room.create(room.partner, url="https://hooks.partner.example/in")
        await room.correct_the_seed()
        monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", resolves_inside)

        await room.deliverer.deliver_due()
        log = await room.ask(room.partner, DELIVERY_LOG)

    [entry] = log["webhooks"]["edges"][0]["node"]["deliveries"]["edges"]
    assert entry["node"]["lastError"].startswith(
        "refused: hooks.partner.example resolves to 10.9.8.7 is a loopback, private"
    )


async def test_an_attempt_connects_to_the_address_that_was_checked(fresh_database, monkeypatch):
    """DNS rebinding: the name answers an allowed address for the check, then another
    address; the attempt must go where the check looked, under the name the URL gives."""
    real_getaddrinfo = asyncio.get_running_loop().getaddrinfo
    answers = {"hooks.partner.invalid": ["127.0.0.1", "127.0.0.2"]}

    async def rebinding(host: str, port: int, **options: Any) -> list[Any]:
        if host in answers:
            address = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
            return [(2, 1, 6, "", (address, port))]
        return await real_getaddrinfo(host, port, **options)

    async with partner_server() as partner, newsroom(fresh_database.url) as room:
        port = int(partner.url.rsplit(":", 1)[1].split("/")[0])
        await room.create(room.partner, url=f"http://hooks.partner.invalid:{port}/hooks")
        await room.correct_the_seed()
        monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", rebinding)

        await room.deliverer.deliver_due()
        log = await room.ask(room.partner, DELIVERY_LOG)

    [(headers, _)] = partner.received
    assert headers["host"] == f"hooks.partner.invalid:{port}"
    [entry] = log["webhooks"]["edges"][0]["node"]["deliveries"]["edges"]
    assert entry["node"]["status"] == "DELIVERED"


async def test_an_https_attempt_keeps_the_host_name_for_tls(monkeypatch):
    async def resolves(host: str, port: int, **_: Any) -> list[Any]:
        return [(10, 1, 6, "", ("2001:db8::7", port, 0, 0))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", resolves)
    allowed = networks(["2001:db8::/32"])  # documentation addresses are not public

    target = await checked_target("https://user@hooks.partner.example/in?x=1", allowed, 5)

    assert isinstance(target, Target)
    assert target.url == "https://user@[2001:db8::7]:443/in?x=1"
    assert target.headers == {"Host": "hooks.partner.example"}
    assert target.extensions == {"sni_hostname": "hooks.partner.example"}


# -- several workers, the compiled read path, SQL counts --------------------------------------


async def test_two_workers_racing_send_each_delivery_once(fresh_database):
    async with partner_server() as partner, newsroom(fresh_database.url) as room:
        await room.create(room.partner, url=partner.url)
        for _ in range(3):
            await room.correct_the_seed()
        async with httpx.AsyncClient() as sender:
            other = WebhookDeliverer(
                session_factory(room.app.state.engine), room.app.state.settings, sender, room.clock
            )
            attempted = await asyncio.gather(room.deliverer.deliver_due(), other.deliver_due())

    assert sum(attempted) == 3
    delivery_ids = [headers["x-newsgraph-delivery"] for headers, _ in partner.received]
    assert len(delivery_ids) == 3 and len(set(delivery_ids)) == 3


async def test_a_webhook_by_id_reads_the_same_on_both_paths_and_only_for_its_owner(
    fresh_database,
):
    async with newsroom(fresh_database.url) as room:
        created = await room.create(room.partner, url="https://partner.example/hooks")
        await room.correct_the_seed()
        webhook_id = created["webhook"]["id"]
        compiled = [
            await graphql_response(room.client, WEBHOOK_NODE, {"id": webhook_id}, headers=h)
            for h in (room.partner, room.other_partner, room.partner)
        ]
    resolver_settings = settings_for(fresh_database.url, compiled_reads=False)
    resolver_app = create_app(resolver_settings, clock=room.clock)
    async with (
        resolver_app.router.lifespan_context(resolver_app),
        client_for(resolver_app) as client,
    ):
        resolved = [
            await graphql_response(client, WEBHOOK_NODE, {"id": webhook_id}, headers=h)
            for h in (room.partner, room.other_partner, room.partner)
        ]

    assert [r.headers["x-newsgraph-read-path"] for r in compiled] == ["compiled"] * 3
    assert [r.content for r in compiled] == [r.content for r in resolved]
    owner, other, owner_again = (r.json()["data"]["node"] for r in compiled)
    # The plan is cached per role: the second partner must not read the first one's webhook.
    assert other is None
    assert owner == owner_again
    assert owner["deliveries"]["totalCount"] == 1
    assert owner["events"][0] == "ARTICLE_PUBLISHED"


async def test_webhooks_with_their_logs_cost_the_same_statements_however_many(fresh_database):
    async with newsroom(fresh_database.url) as room:
        await room.create(room.partner, url="https://a.example/hooks")
        await room.correct_the_seed()
        with count_sql(room.app) as one:
            await room.ask(room.partner, DELIVERY_LOG)
        for host in ("b", "c"):
            await room.create(room.partner, url=f"https://{host}.example/hooks")
        await room.correct_the_seed()
        with count_sql(room.app) as three:
            data = await room.ask(room.partner, DELIVERY_LOG)

    assert len(data["webhooks"]["edges"]) == 3
    # The key, the page of webhooks, then one windowed SELECT and one count for all logs.
    assert one.count == three.count == 4, str(three)


# -- the response cache ------------------------------------------------------------------------


async def test_cached_answers_are_kept_per_partner(fresh_database):
    async with newsroom(fresh_database.url, response_cache_enabled=True) as room:
        await room.create(room.partner, url="https://a.example/hooks")
        await room.create(room.other_partner, url="https://b.example/hooks")

        answers = []
        for headers in (room.partner, room.other_partner, room.partner, room.other_partner):
            response = await graphql_response(room.client, WEBHOOKS, headers=headers)
            urls = [e["node"]["url"] for e in response.json()["data"]["webhooks"]["edges"]]
            answers.append((response.headers[CACHE_HEADER], urls))

    assert answers == [
        ("miss", ["https://a.example/hooks"]),
        ("miss", ["https://b.example/hooks"]),
        ("hit", ["https://a.example/hooks"]),
        ("hit", ["https://b.example/hooks"]),
    ]


async def test_a_delivery_attempt_shows_in_the_log_at_once_and_an_idle_pass_changes_nothing(
    fresh_database,
):
    async with (
        partner_server() as partner,
        newsroom(fresh_database.url, response_cache_enabled=True) as room,
    ):
        await room.create(room.partner, url=partner.url)
        await room.correct_the_seed()
        before = await graphql_response(room.client, DELIVERY_LOG, headers=room.partner)

        await room.deliverer.deliver_due()
        after = await graphql_response(room.client, DELIVERY_LOG, headers=room.partner)
        assert await room.deliverer.deliver_due() == 0
        again = await graphql_response(room.client, DELIVERY_LOG, headers=room.partner)

    def status(response: httpx.Response) -> str:
        edges = response.json()["data"]["webhooks"]["edges"][0]["node"]["deliveries"]["edges"]
        return str(edges[0]["node"]["status"])

    assert (before.headers[CACHE_HEADER], status(before)) == ("miss", "PENDING")
    # The attempt was a write: the cached answer is not looked up again.
    assert (after.headers[CACHE_HEADER], status(after)) == ("miss", "DELIVERED")
    # A pass with nothing to send writes nothing, so the answer stays current.
    assert (again.headers[CACHE_HEADER], status(again)) == ("hit", "DELIVERED")


VIA_FRAGMENT = """
query ViaFragment { ...Mine }
fragment Mine on Query { ... on Query { webhooks { edges { node { url } } } } }
"""


async def test_cached_lookups_by_id_and_through_fragments_are_kept_per_partner(fresh_database):
    async with newsroom(fresh_database.url, response_cache_enabled=True) as room:
        created = await room.create(room.partner, url="https://a.example/hooks")
        by_id = {"id": created["webhook"]["id"]}

        owner = await graphql_response(room.client, WEBHOOK_NODE, by_id, headers=room.partner)
        other = await graphql_response(room.client, WEBHOOK_NODE, by_id, headers=room.other_partner)
        mine = await graphql_response(room.client, VIA_FRAGMENT, headers=room.partner)
        theirs = await graphql_response(room.client, VIA_FRAGMENT, headers=room.other_partner)

    assert owner.json()["data"]["node"]["url"] == "https://a.example/hooks"
    assert (other.headers[CACHE_HEADER], other.json()["data"]["node"]) == ("miss", None)
    assert mine.json()["data"]["webhooks"]["edges"] == [
        {"node": {"url": "https://a.example/hooks"}}
    ]
    assert (theirs.headers[CACHE_HEADER], theirs.json()["data"]["webhooks"]["edges"]) == (
        "miss",
        [],
    )
