"""What publishing the read-only copy costs after each load: copy time by warehouse size.

Builds DuckDB files of a few sizes in a temp dir (random text, so they do not compress away), then
times ``publish_replica`` (copy aside, rename into place) and a first query on the copy.
Prints one JSON object a line.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.warehouse.connection import publish_replica  # noqa: E402

ROWS = (100_000, 1_000_000, 4_000_000)  # files of about 5, 50 and 200 MB


def build(path: Path, rows: int) -> int:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE articles AS SELECT i AS id, md5(random()::VARCHAR) || md5(random()::VARCHAR) "
                "|| md5(random()::VARCHAR) AS text FROM range(?) t(i)", [rows])
    con.execute("CHECKPOINT")
    con.close()
    return path.stat().st_size


def emit(metric: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"bench": "replica_publish", "metric": metric, "value": value, "unit": unit, **extra}))


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for rows in ROWS:
            wh, replica = Path(tmp) / f"wh{rows}.duckdb", Path(tmp) / f"wh{rows}.read.duckdb"
            size = build(wh, rows)
            times = []
            for _ in range(3):
                started = time.perf_counter()
                publish_replica(wh, replica)
                times.append(time.perf_counter() - started)
            best = min(times)
            mb = size / 1e6
            emit("publish_seconds", round(best, 4), "s", file_mb=round(mb, 1))
            emit("publish_throughput", round(mb / best, 1), "MB/s", file_mb=round(mb, 1))
            started = time.perf_counter()
            con = duckdb.connect(str(replica), read_only=True)
            con.execute("SELECT count(*) FROM articles").fetchone()
            con.close()
            emit("first_query_on_copy", round(time.perf_counter() - started, 4), "s", file_mb=round(mb, 1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
