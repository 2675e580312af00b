"""End to end on the real stack: RSS and Atom feeds and article pages from a real HTTP server on
127.0.0.1, a real DuckDB file, the real extractor and GX suites. The pipeline runs twice."""

from __future__ import annotations

import json

import duckdb
import pytest

from pipeline.run import run_pass
from tests.golden import matches, required_seed_events

TABLES = ("articles", "article_aliases", "event_rows", "quarantine_rows", "rejections", "feed_state")
EXPECTED = [
    ("world/2025/10/02/swap-205.html", {"event_type": "prisoner_exchange", "status": "conducted",
                                        "event_date": "2025-10-02", "returned_to": {"Russia": 205, "Ukraine": 205}}),
    ("world/2025/10/23/bodies.html", {"event_type": "body_repatriation", "status": "conducted",
                                      "event_date": "2025-10-23", "returned_to": {"Russia": 31, "Ukraine": 1000}}),
    ("diplomacy/istanbul-talks.html", {"event_type": "prisoner_exchange", "status": "agreed",
                                       "event_date": "2025-07-23", "returned_to": {"Russia": 1200, "Ukraine": 1200}}),
]
BOILERPLATE = ("ADVERTISEMENT", "Belarus leader pardons", "Morning Brief", "Subscribe for", "All rights reserved",
               "Striker swap", "dataLayer", "Cookie settings")


def _records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _counts(path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


@pytest.fixture
def twice(settings, site_server):
    feeds = [site_server.url("feed.xml"), site_server.url("feed.atom")]
    first = run_pass(settings, run_id="e2e-1", feed_urls=feeds)
    counts_first = _counts(settings.warehouse)
    second = run_pass(settings, run_id="e2e-2", feed_urls=feeds)
    return first, second, counts_first, _counts(settings.warehouse)


def test_expected_events_with_evidence(settings, site_server, twice):
    con = duckdb.connect(str(settings.replica_path), read_only=True)
    rows = _records(con, "SELECT e.*, a.text FROM events e JOIN articles a USING (article_id) "
                         "WHERE source_url NOT LIKE 'seed://%'")
    for path, gold in EXPECTED:
        found = [r for r in rows if r["source_url"] == site_server.url(path) and matches(gold, r)]
        assert found, f"no event {gold} from {path}; got {[(r['source_url'], r['event_type'], r['status'], str(r['event_date']), r['returned_to']) for r in rows]}"
        for r in found:
            start, end = r["evidence_span"]
            assert r["evidence"] and r["text"][start:end] == r["evidence"]


def test_rerun_adds_no_rows_and_uses_conditional_get(twice):
    first, second, counts_first, counts_second = twice
    assert counts_first == counts_second
    feeds_run = second[-1]
    assert feeds_run["feeds_not_modified"] == 2 and feeds_run["events_new"] == 0
    assert len(first) == 2 and first[0]["kind"] == "seed"  # seeds loaded first, and only once
    assert len(second) == 1


def test_boilerplate_and_irrelevant_entries_stay_out(settings, site_server, twice):
    first = twice[0][-1]
    assert first["entries_dropped_irrelevant"] == 1  # the snow story
    con = duckdb.connect(str(settings.replica_path), read_only=True)
    feed_articles = con.execute("SELECT url, text FROM articles WHERE source = 'feed'").fetchall()
    assert sorted(u for u, _t in feed_articles) == sorted(site_server.url(p) for p, _g in EXPECTED)
    for _url, text in feed_articles:
        for chrome in BOILERPLATE:
            assert chrome not in text
    assert "<" not in "".join(t for _u, t in feed_articles)


def test_required_seed_events_loaded(settings, twice):
    con = duckdb.connect(str(settings.replica_path), read_only=True)
    rows = _records(con, "SELECT * FROM events WHERE source_url LIKE 'seed://%'")
    for seed, gold in required_seed_events():
        cands = [r for r in rows if r["source_url"] == f"seed://{seed}"]
        assert any(matches(gold, r) for r in cands), (seed, gold, [(r["event_type"], r["status"], str(r["event_date"]), r["returned_to"]) for r in cands])


def test_feed_health_records_every_feed(settings, site_server, twice):
    con = duckdb.connect(str(settings.replica_path), read_only=True)
    health = {r[0]: r for r in con.execute(
        "SELECT feed_url, last_success_at, consecutive_failures, last_error FROM feed_health").fetchall()}
    assert set(health) == {site_server.url("feed.xml"), site_server.url("feed.atom")}
    assert all(h[1] is not None and h[2] == 0 for h in health.values())


def test_summary_is_json_serialisable(twice):
    json.dumps(twice[0])
