"""Persisted queries: Apollo's automatic persisted queries, and the trusted-documents allow-list."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import httpx
import pytest
import redis

from api.app import create_app
from api.persisted import TrustedDocumentsError
from newsgraph.settings import Settings
from tests.conftest import SUITE_ENVIRONMENT
from tests.support import GRAPHQL_PATH, count_sql, serving

ORGANIZATION_COUNT = "query OrganizationCount { organizations { totalCount } }"
TYPENAME = "{ __typename }"
ACCEPT = {"accept": "application/graphql-response+json"}


def redis_reachable(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def persisted(document: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(document)}}


async def post(client: httpx.AsyncClient, **body: object) -> httpx.Response:
    return await client.post(GRAPHQL_PATH, json=body, headers=ACCEPT)


async def get(client: httpx.AsyncClient, **parameters: object) -> httpx.Response:
    params = {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in parameters.items()
    }
    return await client.get(GRAPHQL_PATH, params=params, headers=ACCEPT)


def error_code(response: httpx.Response) -> str:
    (error,) = response.json()["errors"]
    code: str = error["extensions"]["code"]
    return code


async def test_an_unknown_hash_asks_the_client_for_the_document(app, client):
    document = "query Unregistered { organizations { totalCount } }"

    with count_sql(app) as sql:
        response = await get(client, extensions=persisted(document))

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert error_code(response) == "PERSISTED_QUERY_NOT_FOUND"
    assert sql.count == 0


async def test_a_document_sent_with_its_hash_runs_and_later_runs_by_hash_alone(client):
    registered = await post(
        client, query=ORGANIZATION_COUNT, extensions=persisted(ORGANIZATION_COUNT)
    )
    by_hash = await get(client, extensions=persisted(ORGANIZATION_COUNT))

    assert registered.status_code == 200
    assert by_hash.status_code == 200
    assert by_hash.json() == registered.json()
    assert by_hash.json()["data"]["organizations"]["totalCount"] > 0


async def test_a_hash_that_does_not_match_its_document_is_refused(client):
    response = await post(client, query=TYPENAME, extensions=persisted("{ other }"))

    assert response.status_code == 400
    assert error_code(response) == "PERSISTED_QUERY_HASH_MISMATCH"


async def test_an_unsupported_persisted_query_version_is_refused(client):
    response = await post(
        client, query=TYPENAME, extensions={"persistedQuery": {"version": 2, "sha256Hash": "ab"}}
    )

    assert response.status_code == 400
    assert error_code(response) == "PERSISTED_QUERY_NOT_SUPPORTED"


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    """An Apollo persisted-query manifest trusting one document."""
    path = tmp_path / "persisted-query-manifest.json"
    operation = {
        "id": sha256(ORGANIZATION_COUNT),
        "name": "OrganizationCount",
        "type": "query",
        "body": ORGANIZATION_COUNT,
    }
    path.write_text(
        json.dumps(
            {"format": "apollo-persisted-query-manifest", "version": 1, "operations": [operation]}
        )
    )
    return path


async def test_trusted_documents_run_by_hash(database_url, manifest):
    async with serving(database_url, trusted_documents=manifest) as (_, client):
        response = await get(client, extensions=persisted(ORGANIZATION_COUNT))

    assert response.status_code == 200
    assert response.json()["data"]["organizations"]["totalCount"] > 0


async def test_a_trusted_document_sent_in_full_runs(database_url, manifest):
    async with serving(database_url, trusted_documents=manifest) as (_, client):
        response = await post(client, query=ORGANIZATION_COUNT)

    assert response.status_code == 200


async def test_documents_outside_the_allow_list_are_refused_before_any_sql(database_url, manifest):
    async with serving(database_url, trusted_documents=manifest) as (app, client):
        with count_sql(app) as sql:
            plain = await post(client, query="{ organizations { totalCount } }")
            registering = await post(client, query=TYPENAME, extensions=persisted(TYPENAME))

    assert error_code(plain) == "PERSISTED_QUERY_NOT_ALLOWED"
    assert error_code(registering) == "PERSISTED_QUERY_NOT_ALLOWED"
    assert sql.count == 0


async def test_a_directory_of_graphql_files_is_an_allow_list(database_url, tmp_path):
    (tmp_path / "count.graphql").write_text(ORGANIZATION_COUNT)

    async with serving(database_url, trusted_documents=tmp_path) as (_, client):
        response = await get(client, extensions=persisted(ORGANIZATION_COUNT))

    assert response.status_code == 200


def test_a_manifest_whose_hash_does_not_match_its_document_stops_the_server(tmp_path):
    path = tmp_path / "documents.json"
    path.write_text(json.dumps({sha256("{ other }"): TYPENAME}))

    with pytest.raises(TrustedDocumentsError, match="is not the SHA-256 of its document"):
        create_app(Settings(trusted_documents=path))


def test_a_manifest_that_is_not_json_stops_the_server(tmp_path):
    path = tmp_path / "documents.json"
    path.write_text("{ __typename }")

    with pytest.raises(TrustedDocumentsError, match="is not valid JSON"):
        create_app(Settings(trusted_documents=path))


# Nothing listens on port 1: Redis is down.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def unique_document() -> str:
    """A document no other test or run registered: the comment changes its hash."""
    return f"# {uuid.uuid4()}\nquery OrganizationCount {{ organizations {{ totalCount }} }}"


async def test_instances_sharing_redis_share_registrations(database_url):
    if not redis_reachable(SUITE_ENVIRONMENT.redis_url):
        pytest.fail(f"Redis at {SUITE_ENVIRONMENT.redis_url} is unreachable; start it")
    document = unique_document()
    async with (
        serving(database_url, redis_url=SUITE_ENVIRONMENT.redis_url, persisted_query_ttl=60) as (
            _,
            first,
        ),
        serving(database_url, redis_url=SUITE_ENVIRONMENT.redis_url, persisted_query_ttl=60) as (
            _,
            second,
        ),
    ):
        registered = await post(first, query=document, extensions=persisted(document))
        by_hash_elsewhere = await get(second, extensions=persisted(document))

    assert registered.status_code == 200
    assert by_hash_elsewhere.status_code == 200
    assert by_hash_elsewhere.json() == registered.json()


async def test_shared_registrations_live_under_the_configured_key_prefix(database_url):
    if not redis_reachable(SUITE_ENVIRONMENT.redis_url):
        pytest.fail(f"Redis at {SUITE_ENVIRONMENT.redis_url} is unreachable; start it")
    document = unique_document()
    prefix = f"newsgraph-test-{uuid.uuid4().hex}:"
    async with serving(
        database_url, redis_url=SUITE_ENVIRONMENT.redis_url, redis_key_prefix=prefix
    ) as (_, client):
        registered = await post(client, query=document, extensions=persisted(document))

    store = redis.Redis.from_url(SUITE_ENVIRONMENT.redis_url, decode_responses=True)
    try:
        stored = store.get(f"{prefix}apq:{sha256(document)}")
        store.delete(f"{prefix}apq:{sha256(document)}")
    finally:
        store.close()
    assert registered.status_code == 200
    assert stored == document


async def test_with_redis_down_registration_still_runs_the_query(database_url):
    document = unique_document()
    async with serving(database_url, redis_url=UNREACHABLE_REDIS) as (_, client):
        registered = await post(client, query=document, extensions=persisted(document))
        unknown = await get(client, extensions=persisted(unique_document()))

    assert registered.status_code == 200
    assert error_code(unknown) == "PERSISTED_QUERY_NOT_FOUND"
