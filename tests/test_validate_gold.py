"""The row suite does not quarantine correct events: every gold event of the extraction corpus passes it,
except the ones outside the product's scope on purpose (dated before 2014).

Gold events carry no evidence, so each gets its document's opening as evidence (the evidence checks
are tested in test_validate_and_load.py); everything else is the gold as labelled."""

from __future__ import annotations

import json
from datetime import date

from pipeline.records import Event, EventRow
from pipeline.validate import validate_rows
from pipeline.validate_frame import ArticleRef
from tests.conftest import REPO

CORPUS = sorted((REPO / "tests" / "corpus" / "extraction").glob("*.json"))


def _gold() -> tuple[list[EventRow], dict[str, ArticleRef]]:
    rows, refs = [], {}
    for path in CORPUS:
        doc = json.loads(path.read_text(encoding="utf-8"))
        published = date.fromisoformat(doc["published"]) if doc.get("published") else None
        refs[doc["id"]] = ArticleRef(doc["text"], published)
        opening = doc["text"][:120]
        for i, gold in enumerate(doc["events"]):
            event = Event.from_json({**gold, "evidence": opening, "evidence_span": [0, len(opening)], "confidence": 0.9})
            rows.append(EventRow(f"{doc['id']}#{i}", doc["id"], event))
    return rows, refs


def test_gold_events_pass_the_row_suite_except_those_before_2014():
    rows, refs = _gold()
    assert len(rows) > 200
    batch, _ = validate_rows(rows, refs)
    failed = {q.row.event_id: q for q in batch.quarantined}
    unexpected = [(q.row.event_id, q.expectation, q.observed) for q in batch.quarantined
                  if not (q.row.event.event_date and q.row.event.event_date.year < 2014)]
    assert unexpected == []
    assert len(batch.passed) == len(rows) - len(failed)
    assert {q.expectation for q in batch.quarantined} <= {"expect_column_values_to_be_between(event_year)"}
