"""A cluster of claims -> one exchange row, and stable exchange ids across re-clustering.

Pure logic, no I/O. The policy (docs/reconciliation.md):

- the day: the day most claims give (ties: the earliest); claims without a day do not vote;
- each side's count: the figure most sources give (exact figures) for what that side received
  (outlets relay each side's official figure); where sources are split evenly, the figure extracted
  with more confidence; where that ties too, the lower one (conservative, as ACLED);
  approximate and at-least figures count only when no exact figure exists;
- mediators and categories: every one any claim names; location: the most named;
- ``disputed``: the claims give more than one day, or a side two figures that do not fit together.
  Every value stays in ``disputes`` (value -> number of claims) and in ``exchange_sources``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pipeline.reconcile import DEFAULT_POLICY, EQUAL, FAR, Claim, Policy, _relation, normalize_party
from pipeline.records import stable_id

_PRECISION_ORDER = ("day", "week", "month", "year")


@dataclass(frozen=True)
class Resolved:
    """The exchange as the warehouse shows it (the EVENT fields plus what reconciliation adds)."""

    event_type: str
    status: str
    event_date: date | None
    date_precision: str | None
    parties: tuple[str, ...]
    returned_to: dict[str, int | None]
    count_qualifier: str | None
    categories: tuple[str, ...]
    mediators: tuple[str, ...]
    location: str | None
    best_event_id: str
    confidence: float
    n_sources: int
    disputed: bool
    disputes: dict[str, Any] = field(default_factory=dict)


def _mode(values: list, prefer_low: bool = True):
    counts = Counter(values)
    return min(counts, key=lambda v: (-counts[v], v if prefer_low else 0))


def _side_figure(claims: list[Claim], side: str) -> tuple[int | None, str | None]:
    """The figure most sources give; then the one extracted most confidently; then the lower."""
    support: dict[int, tuple[set[str], float]] = {}
    for c in claims:
        if side in c.counts() and c.count_qualifier in (None, "exact"):
            articles, conf = support.get(c.counts()[side], (set(), 0.0))
            support[c.counts()[side]] = (articles | {c.article_id}, conf + c.confidence)
    if support:
        best = max(support, key=lambda v: (len(support[v][0]), round(support[v][1], 6), -v))
        return best, "exact"
    loose = sorted((c.counts()[side], c.count_qualifier) for c in claims if side in c.counts())
    return loose[0] if loose else (None, None)


def _date(claims: list[Claim]) -> tuple[date | None, str | None]:
    days = [c.day for c in claims if c.day]
    if days:
        return _mode(days), "day"
    precisions = [c.date_precision for c in claims if c.date_precision in _PRECISION_ORDER]
    if not precisions:
        return None, None
    best = min(precisions, key=_PRECISION_ORDER.index)
    dated = sorted(c.event_date for c in claims if c.event_date and c.date_precision == best)
    return (dated[0] if dated else None), best


def _count_disputes(claims: list[Claim], side: str, chosen: int | None, policy: Policy) -> dict[str, int]:
    """Every figure given for a side (value -> claims); empty when they all fit together."""
    given = [(c.counts()[side], c.count_qualifier) for c in claims if side in c.counts()]
    values = Counter(str(v) if q in (None, "exact") else f"{v} ({q})" for v, q in given)
    exact = {v for v, q in given if q in (None, "exact")}
    loose_misfit = chosen is not None and any(
        _relation(v, q, chosen, "exact", policy) == FAR for v, q in given if q not in (None, "exact"))
    return dict(values) if len(exact) > 1 or loose_misfit else {}


def _best_claim(claims: list[Claim], day: date | None, counts: dict[str, int | None]) -> Claim:
    def agreement(c: Claim) -> tuple:
        same_counts = sum(1 for s, v in c.counts().items() if counts.get(s) == v)
        return (-(c.day == day), -same_counts, -c.confidence, c.event_id)

    return min(claims, key=agreement)


def resolve(claims: list[Claim], policy: Policy = DEFAULT_POLICY) -> Resolved:
    """One exchange row from its claims (all of one key; see ``Claim.key``)."""
    event_type, phase, parties = claims[0].key
    status = "conducted" if phase == "handover" else ("agreed" if any(c.status == "agreed" for c in claims)
                                                      else "planned")
    day, precision = _date(claims)
    figures = {side: _side_figure(claims, side) for side in parties}
    counts = {side: v for side, (v, _q) in figures.items()}
    quals = {q or "exact" for v, q in figures.values() if v is not None}
    qualifier = None if not quals else ("exact" if quals == {"exact"} else sorted(quals - {"exact"})[0])
    disputes: dict[str, Any] = {}
    days = Counter(c.day.isoformat() for c in claims if c.day)
    if len(days) > 1:
        disputes["event_date"] = dict(days)
    sides = {s: d for s in parties if (d := _count_disputes(claims, s, counts[s], policy))}
    if sides:
        disputes["returned_to"] = sides
    best = _best_claim(claims, day, counts)
    locations = [c.location for c in claims if c.location]
    return Resolved(
        event_type=event_type, status=status, event_date=day, date_precision=precision, parties=parties,
        returned_to=counts, count_qualifier=qualifier,
        categories=tuple(sorted({x for c in claims for x in c.categories})),
        mediators=tuple(sorted({normalize_party(x) for c in claims for x in c.mediators})),
        location=_mode(locations) if locations else None, best_event_id=best.event_id,
        confidence=round(best.confidence, 4), n_sources=len({c.article_id for c in claims}),
        disputed=bool(disputes), disputes=disputes)


# --- stable identity ---------------------------------------------------------------------------

def founder(claims: list[Claim]) -> Claim:
    """The claim that founded the exchange: the first loaded (ties: the smallest event id)."""
    return min(claims, key=lambda c: (c.seen_at or datetime.max, c.event_id))


def exchange_id_for(event_id: str) -> str:
    return stable_id("exchange", event_id)


@dataclass(frozen=True)
class LogEntry:
    action: str  # create | merge | split | retire
    exchange_id: str
    other_id: str | None
    detail: str


def _new_id(cluster: list[Claim], taken: set[str]) -> str:
    for c in sorted(cluster, key=lambda c: (c.seen_at or datetime.max, c.event_id)):
        candidate = exchange_id_for(c.event_id)
        if candidate not in taken:
            return candidate
    return stable_id("exchange", *sorted(c.event_id for c in cluster))


def assign_ids(clusters: list[list[Claim]], previous: dict[str, str],
               ) -> tuple[list[tuple[str, list[Claim]]], list[LogEntry]]:
    """Give each cluster an id, keeping old ids where their claims went; say what merged or split.

    ``previous`` maps event ids to the exchange they belonged to (including claims since
    superseded). An old id goes to the cluster holding most of its claims; a cluster holding
    claims of several old exchanges is a merge, an old exchange whose claims went to several
    clusters a split.
    """
    overlaps = []
    for i, cluster in enumerate(clusters):
        for old, n in Counter(previous[c.event_id] for c in cluster if c.event_id in previous).items():
            overlaps.append((-n, old, i))
    by_cluster: dict[int, str] = {}
    used: set[str] = set()
    for _n, old, i in sorted(overlaps):
        if i not in by_cluster and old not in used:
            by_cluster[i] = old
            used.add(old)
    taken = set(previous.values()) | used
    out, log = [], []
    for i, cluster in enumerate(clusters):
        olds = sorted({previous[c.event_id] for c in cluster if c.event_id in previous})
        xid = by_cluster.get(i) or _new_id(cluster, taken)
        taken.add(xid)
        out.append((xid, cluster))
        if not olds:
            log.append(LogEntry("create", xid, None, f"{len(cluster)} claim(s)"))
        for old in olds:
            if old == xid:
                continue
            if old in used:
                log.append(LogEntry("split", xid, old, f"claims of {old} now form {xid}"))
            else:
                log.append(LogEntry("merge", xid, old, f"{old} merged into {xid}"))
    placed = used | {x for x, _ in out}
    mentioned = {o for _, cl in out for o in (previous.get(c.event_id) for c in cl) if o}
    for old in sorted(set(previous.values()) - placed - mentioned):
        log.append(LogEntry("retire", old, None, "no current claim left"))
    return out, log


__all__ = ["EQUAL", "LogEntry", "Resolved", "assign_ids", "exchange_id_for", "founder", "resolve"]
