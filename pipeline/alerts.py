"""The alert step: one alert per incident, through an outbox, never a storm, never a failed load.

A *check* is one expectation of one suite (``suite:expectation``), watched per run kind
(``feeds``, ``seed``, ``validate``: the scope). An **incident** opens when a run fails checks that
no open incident of its scope holds; those checks are the incident, and it alerts once. It stays
open while any of its checks keeps failing, and clears after ``CLEAR_AFTER_PASSING_RUNS``
consecutive runs in which none of them failed. A run with no rows cannot tell whether row-level
checks pass: for them it counts as neither failing nor passing. So the same failure on the next
runs never alerts again, a check that flaps does not alert on every flap, and a new kind of failure
alerts at once even while another incident is open.

Tasks (Airflow's task-level failure callback calls ``alert_task_failure``): a task that fails
opens an incident ``task:<task>``; later failures of the same task do not alert again until a run
reaches its alert step (every task succeeded), which clears it.

Feeds: the feeds that reached ``PIPELINE_FAILURE_BACKOFF_AFTER`` consecutive failures in this run
(``pipeline.feed_health.newly_failing``: the load marks them once, and unmarks them when the feed
succeeds again) form one incident.

Opening an incident writes its alerts (one per configured channel, state ``pending``) in the same
transaction: that is the outbox. They are sent after the transaction, outside the writer lock; a
channel that is down leaves the alert ``failed`` and the next run's alert step sends it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb

from pipeline.alert_channels import configured_channels, deliver
from pipeline.records import stable_id
from pipeline.settings import Settings

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
CLEAR_AFTER_PASSING_RUNS = 3
CLAIM_TIMEOUT = timedelta(minutes=5)  # longer than sending can take (two channels, 10 s timeouts)
ROW_SUITE_PREFIX = "event_rows:"


@dataclass(frozen=True)
class Opened:
    incident_key: str
    scope: str
    labels: tuple[str, ...]
    payload: dict


def alert_for_run(settings: Settings, run_id: str, summary: dict | None = None,
                  now: datetime | None = None) -> dict:
    """Write the run's report, record its incidents, and send every alert that is due.

    Never raises: a broken channel or warehouse is logged and reported in the returned dict.
    """
    from pipeline.report_html import report_link, write_report
    from pipeline.warehouse import writer

    now = now or datetime.now(UTC)
    result: dict = {"run_id": run_id, "incidents_opened": [], "sent": [], "failed": [], "report": None}
    try:
        if summary and _quiet_run(settings, run_id, summary):  # the usual case: nothing to write, no copy to publish
            from pipeline.warehouse import connect_reader

            con = connect_reader(settings.warehouse, settings.replica_path)
            try:
                result["report"] = report_link(settings, write_report(settings, con, run_id, summary))
            finally:
                con.close()
            return result
        with writer(settings.warehouse, settings.replica_path) as con:
            summary = summary or _stored_summary(con, run_id)
            report = write_report(settings, con, run_id, summary)
            result["report"] = report_link(settings, report)
            opened = record_incidents(con, settings, run_id, summary, result["report"], now)
            result["incidents_opened"] = [o.incident_key for o in opened]
            due = _due_alerts(con)
    except Exception as exc:  # the alert step must never take the load down with it
        log.exception("alert step of run %s failed", run_id)
        return {**result, "error": repr(exc)[:300]}
    outcomes = [(alert_id, channel, _try_send(settings, channel, payload)) for alert_id, channel, payload in due]
    for alert_id, channel, error in outcomes:
        result["failed" if error else "sent"].append(f"{channel}:{alert_id}")
    if outcomes:
        try:
            with writer(settings.warehouse, settings.replica_path) as con:
                _record_outcomes(con, outcomes, datetime.now(UTC))
        except Exception as exc:
            log.exception("could not record alert outcomes of run %s", run_id)
            result["error"] = repr(exc)[:300]
    return result


def _quiet_run(settings: Settings, run_id: str, summary: dict) -> bool:
    """True when the alert step has nothing to record: no failure, no open incident, nothing due."""
    from pipeline.warehouse import reader

    if summary.get("validation_failures"):
        return False
    con = reader(settings)
    if con is None:
        return False
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if not {"incidents", "alerts", "feed_state"} <= tables:
            return False
        busy = con.execute(
            "SELECT (SELECT count(*) FROM incidents WHERE state = 'open') "
            "+ (SELECT count(*) FROM alerts WHERE state IN ('pending', 'failed') AND attempts < ?) "
            "+ (SELECT count(*) FROM feed_state WHERE alerted_run_id = ?)",
            [MAX_ATTEMPTS, run_id]).fetchone()
        return not (busy and busy[0])
    finally:
        con.close()


def _stored_summary(con: duckdb.DuckDBPyConnection, run_id: str) -> dict:
    row = con.execute("SELECT summary FROM runs WHERE run_id = ?", [run_id]).fetchone()
    return json.loads(row[0]) if row and row[0] else {}


def _try_send(settings: Settings, channel: str, payload: dict) -> str | None:
    if channel == "log":
        log.warning("ALERT (no channel configured): %s", payload["text"])
    try:
        deliver(settings, channel, payload)
    except Exception as exc:  # ChannelError, or anything unforeseen: the alert step must not raise
        log.warning("alert over %s failed; it will be retried on the next run: %s", channel, exc)
        return str(exc)
    return None


def _due_alerts(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> list[tuple[str, str, dict]]:
    """Alerts still to send, claimed by this sender so that a concurrent alert step skips them."""
    now = now or datetime.now(UTC)
    con.execute("BEGIN TRANSACTION")
    rows = con.execute("SELECT alert_id, channel, payload FROM alerts WHERE state IN ('pending', 'failed') "
                       "AND attempts < ? AND (claimed_at IS NULL OR claimed_at < ?) ORDER BY created_at, alert_id",
                       [MAX_ATTEMPTS, now - CLAIM_TIMEOUT]).fetchall()
    con.execute("UPDATE alerts SET claimed_at = ? WHERE list_contains(?, alert_id)", [now, [r[0] for r in rows]])
    con.execute("COMMIT")
    return [(r[0], r[1], json.loads(r[2])) for r in rows]


def _record_outcomes(con: duckdb.DuckDBPyConnection, outcomes: list[tuple[str, str, str | None]],
                     at: datetime) -> None:
    con.execute("BEGIN TRANSACTION")
    for alert_id, _channel, error in outcomes:
        con.execute("UPDATE alerts SET state = ?, attempts = attempts + 1, last_error = ?, claimed_at = NULL, "
                    "sent_at = CASE WHEN ? THEN ? ELSE sent_at END WHERE alert_id = ?",
                    ["failed" if error else "sent", error, error is None, at, alert_id])
    con.execute("COMMIT")


def record_incidents(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str, summary: dict,
                     report: str, now: datetime) -> list[Opened]:
    """Open, continue or clear this run's incidents and queue one alert per channel for each new one."""
    from pipeline.alert_messages import feeds_message, validation_message

    con.execute("BEGIN TRANSACTION")
    try:
        opened = []
        scope = f"validation:{summary.get('kind', 'unknown')}"
        failing = {f"{f['suite']}:{f['expectation']}" for f in summary.get("validation_failures") or []}
        has_rows = bool(summary.get("events_extracted", summary.get("events_checked", 0)))
        new = _advance(con, scope, failing, has_rows, run_id, now)
        if new:
            opened.append(_open(con, scope, new, run_id, now,
                                lambda key: validation_message(run_id, summary, key, report, new)))
        con.execute("UPDATE incidents SET state = 'cleared', cleared_at = ?, cleared_run_id = ? "
                    "WHERE starts_with(scope, 'task:') AND state = 'open' AND opened_run_id <> ?",
                    [now, run_id, run_id])  # the run reached its alert step: every task before it succeeded
        if summary.get("kind") == "feeds":
            feeds = _newly_failing_feeds(con, run_id)
            if feeds:
                urls = tuple(f[0] for f in feeds)
                opened.append(_open(con, "feeds", urls, run_id, now,
                                    lambda key: feeds_message(run_id, feeds, settings.failure_backoff_after, key),
                                    state="cleared"))
        for o in opened:
            _queue(con, settings, o, run_id, now)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return opened


def _advance(con: duckdb.DuckDBPyConnection, scope: str, failing: set[str], has_rows: bool, run_id: str,
             now: datetime) -> tuple[str, ...]:
    """Continue or clear the scope's open incidents; return the failing checks no open incident holds."""
    rows = con.execute("SELECT incident_key, labels, last_run_id, passing_runs FROM incidents "
                       "WHERE scope = ? AND state = 'open'", [scope]).fetchall()
    if any(r[2] == run_id for r in rows):
        return ()  # this run was already processed (a re-run of the alert step)
    held: set[str] = set()
    for key, labels_json, _last, passing in rows:
        labels = set(json.loads(labels_json))
        judged = labels if has_rows else {lab for lab in labels if not lab.startswith(ROW_SUITE_PREFIX)}
        if labels & failing:
            passing = 0
        elif judged:
            passing += 1
        cleared = passing >= CLEAR_AFTER_PASSING_RUNS
        con.execute("UPDATE incidents SET last_run_id = ?, runs_seen = runs_seen + 1, passing_runs = ?, state = ?, "
                    "cleared_at = ?, cleared_run_id = ? WHERE incident_key = ?",
                    [run_id, passing, "cleared" if cleared else "open", now if cleared else None,
                     run_id if cleared else None, key])
        if not cleared:
            held |= labels
    return tuple(sorted(failing - held))


def _open(con: duckdb.DuckDBPyConnection, scope: str, labels: tuple[str, ...], run_id: str, now: datetime,
          message, state: str = "open") -> Opened:
    """Record a new incident (``state="cleared"`` for one-shot ones, like feed alerts)."""
    fingerprint = stable_id(*labels)
    key = stable_id(scope, fingerprint, run_id)
    con.execute("INSERT INTO incidents (incident_key, scope, fingerprint, labels, state, opened_run_id, "
                "last_run_id, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [key, scope, fingerprint, json.dumps(list(labels)), state, run_id, run_id, now])
    return Opened(key, scope, labels, message(key))


def _queue(con: duckdb.DuckDBPyConnection, settings: Settings, o: Opened, run_id: str, now: datetime) -> None:
    for channel in configured_channels(settings) or ["log"]:
        con.execute("INSERT INTO alerts (alert_id, incident_key, run_id, channel, state, attempts, created_at, "
                    "payload) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT DO NOTHING",
                    [stable_id(o.incident_key, channel), o.incident_key, run_id, channel, now,
                     json.dumps(o.payload, ensure_ascii=False)])


def _newly_failing_feeds(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple]:
    """Feeds that crossed the failure threshold in this run (the load marked them; each alerts once)."""
    from pipeline.feed_health import newly_failing

    return [(f["feed_url"], f["consecutive_failures"], f["last_error"]) for f in newly_failing(con, run_id)]


def alert_task_failure(settings: Settings, run_id: str, task_id: str, error: str,
                       now: datetime | None = None) -> dict:
    """A task of the run failed for good (after its retries): alert once until a run succeeds again.

    Called from the DAG's task-level ``on_failure_callback``; never raises. When the warehouse
    itself cannot be written, the alert is sent directly (it cannot be deduplicated then).
    """
    from pipeline.alert_messages import task_message
    from pipeline.warehouse import writer

    now = now or datetime.now(UTC)
    scope = f"task:{task_id}"
    try:
        with writer(settings.warehouse, settings.replica_path) as con:
            con.execute("BEGIN TRANSACTION")
            row = con.execute("SELECT incident_key FROM incidents WHERE scope = ? AND state = 'open'",
                              [scope]).fetchone()
            if row:
                con.execute("UPDATE incidents SET last_run_id = ?, runs_seen = runs_seen + 1 WHERE incident_key = ?",
                            [run_id, row[0]])
            else:
                opened = _open(con, scope, (task_id,), run_id, now,
                               lambda key: task_message(run_id, task_id, error, key))
                _queue(con, settings, opened, run_id, now)
            con.execute("COMMIT")
            due = _due_alerts(con)
    except Exception:
        log.exception("could not record the failure of task %s in run %s; sending the alert directly", task_id, run_id)
        payload = task_message(run_id, task_id, error, "unrecorded")
        errors = [_try_send(settings, c, payload) for c in configured_channels(settings) or ["log"]]
        return {"run_id": run_id, "recorded": False, "failed": [e for e in errors if e]}
    outcomes = [(alert_id, channel, _try_send(settings, channel, payload)) for alert_id, channel, payload in due]
    try:
        with writer(settings.warehouse, settings.replica_path) as con:
            _record_outcomes(con, outcomes, datetime.now(UTC))
    except Exception:
        log.exception("could not record alert outcomes for task %s of run %s", task_id, run_id)
    return {"run_id": run_id, "recorded": True, "sent": [a for a, _c, e in outcomes if not e],
            "failed": [a for a, _c, e in outcomes if e]}
