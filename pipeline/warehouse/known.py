"""What a pass asks the warehouse about the articles in hand (``KnownState``'s lookups).

Each question is one query with the batch's values as a list parameter, joined against the stored
rows of the published read-only copy, so a pass reads what its batch needs; ids and fingerprints are
looked for by their 64-bit keys first (``article_keys``), then confirmed on the strings.
DuckDB connections are not thread-safe: each thread (collect asks from its fetching threads) gets its
own cursor on the one read-only connection.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from urllib.parse import urlsplit

import duckdb

from pipeline.urls import article_id_for
from pipeline.warehouse.row_keys import has_keys, stored_fingerprints, stored_ids

# The path of a stored alias URL, as ``urlsplit`` gives it ('' -> '/', as ``canonical_url`` does). An
# article id is the hash of the canonical URL, which keeps the path as it is: aliases with another
# path cannot have the id asked for, so only those with a path asked for are read (and hashed here).
_ALIAS_PATH = "coalesce(nullif(regexp_extract(url, '^[A-Za-z][A-Za-z0-9+.-]*:(//[^/?#]*)?([^?#]*)', 2), ''), '/')"

ALIASES_BY_PATH = (f"SELECT url FROM article_aliases WHERE {_ALIAS_PATH} IN (SELECT unnest(?::VARCHAR[])) "
                   "OR url IN (SELECT unnest(?::VARCHAR[]))")


class WarehouseLookup:
    """``StoredLookup`` on a read-only connection (owned: closed with it), one cursor a thread."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()
        self._keyed = has_keys(con)  # a copy published before migration 1101 has no ``article_keys``

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            with self._lock:
                cur = self._local.cursor = self._con.cursor()
                self._cursors.append(cur)
        return cur

    def known_ids(self, urls: Collection[str]) -> set[str]:
        wanted = {article_id_for(u) for u in urls}
        paths = sorted({urlsplit(u.strip()).path or "/" for u in urls})
        aliases = self._cursor().execute(ALIASES_BY_PATH, [paths, sorted(set(urls))]).fetchall()
        return self.stored_article_ids(wanted) | ({article_id_for(r[0]) for r in aliases} & wanted)

    def stored_article_ids(self, ids: Collection[str]) -> set[str]:
        """Those of ``ids`` stored as articles (found by their keys: ``article_keys``)."""
        return stored_ids(self._cursor(), ids, self._keyed)

    def stored_fingerprints(self, fingerprints: Collection[str]) -> dict[str, str]:
        return stored_fingerprints(self._cursor(), fingerprints, self._keyed)

    def close(self) -> None:
        with self._lock:
            for cur in self._cursors:
                cur.close()
            self._cursors.clear()
            self._con.close()
