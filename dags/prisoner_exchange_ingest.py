"""Ingest DAG: feeds -> clean -> extract -> validate -> load, every 15 minutes by default.

Thin tasks: each imports the library inside its body, calls one function with the run's identity
and returns a small value. Nothing heavy runs at parse time. The tasks that write the DuckDB file
(seed, load, alert) share the one-slot ``duckdb_writer`` pool; the load updates the warehouse
assets, which the maintenance DAG is scheduled on. Set ``PIPELINE_INGEST_SCHEDULE`` to change the
schedule (cron, preset, or a period such as ``5m``). Re-running or backfilling an interval adds no
duplicate rows: ids are deterministic and every insert is ``ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from _adapter import (
    LOAD_OUTLETS,
    WRITER_POOL,
    ingest_schedule,
    library_call,
    on_task_failure,
    run_identity,
    settings,
)
from airflow.sdk import dag, task

SCHEDULE = ingest_schedule()
DEFAULT_ARGS = {"retries": 2, "retry_delay": timedelta(minutes=1), "retry_exponential_backoff": True,
                "max_retry_delay": timedelta(minutes=10),
                "on_failure_callback": on_task_failure}  # task-level: alerts once (pipeline.alerts)


@dag(
    dag_id="prisoner_exchange_ingest",
    schedule=SCHEDULE,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["prisoner-exchange", "ingest"],
    doc_md=__doc__,
)
def prisoner_exchange_ingest():
    @task(pool=WRITER_POOL)
    @library_call
    def seed_if_new(**context) -> str:
        from pipeline.run import seed_if_new as seed

        summary = seed(settings())
        return "seeded" if summary else "already seeded"

    @task
    @library_call
    def collect(**context) -> str:
        from pipeline.stages import collect_stage

        run_id, _ = run_identity(context)
        return str(collect_stage(settings(), run_id, "feeds"))

    @task
    @library_call
    def transform(_collected: str, **context) -> str:
        from pipeline.stages import transform_stage

        run_id, _ = run_identity(context)
        return str(transform_stage(settings(), run_id))

    @task
    @library_call
    def validate(_transformed: str, **context) -> str:
        from pipeline.stages import validate_stage

        run_id, run_after = run_identity(context)
        return str(validate_stage(settings(), run_id, now=run_after))

    @task(outlets=LOAD_OUTLETS, pool=WRITER_POOL)
    @library_call
    def load(_validated: str, **context) -> dict:
        from datetime import UTC
        from datetime import datetime as dt

        from pipeline.stages import load_stage

        run_id, run_after = run_identity(context)
        summary = load_stage(settings(), run_id, run_after, dt.now(UTC))
        return {k: summary[k] for k in ("events_new", "events_quarantined", "articles_new", "feeds_failed")}

    @task(retries=0, pool=WRITER_POOL)
    @library_call
    def alert(_loaded: dict, **context) -> dict:
        from pipeline.stages import alert_stage, cleanup_stage
        from pipeline.warehouse import run_summary

        run_id, _ = run_identity(context)
        result = alert_stage(settings(), run_id, run_summary(settings(), run_id))
        cleanup_stage(settings(), run_id)
        return result

    seeded = seed_if_new()
    collected = collect()
    seeded >> collected
    alert(load(validate(transform(collected))))


prisoner_exchange_ingest()
