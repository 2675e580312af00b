"""Writing an online assignment's changed clusters from their day-parts, not member by member.

A changed cluster of the load (``exchanges_online``) holds pending claims and whole day-parts of stored
exchanges (``Piece``: an exchange, a part, how many current members it has, its smallest event id); its
row is resolved from aggregates already (``exchanges_resolve``). What ``exchanges.apply`` does with
claims, this does with parts, so its cost follows the parts, not the members:

- ids: an old id goes to the cluster holding most of its claims (``assign_by_overlap``, with each
  part's count); only a cluster that gets no old id (a split) has its members' ids read (its new id is
  its first loaded claim's, as ``assign_ids`` gives it);
- memberships: an exchange's row is rewritten when its members changed: it gained a pending claim,
  lost a superseded one, gained or lost a part; only the members of parts that move to another id are
  read (to update their rows and log each move, as ``exchanges._write`` and ``_moves`` do).

The rows written are those ``exchanges.apply`` writes for the same clusters with every member read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pyarrow as pa

from pipeline.reconcile import Claim
from pipeline.reconcile_resolve import LogEntry, Resolved, assign_by_overlap, new_id_of
from pipeline.warehouse.exchanges import _facts, _inherited, _seen, _write_log, store
from pipeline.warehouse.exchanges_sql import MEMBER_DAY
from pipeline.warehouse.exchanges_state import state_row

# The current members of the parts in ``_fl_parts`` (exchange, part, the exchange's own day, cluster), without
# the superseded claims (``_fl_gone``: an anti-join, not a list searched for every member).
_PART_MEMBERS = f"""
SELECT p.cluster, e.event_id, epoch_us(e.loaded_at), e.exchange_id
FROM exchange_members e JOIN _fl_parts p ON p.exchange_id = e.exchange_id
    AND coalesce({MEMBER_DAY}, p.mode) IS NOT DISTINCT FROM p.part
ANTI JOIN _fl_gone g ON g.event_id = e.event_id
"""


@dataclass(frozen=True)
class Piece:
    """A stored day-part in a changed cluster: ``n`` current members, the smallest ``first_event_id``;
    ``mode``: its exchange's own day (where the exchange's undated members are)."""

    exchange_id: str
    part: date | None
    mode: date | None
    n: int
    first_event_id: str


@dataclass
class FlatCluster:
    """A changed cluster: its pending claims (by event id), the stored parts it holds, its resolved row."""

    key: str
    claims: list[Claim]
    pieces: list[Piece]
    resolved: Resolved

    @property
    def first(self) -> str:
        return min([c.event_id for c in self.claims] + [p.first_event_id for p in self.pieces])

    @property
    def size(self) -> int:
        return len(self.claims) + sum(p.n for p in self.pieces)


def apply_flat(con: duckdb.DuckDBPyConnection, clusters: list[FlatCluster], parts_of: dict[str, set],
               pending: list[Claim], gone: list[tuple], run_id: str, now: datetime,
               fresh: frozenset[str] = frozenset(), kept: dict[str, list[tuple]] | None = None) -> int:
    """``exchanges.apply`` for clusters of parts. ``parts_of``: every part of each stored exchange read;
    ``fresh``: articles the load's transaction inserted; ``kept``: the tallies read (``exchanges.store``)."""
    inherited = _inherited(pending, gone)
    gone_x = {g[1] for g in gone}
    olds = {p.exchange_id for cl in clusters for p in cl.pieces} | gone_x
    overlaps = []
    for cl in clusters:
        ov: Counter = Counter()
        for p in cl.pieces:
            ov[p.exchange_id] += p.n
        ov.update(inherited[c.event_id] for c in cl.claims if c.event_id in inherited)
        overlaps.append(ov)
    members: dict[int, list[tuple[datetime | None, str]]] = {}

    def new_id(i: int, taken: set[str]) -> str:
        members[i] = [(c.seen_at, c.event_id) for c in clusters[i].claims]
        members[i] += [(_seen(us), eid) for _i, eid, us, _x in _members_of(con, [(i, p) for p in clusters[i].pieces],
                                                                          gone)]
        return new_id_of(members[i], taken)

    ids, log = assign_by_overlap(overlaps, [cl.size for cl in clusters], olds, new_id)
    states, new_rows = [], []
    for i, (xid, cl) in enumerate(zip(ids, clusters, strict=True)):
        same = (not cl.claims and xid not in gone_x and all(p.exchange_id == xid for p in cl.pieces)
                and {p.part for p in cl.pieces} == parts_of.get(xid))
        if not same:
            # a stored id keeps its founder (``store``); a new one is its first loaded claim's
            seen = members.get(i) or [(c.seen_at, c.event_id) for c in cl.claims] or [(None, cl.first)]
            founder = min(seen, key=lambda m: (m[0] or now, m[1]))[1]
            states.append(state_row(xid, cl.key, founder, cl.resolved, run_id, now))
        new_rows += [{"event_id": c.event_id, "exchange_id": xid, "claim_key": cl.key, "run_id": run_id,
                      "attached_at": now, **_facts(c)} for c in cl.claims]
    moving = [(i, p) for i, cl in enumerate(clusters) for p in cl.pieces if p.exchange_id != ids[i]]
    moved = sorted(_members_of(con, moving, gone))
    member_rows = [{"event_id": eid, "exchange_id": ids[i], "claim_key": clusters[i].key, "run_id": run_id,
                    "attached_at": now} for i, eid, _us, _x in moved]
    dead = {x: next((ids[i] for i, cl in enumerate(clusters) if any(p.exchange_id == x for p in cl.pieces)), None)
            for x in olds - set(ids)}
    changed = store(con, states, member_rows, new_rows, {g[0] for g in gone}, olds | set(ids), dead, run_id, now,
                    fresh, kept)
    log += [LogEntry("revise", g[1], None, f"claim {g[0]} superseded by a newer extractor version") for g in gone]
    log += [LogEntry("move", ids[i], x, f"claim {eid} moved from {x}") for i, eid, _us, x in moved]
    _write_log(con, log, run_id, now)
    return changed


def _members_of(con: duckdb.DuckDBPyConnection, pieces: list[tuple[int, Piece]], gone: list[tuple],
                ) -> list[tuple[int, str, int | None, str]]:
    """The current members of these parts: (cluster index, event id, first loaded (epoch us), exchange)."""
    if not pieces:
        return []
    con.register("_fl_parts", pa.table({
        "cluster": pa.array([i for i, _p in pieces], pa.int64()),
        "exchange_id": pa.array([p.exchange_id for _i, p in pieces], pa.string()),
        "part": pa.array([p.part for _i, p in pieces], pa.date32()),
        "mode": pa.array([p.mode for _i, p in pieces], pa.date32())}))
    con.register("_fl_gone", pa.table({"event_id": pa.array(sorted({g[0] for g in gone}), pa.string())}))
    try:
        return con.execute(_PART_MEMBERS).fetchall()
    finally:
        con.unregister("_fl_parts")
        con.unregister("_fl_gone")


__all__ = ["FlatCluster", "Piece", "apply_flat"]
