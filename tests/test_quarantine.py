"""Quarantine commands: list, show, release after a fix (suite changed, article arrived), discard.
Nothing lost, nothing loaded twice, and a release is one transaction."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime

import duckdb
import pytest

from pipeline import quarantine, validate
from pipeline.cli import main
from pipeline.records import CleanArticle, Event, EventRow, ValidatedBatch
from pipeline.validate import EXPECTATIONS_DIR, validate_rows
from pipeline.validate_frame import ArticleRef
from pipeline.warehouse import writer
from pipeline.warehouse.load import RunInfo, load

TEXT = "On Saturday Russia and Ukraine exchanged 84 prisoners each, officials said."
GOOD = Event("prisoner_exchange", "conducted", date(2025, 6, 14), "day", ("Russia", "Ukraine"),
             (("Russia", 84), ("Ukraine", 84)), "exact", (), (), None, TEXT, (0, len(TEXT)), 0.9)
HUGE = replace(GOOD, returned_to=(("Russia", 12000), ("Ukraine", 12000)))  # fails count_max (10,000)
ORPHAN = replace(GOOD, evidence_span=(3, len(TEXT)), evidence=TEXT[3:])  # its article "a2" is not stored yet
NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)


def _article(article_id: str) -> CleanArticle:
    return CleanArticle(article_id, f"https://news.example/{article_id}", "t", TEXT, date(2025, 6, 15), "en",
                        "fp-" + article_id, "feed", "https://news.example/rss")


@pytest.fixture
def warehouse(settings, monkeypatch):
    """a1 stored with GOOD loaded and HUGE quarantined; ORPHAN (article a2, not stored) quarantined."""
    monkeypatch.setenv("PIPELINE_WAREHOUSE", str(settings.warehouse))
    monkeypatch.setenv("PIPELINE_REPORTS_DIR", str(settings.reports_dir))
    rows = [EventRow(GOOD.event_id("a1"), "a1", GOOD), EventRow(HUGE.event_id("a1"), "a1", HUGE),
            EventRow(ORPHAN.event_id("a2"), "a2", ORPHAN)]
    batch, _ = validate_rows(rows, {"a1": ArticleRef(TEXT, date(2025, 6, 15))})
    assert len(batch.passed) == 1 and len({q.row.event_id for q in batch.quarantined}) == 2
    with writer(settings.warehouse, settings.replica_path) as con:
        load(con, RunInfo("feeds-1", "feeds", NOW, NOW, "x-1"), articles=[_article("a1")], aliases=[],
             validated=batch, rejections=[], outcomes=[], summary={"kind": "feeds"})
    return settings


def _q(settings, sql: str, params=()):
    con = duckdb.connect(str(settings.replica_path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _qid(settings, event: Event, article_id: str) -> str:
    return _q(settings, "SELECT quarantine_id FROM quarantine WHERE event_id = ?", [event.event_id(article_id)])[0][0]


def test_list_and_show(warehouse, capsys):
    assert main(["quarantine", "list", "--state", "open", "--format", "json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(r["expectation"] for r in listed) == [
        "expect_column_values_to_be_between(count_max)", "expect_column_values_to_be_in_set(article_exists)",
        "expect_column_values_to_be_in_set(evidence_in_article)"]  # the orphan fails two checks
    assert {r["run_id"] for r in listed} == {"feeds-1"}
    qid = _qid(warehouse, HUGE, "a1")
    assert main(["quarantine", "show", qid[:8]]) == 0
    shown = capsys.readouterr().out
    assert f"quarantine_id: {qid}" in shown and "12000" in shown and TEXT in shown
    assert "article_url: https://news.example/a1" in shown


def test_release_keeps_rows_that_still_fail_open(warehouse, capsys):
    qid = _qid(warehouse, HUGE, "a1")
    assert main(["quarantine", "release", qid, "--run-id", "rel-1"]) == 0
    assert "0 released" in capsys.readouterr().out
    assert _q(warehouse, "SELECT state FROM quarantine WHERE quarantine_id = ?", [qid]) == [("open",)]
    assert _q(warehouse, "SELECT action, run_id FROM quarantine_actions") == [("still_failing", "rel-1")]
    assert _q(warehouse, "SELECT count(*) FROM event_rows") == [(1,)]


def test_release_after_the_suite_changed_loads_once(warehouse, tmp_path, monkeypatch):
    changed = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, changed)
    suite = json.loads((changed / "event_rows.json").read_text())
    for exp in suite["expectations"]:
        if exp["kwargs"].get("column") == "count_max" and "max_value" in exp["kwargs"]:
            exp["kwargs"]["max_value"] = 20000
    (changed / "event_rows.json").write_text(json.dumps(suite))
    monkeypatch.setattr(validate, "EXPECTATIONS_DIR", changed)
    result = quarantine.release(warehouse, "rel-2", NOW, expectation="count_max")
    assert (result.events_checked, result.events_released, result.events_loaded) == (1, 1, 1)
    huge_id = HUGE.event_id("a1")
    assert _q(warehouse, "SELECT run_id, extractor_version FROM event_rows WHERE event_id = ?",
              [huge_id]) == [("rel-2", "x-1")]
    assert _q(warehouse, "SELECT state, resolved_run_id FROM quarantine WHERE event_id = ?",
              [huge_id]) == [("released", "rel-2")]
    again = quarantine.release(warehouse, "rel-3", NOW)  # only the orphan is still open, and still fails
    assert (again.events_checked, again.events_released) == (1, 0)
    assert _q(warehouse, "SELECT count(*) FROM event_rows WHERE event_id = ?", [huge_id]) == [(1,)]
    assert _q(warehouse, "SELECT kind FROM runs WHERE run_id = 'rel-2'") == [("release",)]


def test_release_after_the_article_arrived(warehouse):
    with writer(warehouse.warehouse, warehouse.replica_path) as con:
        load(con, RunInfo("feeds-2", "feeds", NOW, NOW, "x-1"), articles=[_article("a2")], aliases=[],
             validated=ValidatedBatch((), ()), rejections=[], outcomes=[], summary={"kind": "feeds"})
    result = quarantine.release(warehouse, "rel-4", NOW, expectation="article_exists")
    assert result.events_released == 1
    assert _q(warehouse, "SELECT source_url FROM events WHERE run_id = 'rel-4'") == [("https://news.example/a2",)]
    released = ORPHAN.event_id("a2")
    assert _q(warehouse, "SELECT count(*) FROM exchange_members WHERE event_id = ?", [released]) == [(1,)]


def test_a_failed_release_changes_nothing(warehouse, monkeypatch):

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(quarantine, "_write_run", broken)
    with writer(warehouse.warehouse, warehouse.replica_path) as con:
        load(con, RunInfo("feeds-2", "feeds", NOW, NOW, "x-1"), articles=[_article("a2")], aliases=[],
             validated=ValidatedBatch((), ()), rejections=[], outcomes=[], summary={"kind": "feeds"})
    with pytest.raises(RuntimeError):
        quarantine.release(warehouse, "rel-5", NOW)
    assert _q(warehouse, "SELECT count(*) FROM event_rows") == [(1,)]
    assert _q(warehouse, "SELECT count(*) FROM quarantine WHERE state = 'open'") == [(3,)]
    assert _q(warehouse, "SELECT count(*) FROM quarantine_actions") == [(0,)]


def test_discard_records_the_reason_and_release_leaves_it_alone(warehouse, capsys):
    qid = _qid(warehouse, ORPHAN, "a2")
    assert main(["quarantine", "discard", qid, "--reason", "syndicated copy of a1, never stored"]) == 0
    assert _q(warehouse, "SELECT DISTINCT state FROM quarantine WHERE event_id = ?",
              [ORPHAN.event_id("a2")]) == [("discarded",)]  # both of the event's rows
    assert _q(warehouse, "SELECT action, reason FROM quarantine_actions WHERE quarantine_id = ?",
              [qid]) == [("discarded", "syndicated copy of a1, never stored")]
    assert main(["quarantine", "release", "--all"]) == 0
    assert _q(warehouse, "SELECT state FROM quarantine WHERE quarantine_id = ?", [qid]) == [("discarded",)]
    assert main(["quarantine", "discard", qid, "--reason", "again"]) == 2  # not open any more
    assert "is discarded, not open" in capsys.readouterr().err
    assert main(["quarantine", "show", qid]) == 0
    assert "decision: discarded" in capsys.readouterr().out
