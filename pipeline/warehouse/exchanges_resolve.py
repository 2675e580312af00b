"""The changed clusters of an online assignment, resolved from aggregates of their stored day-parts.

A changed group holds pending claims and whole day-parts of stored exchanges (``exchanges_online``).
Resolving it used to read every member of those exchanges as a claim and run ``resolve`` over them: a
cost in proportion to the size of the exchanges a load touches (thousands of claims on a dense
history), not to the load. Here the members are read as narrow rows (event id, article, first loaded:
what ids, memberships, moves and the founder need), and what ``resolve`` counts comes from SQL
aggregates per day-part (``reconcile_resolve.Tally``): claims and smallest event id per (day, figures,
qualifier), their confidences, the most confident claim of each, locations, categories, mediators,
statuses and precisions. Members whose article is named by another claim of the cluster (a pending
claim's article, an article in several parts, or with several claims in the changed exchanges) are
read whole and tallied one by one, so every aggregated claim is its article's only one: distinct
articles are then counts. The result is the row ``resolve`` gives over the same claims.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import duckdb
import pyarrow as pa

from pipeline.reconcile import Claim, Group, normalize_party
from pipeline.reconcile_resolve import Tally, resolve_tally
from pipeline.warehouse.exchanges import _LIGHT_COLS, _figures, _light_claim, claim_key
from pipeline.warehouse.exchanges_flat import FlatCluster, Piece, kind_key
from pipeline.warehouse.exchanges_sql import MEMBER_DAY

# The members of the changed exchanges (``_on_ids``, without the superseded: ``_on_gone``), read once.
_CHANGED = f"""
CREATE OR REPLACE TEMP TABLE _on_c AS
SELECT e.event_id, e.exchange_id, e.article_id, e.event_type, e.status, e.event_date, e.date_precision, e.parties,
       e.returned_to, e.count_qualifier, e.categories, e.mediators, e.location, e.confidence, e.loaded_at,
       {MEMBER_DAY} AS day, coalesce({MEMBER_DAY}, x.mode) AS part
FROM exchange_members e SEMI JOIN _on_ids USING (exchange_id) ANTI JOIN _on_gone USING (event_id)
LEFT JOIN _on_modes x ON x.exchange_id = e.exchange_id
"""
# Per day-part: its current members and smallest event id (what ids and memberships need: ``exchanges_flat``).
_PIECES = "SELECT exchange_id, part, count(*), min(event_id) FROM _on_c GROUP BY exchange_id, part"
_SEVERAL = "SELECT article_id FROM _on_c GROUP BY article_id HAVING count(*) > 1"
_NAMED = f"SELECT {_LIGHT_COLS}, e.exchange_id, e.part FROM _on_c e SEMI JOIN _on_named USING (article_id)"
_PRECISIONS = ("day", "week", "month", "year")
# The other members, aggregated per day-part and (day, figures, qualifier): one claim an article.
_GROUPS = f"""
SELECT exchange_id, part, day, returned_to::VARCHAR, count_qualifier, count(*), min(event_id), list(confidence),
       first(event_id ORDER BY confidence DESC, event_id), max(confidence),
       bool_or(status = 'agreed'), histogram(location) FILTER (location IS NOT NULL),
       array_distinct(flatten(list(categories))), array_distinct(flatten(list(mediators))),
       {", ".join(f"count(*) FILTER (date_precision = '{p}'), min(event_date) FILTER (date_precision = '{p}')"
                  for p in _PRECISIONS)}
FROM _on_c ANTI JOIN _on_named USING (article_id) GROUP BY exchange_id, part, day, returned_to::VARCHAR, count_qualifier
"""


@lru_cache(maxsize=4096)
def _counts(returned_to: str | None) -> dict[str, int]:
    """As ``Claim.counts`` for a member's ``returned_to`` text (do not modify the dict)."""
    return {normalize_party(p): int(v) for p, v in _figures(returned_to or "{}") if v is not None}


def changed_clusters(con: duckdb.DuckDBPyConnection, changed: list[Group], gone: list[tuple],
                     modes: dict[str, date | None]) -> list[FlatCluster]:
    """Each changed group (pending claims and the day-parts it holds) as one cluster of parts, with its
    resolved row. ``modes``: each exchange's own day (where its undated members are). Read whole: the
    members of a pending claim's article or of an article with several members in these exchanges (the
    only articles a cluster can name twice); the others are aggregated."""
    ids = sorted({s.exchange_id for g in changed for s in g.stored})
    con.register("_on_ids", pa.table({"exchange_id": pa.array(ids, pa.string())}))
    con.register("_on_modes", pa.table({"exchange_id": pa.array(ids, pa.string()),
                                        "mode": pa.array([modes.get(x) for x in ids], pa.date32())}))
    try:
        con.execute(_CHANGED)
        pieces = {(x, part): (n, first) for x, part, n, first in con.execute(_PIECES).fetchall()}
        named = {r[0] for r in con.execute(_SEVERAL).fetchall()} | {c.article_id for g in changed for c in g.claims}
        con.register("_on_named", pa.table({"article_id": pa.array(sorted(named), pa.string())}))
        whole: dict[tuple, list[Claim]] = {}
        for r in con.execute(_NAMED).fetchall():
            whole.setdefault((r[-2], r[-1]), []).append(_light_claim(r[:-2]))
        groups = con.execute(_GROUPS).fetchall()
    finally:
        for name in ("_on_ids", "_on_modes", "_on_named"):
            con.unregister(name)
        con.execute("DROP TABLE IF EXISTS _on_c")
    out = []
    for g, t in zip(changed, _tallies(changed, whole, groups), strict=True):
        held = [Piece(s.exchange_id, s.part, modes.get(s.exchange_id), *pieces[(s.exchange_id, s.part)])
                for s in g.stored if (s.exchange_id, s.part) in pieces]
        if g.claims or held:
            key = claim_key(g.claims[0]) if g.claims else kind_key(g.stored[0].kind)
            out.append(FlatCluster(key, sorted(g.claims, key=lambda c: c.event_id), held, resolve_tally(t)))
    return sorted(out, key=lambda cl: (cl.key, cl.first))


def _tallies(changed: list[Group], whole: dict[tuple, list[Claim]], groups: list[tuple]) -> list[Tally]:
    per_part: dict[tuple, list[tuple]] = {}
    for xid, part, day, rt, q, n, first, confs, best_id, best_conf, agreed, locations, cats, meds, *prec in groups:
        precisions = {p: prec[2 * i + 1] for i, p in enumerate(_PRECISIONS) if prec[2 * i]}
        per_part.setdefault((xid, part), []).append(((day, _counts(rt), q, n, first, confs, best_id, best_conf),
                                                     (agreed, _histogram(locations), cats or (), meds or (), precisions)))
    out = []
    for g in changed:
        t = Tally(g.claims[0].key if g.claims else g.stored[0].kind)
        for c in g.claims:
            t.add(c)
        for s in g.stored:
            part = (s.exchange_id, s.part)
            for c in whole.get(part, []):
                t.add(c)
            for group, misc in per_part.get(part, []):
                t.add_group(*group)
                t.add_misc(*misc)
        out.append(t)
    return out


def _histogram(value) -> dict[str, int]:
    """``histogram(location)``: the pinned DuckDB (1.4) gives a MAP as a dict; NULL when no location."""
    return dict(value) if value else {}


__all__ = ["changed_clusters"]
