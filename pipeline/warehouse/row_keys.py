"""Narrow 64-bit keys of stored articles and claims, so "is it stored?" reads 8 bytes a row.

Asking whether an article id (or a text fingerprint, or a claim's event id) is stored used to scan the
16- to 24-character strings of every stored row: about 30-40 ms for 1,000,000 articles, paid by the
load's anti-joins and by every lookup a pass makes before fetching (one a feed) and before keeping
(fingerprints). ``article_keys`` and ``event_keys`` (migrations ``1101_keys_article_keys``,
``1102_keys_event_keys``) hold one row per row of ``articles`` and ``event_rows``:

- ``id_key``: an id is 16 hex digits (``stable_id``), which *are* a 64-bit number: the key is that
  number, so equal keys mean equal ids (``id_exact``). Any other id (none the pipeline makes; a
  hand-written one) gets the first 64 bits of its MD5 (stable across DuckDB versions, unlike ``hash``),
  and an id found by such a key is confirmed on the strings.
- ``fingerprint_key`` (articles): the first 64 of a fingerprint's 96 bits (its hex digits); one found
  by its key is confirmed on the strings (fingerprints are asked for texts not known by URL: rarely found).

A lookup scans the integers (about 11 ms at 1,000,000 against 30-40 ms for the strings); no string is
read unless a key needs confirming. The keys are written with their rows, in the load's transaction
(``add_keys``), and the key tables are append-only like their tables (the read-only copy is synced by
their new rows). A warehouse whose key table holds fewer rows than its table (rows written by hand, not
by the load) gets the missing keys on the writer's open (``ensure_keys``); a read-only copy without
the key table is asked on the strings, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

import duckdb

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Keyed:
    """A table whose rows are keyed: its key table, its id column, whether fingerprints are keyed too."""

    table: str
    keys: str
    id_column: str
    fingerprint: bool = False


ARTICLES = Keyed("articles", "article_keys", "article_id", fingerprint=True)
EVENTS = Keyed("event_rows", "event_keys", "event_id")

_HEX_ID = "regexp_full_match({}, '[0-9a-f]{{16}}')"


def key(expr: str) -> str:
    """SQL: the 64-bit key of any text ``expr`` (the first 16 hex digits of its MD5)."""
    return f"('0x' || substr(md5({expr}), 1, 16))::UBIGINT"


def id_key(expr: str) -> str:
    """SQL: the key of an id ``expr``: its own 64 bits when it is 16 hex digits, else ``key``."""
    return f"CASE WHEN {_HEX_ID.format(expr)} THEN ('0x' || {expr})::UBIGINT ELSE {key(expr)} END"


def fingerprint_key(expr: str) -> str:
    """SQL: the key of a fingerprint ``expr``: its first 16 hex digits, else ``key`` (always confirmed)."""
    return f"coalesce(TRY_CAST('0x' || substr({expr}, 1, 16) AS UBIGINT), {key(expr)})"


def _row(spec: Keyed) -> str:
    """SQL: the key row of a row of ``spec.table`` (from its columns)."""
    row = f"{id_key(spec.id_column)}, coalesce({_HEX_ID.format(spec.id_column)}, false)"
    return row + (f", {fingerprint_key('fingerprint')}" if spec.fingerprint else "")


def _migration(name: str, spec: Keyed) -> tuple[str, str]:
    extra = ", fingerprint_key UBIGINT" if spec.fingerprint else ""
    return (name, f"CREATE TABLE {spec.keys} (id_key UBIGINT NOT NULL, id_exact BOOLEAN NOT NULL{extra});\n"
                  f"INSERT INTO {spec.keys} SELECT {_row(spec)} FROM {spec.table};")


MIGRATIONS = [_migration("1101_keys_article_keys", ARTICLES), _migration("1102_keys_event_keys", EVENTS)]


def _id_candidates(spec: Keyed) -> str:
    """SQL: the values asked (``?``: a list) whose key is stored, and whether an exact key says so for sure."""
    return (f"SELECT q.v, bool_or(k.id_exact AND {_HEX_ID.format('q.v')}) FROM (SELECT unnest(?::VARCHAR[]) AS v) q "
            f"JOIN {spec.keys} k ON k.id_key = {id_key('q.v')} GROUP BY q.v")


_FP_CANDIDATES = f"""
SELECT v FROM (SELECT unnest(?::VARCHAR[]) AS v) q SEMI JOIN {ARTICLES.keys} k
ON k.fingerprint_key = {fingerprint_key('q.v')}
"""
STORED_IDS = "SELECT DISTINCT {col} FROM {table} WHERE {col} IN (SELECT unnest(?::VARCHAR[]))"
STORED_FINGERPRINTS = ("SELECT fingerprint, min(article_id) FROM articles "
                       "WHERE fingerprint IN (SELECT unnest(?::VARCHAR[])) GROUP BY 1")


def has_keys(con: duckdb.DuckDBPyConnection, spec: Keyed = ARTICLES) -> bool:
    return bool(_one(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' "
                         "AND database_name = current_database()", [spec.keys])[0])


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None, sql  # an aggregate always gives a row
    return row


def stored_ids(con: duckdb.DuckDBPyConnection, ids: Collection[str], keyed: bool = True,
               spec: Keyed = ARTICLES) -> set[str]:
    """Those of ``ids`` stored in ``spec.table``. ``keyed``: the connection's database has its key table."""
    asked = sorted(set(ids))
    if not asked:
        return set()
    sure: set[str] = set()
    if keyed:
        found = con.execute(_id_candidates(spec), [asked]).fetchall()
        sure = {v for v, exact in found if exact}
        asked = sorted(v for v, exact in found if not exact)
        if not asked:
            return sure
    sql = STORED_IDS.format(col=spec.id_column, table=spec.table)
    return sure | {r[0] for r in con.execute(sql, [asked]).fetchall()}


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


def add_keys(con: duckdb.DuckDBPyConnection, relation: str, params: list | None = None,
             spec: Keyed = ARTICLES) -> None:
    """Record the keys of the rows of ``relation`` (with ``spec``'s id column, and ``fingerprint`` for
    articles): the rows just inserted into ``spec.table``, in the same transaction."""
    con.execute(f"INSERT INTO {spec.keys} SELECT {_row(spec)} FROM {relation}", params or [])


def ensure_keys(con: duckdb.DuckDBPyConnection) -> int:
    """Add the keys of the rows that have none (written by hand, not by the load) to each key table
    holding fewer rows than its table. Returns how many were added."""
    added = 0
    for spec in (ARTICLES, EVENTS):
        rows, keys = _one(con, f"SELECT (SELECT count(*) FROM {spec.table}), (SELECT count(*) FROM {spec.keys})")
        if keys < rows:
            log.warning("%s holds %d rows for %d in %s: adding the missing keys", spec.keys, keys, rows, spec.table)
            added += _add_missing(con, spec)
    return added


def _add_missing(con: duckdb.DuckDBPyConnection, spec: Keyed) -> int:
    con.execute("BEGIN TRANSACTION")
    try:
        cols = spec.id_column + (", fingerprint" if spec.fingerprint else "")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _unkeyed AS SELECT {cols} FROM {spec.table} t "
                    f"ANTI JOIN {spec.keys} k ON k.id_key = {id_key('t.' + spec.id_column)}")
        (added,) = _one(con, "SELECT count(*) FROM _unkeyed")
        add_keys(con, "_unkeyed", spec=spec)
        con.execute("DROP TABLE _unkeyed")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return added


__all__ = ["ARTICLES", "EVENTS", "MIGRATIONS", "Keyed", "add_keys", "ensure_keys", "fingerprint_key",
           "has_keys", "id_key", "key", "stored_fingerprints", "stored_ids"]
