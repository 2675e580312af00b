"""``export``: any view to CSV, Parquet or JSON lines, read from the read-only copy."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from tests.test_reconcile_warehouse import SCENARIOS, batch_of, run_load


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    articles, rows, _ = batch_of(SCENARIOS["differing_figures_aug_2025"]["claims"])
    run_load(path, "r1", articles, rows)
    return path


def test_exchanges_in_three_formats_keep_lists_and_json(warehouse, tmp_path, capsys):
    for fmt in ("csv", "parquet", "jsonl"):
        out = tmp_path / f"x.{fmt}"
        assert main(["export", "--format", fmt, "--view", "exchanges", "--output", str(out),
                     "--warehouse", str(warehouse)]) == 0
    lines = [json.loads(line) for line in (tmp_path / "x.jsonl").read_text().splitlines()]
    assert len(lines) == 2
    aug = next(r for r in lines if r["event_date"] == "2025-08-24")
    assert aug["returned_to"] == {"Russia": 154, "Ukraine": 146} and aug["disputed"] is True
    assert aug["parties"] == ["Russia", "Ukraine"] and aug["n_sources"] == 5
    assert aug["disputes"]["returned_to"]["Ukraine"] == {"146": 4, "154": 1}
    rows = list(csv.DictReader((tmp_path / "x.csv").open()))
    assert {r["event_date"] for r in rows} == {"2025-08-14", "2025-08-24"}
    assert json.loads(next(r for r in rows if r["event_date"] == "2025-08-24")["parties"]) == ["Russia", "Ukraine"]
    table = pq.read_table(tmp_path / "x.parquet")
    assert table.num_rows == 2 and table.schema.field("parties").type.value_type == "string"
    assert "exported 2 rows" in capsys.readouterr().out


def test_any_view_and_unknown_names_are_refused(warehouse, tmp_path, capsys):
    out = tmp_path / "s.jsonl"
    assert main(["export", "--format", "jsonl", "--view", "exchange_sources", "--output", str(out),
                 "--warehouse", str(warehouse)]) == 0
    assert len(out.read_text().splitlines()) == 9
    bad = tmp_path / "bad.csv"
    assert main(["export", "--format", "csv", "--view", "exchanges; DROP TABLE articles", "--output", str(bad),
                 "--warehouse", str(warehouse)]) == 2
    assert not bad.exists() and "no view or table" in capsys.readouterr().err
