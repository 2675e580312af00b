"""Online assignment: pending claims clustered with stored exchanges read as summaries (pure, no I/O).

The load cannot re-cluster every stored claim near the new ones (their number grows with the
warehouse), so a stored exchange comes as a ``Summary`` per day-part, computed in SQL. The three
passes of ``pipeline.reconcile`` run unchanged on these (``Group`` holds summaries as well as claims):

1. pass 1: a pending claim joins a part of its day (or a new group), as it would join the claims of
   that day; then every stored exchange no part of which gained a claim is one fixed unit again, while
   the parts of one that did (or that lost a claim) stay apart, so the next pass re-decides them;
2. pass 2: nearby-day merges, only for pairs where one group is new or changed (two untouched stored
   exchanges stay as they were);
3. pass 3: undated pending claims attach to a dated group in their window, or to an undated peer;
   a stored exchange of undated claims all of which would attach to a new or changed dated group
   merges into it (a recall loaded before the event it recalls).

Stored exchanges therefore grow, merge, or split along day-parts when a new claim lands in them; the
claims of one part never separate and untouched exchanges never change. Exact re-clustering (order
effects) is the upkeep step ``python -m pipeline reconcile``. See docs/reconciliation.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from pipeline.reconcile import (
    DEFAULT_POLICY,
    Claim,
    Group,
    Policy,
    _anchor,
    _attach_undated,
    _day_groups,
    _merge_near_days,
)


@dataclass(frozen=True)
class Summary:
    """One day-part of a stored exchange: its claims fixing ``part`` (with the exchange's undated
    members on the exchange's own day), or the whole of an exchange that fixes no day (``part`` None).

    ``days``: how many of its claims fix each day; ``figures``: its distinct (side, value, qualifier);
    ``claims``: only the members whose article another group may share (a pending claim's, or one in
    several parts), for the conflict rule; ``n_other``: its other articles (each in this part only).
    """

    exchange_id: str
    part: date | None
    kind: tuple
    first_event_id: str
    days: tuple[tuple[date, int], ...]
    figures: tuple[tuple[str, int, str | None], ...]
    n_other: int
    latest_published: date | None
    claims: tuple[Claim, ...] = ()
    touched: bool = False  # lost a claim, or a part of it gained one: its parts are re-decided


def _reassemble(groups: list[Group]) -> list[Group]:
    """After pass 1: an untouched stored exchange is one fixed unit again; a touched one's parts stay apart."""
    by_x: dict[str, list[Group]] = {}
    for g in groups:
        if g.stored:
            by_x.setdefault(g.stored[0].exchange_id, []).append(g)
    out = [g for g in groups if not g.stored]
    for parts in by_x.values():
        if any(g.claims or g.stored[0].touched for g in parts):
            for g in parts:
                g.stored = [s if s.touched else replace(s, touched=True) for s in g.stored]
                g._cache.clear()
            out += parts
            continue
        for g in parts[1:]:
            parts[0].absorb(g)
        out.append(parts[0])
    return out


def _cluster_kind(claims: list[Claim], stored: list[Summary], recalls: dict[str, list[Claim]],
                  p: Policy) -> list[Group]:
    parts = [Group([], [s]) for s in sorted(stored, key=lambda s: (s.exchange_id, s.part or date.min))]
    dated = sorted((c for c in claims if c.day), key=lambda c: (c.day, c.event_id))
    groups = _merge_near_days(_reassemble(_day_groups(dated, p, [g for g in parts if g.day])), p)
    loose = sorted((g for g in parts if not g.day), key=lambda g: (g.latest_published or date.min, g.ident))
    loose = _attach_undated([c for c in claims if not c.day], groups, loose, p)
    return groups + _attach_recalls(loose, [g for g in groups if g.changed], recalls, p)


def _attach_recalls(loose: list[Group], changed: list[Group], recalls: dict[str, list[Claim]],
                    p: Policy) -> list[Group]:
    """A stored exchange of undated claims (``recalls``: its claims) joins a new or changed dated group
    when every one of its claims would attach there (pass 3's rule): a recall loaded before the event."""
    if not changed or not recalls:
        return loose
    out = []
    for g in loose:
        claims = recalls.get(g.stored[0].exchange_id, []) if g.stored and not g.claims else []
        targets = {id(t): t for t in (_anchor(c, changed, p) for c in claims)}
        target = next(iter(targets.values())) if len(targets) == 1 else None
        if target is not None:
            target.absorb(g)
        else:
            out.append(g)
    return out


def cluster_online(pending: list[Claim], stored: dict[tuple, list[Summary]],
                   recalls: dict[str, list[Claim]] | None = None, policy: Policy = DEFAULT_POLICY,
                   memo: dict | None = None) -> list[Group]:
    """Pending claims with stored day-parts (by kind), by the three passes. Returns every group;
    ``Group.changed`` tells which ones the load writes (their stored parts' claims are then read).

    Kinds never meet, so with ``memo`` (kept across calls with the same pending claims and policy, and
    summaries that are kept alive and never change) a kind whose summaries and recalls are those of an
    earlier call gets that call's groups again instead of being clustered anew."""
    by_key: dict[tuple, list[Claim]] = {}
    for c in sorted(pending, key=lambda c: c.event_id):
        by_key.setdefault(c.key, []).append(c)
    recalls = recalls or {}
    out: list[Group] = []
    for key in sorted(by_key.keys() | stored.keys()):
        kind = stored.get(key, [])
        if memo is None:
            out += _cluster_kind(by_key.get(key, []), kind, recalls, policy)
            continue
        seen = (key, tuple(id(s) for s in kind), tuple(sorted({s.exchange_id for s in kind} & recalls.keys())))
        if seen not in memo:
            memo[seen] = _cluster_kind(by_key.get(key, []), kind, recalls, policy)
        out += memo[seen]
    return out
