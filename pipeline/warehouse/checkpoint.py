"""Checkpoints: after a load, the row groups are written, not merged; the maintenance run merges them.

DuckDB 1.4 gives every table a new row group at its first append after the file is opened (so a
checkpoint does not rewrite the row group already on disk), and a checkpoint merges small trailing
row groups once together they reach twice the first one's size (its vacuum). Every load opens the
file and appends to six tables, so nearly every load's checkpoint merged some of them, and one in a
few rewrote thousands of articles' text. The checkpoint after a 1,000-article load took 0.15-0.36 s
with these merges and 0.11-0.15 s without, into the 1M bench warehouse and an empty one
(2026-11-22, docs/scaling.md).

So the load's checkpoint only writes what the load added (``max_vacuum_tasks`` 0 for that checkpoint),
and the merging is left to a checkpoint off the ingest's path: the maintenance DAG's reconcile runs
after every load and always writes its upkeep row, so its checkpoint merges (``python -m pipeline
reconcile`` does the same). Without it (``python -m pipeline run`` alone, on cron), every
``MERGE_EVERY``-th load merges: the small row groups a table gathers stay bounded either way.
Deleted rows are cleaned up by the same merges, so they wait for them too.
"""

from __future__ import annotations

import duckdb

MERGE_EVERY = 16  # runs: the load whose run count is a multiple of this merges row groups itself


def checkpoint(con: duckdb.DuckDBPyConnection, *, merge_row_groups: bool = True) -> None:
    """Write the WAL into the database file; ``merge_row_groups=False`` leaves the row groups the last
    writes made as they are (a later checkpoint that writes anything merges them)."""
    if merge_row_groups:
        con.execute("CHECKPOINT")
        return
    con.execute("SET max_vacuum_tasks = 0")  # a setting of the whole database: restored right after
    try:
        con.execute("CHECKPOINT")
    finally:
        con.execute("RESET max_vacuum_tasks")


def after_load(con: duckdb.DuckDBPyConnection) -> bool:
    """The checkpoint after a load: merges row groups only in every ``MERGE_EVERY``-th run (counted in
    ``runs``, which the load writes). Returns whether it merged."""
    row = con.execute("SELECT count(*) FROM runs").fetchone()
    merge = bool(row and row[0] % MERGE_EVERY == 0)
    checkpoint(con, merge_row_groups=merge)
    return merge


__all__ = ["MERGE_EVERY", "after_load", "checkpoint"]
