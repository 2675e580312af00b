"""Every suite in expectations/ is valid GX 1.x JSON and names only columns the frames have."""

from __future__ import annotations

import json

import pytest

from pipeline.validate import EXPECTATIONS_DIR, load_suite_json
from pipeline.validate_frame import ROW_COLUMNS, BatchMetrics

SUITES = sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json"))
BATCH_COLUMNS = set(BatchMetrics(0, 0, 0, (), None).frame().columns)


def test_suites_exist():
    assert {"event_rows", "event_batch"} <= set(SUITES)


@pytest.mark.parametrize("name", SUITES)
def test_suite_loads_in_gx_and_names_real_columns(name):
    import great_expectations as gx

    raw = load_suite_json(name)
    suite = gx.ExpectationSuite(name=raw["name"], expectations=raw["expectations"], meta=raw.get("meta", {}))
    assert len(suite.expectations) == len(raw["expectations"]) > 0
    columns = set(ROW_COLUMNS) if name == "event_rows" else BATCH_COLUMNS
    named = {e["kwargs"]["column"] for e in raw["expectations"] if "column" in e["kwargs"]}
    assert named <= columns, named - columns
    json.dumps(raw)
