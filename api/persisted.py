"""Persisted queries: Apollo's automatic persisted queries, and a trusted-documents allow-list."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"


class PersistedQueryError(Exception):
    """A persisted-query request the server cannot serve; the message and code reach the client."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class TrustedDocumentsError(ValueError):
    """The trusted-documents file or directory is unusable; the server refuses to start."""


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def load_trusted_documents(path: Path) -> dict[str, str]:
    """Documents by their SHA-256 hash, from a JSON manifest or a directory of .graphql files.

    A JSON file is either an object mapping hashes to documents (GraphQL Code Generator's
    persisted documents) or Apollo's persisted query manifest (`operations: [{id, body}]`).
    Every hash is checked against its document.
    """
    if path.is_dir():
        documents = {
            sha256_hex(text): text
            for file in sorted(path.rglob("*.graphql"))
            if (text := file.read_text(encoding="utf-8")).strip()
        }
        if not documents:
            raise TrustedDocumentsError(f"{path} holds no .graphql documents.")
        return documents
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TrustedDocumentsError(f"Cannot read trusted documents at {path}: {error}") from error
    except ValueError as error:
        raise TrustedDocumentsError(f"{path} is not valid JSON: {error}") from error
    return _documents_of(manifest, path)


def _documents_of(manifest: Any, path: Path) -> dict[str, str]:
    if isinstance(manifest, dict) and isinstance(manifest.get("operations"), list):
        pairs = [
            (operation.get("id"), operation.get("body"))
            for operation in manifest["operations"]
            if isinstance(operation, dict)
        ]
    elif isinstance(manifest, dict):
        pairs = list(manifest.items())
    else:
        raise TrustedDocumentsError(
            f"{path} must be a JSON object of hash → document, or an Apollo manifest."
        )
    documents: dict[str, str] = {}
    for key, document in pairs:
        if not isinstance(key, str) or not isinstance(document, str):
            raise TrustedDocumentsError(f"{path}: every entry needs a string hash and document.")
        digest = key.removeprefix("sha256:").lower()
        if sha256_hex(document) != digest:
            raise TrustedDocumentsError(
                f"{path}: the hash {key} is not the SHA-256 of its document."
            )
        documents[digest] = document
    return documents


class PersistedQueries:
    """Turns a request's `query` and `extensions.persistedQuery` into the document to run.

    Without trusted documents, any client may register a document by sending it with its
    hash once (automatic persisted queries); registrations live in a bounded in-process cache,
    so another instance may answer PERSISTED_QUERY_NOT_FOUND and the client simply sends the
    document again. With trusted documents, only the listed documents run.
    """

    def __init__(
        self,
        trusted: Mapping[str, str] | None,
        cache_size: int,
        shared: SharedRegistry | None = None,
    ) -> None:
        self.trusted = dict(trusted) if trusted is not None else None
        self._cache_size = cache_size
        self._registered: OrderedDict[str, str] = OrderedDict()
        self._shared = shared

    async def resolve(self, query: str, extensions: Mapping[str, Any] | None) -> str:
        """The document to run; `query` is "" when the client sent only a hash."""
        digest = self._requested_hash(extensions)
        if digest is None:
            if self.trusted is not None and sha256_hex(query) not in self.trusted:
                raise PersistedQueryError(
                    "This server runs only its trusted documents; this one is not among them.",
                    PERSISTED_QUERY_NOT_ALLOWED,
                )
            return query
        if query:
            if sha256_hex(query) != digest:
                raise PersistedQueryError(
                    "The sha256Hash does not match the SHA-256 of the query sent with it.",
                    PERSISTED_QUERY_HASH_MISMATCH,
                )
            if self.trusted is not None and digest not in self.trusted:
                raise PersistedQueryError(
                    "This server runs only its trusted documents; this one is not among them.",
                    PERSISTED_QUERY_NOT_ALLOWED,
                )
            await self._register(digest, query)
            return query
        known = await self._lookup(digest)
        if known is None:
            # Apollo clients recognise this exact message and resend with the query.
            raise PersistedQueryError("PersistedQueryNotFound", PERSISTED_QUERY_NOT_FOUND)
        return known

    def _requested_hash(self, extensions: Mapping[str, Any] | None) -> str | None:
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            return None
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise PersistedQueryError(
                "Only version 1 of persisted queries is supported: "
                'send {"version": 1, "sha256Hash": "..."}.',
                PERSISTED_QUERY_NOT_SUPPORTED,
            )
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or len(digest) != 64:
            raise PersistedQueryError(
                "`sha256Hash` must be the 64 hexadecimal digits of the document's SHA-256.",
                PERSISTED_QUERY_NOT_SUPPORTED,
            )
        return digest.lower()

    async def _lookup(self, digest: str) -> str | None:
        if self.trusted is not None:
            return self.trusted.get(digest)
        document = self._registered.get(digest)
        if document is not None:
            self._registered.move_to_end(digest)
            return document
        if self._shared is None:
            return None
        document = await self._shared.get(digest)
        # Only a document that still matches its hash is trusted from the shared store.
        if document is None or sha256_hex(document) != digest:
            return None
        self._remember(digest, document)
        return document

    async def _register(self, digest: str, query: str) -> None:
        if self.trusted is not None:
            return
        self._remember(digest, query)
        if self._shared is not None:
            await self._shared.put(digest, query)

    def _remember(self, digest: str, query: str) -> None:
        if self._cache_size == 0:
            return
        self._registered[digest] = query
        self._registered.move_to_end(digest)
        while len(self._registered) > self._cache_size:
            self._registered.popitem(last=False)


class SharedRegistry:
    """Automatic persisted queries in Redis, shared by every instance.

    Redis is a cache here: when it is unreachable a lookup misses and a registration is
    skipped (both logged), and clients fall back to sending the document, so an outage never
    fails a request.
    """

    def __init__(self, url: str, ttl_seconds: int, key_prefix: str) -> None:
        from redis.asyncio import Redis

        self._prefix = key_prefix
        self._redis = Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=1, decode_responses=True
        )
        self._ttl = ttl_seconds

    async def get(self, digest: str) -> str | None:
        try:
            document = await self._redis.get(self._prefix + digest)
        except (RedisError, OSError) as error:
            logger.warning("persisted query lookup skipped: Redis failed (%s)", error)
            return None
        return document if isinstance(document, str) else None

    async def put(self, digest: str, document: str) -> None:
        try:
            await self._redis.set(self._prefix + digest, document, ex=self._ttl)
        except (RedisError, OSError) as error:
            logger.warning("persisted query not shared: Redis failed (%s)", error)

    async def close(self) -> None:
        await self._redis.aclose()
