"""Validation splits a batch into passed and quarantined rows; loading is transactional and idempotent."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import duckdb

from pipeline.records import Event, EventRow, FeedOutcome, ValidatedBatch
from pipeline.validate import validate
from pipeline.validate_frame import ArticleRef, BatchMetrics
from pipeline.warehouse import writer
from pipeline.warehouse.load import RunInfo, load

TEXT = "On Saturday Russia and Ukraine exchanged 84 prisoners each, officials said."
GOOD = Event("prisoner_exchange", "conducted", date(2025, 6, 14), "day", ("Russia", "Ukraine"),
             (("Russia", 84), ("Ukraine", 84)), "exact", (), (), None, TEXT, (0, len(TEXT)), 0.9)


def _rows(*events: Event) -> list[EventRow]:
    return [EventRow(e.event_id("a1"), "a1", e) for e in events]


def _metrics(n: int) -> BatchMetrics:
    return BatchMetrics(n, 0, 0, (), None)


def test_good_rows_pass_and_bad_rows_are_quarantined_with_the_expectation():
    bad_status = replace(GOOD, status="rumoured", evidence_span=(0, 10), evidence=TEXT[:10])
    too_many = replace(GOOD, returned_to=(("Russia", 84), ("Ukraine", 250000)))
    future = replace(GOOD, event_date=date(2025, 7, 1), evidence=TEXT[3:20], evidence_span=(3, 20))
    refs = {"a1": ArticleRef(TEXT, date(2025, 6, 15))}
    batch, failures = validate(_rows(GOOD, bad_status, too_many, future), refs, _metrics(4), 24)
    assert [r.event for r in batch.passed] == [GOOD]
    by_exp = {q.expectation: q for q in batch.quarantined}
    assert "expect_column_values_to_be_in_set(status)" in by_exp
    assert "expect_column_values_to_be_between(count_max)" in by_exp
    assert "expect_column_values_to_be_between(days_after_published)" in by_exp
    assert by_exp["expect_column_values_to_be_in_set(status)"].row.event.status == "rumoured"
    assert "250000" in by_exp["expect_column_values_to_be_between(count_max)"].observed


def test_evidence_must_be_found_in_its_article():
    wrong = replace(GOOD, evidence="Nothing like this is in the text.")
    batch, _ = validate(_rows(wrong), {"a1": ArticleRef(TEXT, None)}, _metrics(1), 24)
    assert not batch.passed
    assert {q.expectation for q in batch.quarantined} == {"expect_column_values_to_be_in_set(evidence_in_article)"}


def test_event_without_article_is_quarantined():
    batch, _ = validate(_rows(GOOD), {}, _metrics(1), 24)
    assert "expect_column_values_to_be_in_set(article_exists)" in {q.expectation for q in batch.quarantined}


def test_batch_suite_flags_staleness_and_volume_drop():
    stale = BatchMetrics(20, 19, 1, (40, 50, 45), 30.0)
    _, failures = validate(_rows(GOOD), {"a1": ArticleRef(TEXT, None)}, stale, 24)
    names = {f.expectation for f in failures}
    assert {"expect_column_values_to_be_between(hours_since_new_article)",
            "expect_column_values_to_be_between(volume_ratio)",
            "expect_column_values_to_be_between(share_without_count)"} <= names


def test_load_is_idempotent_and_counts_feed_failures_once(tmp_path):
    path = tmp_path / "w.duckdb"
    refs = {"a1": ArticleRef(TEXT, None)}
    batch, _ = validate(_rows(GOOD), refs, _metrics(1), 24)
    now = datetime(2025, 6, 15, tzinfo=UTC)
    run = RunInfo("r1", "feeds", now, now, "test")
    failed = FeedOutcome("http://feed.example/rss", now, ok=False, error="timeout")
    for _ in range(2):
        with writer(path) as con:
            load(con, run, articles=[], aliases=[], validated=batch, rejections=[], outcomes=[failed], summary={})
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM event_rows").fetchone()[0] == 1
    assert con.execute("SELECT consecutive_failures FROM feed_state").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 1


def test_volume_drop_is_judged_only_against_a_meaningful_history():
    assert BatchMetrics(0, 0, 0, (), None).volume_ratio() == 1.0  # a new warehouse
    assert BatchMetrics(0, 0, 0, (30, 40), None).volume_ratio() == 1.0  # two days say nothing yet
    assert BatchMetrics(0, 0, 0, (3, 4, 2, 4), None).volume_ratio() == 1.0  # quiet feeds: a quiet day is normal
    assert BatchMetrics(0, 0, 3, (30, 40, 20, 35), None).volume_ratio() == 3 / 35
    _, failures = validate([], {}, BatchMetrics(0, 0, 3, (30, 40, 20, 35), 1.0), 24)
    assert [f.expectation for f in failures] == ["expect_column_values_to_be_between(volume_ratio)"]
    _, failures = validate([], {}, BatchMetrics(0, 0, 0, (3, 4, 2, 4), 1.0), 24)
    assert failures == []


def test_feed_volume_history_counts_feed_articles_per_day(settings):
    from datetime import timedelta

    from pipeline.records import CleanArticle
    from pipeline.validate_history import feed_volume_history

    now = datetime(2025, 6, 20, 12, tzinfo=UTC)
    assert feed_volume_history(settings, now) == (0, (), None)
    loads = {0: 2, 1: 7, 2: 6, 4: 9}  # days ago -> feed articles loaded that day
    for days_ago, n in loads.items():
        at = now - timedelta(days=days_ago, hours=1)
        arts = [CleanArticle(f"d{days_ago}-{i}", f"https://n.example/{days_ago}/{i}", "t", TEXT, None, "en",
                             f"fp{days_ago}-{i}", "feed") for i in range(n)]
        with writer(settings.warehouse, settings.replica_path) as con:
            load(con, RunInfo(f"r{days_ago}", "feeds", at, at, "t"), articles=arts, aliases=[],
                 validated=ValidatedBatch((), ()), rejections=[], outcomes=[], summary={})
    last_day, previous, last = feed_volume_history(settings, now)
    assert last_day == 2 and last == now - timedelta(hours=1)
    assert previous == (7, 6, 0)  # day 4 is the first day ever: not a full day of history, left out


def test_each_quarantined_row_keeps_its_own_observed_value():
    small = replace(GOOD, returned_to=(("Russia", 84), ("Ukraine", 12000)))
    large = replace(GOOD, returned_to=(("Russia", 84), ("Ukraine", 25000)))
    batch, failures = validate(_rows(GOOD, small, large), {"a1": ArticleRef(TEXT, None)}, _metrics(3), 24)
    observed = {q.row.event.returned_to[1][1]: q.observed for q in batch.quarantined}
    assert observed == {12000: "12000", 25000: "25000"}
    (failure,) = failures
    assert failure.as_summary() == {"suite": "event_rows", "expectation": "expect_column_values_to_be_between(count_max)",
                                    "observed": failure.observed, "event_ids": 2}
