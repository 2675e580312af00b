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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
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


@dataclass
class Tally:
    """What ``resolve`` reads of a cluster's claims, in a form that adds up: a cluster's claims can be
    tallied one by one (``add``) or, for a stored day-part, from aggregates computed in SQL
    (``pipeline.warehouse.exchanges_resolve``). The rules only count claims, distinct articles and
    confidence sums, and take minima, so a tally resolves exactly as the claims it counts.

    ``articles``/``n_other``: distinct articles named here, and others counted (each in one claim only);
    ``support[(side, figure)]``: exact figures: [articles, other articles, confidences (value -> claims)];
    ``given[(side, figure, qualifier)]`` and ``days[day]``: [claims, smallest event id] (the smallest
    id orders the values kept in ``disputes`` as the claims sorted by event id would);
    ``precisions``: precision -> the earliest day given with it; ``best``: candidate best claims as
    (day, counts, confidence, event id)."""

    key: tuple
    agreed: bool = False
    days: dict = field(default_factory=dict)
    precisions: dict = field(default_factory=dict)
    given: dict = field(default_factory=dict)
    support: dict = field(default_factory=dict)
    locations: Counter = field(default_factory=Counter)
    categories: set = field(default_factory=set)
    mediators: set = field(default_factory=set)
    best: list = field(default_factory=list)
    articles: set = field(default_factory=set)
    n_other: int = 0

    def add(self, c: Claim) -> None:
        """One claim (its article named)."""
        self.add_group(c.day, c.counts(), c.count_qualifier, 1, c.event_id, {c.confidence: 1}, c.event_id,
                       c.confidence, article=c.article_id)
        self.add_misc(c.status == "agreed", {c.location: 1} if c.location else {}, c.categories, c.mediators,
                      {c.date_precision: c.event_date} if c.date_precision in _PRECISION_ORDER else {})

    def add_group(self, day: date | None, counts: dict[str, int], qualifier: str | None, n: int, first: str,
                  confidences: dict[float, int], best_id: str, best_confidence: float, article: str | None = None,
                  ) -> None:
        """``n`` claims giving the same day, counts and qualifier; without ``article``, each of another article
        (one claim each, named nowhere else in the cluster). ``best_id``: the most confident (then smallest id)."""
        if article is None:
            self.n_other += n
        else:
            self.articles.add(article)
        if day:
            _first(self.days, day, n, first)
        exact = qualifier in (None, "exact")
        for side, v in counts.items():
            _first(self.given, (side, v, qualifier), n, first)
            if exact:
                entry = self.support.setdefault((side, v), [set(), 0, {}])
                if article is None:
                    entry[1] += n
                else:
                    entry[0].add(article)
                for conf, k in confidences.items():
                    entry[2][conf] = entry[2].get(conf, 0) + k
        self.best.append((day, counts, best_confidence, best_id))

    def add_misc(self, agreed: bool, locations: dict[str, int], categories, mediators, precisions: dict) -> None:
        """The rest: any agreed status, the locations named (location -> claims), categories, mediators, and
        the earliest day given with each precision (None when none is given)."""
        self.agreed = self.agreed or agreed
        self.locations.update(locations)
        self.categories.update(categories)
        self.mediators.update(normalize_party(x) for x in mediators)
        for p, d in precisions.items():
            old = self.precisions.get(p, d)
            self.precisions[p] = d if old is None else (old if d is None else min(old, d))


def _first(table: dict, key, n: int, first: str) -> None:
    entry = table.setdefault(key, [0, first])
    entry[0] += n
    entry[1] = min(entry[1], first)


def _ordered(counts: dict) -> dict:
    """value -> claims, in the order of each value's smallest event id (as a Counter over sorted claims)."""
    return {k: n for k, (n, _first_id) in sorted(counts.items(), key=lambda kv: kv[1][1])}


def _sum(confidences: dict[float, int]) -> float:
    """The exact sum of the confidences (value -> claims), rounded once: what ``math.fsum`` gives over them
    one by one, whatever the order they were tallied in."""
    return float(sum(Fraction(v) * n for v, n in confidences.items()))


def _side_figure(t: Tally, side: str) -> tuple[int | None, str | None]:
    """The figure most sources give; then the one extracted most confidently; then the lower."""
    support = {v: (len(arts) + other, _sum(confs)) for (s, v), (arts, other, confs) in t.support.items()
               if s == side}
    if support:
        best = max(support, key=lambda v: (support[v][0], round(support[v][1], 6), -v))
        return best, "exact"
    loose = sorted((v, q) for (s, v, q) in t.given if s == side)
    return loose[0] if loose else (None, None)


def _date(t: Tally) -> tuple[date | None, str | None]:
    if t.days:
        return min(t.days, key=lambda d: (-t.days[d][0], d)), "day"
    if not t.precisions:
        return None, None
    best = min(t.precisions, key=_PRECISION_ORDER.index)
    return t.precisions[best], best


def _count_disputes(t: Tally, side: str, chosen: int | None, policy: Policy) -> dict[str, int]:
    """Every figure given for a side (value -> claims); empty when they all fit together."""
    given = {(v, q): e for (s, v, q), e in t.given.items() if s == side}
    values: dict[str, list] = {}
    for (v, q), (n, first) in given.items():
        _first(values, str(v) if q in (None, "exact") else f"{v} ({q})", n, first)
    exact = {v for v, q in given if q in (None, "exact")}
    loose_misfit = chosen is not None and any(
        _relation(v, q, chosen, "exact", policy) == FAR for v, q in given if q not in (None, "exact"))
    return _ordered(values) if len(exact) > 1 or loose_misfit else {}


def _best_claim(t: Tally, day: date | None, counts: dict[str, int | None]) -> tuple:
    def agreement(b: tuple) -> tuple:
        same_counts = sum(1 for s, v in b[1].items() if counts.get(s) == v)
        return (-(b[0] == day), -same_counts, -b[2], b[3])

    return min(t.best, key=agreement)


def tally(claims: list[Claim]) -> Tally:
    t = Tally(claims[0].key)
    for c in claims:
        t.add(c)
    return t


def resolve(claims: list[Claim], policy: Policy = DEFAULT_POLICY) -> Resolved:
    """One exchange row from its claims (all of one key; see ``Claim.key``)."""
    return resolve_tally(tally(claims), policy)


def resolve_tally(t: Tally, policy: Policy = DEFAULT_POLICY) -> Resolved:
    """One exchange row from the tally of its claims."""
    event_type, phase, parties = t.key
    status = "conducted" if phase == "handover" else ("agreed" if t.agreed else "planned")
    day, precision = _date(t)
    figures = {side: _side_figure(t, side) for side in parties}
    counts = {side: v for side, (v, _q) in figures.items()}
    quals = {q or "exact" for v, q in figures.values() if v is not None}
    qualifier = None if not quals else ("exact" if quals == {"exact"} else sorted(quals - {"exact"})[0])
    disputes: dict[str, Any] = {}
    if len(t.days) > 1:
        disputes["event_date"] = {d.isoformat(): n for d, n in _ordered(t.days).items()}
    sides = {s: d for s in parties if (d := _count_disputes(t, s, counts[s], policy))}
    if sides:
        disputes["returned_to"] = sides
    best = _best_claim(t, day, counts)
    return Resolved(
        event_type=event_type, status=status, event_date=day, date_precision=precision, parties=parties,
        returned_to=counts, count_qualifier=qualifier, categories=tuple(sorted(t.categories)),
        mediators=tuple(sorted(t.mediators)),
        location=min(t.locations, key=lambda x: (-t.locations[x], x)) if t.locations else None,
        best_event_id=best[3], confidence=round(best[2], 4), n_sources=len(t.articles) + t.n_other,
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
    return new_id_of([(c.seen_at, c.event_id) for c in cluster], taken)


def new_id_of(members: list[tuple[datetime | None, str]], taken: set[str]) -> str:
    """A fresh id for a cluster of these (first loaded, event id): its first loaded claim's, if free."""
    for _seen, event_id in sorted(members, key=lambda m: (m[0] or datetime.max, m[1])):
        candidate = exchange_id_for(event_id)
        if candidate not in taken:
            return candidate
    return stable_id("exchange", *sorted(m[1] for m in members))


def assign_ids(clusters: list[list[Claim]], previous: dict[str, str],
               ) -> tuple[list[tuple[str, list[Claim]]], list[LogEntry]]:
    """Give each cluster an id, keeping old ids where their claims went; say what merged or split.

    ``previous`` maps event ids to the exchange they belonged to (including claims since
    superseded). An old id goes to the cluster holding most of its claims; a cluster holding
    claims of several old exchanges is a merge, an old exchange whose claims went to several
    clusters a split.
    """
    overlaps = [Counter(previous[c.event_id] for c in cl if c.event_id in previous) for cl in clusters]
    ids, log = assign_by_overlap(overlaps, [len(cl) for cl in clusters], set(previous.values()),
                                 lambda i, taken: _new_id(clusters[i], taken))
    return list(zip(ids, clusters, strict=True)), log


def assign_by_overlap(overlaps: list[Counter], sizes: list[int], olds: set[str],
                      new_id: Callable[[int, set[str]], str]) -> tuple[list[str], list[LogEntry]]:
    """``assign_ids`` from what it reads of the clusters: per cluster, its claims per old exchange
    (``overlaps``) and its size; ``olds``: every old exchange; ``new_id(i, taken)``: a fresh id for
    cluster ``i`` (``_new_id`` over its claims). Lets a caller holding stored claims as counts (the
    online load: whole day-parts) assign ids without a claim per member."""
    by_cluster: dict[int, str] = {}
    used: set[str] = set()
    for _n, old, i in sorted((-n, old, i) for i, ov in enumerate(overlaps) for old, n in ov.items()):
        if i not in by_cluster and old not in used:
            by_cluster[i] = old
            used.add(old)
    taken = set(olds) | used
    ids: list[str] = []
    log: list[LogEntry] = []
    for i, ov in enumerate(overlaps):
        xid = by_cluster.get(i) or new_id(i, taken)
        taken.add(xid)
        ids.append(xid)
        if not ov:
            log.append(LogEntry("create", xid, None, f"{sizes[i]} claim(s)"))
        for old in sorted(ov):
            if old == xid:
                continue
            if old in used:
                log.append(LogEntry("split", xid, old, f"claims of {old} now form {xid}"))
            else:
                log.append(LogEntry("merge", xid, old, f"{old} merged into {xid}"))
    placed = used | set(ids)
    mentioned = {o for ov in overlaps for o in ov}
    for old in sorted(set(olds) - placed - mentioned):
        log.append(LogEntry("retire", old, None, "no current claim left"))
    return ids, log


__all__ = ["EQUAL", "LogEntry", "Resolved", "Tally", "assign_by_overlap", "assign_ids", "exchange_id_for", "founder", "new_id_of", "resolve",
           "resolve_tally", "tally"]
