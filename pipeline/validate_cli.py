"""``python -m pipeline validate``: the suites on a file of events; quarantine, alert, load nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from pipeline.errors import ConfigError
from pipeline.records import Document, Event, EventRow
from pipeline.settings import Settings
from pipeline.validate_frame import ArticleRef, BatchMetrics


def read_event_rows(path: Path) -> list[EventRow]:
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            doc_id = str(obj["id"])
            event = Event.from_json(obj)
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}:{lineno}: not an EVENT line with an `id`: {exc}") from exc
        rows.append(EventRow(event.event_id(doc_id), doc_id, event))
    return rows


def read_docs(path: Path) -> dict[str, ArticleRef]:
    refs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc = Document.from_json(json.loads(line))
            refs[doc.id] = ArticleRef(doc.text, doc.published)
    return refs


def validate_file(settings: Settings, events_path: Path, docs_path: Path | None, run_id: str | None,
                  out: TextIO) -> int:
    from pipeline.alerts import alert_for_run
    from pipeline.validate import validate
    from pipeline.warehouse import article_refs, writer
    from pipeline.warehouse.load import RunInfo, load

    now = datetime.now(UTC)
    run_id = run_id or "validate-" + now.strftime("%Y%m%dT%H%M%S%fZ")
    rows = read_event_rows(events_path)
    refs = read_docs(docs_path) if docs_path else article_refs(settings, {r.article_id for r in rows})
    metrics = BatchMetrics(len(rows), sum(1 for r in rows if all(v is None for _k, v in r.event.returned_to)),
                           0, (), None)
    batch, failures = validate(rows, refs, metrics, settings.freshness_hours)
    # Only the quarantine is written: the passed rows are not loaded by this command.
    from pipeline.records import ValidatedBatch

    summary = {"kind": "validate", "events_checked": len(rows), "events_passed": len(batch.passed),
               "events_quarantined": len({q.row.event_id for q in batch.quarantined}),
               "validation_failures": [f.as_summary() for f in failures]}
    with writer(settings.warehouse, settings.replica_path) as con:
        load(con, RunInfo(run_id, "validate", now, now, "n/a"), articles=[], aliases=[],
             validated=ValidatedBatch((), batch.quarantined), rejections=[], outcomes=[], summary=summary)
    alert_for_run(settings, run_id, summary)
    out.write(f"validated {len(rows)} events: {summary['events_passed']} passed, "
              f"{summary['events_quarantined']} quarantined (run {run_id})\n")
    for f in failures:
        out.write(f"  {f.suite}: {f.expectation} failed for {len(f.event_ids) or 'the batch'}"
                  f"{' rows' if f.event_ids else ''}; observed {f.observed}\n")
    return 0 if not batch.quarantined else 1

