"""Narrow 64-bit keys of the stored articles' ids and fingerprints, so "is it stored?" reads 8 bytes a row.

Asking whether an article id (or a text fingerprint) is stored used to scan the 16- and 24-character
strings of every stored article: about 30-40 ms for 1,000,000 articles, paid by the load's anti-join and
by every lookup a pass makes before fetching (one a feed) and before keeping (fingerprints). The table
``article_keys`` (migration ``1101_keys_article_keys``) holds one row per row of ``articles``:

- ``id_key``: an article id is 16 hex digits (``stable_id`` of its URL), which *are* a 64-bit number:
  the key is that number, so equal keys mean equal ids (``id_exact``). Any other id (none the pipeline
  makes; a hand-written one) gets the first 64 bits of its MD5 (stable across DuckDB versions, unlike
  ``hash``), and an id found by such a key is confirmed on the strings.
- ``fingerprint_key``: the first 64 of a fingerprint's 96 bits (its hex digits); one found by its key is
  confirmed on the strings (stored fingerprints are asked for texts not known by URL: rarely found).

A lookup scans the integers (about 11 ms at 1,000,000 against 30-40 ms for the strings); no string is
read unless a key needs confirming. The keys are written with their articles, in the load's transaction
(``add_keys``), and the table is append-only like ``articles`` (the read-only copy is synced by its new
rows). A warehouse whose key table holds fewer rows than ``articles`` (articles written by hand, not by
the load) gets the missing keys on the writer's open (``ensure_keys``); a read-only copy without the
table is asked on the strings, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

import duckdb

log = logging.getLogger(__name__)

TABLE = "article_keys"


_HEX_ID = "regexp_full_match({}, '[0-9a-f]{{16}}')"


def key(expr: str) -> str:
    """SQL: the 64-bit key of any text ``expr`` (the first 16 hex digits of its MD5)."""
    return f"('0x' || substr(md5({expr}), 1, 16))::UBIGINT"


def id_key(expr: str) -> str:
    """SQL: the key of an article id ``expr``: its own 64 bits when it is 16 hex digits, else ``key``."""
    return f"CASE WHEN {_HEX_ID.format(expr)} THEN ('0x' || {expr})::UBIGINT ELSE {key(expr)} END"


def fingerprint_key(expr: str) -> str:
    """SQL: the key of a fingerprint ``expr``: its first 16 hex digits, else ``key`` (always confirmed)."""
    return f"coalesce(TRY_CAST('0x' || substr({expr}, 1, 16) AS UBIGINT), {key(expr)})"


def _row(id_expr: str, fp_expr: str) -> str:
    return f"{id_key(id_expr)}, coalesce({_HEX_ID.format(id_expr)}, false), {fingerprint_key(fp_expr)}"


MIGRATION = ("1101_keys_article_keys", f"""
CREATE TABLE {TABLE} (id_key UBIGINT NOT NULL, id_exact BOOLEAN NOT NULL, fingerprint_key UBIGINT);
INSERT INTO {TABLE} SELECT {_row('article_id', 'fingerprint')} FROM articles;
""")

# The values asked (``?``: a list) whose key is stored; for ids, whether an exact key says so for sure.
_ID_CANDIDATES = f"""
SELECT q.v, bool_or(k.id_exact AND {_HEX_ID.format('q.v')})
FROM (SELECT unnest(?::VARCHAR[]) AS v) q JOIN {TABLE} k ON k.id_key = {id_key('q.v')} GROUP BY q.v
"""
_FP_CANDIDATES = f"""
SELECT v FROM (SELECT unnest(?::VARCHAR[]) AS v) q SEMI JOIN {TABLE} k
ON k.fingerprint_key = {fingerprint_key('q.v')}
"""
STORED_IDS = "SELECT DISTINCT article_id FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))"
STORED_FINGERPRINTS = ("SELECT fingerprint, min(article_id) FROM articles "
                       "WHERE fingerprint IN (SELECT unnest(?::VARCHAR[])) GROUP BY 1")


def has_keys(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' "
                            "AND database_name = current_database()", [TABLE]).fetchone()[0])


def stored_ids(con: duckdb.DuckDBPyConnection, ids: Collection[str], keyed: bool = True) -> set[str]:
    """Those of ``ids`` stored as articles. ``keyed``: the connection's database has ``article_keys``."""
    asked = sorted(set(ids))
    if not asked:
        return set()
    sure: set[str] = set()
    if keyed:
        found = con.execute(_ID_CANDIDATES, [asked]).fetchall()
        sure = {v for v, exact in found if exact}
        asked = sorted(v for v, exact in found if not exact)
        if not asked:
            return sure
    return sure | {r[0] for r in con.execute(STORED_IDS, [asked]).fetchall()}


def stored_fingerprints(con: duckdb.DuckDBPyConnection, fingerprints: Collection[str],
                        keyed: bool = True) -> dict[str, str]:
    """Each of ``fingerprints`` that a stored article has, with the smallest id of those articles."""
    asked = sorted(set(fingerprints))
    if not asked:
        return {}
    if keyed:
        asked = sorted({r[0] for r in con.execute(_FP_CANDIDATES, [asked]).fetchall()})
        if not asked:
            return {}
    return {r[0]: r[1] for r in con.execute(STORED_FINGERPRINTS, [asked]).fetchall()}


def add_keys(con: duckdb.DuckDBPyConnection, relation: str, params: list | None = None) -> None:
    """Record the keys of the articles of ``relation`` (columns ``article_id``, ``fingerprint``): the
    articles just inserted, in the same transaction."""
    con.execute(f"INSERT INTO {TABLE} SELECT {_row('article_id', 'fingerprint')} FROM {relation}", params or [])


def ensure_keys(con: duckdb.DuckDBPyConnection) -> int:
    """Add the keys of the articles that have none (written by hand, not by the load) when
    ``article_keys`` holds fewer rows than ``articles``. Returns how many were added."""
    articles, keys = con.execute(f"SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM {TABLE})").fetchone()
    if keys >= articles:
        return 0
    log.warning("article_keys holds %d rows for %d articles: adding the missing keys", keys, articles)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _unkeyed AS SELECT article_id, fingerprint FROM articles a "
                    f"ANTI JOIN {TABLE} k ON k.id_key = {id_key('a.article_id')}")
        (added,) = con.execute("SELECT count(*) FROM _unkeyed").fetchone()
        add_keys(con, "_unkeyed")
        con.execute("DROP TABLE _unkeyed")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return added


__all__ = ["MIGRATION", "TABLE", "add_keys", "ensure_keys", "fingerprint_key", "has_keys", "id_key", "key", "stored_fingerprints", "stored_ids"]
