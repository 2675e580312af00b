"""The quarantine, worked by hand: release rows that pass now, discard rows on purpose.

A quarantined *event* may have several quarantine rows (one per failed expectation); release and
discard act on the whole event. ``release`` validates the events again with the suites as they are
now and the articles as stored now, then, in one transaction, loads those that pass, marks all
their open rows ``released`` with the release run, records new failures of those that still fail
(they stay open), folds the released claims into exchanges, and writes the run. Nothing is lost (every decision is in
``quarantine_actions``) and nothing is loaded twice (released rows are no longer open; event ids
are primary keys).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb

from pipeline.errors import ConfigError
from pipeline.records import Event, EventRow, QuarantinedRow, stable_id
from pipeline.settings import Settings
from pipeline.warehouse import refs_on, writer
from pipeline.warehouse.exchanges import reconcile_pending
from pipeline.warehouse.load import (
    EVENT_SCHEMA,
    QUARANTINE_SCHEMA,
    RunInfo,
    _insert,
    event_rows,
    quarantine_rows,
)


@dataclass(frozen=True)
class ReleaseResult:
    run_id: str
    events_checked: int
    events_released: int
    events_still_failing: int
    events_loaded: int  # released events new to event_rows (0 for ones already loaded elsewhere)
    still_failing: dict[str, list[str]]  # event_id -> expectations it fails now


def resolve_id(con: duckdb.DuckDBPyConnection, ident: str) -> str:
    """A quarantine id, or an unambiguous prefix of one (at least 6 characters)."""
    if len(ident) < 6:
        raise ConfigError(f"quarantine id {ident!r} is too short: give at least 6 characters")
    rows = con.execute("SELECT quarantine_id FROM quarantine_rows WHERE starts_with(quarantine_id, ?)",
                       [ident]).fetchall()
    if len(rows) != 1:
        raise ConfigError(f"no quarantine row {ident!r}" if not rows else f"{ident!r} matches {len(rows)} rows")
    return rows[0][0]


def _open_events(con: duckdb.DuckDBPyConnection, ids: list[str] | None, expectation: str | None) -> list[tuple]:
    """(event_id, article_id, event JSON, original run) of the events selected, with an open row each."""
    sql = ("SELECT event_id, any_value(article_id), arg_max(event, created_at), arg_min(run_id, created_at) "
           "FROM quarantine_rows WHERE state = 'open' AND event_id IN (SELECT event_id FROM quarantine_rows "
           "WHERE state = 'open'")
    params: list = []
    if ids is not None:
        sql += " AND list_contains(?, quarantine_id)"
        params.append(ids)
    if expectation:
        sql += " AND contains(expectation, ?)"
        params.append(expectation)
    return con.execute(sql + ") GROUP BY event_id ORDER BY event_id", params).fetchall()




def _extractor_version(con: duckdb.DuckDBPyConnection, original_run: str) -> str:
    """Events keep the version that extracted them: the one recorded for the original run's other events."""
    row = con.execute("SELECT any_value(extractor_version) FROM event_rows WHERE run_id = ?", [original_run]).fetchone()
    return row[0] if row and row[0] else "unknown"


def _record(con: duckdb.DuckDBPyConnection, qids: list[str], action: str, reason: str | None, run_id: str,
            now: datetime) -> None:
    for qid in qids:
        con.execute("INSERT INTO quarantine_actions VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [stable_id(qid, action, run_id), qid, action, reason, run_id, now])


def _open_ids(con: duckdb.DuckDBPyConnection, event_ids: list[str]) -> list[str]:
    return [r[0] for r in con.execute("SELECT quarantine_id FROM quarantine_rows WHERE state = 'open' AND "
                                      "list_contains(?, event_id) ORDER BY quarantine_id", [event_ids]).fetchall()]


def _resolve(con: duckdb.DuckDBPyConnection, event_ids: list[str], state: str, run_id: str, now: datetime) -> None:
    con.execute("UPDATE quarantine_rows SET state = ?, resolved_at = ?, resolved_run_id = ? "
                "WHERE state = 'open' AND list_contains(?, event_id)", [state, now, run_id, event_ids])


def _write_run(con: duckdb.DuckDBPyConnection, run_id: str, kind: str, now: datetime, summary: dict) -> None:
    con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, 'completed', ?) ON CONFLICT DO NOTHING",
                [run_id, kind, now, now, now, json.dumps(summary)])


def release(settings: Settings, run_id: str, now: datetime, ids: list[str] | None = None,
            expectation: str | None = None) -> ReleaseResult:
    """Validate the selected open events again; load what passes now, in one transaction."""
    from pipeline.validate import validate_rows

    with writer(settings.warehouse, settings.replica_path) as con:
        ids = None if ids is None else [resolve_id(con, i) for i in ids]
        selected = _open_events(con, ids, expectation)
        rows = [EventRow(eid, aid, Event.from_json(json.loads(ev))) for eid, aid, ev, _run in selected]
        original = {eid: run for eid, _aid, _ev, run in selected}
        batch, _failures = validate_rows(rows, refs_on(con, {r.article_id for r in rows}))
        passed = [r.event_id for r in batch.passed]
        failing: dict[str, list[str]] = {}
        for q in batch.quarantined:
            failing.setdefault(q.row.event_id, []).append(q.expectation)
        con.execute("BEGIN TRANSACTION")
        try:
            loaded = 0
            for r in batch.passed:
                run = RunInfo(run_id, "release", now, now, _extractor_version(con, original[r.event_id]))
                loaded += _insert(con, "event_rows", event_rows((r,), run), EVENT_SCHEMA)
            _record(con, _open_ids(con, passed), "released", None, run_id, now)
            _record(con, _open_ids(con, list(failing)), "still_failing", None, run_id, now)
            _resolve(con, passed, "released", run_id, now)
            new_failures: tuple[QuarantinedRow, ...] = batch.quarantined
            _insert(con, "quarantine_rows", quarantine_rows(new_failures, RunInfo(run_id, "release", now, now, "")),
                    QUARANTINE_SCHEMA)
            result = ReleaseResult(run_id, len(rows), len(passed), len(failing), loaded, failing)
            exchanges = reconcile_pending(con, run_id, now) if loaded else {}  # released claims join exchanges
            _write_run(con, run_id, "release", now, {"kind": "release", **result.__dict__, "exchanges": exchanges})
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return result


def discard(settings: Settings, ident: str, reason: str, run_id: str, now: datetime) -> list[str]:
    """Discard the event of one quarantine row (all its open rows), with the reason recorded."""
    if not reason.strip():
        raise ConfigError("discarding needs a --reason")
    with writer(settings.warehouse, settings.replica_path) as con:
        qid = resolve_id(con, ident)
        event_id, state = con.execute("SELECT event_id, state FROM quarantine_rows WHERE quarantine_id = ?",
                                      [qid]).fetchone() or (None, None)
        if state != "open":
            raise ConfigError(f"quarantine row {qid} is {state}, not open")
        con.execute("BEGIN TRANSACTION")
        try:
            qids = _open_ids(con, [event_id])
            _record(con, qids, "discarded", reason.strip(), run_id, now)
            _resolve(con, [event_id], "discarded", run_id, now)
            _write_run(con, run_id, "discard", now, {"kind": "discard", "quarantine_ids": qids, "reason": reason})
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return qids
