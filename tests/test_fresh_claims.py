"""The load tells the reconcile which articles its transaction inserted (``exchanges_pending.Fresh``), so
their claims are looked for among the newest rows only: the pending and superseded claims found are
the same as without that hint, for new articles, repeated ones and a new extractor version together."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.warehouse import writer
from pipeline.warehouse.exchanges_pending import Fresh, changed_claims
from pipeline.warehouse.load import EVENT_SCHEMA, RunInfo, _insert, _insert_articles, event_rows
from tests.test_reconcile_incremental import _batches
from tests.test_reconcile_warehouse import batch_of, run_load


def _found(con, run_id: str, fresh: Fresh | None) -> tuple[list, list]:
    pending, gone = changed_claims(con, run_id, fresh)
    return sorted(pending, key=lambda c: c.event_id), sorted(gone)


@pytest.mark.parametrize("revise", [False, True])
def test_the_fresh_hint_finds_the_same_claims(tmp_path, revise):
    path = tmp_path / "w.duckdb"
    first, second, third = _batches(5, 3)
    run_load(path, "r0", *batch_of(first)[:2], day=0)
    run_load(path, "r1", *batch_of(first + second)[:2], day=1)
    articles, rows, _ = batch_of(first + second + third)  # feeds repeat what they listed before
    version = "test-1"
    if revise:  # a new extractor version of every third stored article's claims, in the same run
        version = "test-2"
        old = {a.article_id for a in batch_of(first + second)[0][::3]}
        new_ids = {a.article_id for a in batch_of(third)[0]}
        rows = [r for r in rows if r.article_id in old | new_ids]
        rows = [replace(r, event=replace(r.event, confidence=0.91, evidence_span=(r.event.evidence_span[0],
                                                                             r.event.evidence_span[1] - 1)))
                if r.article_id in old else r for r in rows]  # another span: another claim of the article
        rows = [replace(r, event_id=r.event.event_id(r.article_id)) for r in rows]
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=2)
    run = RunInfo("r2", "feeds", at, at, version)
    with writer(path) as con:
        con.execute("BEGIN TRANSACTION")
        inserted = _insert_articles(con, articles, run)
        _insert(con, "event_rows", event_rows(tuple(rows), run), EVENT_SCHEMA)
        hinted = _found(con, run.run_id, Fresh(frozenset(inserted), at))
        plain = _found(con, run.run_id, None)
        con.execute("ROLLBACK")
    assert set(inserted) == {a.article_id for a in batch_of(third)[0]} and inserted
    assert hinted == plain
    pending, gone = plain
    assert {c.article_id for c in pending} >= set(inserted)
    assert bool(gone) == revise  # the old version's members are superseded only when revised
