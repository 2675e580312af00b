"""The one place where the library meets Airflow: settings and schedules in, errors out.

Permanent failures become ``AirflowFailException`` (no retry can help); transient ones are
re-raised so Airflow retries them. Kept light: it is imported when a DAG file is parsed.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from airflow.sdk import Asset

WRITER_POOL = "duckdb_writer"  # one slot: only one task writes the DuckDB file at a time
# The warehouse's contract views, as assets: downstream DAGs can be scheduled on new rows.
EVENTS_ASSET = Asset(name="warehouse_events", uri="duckdb://warehouse/events")
QUARANTINE_ASSET = Asset(name="warehouse_quarantine", uri="duckdb://warehouse/quarantine")
FEED_HEALTH_ASSET = Asset(name="warehouse_feed_health", uri="duckdb://warehouse/feed_health")
EVENTS_PARQUET_ASSET = Asset(name="events_parquet", uri="parquet://warehouse/exports/events")
LOAD_OUTLETS = [EVENTS_ASSET, QUARANTINE_ASSET, FEED_HEALTH_ASSET]

# Errors that say "try again later" although they are not the library's own TransientError.
_TRANSIENT_NAMES = {"IOException", "TransactionException", "ConnectionError", "TimeoutError", "BrokenPipeError", "InterruptedError"}


def settings():
    from pipeline.settings import Settings

    return Settings.from_env()


def ingest_schedule(env: dict[str, str] | None = None) -> str | timedelta:
    """``PIPELINE_INGEST_SCHEDULE``: a cron expression or preset, or a period such as ``90s``, ``5m``, ``1h``."""
    from pipeline.settings import SETTINGS  # light: no heavy imports behind it

    raw = (os.environ if env is None else env).get("PIPELINE_INGEST_SCHEDULE", "").strip()
    raw = raw or SETTINGS["PIPELINE_INGEST_SCHEDULE"][0]
    period = re.fullmatch(r"(\d+)\s*(s|m|h)", raw)
    if period:
        unit = {"s": "seconds", "m": "minutes", "h": "hours"}[period.group(2)]
        return timedelta(**{unit: int(period.group(1))})
    return raw


def run_identity(context: dict[str, Any]) -> tuple[str, Any]:
    dag_run = context["dag_run"]
    run_after = getattr(dag_run, "run_after", None) or context.get("logical_date")
    return dag_run.run_id.replace(":", "_").replace("+", "_"), run_after


def is_transient(exc: BaseException) -> bool:
    """Worth a retry: the library's transient errors, a locked file, a dropped connection, a timeout."""
    from pipeline.errors import PipelineError

    if isinstance(exc, PipelineError):
        return exc.transient
    return any(cls.__name__ in _TRANSIENT_NAMES for cls in type(exc).__mro__)


def library_call(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a task body; anything that is not transient fails the task at once, without retries."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from airflow.sdk.exceptions import AirflowFailException

        try:
            return fn(*args, **kwargs)
        except AirflowFailException:
            raise
        except Exception as exc:
            if is_transient(exc):
                raise
            raise AirflowFailException(f"{type(exc).__name__}: {exc}") from exc

    return wrapper


def on_task_failure(context: dict[str, Any]) -> None:
    """Task-level ``on_failure_callback``: tell someone, once, that a task failed for good."""
    import logging

    try:
        from pipeline.alerts import alert_task_failure

        run_id, _ = run_identity(context)
        task_instance = context.get("task_instance") or context.get("ti")
        task_id = getattr(task_instance, "task_id", None) or "unknown task"
        alert_task_failure(settings(), run_id, task_id, repr(context.get("exception"))[:500])
    except Exception:  # a callback must never raise
        logging.getLogger(__name__).exception("on_task_failure could not alert")
