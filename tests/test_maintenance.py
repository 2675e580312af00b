"""The maintenance library (what the bootstrap and maintenance DAGs call): re-seeding adds nothing,
the Parquet export matches the events view, pruning removes only stale staging folders."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta

import duckdb

from pipeline.maintenance import checkpoint, export_events, load_seeds, prune_staging
from pipeline.stages import staging_dir
from pipeline.warehouse import writer
from tests.conftest import REPO

TABLES = ("articles", "event_rows", "quarantine_rows", "rejections", "runs")
NOW = datetime(2025, 11, 1, 12, 0, tzinfo=UTC)


def _counts(settings) -> dict[str, int]:
    con = duckdb.connect(str(settings.replica_path), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def test_reseed_adds_nothing_and_export_matches_events(settings, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for seed in sorted((REPO / "seeds").glob("*.txt"))[:2]:
        shutil.copy(seed, seeds)
    settings = settings.with_(seeds=seeds)
    first = load_seeds(settings)
    counts = _counts(settings)
    assert first and first["kind"] == "seed" and counts["event_rows"] > 0
    assert load_seeds(settings, only_if_new=True) is None
    again = load_seeds(settings)
    assert again["events_new"] == 0 and again["articles_new"] == 0 and again["run_id"] == first["run_id"]
    assert _counts(settings) == counts

    out = export_events(settings)
    assert out["rows"] == counts["event_rows"]
    con = duckdb.connect(str(settings.replica_path), read_only=True)
    try:
        expected = con.execute("SELECT event_id, returned_to::VARCHAR, parties FROM events ORDER BY event_id").fetchall()
    finally:
        con.close()
    exported = duckdb.sql(f"SELECT event_id, returned_to::VARCHAR, parties FROM '{out['path']}'").fetchall()
    assert exported == expected
    assert not list((settings.warehouse.parent / "exports").glob(".*.tmp"))


def test_checkpoint_leaves_no_wal(settings):
    assert checkpoint(settings) == {"skipped": "no warehouse yet"}
    with writer(settings.warehouse, settings.replica_path) as con:
        con.execute("CREATE TABLE scratch AS SELECT range AS i FROM range(1000)")
    result = checkpoint(settings)
    assert result["bytes"] > 0 and result["wal_bytes"] == 0


def _age(path, when: datetime) -> None:
    ts = when.timestamp()
    for p in [path, *path.rglob("*")]:
        os.utime(p, (ts, ts))


def test_prune_removes_only_stale_staging(settings):
    stale, fresh = staging_dir(settings, "scheduled__old"), staging_dir(settings, "scheduled__running")
    for d in (stale, fresh):
        d.mkdir(parents=True)
        (d / "collected.pkl").write_bytes(b"x")
    _age(stale, NOW - timedelta(hours=49))
    _age(fresh, NOW - timedelta(minutes=5))
    tmp_copy = settings.replica_path.parent / f".{settings.replica_path.name}.1234.tmp"
    tmp_copy.write_bytes(b"half a copy")
    _age(tmp_copy, NOW - timedelta(days=3))

    removed = prune_staging(settings, now=NOW, keep=timedelta(hours=48))
    assert sorted(removed) == sorted(["scheduled__old", tmp_copy.name])
    assert fresh.exists() and not stale.exists() and not tmp_copy.exists()
    assert prune_staging(settings, now=NOW, keep=timedelta(hours=48)) == []
