"""One HTML page per validation run: what failed, what was observed, and the rows with their evidence.

Rendered here from the run's summary and its quarantine rows (no template engine, no script):
``<PIPELINE_REPORTS_DIR>/<run_id>.html``. Alerts link to it (``report_link``).
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import duckdb

from pipeline.settings import Settings

MAX_ROWS = 500
STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em;vertical-align:top;text-align:left}
th{background:#eee}.fail{color:#a00}.ok{color:#070}code{background:#f4f4f4;padding:.1em .3em}
blockquote{margin:0;border-left:3px solid #999;padding-left:.5em}"""


def report_path(settings: Settings, run_id: str) -> Path:
    return settings.reports_dir / (re.sub(r"[^A-Za-z0-9._-]", "_", run_id) + ".html")


def report_link(settings: Settings, path: Path) -> str:
    if settings.reports_base_url:
        return settings.reports_base_url.rstrip("/") + "/" + path.name
    return path.resolve().as_uri()


def _expectation_notes() -> dict[str, str]:
    """``suite:expectation label`` -> the suite's stated reason for it."""
    from pipeline.validate import EXPECTATIONS_DIR

    notes = {}
    for path in sorted(EXPECTATIONS_DIR.glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        for exp in suite.get("expectations", []):
            label = f"{exp['type']}({exp['kwargs'].get('column', '')})"
            notes[f"{suite['name']}:{label}"] = (exp.get("meta") or {}).get("why", "")
    return notes


def _quarantined(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple]:
    return con.execute(
        "SELECT q.quarantine_id, q.expectation, q.observed, q.event, q.state, a.url "
        "FROM quarantine_rows q LEFT JOIN articles a USING (article_id) WHERE q.run_id = ? "
        "ORDER BY q.expectation, q.event_id LIMIT ?", [run_id, MAX_ROWS]).fetchall()


def _failures_table(summary: dict, notes: dict[str, str]) -> str:
    failures = summary.get("validation_failures") or []
    if not failures:
        return '<p class="ok" id="outcome">Every expectation passed.</p>'
    rows = "".join(
        f"<tr class=\"fail\"><td>{escape(f['suite'])}</td><td><code>{escape(f['expectation'])}</code></td>"
        f"<td>{f['event_ids'] or 'batch'}</td><td><code>{escape(str(f['observed']))}</code></td>"
        f"<td>{escape(notes.get(f['suite'] + ':' + f['expectation'], ''))}</td></tr>" for f in failures)
    return (f'<p class="fail" id="outcome">{len(failures)} expectation(s) failed.</p>'
            "<table id=\"failures\"><tr><th>suite</th><th>expectation</th><th>rows</th><th>observed</th>"
            f"<th>why it exists</th></tr>{rows}</table>")


def _rows_table(rows: list[tuple]) -> str:
    if not rows:
        return "<p>No row of this run is in quarantine.</p>"
    out = []
    for qid, expectation, observed, event_json, state, url in rows:
        event = json.loads(event_json)
        counts = ", ".join(f"{k}: {v}" for k, v in (event.get("returned_to") or {}).items())
        source = f'<a href="{escape(url)}">{escape(url)}</a>' if url else "(article not stored)"
        out.append(
            f"<tr><td><code>{escape(qid)}</code><br>{escape(state)}</td><td><code>{escape(expectation)}</code>"
            f"<br>observed <code>{escape(str(observed))}</code></td>"
            f"<td>{escape(str(event.get('event_type')))} / {escape(str(event.get('status')))}<br>"
            f"{escape(str(event.get('event_date')))}<br>{escape(' – '.join(event.get('parties') or []))}"
            f"<br>{escape(counts)}</td><td><blockquote>{escape(event.get('evidence') or '(no evidence)')}"
            f"</blockquote>{source}</td></tr>")
    return ("<table id=\"rows\"><tr><th>quarantine id</th><th>failed</th><th>event</th><th>evidence</th></tr>"
            + "".join(out) + "</table>")


def render(run_id: str, summary: dict, rows: list[tuple]) -> str:
    checked = summary.get("events_extracted", summary.get("events_checked", 0))
    query = f"select * from quarantine where run_id = '{run_id}'"
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Validation report: run {escape(run_id)}</title><style>{STYLE}</style></head><body>"
        f"<h1>Validation report</h1><p>Run <code id=\"run-id\">{escape(run_id)}</code> "
        f"({escape(str(summary.get('kind', '')))}): {checked} events checked, "
        f"{summary.get('events_passed', 0)} passed, {summary.get('events_quarantined', 0)} quarantined.</p>"
        f"<h2>Expectations</h2>{_failures_table(summary, _expectation_notes())}"
        f"<h2>Quarantined rows</h2>{_rows_table(rows)}"
        f"<h2>Query</h2><pre>python -m pipeline query \"{escape(query)}\"</pre>"
        "</body></html>")


def write_report(settings: Settings, con: duckdb.DuckDBPyConnection, run_id: str, summary: dict) -> Path:
    """Render the run's page and write it (atomically) under the reports folder."""
    path = report_path(settings, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(render(run_id, summary, _quarantined(con, run_id)), encoding="utf-8")
    tmp.replace(path)
    return path
