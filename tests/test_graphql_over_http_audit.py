"""GraphQL-over-HTTP compliance: graphql-http's server audits pass against a live server."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

AUDIT = Path(__file__).parent.parent / "tools" / "graphql-http"


def run_audits(url: str) -> list[dict[str, object]]:
    node = shutil.which("node")
    if node is None or not (AUDIT / "node_modules" / "graphql-http").is_dir():
        pytest.fail(
            "The audit needs Node.js and `make test` (which runs npm ci in tools/graphql-http)."
        )
    completed = subprocess.run(
        [node, str(AUDIT / "audit.mjs"), url],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    results: list[dict[str, object]] = json.loads(completed.stdout)
    return results


def test_every_graphql_over_http_audit_passes_without_warnings(live_url):
    results = run_audits(f"{live_url}/graphql")

    not_ok = [result for result in results if result["status"] != "ok"]
    assert len(results) > 50  # the audits ran, all of them
    assert not_ok == []
