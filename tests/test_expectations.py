"""Every suite in expectations/ is valid GX 1.x JSON, names only columns the frames have, lets good data
through, and every one of its expectations CAN fail (a check that cannot fail is a defect)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from pipeline.records import Event, EventRow
from pipeline.validate import EXPECTATIONS_DIR, load_suite_json, run_suite
from pipeline.validate_frame import ROW_COLUMNS, ArticleRef, BatchMetrics, rows_frame

SUITES = sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json"))
BATCH_COLUMNS = set(BatchMetrics(0, 0, 0, (), None).frame().columns)
TEXT = "On Saturday Russia and Ukraine exchanged 84 prisoners each, officials said. Talks go on."
GOOD = Event("prisoner_exchange", "conducted", date(2025, 6, 14), "day", ("Russia", "Ukraine"),
             (("Russia", 84), ("Ukraine", 84)), "exact", ("civilians",), ("United Arab Emirates",), None,
             TEXT[:76], (0, 76), 0.9)
OTHER = replace(GOOD, event_type="body_repatriation", status="agreed", returned_to=(("Russia", 20), ("Ukraine", 900)),
                count_qualifier="approximate", evidence=TEXT[77:], evidence_span=(77, len(TEXT)))


def _labels(suite: dict) -> list[str]:
    return [f"{e['type']}({e['kwargs'].get('column', '')})" for e in suite["expectations"]]


def good_frame(name: str) -> pd.DataFrame:
    if name == "event_rows":
        rows = [EventRow(e.event_id("a1"), "a1", e) for e in (GOOD, OTHER)]
        return rows_frame(rows, {"a1": ArticleRef(TEXT, date(2025, 6, 15))})
    return BatchMetrics(40, 10, 30, (40, 35, 50, 45), 2.0).frame()


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


@pytest.mark.parametrize("name", SUITES)
def test_labels_are_unique_and_every_expectation_says_why(name):
    raw = load_suite_json(name)
    labels = _labels(raw)
    assert len(labels) == len(set(labels)), "a failure is reported by its label: two expectations share one"
    assert [lab for lab, e in zip(labels, raw["expectations"], strict=True) if not e.get("meta", {}).get("why")] == []


@pytest.mark.parametrize("name", SUITES)
def test_good_data_passes_every_expectation(name):
    assert run_suite(load_suite_json(name), good_frame(name), "event_id" if name == "event_rows" else None) == []


def _violate(frame: pd.DataFrame, exp: dict) -> pd.DataFrame:
    """The same frame with row 0 made to break ``exp`` (generic per expectation type)."""
    kind, kw = exp["type"], exp["kwargs"]
    col, out = kw["column"], frame.copy()
    if kind == "expect_column_values_to_not_be_null":
        out[col] = out[col].astype(object)
        out.loc[0, col] = None
    elif kind == "expect_column_values_to_be_unique":
        out.loc[len(out) - 1, col] = out.loc[0, col]
    elif kind == "expect_column_values_to_be_in_set":
        allowed = kw["value_set"]
        out[col] = out[col].astype(object)
        out.loc[0, col] = (not allowed[0]) if all(isinstance(v, bool) for v in allowed) else "not-in-the-set"
    elif kind == "expect_column_values_to_be_between":
        out.loc[0, col] = kw["max_value"] + 1 if kw.get("max_value") is not None else kw["min_value"] - 1
    elif kind == "expect_column_value_lengths_to_be_between":
        out.loc[0, col] = ""
    elif kind == "expect_column_values_to_be_of_type":
        out[col] = out[col].astype(object)
        out.loc[0, col] = 12345 if kw["type_"] == "str" else "a string"
    else:
        raise AssertionError(f"no violation known for {kind}: teach _violate how to break it")
    return out


def _cases():
    for name in SUITES:
        for i, exp in enumerate(load_suite_json(name)["expectations"]):
            yield pytest.param(name, i, id=f"{name}-{i}-{exp['type']}({exp['kwargs'].get('column', '')})")


@pytest.mark.parametrize(("name", "index"), list(_cases()))
def test_every_expectation_can_fail(name, index):
    suite = load_suite_json(name)
    exp = suite["expectations"][index]
    single = {"name": name, "expectations": [exp]}
    index_column = "event_id" if name == "event_rows" else None
    frame = good_frame(name)
    assert run_suite(single, frame, index_column) == []
    failures = run_suite(single, _violate(frame, exp), index_column)
    assert [f.expectation for f in failures] == [_labels(single)[0]]
    if index_column and exp["kwargs"]["column"] != "event_id":  # the broken row is named
        broken = frame.loc[0, "event_id"]
        dtype_check = exp["type"] == "expect_column_values_to_be_of_type" and exp["kwargs"]["type_"] != "str"
        # a numeric dtype check guards the frame builder: a mixed column may fail as a whole (every row named)
        assert broken in failures[0].event_ids and (dtype_check or failures[0].event_ids == (broken,))
