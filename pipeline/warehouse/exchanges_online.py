"""Online assignment: pending claims join stored exchanges taken as fixed units (the load's path).

A stored exchange is read as a ``pipeline.reconcile.Summary`` computed in SQL over its members (the
days its claims fix and how many fix each, the distinct figures per side, its articles, the latest
publication), and only for exchanges of the kinds of the pending claims whose day the rules can
reach: ``far_days`` around a pending day (widened while a changed group's day needs more), the attach
window of an undated pending claim, its undated peers' publication range. The pending claims are
then clustered with these summaries by the three passes of ``pipeline.reconcile`` (``cluster_online``);
only the exchanges that changed have their claims read, to be resolved and written.

What is read grows with the pending claims and the density of their days, not with the history.
Stored claims never move and stored exchanges never split here; the exact re-clustering that can
(``python -m pipeline reconcile``, ``pipeline.warehouse.exchanges_upkeep``) repairs order effects.
See docs/reconciliation.md, "Online assignment in the load".
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import lru_cache

import duckdb
import pyarrow as pa

from pipeline.reconcile import DEFAULT_POLICY, Claim, Group, normalize_party
from pipeline.reconcile import _window as claim_window
from pipeline.reconcile_online import Summary, cluster_online
from pipeline.warehouse.exchanges import _LIGHT_COLS, _days_of, _figures_of_text, _light_claim, kind_key
from pipeline.warehouse.exchanges_flat import FlatCluster
from pipeline.warehouse.exchanges_parts import NEIGHBOUR_PARTS, Parts
from pipeline.warehouse.exchanges_resolve import changed_clusters
from pipeline.warehouse.exchanges_sql import _UNDATED_WINDOW

_UNDATED_END = """CASE e.date_precision WHEN 'week' THEN e.event_date + 7 WHEN 'month' THEN last_day(e.event_date)
    WHEN 'year' THEN (date_trunc('year', e.event_date) + INTERVAL 1 YEAR - INTERVAL 1 DAY)::DATE END"""

_P = DEFAULT_POLICY
_EVER = (date(1900, 1, 1), date(2100, 1, 1))  # no window at all: every stored day of the kind

# Undated stored claims of the kinds asked for (``_on_keys``), with their article's publication day.
# Only exchanges with undated members have any (``exchange_parts``: their row of day NULL).
_UNDATED_EXCHANGES = "SELECT exchange_id FROM exchange_parts WHERE day IS NULL AND claim_key IN (SELECT key FROM _on_keys)"
_UNDATED_MEMBERS = """
SELECT exchange_id, claim_key, article_id, event_date, date_precision, published FROM exchange_members
SEMI JOIN _on_ids USING (exchange_id) WHERE NOT (coalesce(date_precision, 'day') = 'day' AND event_date IS NOT NULL)
"""
_UNDATED_PEERS = "SELECT DISTINCT m.exchange_id FROM _on_u m JOIN _on_pubs v ON v.key = m.claim_key " \
                 "AND m.published BETWEEN v.lo AND v.hi"
# Exchanges with an undated claim whose attach window (``reconcile._window``, the widest lookback) holds
# a day of ``_on_rdays(key, day)``: the day of a new or changed dated group.
_RECALLS = f"""
SELECT DISTINCT e.exchange_id FROM _on_u e JOIN _on_rdays v ON v.key = e.claim_key
WHERE v.day BETWEEN coalesce({_UNDATED_WINDOW}, e.published - {_P.undated_lookback_days})
                AND coalesce({_UNDATED_END}, e.published + 1)
"""
class Reach:
    """What the rules can reach, per kind: days (for dated groups), publication ranges (undated peers)."""

    def __init__(self, pending: list[Claim], gone: list[tuple]) -> None:
        self.days: set[tuple[str, date]] = set()
        self.centres: set[tuple[str, date]] = set()
        self.pubs: list[tuple[str, date, date]] = []
        self.gone_ids = {g[1] for g in gone}
        self.recall_ids: set[str] = set()
        for c in pending:
            key = kind_key(c.key)
            if c.day:
                self.add_around(key, c.day)
                continue
            lo, hi = claim_window(c, _P)
            far = timedelta(days=_P.far_days)  # a group it may join must see its own neighbours too
            self.days |= _days_of([(key, (lo or _EVER[0]) - far, (hi or _EVER[1]) + far)])
            if c.published:
                reach = timedelta(days=_P.undated_group_days)
                self.pubs.append((key, c.published - reach, c.published + reach))
            elif lo is None:
                self.pubs.append((key, *_EVER))

    def add_around(self, key: str, day: date) -> bool:
        """Days within ``far_days`` of ``day``; True when some were not reached before."""
        if (key, day) in self.centres:  # its days are all in already
            return False
        self.centres.add((key, day))
        around = {(key, day + timedelta(days=i)) for i in range(-_P.far_days, _P.far_days + 1)}
        new = around - self.days
        self.days |= new
        return bool(new)

    def holds(self, xid: str, key: str, mode: date | None, latest: date | None, touched: bool, part_days: list) -> bool:
        """An exchange is read whole when a part of it is within reach (or its publication, if undated)."""
        if touched or any((key, d) in self.days for d in part_days):
            return True
        if mode is None and xid in self.recall_ids:
            return True
        return mode is None and latest is not None and any(k == key and lo <= latest <= hi
                                                           for k, lo, hi in self.pubs)


def assign_online(con: duckdb.DuckDBPyConnection, pending: list[Claim], gone: list[tuple],
                  fresh: frozenset[str] = frozenset(), kept: dict[str, list[tuple]] | None = None,
                  ) -> tuple[list[FlatCluster], dict[str, set]]:
    """The clusters that changed (pending claims and stored day-parts, with their rows resolved from
    aggregates: ``exchanges_resolve``), and every part of each stored exchange read. ``fresh``: articles
    the load's transaction inserted (no member of theirs is looked for: ``exchanges_pending.Fresh``);
    ``kept``: gets the tallies read (``exchanges_tallies.read``), for the write to merge into."""
    reach = Reach(pending, gone)
    searched: set[tuple[str, date]] = set()
    candidates = set(reach.gone_ids)
    con.register("_on_gone", pa.table({"event_id": pa.array([g[0] for g in gone], pa.string())}))
    parts = Parts(reach.gone_ids, fresh)
    keys = sorted({kind_key(c.key) for c in pending} | {g[2] for g in gone})
    con.register("_on_keys", pa.table({"key": pa.array(keys, pa.string())}))
    undated = [r[0] for r in con.execute(_UNDATED_EXCHANGES).fetchall()]
    con.unregister("_on_keys")
    con.register("_on_ids", pa.table({"exchange_id": pa.array(undated, pa.string())}))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _on_u AS {_UNDATED_MEMBERS}{'' if undated else ' LIMIT 0'}")  # once
    con.unregister("_on_ids")
    try:
        candidates |= _undated_peers(con, reach.pubs)
        recalls: dict[str, list[Claim]] = {}
        recall_days: set[tuple[str, date]] = set()
        pending_articles = {c.article_id for c in pending}
        made: dict[str, tuple] = {}  # kept across rounds: each exchange's summaries, each kind's groups
        clustered: dict[tuple, list[Group]] = {}
        while True:  # until no changed group reaches a day not searched, nor a recall not read
            todo = reach.days - searched
            searched |= todo
            candidates |= _dated_neighbours(con, todo, parts)
            stored = _summaries(con, parts, candidates, pending_articles, reach, made)
            groups = cluster_online(pending, stored, recalls, DEFAULT_POLICY, clustered)
            days = {(_key_of(g), g.day) for g in groups if g.changed and g.day}
            widened = [reach.add_around(key, day) for key, day in days]
            found = _recalls(con, days - recall_days, set(recalls))
            recall_days |= days
            recalls.update(found)
            reach.recall_ids |= found.keys()
            candidates |= found.keys()
            if not any(widened) and not found:
                break
        flat = changed_clusters(con, [g for g in groups if g.changed], gone, parts.modes(), parts.known,
                                pending_articles, kept)
        return flat, {x: {r[1] for r in rows} for x, rows in parts.rows.items() if rows}
    finally:
        con.unregister("_on_gone")
        con.execute("DROP TABLE IF EXISTS _on_u")


def _key_of(g: Group) -> str:
    return kind_key(g.claims[0].key if g.claims else g.stored[0].kind)


def _dated_neighbours(con: duckdb.DuckDBPyConnection, todo: set[tuple[str, date]], parts: Parts) -> set[str]:
    """The exchanges with a part on one of ``todo``'s (kind, day): their parts are read in the same
    query and kept in ``parts`` (one query instead of two: 18 ms against 26 ms at 1M, cold)."""
    if not todo:
        return set()
    con.register("_nb_day", pa.table({"key": pa.array([k for k, _ in todo], pa.string()),
                                      "day": pa.array([d for _, d in todo], pa.date32())}))
    try:
        return parts.take(con.execute(NEIGHBOUR_PARTS).fetchall())
    finally:
        con.unregister("_nb_day")


def _recalls(con: duckdb.DuckDBPyConnection, days: set[tuple[str, date]], seen: set[str]) -> dict[str, list[Claim]]:
    """Stored exchanges of undated claims only, one of which may recall a group on one of ``days``."""
    if not days:
        return {}
    con.register("_on_rdays", pa.table({"key": pa.array([k for k, _ in days], pa.string()),
                                        "day": pa.array([d for _, d in days], pa.date32())}))
    try:
        ids = sorted({r[0] for r in con.execute(_RECALLS).fetchall()} - seen)
    finally:
        con.unregister("_on_rdays")
    if not ids:
        return {}
    out: dict[str, list[Claim]] = {}
    for c, (xid,) in member_claims(con, f"SELECT {_LIGHT_COLS}, e.published, e.exchange_id FROM exchange_members e "
                                   "ANTI JOIN _on_gone USING (event_id) WHERE list_contains(?, e.exchange_id)",
                                   [ids], 1):  # the few ids filter the scan; the superseded (any number): a join
        out.setdefault(xid, []).append(c)
    return {x: cl for x, cl in out.items() if not any(c.day for c in cl)}


def _undated_peers(con: duckdb.DuckDBPyConnection, pubs: list[tuple[str, date, date]]) -> set[str]:
    if not pubs:
        return set()
    con.register("_on_pubs", pa.table({"key": pa.array([p[0] for p in pubs], pa.string()),
                                       "lo": pa.array([p[1] for p in pubs], pa.date32()),
                                       "hi": pa.array([p[2] for p in pubs], pa.date32())}))
    try:
        return {r[0] for r in con.execute(_UNDATED_PEERS).fetchall()}
    finally:
        con.unregister("_on_pubs")


def _summaries(con: duckdb.DuckDBPyConnection, parts: Parts, candidates: set[str], pending_articles: set[str],
               reach: Reach, made: dict | None = None) -> dict[tuple, list[Summary]]:
    """The candidates' day-parts, by kind: every part of each exchange with a part within reach.
    ``made``: each exchange's summaries from an earlier round (what they are made of is read once)."""
    parts.read(con, candidates)  # read once per exchange, in the first round that needs it
    known = parts.known_claims(con, pending_articles)
    made = {} if made is None else made
    out: dict[tuple, list[Summary]] = {}
    for xid, rows in parts.rows.items():
        if not rows:
            continue
        if xid not in made:
            made[xid] = _exchange_summaries(xid, rows, known, xid in reach.gone_ids)
        kind, latest, part_days, summaries = made[xid]
        if reach.holds(xid, rows[0][2], rows[0][7], latest, xid in reach.gone_ids, part_days):
            out.setdefault(kind, []).extend(summaries)
    return out


def _exchange_summaries(xid: str, rows: list[tuple], known: dict, touched: bool) -> tuple:
    """One exchange's kind, latest publication (if it fixes no day), dated parts, and a summary per part."""
    key, mode = rows[0][2], rows[0][7]
    latest = max((r[8] for r in rows if r[8]), default=None) if mode is None else None
    kind = _kind_of(key)
    out = []
    for _x, part, _k, first, articles, n_dated, figs, _m, _p, exact in rows:
        read = known.get((xid, part), [])
        mine = tuple(sorted((c for c, _multi in read), key=lambda c: c.event_id))
        counted = {c.article_id for c, multi in read if exact or not multi}  # in ``articles`` and in ``mine``
        out.append(Summary(xid, part, kind, first, ((part, n_dated),) if n_dated else (), _figures(figs),
                           articles - len(counted), latest, mine, touched))
    return kind, latest, [r[1] for r in rows if r[1]], out


def member_claims(con: duckdb.DuckDBPyConnection, sql: str, params: list, extra: int) -> list[tuple[Claim, tuple]]:
    """Light claims (``_LIGHT_COLS``, optionally the publication day) read from member rows, each with the
    ``extra`` columns the query adds after them."""
    return [(_light_claim(r[:-extra]), r[-extra:]) for r in con.execute(sql, params).fetchall()]


def _figures(pairs: list) -> tuple[tuple[str, int, str | None], ...]:
    if pairs and len(pairs) == 1:
        return _figures_of(*pairs[0])
    out: set[tuple[str, int, str | None]] = set()
    for rt, q in pairs or ():
        out.update(_figures_of(rt, q))
    return tuple(sorted(out, key=lambda t: (t[0], t[1], t[2] or "")))


@lru_cache(maxsize=8192)
def _figures_of(rt: str | None, q: str | None) -> tuple[tuple[str, int, str | None], ...]:
    """One (returned_to, qualifier) pair's distinct figures, sorted (parsed once per text)."""
    out = {(normalize_party(side), v, q) for side, v in _figures_of_text(rt or "{}") if v is not None}
    return tuple(sorted(out, key=lambda t: (t[0], t[1], t[2] or "")))


@lru_cache(maxsize=4096)
def _kind_of(key: str) -> tuple:
    event_type, phase, parties = json.loads(key)
    return (event_type, phase, tuple(parties))
