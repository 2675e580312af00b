"""The validation report: written for each run, linked from the alert, and shown by a real browser."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from urllib.parse import unquote, urlsplit

import pytest

from pipeline.records import Event
from pipeline.report_html import render
from pipeline.validate_cli import validate_file

TEXT = "On Saturday Russia and Ukraine exchanged 84 prisoners each, officials said."
GOOD = Event("prisoner_exchange", "conducted", date(2025, 6, 14), "day", ("Russia", "Ukraine"),
             (("Russia", 84), ("Ukraine", 84)), "exact", (), (), None, TEXT, (0, len(TEXT)), 0.9)
BAD = replace(GOOD, returned_to=(("Russia", 84), ("Ukraine", 250000)))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _failing_run(settings, tmp_path) -> str:
    """Validate a batch with one implausible count; return the report link the alert carried."""
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps({"id": "d1", **e.to_json()}) + "\n" for e in (GOOD, BAD)))
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"id": "d1", "text": TEXT, "published": "2025-06-15"}) + "\n")
    out = io.StringIO()
    assert validate_file(settings, events, docs, "run-<7>", out) == 1
    from pipeline.warehouse import connect_reader

    con = connect_reader(settings.warehouse, settings.replica_path)
    try:
        (payload,) = con.execute("SELECT payload FROM alerts").fetchone()
    finally:
        con.close()
    link = next(line.split("Report: ", 1)[1] for line in json.loads(payload)["text"].splitlines()
                if line.startswith("Report: "))
    return link


def test_report_is_written_where_the_alert_points(settings, tmp_path):
    link = _failing_run(settings, tmp_path)
    path = unquote(urlsplit(link).path)
    assert link.startswith("file://") and path.startswith(str(settings.reports_dir.resolve()))
    html = open(path, encoding="utf-8").read()
    assert "expect_column_values_to_be_between(count_max)" in html and "250000" in html
    assert "run-&lt;7&gt;" in html and "<7>" not in html  # escaped


def test_report_link_uses_the_base_url_when_set(settings, tmp_path):
    link = _failing_run(settings.with_(reports_base_url="https://reports.example/pipeline/"), tmp_path)
    assert link == "https://reports.example/pipeline/run-_7_.html"


def test_clean_run_report_says_so():
    html = render("r1", {"kind": "feeds", "events_extracted": 3, "events_passed": 3, "validation_failures": []}, [])
    assert "Every expectation passed." in html and "No row of this run is in quarantine." in html


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium); "
                                             ".ci/run installs it")
def test_headless_chromium_shows_the_failure(settings, tmp_path):
    link = _failing_run(settings, tmp_path)
    profile = tmp_path / "chromium-profile"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
           "--dump-dom", link]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    dom = done.stdout
    assert done.returncode == 0, done.stderr[-2000:]
    assert '<p class="fail" id="outcome">1 expectation(s) failed.</p>' in dom
    assert "expect_column_values_to_be_between(count_max)" in dom and "250000" in dom
    assert TEXT in dom  # the row is shown with its evidence
    assert '<code id="run-id">run-&lt;7&gt;</code>' in dom
