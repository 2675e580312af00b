"""Two writer processes commit to one DuckLake at the same time; print one JSON line per finding.

DuckLake keeps its catalog in a database that allows many clients (here SQLite; PostgreSQL in a real
deployment) and its rows in Parquet files, so several DuckDB processes can write where one DuckDB
file allows only one. The extensions come from PyPI (``duckdb-extension-ducklake``,
``duckdb-extension-sqlite-scanner``), matched to the running DuckDB version; nothing is downloaded.

    python scripts/ducklake_two_writers.py [--rows 200] [--dir /tmp/lake]

Needs a Python where those packages match the installed duckdb (see docs/scaling.md).
"""

from __future__ import annotations

import argparse
import importlib
import json
import multiprocessing
import shutil
import tempfile
import time
from pathlib import Path

import duckdb


def extension_path(package: str, name: str) -> Path:
    module = importlib.import_module(package)
    path = Path(module.__path__[0]) / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.exists():
        raise FileNotFoundError(f"{package} has no {name} extension for DuckDB {duckdb.__version__}")
    return path


def open_lake(root: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute(f"LOAD '{extension_path('duckdb_extension_sqlite_scanner', 'sqlite_scanner')}'")
    con.execute(f"LOAD '{extension_path('duckdb_extension_ducklake', 'ducklake')}'")
    con.execute(f"ATTACH 'ducklake:sqlite:{root / 'catalog.sqlite'}' AS lake (DATA_PATH '{root / 'data'}/')")
    return con


def writer(root: str, name: str, rows: int, batch: int) -> dict:
    con = open_lake(Path(root))
    retries, errors = 0, set()
    for start in range(0, rows, batch):
        while True:
            try:
                con.execute("BEGIN")
                con.execute("INSERT INTO lake.events SELECT ? || '-' || i, ? FROM range(?, ?) t(i)",
                            [name, name, start, min(start + batch, rows)])
                con.execute("COMMIT")
                break
            except duckdb.Error as exc:  # a write-write conflict on the catalog: the other writer won
                errors.add(type(exc).__name__)
                try:
                    con.execute("ROLLBACK")
                except duckdb.Error:
                    pass  # the failed COMMIT already ended the transaction
                retries += 1
                time.sleep(0.05)
    con.close()
    return {"writer": name, "rows": rows, "conflict_retries": retries, "errors": sorted(errors)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="ducklake-"))
    shutil.rmtree(root, ignore_errors=True)
    (root / "data").mkdir(parents=True)
    con = open_lake(root)
    con.execute("CREATE TABLE lake.events (event_id VARCHAR, writer VARCHAR)")
    con.close()
    started = time.monotonic()
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.starmap(writer, [(str(root), w, args.rows, args.batch) for w in ("a", "b")])
    elapsed = time.monotonic() - started
    con = open_lake(root)
    total, distinct = con.execute("SELECT count(*), count(DISTINCT event_id) FROM lake.events").fetchone()
    files = con.execute("SELECT count(*) FROM ducklake_list_files('lake', 'events')").fetchone()[0]
    con.close()
    for r in results:
        print(json.dumps({"bench": "ducklake_two_writers", "metric": f"conflict_retries_{r['writer']}",
                          "value": r["conflict_retries"], "unit": "retries", "errors": r["errors"]}))
    print(json.dumps({"bench": "ducklake_two_writers", "metric": "rows_committed", "value": total, "unit": "rows",
                      "expected": 2 * args.rows, "distinct": distinct, "parquet_files": files,
                      "duckdb": duckdb.__version__}))
    print(json.dumps({"bench": "ducklake_two_writers", "metric": "elapsed", "value": round(elapsed, 2), "unit": "s"}))
    return 0 if total == distinct == 2 * args.rows else 1


if __name__ == "__main__":
    raise SystemExit(main())
