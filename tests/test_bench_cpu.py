"""bench/cpu.py counts the CPU time of a server's processes and of a database's backends."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest
from sqlalchemy.engine import make_url

from bench.cpu import CpuMeter, database_backends, with_descendants

# A worker that burns a quarter of a second of CPU time (however busy the machine is),
# says so, and waits for its standard input to close.
WORKER = (
    "import sys, time\n"
    "while time.process_time() < 0.25: pass\n"
    "print('burnt', flush=True)\n"
    "sys.stdin.read()\n"
)
# A server process that only waits for its one worker, as uvicorn's supervisor does.
SERVER = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {WORKER!r}])"


def test_a_servers_cpu_time_includes_its_workers() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        with CpuMeter({server.pid}, database="no-such-database") as meter:
            assert server.stdout.readline() == "burnt\n"
            assert len(with_descendants({server.pid})) == 2
    finally:
        server.stdin.close()
        server.wait(timeout=60)
    assert meter.server_seconds >= 0.2
    assert meter.database_seconds == 0
    assert "server" in meter.per_request(10)


def test_database_backends_are_found_by_database_name(backend, database_url) -> None:
    if backend != "postgres":
        pytest.skip("backends are PostgreSQL's")
    url = make_url(database_url)
    conninfo = url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as connection:
        row = connection.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        assert row[0] in database_backends(url.database or "")
