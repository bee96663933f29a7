"""The `newsgraph` command as a user runs it: a real process against a fresh SQLite database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from alembic.script import ScriptDirectory

from api.graphiql import HEADLINE_QUERY
from db import migrate
from newsgraph.settings import Settings
from tests.live import free_port

NEWSGRAPH = Path(sys.executable).with_name("newsgraph")
UNREACHABLE_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/test"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'newsgraph.db'}"


def environment(database_url: str) -> dict[str, str]:
    # The developer's own NEWSGRAPH_* settings must not leak into the command under test.
    inherited = {
        name: value for name, value in os.environ.items() if not name.startswith("NEWSGRAPH_")
    }
    return {**inherited, "NEWSGRAPH_DATABASE_URL": database_url}


def newsgraph(*arguments: str, database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NEWSGRAPH), *arguments],
        env=environment(database_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def succeeds(*arguments: str, database_url: str) -> str:
    completed = newsgraph(*arguments, database_url=database_url)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def head(database_url: str) -> str:
    revision = migrate.head_revision(Settings(database_url=database_url))
    assert revision is not None
    return revision


def test_db_upgrade_migrates_to_head_and_db_current_says_so(database_url: str) -> None:
    succeeds("db", "upgrade", database_url=database_url)

    current = succeeds("db", "current", database_url=database_url)

    assert current.strip() == f"{head(database_url)} (head)"


def test_db_check_finds_models_and_migrations_in_agreement(database_url: str) -> None:
    succeeds("db", "upgrade", database_url=database_url)

    assert "agree" in succeeds("db", "check", database_url=database_url)


def _revision_below_head(settings: Settings) -> str | None:
    script = ScriptDirectory.from_config(migrate.alembic_config(settings))
    head = script.get_revision(script.get_current_head() or "head")
    assert head is not None and not isinstance(head.down_revision, (tuple, list))
    return head.down_revision


def test_db_downgrade_steps_back_one_revision(database_url: str) -> None:
    succeeds("db", "upgrade", database_url=database_url)

    succeeds("db", "downgrade", database_url=database_url)

    # One step below head, whichever revisions the branches have added by now.
    settings = Settings(database_url=database_url)
    assert migrate.current_revision(settings) == _revision_below_head(settings)


def test_load_seed_creates_the_article_once_then_leaves_it_unchanged(database_url: str) -> None:
    succeeds("db", "upgrade", database_url=database_url)

    first = succeeds("load-seed", database_url=database_url)
    second = succeeds("load-seed", database_url=database_url)

    assert (first.strip(), second.strip()) == ("created", "unchanged")


def test_export_schema_check_passes_until_the_file_goes_stale(
    database_url: str, tmp_path: Path
) -> None:
    schema_file = tmp_path / "schema.graphql"
    succeeds("export-schema", "--output", str(schema_file), database_url=database_url)
    assert "type Query" in schema_file.read_text()
    succeeds("export-schema", "--output", str(schema_file), "--check", database_url=database_url)

    schema_file.write_text(schema_file.read_text() + "scalar Stale\n")
    stale = newsgraph(
        "export-schema", "--output", str(schema_file), "--check", database_url=database_url
    )

    assert stale.returncode == 1
    assert "-scalar Stale" in stale.stdout
    assert "is stale" in stale.stderr


@pytest.mark.parametrize(
    ("arguments", "url", "complaint"),
    [
        (("db", "upgrade", "nosuchrevision"), None, "Can't locate revision"),
        (("db", "current"), UNREACHABLE_POSTGRES, "database error"),
        (("db", "current"), "mysql://newsgraph@127.0.0.1/newsgraph", "SQLite or PostgreSQL"),
        (("db", "current"), "not a url", "invalid database URL"),
        (("load-seed",), None, "run `newsgraph db upgrade` first"),
        (("serve",), None, "run `newsgraph db upgrade` first"),
    ],
    ids=[
        "unknown-revision",
        "unreachable",
        "unsupported",
        "unparseable",
        "seed-unmigrated",
        "serve-unmigrated",
    ],
)
def test_bad_input_is_one_clear_line_and_a_failing_exit(
    database_url: str, arguments: tuple[str, ...], url: str | None, complaint: str
) -> None:
    completed = newsgraph(*arguments, database_url=url or database_url)

    assert completed.returncode != 0
    assert completed.stderr.count("\n") == 1, completed.stderr
    assert completed.stderr.startswith("newsgraph: error: ")
    assert complaint in completed.stderr


def wait_until_up(server: subprocess.Popen[bytes], url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        assert server.poll() is None, "newsgraph serve exited before it answered"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url}")


def test_serve_answers_graphql_over_real_http_and_stops_cleanly(
    database_url: str, tmp_path: Path
) -> None:
    succeeds("db", "upgrade", database_url=database_url)
    succeeds("load-seed", database_url=database_url)
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [str(NEWSGRAPH), "serve", "--port", str(port)],
        env=environment(database_url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(server, f"http://127.0.0.1:{port}/healthz", time.monotonic() + 60)

        response = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": HEADLINE_QUERY},
            headers={"accept": "application/graphql-response+json"},
            timeout=30,
        )

        assert response.status_code == 200, response.text
        assert response.json()["data"]["organization"]["aliases"]
        server.terminate()
        # uvicorn shuts down gracefully, then re-raises the signal so the exit reports it.
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()
    assert "Application shutdown complete." in (tmp_path / "serve.log").read_text()


def test_keys_create_shows_the_secret_once_and_keys_list_never(database_url: str) -> None:
    succeeds("db", "upgrade", database_url=database_url)

    created = succeeds(
        "keys", "create", "--name", "Partner Outlet", "--role", "partner", database_url=database_url
    )
    secret = created.strip().splitlines()[-1]
    listed = succeeds("keys", "list", database_url=database_url)

    assert secret.startswith("ng_")
    assert "Partner Outlet" in listed and "partner" in listed
    assert secret not in listed


def test_keys_revoke_marks_the_key_revoked(database_url: str) -> None:
    succeeds("db", "upgrade", database_url=database_url)
    succeeds("keys", "create", "--name", "Desk", "--role", "editor", database_url=database_url)

    revoked = succeeds("keys", "revoke", "1", database_url=database_url)
    listed = succeeds("keys", "list", database_url=database_url).splitlines()

    assert "revoked" in revoked
    assert listed[1].split("\t")[3] != "-"


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (("keys", "revoke", "99"), "no API key with id 99"),
        (("keys", "create", "--name", " ", "--role", "editor"), "--name must not be empty"),
    ],
    ids=["revoke-unknown", "empty-name"],
)
def test_keys_commands_refuse_bad_input(
    database_url: str, arguments: tuple[str, ...], complaint: str
) -> None:
    succeeds("db", "upgrade", database_url=database_url)

    completed = newsgraph(*arguments, database_url=database_url)

    assert completed.returncode == 1
    assert complaint in completed.stderr


def test_keys_create_refuses_an_unknown_role(database_url: str) -> None:
    completed = newsgraph(
        "keys", "create", "--name", "x", "--role", "admin", database_url=database_url
    )

    assert completed.returncode == 2
    assert "invalid choice" in completed.stderr
