"""One sentence -> the event mentions it holds (type, status, day, counts, attributes)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from . import attributes
from .counts import recipients
from .dates import DateRef, find_dates
from .lexicon import Lexicon
from .numbers import Count, find_counts
from .parties import PartyMention, find_parties
from .sentences import Sentence

EX, BODY = "prisoner_exchange", "body_repatriation"
_CUE_REACH = 110
_SPLIT_DATES = re.compile(r"^\s*(?:,|and|и|і|та|et|y|e|und|as well as)\s*(?:on\s+|в\s+|у\s+|le\s+|am\s+|el\s+)?$",
                          re.IGNORECASE)


@dataclass
class Mention:
    etype: str
    status: str | None  # None: the sentence refers to an event without saying what happened
    strong: bool
    sent: Sentence
    pair: tuple[str, str]
    date: DateRef | None = None
    counts: dict[str, int] = field(default_factory=dict)
    qualifiers: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    mediators: set[str] = field(default_factory=set)
    location: str | None = None
    recall: bool = False
    additive: bool = False
    mirror: bool = False  # "the same number": the other side received as many


@dataclass
class _Ctx:
    text: str
    lex: Lexicon
    pair: tuple[str, str]
    pms: list[PartyMention]
    triggers: dict[str, list[int]]
    cues: dict[str, dict[str, list[int]]]
    lexical: bool


def _triggers(s: str, lex: Lexicon) -> tuple[dict[str, list[int]], bool]:
    """Trigger positions per event type, and whether the words say that something changed hands."""
    idioms = [(m.start(), m.end()) for m in lex.idiom.finditer(s)]
    body = [m.start() for m in lex.body.finditer(s)]
    ex: list[int] = []
    for m in lex.exchange.finditer(s):
        if any(a <= m.start() < b for a, b in idioms) or lex.not_people.match(s[m.end():m.end() + 60]):
            continue
        if lex.not_people_before.search(s, max(0, m.start() - 30), m.start()):
            continue
        if any(0 <= b - m.end() <= 25 for b in body):
            body.append(m.start())
            continue
        ex.append(m.start())
    released = bool(lex.release.search(s) or lex.receive.search(s))
    lexical = bool(ex or body)
    ex += [m.start() for m in lex.captive.finditer(s)]
    lexical = lexical or bool(idioms and ex)
    if released:
        lexical = lexical or len(ex) > 0
        if not ex and not body:
            ex = [m.start() for m in lex.soldier.finditer(s)]
            lexical = bool(ex)
    return {EX: sorted(ex), BODY: sorted(body)}, lexical


def _windows(anchors: list[int], size: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a in sorted(anchors):
        lo, hi = max(0, a - size), a + size
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _cues(s: str, lex: Lexicon, anchors: list[int]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    wins = _windows(anchors, _CUE_REACH)
    for status in ("conducted", "agreed", "planned"):
        rx = getattr(lex, status)
        pos = [m.start() for lo, hi in wins for m in rx.finditer(s, lo, hi)]
        if pos:
            out[status] = pos
    return out


def _nearest(pos: int, options: dict[str, list[int]]) -> str | None:
    best, dist = None, 10**9
    for key, positions in options.items():
        for p in positions:
            if abs(p - pos) < dist:
                best, dist = key, abs(p - pos)
    return best


def _pick_date(s: str, refs: list[DateRef], status: str | None, anchor: int) -> list[DateRef]:
    if status == "agreed":
        pool = [r for r in refs if r.talks and not r.speech] or [r for r in refs if not r.speech]
    else:
        pool = [r for r in refs if not r.speech and not r.talks]
    if not pool and status is not None:
        pool = [r for r in refs if r.speech and r.precision == "day"]
    if not pool:
        return []
    if status == "conducted" and len(pool) >= 2:
        run = [pool[0]]
        for a, b in zip(pool, pool[1:], strict=False):
            if not _SPLIT_DATES.match(s[a.end:b.start]):
                break
            run.append(b)
        if len(run) >= 2 and all(r.precision in ("day", None) for r in run):
            return run
    return [min(pool, key=lambda r: min(abs(r.start - anchor), abs(r.end - anchor)))]


def sentence_mentions(sent: Sentence, lex: Lexicon, pair: tuple[str, str], pub: date | None,
                      pms: list[PartyMention] | None = None) -> list[Mention]:
    """Mentions of exchange or repatriation events in one sentence (possibly several)."""
    s = sent.text
    trig, lexical = _triggers(s, lex)
    anchors = trig[EX] + trig[BODY]
    if not anchors:
        return []
    if any(lex.negation.search(s, lo, hi) for lo, hi in _windows(anchors, _CUE_REACH)):
        return []
    pms = find_parties(s) if pms is None else pms
    ctx = _Ctx(s, lex, _sentence_pair(pms, pair), pms, trig, {EX: {}, BODY: {}}, lexical)
    found = [] if _cumulative(s, lex) else find_counts(s, lex)
    typed = [(c, _count_type(c, ctx)) for c in found]
    if lexical:
        for t in (EX, BODY):
            ctx.cues[t] = _cues(s, lex, trig[t] + [c.start for c, ct in typed if ct == t])
    return _build(sent, ctx, pub, typed)


def _sentence_pair(pms: list[PartyMention], pair: tuple[str, str]) -> tuple[str, str]:
    names = {pm.party for pm in pms}
    if names & set(pair):
        return pair
    others = sorted(names)
    return (others[0], others[1]) if len(others) == 2 else pair


def _count_slots(ctx: _Ctx, typed: list[tuple[Count, str]]) -> dict[tuple[str, str | None], list]:
    slots: dict[tuple[str, str | None], list[tuple[Count, list[str]]]] = {}
    for c, etype in typed:
        status = _nearest(c.start, ctx.cues[etype])
        if c.frame and ctx.lexical and "agreed" in ctx.cues[etype]:
            status = "agreed"
            ctx.cues[etype].setdefault("agreed", [])
        who = recipients(ctx.text, c, ctx.pms, ctx.pair, ctx.lex)
        slots.setdefault((etype, status), []).append((c, who))
    return slots


_SUPERLATIVE = re.compile(
    r"(?:largest|biggest|first|plus grand|plus important|premier|größt\w*|erste\w*|крупнейш\w*|больш\w*|перв\w*"
    r"|наймасштабніш\w*|найбільш\w*|перш\w*|mayor|maior|primer\w*|más grande)", re.IGNORECASE)


def _cumulative(s: str, lex: Lexicon) -> bool:
    """A running total ("6,000 returned since 2022"), not one handover; "largest since 2022" is no total."""
    m = lex.cumulative.search(s)
    return bool(m) and not _SUPERLATIVE.search(s, max(0, m.start() - 70), m.start())


def _count_type(c: Count, ctx: _Ctx) -> str:
    if ctx.triggers[BODY] and ctx.lex.body.search(ctx.text, max(0, c.start - 30), c.end + 40):
        return BODY
    return _nearest(c.start, {k: v for k, v in ctx.triggers.items() if v}) or EX


def _build(sent: Sentence, ctx: _Ctx, pub: date | None, typed: list[tuple[Count, str]]) -> list[Mention]:
    s, lex = ctx.text, ctx.lex
    refs = find_dates(s, lex, pub)
    slots = _count_slots(ctx, typed)
    cats = attributes.categories(s, lex)
    meds = attributes.mediators(s, lex, ctx.pair)
    locs = attributes.locations(s)
    recall = bool(lex.recall.search(s))
    cumulative = _cumulative(s, lex)
    add = lex.additive.search(s)
    first = min((c.start for items in slots.values() for c, _ in items), default=len(s))
    additive = bool(add) and add.start() < first
    out: list[Mention] = []
    for etype in (EX, BODY):
        if not ctx.triggers[etype]:
            continue
        statuses: list[str | None] = list(ctx.cues[etype]) or [None]
        for status in statuses:
            anchor = min(ctx.cues[etype].get(status or "") or ctx.triggers[etype] or [0])
            counts, quals = _combine(slots.get((etype, status), []))
            loc = _location(s, locs, status, len(statuses))
            framed = status == "agreed" and not ctx.cues[etype]["agreed"]
            dates = ([] if framed else _pick_date(s, refs, status, anchor)) or [None]  # type: ignore[list-item]
            for ref in dates:
                m = Mention(etype, status, False, sent, ctx.pair, ref, counts if len(dates) == 1 else {},
                            quals, cats if etype == EX else set(), meds, loc, recall)
                m.strong = ctx.lexical and not cumulative and _is_strong(m, s, lex)
                m.additive = additive and bool(m.counts) and (ref is None or ref.precision is None)
                m.mirror = not m.counts and bool(lex.equal.search(s))
                out.append(m)
    return out


def _location(s: str, locs: list[tuple[int, str]], status: str | None, n_status: int) -> str | None:
    for pos, name in locs:
        talks = bool(re.search(r"(?:talks|negotiations|agreed|agreement|переговор\w*|договор\w*|домовл\w*|"
                               r"переговор\w*|угод\w*)\b[^.;]{0,40}$", s[max(0, pos - 60):pos], re.IGNORECASE))
        if talks == (status == "agreed") or n_status <= 1:
            return name
    return None


def _combine(items: list[tuple[Count, list[str]]]) -> tuple[dict[str, int], set[str]]:
    per: dict[str, list[int]] = {}
    quals: set[str] = set()
    for c, who in items:
        for party in who:
            per.setdefault(party, []).append(c.value)
            quals.add(c.qualifier)
    out = {}
    for party, vals in per.items():
        top = max(vals)
        rest = sorted(vals)[:-1]
        out[party] = top if (rest and sum(rest) == top) or len(set(vals)) == 1 else sum(vals)
    return out, quals


def _is_strong(m: Mention, s: str, lex: Lexicon) -> bool:
    dated = m.date is not None and m.date.precision not in (None, "month")
    if m.status == "conducted":
        return True
    if m.status == "agreed":
        return bool(m.counts or dated or lex.agreed_verb.search(s))
    if m.status == "planned":
        return bool(m.counts or dated)
    return False
