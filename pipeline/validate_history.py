"""What the batch-level checks compare a run with: feed articles per day over the last week.

Read from the published read-only copy (``loaded_at`` of feed articles), so validation never waits
for the writer. Days are 24-hour windows ending at the run's ``now``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pipeline.settings import Settings

HISTORY_DAYS = 7


def feed_volume_history(settings: Settings, now: datetime,
                        days: int = HISTORY_DAYS) -> tuple[int, tuple[int, ...], datetime | None]:
    """(feed articles loaded in the last 24 h, per-day counts of the ``days`` before it, last arrival).

    A day before the first feed article ever loaded is left out, so a new warehouse has no history
    (rather than a history of zeros).
    """
    from pipeline.warehouse import reader

    con = reader(settings)
    if con is None:
        return 0, (), None
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "articles" not in tables:
            return 0, (), None
        first, last = con.execute("SELECT min(loaded_at), max(loaded_at) FROM articles "
                                  "WHERE source = 'feed'").fetchone() or (None, None)
        rows = con.execute(
            "SELECT CAST(floor(epoch(?::TIMESTAMPTZ - loaded_at) / 86400) AS INTEGER) AS day, count(*) "
            "FROM articles WHERE source = 'feed' AND loaded_at <= ? AND loaded_at > ? GROUP BY 1",
            [now, now, now - timedelta(days=days + 1)]).fetchall()
    finally:
        con.close()
    counts = dict(rows)
    previous = tuple(counts.get(d, 0) for d in range(1, days + 1)
                     if first is not None and first <= now - timedelta(days=d + 1))
    return counts.get(0, 0), previous, last
