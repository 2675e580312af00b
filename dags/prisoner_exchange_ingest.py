"""Ingest DAG: feeds -> clean -> extract -> validate -> load, every 15 minutes by default.

Thin tasks: each imports the library inside its body, calls one function with the run's identity
and returns a small value. Nothing heavy runs at parse time.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from _adapter import library_call, on_task_failure, run_identity, settings
from airflow.sdk import Asset, dag, task

SCHEDULE = os.environ.get("PIPELINE_INGEST_SCHEDULE", "*/15 * * * *")
EVENTS_ASSET = Asset("duckdb://warehouse/events")
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
    @task
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

    @task(outlets=[EVENTS_ASSET])
    @library_call
    def load(_validated: str, **context) -> dict:
        from datetime import UTC
        from datetime import datetime as dt

        from pipeline.stages import load_stage

        run_id, run_after = run_identity(context)
        summary = load_stage(settings(), run_id, run_after, dt.now(UTC))
        return {k: summary[k] for k in ("events_new", "events_quarantined", "articles_new", "feeds_failed")}

    @task(retries=0)
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
