"""Exact re-clustering as an upkeep step: repairs what online assignment in the load cannot do.

The load assigns new claims to stored exchanges online (``exchanges_online``): exchanges grow or
merge, never split, and stored claims never move, so the result can depend on the order reports
arrived in. ``reconcile_exact`` re-clusters stored claims with the exact code of ``pipeline.reconcile``
(the same used by ``whole_kinds``), keeps ids where their claims went, and logs every merge, split
and move. ``full``: every exchange of every kind; otherwise the exact neighbourhood of the claims
attached since the last upkeep run (``reconcile_upkeep``), or everything when there was none.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from pipeline.settings import Settings
from pipeline.warehouse.exchanges import _claims, apply, neighbourhood, recluster
from pipeline.warehouse.exchanges_pending import changed_claims


def _recent_scope(con: duckdb.DuckDBPyConnection, since: datetime, pending: list, gone: list) -> tuple[set[str], int]:
    seeds = _claims(con, "e.event_id IN (SELECT event_id FROM exchange_members WHERE attached_at > ?)", [since])
    own = {r[0] for r in con.execute("SELECT DISTINCT exchange_id FROM exchange_members WHERE attached_at > ?",
                                     [since]).fetchall()}
    if not seeds and not pending and not gone:
        return set(), 0
    return neighbourhood(con, seeds + pending, gone) | own, len(seeds)


def reconcile_exact(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime, full: bool = False) -> dict:
    """Re-cluster exactly (call inside a transaction); writes only what changed. Returns counts."""
    pending, gone = changed_claims(con)  # normally none: a load folds its claims in
    (last,) = con.execute("SELECT max(ran_at) FROM reconcile_upkeep").fetchone() or (None,)
    if full or last is None:
        scope, since = "full", None
        included = {r[0] for r in con.execute("SELECT DISTINCT exchange_id FROM exchange_members").fetchall()}
        seeds = len(included)
    else:
        scope, since = "recent", last
        included, seeds = _recent_scope(con, last, pending, gone)
    changed = claims = 0
    if included or pending or gone:
        clusters, previous = recluster(con, included, pending, gone)
        claims = sum(len(cl) for cl in clusters)
        changed = apply(con, clusters, previous, pending, gone, run_id, now)
    con.execute("INSERT INTO reconcile_upkeep VALUES (?, ?, ?, ?, ?, ?)", [run_id, scope, since, now, claims, changed])
    return {"scope": scope, "exchanges_read": len(included), "seed_claims": seeds, "claims_clustered": claims,
            "claims_new": len(pending), "exchanges_changed": changed}


def reconcile_warehouse(settings: Settings, run_id: str, now: datetime, full: bool = False) -> dict:
    """The upkeep step on the warehouse (the writer: the ``duckdb_writer`` pool), one transaction;
    publishes the read-only copy."""
    from pipeline.warehouse import writer

    if not settings.warehouse.exists():
        return {"skipped": "no warehouse yet"}
    with writer(settings.warehouse, settings.replica_path) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            result = reconcile_exact(con, run_id, now, full)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return {"run_id": run_id, **result}
