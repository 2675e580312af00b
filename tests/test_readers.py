"""Readers are never locked out: while another process holds the warehouse open for writing (a slow
load), ``python -m pipeline query`` answers from the published read-only copy without waiting, and
a reader that opened the copy before a new one is published keeps a consistent view."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from pipeline.warehouse import connect_reader, writer
from tests.airflow_env import REPO

ARTICLE = "INSERT INTO articles VALUES (?, ?, 'seed', NULL, 't', 'text', NULL, 'en', ?, 'r1', now())"
EVENT = ("INSERT INTO event_rows VALUES (?, ?, 'prisoner_exchange', 'conducted', DATE '2025-10-02', 'day', "
         "['Russia', 'Ukraine'], '{\"Russia\": 1, \"Ukraine\": 1}', 'exact', [], [], NULL, 'e', 0, 1, 0.9, "
         "'test', 'r1', now())")

# A slow load in another process: opens the writer, writes a row inside an open transaction, says
# so, and holds the file until told to finish (or 120 s pass); then commits and publishes the copy.
HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from pipeline.warehouse import writer
    wh, replica, ready, go = map(Path, sys.argv[1:5])
    with writer(wh, replica) as con:
        con.execute("BEGIN TRANSACTION")
        con.execute({article!r}, ["a2", "https://example.org/2", "fp2"])
        con.execute({event!r}, ["e2", "a2"])
        ready.write_text("holding")
        deadline = time.monotonic() + 120
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        con.execute("COMMIT")
""").format(article=ARTICLE, event=EVENT)


def _seed_one_event(settings) -> None:
    with writer(settings.warehouse, settings.replica_path) as con:
        con.execute(ARTICLE, ["a1", "https://example.org/1", "fp1"])
        con.execute(EVENT, ["e1", "a1"])


def _query(settings, sql: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PIPELINE_WAREHOUSE": str(settings.warehouse), "PIPELINE_PROGRESS": "never"}
    env.pop("PIPELINE_READ_REPLICA", None)
    return subprocess.run([sys.executable, "-m", "pipeline", "query", sql, "--format", "json"], env=env,
                          cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.fixture
def holder(settings, tmp_path):
    _seed_one_event(settings)
    ready, go = tmp_path / "ready", tmp_path / "go"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(settings.warehouse), str(settings.replica_path),
                             str(ready), str(go)], cwd=REPO, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while not ready.exists():
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "the writer process did not start"
        time.sleep(0.1)
    yield proc, go
    go.touch()
    proc.wait(timeout=60)


def test_the_writer_really_locks_the_file(settings, holder):
    with pytest.raises(duckdb.IOException):
        duckdb.connect(str(settings.warehouse), read_only=True)


def test_query_answers_from_the_copy_during_a_load(settings, holder):
    proc, go = holder
    out = _query(settings, "SELECT count(*) AS n FROM events")
    assert out.returncode == 0, out.stderr
    assert proc.poll() is None, "the query waited for the load to finish"
    assert [json.loads(line) for line in out.stdout.splitlines()] == [{"n": 1}]  # the last committed state

    go.touch()
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    out = _query(settings, "SELECT event_id FROM events ORDER BY event_id")
    assert [json.loads(line)["event_id"] for line in out.stdout.splitlines()] == ["e1", "e2"]


def test_open_reader_keeps_its_snapshot_when_a_new_copy_is_published(settings):
    _seed_one_event(settings)
    old = connect_reader(settings.warehouse, settings.replica_path)
    with writer(settings.warehouse, settings.replica_path) as con:
        con.execute(ARTICLE, ["a2", "https://example.org/2", "fp2"])
        con.execute(EVENT, ["e2", "a2"])
    # DuckDB shares one database instance per path within a process; each publish is a new file name
    # (the public link is resolved), so a new reader sees the new state even while the old one is open.
    new = connect_reader(settings.warehouse, settings.replica_path)
    try:
        assert old.execute("SELECT count(*) FROM events").fetchone()[0] == 1
        assert new.execute("SELECT count(*) FROM events").fetchone()[0] == 2
    finally:
        old.close()
        new.close()
    assert not list(settings.replica_path.parent.glob(".*.tmp")), "a temporary copy was left behind"
