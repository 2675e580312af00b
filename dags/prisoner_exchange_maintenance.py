"""Maintenance DAG: re-cluster exchanges exactly, checkpoint, export the events to Parquet, prune staging.

Runs after every load that updated the events (asset-triggered: every ingest run ends with a
load, so with the default schedule it runs every 15 minutes). ``reconcile`` re-clusters exactly the
neighbourhood of the claims loaded since its last run (the load assigns them online; this repairs
order effects, docs/reconciliation.md); it always writes (its upkeep row), so its checkpoint merges the
row groups the loads' checkpoints leave unmerged (``pipeline/warehouse/checkpoint.py``). It and the checkpoint need the writer, so they take the
``duckdb_writer`` pool; the export reads the published read-only copy and the pruning touches only the staging folders, so they take no writer slot.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from _adapter import EVENTS_ASSET, EVENTS_PARQUET_ASSET, WRITER_POOL, library_call, run_identity, settings
from airflow.sdk import dag, task


@dag(
    dag_id="prisoner_exchange_maintenance",
    schedule=[EVENTS_ASSET],
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=2)},
    tags=["prisoner-exchange", "maintenance"],
    doc_md=__doc__,
)
def prisoner_exchange_maintenance():
    @task(pool=WRITER_POOL)
    @library_call
    def reconcile(**context) -> dict:
        from pipeline.warehouse.exchanges_upkeep import reconcile_warehouse

        run_id, run_after = run_identity(context)
        return reconcile_warehouse(settings(), f"reconcile-{run_id}", run_after)

    @task(pool=WRITER_POOL)
    @library_call
    def checkpoint(_reconciled: dict) -> dict:
        from pipeline.maintenance import checkpoint as run_checkpoint

        return run_checkpoint(settings())

    @task(outlets=[EVENTS_PARQUET_ASSET])
    @library_call
    def export_events(_checkpointed: dict) -> dict:
        from pipeline.maintenance import export_events as export

        return export(settings())

    @task
    @library_call
    def prune_staging(**context) -> list[str]:
        from pipeline.maintenance import prune_staging as prune

        _run_id, run_after = run_identity(context)
        return prune(settings(), now=run_after)

    export_events(checkpoint(reconcile()))
    prune_staging()


prisoner_exchange_maintenance()
