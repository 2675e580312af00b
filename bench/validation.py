"""Validation benchmark: row-suite throughput, the alert step's cost, and the gold pass rate.

Prints one JSON object per line: {"bench": "validation", "metric": ..., "value": ..., "unit": ...}.
Usage: python bench/validation.py
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.alerts import alert_for_run  # noqa: E402
from pipeline.records import Event, EventRow, ValidatedBatch  # noqa: E402
from pipeline.settings import Settings  # noqa: E402
from pipeline.validate import validate_rows  # noqa: E402
from pipeline.validate_frame import ArticleRef  # noqa: E402
from pipeline.warehouse import writer  # noqa: E402
from pipeline.warehouse.load import RunInfo, load  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "extraction"
TEXT = "On Saturday Russia and Ukraine exchanged 84 prisoners each, officials said."
EVENT = Event("prisoner_exchange", "conducted", date(2025, 6, 14), "day", ("Russia", "Ukraine"),
              (("Russia", 84), ("Ukraine", 84)), "exact", (), (), None, TEXT, (0, len(TEXT)), 0.9)


def emit(metric: str, value: float, unit: str) -> None:
    print(json.dumps({"bench": "validation", "metric": metric, "value": round(value, 4), "unit": unit}))


def row_suite_throughput(n_rows: int = 1000, repeats: int = 3) -> float:
    rows = [EventRow(f"e{i}", "a1", replace(EVENT, confidence=0.5 + (i % 50) / 100)) for i in range(n_rows)]
    rows[0] = EventRow("e0", "a1", replace(EVENT, status="rumoured"))  # one failure, as in real batches
    refs = {"a1": ArticleRef(TEXT, date(2025, 6, 15))}
    validate_rows(rows[:10], refs)  # GX import and context outside the timing
    start = time.process_time()
    for _ in range(repeats):
        validate_rows(rows, refs)
    return n_rows * repeats / (time.process_time() - start)


def row_suite_fixed_s(memo: bool, repeats: int = 5) -> float:
    """CPU seconds of the row suite on a 10-row batch (best of ``repeats``): what every batch pays, however
    small. ``memo=False`` runs GX as shipped; True builds each expectation's configuration once
    (``pipeline.gx_speed``), as the pipeline does."""
    from pipeline.validate import ROW_SUITE, load_suite_json, run_suite
    from pipeline.validate_frame import rows_frame

    rows = [EventRow(f"e{i}", "a1", replace(EVENT, confidence=0.5 + i / 100)) for i in range(10)]
    frame = rows_frame(rows, {"a1": ArticleRef(TEXT, date(2025, 6, 15))})
    suite = load_suite_json(ROW_SUITE)
    run_suite(suite, frame, "event_id", memo=memo)
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        run_suite(suite, frame, "event_id", memo=memo)
        best = min(best, time.process_time() - start)
    return best


def gold_pass_rate() -> tuple[int, int]:
    rows, refs = [], {}
    for path in sorted(CORPUS.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        refs[doc["id"]] = ArticleRef(doc["text"], date.fromisoformat(doc["published"]) if doc.get("published") else None)
        opening = doc["text"][:120]
        for i, gold in enumerate(doc["events"]):
            event = Event.from_json({**gold, "evidence": opening, "evidence_span": [0, len(opening)], "confidence": 0.9})
            rows.append(EventRow(f"{doc['id']}#{i}", doc["id"], event))
    batch, _ = validate_rows(rows, refs)
    return len(batch.passed), len(rows)


def alert_step_ms(kind: str) -> float:
    """Wall time of one alert step (report, incidents, outbox; no channel) after a load of 1 event."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({"PIPELINE_WAREHOUSE": f"{tmp}/w.duckdb", "PIPELINE_REPORTS_DIR": f"{tmp}/r"})
        now = datetime(2025, 6, 15, tzinfo=UTC)
        failures = [] if kind == "clean" else [{"suite": "event_rows", "expectation": "x(status)", "observed": "[]",
                                                "event_ids": 1}]
        summary = {"kind": "feeds", "events_extracted": 1, "validation_failures": failures,
                   "events_quarantined": len(failures)}
        with writer(settings.warehouse, settings.replica_path) as con:
            load(con, RunInfo("r1", "feeds", now, now, "b"), articles=[], aliases=[],
                 validated=ValidatedBatch((EventRow("e1", "a1", EVENT),), ()), rejections=[], outcomes=[],
                 summary=summary)
        start = time.perf_counter()
        alert_for_run(settings, "r1", summary)
        return (time.perf_counter() - start) * 1000


def main() -> None:
    logging.disable(logging.WARNING)  # the no-channel alert is logged; not part of the figures
    emit("row_suite_throughput", row_suite_throughput(), "rows/s (CPU)")
    emit("row_suite_fixed_s_gx_as_shipped", row_suite_fixed_s(memo=False), "s (CPU, 10 rows)")
    emit("row_suite_fixed_s", row_suite_fixed_s(memo=True), "s (CPU, 10 rows)")
    passed, total = gold_pass_rate()
    emit("gold_events_passing_row_suite", passed / total, "share")
    emit("gold_events", total, "events")
    alert_step_ms("clean")  # lazy imports (report, channels) outside the figures
    emit("alert_step_clean_run", alert_step_ms("clean"), "ms")
    emit("alert_step_failing_run", alert_step_ms("failing"), "ms")


if __name__ == "__main__":
    main()
