"""Named, ordered migrations, recorded in ``_migrations``. Append new ones; never edit old ones."""

from __future__ import annotations

import duckdb


def _rebuild_without_pk(table: str, not_null: tuple[str, ...]) -> str:
    """The same table (every column, whatever later migrations added) without its primary key."""
    tmp = f"{table}__rebuild"
    return (f"CREATE TABLE {tmp} AS SELECT * FROM {table}; DROP TABLE {table}; ALTER TABLE {tmp} RENAME TO {table};"
            + "".join(f" ALTER TABLE {table} ALTER COLUMN {c} SET NOT NULL;" for c in not_null))


MIGRATIONS: list[tuple[str, str]] = [
    ("0001_core_tables", """
    CREATE TABLE runs (
        run_id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,              -- seed | feeds | validate
        run_after TIMESTAMPTZ,              -- the logical time the run stands for
        started_at TIMESTAMPTZ,
        finished_at TIMESTAMPTZ,
        status VARCHAR NOT NULL,            -- completed | failed
        summary JSON
    );
    CREATE TABLE articles (
        article_id VARCHAR PRIMARY KEY,     -- hash of the canonical URL (seed://FILE for seeds)
        url VARCHAR NOT NULL,
        source VARCHAR NOT NULL,            -- feed | seed
        feed_url VARCHAR,
        title VARCHAR,
        text VARCHAR NOT NULL,
        published DATE,
        language VARCHAR,
        fingerprint VARCHAR NOT NULL,
        run_id VARCHAR NOT NULL,
        loaded_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE article_aliases (          -- other URLs and syndicated copies of a stored text
        url VARCHAR PRIMARY KEY,
        article_id VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,            -- same text (fingerprint) | redirect
        run_id VARCHAR NOT NULL
    );
    CREATE TABLE event_rows (
        event_id VARCHAR PRIMARY KEY,
        article_id VARCHAR NOT NULL,
        event_type VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        event_date DATE,
        date_precision VARCHAR,
        parties VARCHAR[] NOT NULL,
        returned_to JSON NOT NULL,
        count_qualifier VARCHAR,
        categories VARCHAR[] NOT NULL,
        mediators VARCHAR[] NOT NULL,
        location VARCHAR,
        evidence VARCHAR NOT NULL,
        evidence_start INTEGER NOT NULL,
        evidence_end INTEGER NOT NULL,
        confidence DOUBLE NOT NULL,
        extractor_version VARCHAR NOT NULL,
        run_id VARCHAR NOT NULL,
        loaded_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE quarantine_rows (
        quarantine_id VARCHAR PRIMARY KEY,  -- hash of event_id and expectation
        event_id VARCHAR NOT NULL,
        article_id VARCHAR,
        event JSON NOT NULL,                -- the EVENT as extracted, so it can be released later
        suite VARCHAR NOT NULL,
        expectation VARCHAR NOT NULL,
        observed VARCHAR,
        run_id VARCHAR NOT NULL,
        state VARCHAR NOT NULL DEFAULT 'open',  -- open | released | discarded
        created_at TIMESTAMPTZ NOT NULL,
        resolved_at TIMESTAMPTZ,
        resolved_run_id VARCHAR
    );
    CREATE TABLE rejections (
        rejection_id VARCHAR PRIMARY KEY,   -- hash of stage, subject and reason
        stage VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        subject VARCHAR NOT NULL,
        detail VARCHAR,
        run_id VARCHAR NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE feed_state (
        feed_url VARCHAR PRIMARY KEY,
        etag VARCHAR,
        last_modified VARCHAR,
        last_fetched_at TIMESTAMPTZ,
        last_success_at TIMESTAMPTZ,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        last_error VARCHAR,
        last_status INTEGER,
        next_poll_after TIMESTAMPTZ,
        alerted_at TIMESTAMPTZ,
        last_run_id VARCHAR
    );
    """),
    ("0002_contract_views", """
    CREATE OR REPLACE VIEW events AS
    SELECT e.event_id, e.article_id,
           a.url AS source_url,
           e.event_type, e.status, e.event_date, e.date_precision, e.parties, e.returned_to,
           e.count_qualifier, e.categories, e.mediators, e.location, e.evidence,
           [e.evidence_start, e.evidence_end] AS evidence_span, e.confidence,
           e.extractor_version, e.run_id, e.loaded_at
    FROM event_rows e LEFT JOIN articles a USING (article_id);

    CREATE OR REPLACE VIEW quarantine AS
    SELECT quarantine_id, event_id, article_id, suite, expectation, observed, run_id, state,
           created_at, resolved_at, resolved_run_id, event
    FROM quarantine_rows;

    CREATE OR REPLACE VIEW feed_health AS
    SELECT feed_url, last_fetched_at, last_success_at, consecutive_failures, last_error,
           last_status, next_poll_after, etag, last_modified
    FROM feed_state;
    """),
    ("0101_alerts_outbox_and_quarantine_actions", """
    CREATE TABLE incidents (                -- checks that started failing in one run; alerts once, when opened
        incident_key VARCHAR PRIMARY KEY,   -- hash of scope, fingerprint and the run that opened it
        scope VARCHAR NOT NULL,             -- validation:<run kind> | feeds
        fingerprint VARCHAR NOT NULL,       -- hash of the sorted labels
        labels JSON NOT NULL,               -- failing suite:expectation labels, or feed URLs
        state VARCHAR NOT NULL,             -- open | cleared
        opened_run_id VARCHAR NOT NULL,
        last_run_id VARCHAR NOT NULL,       -- the last run that saw it (failing or passing)
        runs_seen INTEGER NOT NULL DEFAULT 1,
        passing_runs INTEGER NOT NULL DEFAULT 0,  -- consecutive runs in which none of its checks failed
        opened_at TIMESTAMPTZ NOT NULL,
        cleared_at TIMESTAMPTZ,
        cleared_run_id VARCHAR
    );
    CREATE TABLE alerts (                   -- the outbox: written with the incident, sent afterwards
        alert_id VARCHAR PRIMARY KEY,       -- hash of incident_key and channel
        incident_key VARCHAR NOT NULL,
        run_id VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,           -- email | webhook | log
        state VARCHAR NOT NULL,             -- pending | sent | failed
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error VARCHAR,
        created_at TIMESTAMPTZ NOT NULL,
        sent_at TIMESTAMPTZ,
        payload JSON NOT NULL,
        claimed_at TIMESTAMPTZ              -- a sender took it (another sender skips it for a while)
    );
    CREATE TABLE quarantine_actions (       -- every release / discard decision, on purpose and recorded
        action_id VARCHAR PRIMARY KEY,
        quarantine_id VARCHAR NOT NULL,
        action VARCHAR NOT NULL,            -- released | discarded | still_failing
        reason VARCHAR,
        run_id VARCHAR NOT NULL,
        acted_at TIMESTAMPTZ NOT NULL
    );
    """),
    ("0401_feeds_alerted_run", """
    ALTER TABLE feed_state ADD COLUMN alerted_run_id VARCHAR;  -- the run whose failure raised the alert
    """),
    # Bench (issue 8): DuckDB rewrites a table's whole ART index at every checkpoint, so the primary keys
    # of the two big tables made each load into 1M articles cost ~3 s more than into an empty warehouse.
    # Uniqueness stays: the one writer inserts them with an anti-join on the key (warehouse/load.py).
    ("0801_bench_big_tables_without_art_index", _rebuild_without_pk(
        "articles", ("article_id", "url", "source", "text", "fingerprint", "run_id", "loaded_at"))
     + _rebuild_without_pk("event_rows", (
         "event_id", "article_id", "event_type", "status", "parties", "returned_to", "categories", "mediators",
         "evidence", "evidence_start", "evidence_end", "confidence", "extractor_version", "run_id", "loaded_at"))),
]


from pipeline.warehouse.exchanges_sql import RECONCILE_MIGRATIONS  # noqa: E402 - issue 7: exchanges

MIGRATIONS += RECONCILE_MIGRATIONS

from pipeline.warehouse.row_keys import MIGRATIONS as ROW_KEYS  # noqa: E402 - issue 8: lookups on keys

MIGRATIONS += ROW_KEYS

from pipeline.warehouse.exchanges_tallies import MIGRATIONS as TALLIES  # noqa: E402 - issue 8: resolving from tallies

MIGRATIONS += TALLIES


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction. Returns their names."""
    con.execute("CREATE TABLE IF NOT EXISTS _migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ)")
    done = {r[0] for r in con.execute("SELECT name FROM _migrations").fetchall()}
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO _migrations VALUES (?, now())", [name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied
