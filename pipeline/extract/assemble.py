"""Mentions -> events: one handover is one event, however many sentences speak of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from .dates import DateRef
from .mentions import Mention

Day = date  # the type, for dataclasses whose field named ``date`` hides it

_PREC_RANK = {"day": 3, "week": 2, "month": 1, None: 0}


@dataclass
class Draft:
    etype: str
    status: str
    pair: tuple[str, str]
    date: date | None
    precision: str | None
    lo: Day | None
    hi: Day | None
    recall: bool
    counts: dict[str, int] = field(default_factory=dict)
    qualifiers: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    mediators: set[str] = field(default_factory=set)
    location: str | None = None
    sents: list = field(default_factory=list)
    strong_sents: list = field(default_factory=list)
    soft: bool = False
    said_day: bool = False  # the day is only when it was reported ("officials said on Friday")


def _key(ref: DateRef | None) -> tuple[date | None, str | None, date | None, date | None]:
    if ref is None:
        return None, None, None, None
    return ref.date, ref.precision, ref.lo, ref.hi


def _dates_fit(d: Draft, m: Mention) -> bool:
    md, mp, mlo, mhi = _key(m.date)
    if _other_month(d, m):
        return False  # "in January, 230 returned" is not the handover of December 30
    if mp is None or d.precision is None or (mp == "month") != (d.precision == "month"):
        return True
    if d.said_day and not m.strong and mp == "day" and m.date is not None and not m.date.speech:
        return True  # the day a report was made yields to the day it states
    if md is not None and d.date is not None:
        return md == d.date
    if md is not None and d.lo is not None and d.hi is not None:
        return d.lo <= md <= d.hi
    if d.date is not None and mlo is not None and mhi is not None:
        return mlo <= d.date <= mhi
    return (mp, mlo) == (d.precision, d.lo)


def _other_month(d: Draft, m: Mention) -> bool:
    md, mp, mlo, mhi = _key(m.date)
    """A month with figures of its own and a day outside it are two handovers (unless the figures agree: "the
    103 Russians ... captured in early August" is the same handover's)."""
    if d.counts and m.counts and all(d.counts.get(p) == v for p, v in m.counts.items()):
        return False
    if mp == "month" and m.counts and d.date is not None and mlo is not None and mhi is not None:
        return not mlo <= d.date <= mhi
    if d.precision == "month" and d.counts and md is not None and d.lo is not None and d.hi is not None:
        return not d.lo <= md <= d.hi
    return False


def _counts_fit(d: Draft, m: Mention) -> bool:
    if d.soft or m.soft:  # a deal's name does not stand against the handover's own figures
        return True
    return all(d.counts.get(p, v) == v for p, v in m.counts.items())


def _fits(d: Draft, m: Mention, any_status: bool = False) -> bool:
    if d.etype != m.etype or d.pair != m.pair:
        return False
    if not any_status and d.status != m.status:
        return False
    if any_status and d.status != "conducted" and m.date is not None and m.date.precision is not None:
        return False  # "the exchanges began on 9 June": a day told without a verb of agreeing dates no agreement
    if m.recall != d.recall and (m.date is None or m.date.precision is None):
        return False
    return _dates_fit(d, m) and _counts_fit(d, m)


def _absorb(d: Draft, m: Mention, strong: bool) -> None:
    md, mp, mlo, mhi = _key(m.date)
    told = m.date is not None and m.date.speech
    if _PREC_RANK[mp] > _PREC_RANK[d.precision] or (d.said_day and mp == "day" and md and not told):
        d.date, d.precision, d.lo, d.hi = md, mp, mlo, mhi  # a stated day beats the day it was reported
        d.said_day = told
    if d.soft and m.counts and not m.soft:
        d.counts, d.qualifiers, d.soft = {}, set(), False
    if not (m.soft and d.counts):
        for p, v in m.counts.items():
            d.counts.setdefault(p, v)
    if m.mirror and len(d.counts) == 1:
        (known, value), = d.counts.items()
        d.counts[d.pair[1] if known == d.pair[0] else d.pair[0]] = value
    if m.counts:
        d.qualifiers |= m.qualifiers
    d.categories |= m.categories
    d.mediators |= m.mediators
    if strong:
        d.location = d.location or m.location
    d.sents.append(m.sent)
    if strong:
        d.strong_sents.append(m.sent)


def _new(m: Mention) -> Draft:
    d = Draft(m.etype, m.status or "conducted", m.pair, None, None, None, None, m.recall)
    d.soft = m.soft
    _absorb(d, m, True)
    return d


def _closest(drafts: list[Draft], m: Mention, any_status: bool = False) -> Draft | None:
    fits = [d for d in drafts if _fits(d, m, any_status)]
    if not fits:
        return None
    md = m.date.date if m.date else None
    exact = [d for d in fits if md is not None and d.date == md]
    pool = exact or fits
    idx = m.sent.index
    return min(pool, key=lambda d: min(abs(s.index - idx) + (0.5 if s.index > idx else 0) for s in d.sents))


def assemble(mentions: list[Mention]) -> list[Draft]:
    drafts: list[Draft] = []
    last_day: date | None = None
    for m in mentions:
        if m.date is not None and m.date.relative_next and last_day is not None:
            nxt = last_day + timedelta(days=m.date.step)
            m.date = DateRef(m.date.start, m.date.end, nxt, "day", future=nxt)
        if not m.strong:
            continue
        if m.additive and _add_to_previous(drafts, m):
            continue
        target = _closest(drafts, m)
        if target is None and _sum_up(drafts, m):
            continue
        if target is None and _bare_reference(m):
            m.strong = False  # "bodies were being returned, but no figures": a remark, not a new event
            continue
        if target is None:
            target = _new(m)
            drafts.append(target)
        else:
            _absorb(target, m, True)
        if m.date is not None and m.date.date is not None:
            last_day = m.date.date
    drafts = _fold_planned(drafts)
    for m in mentions:
        if not m.strong:
            target = _closest(drafts, m, any_status=m.status is None)
            if target is not None:
                _absorb(target, m, False)
    _terms_to_agreement(drafts, mentions)
    return drafts


def _terms_to_agreement(drafts: list[Draft], mentions: list[Mention]) -> None:
    """"Completed the swap under the 1,000-for-1,000 formula": the formula is the agreement's terms, so a
    figureless agreement of the same kind takes them."""
    for m in mentions:
        if not m.soft or len(m.counts) != 2:
            continue
        if any(d.status == "agreed" and d.etype == m.etype and d.counts == m.counts for d in drafts):
            continue  # the deal of those terms is already told
        for d in drafts:
            if d.status == "agreed" and d.etype == m.etype and d.pair == m.pair and not d.counts:
                d.counts = dict(m.counts)
                d.qualifiers |= m.qualifiers


def _sum_up(drafts: list[Draft], m: Mention) -> bool:
    """"In total, the United States received 11 people": an undated summing-up sets the stated totals of
    the handover just told instead of starting another one."""
    if not m.totals or (m.date is not None and m.date.precision):
        return False
    prev = [d for d in drafts if d.etype == m.etype and d.pair == m.pair and d.status == (m.status or d.status)
            and any(s.index < m.sent.index for s in d.sents)]
    if not prev:
        return False
    d = max(prev, key=lambda d: max(s.index for s in d.sents))
    for p in m.totals:
        d.counts[p] = m.counts[p]
    d.sents.append(m.sent)
    return True


def _bare_reference(m: Mention) -> bool:
    undated = m.date is None or m.date.precision is None
    return m.status == "conducted" and undated and not m.counts and m.sent.index > 3


def _add_to_previous(drafts: list[Draft], m: Mention) -> bool:
    """"Also / in addition N more" in the same handover: add to the event just told, do not start one."""
    prev = [d for d in drafts if d.etype == m.etype and d.status == m.status and d.pair == m.pair
            and d.counts and any(s.index < m.sent.index for s in d.sents)]
    if not prev:
        return False
    d = max(prev, key=lambda d: max(s.index for s in d.sents))
    day = m.date.date if m.date is not None and m.date.precision == "day" else None
    if day is not None and d.date is not None and d.date != day:
        return False  # "also, on Sunday, eight more": another day is another handover
    if day is not None and d.date is None:
        d.date, d.precision, d.lo, d.hi = day, "day", None, None
    for p, v in m.counts.items():
        d.counts[p] = v if p in m.totals else d.counts.get(p, 0) + v
    d.qualifiers |= m.qualifiers
    d.categories |= m.categories
    d.mediators |= m.mediators
    d.sents.append(m.sent)
    d.strong_sents.append(m.sent)
    return True


def _fold_planned(drafts: list[Draft]) -> list[Draft]:
    """A proposal or plan to carry out an agreed exchange is that agreement, not a second event."""
    agreed = [d for d in drafts if d.status == "agreed"]
    out = []
    for d in drafts:
        told = {s.index for s in d.strong_sents}
        if d.status == "planned" and (d.precision is None or any(  # "agreed on Saturday a swap that should ..."
                told <= {s.index for s in a.strong_sents} and a.date == d.date for a in agreed)):
            host = next((a for a in agreed if a.etype == d.etype and a.pair == d.pair
                         and (all(a.counts.get(p) == v for p, v in d.counts.items())
                              or (not a.counts and len(d.counts) == 2))), None)
            if host is not None:
                for p, v in d.counts.items():
                    host.counts.setdefault(p, v)
                host.qualifiers |= d.qualifiers if d.counts else set()
                host.categories |= d.categories
                host.mediators |= d.mediators
                host.sents += d.sents
                continue
        out.append(d)
    return out
