"""``exchanges_state`` rows: one per exchange id ever issued, with its state and resolved fields, and
how a write stores them (``upsert_states``)."""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
import pyarrow as pa

from pipeline.reconcile_resolve import Resolved

__all__ = ["state_row", "upsert_states"]

_STATE_COLS = ("exchange_id", "claim_key", "state", "merged_into", "founder_event_id", "event_type", "status",
               "event_date", "date_precision", "parties", "counts", "returned_to", "count_qualifier",
               "categories", "mediators", "location", "best_event_id", "confidence", "n_sources", "disputed",
               "disputes", "created_run_id", "updated_run_id", "updated_at")


def state_row(xid: str, key: str, founder_event_id: str, r: Resolved, run_id: str, now: datetime) -> dict:
    """An ``exchanges_state`` row (its founder and creating run are kept by ``upsert_states`` when the id is stored already)."""
    return {"exchange_id": xid, "claim_key": key, "state": "active", "merged_into": None,
            "founder_event_id": founder_event_id, "event_type": r.event_type, "status": r.status,
            "event_date": r.event_date, "date_precision": r.date_precision, "parties": list(r.parties),
            "counts": [r.returned_to.get(p) for p in r.parties],
            "returned_to": json.dumps(r.returned_to, ensure_ascii=False), "count_qualifier": r.count_qualifier,
            "categories": list(r.categories), "mediators": list(r.mediators), "location": r.location,
            "best_event_id": r.best_event_id, "confidence": r.confidence, "n_sources": r.n_sources,
            "disputed": r.disputed, "disputes": json.dumps(r.disputes, ensure_ascii=False),
            "created_run_id": run_id, "updated_run_id": run_id, "updated_at": now}


_STATE_UPDATED = tuple(c for c in _STATE_COLS if c not in ("exchange_id", "created_run_id", "founder_event_id"))
_STATE_LISTS = ("parties", "counts", "categories", "mediators")
# The stored rows whose list columns the new row repeats. DuckDB updates a list column by deleting the row
# and inserting it again: the table's row group then has a deleted row and a moved one, and the checkpoint
# rewrites the whole row group (every column of every exchange). Other columns are updated in place, and
# the checkpoint rewrites only those. Most loads only add a claim to an exchange, which leaves its parties
# and lists as they were: 295 such rows took 7 ms and a 35 ms checkpoint, against 31 ms and 75 ms upserted
# (3,000 exchanges, the 1M bench warehouse; docs/benchmarks.md).
_SAME_LISTS = "SELECT r.exchange_id FROM _rows r JOIN exchanges_state t USING (exchange_id) WHERE " + " AND ".join(
    f"t.{c} IS NOT DISTINCT FROM r.{c}" for c in _STATE_LISTS)


def upsert_states(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """``exchanges_state`` rows inserted or updated (founder and creating run kept): the stored ones whose
    lists do not change are updated in place, without their list columns (``_SAME_LISTS``)."""
    if not rows:
        return
    con.register("_rows", pa.Table.from_pylist(rows))
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _same_lists AS {_SAME_LISTS}")
        sets = ", ".join(f"{c} = r.{c}" for c in _STATE_UPDATED if c not in _STATE_LISTS)
        con.execute(f"UPDATE exchanges_state t SET {sets} FROM (FROM _rows SEMI JOIN _same_lists USING (exchange_id)) r "
                    "WHERE t.exchange_id = r.exchange_id")
        cols = ", ".join(rows[0])
        sets = ", ".join(f"{c} = excluded.{c}" for c in _STATE_UPDATED)
        con.execute(f"INSERT INTO exchanges_state ({cols}) SELECT {cols} FROM _rows ANTI JOIN _same_lists "
                    f"USING (exchange_id) ON CONFLICT (exchange_id) DO UPDATE SET {sets}")
    finally:
        con.unregister("_rows")
        con.execute("DROP TABLE IF EXISTS _same_lists")
