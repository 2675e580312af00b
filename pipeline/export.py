"""``python -m pipeline export``: any warehouse view or table to CSV, Parquet or JSON lines.

Reads the published read-only copy (never waits for a load). Lists and JSON columns stay
structured in Parquet and JSON lines; in CSV they are written as JSON text. The file is written
aside and renamed into place, so a reader never sees half of it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.cli import _warehouse_arg, command
from pipeline.settings import Settings
from pipeline.warehouse import connect_reader

FORMATS = ("csv", "parquet", "jsonl")


class UnknownView(ValueError):
    pass


def relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()
    return {r[0] for r in rows}


def read_view(con: duckdb.DuckDBPyConnection, view: str) -> tuple[pa.Table, set[str]]:
    """The rows of ``view`` as Arrow, and which of its columns hold JSON text."""
    if view not in relations(con):
        raise UnknownView(f"no view or table named {view!r}; try one of: {', '.join(sorted(relations(con)))}")
    quoted = '"' + view.replace('"', '""') + '"'
    json_cols = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {quoted}").fetchall() if r[1] == "JSON"}
    return con.execute(f"SELECT * FROM {quoted}").fetch_arrow_table(), json_cols


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _records(table: pa.Table, json_cols: set[str]) -> list[dict[str, Any]]:
    rows = table.to_pylist()
    for row in rows:
        for col in json_cols:
            if isinstance(row.get(col), str):
                row[col] = json.loads(row[col])
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_table(table: pa.Table, json_cols: set[str], fmt: str, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    if fmt == "parquet":
        pq.write_table(table, tmp)
    elif fmt == "jsonl":
        with tmp.open("w", encoding="utf-8") as out:
            for row in _records(table, json_cols):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        with tmp.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(table.column_names)
            for row in _records(table, json_cols):
                writer.writerow([_csv_cell(row[c]) for c in table.column_names])
    else:
        raise ValueError(f"unknown format {fmt!r}")
    os.replace(tmp, output)


def export(settings: Settings, view: str, fmt: str, output: Path) -> int:
    """Write ``view`` to ``output``; returns the number of rows."""
    con = connect_reader(settings.warehouse, settings.replica_path)
    try:
        table, json_cols = read_view(con, view)
    finally:
        con.close()
    write_table(table, json_cols, fmt, output)
    return table.num_rows


def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("--view", default="exchanges", help="any view or table (default: exchanges)")
    p.add_argument("--output", type=Path, required=True, help="file to write")
    _warehouse_arg(p)


@command("export", "write a view (default: exchanges) to CSV, Parquet or JSON lines", _export_args)
def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    import sys

    try:
        n = export(settings, args.view, args.format, args.output)
    except UnknownView as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"exported {n} rows of {args.view} to {args.output} ({args.format})")
    return 0
