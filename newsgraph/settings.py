"""The one settings object: every knob newsgraph has, read from NEWSGRAPH_* variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/newsgraph.db"


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
    database_echo: bool = Field(default=False, description="Log every SQL statement.")
    database_pool_size: int = Field(default=10, ge=1, description="PostgreSQL pool size.")
    host: str = Field(default="127.0.0.1", description="Address `newsgraph serve` binds.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `newsgraph serve` binds.")
    workers: int = Field(default=1, ge=1, description="Worker processes for `newsgraph serve`.")
    graphiql: bool = Field(default=True, description="Serve GraphiQL to browsers at /graphql.")
    log_level: str = Field(default="info", description="Python log level name.")
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
        "out through Redis pub/sub, and rate-limit counters live there. Unset: each process "
        "keeps its own.",
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
        default=20_000, ge=1, description="Query cost points a minute per address without a key."
    )
    partner_requests_per_minute: int = Field(
        default=600, ge=1, description="Requests a minute per partner key."
    )
    partner_cost_per_minute: int = Field(
        default=500_000, ge=1, description="Query cost points a minute per partner key."
    )
    editor_requests_per_minute: int = Field(
        default=1_200, ge=1, description="Requests a minute per editor key."
    )
    editor_cost_per_minute: int = Field(
        default=1_000_000, ge=1, description="Query cost points a minute per editor key."
    )
    load_seed: bool = Field(
        default=True, description="`make serve` loads the founding article into an empty database."
    )

    def sqlite_path(self) -> Path | None:
        """The database file when the URL names an on-disk SQLite database."""
        prefix, _, rest = self.database_url.partition(":///")
        if not prefix.startswith("sqlite") or not rest or rest.startswith(":memory:"):
            return None
        return Path(rest)
