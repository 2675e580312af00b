"""The one place where the library meets Airflow: settings in, errors out.

Permanent library errors become ``AirflowFailException`` (no retry can help); transient ones are
re-raised so Airflow retries them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


def settings():
    from pipeline.settings import Settings

    return Settings.from_env()


def run_identity(context: dict[str, Any]) -> tuple[str, Any]:
    dag_run = context["dag_run"]
    run_after = getattr(dag_run, "run_after", None) or context.get("logical_date")
    return dag_run.run_id.replace(":", "_").replace("+", "_"), run_after


def library_call(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from airflow.exceptions import AirflowFailException

        from pipeline.errors import PipelineError

        try:
            return fn(*args, **kwargs)
        except PipelineError as exc:
            if not exc.transient:
                raise AirflowFailException(str(exc)) from exc
            raise

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
