"""``python -m pipeline``: the command line. Each command is a thin wrapper over library functions.

Commands register themselves in ``COMMANDS`` (name -> (add_arguments, handler)); a test checks
that every command is documented in the README.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from pipeline.settings import Settings

Handler = Callable[[argparse.Namespace, Settings], int]
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {}


def command(name: str, help_text: str, add_arguments: Callable[[argparse.ArgumentParser], None]):
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = (help_text, add_arguments, handler)
        return handler

    return register


def progress_printer(settings: Settings) -> Callable[[str], None]:
    enabled = settings.progress == "always" or (settings.progress == "auto" and sys.stderr.isatty())

    def show(message: str) -> None:
        if enabled:
            print(message, file=sys.stderr, flush=True)

    return show


def _warehouse_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--warehouse", type=Path, help="DuckDB file (default: PIPELINE_WAREHOUSE)")


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--feed", action="append", default=[], metavar="URL", help="fetch only this feed (repeatable)")
    p.add_argument("--run-id", help="run identity (default: manual-<timestamp>)")
    _warehouse_arg(p)


def _summary_line(s: dict) -> str:
    return (f"{s['kind']} run {s['run_id']}: articles seen {s['articles_fetched'] + s['articles_already_stored']}, "
            f"new {s['articles_new']}, rejected {s['articles_rejected']}, duplicates {s['articles_duplicate']}; "
            f"events loaded {s['events_new']} (extracted {s['events_extracted']}), "
            f"quarantined {s['events_quarantined']}; feeds {s['feeds_total']}, failed {s['feeds_failed']}, "
            f"not modified {s['feeds_not_modified']}, skipped {s['feeds_skipped']}; "
            f"entries dropped as irrelevant {s['entries_dropped_irrelevant']}")


@command("run", "one full pass: seeds on a new warehouse, then fetch, clean, extract, validate, load", _run_args)
def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.run import run_pass

    summaries = run_pass(settings, run_id=args.run_id, feed_urls=args.feed or None,
                         progress=progress_printer(settings))
    for s in summaries:
        print(_summary_line(s))
        for f in s.get("validation_failures", []):
            print(f"  validation: {f['suite']} {f['expectation']} failed (rows: {f['event_ids']}) observed {f['observed']}")
    print(f"warehouse: {settings.warehouse}  (read-only copy for queries: {settings.replica_path})")
    return 0


def _extract_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input", required=True, type=Path, help="DOCS.jsonl")
    p.add_argument("--output", required=True, type=Path, help="EVENTS.jsonl")


@command("extract", "extraction only: DOCS.jsonl in, one line of events per document out", _extract_args)
def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.extract import extract_events
    from pipeline.records import Document

    n_docs = n_events = 0
    with args.input.open(encoding="utf-8") as src, args.output.open("w", encoding="utf-8") as dst:
        for lineno, line in enumerate(src, start=1):
            if not line.strip():
                continue
            try:
                doc = Document.from_json(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                print(f"{args.input}:{lineno}: not a document line: {exc}", file=sys.stderr)
                return 2
            events = [e.to_json() for e in extract_events(doc)]
            dst.write(json.dumps({"id": doc.id, "events": events}, ensure_ascii=False) + "\n")
            n_docs += 1
            n_events += len(events)
    print(f"extracted {n_events} events from {n_docs} documents into {args.output}", file=sys.stderr)
    return 0


def _query_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("sql")
    _warehouse_arg(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")


@command("query", "read-only SQL against the warehouse (never waits for a running load)", _query_args)
def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.query import run_query

    return run_query(settings, args.sql, args.format, sys.stdout)


def _validate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input", required=True, type=Path, help="EVENTS.jsonl: an EVENT plus its document `id` a line")
    p.add_argument("--docs", type=Path, help="DOCS.jsonl with the documents (default: the warehouse's articles)")
    _warehouse_arg(p)
    p.add_argument("--run-id", help="run identity (default: validate-<timestamp>)")


@command("validate", "run the expectation suites on a batch of events; quarantine failures; load nothing",
         _validate_args)
def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.validate_cli import validate_file

    return validate_file(settings, args.input, args.docs, args.run_id, sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, add_arguments, _handler) in COMMANDS.items():
        add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: list[str] | None = None) -> int:
    _load_plugins()
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    if getattr(args, "warehouse", None):
        settings = settings.with_(warehouse=args.warehouse, read_replica=None)
    from pipeline.errors import PipelineError

    try:
        return COMMANDS[args.command][2](args, settings)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3 if exc.transient else 2
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


PLUGIN_MODULES: tuple[str, ...] = ("pipeline.export", "pipeline.report", "pipeline.quarantine_cli",
                                   "pipeline.reconcile_cli")  # modules that register more commands (quarantine, report, ...)


def _load_plugins() -> None:
    import importlib

    for name in PLUGIN_MODULES:
        importlib.import_module(name)
