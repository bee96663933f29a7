"""A real newsgraph server in a subprocess, for clients that need a socket: fuzzers, audits."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _newsgraph(*arguments: str, environment: dict[str, str]) -> None:
    subprocess.run(
        [str(_BIN / "newsgraph"), *arguments],
        env=environment,
        check=True,
        capture_output=True,
    )


@contextmanager
def live_server(database_url: str, log: Path, **settings: str) -> Iterator[str]:
    """`newsgraph serve` on a free port over `database_url`, migrated and seeded, logging to
    `log`; yields the base URL and stops the server afterwards."""
    port = free_port()
    environment = {
        **os.environ,
        "NEWSGRAPH_DATABASE_URL": database_url,
        "NEWSGRAPH_PORT": str(port),
        "NEWSGRAPH_LOG_LEVEL": "warning",
        # Fuzzers and audits send hundreds of requests a minute from one address.
        "NEWSGRAPH_RATE_LIMITS_ENABLED": "false",
        **{f"NEWSGRAPH_{name.upper()}": value for name, value in settings.items()},
    }
    _newsgraph("db", "upgrade", environment=environment)
    _newsgraph("load-seed", environment=environment)
    # A file, not a pipe: nobody reads a pipe while tests run, and a full one blocks the server.
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [str(_BIN / "newsgraph"), "serve"],
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base_url, server, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_ready(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"newsgraph serve exited: {log.read_text()}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"newsgraph serve did not become ready at {base_url}")
