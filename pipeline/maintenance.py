"""Warehouse upkeep: (re)load the seeds, checkpoint, export the events to Parquet, prune staging.

Each function is a plain library call (the maintenance DAG runs them as tasks; they run without
Airflow too). None of them calls ``now()``: the caller passes the time the run stands for.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline.settings import Settings
from pipeline.warehouse import connect_reader, connect_writer

EXPORT_NAME = "events.parquet"
SEED_RUN_AFTER = datetime(2000, 1, 1, tzinfo=UTC)  # as pipeline.run.seed_if_new: seeds stand for no time


def load_seeds(settings: Settings, only_if_new: bool = False) -> dict | None:
    """Load the seed folder through the stages. The run id is a hash of the seed files and every
    insert skips the rows already there, so loading the same seeds again adds nothing.
    Returns the load summary, or None when ``only_if_new`` and the warehouse was seeded already."""
    from pipeline.run import run_stages, seed_if_new, seed_run_id

    if only_if_new:
        return seed_if_new(settings)
    return run_stages(settings, seed_run_id(settings), "seed", SEED_RUN_AFTER)


def export_dir(settings: Settings) -> Path:
    return settings.export_dir or settings.warehouse.parent / "exports"


def checkpoint(settings: Settings) -> dict:
    """Fold the write-ahead log into the database file. Needs the writer (the ``duckdb_writer`` pool).

    Publishes no new read-only copy: a checkpoint changes how the data is stored, not what it is.
    """
    if not settings.warehouse.exists():
        return {"skipped": "no warehouse yet"}
    con = connect_writer(settings.warehouse)
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = settings.warehouse.with_name(settings.warehouse.name + ".wal")
    return {"bytes": settings.warehouse.stat().st_size, "wal_bytes": wal.stat().st_size if wal.exists() else 0}


def export_events(settings: Settings, out_dir: Path | None = None) -> dict:
    """Write the ``events`` view to ``<export dir>/events.parquet`` (aside, then renamed into place).

    Reads the published read-only copy, so it never waits for, or blocks, a load. Rows are ordered
    by ``event_id``, so the same warehouse gives the same file content.
    """
    if not settings.replica_path.exists() and not settings.warehouse.exists():
        return {"skipped": "no warehouse yet"}
    out_dir = out_dir or export_dir(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / EXPORT_NAME
    tmp = out_dir / f".{EXPORT_NAME}.{os.getpid()}.tmp"
    con = connect_reader(settings.warehouse, settings.replica_path)
    try:
        counted = con.execute("SELECT count(*) FROM events").fetchone()
        rows = counted[0] if counted else 0
        con.execute(f"COPY (SELECT * FROM events ORDER BY event_id) TO '{_sql_path(tmp)}' "
                    "(FORMAT parquet, COMPRESSION zstd)")
    finally:
        con.close()
    os.replace(tmp, target)
    return {"path": str(target), "rows": int(rows), "bytes": target.stat().st_size}


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _newest_mtime(path: Path) -> float:
    times = [path.stat().st_mtime]
    times += [p.stat().st_mtime for p in path.rglob("*") if p.exists()]
    return max(times)


def prune_staging(settings: Settings, now: datetime, keep: timedelta | None = None) -> list[str]:
    """Remove run folders under ``<warehouse dir>/staging`` untouched for longer than ``keep``.

    A completed run removes its own folder; what is left belongs to runs that failed or were
    killed. A folder touched within ``keep`` may belong to a run in progress and is kept. Stale
    temporary copies of the read-only replica (a publisher killed mid-copy) go too.
    """
    keep = keep if keep is not None else timedelta(hours=settings.staging_retention_hours)
    cutoff = (now - keep).timestamp()
    removed = []
    staging = settings.warehouse.parent / "staging"
    for run_dir in sorted(staging.iterdir()) if staging.is_dir() else []:
        if run_dir.is_dir() and _newest_mtime(run_dir) < cutoff:
            shutil.rmtree(run_dir, ignore_errors=True)
            removed.append(run_dir.name)
    replica = settings.replica_path
    for tmp in replica.parent.glob(f".{replica.name}.*.tmp"):
        if tmp.stat().st_mtime < cutoff:
            tmp.unlink(missing_ok=True)
            removed.append(tmp.name)
    return removed
