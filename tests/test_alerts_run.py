"""Alerts from a full pass (run.py: collect, transform, validate, load, alert) on the real stack: feeds
and pages from 127.0.0.1, the real extractor, GX, DuckDB, and real SMTP and webhook receivers.

The suite is tightened for these tests (at most 500 people a side) so that real extracted events
of the fixture site fail it: the 205-for-205 swap passes, the larger handovers are quarantined."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from pipeline import validate
from pipeline.run import run_pass
from pipeline.validate import EXPECTATIONS_DIR
from tests.alert_receivers import SmtpReceiver, WebhookReceiver, free_port


@pytest.fixture
def tight_suite(tmp_path, monkeypatch):
    changed = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, changed)
    suite = json.loads((changed / "event_rows.json").read_text())
    for exp in suite["expectations"]:
        if exp["kwargs"].get("column") == "count_max" and "max_value" in exp["kwargs"]:
            exp["kwargs"]["max_value"] = 500
    (changed / "event_rows.json").write_text(json.dumps(suite))
    monkeypatch.setattr(validate, "EXPECTATIONS_DIR", changed)


@pytest.fixture
def no_seeds(settings, tmp_path):
    (tmp_path / "no-seeds").mkdir()
    return settings.with_(seeds=tmp_path / "no-seeds")


def _q(settings, sql: str):
    con = duckdb.connect(str(settings.replica_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_failing_pass_loads_good_rows_quarantines_bad_ones_and_alerts_once(no_seeds, site_server, tight_suite):
    smtp, hook = SmtpReceiver().start(), WebhookReceiver().start()
    settings = no_seeds.with_(smtp_url=smtp.url, alert_email_to=("desk@example.org",), alert_webhook_url=hook.url)
    feeds = [site_server.url("feed.xml"), site_server.url("feed.atom")]
    try:
        first = run_pass(settings, run_id="pass-1", feed_urls=feeds)[-1]
        second = run_pass(settings, run_id="pass-2", feed_urls=feeds)[-1]  # nothing new: no second alert
    finally:
        smtp.stop()
        hook.stop()
    assert first["events_new"] >= 1 and first["events_quarantined"] >= 2
    assert _q(settings, "SELECT DISTINCT expectation, run_id FROM quarantine") == [
        ("expect_column_values_to_be_between(count_max)", "pass-1")]
    assert second["events_new"] == 0
    assert len(smtp.messages) == 1 and len(hook.posts) == 1
    assert "pass-1" in smtp.messages[0]["Subject"]
    assert "select * from quarantine where run_id = 'pass-1'" in hook.posts[0]["text"]
    assert (settings.reports_dir / "pass-1.html").exists() and (settings.reports_dir / "pass-2.html").exists()


def test_channel_down_the_pass_completes_and_the_alert_is_sent_by_the_next_pass(no_seeds, site_server, tight_suite):
    port = free_port()
    settings = no_seeds.with_(smtp_url=f"smtp://127.0.0.1:{port}", alert_email_to=("desk@example.org",))
    feeds = [site_server.url("feed.xml")]
    first = run_pass(settings, run_id="down-1", feed_urls=feeds)[-1]
    assert first["events_new"] >= 1 and first["events_quarantined"] >= 1  # the load completed
    assert _q(settings, "SELECT state, attempts FROM alerts") == [("failed", 1)]
    smtp = SmtpReceiver(port).start()
    try:
        run_pass(settings, run_id="down-2", feed_urls=feeds)
    finally:
        smtp.stop()
    assert len(smtp.messages) == 1 and "down-1" in smtp.messages[0]["Subject"]
    assert _q(settings, "SELECT state, attempts, run_id FROM alerts") == [("sent", 2, "down-1")]
