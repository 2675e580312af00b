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

# --- the neighbourhood of pending claims (incremental reconciliation) ---------------------------
# ``_nb_days(key, lo, hi)``: day ranges whose dated claims are re-clustered; ``_nb_pubs(key, lo, hi)``:
# publication ranges whose undated claims are; ``_nb_ids(exchange_id)``: exchanges already included.
_DATED = "coalesce(e.date_precision, 'day') = 'day' AND e.event_date IS NOT NULL"
_UNDATED_WINDOW = """CASE e.date_precision
        WHEN 'week' THEN e.event_date - 7 WHEN 'month' THEN date_trunc('month', e.event_date)::DATE
        WHEN 'year' THEN date_trunc('year', e.event_date)::DATE END"""

# ``_nb_day(key, day)``: the days (of ``_nb_days``) not yet searched, one row each: an equality join
# (``exchange_parts``, migration ``1001_flatload_member_facts``: a row per exchange and day its claims fix)
DATED_NEIGHBOURS = """
SELECT DISTINCT p.exchange_id FROM exchange_parts p SEMI JOIN _nb_day v ON p.claim_key = v.key AND p.day = v.day
"""
UNDATED_NEIGHBOURS = f"""
SELECT DISTINCT u.exchange_id FROM (
    SELECT e.exchange_id, e.claim_key,
           coalesce({_UNDATED_WINDOW}, e.published - {{lookback}}) AS lo,
           coalesce(CASE e.date_precision WHEN 'week' THEN e.event_date + 7
                         WHEN 'month' THEN last_day(e.event_date)
                         WHEN 'year' THEN (date_trunc('year', e.event_date) + INTERVAL 1 YEAR - INTERVAL 1 DAY)::DATE
                    END, e.published + 1) AS hi,
           e.published
    FROM exchange_members e  -- with its claim's fields and its article's publication day (MEMBER_FACTS)
    WHERE NOT ({_DATED}) AND list_contains(?::VARCHAR[], e.claim_key)) u
WHERE EXISTS (SELECT 1 FROM _nb_days v WHERE v.key = u.claim_key AND u.lo <= v.hi AND u.hi >= v.lo)
   OR EXISTS (SELECT 1 FROM _nb_pubs v WHERE v.key = u.claim_key AND u.published BETWEEN v.lo AND v.hi)
   OR (u.published IS NULL AND u.lo IS NULL)
"""

EXCHANGE_SPANS = f"""
SELECT m.exchange_id, any_value(m.claim_key), min(e.event_date) FILTER (WHERE {_DATED}),
       max(e.event_date) FILTER (WHERE {_DATED})
FROM exchange_members m JOIN _nb_new n USING (exchange_id) JOIN event_rows e USING (event_id)
GROUP BY 1
"""

# --- exact re-clustering as upkeep (``pipeline.warehouse.exchanges_upkeep``) ----------------------
# One row per exact re-clustering: the next one (without --full) starts from the claims attached since.
RECONCILE_MIGRATIONS.append(("0901_recflat_reconcile_upkeep", """
CREATE TABLE reconcile_upkeep (
    run_id VARCHAR PRIMARY KEY,
    scope VARCHAR NOT NULL,             -- full | recent
    since TIMESTAMPTZ,                  -- recent: claims attached after this were the seeds
    ran_at TIMESTAMPTZ NOT NULL,
    claims INTEGER, exchanges_changed INTEGER
);
"""))

# --- how far the loads have folded claims in (``exchanges_pending.changed_claims``) ---------------
# One row: every claim loaded at or before ``through`` has been reconciled (or superseded). A load
# looks for pending claims among its own run's rows and those loaded after it: ``loaded_at > through``
# skips the older row groups by their min/max, so the search is bounded by what changed, not history.
RECONCILE_MIGRATIONS.append(("0902_recflat2_reconcile_mark", """
CREATE TABLE reconcile_mark (
    name VARCHAR PRIMARY KEY,           -- 'claims'
    through TIMESTAMPTZ NOT NULL,       -- the latest loaded_at of the claims folded in
    run_id VARCHAR NOT NULL,            -- the run that moved it
    updated_at TIMESTAMPTZ
);
"""))

# --- what the load reads of a member, kept with it (``exchanges_online``) -------------------------
# A claim never changes once loaded (``event_rows`` is append-only, and so is ``articles``), so a member
# row carries the fields clustering and ``resolve`` read (the light columns of ``exchanges.light_claims``
# and its article's publication day). The load then reads the candidate exchanges' members from
# ``exchange_members`` alone, instead of joining them to ``event_rows`` and ``articles`` (both scanned
# whole by a hash join, a cost growing with the history). Written with each new member (``_write``).
MEMBER_FACTS: tuple[tuple[str, str], ...] = (
    ("article_id", "VARCHAR"), ("event_type", "VARCHAR"), ("status", "VARCHAR"), ("event_date", "DATE"),
    ("date_precision", "VARCHAR"), ("parties", "VARCHAR[]"), ("returned_to", "JSON"), ("count_qualifier", "VARCHAR"),
    ("categories", "VARCHAR[]"), ("mediators", "VARCHAR[]"), ("location", "VARCHAR"), ("confidence", "DOUBLE"),
    ("loaded_at", "TIMESTAMPTZ"), ("published", "DATE"))
_FACT_COLS = [c for c, _ in MEMBER_FACTS if c != "published"]
# The day a member (``exchange_members e``) fixes: its event date when given to the day, else NULL.
MEMBER_DAY = "CASE WHEN coalesce(e.date_precision, 'day') = 'day' THEN e.event_date END"
# Day-parts of every exchange, kept up to date by each write (``exchanges._write``): what the load's
# online assignment reads of a stored exchange (``exchanges_online``), instead of aggregating its members
# (the exchanges near a batch hold tens of thousands of claims on a dense history). One row per exchange
# and day its members fix (``day`` NULL: its undated members, which ride with the exchange's own day).
# ``n_single``: members whose article has no other member (``exchange_members.multi`` false): distinct
# articles are counted from these; the members of the other articles are read one by one when needed.
PARTS_FROM = f"""
SELECT e.exchange_id, any_value(e.claim_key), {MEMBER_DAY}
       AS day, count(*), min(e.event_id), count(*) FILTER (NOT e.multi),
       list(DISTINCT [e.returned_to::VARCHAR, e.count_qualifier]), max(e.published)
FROM {{source}} e {{where}} GROUP BY e.exchange_id, day
"""
PARTS_OF = PARTS_FROM.replace("{source}", "exchange_members")
# Rebuilt rather than updated in place (an UPDATE of list columns is a delete and an insert: the table
# would keep every old row version), in the order of kind and day, and without its primary key (as
# ``articles`` and ``event_rows`` since 0801: keeping the index costs every checkpoint after a load
# about 0.1-0.2 s at 300,000 members). A claim is a member once: pending claims are in no exchange
# (``changed_claims``), and ``exchanges._write`` inserts only those and updates the ones that move.
# ``multi``: the article has (or had: never unset, which only makes more claims read whole) another member.
RECONCILE_MIGRATIONS.append(("1001_flatload_member_facts", f"""
CREATE TABLE exchange_members__facts AS
SELECT m.event_id, m.exchange_id, m.claim_key, m.run_id, m.attached_at, {", ".join(f"e.{c}" for c in _FACT_COLS)},
       a.published, count(*) OVER (PARTITION BY e.article_id) > 1 AS multi
FROM exchange_members m LEFT JOIN event_rows e USING (event_id) LEFT JOIN articles a ON a.article_id = e.article_id
ORDER BY m.claim_key, e.event_date, m.exchange_id, m.event_id;
DROP TABLE exchange_members;
ALTER TABLE exchange_members__facts RENAME TO exchange_members;
""" + "".join(f"ALTER TABLE exchange_members ALTER COLUMN {c} SET NOT NULL;\n"
              for c in ("event_id", "exchange_id", "claim_key", "run_id", "multi")) + """
CREATE TABLE exchange_parts (
    exchange_id VARCHAR NOT NULL,
    claim_key VARCHAR NOT NULL,
    day DATE,                           -- the day its members fix; NULL: the exchange's undated members
    n_claims INTEGER NOT NULL,
    first_event_id VARCHAR NOT NULL,    -- the smallest event id
    n_single INTEGER NOT NULL,          -- members whose article has no other member
    figures VARCHAR[][],                -- distinct [returned_to, count_qualifier]
    latest_published DATE
);
INSERT INTO exchange_parts """ + PARTS_OF.format(where="")))
