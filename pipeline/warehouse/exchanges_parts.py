"""Stored exchanges as day-parts: kept in ``exchange_parts`` by every write, read by the online assignment.

The online assignment (``exchanges_online``) sees a stored exchange as one summary per day-part: the
claims fixing one day, with the exchange's undated claims on its own day (the day most of its claims
fix; ties: the earliest). Aggregating the members of every exchange near a batch on each load costs in
proportion to those exchanges (tens of thousands of claims on a dense history), so ``exchange_parts``
(migration ``1001_flatload_member_facts``) keeps one row per exchange and day its members fix, plus one
for its undated members, rewritten for the exchanges each write touches (``refresh``). A load reads the
rows of the exchanges within reach and merges the undated row into the exchange's own day.

Distinct articles: a row counts the members whose article has no other member (``n_single``; the
``multi`` flag of ``exchange_members``); the members of the other articles, and of the pending claims'
articles, are read one by one (``known``), as the conflict rule needs them anyway: a summary then has
exactly the distinct articles of its claims. An exchange that loses a superseded claim in this load is
aggregated from its members instead (its stored rows still count the claim).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa

from pipeline.reconcile import Claim
from pipeline.warehouse import exchanges_tallies as tallies
from pipeline.warehouse.exchanges import _LIGHT_COLS, _light_claim
from pipeline.warehouse.exchanges_sql import DATED_NEIGHBOURS, MEMBER_DAY, PARTS_FROM, PARTS_OF

_OF_IDS = "exchange_members e SEMI JOIN _on_ids USING (exchange_id) ANTI JOIN _on_gone USING (event_id)"
_PART_COLS = "exchange_id, claim_key, day, n_claims, first_event_id, n_single, figures, latest_published"
_STORED = f"SELECT {_PART_COLS} FROM exchange_parts SEMI JOIN _on_ids USING (exchange_id)"
# Every row of the exchanges with a row on one of ``_nb_day(key, day)`` (``DATED_NEIGHBOURS``), in one
# query: they are read whole anyway (``Parts.take``).
NEIGHBOUR_PARTS = f"SELECT {_PART_COLS} FROM exchange_parts WHERE exchange_id IN ({DATED_NEIGHBOURS})"
# From the members (without the superseded ones), already as day-parts, with distinct articles counted.
_AGGREGATED = f"""
WITH m AS (SELECT e.exchange_id, e.claim_key, e.event_id, e.article_id, e.returned_to, e.count_qualifier, e.published,
                  {MEMBER_DAY} AS day FROM {_OF_IDS}),
x AS (SELECT exchange_id, first(day ORDER BY n DESC, day) AS mode
      FROM (SELECT exchange_id, day, count(*) AS n FROM m WHERE day IS NOT NULL GROUP BY ALL) GROUP BY 1)
SELECT m.exchange_id, coalesce(m.day, x.mode) AS part, any_value(m.claim_key), min(m.event_id),
       count(DISTINCT m.article_id), count(m.day), list(DISTINCT [m.returned_to::VARCHAR, m.count_qualifier]),
       any_value(x.mode), max(m.published), true
FROM m LEFT JOIN x USING (exchange_id) GROUP BY m.exchange_id, part
"""
# The members read one by one: those flagged (their article has another member), by the flag (a filter
# the scan applies before reading the other columns), and those of the pending claims' articles, once.
_MULTI = f"SELECT {_LIGHT_COLS}, e.exchange_id, e.multi FROM {_OF_IDS} WHERE e.multi"
_OF_PENDING = f"""SELECT {_LIGHT_COLS}, e.exchange_id, e.multi FROM exchange_members e
SEMI JOIN _on_known USING (article_id) ANTI JOIN _on_gone USING (event_id) WHERE NOT e.multi"""


class Parts:
    """The day-parts of the exchanges read so far, and the members read one by one (those of articles
    with another member, or of a pending claim's article), re-read only when more exchanges are read.

    ``rows[xid]``: (xid, part, key, first event id, articles, claims fixing the day, figures, the
    exchange's own day, latest publication, whether ``articles`` counts them all (else: single ones))."""

    def __init__(self, gone_ids: set[str], fresh: frozenset[str] = frozenset()) -> None:
        self.rows: dict[str, list[tuple]] = {}
        self.gone_ids = gone_ids
        self.fresh = fresh  # articles the load's transaction inserted: no member yet (``Fresh``)
        self.known: dict[tuple, list[tuple[Claim, bool]]] = {}
        self.known_for: set[str] = set()
        self.of_pending: list[tuple] | None = None
        self.multi: set[str] = set()  # read exchanges with a member flagged ``multi`` (or aggregated: maybe)

    def read(self, con: duckdb.DuckDBPyConnection, ids: set[str]) -> None:
        new = ids - self.rows.keys()
        if not new:
            return
        stored, gone = sorted(new - self.gone_ids), sorted(new & self.gone_ids)
        if stored:
            self._keep(stored, of_ids(con, stored, _STORED))
        by_x: dict[str, list[tuple]] = {x: [] for x in gone}  # none: every claim superseded
        for r in of_ids(con, gone, _AGGREGATED) if gone else ():
            by_x[r[0]].append(r)
        self.multi.update(gone)
        self.rows.update(by_x)

    def take(self, rows: list[tuple]) -> set[str]:
        """Stored rows (``_PART_COLS``) of whole exchanges, read by another query (the dated neighbours'):
        kept for those not read yet, unless they lose a claim (``read`` aggregates those). Returns the
        exchanges among them."""
        ids = {r[0] for r in rows}
        new = ids - self.rows.keys() - self.gone_ids
        if new:
            self._keep(sorted(new), [r for r in rows if r[0] in new])
        return ids

    def _keep(self, ids: list[str], rows: list[tuple]) -> None:
        by_x: dict[str, list[tuple]] = {x: [] for x in ids}
        for r in rows:
            by_x[r[0]].append(r)
            if r[3] != r[5]:  # not every member of the row counted as its article's only one
                self.multi.add(r[0])
        self.rows.update((x, _merged(xrows)) for x, xrows in by_x.items())

    def modes(self) -> dict[str, date | None]:
        return {x: rows[0][7] for x, rows in self.rows.items() if rows}

    def known_claims(self, con: duckdb.DuckDBPyConnection, pending_articles: set[str],
                     ) -> dict[tuple, list[tuple[Claim, bool]]]:
        new = {x for x, rows in self.rows.items() if rows} - self.known_for
        if not new:
            return self.known
        if self.of_pending is None:  # the pending articles do not change during the assignment
            self.of_pending = _of_pending(con, pending_articles - self.fresh)
        modes = self.modes()
        flagged = sorted(new & self.multi)  # the others' parts count every member as single: none to read
        for r in (of_ids(con, flagged, _MULTI) if flagged else []) + [r for r in self.of_pending if r[-2] in new]:
            c = _light_claim(r[:-2])
            self.known.setdefault((r[-2], c.day or modes.get(r[-2])), []).append((c, r[-1]))
        self.known_for |= new
        return self.known


def _of_pending(con: duckdb.DuckDBPyConnection, articles: set[str]) -> list[tuple]:
    if not articles:
        return []
    con.register("_on_known", pa.table({"article_id": pa.array(sorted(articles), pa.string())}))
    try:
        return con.execute(_OF_PENDING).fetchall()
    finally:
        con.unregister("_on_known")


def _merged(rows: list[tuple]) -> list[tuple]:
    """An exchange's rows as day-parts: its undated row joins the part of its own day (the mode)."""
    dated = [r for r in rows if r[2] is not None]
    mode = min(dated, key=lambda r: (-r[3], r[2]))[2] if dated else None
    parts: dict[date | None, tuple] = {}
    for xid, key, day, n, first, articles, figs, latest in sorted(rows, key=lambda r: r[2] is None):
        part = day if day is not None else mode
        n_dated = n if day is not None else 0
        if part in parts:  # the undated row on the mode's part
            _x, _p, _k, first0, articles0, n_dated0, figs0, _m, latest0, _e = parts[part]
            first, articles, n_dated = min(first0, first), articles0 + articles, n_dated0 + n_dated
            figs = list(figs0 or []) + list(figs or [])
            latest = max((d for d in (latest0, latest) if d), default=None)
        parts[part] = (xid, part, key, first, articles, n_dated, figs, mode, latest, False)
    return list(parts.values())


def of_ids(con: duckdb.DuckDBPyConnection, ids: list[str], sql: str) -> list[tuple]:
    con.register("_on_ids", pa.table({"exchange_id": pa.array(ids, pa.string())}))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.unregister("_on_ids")


def refresh(con: duckdb.DuckDBPyConnection, touched: set[str], new_articles: set[str]) -> None:
    """After a write: flag the articles that now have several members, then rewrite the parts of the
    exchanges touched (and of those holding a newly flagged article)."""
    touched = set(touched)
    if new_articles:
        con.register("_pp_articles", pa.table({"article_id": pa.array(sorted(new_articles), pa.string())}))
        try:
            several = [r[0] for r in con.execute(
                "SELECT article_id FROM exchange_members SEMI JOIN _pp_articles USING (article_id) "
                "GROUP BY article_id HAVING count(*) > 1").fetchall()]
        finally:
            con.unregister("_pp_articles")
        if several:
            touched |= {r[0] for r in con.execute("SELECT DISTINCT exchange_id FROM exchange_members WHERE "
                                                  "list_contains(?, article_id) AND NOT multi", [several]).fetchall()}
            con.execute("UPDATE exchange_members SET multi = true WHERE list_contains(?, article_id) AND NOT multi",
                        [several])
    if not touched:
        return
    con.register("_pp_ids", pa.table({"exchange_id": pa.array(sorted(touched), pa.string())}))
    try:
        con.execute("DELETE FROM exchange_parts WHERE exchange_id IN (SELECT exchange_id FROM _pp_ids)")
        con.execute("INSERT INTO exchange_parts " + PARTS_OF.format(where="SEMI JOIN _pp_ids USING (exchange_id)"))
        tallies.refresh(con, "_pp_ids")
    finally:
        con.unregister("_pp_ids")


# The parts of the new members (``_pp_new``: rows as ``exchange_members``) merged into their exchanges'
# stored parts. A write that only adds members (none superseded, moved or newly flagged ``multi``) changes
# each part by these sums: counts add up, the smallest id and latest day are the least and greatest, the
# distinct figures are the union.
_APPENDED = f"""
SELECT n.exchange_id, coalesce(p.claim_key, n.claim_key), n.day, coalesce(p.n_claims, 0) + n.n_claims,
       least(p.first_event_id, n.first_event_id), coalesce(p.n_single, 0) + n.n_single,
       list_distinct(coalesce(p.figures, []::VARCHAR[][]) || n.figures), greatest(p.latest_published, n.latest_published),
       p.exchange_id IS NOT NULL AND list_has_all(coalesce(p.figures, []::VARCHAR[][]), n.figures) AS kept
FROM ({PARTS_FROM.format(source="_pp_new", where="")}) n({_PART_COLS})
LEFT JOIN exchange_parts p ON p.exchange_id = n.exchange_id AND p.day IS NOT DISTINCT FROM n.day
"""


def append(con: duckdb.DuckDBPyConnection, new_members: pa.Table, kept: dict[str, list[tuple]] | None = None) -> None:
    """After a write that only added ``new_members`` (``refresh``'s work without reading the exchanges'
    other members: what it costs follows the new members, not the size of their exchanges).

    A stored part whose figures already hold the new ones (``kept``: most of them) has its counts updated
    in place; the others are deleted and inserted again. DuckDB updates a list column by deleting the row
    and inserting it, so the checkpoint would rewrite the table's row group for either. The tallies are
    merged as well (``exchanges_tallies.append``; ``kept``: as read before the write)."""
    con.register("_pp_new", new_members)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _pp_merged({_PART_COLS}, kept) AS {_APPENDED}")
        con.execute("UPDATE exchange_parts p SET n_claims = m.n_claims, first_event_id = m.first_event_id, "
                    "n_single = m.n_single, latest_published = m.latest_published FROM _pp_merged m "
                    "WHERE m.kept AND m.exchange_id = p.exchange_id AND m.day IS NOT DISTINCT FROM p.day")
        con.execute("DELETE FROM exchange_parts p WHERE EXISTS (SELECT 1 FROM _pp_merged m "
                    "WHERE NOT m.kept AND m.exchange_id = p.exchange_id AND m.day IS NOT DISTINCT FROM p.day)")
        con.execute(f"INSERT INTO exchange_parts SELECT {_PART_COLS} FROM _pp_merged WHERE NOT kept")
        tallies.append(con, new_members, kept)
    finally:
        con.unregister("_pp_new")
        con.execute("DROP TABLE IF EXISTS _pp_merged")
