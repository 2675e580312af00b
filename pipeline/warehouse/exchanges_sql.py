"""The reconciliation migrations: tables of exchange state and the analyst views over them.

Appended to ``pipeline.warehouse.migrations.MIGRATIONS``; never edit one once merged, add the next.
"""

from __future__ import annotations

_TABLES = """
CREATE TABLE exchanges_state (
    exchange_id VARCHAR PRIMARY KEY,    -- hash of the event_id of the claim that founded it
    claim_key VARCHAR NOT NULL,         -- JSON [event_type, handover|deal, parties]
    state VARCHAR NOT NULL,             -- active | merged | retired
    merged_into VARCHAR,
    founder_event_id VARCHAR NOT NULL,
    event_type VARCHAR, status VARCHAR, event_date DATE, date_precision VARCHAR,
    parties VARCHAR[], counts INTEGER[],  -- counts[i]: how many parties[i] received
    returned_to JSON, count_qualifier VARCHAR, categories VARCHAR[], mediators VARCHAR[], location VARCHAR,
    best_event_id VARCHAR, confidence DOUBLE, n_sources INTEGER, disputed BOOLEAN,
    disputes JSON,                      -- every conflicting value: {"event_date": {...}, "returned_to": {...}}
    created_run_id VARCHAR NOT NULL, updated_run_id VARCHAR NOT NULL, updated_at TIMESTAMPTZ
);
CREATE TABLE exchange_members (
    event_id VARCHAR PRIMARY KEY,       -- a current claim belongs to exactly one exchange
    exchange_id VARCHAR NOT NULL,
    claim_key VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    attached_at TIMESTAMPTZ
);
CREATE TABLE exchange_log (
    log_id VARCHAR PRIMARY KEY,
    run_id VARCHAR NOT NULL,
    action VARCHAR NOT NULL,            -- create | merge | split | move | revise | retire
    exchange_id VARCHAR NOT NULL,
    other_id VARCHAR,
    detail VARCHAR,
    recorded_at TIMESTAMPTZ
);
"""

_HOST = ("CASE WHEN a.url LIKE 'seed://%' THEN 'seed' ELSE regexp_replace(lower(regexp_extract(a.url, "
         "'^[A-Za-z][A-Za-z0-9+.-]*://([^/?#:]+)', 1)), '^www\\.', '') END")

_PLACED = "(event_date IS NOT NULL OR list_sum(counts) IS NOT NULL)"

_VIEWS = f"""
CREATE OR REPLACE VIEW exchanges AS
SELECT s.exchange_id, s.event_type, s.status, s.event_date, s.date_precision, s.parties, s.returned_to,
       s.count_qualifier, s.categories, s.mediators, s.location, b.evidence,
       [b.evidence_start, b.evidence_end] AS evidence_span, s.confidence, s.n_sources, s.disputed, s.disputes,
       a.url AS source_url, s.best_event_id, s.updated_run_id
FROM exchanges_state s
LEFT JOIN event_rows b ON b.event_id = s.best_event_id
LEFT JOIN articles a ON a.article_id = b.article_id
WHERE s.state = 'active' AND {_PLACED.replace("event_date", "s.event_date").replace("counts", "s.counts")};

-- exchanges known by neither a day nor a figure ("another exchange took place"), kept apart
CREATE OR REPLACE VIEW exchange_unplaced AS
SELECT exchange_id, event_type, status, date_precision, parties, n_sources, best_event_id
FROM exchanges_state WHERE state = 'active' AND NOT {_PLACED};

CREATE OR REPLACE VIEW exchange_timeline AS
SELECT event_date AS day, exchange_id, event_type, status,
       parties[1] AS party_a, counts[1] AS received_by_a, parties[2] AS party_b, counts[2] AS received_by_b,
       list_sum(counts) AS total_returned, count_qualifier, array_to_string(mediators, ', ') AS mediators,
       location, n_sources, disputed, date_precision
FROM exchanges_state WHERE state = 'active' AND {_PLACED}
ORDER BY event_date NULLS LAST, event_type, exchange_id;

CREATE OR REPLACE VIEW exchange_totals_by_month AS
WITH per_side AS (
    SELECT exchange_id, event_type, date_trunc('month', event_date)::DATE AS month, disputed, n_sources,
           unnest(parties) AS party, unnest(counts) AS received
    FROM exchanges_state WHERE state = 'active' AND status = 'conducted' AND event_date IS NOT NULL)
SELECT month, event_type, party, count(*) AS exchanges, sum(received) AS people_received,
       count(*) FILTER (WHERE received IS NULL) AS exchanges_without_count,
       count(*) FILTER (WHERE disputed) AS disputed_exchanges
FROM per_side GROUP BY ALL ORDER BY month, event_type, party;

CREATE OR REPLACE VIEW exchange_totals_by_mediator AS
WITH per_mediator AS (
    SELECT exchange_id, event_type, event_date, disputed, list_sum(counts) AS total,
           unnest(CASE WHEN len(mediators) = 0 THEN ['(none named)'] ELSE mediators END) AS mediator
    FROM exchanges_state WHERE state = 'active' AND status = 'conducted')
SELECT mediator, event_type, count(*) AS exchanges, sum(total) AS people_returned,
       min(event_date) AS first_day, max(event_date) AS last_day,
       count(*) FILTER (WHERE disputed) AS disputed_exchanges
FROM per_mediator GROUP BY ALL ORDER BY exchanges DESC, mediator, event_type;

CREATE OR REPLACE VIEW exchange_sources AS
SELECT m.exchange_id, e.event_id, e.article_id, a.url, {_HOST} AS outlet, a.published, a.language,
       e.evidence AS quote, e.status AS claimed_status, e.event_date AS claimed_date,
       e.date_precision AS claimed_precision, e.returned_to AS claimed_returned_to, e.count_qualifier,
       e.confidence, e.extractor_version, e.event_id = s.best_event_id AS is_best
FROM exchange_members m
JOIN event_rows e USING (event_id)
JOIN exchanges_state s USING (exchange_id)
LEFT JOIN articles a ON a.article_id = e.article_id
ORDER BY m.exchange_id, a.published NULLS LAST, e.event_id;
"""

RECONCILE_MIGRATIONS: list[tuple[str, str]] = [
    ("0201_reconcile_exchanges", _TABLES + _VIEWS),
]
