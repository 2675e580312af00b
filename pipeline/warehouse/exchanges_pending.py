"""Which claims a reconcile has to fold in: the pending ones (current, in no exchange) and the superseded
members, found from what changed rather than from the whole history.

A load looks at the articles with a claim of its own run or loaded after the mark (``reconcile_mark``,
migration ``0902_recflat2_reconcile_mark``: every claim loaded up to it has been folded in);
``loaded_at > mark`` skips the older row groups by their min/max, as the rows are stored in load order.
Without a mark (the first reconcile of a warehouse) or without a run (the upkeep step) it looks at every
claim in no exchange. See docs/reconciliation.md, "Online assignment in the load".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import duckdb
import pyarrow as pa

from pipeline.reconcile import Claim
from pipeline.warehouse.exchanges import light_claims

__all__ = ["Fresh", "changed_claims", "record_mark"]


@dataclass(frozen=True)
class Fresh:
    """The articles the load's transaction inserted, with the ``loaded_at`` it gave their rows. They
    had no row before it, so no claim either: a claim is written with its article (the load) or for a
    stored article (a quarantine release), so their claims are this transaction's, loaded at ``since``,
    and none of them is in an exchange yet. What is looked for by article is then looked for among the
    newest rows only (their row groups: ``loaded_at >= since``) for these articles."""

    articles: frozenset[str]
    since: datetime

# Only articles with a claim in no exchange can have changed: a new article, a new extractor version
# (which supersedes the members of the old one), or a released claim. A load looks for them among the
# claims of its own run and those loaded after the mark (``reconcile_mark``: every claim loaded up to
# it is folded in); without a mark (the first reconcile, or the upkeep step) among every claim.
_TOUCHED_ALL = """
SELECT DISTINCT e.article_id FROM event_rows e ANTI JOIN exchange_members m USING (event_id)
"""
_TOUCHED_SINCE = """
SELECT article_id FROM event_rows WHERE loaded_at > ?
UNION SELECT article_id FROM event_rows WHERE run_id = ?
"""
# Every claim of the touched articles (narrow), then the current ones: the latest extractor version.
# The claims of fresh articles (``Fresh``) are looked for among the rows loaded since they were.
_CLAIMS_OF = """
SELECT e.event_id, e.article_id, e.extractor_version, e.loaded_at FROM event_rows e
SEMI JOIN (FROM _touched ANTI JOIN _fresh USING (article_id)) USING (article_id)
UNION ALL
SELECT e.event_id, e.article_id, e.extractor_version, e.loaded_at FROM event_rows e
SEMI JOIN (FROM _touched SEMI JOIN _fresh USING (article_id)) USING (article_id) WHERE e.loaded_at >= ?
"""
_CURRENT = """
WITH latest AS (SELECT article_id, arg_max(extractor_version, loaded_at) AS v FROM _touched_claims GROUP BY 1)
SELECT t.event_id, t.article_id, t.loaded_at FROM _touched_claims t JOIN latest l ON t.article_id = l.article_id AND t.extractor_version = l.v
"""
# The members among the touched articles' claims: found from the few claims, not by a join of the tables.
# A member row keeps its claim's ``loaded_at`` (migration 1001): the bound skips the row groups of members
# loaded before the earliest touched claim (all but the newest, when the touched articles are new).
_MEMBERS_OF = """
SELECT m.event_id, m.exchange_id, m.claim_key, t.article_id FROM exchange_members m JOIN _touched_claims t USING (event_id)
WHERE m.loaded_at >= ?
"""
_MARK = "SELECT through FROM reconcile_mark WHERE name = 'claims'"
_SET_MARK = """
INSERT INTO reconcile_mark SELECT 'claims', coalesce(max(loaded_at), '-infinity'::TIMESTAMPTZ), ?, ?
FROM event_rows WHERE loaded_at > coalesce(?::TIMESTAMPTZ, '-infinity'::TIMESTAMPTZ)
ON CONFLICT (name) DO UPDATE SET through = greatest(through, excluded.through), run_id = excluded.run_id,
    updated_at = excluded.updated_at
"""


def changed_claims(con: duckdb.DuckDBPyConnection, run_id: str | None = None, fresh: Fresh | None = None,
                   ) -> tuple[list[Claim], list[tuple]]:
    """The pending claims (current, in no exchange) and the superseded members (event_id, exchange_id,
    claim_key, article_id), looked for only among articles with a claim in no exchange: with a
    ``run_id`` and a mark, only among those with a claim of that run or loaded after the mark."""
    fresh_ids = sorted(fresh.articles) if fresh else []
    con.register("_fresh", pa.table({"article_id": pa.array(fresh_ids, pa.string())}))
    try:
        return _changed_claims(con, run_id, fresh.since if fresh else None)
    finally:
        con.unregister("_fresh")


def _changed_claims(con: duckdb.DuckDBPyConnection, run_id: str | None, since_fresh: datetime | None,
                    ) -> tuple[list[Claim], list[tuple]]:
    mark = con.execute(_MARK).fetchone() if run_id is not None else None
    if mark is None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _touched AS {_TOUCHED_ALL}")
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _touched AS {_TOUCHED_SINCE}", [mark[0], run_id])
    con.execute(f"CREATE OR REPLACE TEMP TABLE _touched_claims AS {_CLAIMS_OF}", [since_fresh])
    con.execute(f"CREATE OR REPLACE TEMP TABLE _current_claims AS {_CURRENT}")
    (since,) = con.execute("SELECT min(loaded_at) FROM _touched_claims").fetchone() or (None,)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _touched_members AS {_MEMBERS_OF}", [since])
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _pending AS SELECT * FROM _current_claims "
                    "ANTI JOIN _touched_members USING (event_id)")
        lo, hi = con.execute("SELECT min(loaded_at), max(loaded_at) FROM _pending").fetchone() or (None, None)
        # the range is always true for them, and lets the scan skip the row groups loaded outside it
        pending = [] if lo is None else _with_published(con, light_claims(
            con, "e.loaded_at BETWEEN ? AND ? AND e.event_id IN (SELECT event_id FROM _pending)", [lo, hi]), lo)
        gone = con.execute("SELECT * FROM _touched_members ANTI JOIN _current_claims USING (event_id)").fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS _pending; DROP TABLE IF EXISTS _touched_members; "
                    "DROP TABLE IF EXISTS _current_claims; DROP TABLE IF EXISTS _touched_claims; "
                    "DROP TABLE IF EXISTS _touched")
    return pending, gone


def _with_published(con: duckdb.DuckDBPyConnection, claims: list[Claim], since) -> list[Claim]:
    """The claims with their article's publication day, looked for among the articles loaded since
    ``since`` first (a new claim's article is mostly new: the older row groups are skipped), then,
    for the ids not found there, among all."""
    ids = sorted({c.article_id for c in claims})
    con.register("_pub_ids", pa.table({"article_id": pa.array(ids, pa.string())}))
    try:
        found = dict(con.execute("SELECT article_id, published FROM articles WHERE loaded_at >= ? "
                                 "AND article_id IN (SELECT article_id FROM _pub_ids)", [since]).fetchall())
        if len(found) < len(ids):
            found.update(con.execute("SELECT article_id, published FROM articles "
                                     "SEMI JOIN _pub_ids USING (article_id)").fetchall())
    finally:
        con.unregister("_pub_ids")
    return [replace(c, published=found.get(c.article_id)) for c in claims]


def record_mark(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime) -> None:
    """Every claim loaded so far is folded in: move the mark to the latest ``loaded_at`` (never back)."""
    mark = con.execute(_MARK).fetchone()
    latest = con.execute("SELECT max(loaded_at) FROM event_rows WHERE loaded_at > coalesce(?::TIMESTAMPTZ, "
                         "'-infinity'::TIMESTAMPTZ)", [mark[0] if mark else None]).fetchone()
    if mark is None or (latest and latest[0] is not None):
        con.execute(_SET_MARK, [run_id, now, mark[0] if mark else None])
