"""Airflow's overhead per scheduled run: ``airflow dags test`` of the ingest DAG vs the same pass alone.

Both run in a fresh interpreter on a fresh warehouse, against the test site (two feeds, article pages,
the seed files) served on 127.0.0.1: the DAG via ``airflow dags test`` (isolated AIRFLOW_HOME with
SQLite, ``db migrate`` done once beforehand and not counted), the library via ``python -m pipeline run``.
The difference is what Airflow adds to one run; divided by the DAG's tasks, per task. Also: how long
the DAG file takes to parse (the scheduler does this every few seconds).

``BENCH_AIRFLOW=0`` skips it (it takes a minute or two).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import OUT, ROOT, emit  # noqa: E402

sys.path.insert(0, str(ROOT))
from tests.airflow_env import airflow, airflow_env  # noqa: E402
from tests.httpserver import StaticServer  # noqa: E402

BENCH = "airflow_overhead"
DAG_ID = "prisoner_exchange_ingest"
LOGICAL_DATE = "2025-10-24T00:00:00+00:00"


def _pipeline_env(base: Path, feeds: Path) -> dict[str, str]:
    return {"PIPELINE_WAREHOUSE": str(base / "wh" / "warehouse.duckdb"), "PIPELINE_FEEDS": str(feeds),
            "PIPELINE_SEEDS": str(ROOT / "seeds"), "PIPELINE_ALLOW_PRIVATE_HOSTS": "127.0.0.1",
            "PIPELINE_HOST_DELAY": "0", "PIPELINE_REPORTS_DIR": str(base / "reports"), "PIPELINE_PROGRESS": "never"}


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _timed_run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of the command, children included."""
    start, cpu = time.perf_counter(), _children_cpu()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=900, cwd=ROOT)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{args[:3]} failed: {proc.stdout[-1500:]} {proc.stderr[-1500:]}")
    return took, _children_cpu() - cpu


def main() -> int:
    if os.environ.get("BENCH_AIRFLOW", "1") == "0":
        return 0
    base = OUT / "airflow"
    shutil.rmtree(base / "runs", ignore_errors=True)
    server = StaticServer(ROOT / "tests" / "fixtures" / "site")
    server.start()
    try:
        feeds = base / "feeds.txt"
        feeds.parent.mkdir(parents=True, exist_ok=True)
        feeds.write_text(server.url("feed.xml") + "\n" + server.url("feed.atom") + "\n")
        env = airflow_env(base / "home", _pipeline_env(base / "runs" / "dag", feeds))
        start = time.perf_counter()
        migrated = airflow(["db", "migrate"], env)
        if migrated.returncode != 0:
            raise RuntimeError(migrated.stderr[-2000:])
        emit(BENCH, "airflow_db_migrate_s", time.perf_counter() - start, "s", note="one-off, not counted")
        dag_s = _timed_run([str(Path(sys.executable).parent / "airflow"), "dags", "test", DAG_ID, LOGICAL_DATE], env)
        lib_env = {**os.environ, **_pipeline_env(base / "runs" / "lib", feeds)}
        lib_s = _timed_run([sys.executable, "-m", "pipeline", "run"], lib_env)
    finally:
        server.stop()
    parse_wall, parse_cpu = _dag_parse_s()
    n_tasks = 6
    emit(BENCH, "dags_test_run_s", dag_s[1], "s", dag=DAG_ID, clock="CPU, fresh process", wall=round(dag_s[0], 2))
    emit(BENCH, "library_run_s", lib_s[1], "s", command="python -m pipeline run", clock="CPU, fresh process",
         wall=round(lib_s[0], 2))
    emit(BENCH, "airflow_overhead_per_run_s", dag_s[1] - lib_s[1], "s", tasks=n_tasks, clock="CPU",
         wall=round(dag_s[0] - lib_s[0], 2))
    emit(BENCH, "airflow_overhead_per_task_s", (dag_s[1] - lib_s[1]) / n_tasks, "s", clock="CPU")
    emit(BENCH, "dags_test_vs_library", dag_s[1] / lib_s[1], "ratio", clock="CPU")
    emit(BENCH, "dag_file_parse_s", parse_cpu, "s", clock="CPU", wall=round(parse_wall, 2),
         note="fresh interpreter, airflow.sdk import included")
    shutil.rmtree(base / "runs", ignore_errors=True)
    return 0


def _dag_parse_s() -> tuple[float, float]:
    probe = ("import sys, runpy, time; sys.path.insert(0, {d!r}); t, c = time.perf_counter(), time.process_time(); "
             "runpy.run_path({f!r}); print(time.perf_counter() - t, time.process_time() - c)").format(
        d=str(ROOT / "dags"), f=str(ROOT / "dags" / f"{DAG_ID}.py"))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, cwd=ROOT)
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


if __name__ == "__main__":
    sys.exit(main())
