"""Narrow 64-bit keys of the stored articles' ids and fingerprints, so "is it stored?" reads 8 bytes a row.

Asking whether an article id (or a text fingerprint) is stored used to scan the 16- and 24-character
strings of every stored article: about 30-40 ms for 1,000,000 articles, paid by the load's anti-join and
by every lookup a pass makes before fetching (one a feed) and before keeping (fingerprints). The table
``article_keys`` (migration ``1101_keys_article_keys``) holds, for every row of ``articles``, the first
64 bits of the MD5 of its id and of its fingerprint (``key``: stable across DuckDB versions, unlike
``hash``). A lookup scans those integers for candidates (about 11 ms at 1,000,000), then confirms the
candidates on the strings themselves, so a key shared by two values (about one chance in 10^7 at a
million articles) costs a second read, never a wrong answer. No candidate: no string is read.

The keys are written with their articles, in the load's transaction (``add_keys``), and the table is
append-only like ``articles`` (the read-only copy is synced by its new rows). A warehouse whose key
table holds fewer rows than ``articles`` (articles written by hand, not by the load) gets the missing
keys on the writer's open (``ensure_keys``); a read-only copy without the table is asked on the
strings, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

import duckdb

log = logging.getLogger(__name__)

TABLE = "article_keys"


def key(expr: str) -> str:
    """SQL: the 64-bit key of the text ``expr``."""
    return f"('0x' || substr(md5({expr}), 1, 16))::UBIGINT"


MIGRATION = ("1101_keys_article_keys", f"""
CREATE TABLE {TABLE} (id_key UBIGINT NOT NULL, fingerprint_key UBIGINT NOT NULL);
INSERT INTO {TABLE} SELECT {key('article_id')}, {key('fingerprint')} FROM articles;
""")

# Candidates among the values asked (``?``: a list), by their keys; then the confirmation on the strings.
_ID_CANDIDATES = f"""
SELECT v FROM (SELECT unnest(?::VARCHAR[]) AS v) q SEMI JOIN {TABLE} k ON k.id_key = {key('q.v')}
"""
_FP_CANDIDATES = f"""
SELECT v FROM (SELECT unnest(?::VARCHAR[]) AS v) q SEMI JOIN {TABLE} k ON k.fingerprint_key = {key('q.v')}
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
    if keyed:
        asked = sorted({r[0] for r in con.execute(_ID_CANDIDATES, [asked]).fetchall()})
        if not asked:
            return set()
    return {r[0] for r in con.execute(STORED_IDS, [asked]).fetchall()}


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
    con.execute(f"INSERT INTO {TABLE} SELECT {key('article_id')}, {key('fingerprint')} FROM {relation}", params or [])


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
                    f"ANTI JOIN {TABLE} k ON k.id_key = {key('a.article_id')}")
        (added,) = con.execute("SELECT count(*) FROM _unkeyed").fetchone()
        add_keys(con, "_unkeyed")
        con.execute("DROP TABLE _unkeyed")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return added


__all__ = ["MIGRATION", "TABLE", "add_keys", "ensure_keys", "has_keys", "key", "stored_fingerprints", "stored_ids"]
