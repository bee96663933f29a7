"""bench/explain.py plans every statement the API's lists and lookups run, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.explain import cases, plan_of, sequential_scans
from db.engine import create_sync_engine
from db.visibility import Role, Viewer
from newsgraph.settings import Settings


def test_every_case_has_a_plan(database_url):
    engine = create_sync_engine(Settings(database_url=database_url))
    try:
        with engine.connect() as connection:
            viewer = Viewer(role=Role.PUBLIC, now=datetime.now(UTC))
            planned = {
                case.name: plan_of(connection, case.statement) for case in cases(connection, viewer)
            }
    finally:
        engine.dispose()

    assert len(planned) > 50
    assert all(planned.values())


def test_a_full_table_scan_is_flagged_and_an_index_walk_is_not():
    assert sequential_scans("sqlite", ["SCAN articles"]) == ["SCAN articles"]
    assert (
        sequential_scans("sqlite", ["SCAN articles USING INDEX ix_articles_published_at_id"]) == []
    )
    assert sequential_scans("sqlite", ["SCAN anon_1"]) == []
    assert sequential_scans("postgresql", ["  ->  Seq Scan on votes"]) == ["->  Seq Scan on votes"]
