"""The one settings object: every knob newsgraph has, read from NEWSGRAPH_* variables."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/newsgraph.db"


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


# A list read from one variable as comma-separated values ("a, b"), not as JSON.
CommaSeparated = Annotated[list[str], NoDecode, BeforeValidator(_split_commas)]


class Settings(BaseSettings):
    """Configuration for the API, the CLI and the database layer.

    Build it once (in the app factory or the CLI) and pass it down; nothing else
    reads the environment.
    """

    model_config = SettingsConfigDict(env_prefix="NEWSGRAPH_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db.",
    )
    database_replica_urls: CommaSeparated = Field(
        default_factory=list,
        description="Comma-separated URLs of read replicas of database_url; reads go there.",
    )
    read_your_writes_seconds: int = Field(
        default=10,
        ge=0,
        description="After a request writes, its client reads from the primary this long.",
    )
    database_echo: bool = Field(default=False, description="Log every SQL statement.")
    database_pool_pre_ping: bool = Field(
        default=False,
        description=(
            "Check each PostgreSQL connection with a round trip before lending it. Off: a "
            "dead connection is found by the statement that fails on it, and the pool then "
            "replaces every connection it holds."
        ),
    )
    database_pool_size: int = Field(
        default=10,
        ge=1,
        description=(
            "PostgreSQL connections each worker keeps open. Past about four per database "
            "core, more connections add contention rather than throughput: requests then "
            "wait for a free one instead (see docs/performance.md)."
        ),
    )
    database_max_overflow: int = Field(
        default=0,
        ge=0,
        description=(
            "Connections a worker may open beyond the pool when every pooled one is busy; "
            "each is closed when returned, so it pays for a new backend and its prepared "
            "plans every time."
        ),
    )
    database_connect_timeout: int = Field(
        default=3, ge=1, description="Seconds to wait for a new PostgreSQL connection."
    )
    database_pool_timeout: float = Field(
        default=5.0, gt=0, description="Seconds a request waits for a free pooled connection."
    )
    database_read_connections: int = Field(
        default=6,
        ge=1,
        description=(
            "PostgreSQL connections each worker keeps in autocommit for compiled reads, "
            "beside the pool: a compiled read is one statement and needs no transaction. "
            "About three per database core; more only lengthen the slowest reads (see "
            "docs/performance.md)."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address `newsgraph serve` binds.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `newsgraph serve` binds.")
    workers: int = Field(default=1, ge=1, description="Worker processes for `newsgraph serve`.")
    graphiql: bool = Field(default=True, description="Serve GraphiQL to browsers at /graphql.")
    log_level: str = Field(default="info", description="Python log level name.")
    log_format: Literal["json", "text"] = Field(
        default="json", description="`json`: one JSON object a line; `text` for humans."
    )
    shutdown_timeout: int = Field(
        default=20, ge=1, description="Seconds requests in flight get to finish on SIGTERM."
    )
    default_page_size: int = Field(default=20, ge=1, description="`first` when omitted.")
    max_page_size: int = Field(default=100, ge=1, description="Largest `first` accepted.")
    compiled_reads: bool = Field(
        default=True,
        description="Answer queries the compiler understands with one SQL statement per root "
        "field; off sends every query through the field-by-field resolvers.",
    )
    feed_page_size: int = Field(
        default=20, ge=1, le=100, description="Articles on one page of a feed."
    )
    change_feed_settle_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a change log entry waits before GET /changes shows it, so "
        "transactions still committing earlier entries cannot be skipped.",
    )
    redis_url: str | None = Field(
        default=None,
        description="redis://host:port/db for what every instance shares: live updates fan "
        "out through Redis pub/sub, rate-limit counters and automatic persisted queries live "
        "there. Unset: each process keeps its own.",
    )
    redis_channel_prefix: str = Field(
        default="newsgraph", description="Prefix of the Redis pub/sub channels live updates use."
    )
    webhook_max_attempts: int = Field(
        default=8, ge=1, description="Attempts at one webhook delivery before it is marked failed."
    )
    webhook_backoff_seconds: float = Field(
        default=30.0, gt=0, description="Wait after a webhook's first failure; doubles each time."
    )
    webhook_backoff_cap_seconds: float = Field(
        default=6 * 3600.0, gt=0, description="The longest wait between two webhook attempts."
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long a partner's server may take to answer."
    )
    webhook_poll_seconds: float = Field(
        default=5.0, gt=0, description="How often `newsgraph webhooks run` looks for due work."
    )
    webhook_allowed_networks: CommaSeparated = Field(
        default_factory=list,
        description="Comma-separated addresses or CIDR blocks (127.0.0.1, 10.20.0.0/16) that "
        "webhooks may be sent to although they are loopback, private or reserved; every other "
        "such address is refused, at registration and before each attempt.",
    )
    webhooks_per_key: int = Field(
        default=10, ge=1, description="Active webhooks one API key may have registered."
    )
    embargo_scheduler: bool = Field(
        default=True,
        description="Run the scheduler that announces embargo lifts to live subscribers in "
        "each app process; any number of processes may run it, each lift is announced once.",
    )
    embargo_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often the embargo scheduler looks for lifts."
    )
    public_url: str | None = Field(
        default=None,
        description="The address clients reach the API at (https://news.example); feed links "
        "and article URIs start with it. Unset: the address each request came to.",
    )
    redis_key_prefix: str = Field(
        default="newsgraph:", description="Prefix of every Redis key newsgraph writes."
    )
    rate_limits_enabled: bool = Field(default=True, description="Enforce the limits below.")
    anonymous_requests_per_minute: int = Field(
        default=60, ge=1, description="Requests a minute per client address without a key."
    )
    anonymous_cost_per_minute: int = Field(
        default=200_000, ge=1, description="Query cost points a minute per address without a key."
    )
    partner_requests_per_minute: int = Field(
        default=600, ge=1, description="Requests a minute per partner key."
    )
    partner_cost_per_minute: int = Field(
        default=5_000_000, ge=1, description="Query cost points a minute per partner key."
    )
    editor_requests_per_minute: int = Field(
        default=1_200, ge=1, description="Requests a minute per editor key."
    )
    editor_cost_per_minute: int = Field(
        default=10_000_000, ge=1, description="Query cost points a minute per editor key."
    )
    # Limits on what one request may ask; docs/operations.md explains each.
    max_depth: int = Field(default=12, ge=1, description="Deepest field nesting in a query.")
    max_aliases: int = Field(default=30, ge=0, description="Aliased fields per document.")
    max_tokens: int = Field(default=4000, ge=1, description="Lexical tokens per document.")
    max_directives: int = Field(default=20, ge=0, description="Directive uses per document.")
    max_cost: int = Field(
        default=100_000,
        ge=1,
        description="Estimated fields resolved; a connection's `first` multiplies its subtree.",
    )
    max_nodes: int = Field(
        default=50_000, ge=1, description="Estimated objects in one response, at most."
    )
    limit_list_size_estimate: int = Field(
        default=10, ge=1, description="Items assumed for a plain list when estimating cost."
    )
    max_body_bytes: int = Field(
        default=100_000, ge=1, description="Largest request body or query string accepted."
    )
    execution_timeout: float = Field(
        default=10.0, gt=0, description="Seconds one GraphQL request may run before it is stopped."
    )
    statement_timeout_ms: int = Field(
        default=5_000, ge=0, description="PostgreSQL statement_timeout per statement (0: none)."
    )
    database_parallel_workers: int = Field(
        default=0,
        ge=0,
        le=64,
        description="PostgreSQL max_parallel_workers_per_gather on the app's connections. 0 "
        "keeps each query on one core: with many requests at once, parallel workers cost "
        "more CPU than they save (search throughput at 16 clients +54%).",
    )
    introspection: bool = Field(default=True, description="Answer introspection queries.")
    cache_max_age: int = Field(
        default=60,
        ge=0,
        description="Seconds caches may keep a public GET answer (0: revalidate).",
    )
    response_cache_enabled: bool = Field(
        default=True,
        description="Keep answers to queries and serve identical ones from the cache; every "
        "write and every embargo lift makes the kept answers unreachable.",
    )
    response_cache_size: int = Field(
        default=1000,
        ge=1,
        description="Answers kept per process when there is no Redis (least recently used go).",
    )
    response_cache_ttl: int = Field(
        default=300,
        ge=1,
        description="Seconds an answer is kept; freshness never depends on it, memory does.",
    )
    response_cache_max_entry_bytes: int = Field(
        default=100_000, ge=1, description="Answers larger than this are not kept."
    )
    persisted_query_cache_size: int = Field(
        default=1000, ge=0, description="Automatic persisted queries remembered per process."
    )
    persisted_query_ttl: int = Field(
        default=7 * 24 * 3600, ge=1, description="Seconds Redis keeps a persisted query."
    )
    trusted_documents: Path | None = Field(
        default=None,
        description="A JSON manifest or a directory of .graphql files: when set, only these run.",
    )
    cors_origins: CommaSeparated = Field(
        default_factory=list,
        description="Browser origins (https://example.org) allowed to call the API.",
    )
    tracing_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP traces URL (http://collector:4318/v1/traces); unset: no tracing.",
    )
    tracing_service_name: str = Field(
        default="newsgraph", description="`service.name` of the traces this process exports."
    )
    load_seed: bool = Field(
        default=True, description="`make serve` loads the founding article into an empty database."
    )

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError as error:
                raise ValueError(f"{value!r} is not an IP address or CIDR block") from error
        return values

    def sqlite_path(self) -> Path | None:
        """The database file when the URL names an on-disk SQLite database."""
        prefix, _, rest = self.database_url.partition(":///")
        if not prefix.startswith("sqlite") or not rest or rest.startswith(":memory:"):
            return None
        return Path(rest)
