"""``python -m pipeline validate`` as CONTRACT.md says: exit 1 when a row failed (and it alerts); the
failing rows land in quarantine and nothing is loaded. (Exit 0 on a clean batch, and the alerting
details, are tested in-process in test_alerts.py: each process here pays the GX import.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date

import duckdb

from pipeline.records import Event
from tests.alert_receivers import WebhookReceiver
from tests.conftest import REPO

TEXT = "On Saturday Russia and Ukraine exchanged 84 prisoners each, officials said."
GOOD = Event("prisoner_exchange", "conducted", date(2025, 6, 14), "day", ("Russia", "Ukraine"),
             (("Russia", 84), ("Ukraine", 84)), "exact", (), (), None, TEXT, (0, len(TEXT)), 0.9)
LATE = replace(GOOD, event_date=date(2025, 6, 30))  # dated after the article that reports it


def _cli(settings, tmp_path, name: str, *events: Event, hook: str = "") -> subprocess.CompletedProcess:
    events_path, docs_path = tmp_path / f"{name}.jsonl", tmp_path / "docs.jsonl"
    events_path.write_text("".join(json.dumps({"id": "d1", **e.to_json()}) + "\n" for e in events))
    docs_path.write_text(json.dumps({"id": "d1", "text": TEXT, "published": "2025-06-15"}) + "\n")
    env = {**os.environ, "PIPELINE_WAREHOUSE": str(settings.warehouse), "PIPELINE_REPORTS_DIR": str(settings.reports_dir),
           "PIPELINE_ALERT_WEBHOOK_URL": hook, "PIPELINE_SMTP_URL": ""}
    return subprocess.run([sys.executable, "-m", "pipeline", "validate", "--input", str(events_path),
                           "--docs", str(docs_path), "--run-id", name], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=300)


def test_validate_exits_1_and_alerts_on_failure(settings, tmp_path):
    hook = WebhookReceiver().start()
    try:
        failing = _cli(settings, tmp_path, "cli-bad", GOOD, LATE, hook=hook.url)
    finally:
        hook.stop()
    assert failing.returncode == 1, failing.stderr[-2000:]
    assert "1 passed, 1 quarantined (run cli-bad)" in failing.stdout
    assert "expect_column_values_to_be_between(days_after_published)" in failing.stdout
    assert len(hook.posts) == 1 and "cli-bad" in hook.posts[0]["text"]
    con = duckdb.connect(str(settings.replica_path), read_only=True)
    try:
        assert con.execute("SELECT run_id FROM quarantine").fetchall() == [("cli-bad",)]
        assert con.execute("SELECT count(*) FROM event_rows").fetchone()[0] == 0  # validate loads nothing
    finally:
        con.close()
