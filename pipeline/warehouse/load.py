"""Load stage: one transaction per pass; deterministic ids and ON CONFLICT make reruns harmless.

Rows go in as Arrow tables (never row by row). Articles, events, quarantine, rejections, feed
state and the run record commit together or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.feed_health import record_feed_outcome
from pipeline.records import (
    CleanArticle,
    EventRow,
    FeedOutcome,
    QuarantinedRow,
    Rejection,
    ValidatedBatch,
    stable_id,
)
from pipeline.staged_articles import SCHEMA as STAGED_SCHEMA
from pipeline.warehouse.exchanges import no_gc, reconcile_pending
from pipeline.warehouse.exchanges_pending import Fresh
from pipeline.warehouse.row_keys import ARTICLES, EVENTS, Keyed, add_keys, stored_ids


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    kind: str
    run_after: datetime
    started_at: datetime
    extractor_version: str


@dataclass(frozen=True)
class LoadCounts:
    articles_new: int
    aliases_new: int
    events_new: int
    quarantined_new: int
    rejections_new: int


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _first_per_key(rows: list[dict], key: str) -> list[dict]:
    first: dict[str, dict] = {}
    for r in rows:
        first.setdefault(r[key], r)
    return list(first.values())


# Tables without a primary key (migration 0801: DuckDB rewrites a whole ART index at every checkpoint),
# kept with the 64-bit keys of their ids (``row_keys``): the rows not stored yet are found by their keys.
KEYED = {"articles": ARTICLES, "event_rows": EVENTS}


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], schema: pa.Schema) -> int:
    """Insert the rows not yet there: tables in ``KEYED`` by their ids' keys (the first row of an id in
    the batch wins; articles: ``_insert_articles``), the others by ON CONFLICT on their primary key."""
    if not rows:
        return 0
    if table == "articles":
        raise ValueError("articles go in with their keys: _insert_articles")
    spec = KEYED.get(table)
    if spec is None:
        before = _count(con, table)
        cols = ", ".join(schema.names)
        con.register("_incoming", pa.Table.from_pylist(rows, schema=schema))
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming ON CONFLICT DO NOTHING")
        con.unregister("_incoming")
        return _count(con, table) - before
    return len(_insert_keyed(con, spec, rows, schema))


def _insert_keyed(con: duckdb.DuckDBPyConnection, spec: Keyed, rows: list[dict], schema: pa.Schema) -> list[str]:
    """The rows of ``spec.table`` not stored yet (the first row of an id wins), found by their ids' keys,
    inserted with their keys. Returns the ids inserted."""
    rows = _first_per_key(rows, spec.id_column)
    stored = stored_ids(con, [r[spec.id_column] for r in rows], spec=spec)
    rows = [r for r in rows if r[spec.id_column] not in stored]
    if rows:
        cols = ", ".join(schema.names)
        con.register("_incoming", pa.Table.from_pylist(rows, schema=schema))
        try:
            con.execute(f"INSERT INTO {spec.table} ({cols}) SELECT {cols} FROM _incoming")
            add_keys(con, "_incoming", spec=spec)
        finally:
            con.unregister("_incoming")
    return [r[spec.id_column] for r in rows]


_S = pa.string()
_TS = pa.timestamp("us", tz="UTC")
# the staged article's columns (``pipeline.staged_articles``), then what the load adds
ARTICLE_SCHEMA = pa.schema([*STAGED_SCHEMA, ("run_id", _S), ("loaded_at", _TS)])
ALIAS_SCHEMA = pa.schema([("url", _S), ("article_id", _S), ("reason", _S), ("run_id", _S)])
EVENT_SCHEMA = pa.schema([
    ("event_id", _S), ("article_id", _S), ("event_type", _S), ("status", _S), ("event_date", pa.date32()),
    ("date_precision", _S), ("parties", pa.list_(_S)), ("returned_to", _S), ("count_qualifier", _S),
    ("categories", pa.list_(_S)), ("mediators", pa.list_(_S)), ("location", _S), ("evidence", _S),
    ("evidence_start", pa.int32()), ("evidence_end", pa.int32()), ("confidence", pa.float64()),
    ("extractor_version", _S), ("run_id", _S), ("loaded_at", _TS)])
QUARANTINE_SCHEMA = pa.schema([("quarantine_id", _S), ("event_id", _S), ("article_id", _S), ("event", _S),
                               ("suite", _S), ("expectation", _S), ("observed", _S), ("run_id", _S),
                               ("created_at", _TS)])
REJECTION_SCHEMA = pa.schema([("rejection_id", _S), ("stage", _S), ("reason", _S), ("subject", _S),
                              ("detail", _S), ("run_id", _S), ("recorded_at", _TS)])


def article_rows(articles: list[CleanArticle], run: RunInfo) -> list[dict]:
    return [{"article_id": a.article_id, "url": a.url, "source": a.source, "feed_url": a.feed_url,
             "title": a.title, "text": a.text, "published": a.published, "language": a.language,
             "fingerprint": a.fingerprint, "run_id": run.run_id, "loaded_at": run.started_at}
            for a in articles]


def event_rows(rows: tuple[EventRow, ...], run: RunInfo) -> list[dict]:
    out = []
    for r in rows:
        e = r.event
        out.append({"event_id": r.event_id, "article_id": r.article_id, "event_type": e.event_type,
                    "status": e.status, "event_date": e.event_date, "date_precision": e.date_precision,
                    "parties": list(e.parties), "returned_to": json.dumps(dict(e.returned_to)),
                    "count_qualifier": e.count_qualifier, "categories": list(e.categories),
                    "mediators": list(e.mediators), "location": e.location, "evidence": e.evidence,
                    "evidence_start": e.evidence_span[0], "evidence_end": e.evidence_span[1],
                    "confidence": e.confidence, "extractor_version": run.extractor_version,
                    "run_id": run.run_id, "loaded_at": run.started_at})
    return out


def quarantine_rows(rows: tuple[QuarantinedRow, ...], run: RunInfo) -> list[dict]:
    return [{"quarantine_id": stable_id(q.row.event_id, q.suite, q.expectation),
             "event_id": q.row.event_id, "article_id": q.row.article_id,
             "event": json.dumps(q.row.event.to_json(), ensure_ascii=False), "suite": q.suite,
             "expectation": q.expectation, "observed": q.observed, "run_id": run.run_id,
             "created_at": run.started_at} for q in rows]


def rejection_rows(rejections: list[Rejection], run: RunInfo) -> list[dict]:
    return [{"rejection_id": stable_id(r.stage, r.subject, r.reason), "stage": r.stage, "reason": r.reason,
             "subject": r.subject, "detail": r.detail, "run_id": run.run_id, "recorded_at": run.started_at}
            for r in rejections]


def _insert_staged_articles(con: duckdb.DuckDBPyConnection, path: Path, run: RunInfo) -> list[str]:
    """Insert the articles staged by transform (``pipeline.staged_articles``) straight from their Parquet
    file: DuckDB reads it, so the batch's texts are never Python objects here (the first row of an
    article id wins, as in ``_insert``, found on the id column alone: a window over whole rows held
    every text in memory once more)."""
    if not path.exists():
        raise FileNotFoundError(f"staged articles {path} are missing: rerun the pass from its transform stage")
    con.execute("CREATE OR REPLACE TEMP TABLE _staged_first AS SELECT article_id, min(file_row_number) AS first "
                "FROM read_parquet(?, file_row_number = true) GROUP BY article_id", [str(path)])
    try:
        ids = [r[0] for r in con.execute("SELECT article_id FROM _staged_first").fetchall()]
        stored = stored_ids(con, ids)
        if stored:
            con.execute("DELETE FROM _staged_first WHERE list_contains(?::VARCHAR[], article_id)", [sorted(stored)])
        cols = ", ".join(STAGED_SCHEMA.names)
        fresh = ("(SELECT {cols} FROM read_parquet(?, file_row_number = true) i SEMI JOIN _staged_first f "
                 "ON f.article_id = i.article_id AND f.first = i.file_row_number)")
        con.execute(f"INSERT INTO articles ({cols}, run_id, loaded_at) SELECT {cols}, ?, ? FROM "
                    + fresh.format(cols=cols), [run.run_id, run.started_at, str(path)])
        add_keys(con, fresh.format(cols="article_id, fingerprint"), [str(path)])
    finally:
        con.execute("DROP TABLE IF EXISTS _staged_first")
    return [i for i in ids if i not in stored]


def _insert_articles(con: duckdb.DuckDBPyConnection, articles: list[CleanArticle] | Path, run: RunInfo,
                     ) -> list[str]:
    """The articles not stored yet (the first row of an id wins), found by their keys (``article_keys``),
    and their keys with them. Returns the ids inserted."""
    if isinstance(articles, Path):
        return _insert_staged_articles(con, articles, run)
    return _insert_keyed(con, ARTICLES, article_rows(articles, run), ARTICLE_SCHEMA)


def load(con: duckdb.DuckDBPyConnection, run: RunInfo, *, articles: list[CleanArticle] | Path,
         aliases: list[tuple[str, str, str]], validated: ValidatedBatch, rejections: list[Rejection],
         outcomes: list[FeedOutcome], summary: dict, backoff_after: int = 3,
         min_refresh: timedelta = timedelta(minutes=10)) -> LoadCounts:
    """Write one pass in one transaction. Rows already present are left as they are.

    ``articles``: the clean articles, or the Parquet file transform staged them in."""
    with no_gc():
        return _load(con, run, articles, aliases, validated, rejections, outcomes, summary, backoff_after,
                     min_refresh)


def _load(con: duckdb.DuckDBPyConnection, run: RunInfo, articles: list[CleanArticle] | Path,
          aliases: list[tuple[str, str, str]], validated: ValidatedBatch, rejections: list[Rejection],
          outcomes: list[FeedOutcome], summary: dict, backoff_after: int, min_refresh: timedelta) -> LoadCounts:
    con.execute("BEGIN TRANSACTION")
    try:
        inserted = _insert_articles(con, articles, run)
        counts = LoadCounts(
            articles_new=len(inserted),
            aliases_new=_insert(con, "article_aliases",
                                [{"url": u, "article_id": a, "reason": why, "run_id": run.run_id}
                                 for u, a, why in aliases], ALIAS_SCHEMA),
            events_new=_insert(con, "event_rows", event_rows(validated.passed, run), EVENT_SCHEMA),
            quarantined_new=_insert(con, "quarantine_rows", quarantine_rows(validated.quarantined, run),
                                    QUARANTINE_SCHEMA),
            rejections_new=_insert(con, "rejections", rejection_rows(rejections, run), REJECTION_SCHEMA),
        )
        reconciled = reconcile_pending(con, run.run_id, run.started_at,  # claims -> exchanges (issue 7)
                                       fresh=Fresh(frozenset(inserted), run.started_at))
        for outcome in outcomes:
            record_feed_outcome(con, outcome, run.run_id, backoff_after, min_refresh)
        summary = {**summary, **counts.__dict__, "exchanges": reconciled}
        con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, 'completed', ?) ON CONFLICT (run_id) DO UPDATE SET "
            "finished_at = excluded.finished_at, status = excluded.status, summary = excluded.summary",
            [run.run_id, run.kind, run.run_after, run.started_at, datetime.now(UTC), json.dumps(summary)],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return counts
