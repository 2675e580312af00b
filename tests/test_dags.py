"""DAG integrity (imports cleanly, tags, retries, no heavy imports at parse time) and one real run
of the ingest DAG with ``airflow dags test`` against a feed server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.airflow_env import REPO, airflow, airflow_env

DAG_FILES = sorted(p for p in (REPO / "dags").glob("*.py") if not p.name.startswith("_"))


def test_dag_files_exist():
    assert DAG_FILES, "no DAG files in dags/"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_parses_without_heavy_imports(path: Path):
    probe = (
        "import sys, runpy; sys.path.insert(0, {!r}); sys.path.insert(0, {!r}); runpy.run_path({!r});"
        "heavy = [m for m in ('great_expectations', 'trafilatura', 'duckdb', 'pipeline.extract') if m in sys.modules];"
        "print('HEAVY', heavy)".format(str(REPO / "dags"), str(REPO), str(path))
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "HEAVY []" in out.stdout, out.stdout


DAGBAG_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])  # as Airflow's own processes do for DAGS_FOLDER
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
def task(t):
    return {"retries": t.retries, "pool": t.pool, "outlets": sorted(a.uri for a in t.outlets)}
print(json.dumps({"errors": {k: str(v)[:500] for k, v in bag.import_errors.items()},
                  "dags": {d.dag_id: {"tags": sorted(d.tags), "max_active_runs": d.max_active_runs,
                                      "timetable": type(d.timetable).__name__, "summary": repr(d.timetable),
                                      "assets": repr(getattr(d.timetable, "asset_condition", None)),
                                      "tasks": {t.task_id: task(t) for t in d.tasks}}
                           for d in bag.dags.values()}}))
"""
WRITERS = {"prisoner_exchange_ingest": {"seed_if_new", "load", "alert"},
           "prisoner_exchange_bootstrap": {"load_seeds"}, "prisoner_exchange_maintenance": {"reconcile", "checkpoint"}}
EVENTS_URI = "duckdb://warehouse/events"


def _dagbag(tmp_path, extra: dict[str, str] | None = None) -> dict:
    env = airflow_env(tmp_path / "airflow", extra)
    out = subprocess.run([sys.executable, "-c", DAGBAG_PROBE, str(REPO / "dags")], env=env,
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert not report["errors"], report["errors"]
    return report["dags"]


def test_dagbag_integrity(tmp_path):
    dags = _dagbag(tmp_path)
    assert set(dags) == set(WRITERS)
    for dag_id, dag in dags.items():
        assert dag["tags"], f"{dag_id} has no tags"
        assert dag["max_active_runs"] == 1, dag_id
        retries = {t: d["retries"] for t, d in dag["tasks"].items()}
        assert all(r >= 1 for t, r in retries.items() if t != "alert"), retries
    ingest = dags["prisoner_exchange_ingest"]
    assert ingest["timetable"] == "CronTriggerTimetable" and "*/15 * * * *" in ingest["summary"]


def test_every_writing_task_is_in_the_one_slot_pool(tmp_path):
    for dag_id, dag in _dagbag(tmp_path).items():
        in_pool = {t for t, d in dag["tasks"].items() if d["pool"] == "duckdb_writer"}
        assert in_pool == WRITERS[dag_id], dag_id


def test_loads_update_the_warehouse_assets_and_maintenance_follows_them(tmp_path):
    dags = _dagbag(tmp_path)
    assert EVENTS_URI in dags["prisoner_exchange_ingest"]["tasks"]["load"]["outlets"]
    assert EVENTS_URI in dags["prisoner_exchange_bootstrap"]["tasks"]["load_seeds"]["outlets"]
    maintenance = dags["prisoner_exchange_maintenance"]
    assert maintenance["timetable"] == "AssetTriggeredTimetable" and EVENTS_URI in maintenance["assets"]
    assert dags["prisoner_exchange_bootstrap"]["timetable"] == "NullTimetable"


def test_ingest_schedule_is_configurable(tmp_path):
    dags = _dagbag(tmp_path, {"PIPELINE_INGEST_SCHEDULE": "90s"})
    assert "Delta" in dags["prisoner_exchange_ingest"]["timetable"]
    assert "timedelta(seconds=90)" in dags["prisoner_exchange_ingest"]["summary"]
    dags = _dagbag(tmp_path, {"PIPELINE_INGEST_SCHEDULE": "0 */2 * * *"})
    assert "'0 */2 * * *'" in dags["prisoner_exchange_ingest"]["summary"]


ADAPTER_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import duckdb
from _adapter import library_call
from airflow.sdk.exceptions import AirflowFailException
from pipeline.errors import PermanentError, TransientError
def outcome(exc):
    try:
        library_call(lambda: (_ for _ in ()).throw(exc))()
    except AirflowFailException:
        return "fail"
    except Exception:
        return "retry"
print(json.dumps({name: outcome(exc) for name, exc in [
    ("transient", TransientError("warehouse locked")), ("permanent", PermanentError("bad config")),
    ("duckdb_io", duckdb.IOException("Could not set lock on file")), ("refused", ConnectionRefusedError()),
    ("timeout", TimeoutError()), ("bug", KeyError("x")), ("missing_module", ModuleNotFoundError("x"))]}))
"""


def test_adapter_retries_only_transient_failures(tmp_path):
    out = subprocess.run([sys.executable, "-c", ADAPTER_PROBE, str(REPO / "dags")], env=airflow_env(tmp_path / "af"),
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "transient": "retry", "permanent": "fail", "duckdb_io": "retry", "refused": "retry", "timeout": "retry",
        "bug": "fail", "missing_module": "fail"}


def _table_counts(wh: Path) -> dict[str, int]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "article_aliases", "event_rows", "quarantine_rows", "rejections")}
    finally:
        con.close()


def test_ingest_dag_runs_and_a_backfill_adds_nothing(tmp_path, site_server):
    """``airflow dags test`` runs the ingest DAG for one interval, then for an earlier one (a backfill)
    after the feed changed (so it is fetched in full again): the second run sees the same stories
    and adds no row."""
    wh = tmp_path / "wh" / "warehouse.duckdb"
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(site_server.url("feed.xml") + "\n" + site_server.url("feed.atom") + "\n")
    env = airflow_env(tmp_path / "airflow", {
        "PIPELINE_WAREHOUSE": str(wh), "PIPELINE_FEEDS": str(feeds), "PIPELINE_SEEDS": str(REPO / "seeds"),
        "PIPELINE_ALLOW_PRIVATE_HOSTS": "127.0.0.1", "PIPELINE_HOST_DELAY": "0",
        "PIPELINE_MIN_REFRESH_MINUTES": "0", "PIPELINE_REPORTS_DIR": str(tmp_path / "reports"),
    })
    migrated = airflow(["db", "migrate"], env)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    result = airflow(["dags", "test", "prisoner_exchange_ingest", "2025-10-24T00:00:00+00:00"], env)
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    con = duckdb.connect(str(wh), read_only=True)
    n_feed_events = con.execute("SELECT count(*) FROM events WHERE source_url NOT LIKE 'seed://%'").fetchone()[0]
    n_seed_events = con.execute("SELECT count(*) FROM events WHERE source_url LIKE 'seed://%'").fetchone()[0]
    runs = con.execute("SELECT kind, status FROM runs ORDER BY kind").fetchall()
    con.close()
    assert n_feed_events >= 3 and n_seed_events >= 1
    assert ("feeds", "completed") in runs and ("seed", "completed") in runs
    before = _table_counts(wh)

    site_server.replacements["Latest from the Eastern Desk"] = "Latest news from the Eastern Desk"
    result = airflow(["dags", "test", "prisoner_exchange_ingest", "2025-10-20T00:00:00+00:00"], env)
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    assert _table_counts(wh) == before
    con = duckdb.connect(str(wh), read_only=True)
    summaries = [json.loads(r[0]) for r in con.execute(
        "SELECT summary FROM runs WHERE kind = 'feeds' ORDER BY started_at").fetchall()]
    con.close()
    assert len(summaries) == 2
    backfill = summaries[1]  # the earlier interval, run second
    assert backfill["feeds_not_modified"] == 1 and backfill["articles_already_stored"] >= 2
    assert backfill["events_new"] == 0 and backfill["articles_new"] == 0
    assert not (wh.parent / "staging").exists() or not any((wh.parent / "staging").iterdir())
