"""Bootstrap DAG (manual): (re)load the seed articles into the warehouse through the same stages.

Trigger it on a new warehouse, or after adding seed files. The seed run's id is a hash of the seed
files, and every insert is ``ON CONFLICT DO NOTHING``: re-seeding adds nothing twice. With the param
``only_if_new`` it does nothing on a warehouse that was seeded already.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from _adapter import LOAD_OUTLETS, WRITER_POOL, library_call, settings
from airflow.sdk import Param, dag, task


@dag(
    dag_id="prisoner_exchange_bootstrap",
    schedule=None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=1)},
    params={"only_if_new": Param(False, type="boolean", description="skip when the warehouse was seeded")},
    tags=["prisoner-exchange", "bootstrap"],
    doc_md=__doc__,
)
def prisoner_exchange_bootstrap():
    @task(pool=WRITER_POOL, outlets=LOAD_OUTLETS)
    @library_call
    def load_seeds(**context) -> dict:
        from pipeline.maintenance import load_seeds as load

        summary = load(settings(), only_if_new=bool(context["params"]["only_if_new"]))
        if not summary:
            return {"skipped": "already seeded"}
        return {k: summary[k] for k in ("run_id", "articles_new", "events_new", "events_quarantined")}

    load_seeds()


prisoner_exchange_bootstrap()
