"""Validate stage: run the GX suites of ``expectations/`` on a batch; split it into pass/quarantine.

Great Expectations validates pandas DataFrames in an ephemeral context (GX's SQL path over
duckdb-engine returns broken metrics upstream). ``import great_expectations`` costs seconds, so it
happens lazily, once per process, and never at DAG-parse time.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.gx_speed import configuration_memo
from pipeline.records import EventRow, QuarantinedRow, ValidatedBatch
from pipeline.validate_frame import ArticleRef, BatchMetrics, rows_frame

EXPECTATIONS_DIR = Path(os.environ.get("PIPELINE_EXPECTATIONS", Path(__file__).resolve().parent.parent / "expectations"))
ROW_SUITE = "event_rows"
BATCH_SUITE = "event_batch"


def load_suite_json(name: str, directory: Path | None = None) -> dict[str, Any]:
    """The suite as it is on disk now (read on every call, so a changed suite applies at once)."""
    return json.loads(((directory or EXPECTATIONS_DIR) / f"{name}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    for name in ("great_expectations", "great_expectations._docs_decorators"):
        logging.getLogger(name).setLevel(logging.WARNING)
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    try:
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    except Exception:  # older/newer GX: progress bars only cost stderr noise
        pass
    source = context.data_sources.add_pandas("pipeline")
    asset = source.add_dataframe_asset("frame")
    return gx, asset.add_batch_definition_whole_dataframe("whole")


@dataclass(frozen=True)
class Failure:
    suite: str
    expectation: str  # e.g. expect_column_values_to_be_in_set(status)
    observed: str  # up to 5 of the unexpected values (or the batch metric)
    event_ids: tuple[str, ...]  # empty for batch-level failures
    row_observed: tuple[tuple[str, str], ...] = ()  # (event_id, that row's own value) where GX reports it

    def as_summary(self) -> dict[str, Any]:
        """What a run's summary keeps of it: the rows are counted, not listed (they are in quarantine)."""
        return {"suite": self.suite, "expectation": self.expectation, "observed": self.observed,
                "event_ids": len(self.event_ids)}


def run_suite(suite_json: dict[str, Any], frame: pd.DataFrame, index_column: str | None,
              memo: bool = True) -> list[Failure]:
    """The suite's failures on the frame. ``memo``: build each expectation's configuration once
    (``pipeline.gx_speed``); False runs GX exactly as shipped."""
    gx, batch_definition = _gx()
    suite = gx.ExpectationSuite(**{k: v for k, v in suite_json.items() if k in ("name", "expectations", "meta")})
    if frame.empty:
        return []
    result_format: dict[str, Any] = {"result_format": "COMPLETE"}
    if index_column:
        result_format["unexpected_index_column_names"] = [index_column]
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    with configuration_memo(memo):
        outcome = batch.validate(suite, result_format=result_format)
    failures = []
    for res in outcome.results:
        if res.success:
            continue
        cfg = res.expectation_config
        column = cfg.kwargs.get("column", "")
        label = f"{cfg.type}({column})"
        result = res.result or {}
        if res.exception_info and res.exception_info.get("raised_exception"):
            observed = str(res.exception_info.get("exception_message"))[:300]
        else:
            values = result.get("partial_unexpected_list") or [result.get("observed_value")]
            observed = json.dumps(values[:5], default=str)[:300]
        items = [item for item in result.get("unexpected_index_list") or []
                 if index_column and isinstance(item, dict) and index_column in item]
        ids = tuple(str(item[index_column]) for item in items)
        per_row = tuple((str(item[index_column]), json.dumps(_plain(item[column]), default=str)[:300])
                        for item in items if column in item)
        failures.append(Failure(suite_json["name"], label, observed, ids, per_row))
    return failures


def _plain(value: Any) -> Any:
    """numpy scalars and pandas NA as plain JSON values."""
    if value is None or value is pd.NA:
        return None
    value = value.item() if hasattr(value, "item") else value
    return int(value) if isinstance(value, float) and value.is_integer() else value  # counts read as counts


def validate_rows(rows: list[EventRow], articles: dict[str, ArticleRef]) -> tuple[ValidatedBatch, list[Failure]]:
    """Row-level suite: failing rows are quarantined (one row per failed expectation)."""
    frame = rows_frame(rows, articles)
    failures = run_suite(load_suite_json(ROW_SUITE), frame, "event_id")
    by_id = {r.event_id: r for r in rows}
    quarantined: list[QuarantinedRow] = []
    for f in failures:
        if not f.event_ids:  # a row-suite failure GX could not tie to rows: hold the whole batch
            quarantined.extend(QuarantinedRow(r, f.suite, f.expectation, f.observed) for r in rows)
            continue
        own = dict(f.row_observed)
        quarantined.extend(QuarantinedRow(by_id[i], f.suite, f.expectation, own.get(i, f.observed))
                           for i in dict.fromkeys(f.event_ids) if i in by_id)
    bad = {q.row.event_id for q in quarantined}
    passed = tuple(r for r in rows if r.event_id not in bad)
    return ValidatedBatch(passed=passed, quarantined=tuple(quarantined)), failures


def validate_batch(metrics: BatchMetrics, freshness_hours: float) -> list[Failure]:
    """Batch-level suite: failures alert; no row is quarantined for them."""
    suite = load_suite_json(BATCH_SUITE)
    for exp in suite["expectations"]:
        if exp["kwargs"].get("column") == "hours_since_new_article" and "max_value" in exp["kwargs"]:
            exp["kwargs"]["max_value"] = freshness_hours
    return run_suite(suite, metrics.frame(), None)


def validate(rows: list[EventRow], articles: dict[str, ArticleRef], metrics: BatchMetrics,
             freshness_hours: float) -> tuple[ValidatedBatch, list[Failure]]:
    batch, row_failures = validate_rows(rows, articles)
    batch_failures = validate_batch(metrics, freshness_hours)
    batch = ValidatedBatch(passed=batch.passed, quarantined=batch.quarantined,
                           batch_failures=tuple({"suite": f.suite, "expectation": f.expectation,
                                                 "observed": f.observed} for f in batch_failures))
    return batch, row_failures + batch_failures
