"""``python -m pipeline quarantine list|show|release|discard``: the quarantine from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from pipeline.cli import command
from pipeline.settings import Settings

LIST_COLUMNS = "quarantine_id, event_id, suite, expectation, observed, run_id, state, resolved_run_id"


def _args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True)
    ls = sub.add_parser("list", help="quarantine rows, newest first")
    ls.add_argument("--state", choices=("open", "released", "discarded", "all"), default="all")
    ls.add_argument("--run", help="only rows found by this run")
    ls.add_argument("--expectation", help="only rows whose expectation contains this text")
    ls.add_argument("--format", choices=("table", "csv", "json"), default="table")
    show = sub.add_parser("show", help="one row: the event, its evidence, its article, what was decided")
    show.add_argument("id", help="quarantine id (or a unique prefix of 6+ characters)")
    rel = sub.add_parser("release", help="validate again and load what passes now (one transaction)")
    which = rel.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", help="quarantine id (or a unique prefix)")
    which.add_argument("--all", action="store_true", help="every open row")
    rel.add_argument("--expectation", help="only rows whose expectation contains this text")
    rel.add_argument("--run-id", help="run identity (default: release-<timestamp>)")
    dis = sub.add_parser("discard", help="drop a row's event on purpose; the reason is recorded")
    dis.add_argument("id", help="quarantine id (or a unique prefix)")
    dis.add_argument("--reason", required=True)
    dis.add_argument("--run-id", help="run identity (default: discard-<timestamp>)")
    for parser in (ls, show, rel, dis):
        parser.add_argument("--warehouse", type=Path, help="DuckDB file (default: PIPELINE_WAREHOUSE)")


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.query import run_query

    where = []
    if args.state != "all":
        where.append(f"state = {_sql_literal(args.state)}")
    if args.run:
        where.append(f"run_id = {_sql_literal(args.run)}")
    if args.expectation:
        where.append(f"contains(expectation, {_sql_literal(args.expectation)})")
    sql = (f"SELECT {LIST_COLUMNS} FROM quarantine" + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY created_at DESC, quarantine_id")
    return run_query(settings, sql, args.format, sys.stdout)


def _show(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.quarantine import resolve_id
    from pipeline.warehouse import connect_reader

    con = connect_reader(settings.warehouse, settings.replica_path)
    try:
        qid = resolve_id(con, args.id)
        cur = con.execute("SELECT q.*, a.url AS article_url, a.published AS article_published FROM quarantine q "
                          "LEFT JOIN articles a USING (article_id) WHERE quarantine_id = ?", [qid])
        row = dict(zip([d[0] for d in cur.description], cur.fetchone() or (), strict=True))
        actions = con.execute("SELECT action, reason, run_id, acted_at FROM quarantine_actions "
                              "WHERE quarantine_id = ? ORDER BY acted_at", [qid]).fetchall()
    finally:
        con.close()
    event = json.loads(row.pop("event"))
    for key, value in row.items():
        print(f"{key}: {'' if value is None else value}")
    print("event:")
    print(json.dumps(event, indent=2, ensure_ascii=False))
    for action, reason, run_id, at in actions:
        print(f"decision: {action} by run {run_id} at {at}" + (f": {reason}" if reason else ""))
    return 0


def _release(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.quarantine import release

    now = datetime.now(UTC)
    run_id = args.run_id or "release-" + now.strftime("%Y%m%dT%H%M%S%fZ")
    result = release(settings, run_id, now, None if args.all else [args.id], args.expectation)
    print(f"release run {run_id}: {result.events_checked} events checked, {result.events_released} released "
          f"({result.events_loaded} newly loaded), {result.events_still_failing} still failing")
    for event_id, expectations in result.still_failing.items():
        print(f"  still failing: event {event_id}: {', '.join(sorted(set(expectations)))}")
    return 0


def _discard(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.quarantine import discard

    now = datetime.now(UTC)
    run_id = args.run_id or "discard-" + now.strftime("%Y%m%dT%H%M%S%fZ")
    qids = discard(settings, args.id, args.reason, run_id, now)
    print(f"discarded {len(qids)} quarantine row(s) of the event ({', '.join(qids)}); reason recorded (run {run_id})")
    return 0


@command("quarantine", "list, show, release (validate again and load what passes) or discard quarantined rows",
         _args)
def cmd_quarantine(args: argparse.Namespace, settings: Settings) -> int:
    return {"list": _list, "show": _show, "release": _release, "discard": _discard}[args.action](args, settings)
