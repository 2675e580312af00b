"""The changed clusters of an online assignment, resolved from aggregates of their stored day-parts.

A changed group holds pending claims and whole day-parts of stored exchanges (``exchanges_online``).
Resolving it used to read every member of those exchanges as a claim and run ``resolve`` over them: a
cost in proportion to the size of the exchanges a load touches (thousands of claims on a dense
history), not to the load. Here what ``resolve`` counts comes from aggregates per day-part
(``reconcile_resolve.Tally``), kept by every write in ``exchange_tallies`` (``exchanges_tallies``; an
exchange whose tallies count members they must not here is aggregated from a scan of its members): claims
and smallest event id per (day, figures, qualifier), their confidences, the most confident claim of each,
locations, categories, mediators, statuses and precisions (a part's members and smallest event id, what
ids and memberships need, are the sums of its groups). The members a cluster can name twice (flagged
``multi``: their article has another member; or of a pending claim's article) were read whole already
(``exchanges_parts.Parts.known``, for the conflict rule) and are tallied one by one, so every aggregated
claim is its article's only one: distinct articles are then counts. Tallying more claims one by one
than needed changes nothing. The result is the row ``resolve`` gives over the same claims.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import duckdb
import pyarrow as pa

from pipeline.reconcile import Claim, Group, normalize_party
from pipeline.reconcile_resolve import Tally, resolve_tally
from pipeline.warehouse import exchanges_tallies as tallies
from pipeline.warehouse.exchanges import _figures, kind_key
from pipeline.warehouse.exchanges_flat import FlatCluster, Piece
from pipeline.warehouse.exchanges_sql import MEMBER_DAY

# The members of the changed exchanges (``_on_ids``, without the superseded: ``_on_gone``), in one scan,
# aggregated per day-part, whether read whole (``named``: flagged ``multi``, or of a pending claim's article,
# ``_on_named``) and (day, figures, qualifier). Every group counts towards its part's members and smallest
# event id; only the other groups are tallied from here (one claim an article: an unflagged member's article
# has no other member). Only the columns the aggregates need are read.
_CHANGED = f"""
SELECT e.exchange_id, coalesce({MEMBER_DAY}, x.mode) AS part, e.multi OR e.article_id IN (SELECT article_id FROM _on_named),
       {MEMBER_DAY} AS day, e.returned_to::VARCHAR, e.count_qualifier, {tallies.AGGREGATES}
FROM exchange_members e {{of_ids}} ANTI JOIN _on_gone USING (event_id)
LEFT JOIN _on_modes x ON x.exchange_id = e.exchange_id
{{where}} GROUP BY ALL
"""
# Up to this many exchanges, their ids filter the scan itself (the matching rows' other columns only are
# read: at 100-300 ids a third less CPU than a semi join, which reads every row's); the filter compares each
# member with every id, so from ~600 ids (the same cost on the 1M bench warehouse) a semi join.
_IN_SCAN = 500


@lru_cache(maxsize=4096)
def _counts(returned_to: str | None) -> dict[str, int]:
    """As ``Claim.counts`` for a member's ``returned_to`` text (do not modify the dict)."""
    return {normalize_party(p): int(v) for p, v in _figures(returned_to or "{}") if v is not None}


def changed_clusters(con: duckdb.DuckDBPyConnection, changed: list[Group], gone: list[tuple],
                     modes: dict[str, date | None], known: dict[tuple, list[tuple[Claim, bool]]],
                     pending_articles: set[str], kept: dict[str, list[tuple]] | None = None) -> list[FlatCluster]:
    """Each changed group (pending claims and the day-parts it holds) as one cluster of parts, with its
    resolved row. ``modes``: each exchange's own day (where its undated members are); ``known``: per
    day-part, the members read whole (``exchanges_parts.Parts.known``: those flagged ``multi`` and those of
    ``pending_articles``, the only articles a cluster can name twice); the others are aggregated, from
    ``exchange_tallies`` (``kept`` gets the rows read, for the write to merge into) unless the tallies
    count members they must not here (superseded ones; unflagged ones of a pending claim's article)."""
    ids = {s.exchange_id for g in changed for s in g.stored}
    # members the tallies count wrongly here: superseded ones, and unflagged ones of a pending claim's article
    read_whole = {x for (x, _part), claims in known.items() if any(not multi for _c, multi in claims)}
    scanned = ids & ({g[1] for g in gone} | read_whole)
    tallied = ids - scanned
    groups = _changed_rows(con, sorted(scanned), modes, pending_articles) + (
        tallies.read(con, {x: modes.get(x) for x in sorted(tallied)}, kept) if tallied else [])
    pieces: dict[tuple, tuple[int, str]] = {}  # the tallies leave out the flagged members: counted one by one
    flagged = [(part, 1, c.event_id) for part, claims in known.items() if part[0] in tallied for c, _m in claims]
    for part, n, first in [((r[0], r[1]), r[6], r[7]) for r in groups] + flagged:
        n0, first0 = pieces.get(part, (0, first))
        pieces[part] = (n0 + n, min(first0, first))
    out = []
    aggregated = [r[:2] + r[3:] for r in groups if not r[2]]  # (exchange, part, day, figures, qualifier, n, ...)
    for g, t in zip(changed, _tallies(changed, known, aggregated), strict=True):
        held = [Piece(s.exchange_id, s.part, modes.get(s.exchange_id), *pieces[(s.exchange_id, s.part)])
                for s in g.stored if (s.exchange_id, s.part) in pieces]
        if g.claims or held:
            key = kind_key(g.claims[0].key if g.claims else g.stored[0].kind)
            out.append(FlatCluster(key, sorted(g.claims, key=lambda c: c.event_id), held, resolve_tally(t)))
    return sorted(out, key=lambda cl: (cl.key, cl.first))


def _changed_rows(con: duckdb.DuckDBPyConnection, ids: list[str], modes: dict[str, date | None],
                  pending_articles: set[str]) -> list[tuple]:
    """``_CHANGED`` over these exchanges: the ids filter the scan (up to ``_IN_SCAN``) or are semi-joined."""
    if not ids:  # only new exchanges: no member to read
        return []
    tables = {"_on_modes": pa.table({"exchange_id": pa.array(ids, pa.string()),
                                     "mode": pa.array([modes.get(x) for x in ids], pa.date32())}),
              "_on_named": pa.table({"article_id": pa.array(sorted(pending_articles), pa.string())})}
    if len(ids) > _IN_SCAN:
        tables["_on_ids"] = pa.table({"exchange_id": pa.array(ids, pa.string())})
    for name, table in tables.items():
        con.register(name, table)
    try:
        if len(ids) <= _IN_SCAN:
            return con.execute(_CHANGED.format(of_ids="", where="WHERE list_contains(?::VARCHAR[], e.exchange_id)"),
                               [ids]).fetchall()
        return con.execute(_CHANGED.format(of_ids="SEMI JOIN _on_ids USING (exchange_id)", where="")).fetchall()
    finally:
        for name in tables:
            con.unregister(name)


def _tallies(changed: list[Group], known: dict[tuple, list[tuple[Claim, bool]]], groups: list[tuple]) -> list[Tally]:
    per_part: dict[tuple, list[tuple]] = {}
    for xid, part, day, rt, q, n, first, confs, best_id, best_conf, agreed, locations, cats, meds, *prec in groups:
        precisions = {p: prec[2 * i + 1] for i, p in enumerate(tallies.PRECISIONS) if prec[2 * i]}
        per_part.setdefault((xid, part), []).append(((day, _counts(rt), q, n, first, confs or {}, best_id, best_conf),
                                                     (agreed, _histogram(locations), cats or (), meds or (), precisions)))
    out = []
    for g in changed:
        t = Tally(g.claims[0].key if g.claims else g.stored[0].kind)
        for c in g.claims:
            t.add(c)
        for s in g.stored:
            part = (s.exchange_id, s.part)
            for c, _multi in known.get(part, []):
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
