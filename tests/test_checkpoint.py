"""The load's checkpoint writes its rows without merging row groups; a later write's checkpoint merges them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipeline.warehouse import connect_writer
from pipeline.warehouse.checkpoint import MERGE_EVERY, after_load, checkpoint


def _row_groups(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('{table}') "
                       "WHERE column_id = 0").fetchone()[0]


def _append(path: Path, merge: bool) -> int:
    """One writer session appending 1,000 rows (DuckDB starts a new row group for them), then the
    checkpoint; returns the setting it leaves."""
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE TABLE IF NOT EXISTS t (i INTEGER, s VARCHAR)")
        con.execute("INSERT INTO t SELECT i, repeat('x', 200) || i FROM range(1000) r(i)")
        checkpoint(con, merge_row_groups=merge)
        return int(con.execute("SELECT current_setting('max_vacuum_tasks')").fetchone()[0])
    finally:
        con.close()


def test_unmerged_checkpoints_keep_each_append_apart_until_a_merging_one(tmp_path):
    merged, apart = tmp_path / "merged.duckdb", tmp_path / "apart.duckdb"
    default = int(duckdb.connect().execute("SELECT current_setting('max_vacuum_tasks')").fetchone()[0])
    for _ in range(3):
        assert _append(merged, merge=True) == default
        assert _append(apart, merge=False) == default  # the setting is restored for what follows
    with duckdb.connect(str(merged)) as con:
        assert _row_groups(con, "t") < 3  # DuckDB's own checkpoint merged the appends
    con = duckdb.connect(str(apart))
    try:
        assert _row_groups(con, "t") == 3
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 3000
        con.execute("CREATE TABLE upkeep AS SELECT 1 AS x")  # the maintenance run's own write
        checkpoint(con)
        assert _row_groups(con, "t") == 1
        assert con.execute("SELECT count(*), count(DISTINCT s) FROM t").fetchone() == (3000, 1000)
    finally:
        con.close()


def test_every_merge_every_th_load_merges_itself(tmp_path):
    """Without the maintenance run, the loads' row groups are merged by the load of every
    ``MERGE_EVERY``-th run, so they stay bounded."""
    path = tmp_path / "w.duckdb"
    flags, groups = [], []
    for n in range(1, MERGE_EVERY + 1):
        con = connect_writer(path)
        try:
            now = datetime.now(UTC)
            con.execute("CREATE TABLE IF NOT EXISTS t (i INTEGER, s VARCHAR)")
            con.execute("INSERT INTO t SELECT i, 'row ' || i FROM range(500) r(i)")
            con.execute("INSERT INTO runs VALUES (?, 'feeds', ?, ?, ?, 'completed', '{}')", [f"r{n}", now, now, now])
            flags.append(after_load(con))
            groups.append(_row_groups(con, "t"))
        finally:
            con.close()
    assert flags == [False] * (MERGE_EVERY - 1) + [True]
    assert groups[MERGE_EVERY - 2] == MERGE_EVERY - 1  # one row group a load until then
    assert groups[-1] == 1


def test_a_pass_checkpoints_its_load_without_merging(settings, monkeypatch):
    """The pass's load goes through ``after_load`` (only writers outside the ingest merge each time)."""
    import pipeline.warehouse.connection as connection
    from pipeline.run import run_pass

    calls: list[bool] = []

    def spy(con: duckdb.DuckDBPyConnection) -> bool:
        calls.append(after_load(con))
        return calls[-1]

    monkeypatch.setattr(connection, "after_load", spy)
    summaries = run_pass(settings, run_id="ck-1", feed_urls=[])
    assert [s["kind"] for s in summaries] == ["seed", "feeds"]
    assert calls == [False, False]  # runs 1 and 2: not multiples of MERGE_EVERY
