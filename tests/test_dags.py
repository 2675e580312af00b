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
print(json.dumps({"errors": {k: str(v)[:500] for k, v in bag.import_errors.items()},
                  "dags": {d.dag_id: {"tags": sorted(d.tags), "max_active_runs": d.max_active_runs,
                                      "retries": {t.task_id: t.retries for t in d.tasks}}
                           for d in bag.dags.values()}}))
"""


def test_dagbag_integrity(tmp_path):
    env = airflow_env(tmp_path / "airflow")
    out = subprocess.run([sys.executable, "-c", DAGBAG_PROBE, str(REPO / "dags")], env=env,
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert not report["errors"], report["errors"]
    assert "prisoner_exchange_ingest" in report["dags"]
    for dag_id, dag in report["dags"].items():
        assert dag["tags"], f"{dag_id} has no tags"
        if "ingest" in dag_id:
            assert dag["max_active_runs"] == 1
            assert all(r >= 1 for t, r in dag["retries"].items() if t != "alert"), dag["retries"]


def test_ingest_dag_runs_once_with_airflow_dags_test(tmp_path, site_server):
    wh = tmp_path / "wh" / "warehouse.duckdb"
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(site_server.url("feed.xml") + "\n" + site_server.url("feed.atom") + "\n")
    env = airflow_env(tmp_path / "airflow", {
        "PIPELINE_WAREHOUSE": str(wh), "PIPELINE_FEEDS": str(feeds), "PIPELINE_SEEDS": str(REPO / "seeds"),
        "PIPELINE_ALLOW_PRIVATE_HOSTS": "127.0.0.1", "PIPELINE_HOST_DELAY": "0",
        "PIPELINE_REPORTS_DIR": str(tmp_path / "reports"),
    })
    migrated = airflow(["db", "migrate"], env)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    result = airflow(["dags", "test", "prisoner_exchange_ingest", "2025-10-24T00:00:00+00:00"], env)
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    con = duckdb.connect(str(wh), read_only=True)
    n_feed_events = con.execute("SELECT count(*) FROM events WHERE source_url NOT LIKE 'seed://%'").fetchone()[0]
    n_seed_events = con.execute("SELECT count(*) FROM events WHERE source_url LIKE 'seed://%'").fetchone()[0]
    runs = con.execute("SELECT kind, status FROM runs ORDER BY kind").fetchall()
    assert n_feed_events >= 3 and n_seed_events >= 1
    assert ("feeds", "completed") in runs and ("seed", "completed") in runs
