"""Feed health: what each poll did to a feed's state, and which feeds newly need an alert.

``record_feed_outcome`` runs inside the load's transaction. A failure counts up
``consecutive_failures``; when the count reaches ``PIPELINE_FAILURE_BACKOFF_AFTER`` the feed is
marked alerted (``alerted_at``, once) and polled less and less often (doubling, at most 64 times
the base interval); one success resets the count, the mark and the interval. A Retry-After the
server sent is honoured across runs: the feed is not polled again before it.

``newly_failing`` is the hook for the alerts module: the feeds that crossed the threshold in a
given run (``alerted_run_id``) and have not recovered since. It is read-only, so asking twice for
the same run gives the same list, and a later run never repeats the alert.
"""

from __future__ import annotations

from datetime import timedelta

import duckdb

from pipeline.records import FeedOutcome

# Failure back-off grows from at least this, even when the minimum refresh interval is shorter.
MIN_BACKOFF_BASE = timedelta(minutes=10)
MAX_BACKOFF_DOUBLINGS = 6


def next_poll_delay(failures: int, backoff_after: int, min_refresh: timedelta,
                    retry_after_s: float | None = None) -> timedelta:
    """How long to wait before the next poll of a feed after this outcome."""
    delay = min_refresh
    if failures >= backoff_after > 0:
        base = max(min_refresh, MIN_BACKOFF_BASE)
        delay = base * (2 ** min(failures - backoff_after + 1, MAX_BACKOFF_DOUBLINGS))
    if retry_after_s is not None:
        delay = max(delay, timedelta(seconds=min(retry_after_s, 7 * 86400)))
    return delay


_UPSERT = """
INSERT INTO feed_state (feed_url, etag, last_modified, last_fetched_at, last_success_at,
       consecutive_failures, last_error, last_status, next_poll_after, alerted_at, alerted_run_id,
       last_run_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (feed_url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
    last_fetched_at = excluded.last_fetched_at,
    last_success_at = coalesce(excluded.last_success_at, feed_state.last_success_at),
    consecutive_failures = excluded.consecutive_failures,
    last_error = coalesce(excluded.last_error, feed_state.last_error),
    last_status = excluded.last_status, next_poll_after = excluded.next_poll_after,
    alerted_at = excluded.alerted_at, alerted_run_id = excluded.alerted_run_id,
    last_run_id = excluded.last_run_id
"""


def record_feed_outcome(con: duckdb.DuckDBPyConnection, o: FeedOutcome, run_id: str,
                        backoff_after: int, min_refresh: timedelta) -> None:
    """Upsert one feed's state. A rerun of the same run changes nothing (no double counting)."""
    if o.skipped:
        return
    prev = con.execute("SELECT consecutive_failures, etag, last_modified, last_run_id, alerted_at, alerted_run_id "
                       "FROM feed_state WHERE feed_url = ?", [o.feed_url]).fetchone()
    if prev and prev[3] == run_id:
        return
    failures = 0 if o.ok else (prev[0] if prev else 0) + 1
    fresh = o.ok and not o.not_modified
    etag = o.etag if fresh else (prev[1] if prev else None)
    last_mod = o.last_modified if fresh else (prev[2] if prev else None)
    if o.ok and o.not_modified:
        etag, last_mod = o.etag or etag, o.last_modified or last_mod
    alerted_at, alerted_run = None, None
    if not o.ok:
        alerted_at, alerted_run = (prev[4], prev[5]) if prev else (None, None)
        if alerted_at is None and backoff_after > 0 and failures >= backoff_after:
            alerted_at, alerted_run = o.fetched_at, run_id
    delay = next_poll_delay(failures, backoff_after, min_refresh, o.retry_after_s)
    con.execute(_UPSERT, [o.feed_url, etag, last_mod, o.fetched_at, o.fetched_at if o.ok else None,
                          failures, o.error, o.status, o.fetched_at + delay, alerted_at, alerted_run, run_id])


_NEWLY = """
SELECT feed_url, consecutive_failures, last_error, last_status, last_success_at, last_fetched_at,
       next_poll_after, alerted_at
FROM feed_state
WHERE alerted_run_id = ?
ORDER BY feed_url
"""


def newly_failing(con_or_settings: object, run_id: str) -> list[dict]:
    """Feeds that crossed the failure threshold in run ``run_id`` (each alerts once, here).

    Takes an open DuckDB connection or ``Settings`` (then reads the published read-only copy).
    Each dict has ``feed_url``, ``consecutive_failures``, ``last_error``, ``last_status``,
    ``last_success_at``, ``last_fetched_at``, ``next_poll_after`` and ``alerted_at``.
    """
    if isinstance(con_or_settings, duckdb.DuckDBPyConnection):
        return _rows(con_or_settings, run_id)
    from pipeline.warehouse import reader

    con = reader(con_or_settings)  # type: ignore[arg-type]
    if con is None:
        return []
    try:
        return _rows(con, run_id)
    finally:
        con.close()


def _rows(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    try:
        cur = con.execute(_NEWLY, [run_id])
    except duckdb.CatalogException:  # a warehouse without feed state yet
        return []
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
