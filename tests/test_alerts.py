"""Alerts against real receivers on 127.0.0.1: one mail and one webhook per incident, none for a clean
batch, none for the same failure again, and a delayed alert when the channel was down."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime

import duckdb
import pytest

from pipeline.alerts import alert_for_run
from pipeline.records import Event, EventRow, FeedOutcome, ValidatedBatch
from pipeline.validate_cli import validate_file
from pipeline.warehouse import writer
from pipeline.warehouse.load import RunInfo, load
from tests.alert_receivers import SmtpReceiver, WebhookReceiver, free_port

TEXT = "On Saturday Russia and Ukraine exchanged 84 prisoners each, officials said."
GOOD = Event("prisoner_exchange", "conducted", date(2025, 6, 14), "day", ("Russia", "Ukraine"),
             (("Russia", 84), ("Ukraine", 84)), "exact", (), (), None, TEXT, (0, len(TEXT)), 0.9)
BAD = replace(GOOD, status="rumoured")


@pytest.fixture
def receivers():
    smtp, hook = SmtpReceiver().start(), WebhookReceiver().start()
    yield smtp, hook
    smtp.stop()
    hook.stop()


def _with_channels(settings, smtp_url: str, hook_url: str):
    return settings.with_(smtp_url=smtp_url, alert_email_to=("analysts@example.org",),
                          alert_webhook_url=hook_url)


def _files(tmp_path, name: str, *events: Event):
    events_path, docs_path = tmp_path / f"{name}.events.jsonl", tmp_path / f"{name}.docs.jsonl"
    events_path.write_text("".join(json.dumps({"id": "doc1", **e.to_json()}) + "\n" for e in events))
    docs_path.write_text(json.dumps({"id": "doc1", "text": TEXT, "published": "2025-06-15", "url": None}) + "\n")
    return events_path, docs_path


def _validate(settings, tmp_path, run_id: str, *events: Event) -> int:
    events_path, docs_path = _files(tmp_path, run_id, *events)
    return validate_file(settings, events_path, docs_path, run_id, io.StringIO())


def _db(settings):
    return duckdb.connect(str(settings.replica_path), read_only=True)


def test_failing_batch_quarantines_rows_and_sends_one_mail_and_one_webhook(settings, tmp_path, receivers):
    smtp, hook = receivers
    settings = _with_channels(settings, smtp.url, hook.url)
    assert _validate(settings, tmp_path, "v1", GOOD, BAD) == 1
    with _db(settings) as con:
        quarantined = con.execute("SELECT event_id, expectation, run_id FROM quarantine").fetchall()
        alerts = con.execute("SELECT channel, state, attempts FROM alerts ORDER BY channel").fetchall()
    assert [(q[1], q[2]) for q in quarantined] == [("expect_column_values_to_be_in_set(status)", "v1")]
    assert alerts == [("email", "sent", 1), ("webhook", "sent", 1)]
    assert len(smtp.messages) == 1 and len(hook.posts) == 1
    mail = smtp.messages[0]
    body = mail.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert mail["X-Envelope-To"] == "analysts@example.org"
    assert "v1" in mail["Subject"] and "1 row quarantined" in mail["Subject"]
    assert "expect_column_values_to_be_in_set(status)" in body and '["rumoured"]' in body
    assert "select * from quarantine where run_id = 'v1'" in body
    assert "file://" in body and "v1.html" in body
    post = hook.posts[0]
    assert post["text"].strip() == body.strip()
    assert {b["type"] for b in post["blocks"]} >= {"header", "section", "context"}
    assert any("select * from quarantine where run_id = 'v1'" in json.dumps(b) for b in post["blocks"])


def test_clean_batch_sends_nothing(settings, tmp_path, receivers):
    smtp, hook = receivers
    settings = _with_channels(settings, smtp.url, hook.url)
    assert _validate(settings, tmp_path, "clean", GOOD) == 0
    assert smtp.messages == [] and hook.posts == []
    with _db(settings) as con:
        assert con.execute("SELECT count(*) FROM alerts").fetchone()[0] == 0


def test_same_failure_on_the_next_run_does_not_alert_again_until_it_clears(settings, tmp_path, receivers):
    smtp, hook = receivers
    settings = _with_channels(settings, smtp.url, hook.url)
    other_bad = replace(BAD, confidence=0.5, evidence_span=(3, len(TEXT)), evidence=TEXT[3:])
    huge = replace(GOOD, returned_to=(("Russia", 12000), ("Ukraine", 12000)))
    assert _validate(settings, tmp_path, "r1", BAD) == 1
    assert _validate(settings, tmp_path, "r2", other_bad) == 1  # new row, same failing check
    assert len(smtp.messages) == 1 and len(hook.posts) == 1
    assert _validate(settings, tmp_path, "r3", GOOD) == 0  # passes once: not cleared yet
    assert _validate(settings, tmp_path, "r4", BAD, huge) == 1  # status flaps (no alert); count_max is new
    assert len(smtp.messages) == 2 and len(hook.posts) == 2
    assert "1 check(s) newly failing" in smtp.messages[1]["Subject"]
    assert "(still failing; alerted before)" in hook.posts[1]["text"]
    for run in ("r5", "r6", "r7"):  # three passing runs clear both incidents
        assert _validate(settings, tmp_path, run, GOOD) == 0
    assert _validate(settings, tmp_path, "r8", BAD) == 1  # fails again: a new incident
    assert len(smtp.messages) == 3 and len(hook.posts) == 3
    with _db(settings) as con:
        incidents = con.execute("SELECT opened_run_id, labels->>'$[0]', state, cleared_run_id FROM incidents "
                                "ORDER BY opened_at, opened_run_id").fetchall()
    status, count_max = ("event_rows:expect_column_values_to_be_in_set(status)",
                         "event_rows:expect_column_values_to_be_between(count_max)")
    assert incidents == [("r1", status, "cleared", "r7"), ("r4", count_max, "cleared", "r7"),
                         ("r8", status, "open", None)]


def test_channel_down_the_run_completes_and_the_alert_goes_out_next_time(settings, tmp_path):
    smtp_port = free_port()  # nothing listens here yet
    hook = WebhookReceiver().start()
    hook.status = 500
    settings = _with_channels(settings, f"smtp://127.0.0.1:{smtp_port}", hook.url)
    try:
        assert _validate(settings, tmp_path, "down", GOOD, BAD) == 1
        with _db(settings) as con:
            assert con.execute("SELECT count(*) FROM quarantine WHERE run_id = 'down'").fetchone()[0] == 1
            states = con.execute("SELECT channel, state, attempts, last_error IS NOT NULL FROM alerts "
                                 "ORDER BY channel").fetchall()
        assert states == [("email", "failed", 1, True), ("webhook", "failed", 1, True)]
        smtp = SmtpReceiver(smtp_port).start()
        hook.status = 200
        try:
            assert _validate(settings, tmp_path, "later", GOOD) == 0  # a clean run flushes the outbox
        finally:
            smtp.stop()
    finally:
        hook.stop()
    assert len(smtp.messages) == 1 and "down" in smtp.messages[0]["Subject"]
    assert len(hook.posts) == 1 and "down" in hook.posts[0]["text"]
    with _db(settings) as con:
        assert con.execute("SELECT channel, state, attempts FROM alerts ORDER BY channel").fetchall() == [
            ("email", "sent", 2), ("webhook", "sent", 2)]


def _load_run(settings, run_id: str, rows=(), outcomes=(), quarantined=(), failures=()):
    now = datetime(2025, 6, 15, tzinfo=UTC)
    summary = {"kind": "feeds", "events_extracted": len(rows) + len(quarantined), "events_passed": len(rows),
               "events_quarantined": len(quarantined), "validation_failures": list(failures)}
    with writer(settings.warehouse, settings.replica_path) as con:
        load(con, RunInfo(run_id, "feeds", now, now, "test"), articles=[], aliases=[],
             validated=ValidatedBatch(tuple(rows), tuple(quarantined)), rejections=[], outcomes=list(outcomes),
             summary=summary, backoff_after=settings.failure_backoff_after)
    return {**summary, "run_id": run_id}


def test_feed_crossing_the_failure_threshold_alerts_once(settings, receivers):
    smtp, hook = receivers
    settings = _with_channels(settings, smtp.url, hook.url).with_(failure_backoff_after=2)
    url = "http://127.0.0.1:9/broken.xml"
    at = datetime(2025, 6, 15, tzinfo=UTC)
    fail = FeedOutcome(url, at, ok=False, error="connection refused")
    for i in range(1, 5):
        alert_for_run(settings, f"f{i}", _load_run(settings, f"f{i}", outcomes=[fail]))
        assert len(hook.posts) == (0 if i < 2 else 1), i
    assert url in hook.posts[0]["text"] and "connection refused" in hook.posts[0]["text"]
    alert_for_run(settings, "ok", _load_run(settings, "ok", outcomes=[FeedOutcome(url, at, ok=True)]))
    for i in range(5, 7):
        alert_for_run(settings, f"f{i}", _load_run(settings, f"f{i}", outcomes=[fail]))
    assert len(hook.posts) == 2 and len(smtp.messages) == 2  # it recovered, then failed past the threshold again


def test_without_channels_the_alert_is_logged_and_recorded(settings, tmp_path, caplog):
    assert _validate(settings, tmp_path, "nochan", BAD) == 1
    assert "ALERT (no channel configured)" in caplog.text and "nochan" in caplog.text
    with _db(settings) as con:
        assert con.execute("SELECT channel, state FROM alerts").fetchall() == [("log", "sent")]


def test_a_rows_free_run_does_not_clear_a_row_level_incident(settings, receivers):
    smtp, hook = receivers
    settings = _with_channels(settings, smtp.url, hook.url)
    failure = {"suite": "event_rows", "expectation": "expect_column_values_to_be_in_set(status)",
               "observed": '["rumoured"]', "event_ids": 1}
    bad = EventRow(BAD.event_id("a1"), "a1", BAD)
    from pipeline.records import QuarantinedRow

    q = QuarantinedRow(bad, "event_rows", failure["expectation"], failure["observed"])
    alert_for_run(settings, "x1", _load_run(settings, "x1", quarantined=[q], failures=[failure]))
    alert_for_run(settings, "x2", _load_run(settings, "x2"))  # nothing new arrived
    alert_for_run(settings, "x3", _load_run(settings, "x3", quarantined=[q], failures=[failure]))
    assert len(hook.posts) == 1 and len(smtp.messages) == 1


def test_a_failed_task_alerts_once_until_a_run_completes(settings, receivers):
    from pipeline.alerts import alert_task_failure

    smtp, hook = receivers
    settings = _with_channels(settings, smtp.url, hook.url)
    alert_task_failure(settings, "t1", "load", "TransientError('warehouse is locked')")
    alert_task_failure(settings, "t2", "load", "TransientError('warehouse is locked')")  # still failing
    assert len(hook.posts) == 1 and "task load failed in run t1" in hook.posts[0]["text"]
    assert "warehouse is locked" in smtp.messages[0].get_payload(decode=True).decode()
    alert_for_run(settings, "t3", _load_run(settings, "t3"))  # a run got through: the incident clears
    alert_task_failure(settings, "t4", "load", "OSError('disk full')")
    assert len(hook.posts) == 2 and "disk full" in hook.posts[1]["text"]


def test_the_dag_failure_callback_calls_the_library(settings, receivers, monkeypatch):
    import sys
    from types import SimpleNamespace

    from tests.conftest import REPO

    smtp, hook = receivers
    monkeypatch.syspath_prepend(str(REPO / "dags"))
    for name, value in {"PIPELINE_WAREHOUSE": settings.warehouse, "PIPELINE_REPORTS_DIR": settings.reports_dir,
                        "PIPELINE_ALERT_WEBHOOK_URL": hook.url, "PIPELINE_SMTP_URL": ""}.items():
        monkeypatch.setenv(name, str(value))
    sys.modules.pop("_adapter", None)
    from _adapter import on_task_failure

    context = {"dag_run": SimpleNamespace(run_id="scheduled__2025-06-15T12:00:00+00:00"),
               "task_instance": SimpleNamespace(task_id="transform"), "exception": ValueError("boom")}
    on_task_failure(context)
    assert len(hook.posts) == 1 and smtp.messages == []
    assert "task transform failed in run scheduled__2025-06-15T12_00_00_00_00" in hook.posts[0]["text"]
    assert "ValueError('boom')" in hook.posts[0]["text"]


def test_a_second_sender_skips_alerts_another_one_has_claimed(settings, tmp_path):
    from datetime import timedelta

    from pipeline.alerts import CLAIM_TIMEOUT, _due_alerts

    hook_down = f"http://127.0.0.1:{free_port()}/hook"
    assert _validate(_with_channels(settings, "", hook_down), tmp_path, "c1", BAD) == 1  # queued, failed once
    now = datetime.now(UTC)
    with writer(settings.warehouse) as con:
        first = _due_alerts(con, now)
        second = _due_alerts(con, now + timedelta(seconds=1))
        after_timeout = _due_alerts(con, now + CLAIM_TIMEOUT + timedelta(seconds=2))
    assert [a[1] for a in first] == ["webhook"] and second == []
    assert [a[0] for a in after_timeout] == [a[0] for a in first]  # a sender that died is replaced


def test_a_quiet_run_writes_its_report_but_not_the_warehouse(settings):
    summary = _load_run(settings, "quiet-1", rows=[EventRow(GOOD.event_id("a1"), "a1", GOOD)])
    alert_for_run(settings, "quiet-1", summary)  # first step of a new warehouse: creates the tables
    summary = _load_run(settings, "quiet-2", rows=[EventRow(GOOD.event_id("a1"), "a1", GOOD)])
    published = settings.replica_path.stat().st_mtime_ns
    result = alert_for_run(settings, "quiet-2", summary)
    assert settings.replica_path.stat().st_mtime_ns == published  # no second copy published
    assert result["report"].endswith("quiet-2.html") and (settings.reports_dir / "quiet-2.html").exists()
