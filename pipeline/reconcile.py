"""Claims -> exchanges: many reports of one real-world event resolve into one exchange.

Pure logic, no I/O. Every extracted event is a *claim*; claims of the same kind (event type,
handover vs. deal, parties) are clustered in three passes (see docs/reconciliation.md):

1. claims that fix the day are grouped day by day (same day, counts not contradicting);
2. groups on nearby days merge when their counts agree (a day-after report, a misdated wire);
3. claims without a day attach to the latest matching dated group before their publication,
   or else group among themselves.

Two claims of one article never share an exchange (the article itself says they are two events).
``pipeline.reconcile_resolve`` turns a cluster into the exchange row and keeps ids stable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache

HANDOVER, DEAL = "handover", "deal"
PARTY_ALIASES = {
    "usa": "United States", "us": "United States", "u.s.": "United States", "united states of america": "United States",
    "russian federation": "Russia", "turkey": "Türkiye", "turkiye": "Türkiye", "uae": "United Arab Emirates",
    "ukrainian": "Ukraine", "russian": "Russia",
}


@lru_cache(maxsize=4096)
def normalize_party(name: str) -> str:
    clean = re.sub(r"\s+", " ", str(name)).strip()
    return PARTY_ALIASES.get(clean.casefold(), clean)


@dataclass(frozen=True)
class Claim:
    """One extracted event as one source tells it, with what is known of that source."""

    event_id: str
    article_id: str
    event_type: str
    status: str
    event_date: date | None
    date_precision: str | None
    parties: tuple[str, ...]
    returned_to: tuple[tuple[str, int | None], ...]
    count_qualifier: str | None = "exact"
    categories: tuple[str, ...] = ()
    mediators: tuple[str, ...] = ()
    location: str | None = None
    evidence: str = ""
    evidence_span: tuple[int, int] = (0, 0)
    confidence: float = 0.0
    published: date | None = None
    url: str | None = None
    seen_at: datetime | None = None  # when the claim was first loaded: the earliest founds the exchange

    @cached_property
    def key(self) -> tuple[str, str, tuple[str, ...]]:  # event type, phase, normalised parties: once per claim
        phase = HANDOVER if self.status == "conducted" else DEAL
        return (self.event_type, phase, tuple(sorted({normalize_party(p) for p in self.parties})))

    @cached_property
    def day(self) -> date | None:
        """The day the claim fixes, or None when it gives none (or only a week, month or year); computed once."""
        return self.event_date if self.event_date and self.date_precision in (None, "day") else None

    def counts(self) -> dict[str, int]:
        """Figures by (normalised) side; computed once per claim (do not modify the dict)."""
        return self._counts

    @cached_property
    def _counts(self) -> dict[str, int]:
        return {normalize_party(p): int(v) for p, v in self.returned_to if v is not None}


@dataclass(frozen=True)
class Policy:
    """The thresholds of the rules; docs/reconciliation.md explains each."""

    same_day_tolerance: float = 0.10  # exact figures this close (relative) are the same figure, disputed
    min_abs_tolerance: int = 2
    approx_tolerance: float = 0.25
    near_days: int = 1  # one side equal, none contradicting
    far_days: int = 3  # every known side equal
    undated_lookback_days: int = 400  # how far back an undated recall may point
    undated_week_days: int = 14
    uncounted_lookback_days: int = 7  # a claim with neither day nor count: only the latest days
    undated_group_days: int = 31


DEFAULT_POLICY = Policy()
EQUAL, CLOSE, FAR = 2, 1, 0


def _relation(a: int, qa: str | None, b: int, qb: str | None, p: Policy) -> int:
    """EQUAL: the same exact figure; CLOSE: fits within tolerance (or a bound); FAR: contradicts."""
    loose = {qa, qb} & {"at_least", "approximate"}
    if a == b and (not loose or qa == qb):
        return EQUAL
    lo, hi = min(a, b), max(a, b)
    if "at_least" in (qa, qb):
        floor = a if qa == "at_least" else b
        other = b if qa == "at_least" else a
        return CLOSE if other >= floor * (1 - p.same_day_tolerance) else FAR
    tol = p.approx_tolerance if "approximate" in (qa, qb) else p.same_day_tolerance
    return CLOSE if hi - lo <= max(p.min_abs_tolerance, tol * hi) else FAR


@dataclass
class Group:
    """A cluster being built: its claims and the figures they give, side by side (cached).

    ``stored``: stored exchanges folded in as summaries (online assignment); empty when clustering
    claims exactly, where every property below reduces to one over ``claims``.
    """

    claims: list[Claim] = field(default_factory=list)
    stored: list = field(default_factory=list)  # of pipeline.reconcile_online.Summary
    _cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def add(self, c: Claim) -> None:
        self.claims.append(c)
        self._cache.clear()

    def absorb(self, other: Group) -> None:
        self.claims += other.claims
        self.stored += other.stored
        self._cache.clear()

    @property
    def ident(self) -> str:
        """A stable tie-break: the first claim added, or the first stored exchange's smallest event id."""
        return self.claims[0].event_id if self.claims else self.stored[0].first_event_id

    # The properties below are kept in ``_cache`` until the group changes (``add``, ``absorb``); each
    # looks itself up first, as they are read thousands of times a clustering.

    @property
    def changed(self) -> bool:
        """New, grown, merged or touched; exact clustering (no ``stored``) has only changed groups."""
        cache = self._cache
        if "changed" not in cache:
            cache["changed"] = bool(self.claims) or any(s.touched for s in self.stored) \
                or len({s.exchange_id for s in self.stored}) > 1
        return cache["changed"]  # type: ignore[return-value]

    @property
    def checked(self) -> list[Claim]:
        """The claims the conflict rule can see: all of them, or the known members of stored exchanges."""
        if not self.stored:
            return self.claims
        cache = self._cache
        if "checked" not in cache:
            cache["checked"] = self.claims + [c for s in self.stored for c in s.claims]
        return cache["checked"]  # type: ignore[return-value]

    @property
    def articles(self) -> set[str]:
        cache = self._cache
        if "articles" not in cache:
            cache["articles"] = {c.article_id for c in self.checked}
        return cache["articles"]  # type: ignore[return-value]

    @property
    def n_sources(self) -> int:
        cache = self._cache
        if "n_sources" not in cache:
            cache["n_sources"] = len(self.articles) + sum(s.n_other for s in self.stored)
        return cache["n_sources"]  # type: ignore[return-value]

    @property
    def day(self) -> date | None:
        """The day most of its claims fix (ties: the earliest); None when none fixes one."""
        try:
            return self._cache["day"]  # type: ignore[return-value]
        except KeyError:
            pass
        days: dict[date, int] = {}
        for c in self.claims:
            if c.day:
                days[c.day] = days.get(c.day, 0) + 1
        for s in self.stored:
            for d, n in dict(s.days).items():
                days[d] = days.get(d, 0) + n
        day = self._cache["day"] = min(days, key=lambda d: (-days[d], d)) if days else None
        return day

    def figures(self) -> dict[str, list[tuple[int, str | None]]]:
        if "figures" not in self._cache:
            out: dict[str, list[tuple[int, str | None]]] = {}
            given = [(side, v, s_q) for s in self.stored for side, v, s_q in s.figures]
            given += [(side, v, c.count_qualifier) for c in self.claims for side, v in c.counts().items()]
            for side, v, q in given:
                if (v, q) not in out.setdefault(side, []):
                    out[side].append((v, q))
            self._cache["figures"] = out
        return self._cache["figures"]  # type: ignore[return-value]

    @property
    def latest_published(self) -> date | None:
        pubs = [c.published for c in self.claims if c.published] + [s.latest_published for s in self.stored
                                                                     if s.latest_published]
        return max(pubs) if pubs else None


def side_relations(a: Group, b: Group, p: Policy) -> list[int]:
    """For every side both give a figure for: the best relation between their figures."""
    fa, fb = a.figures(), b.figures()
    rels = []
    for side in fa.keys() & fb.keys():
        rels.append(max(_relation(x, qx, y, qy, p) for x, qx in fa[side] for y, qy in fb[side]))
    return rels


def _distinct(x: Claim, y: Claim, p: Policy) -> bool:
    """Two claims of one article are two events when they give different days or figures; an article
    that repeats one event (a day in one sentence, the figures in another) is not telling two apart."""
    if x.day and y.day and x.day != y.day:
        return True
    return any(r != EQUAL for r in side_relations(Group([x]), Group([y]), p))


def conflict(a: Group, b: Group, p: Policy) -> bool:
    """True when an article in both groups tells their claims apart."""
    shared = a.articles & b.articles
    return bool(shared) and any(_distinct(x, y, p) for x in a.checked if x.article_id in shared
                                for y in b.checked if y.article_id == x.article_id)


def _same_day_ok(rels: list[int]) -> bool:
    """Pass 1 is strict: one side's figure must be the same (or neither gives one)."""
    return not rels or EQUAL in rels


def _near_ok(rels: list[int], days: int, p: Policy, a: Group, b: Group) -> bool:
    if days == 0:  # one handover is one event: a contradicting figure is a dispute if it is outnumbered
        return FAR not in rels or min(a.n_sources, b.n_sources) * 2 <= max(a.n_sources, b.n_sources)
    if days <= p.near_days:
        return not rels or (EQUAL in rels and FAR not in rels)
    return days <= p.far_days and bool(rels) and all(r == EQUAL for r in rels)


def _minority(a: Group, b: Group) -> bool:
    """Two groups on different days are one event only if one is a minority of the other's sources."""
    small, big = sorted((a.n_sources, b.n_sources))
    return small <= max(1, big // 2)


def _score(rels: list[int], days: int, size: int) -> tuple[int, int, int, int]:
    """The same figure outweighs the same day: a misdated report keeps its figures."""
    return (rels.count(EQUAL), -days, -rels.count(FAR), size)


def _day_groups(dated: list[Claim], p: Policy, stored: tuple[Group, ...] | list[Group] = ()) -> list[Group]:
    """Pass 1: the claims of one day, grouped while their counts do not contradict (with the stored
    exchanges of that day, when assigning online)."""
    by_day: dict[date, list[Claim]] = {}
    for c in dated:
        by_day.setdefault(c.day, []).append(c)  # type: ignore[arg-type]
    kept: dict[date, list[Group]] = {}
    for g in sorted(stored, key=lambda g: g.ident):
        kept.setdefault(g.day, []).append(g)  # type: ignore[arg-type]
    groups: list[Group] = []
    for day in sorted(by_day.keys() | kept.keys()):
        todays: list[Group] = kept.get(day, [])
        for c in sorted(by_day.get(day, ()), key=lambda c: (-len(c.counts()), -c.confidence, c.event_id)):
            single = Group([c])
            fits = [(_score(r, 0, g.n_sources), i) for i, g in enumerate(todays)
                    if not conflict(single, g, p) and _same_day_ok(r := side_relations(single, g, p))]
            if fits:
                todays[max(fits)[1]].add(c)
            else:
                todays.append(single)
        groups += todays
    return groups


def _merge_near_days(groups: list[Group], p: Policy) -> list[Group]:
    """Pass 2, run on each run of days no more than ``far_days`` apart (merges never reach further)."""
    ordered = sorted(groups, key=lambda g: (g.day, g.ident))
    out: list[Group] = []
    run: list[Group] = []
    for g in ordered:
        if run and (g.day - run[-1].day).days > p.far_days:  # type: ignore[operator]
            out += _merge_run(run, p)
            run = []
        run.append(g)
    return out + _merge_run(run, p) if run else out


def _merge_run(groups: list[Group], p: Policy) -> list[Group]:
    """Merge groups on nearby days whose counts agree, best-supported pairs first. What a pair scores
    depends only on its two groups, so it is kept until one of them changes (``scores``)."""
    groups = list(groups)
    scores: dict[tuple[int, int], tuple | None] = {}
    while True:
        groups.sort(key=lambda g: (g.day, g.ident))
        day, changed = [g.day.toordinal() for g in groups], [g.changed for g in groups]  # type: ignore[union-attr]
        best = None
        for i, a in enumerate(groups):
            for j in range(i + 1, len(groups)):
                days = day[j] - day[i]
                if days > p.far_days:
                    break
                if not (changed[i] or changed[j]):  # online: two stored exchanges as they were stay apart
                    continue
                if days > 1 and any(day[i] < d < day[j] for d in day[i + 1:j]):
                    continue  # another exchange lies between them
                b = groups[j]
                pair = (id(a), id(b))
                if pair not in scores:
                    scores[pair] = _pair_score(a, b, days, p)
                if scores[pair] is not None:
                    cand = (scores[pair], -i, -j)
                    best = max(best, cand) if best else cand
        if best is None:
            return groups
        a, b = groups[-best[1]], groups[-best[2]]
        keep, gone = (a, b) if a.n_sources >= b.n_sources else (b, a)
        keep.absorb(gone)
        groups = [g for g in groups if g is not gone]
        scores = {k: v for k, v in scores.items() if id(keep) not in k and id(gone) not in k}


def _pair_score(a: Group, b: Group, days: int, p: Policy) -> tuple | None:
    """The score of merging two groups ``days`` apart (``a`` the earlier), or None when they may not merge."""
    if not _minority(a, b) or conflict(a, b, p):
        return None
    rels = side_relations(a, b, p)
    return _score(rels, days, a.n_sources + b.n_sources) if _near_ok(rels, days, p, a, b) else None


def _window(c: Claim, p: Policy) -> tuple[date | None, date | None]:
    """Days an undated claim may point at: around its week or month, else before its publication."""
    if c.event_date and c.date_precision == "week":
        return c.event_date - timedelta(days=7), c.event_date + timedelta(days=7)
    if c.event_date and c.date_precision == "month":
        start = c.event_date.replace(day=1)
        return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if c.event_date and c.date_precision == "year":
        return date(c.event_date.year, 1, 1), date(c.event_date.year, 12, 31)
    if c.published is None:
        return None, None
    if not c.counts():
        back = p.uncounted_lookback_days
    else:
        back = p.undated_week_days if c.date_precision == "week" else p.undated_lookback_days
    return c.published - timedelta(days=back), c.published + timedelta(days=1)


def _anchor(c: Claim, dated: list[Group], p: Policy) -> Group | None:
    """The dated group an undated claim most likely recalls: the latest that fits its window and figures."""
    lo, hi = _window(c, p)
    single = Group([c])
    fits = []
    for order, g in enumerate(dated):
        day = g.day
        if day is None or (lo and day < lo) or (hi and day > hi) or conflict(single, g, p):
            continue
        rels = side_relations(single, g, p)
        if c.counts() and rels and any(r != EQUAL for r in rels):
            continue
        if c.counts() and not rels and not _recent(c, day, p):
            continue  # the group gives no figure to check: only a report of the last few days
        fits.append((rels.count(EQUAL), day, g.n_sources, -order, g))
    if not fits:
        return None
    if lo is None and hi is None and len(fits) > 1:
        return None  # nothing to tell the candidates apart
    return max(fits, key=lambda t: t[:4])[4]


def _recent(c: Claim, day: date, p: Policy) -> bool:
    return c.published is not None and timedelta(days=-1) <= c.published - day <= timedelta(
        days=p.uncounted_lookback_days)


def _undated_peer(c: Claim, undated: list[Group], p: Policy) -> Group | None:
    single = Group([c])
    for g in undated:
        if conflict(single, g, p):
            continue
        pub, other = c.published, g.latest_published
        if pub and other and abs((pub - other).days) > p.undated_group_days:
            continue
        rels = side_relations(single, g, p)
        same_counts = all(r == EQUAL for r in rels) and (bool(rels) or not (c.counts() or g.figures()))
        if same_counts:
            return g
    return None


def _cluster_kind(claims: list[Claim], p: Policy) -> list[Group]:
    dated = sorted((c for c in claims if c.day), key=lambda c: (c.day, c.event_id))
    groups = _merge_near_days(_day_groups(dated, p), p)
    return groups + _attach_undated([c for c in claims if not c.day], groups, [], p)


def _attach_undated(undated: list[Claim], groups: list[Group], loose: list[Group], p: Policy) -> list[Group]:
    """Pass 3: each claim without a day joins the dated group it recalls, or an undated peer, or stands
    alone. Returns the undated groups (``loose`` and the new ones)."""
    for c in sorted(undated, key=lambda c: (c.published or date.min, c.event_id)):
        target = _anchor(c, groups, p) or _undated_peer(c, loose, p)
        if target is None:
            loose.append(Group([c]))
        else:
            target.add(c)
    return loose


def cluster_claims(claims: list[Claim], policy: Policy = DEFAULT_POLICY) -> list[list[Claim]]:
    """Claims -> clusters (each one real-world event). Deterministic: the order of input does not matter."""
    by_key: dict[tuple, list[Claim]] = {}
    for c in sorted(claims, key=lambda c: c.event_id):
        by_key.setdefault(c.key, []).append(c)
    out: list[list[Claim]] = []
    for key in sorted(by_key):
        out += [sorted(g.claims, key=lambda c: c.event_id) for g in _cluster_kind(by_key[key], policy)]
    return out
