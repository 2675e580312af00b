"""Read-only SQL for analysts. Opens the published read-only copy, so it never waits for a load."""

from __future__ import annotations

import csv
import json
from typing import TextIO

import duckdb

from pipeline.settings import Settings
from pipeline.warehouse import connect_reader


def run_query(settings: Settings, sql: str, fmt: str, out: TextIO) -> int:
    con = connect_reader(settings.warehouse, settings.replica_path)
    try:
        try:
            cur = con.execute(sql)
        except duckdb.Error as exc:
            print(f"error: {exc}", file=__import__("sys").stderr)
            return 2
        if cur.description is None:
            return 0
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    finally:
        con.close()
    if fmt == "json":
        for row in rows:
            out.write(json.dumps(dict(zip(columns, row, strict=True)), default=_jsonable, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows([[_cell(v) for v in row] for row in rows])
    else:
        _table(columns, rows, out)
    return 0


def _jsonable(value: object) -> object:
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[attr-defined]
    return str(value)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=_jsonable, ensure_ascii=False)
    return str(value)


def _table(columns: list[str], rows: list[tuple], out: TextIO, max_width: int = 60) -> None:
    cells = [[_cell(v).replace("\n", " ") for v in row] for row in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    out.write(" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    out.write("-+-".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")
