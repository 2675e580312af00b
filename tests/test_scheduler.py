"""The real scheduler: ``scripts/airflow_local.py`` (what ``make airflow`` runs) starts the scheduler,
dag-processor and api-server on a temp AIRFLOW_HOME (SQLite, LocalExecutor) with a 30-second
ingest schedule against a feed server on 127.0.0.1. The feed gains a story between runs; the
warehouse must gain its events exactly once, the asset-triggered maintenance DAG must export the
events to Parquet, and stopping must leave no process of the session behind."""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from scripts.airflow_local import (
    all_healthy,
    launch,
    local_env,
    prepare,
    session_pids,
    stop_session,
    wait_healthy,
)
from tests.airflow_env import REPO
from tests.httpserver import StaticServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]  # 7.6 min measured on a 2-core VM at load 8
INGEST = "prisoner_exchange_ingest"
BODIES = "world/2025/10/23/bodies.html"
SWAP = "world/2025/10/02/swap-205.html"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _feed_without(text: str, marker: str) -> str:
    return re.sub(r"\s*<item>(?:(?!</item>).)*" + re.escape(marker) + r".*?</item>", "", text, flags=re.S)


def _runs(db: Path, dag_id: str) -> list[tuple[str, str, str, str | None]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute("SELECT run_id, run_type, state, start_date FROM dag_run WHERE dag_id = ? "
                           "ORDER BY start_date", [dag_id]).fetchall()
    finally:
        con.close()


def _collected(db: Path) -> str | None:
    """The run id of a scheduled ingest run whose collect task succeeded, if any."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        row = con.execute("SELECT t.run_id FROM task_instance t JOIN dag_run r USING (dag_id, run_id) "
                          "WHERE t.dag_id = ? AND t.task_id = 'collect' AND t.state = 'success' "
                          "AND r.run_type = 'scheduled' ORDER BY t.end_date LIMIT 1", [INGEST]).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def _wait_for(predicate, timeout_s: float, what: str, home: Path):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(2)
    tail = (home / "logs" / "scheduler.log").read_text(errors="replace")[-3000:]
    raise AssertionError(f"timed out waiting for {what}; scheduler log tail:\n{tail}")


def _events(replica: Path) -> list[tuple]:
    con = duckdb.connect(str(replica), read_only=True)
    try:
        return con.execute("SELECT source_url, event_type, status, event_date, CAST(returned_to AS VARCHAR) "
                           "FROM events ORDER BY ALL").fetchall()
    finally:
        con.close()


@pytest.fixture
def feed_site(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(REPO / "tests" / "fixtures" / "site", root)
    full = (root / "feed.xml").read_text()
    (root / "feed.xml").write_text(_feed_without(full, BODIES))
    server = StaticServer(root)
    server.start()
    yield server, root, full
    server.stop()


def test_scheduled_runs_load_new_events_once(tmp_path, feed_site):
    server, root, full_feed = feed_site
    home, wh = tmp_path / "airflow", tmp_path / "wh" / "warehouse.duckdb"
    home.mkdir()
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    first_seed = sorted((REPO / "seeds").glob("*.txt"))[0]
    shutil.copy(first_seed, seeds)
    (tmp_path / "feeds.txt").write_text(server.url("feed.xml") + "\n")
    port = _free_port()
    env = local_env(home, port, _free_port(), base={k: v for k, v in os.environ.items()
                                                      if not k.startswith(("AIRFLOW", "PIPELINE_"))})
    env.update({
        "PIPELINE_INGEST_SCHEDULE": "30s", "PIPELINE_WAREHOUSE": str(wh), "PIPELINE_SEEDS": str(seeds),
        "PIPELINE_FEEDS": str(tmp_path / "feeds.txt"), "PIPELINE_ALLOW_PRIVATE_HOSTS": "127.0.0.1",
        "PIPELINE_HOST_DELAY": "0", "PIPELINE_MIN_REFRESH_MINUTES": "0",
        "PIPELINE_REPORTS_DIR": str(tmp_path / "reports"),
    })
    t0 = time.monotonic()
    phases: dict[str, float] = {}
    prepare(env)
    phases["prepare"] = time.monotonic() - t0
    sid = launch(home, env)
    try:
        state = wait_healthy(port, 300)
        assert all_healthy(state), f"scheduler, dag-processor and api-server did not become healthy: {state}"
        phases["healthy"] = time.monotonic() - t0
        db = home / "airflow.db"

        def succeeded(after: str = "") -> list:
            return [r for r in _runs(db, INGEST) if r[1] == "scheduled" and r[2] == "success" and r[3] > after]

        # Change the feed as soon as the first run has fetched it: the next run (max_active_runs=1)
        # starts after this one ends, so it is the one that must see the new story.
        first = _wait_for(lambda: _collected(db), 480, "a first scheduled run to fetch the feed", home)
        switched_at = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        (root / "feed.xml").write_text(full_feed)  # a new story appears in the feed
        _wait_for(lambda: [r for r in succeeded() if r[0] == first], 300, "the first run to finish", home)
        phases["first_run"] = time.monotonic() - t0
        before = _events(wh.with_name("warehouse.read.duckdb"))
        assert any(SWAP in r[0] for r in before) and not any(BODIES in r[0] for r in before)
        _wait_for(lambda: succeeded(after=switched_at), 420, "a run that saw the new story", home)
        phases["run_after_switch"] = time.monotonic() - t0
        after = _events(wh.with_name("warehouse.read.duckdb"))
        maintenance = _wait_for(lambda: [r for r in _runs(db, "prisoner_exchange_maintenance")
                                         if r[1] == "asset_triggered" and r[2] == "success"], 300,
                                "an asset-triggered maintenance run", home)
        pools = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute(
            "SELECT DISTINCT t.task_id, p.slots FROM task_instance t JOIN slot_pool p ON p.pool = t.pool "
            "WHERE t.pool = 'duckdb_writer'").fetchall()
        phases["maintenance"] = time.monotonic() - t0
    finally:
        stop_session(sid)
        phases["stopped"] = time.monotonic() - t0
        print({k: round(v, 1) for k, v in phases.items()})
    assert not session_pids(sid), "processes of the Airflow session survived the stop"

    assert len(succeeded()) >= 2
    new = [r for r in after if BODIES in r[0]]
    assert new, "the story added between runs produced no events"
    assert len(set(new)) == len(new), f"the same event was loaded twice: {new}"
    assert [r for r in after if SWAP in r[0]] == [r for r in before if SWAP in r[0]], "old story re-added"
    assert Counter(after) == Counter(before) + Counter(new), "rows other than the new story's changed"
    assert maintenance
    exported = duckdb.sql(f"SELECT count(*) FROM '{wh.parent / 'exports' / 'events.parquet'}'").fetchone()[0]
    assert exported >= len(before)
    assert {t for t, _slots in pools} >= {"seed_if_new", "load", "alert", "checkpoint"}
    assert {slots for _t, slots in pools} == {1}
