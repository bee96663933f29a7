"""Test infrastructure: a real, migrated and seeded database per backend, and the app serving it.

Every test that takes `backend` (directly or through `database_url`, `app`, `client` or
`fresh_database`) runs twice, on SQLite and on PostgreSQL; `-k sqlite` or `-m "not postgres"`
keeps to one. PostgreSQL tests run in databases of their own (`newsgraph_test_*`) on the server
NEWSGRAPH_TEST_POSTGRES_URL names, so they never touch anyone else's tables; its role needs
CREATEDB.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette

from api.app import create_app
from db import migrate
from db.engine import create_app_engine, session_factory, sync_url
from db.seed import load_seed
from newsgraph.settings import Settings
from tests.live import live_server
from tests.support import FreshDatabase, client_for, resolver_twin, serving, settings_for

SQLITE = "sqlite"
POSTGRES = "postgres"


class SuiteEnvironment(BaseSettings):
    """The environment the suite runs in; the tests' counterpart of newsgraph's Settings."""

    model_config = SettingsConfigDict(extra="ignore")

    postgres_url: str = Field(
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        validation_alias="NEWSGRAPH_TEST_POSTGRES_URL",
        description=(
            "A PostgreSQL database the suite connects to, as a role that may create and drop"
            " databases (newsgraph_test_*) on the same server."
        ),
    )
    redis_url: str = Field(
        default="redis://127.0.0.1:6379/15",
        validation_alias="NEWSGRAPH_TEST_REDIS_URL",
        description="A Redis database the suite may write newsgraph:apq:* keys into.",
    )
    fuzz_examples: int = Field(
        default=50,
        validation_alias="NEWSGRAPH_TEST_FUZZ_EXAMPLES",
        description="Examples per fuzzing test; raise it when hunting for bugs.",
    )
    ci: bool = Field(
        default=False,
        validation_alias="CI",
        description="On CI an unreachable PostgreSQL fails the run instead of skipping.",
    )


SUITE_ENVIRONMENT = SuiteEnvironment()
_ENVIRONMENT = SUITE_ENVIRONMENT
_UNREACHABLE_PREFIX = "PostgreSQL at "


def _postgres_problem(url: URL) -> str | None:
    """Why PostgreSQL at `url` can't be used, or None when it can."""
    engine = create_engine(sync_url(url), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        return str(error.orig).strip().splitlines()[0]
    finally:
        engine.dispose()
    return None


@pytest.fixture(
    scope="session",
    params=[SQLITE, pytest.param(POSTGRES, marks=pytest.mark.postgres)],
    ids=[SQLITE, POSTGRES],
)
def backend(request: pytest.FixtureRequest) -> str:
    """Which database engine the test runs against: "sqlite" or "postgres"."""
    name: str = request.param
    if name == POSTGRES:
        url = make_url(_ENVIRONMENT.postgres_url)
        problem = _postgres_problem(url)
        if problem is not None:
            message = (
                f"{_UNREACHABLE_PREFIX}{url.render_as_string(hide_password=True)} is unreachable "
                f"({problem}); set NEWSGRAPH_TEST_POSTGRES_URL or start PostgreSQL"
            )
            if _ENVIRONMENT.ci:
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
    return name


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # From the reports, which reach this process from xdist's workers too.
    reasons = [
        str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
        for report in terminalreporter.stats.get("skipped", [])
    ]
    message = next(
        (reason for reason in reasons if reason.startswith(f"Skipped: {_UNREACHABLE_PREFIX}")),
        None,
    )
    if message is not None:
        terminalreporter.write_sep("!", "PostgreSQL tests were SKIPPED", red=True, bold=True)
        terminalreporter.write_line(message, red=True)
        terminalreporter.write_line("Only SQLite was tested: do not trust this run for PostgreSQL.")


class IsolatedDatabases:
    """Databases no other test or test run shares: SQLite files, or PostgreSQL databases on
    the server NEWSGRAPH_TEST_POSTGRES_URL names.

    Most tests want a migrated, seeded database; migrating and seeding takes about 0.4 s, so
    it is done once per session (`seeded_template`) and every other copy is cloned from it:
    a file copy for SQLite, `CREATE DATABASE ... TEMPLATE` for PostgreSQL (about 30 ms).
    """

    def __init__(self, backend: str, directory: Path) -> None:
        self.backend = backend
        self.directory = directory
        self._postgres_names: dict[str, str] = {}
        self._admin_engine: Engine | None = None

    def create(self, label: str) -> str:
        """The URL of a new, empty database."""
        return self._new(label, template=None)

    def clone(self, label: str, template_url: str) -> str:
        """The URL of a new database holding what the database at `template_url` holds; nothing
        may be connected to that one while it is copied."""
        return self._new(label, template=template_url)

    def _new(self, label: str, template: str | None) -> str:
        name = f"{label}_{uuid.uuid4().hex[:12]}"
        if self.backend == SQLITE:
            path = self.directory / f"{name}.db"
            if template is not None:
                with (
                    closing(sqlite3.connect(make_url(template).database or "")) as source,
                    closing(sqlite3.connect(path)) as copy,
                ):
                    source.backup(copy)
            return f"sqlite:///{path}"
        database = f"newsgraph_test_{name}"
        if template is None:
            self._admin(f'CREATE DATABASE "{database}"')
        else:
            self._admin(f'CREATE DATABASE "{database}" TEMPLATE "{self._postgres_names[template]}"')
        url = make_url(_ENVIRONMENT.postgres_url).set(database=database)
        rendered = url.render_as_string(hide_password=False)
        self._postgres_names[rendered] = database
        return rendered

    def drop(self, url: str) -> None:
        database = self._postgres_names.pop(url, None)
        if database is not None:
            self._admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def drop_all(self) -> None:
        for url in list(self._postgres_names):
            self.drop(url)
        if self._admin_engine is not None:
            self._admin_engine.dispose()

    def _admin(self, statement: str) -> None:
        # CREATE and DROP DATABASE refuse to run inside a transaction.
        if self._admin_engine is None:
            self._admin_engine = create_engine(
                sync_url(_ENVIRONMENT.postgres_url), isolation_level="AUTOCOMMIT"
            )
        with self._admin_engine.connect() as connection:
            connection.execute(text(statement))


async def prepare_database(url: str) -> None:
    """Migrate to head and load the seed, the way `make serve` does."""
    settings = Settings(database_url=url)
    migrate.upgrade(settings)
    engine = create_app_engine(settings)
    try:
        await load_seed(session_factory(engine))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis fan-out tests use; unreachable, they skip (and fail on CI)."""
    import redis

    url = _ENVIRONMENT.redis_url
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        message = f"Redis at {url} is unreachable ({error}); set NEWSGRAPH_TEST_REDIS_URL"
        if _ENVIRONMENT.ci:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    finally:
        client.close()
    return url


@pytest.fixture(scope="session")
def databases(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[IsolatedDatabases]:
    """Makes isolated databases on the backend; drops the PostgreSQL ones at the end."""
    made = IsolatedDatabases(backend, tmp_path_factory.mktemp(backend))
    yield made
    made.drop_all()


@pytest.fixture(scope="session")
async def seeded_template(databases: IsolatedDatabases) -> str:
    """A database migrated to head and seeded, that no test uses: the others are its copies."""
    url = databases.create("template")
    await prepare_database(url)
    return url


@pytest.fixture(scope="session")
def database_url(databases: IsolatedDatabases, seeded_template: str) -> str:
    """The session's shared database, migrated and seeded. Tests only read it."""
    return databases.clone("shared", seeded_template)


@pytest.fixture(scope="session")
async def app(database_url: str) -> AsyncIterator[Starlette]:
    """The app serving the shared database, lifespan running."""
    app = create_app(settings_for(database_url))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def client(app: Starlette, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the shared `app`. What tests send it through `graphql_response` is
    also answered by the resolver path, and must be answered alike (tests/support.py)."""
    async with client_for(app) as shared_client, resolver_twin(shared_client, database_url):
        yield shared_client


@pytest.fixture
async def fresh_database(
    databases: IsolatedDatabases, seeded_template: str
) -> AsyncIterator[FreshDatabase]:
    """A migrated, seeded database of this test's own, for tests that write."""
    url = databases.clone("fresh", seeded_template)
    try:
        async with serving(url) as (app, client):
            yield FreshDatabase(url=url, app=app, client=client)
    finally:
        databases.drop(url)


@pytest.fixture
def empty_database_url(databases: IsolatedDatabases) -> Iterator[str]:
    """An isolated database with no tables at all, for tests of the migrations themselves."""
    url = databases.create("empty")
    try:
        yield url
    finally:
        databases.drop(url)


@pytest.fixture(scope="session")
def live_url(
    databases: IsolatedDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The base URL of a real `newsgraph serve` over a seeded database of the backend, for
    clients that need a socket (fuzzers, the GraphQL-over-HTTP audit)."""
    url = databases.create("live")
    log = tmp_path_factory.mktemp("live") / "server.log"
    try:
        with live_server(url, log) as base_url:
            yield base_url
    finally:
        databases.drop(url)
