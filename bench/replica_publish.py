"""What publishing the read-only copy costs after each load: the whole-file copy vs the incremental sync.

1. Whole-file copy by file size: DuckDB files of a few sizes in a temp dir (random text, so they do
   not compress away); ``publish_replica(..., incremental=False)`` and a first query on the copy.
2. At 1M articles (``--big``, the 1M-article warehouse of ``bench/load_scale.py``; by default the
   lead's cache under /work/bench-cache, copied with ``cp --sparse=always`` into
   ``$BENCH_OUT/replica-publish/``, never written in place): after each of ``BENCH_PUBLISH_ROUNDS``
   loads of 1,000 articles and their events (plus a run row and a feed row, as a pass writes), the
   writer publishes, alternately incrementally (sync the standby copy, swap the link) and by a
   whole-file copy. Wall and CPU seconds of each, the best of the rounds, their ratio, the rows
   written, how big the slot files grow, and a first query on the copy. Needs ~3x the file on disk.

Prints one JSON object a line (``benchkit.emit``: with the 1-minute load average).
Usage: python bench/replica_publish.py [--big [WAREHOUSE]] [--no-sizes]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import OUT, emit, timed  # noqa: E402

from pipeline.warehouse import replica as R  # noqa: E402
from pipeline.warehouse.connection import connect_writer, publish_replica  # noqa: E402

BENCH = "replica_publish"
ROWS = (100_000, 1_000_000, 4_000_000)  # files of about 5, 50 and 200 MB
CACHED_BIG = Path("/work/bench-cache/load-scale/big/warehouse.duckdb")


def build(path: Path, rows: int) -> int:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE blobs AS SELECT i AS id, md5(random()::VARCHAR) || md5(random()::VARCHAR) "
                "|| md5(random()::VARCHAR) AS text FROM range(?) t(i)", [rows])
    con.execute("CHECKPOINT")
    con.close()
    return path.stat().st_size


def by_size() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for rows in ROWS:
            wh, public = Path(tmp) / f"wh{rows}.duckdb", Path(tmp) / f"wh{rows}.read.duckdb"
            mb = build(wh, rows) / 1e6
            times = []
            for _ in range(3):
                started = time.perf_counter()
                publish_replica(wh, public, incremental=False)
                times.append(time.perf_counter() - started)
            best = min(times)
            emit(BENCH, "publish_seconds", best, "s", file_mb=round(mb, 1), mode="full", clock="wall",
                 note="whole-file copy, writer open and checkpoint included; best of 3")
            emit(BENCH, "publish_throughput", mb / best, "MB/s", file_mb=round(mb, 1), mode="full")
            started = time.perf_counter()
            con = duckdb.connect(str(public), read_only=True)
            con.execute("SELECT count(*) FROM blobs").fetchone()
            con.close()
            emit(BENCH, "first_query_on_copy", time.perf_counter() - started, "s", file_mb=round(mb, 1))


def _own_copy(source: Path) -> Path:
    """The big warehouse, copied (sparse) into BENCH_OUT once; slots of earlier runs are removed."""
    folder = OUT / "replica-publish"
    target = folder / "warehouse.duckdb"
    stamp = folder / "source.stamp"
    want = f"{source} {source.stat().st_size} {source.stat().st_mtime_ns}"
    if not target.exists() or not stamp.exists() or stamp.read_text() != want:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        subprocess.run(["cp", "--sparse=always", str(source), str(target)], check=True)
        stamp.write_text(want)
    for p in folder.glob("*.read*"):
        p.unlink()
    for p in folder.glob(".*"):
        p.unlink()
    return target


def _a_load(con: duckdb.DuckDBPyConnection, arts: list, rows: list) -> None:
    """What a pass writes: new articles and events, a run, a feed; and, as reconciliation would (without
    its minutes of clustering at 1M), 300 claims moved to another exchange and those 60 exchanges revised."""
    from pipeline.warehouse import load as WL

    now = datetime.now(UTC)
    run = WL.RunInfo("bench-" + uuid.uuid4().hex[:8], "feeds", now, now, "bench")
    con.execute("BEGIN TRANSACTION")
    WL._insert_articles(con, arts, run)
    WL._insert(con, "event_rows", WL.event_rows(tuple(rows), run), WL.EVENT_SCHEMA)
    con.execute("INSERT INTO runs VALUES (?, 'feeds', ?, ?, ?, 'completed', '{}')", [run.run_id, now, now, now])
    con.execute("INSERT INTO feed_state (feed_url, last_fetched_at, last_run_id) VALUES (?, ?, ?) ON CONFLICT "
                "(feed_url) DO UPDATE SET last_fetched_at = excluded.last_fetched_at", ["https://b.invalid/rss",
                                                                                       now, run.run_id])
    con.execute("UPDATE exchange_members SET exchange_id = (SELECT min(exchange_id) FROM exchanges_state), "
                "run_id = ?, attached_at = ? WHERE event_id IN (SELECT event_id FROM exchange_members "
                "USING SAMPLE 300 ROWS)", [run.run_id, now])
    con.execute("UPDATE exchanges_state SET updated_run_id = ?, updated_at = ? WHERE exchange_id IN "
                "(SELECT exchange_id FROM exchanges_state USING SAMPLE 60 ROWS)", [run.run_id, now])
    con.execute("COMMIT")
    con.execute("CHECKPOINT")


def at_1m(source: Path) -> None:
    from load_scale import batch

    path = _own_copy(source)
    public = path.with_name("warehouse.read.duckdb")
    mb = path.stat().st_size / 1e6
    con = connect_writer(path)
    try:
        con.execute("CHECKPOINT")
        for _ in range(2):  # the first copy, then a standby
            R.publish(con, path, public, incremental=False)
        results: dict[str, list] = {"incremental": [], "full": []}
        rounds = int(os.environ.get("BENCH_PUBLISH_ROUNDS", "3"))
        for k in range(2 * rounds):
            arts, rows = batch(1_000)
            _a_load(con, arts, rows)
            mode = "incremental" if k % 2 == 0 else "full"
            with timed() as t:
                out = R.publish(con, path, public, incremental=mode == "incremental")
            assert out.mode == mode, out
            results[mode].append((t.wall, t.cpu, out.rows, os.getloadavg()[0], out.phases))
    finally:
        con.close()
    for mode, runs in results.items():
        wall, cpu, rows, load, phases = min(runs, key=lambda r: r[0])
        emit(BENCH, f"publish_1m_{mode}_s", wall, "s", clock="wall", cpu_s=round(cpu, 3), file_mb=round(mb),
             rounds=len(runs), all_wall_s=[round(r[0], 3) for r in runs], load_avg_at_run=round(load, 2),
             phases_s={k: round(v, 3) for k, v in phases.items() if v >= 0.005},
             **({"rows_written": {t: n for t, n in rows.items() if n}} if rows else {}))
    inc, full = (min(results[m], key=lambda r: r[0]) for m in ("incremental", "full"))
    emit(BENCH, "publish_1m_incremental_vs_full", inc[0] / full[0], "ratio", clock="wall",
         cpu_ratio=round(inc[1] / full[1], 3) if full[1] else None, note="best of the rounds each")
    slot_mb = {p.name: round(p.stat().st_size / 1e6) for p in R.slots(public).values()}
    emit(BENCH, "slot_files_mb", max(slot_mb.values()), "MB", warehouse_mb=round(mb), slots=slot_mb,
         note="after the rounds: a synced slot vs the warehouse (freed blocks are reused)")
    started = time.perf_counter()
    reader = duckdb.connect(str(public), read_only=True)
    n = reader.execute("SELECT count(*) FROM events").fetchone()[0]
    reader.close()
    emit(BENCH, "first_query_on_copy_1m", time.perf_counter() - started, "s", events=n)


def main(argv: list[str]) -> int:
    if "--no-sizes" not in argv:
        by_size()
    if "--big" in argv:
        i = argv.index("--big")
        source = Path(argv[i + 1]) if len(argv) > i + 1 and not argv[i + 1].startswith("--") else CACHED_BIG
        at_1m(source)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
