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

import duckdb
import pyarrow as pa

from pipeline.reconcile import DEFAULT_POLICY, Claim, Group, Summary, cluster_online, normalize_party
from pipeline.reconcile import _window as claim_window
from pipeline.warehouse.exchanges import _claims, _days_of, claim_key
from pipeline.warehouse.exchanges_sql import DATED_NEIGHBOURS

_P = DEFAULT_POLICY
_EVER = (date(1900, 1, 1), date(2100, 1, 1))  # no window at all: every stored day of the kind

# Members of the candidate exchanges (``_on_ids``), without the superseded claims (``_on_gone``).
_MEMBERS = """
CREATE OR REPLACE TEMP TABLE _on_m AS
SELECT m.exchange_id, m.claim_key, m.event_id, e.article_id, e.returned_to::VARCHAR AS rt, e.count_qualifier AS q,
       CASE WHEN coalesce(e.date_precision, 'day') = 'day' THEN e.event_date END AS day
FROM exchange_members m JOIN _on_ids USING (exchange_id) JOIN event_rows e USING (event_id)
ANTI JOIN _on_gone g ON g.event_id = m.event_id
"""
_SUMMARY = """
SELECT exchange_id, any_value(claim_key), min(event_id), count(DISTINCT article_id), list(DISTINCT [rt, q])
FROM _on_m GROUP BY exchange_id
"""
_DAYS = "SELECT exchange_id, day, count(*) FROM _on_m WHERE day IS NOT NULL GROUP BY ALL"
# Articles whose claims are in several candidate exchanges (the conflict rule may need them).
_SHARED = "SELECT article_id FROM _on_m GROUP BY article_id HAVING count(DISTINCT exchange_id) > 1"
_UNDATED_PEERS = """
SELECT DISTINCT m.exchange_id FROM exchange_members m JOIN event_rows e USING (event_id)
JOIN articles a ON a.article_id = e.article_id
JOIN _on_pubs v ON v.key = m.claim_key AND a.published BETWEEN v.lo AND v.hi
WHERE NOT (coalesce(e.date_precision, 'day') = 'day' AND e.event_date IS NOT NULL)
"""
_LATEST = "SELECT m.exchange_id, max(a.published) FROM _on_m m JOIN articles a USING (article_id) " \
          "WHERE list_contains(?::VARCHAR[], m.exchange_id) GROUP BY 1"


class Reach:
    """What the rules can reach, per kind: days (for dated groups), publication ranges (undated peers)."""

    def __init__(self, pending: list[Claim], gone: list[tuple]) -> None:
        self.days: set[tuple[str, date]] = set()
        self.pubs: list[tuple[str, date, date]] = []
        self.gone_ids = {g[1] for g in gone}
        for c in pending:
            key = claim_key(c)
            if c.day:
                self.add_around(key, c.day)
                continue
            lo, hi = claim_window(c, _P)
            self.days |= _days_of([(key, lo or _EVER[0], hi or _EVER[1])])
            if c.published:
                reach = timedelta(days=_P.undated_group_days)
                self.pubs.append((key, c.published - reach, c.published + reach))
            elif lo is None:
                self.pubs.append((key, *_EVER))

    def add_around(self, key: str, day: date) -> bool:
        """Days within ``far_days`` of ``day``; True when some were not reached before."""
        around = {(key, day + timedelta(days=i)) for i in range(-_P.far_days, _P.far_days + 1)}
        new = around - self.days
        self.days |= new
        return bool(new)

    def holds(self, key: str, s: Summary, undated_ok: bool) -> bool:
        if s.touched:
            return True
        day = Group([], [s]).day
        if day is not None:
            return (key, day) in self.days
        return undated_ok and any(k == key and s.latest_published and lo <= s.latest_published <= hi
                                  for k, lo, hi in self.pubs)


def assign_online(con: duckdb.DuckDBPyConnection, pending: list[Claim], gone: list[tuple],
                  ) -> tuple[list[list[Claim]], dict[str, str]]:
    """The clusters that changed (stored members and pending claims) and where their stored claims were."""
    reach = Reach(pending, gone)
    searched: set[tuple[str, date]] = set()
    candidates = set(reach.gone_ids)
    con.register("_on_gone", pa.table({"event_id": pa.array([g[0] for g in gone], pa.string())}))
    try:
        candidates |= _undated_peers(con, reach.pubs)
        while True:
            todo = reach.days - searched
            searched |= todo
            candidates |= _dated_neighbours(con, todo)
            stored = _summaries(con, candidates, {c.article_id for c in pending}, reach)
            groups = cluster_online(pending, stored)
            widened = [reach.add_around(_key_of(g, stored), g.day) for g in groups if g.changed and g.day]
            if not any(widened):
                break
        return _changed_clusters(con, [g for g in groups if g.changed], gone)
    finally:
        con.unregister("_on_gone")
        con.execute("DROP TABLE IF EXISTS _on_m")


def _key_of(g: Group, stored: dict[tuple, list[Summary]]) -> str:
    if g.claims:
        return claim_key(g.claims[0])
    event_type, phase, parties = next(k for k, ss in stored.items() if g.stored[0] in ss)
    return json.dumps([event_type, phase, list(parties)], ensure_ascii=False)


def _dated_neighbours(con: duckdb.DuckDBPyConnection, todo: set[tuple[str, date]]) -> set[str]:
    if not todo:
        return set()
    con.register("_nb_day", pa.table({"key": pa.array([k for k, _ in todo], pa.string()),
                                      "day": pa.array([d for _, d in todo], pa.date32())}))
    try:
        return {r[0] for r in con.execute(DATED_NEIGHBOURS).fetchall()}
    finally:
        con.unregister("_nb_day")


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


def _summaries(con: duckdb.DuckDBPyConnection, candidates: set[str], pending_articles: set[str],
               reach: Reach) -> dict[tuple, list[Summary]]:
    """The candidates' summaries, by kind, kept when their day (or publication) is within reach."""
    con.register("_on_ids", pa.table({"exchange_id": pa.array(sorted(candidates), pa.string())}))
    con.execute(_MEMBERS)
    con.unregister("_on_ids")
    rows = con.execute(_SUMMARY).fetchall()
    days: dict[str, list[tuple[date, int]]] = {}
    for xid, day, n in con.execute(_DAYS).fetchall():
        days.setdefault(xid, []).append((day, n))
    known = pending_articles | {r[0] for r in con.execute(_SHARED).fetchall()}
    con.register("_on_known", pa.table({"article_id": pa.array(sorted(known), pa.string())}))
    claims = _claims(con, "e.event_id IN (SELECT event_id FROM _on_m SEMI JOIN _on_known USING (article_id))", [])
    con.unregister("_on_known")
    by_x: dict[str, list[Claim]] = {}
    owner = dict(con.execute("SELECT event_id, exchange_id FROM _on_m SEMI JOIN "
                             "(SELECT UNNEST(?::VARCHAR[]) AS event_id) USING (event_id)",
                             [[c.event_id for c in claims]]).fetchall()) if claims else {}
    for c in claims:
        by_x.setdefault(owner[c.event_id], []).append(c)
    undated = [r[0] for r in rows if r[0] not in days]
    latest = dict(con.execute(_LATEST, [undated]).fetchall()) if undated else {}
    out: dict[tuple, list[Summary]] = {}
    for xid, key, first, n_articles, figs in rows:
        mine = tuple(sorted(by_x.get(xid, []), key=lambda c: c.event_id))
        s = Summary(xid, first, tuple(sorted(days.get(xid, ()))),
                    _figures(figs), n_articles - len({c.article_id for c in mine}), latest.get(xid), mine,
                    xid in reach.gone_ids)
        if reach.holds(key, s, undated_ok=True):
            event_type, phase, parties = json.loads(key)
            out.setdefault((event_type, phase, tuple(parties)), []).append(s)
    return out


def _figures(pairs: list) -> tuple[tuple[str, int, str | None], ...]:
    out = set()
    for rt, q in pairs or ():
        for side, v in (json.loads(rt) if rt else {}).items():
            if v is not None:
                out.add((normalize_party(side), int(v), q))
    return tuple(sorted(out, key=lambda t: (t[0], t[1], t[2] or "")))


def _changed_clusters(con: duckdb.DuckDBPyConnection, changed: list[Group], gone: list[tuple],
                      ) -> tuple[list[list[Claim]], dict[str, str]]:
    """Read the claims of the changed exchanges only; each changed group becomes one cluster."""
    ids = sorted({s.exchange_id for g in changed for s in g.stored})
    con.register("_on_ids", pa.table({"exchange_id": pa.array(ids, pa.string())}))
    try:
        previous = dict(con.execute("SELECT event_id, exchange_id FROM exchange_members "
                                    "JOIN _on_ids USING (exchange_id)").fetchall())
        members = _claims(con, "e.event_id IN (SELECT event_id FROM exchange_members JOIN _on_ids "
                               "USING (exchange_id)) AND NOT list_contains(?::VARCHAR[], e.event_id)",
                          [[g[0] for g in gone]])
    finally:
        con.unregister("_on_ids")
    by_x: dict[str, list[Claim]] = {}
    for c in members:
        by_x.setdefault(previous[c.event_id], []).append(c)
    clusters = [sorted(g.claims + [c for s in g.stored for c in by_x.get(s.exchange_id, [])],
                       key=lambda c: c.event_id) for g in changed]
    clusters.sort(key=lambda cl: (claim_key(cl[0]), cl[0].event_id))
    return clusters, {**previous, **{g[0]: g[1] for g in gone}}
