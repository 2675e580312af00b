"""One sentence -> the event mentions it holds (type, status, day, counts, attributes)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from . import attributes
from .counts import recipients
from .dates import DateRef, find_dates
from .lexicon import Lexicon
from .numbers import _LIST_JOIN, Count, find_counts
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
    totals: set[str] = field(default_factory=set)  # parties whose figure is a stated total


@dataclass
class _Ctx:
    text: str
    lex: Lexicon
    pair: tuple[str, str]
    pms: list[PartyMention]
    triggers: dict[str, list[int]]
    cues: dict[str, dict[str, list[int]]]
    lexical: bool


_ORG = re.compile(
    r"(?:treatment of prisoners of war|prisoners? of war (?:coordination )?(?:headquarters|hq)|prisoner-of-war "
    r"coordination headquarters|обращени\w* с военнопленн\w*|поводженн\w* з військовополонен\w*"
    r"|kriegsgefangenen\w*stab|traitement des prisonniers de guerra?e?|trato de (?:los )?prisioneros de guerra"
    r"|tratamento (?:dos|de) prisioneiros de guerra)", re.IGNORECASE)


def _triggers(s: str, lex: Lexicon) -> tuple[dict[str, list[int]], bool]:
    """Trigger positions per event type, and whether the words say that something changed hands."""
    idioms = [(m.start(), m.end()) for m in lex.idiom.finditer(s)]
    body = [m.start() for m in lex.body.finditer(s)]
    body_ends = [m.end() for m in lex.body.finditer(s)]
    ex: list[int] = []
    for m in lex.exchange.finditer(s):
        if any(a <= m.start() < b for a, b in idioms) or lex.not_people.match(s[m.end():m.end() + 60]):
            continue
        if lex.not_people_before.search(s, max(0, m.start() - 30), m.start()):
            continue
        if any(0 <= b - m.end() <= 25 for b in body) or any(0 <= m.start() - e <= 2 for e in body_ends):
            body.append(m.start())
            continue
        ex.append(m.start())
    released = bool(lex.release.search(s) or lex.receive.search(s))
    lexical = bool(ex or body)
    orgs = [(m.start(), m.end()) for m in _ORG.finditer(s)]
    ex += [m.start() for m in lex.captive.finditer(s) if not any(a <= m.start() < b for a, b in orgs)]
    lexical = lexical or bool(idioms and ex)
    if released:
        lexical = lexical or len(ex) > 0
        if not ex and not body:
            ex = [m.start() for m in lex.soldier.finditer(s)]
            lexical = bool(ex)
    return {EX: sorted(ex), BODY: sorted(body)}, lexical


_N_FOR_N = re.compile(r"\d[\d,.\s]*\s*(?:-for-|for|на|за|contre|por|gegen)\s*\d")


def _windows(anchors: list[int], size: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a in sorted(anchors):
        lo, hi = max(0, a - size), a + size
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


_TALK_NOUN = re.compile(
    r"(?:talks|negotiations|meeting|summit|переговор\w*|встреч\w*|зустріч\w*|gespräch\w*|verhandlung\w*|pourparlers"
    r"|négociations|conversaciones|negociaciones|negociações)\W+(?:\w+\W+){0,5}$", re.IGNORECASE)


def _cues(s: str, lex: Lexicon, anchors: list[int]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    wins = _windows(anchors, _CUE_REACH)
    for status in ("conducted", "agreed", "planned"):
        rx = getattr(lex, status)
        pos = [m.start() for lo, hi in wins for m in rx.finditer(s, lo, hi)]
        if status == "conducted":  # "the talks that took place in Istanbul": the talks happened, not a swap
            pos = [p for p in pos if not _TALK_NOUN.search(s, max(0, p - 60), p)]
        if status == "planned":  # "accepted a proposal": the proposal is part of the agreement
            spans = [(m.start(), m.end()) for lo, hi in wins for m in lex.agreed.finditer(s, lo, hi)]
            pos = [p for p in pos if not any(a <= p < b for a, b in spans)]
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


def _pick_date(s: str, refs: list[DateRef], status: str | None, anchor: int,
               secondary: bool = False) -> list[DateRef]:
    if status == "agreed":
        pool = [r for r in refs if r.talks and not r.speech]
        if not pool and not secondary:
            pool = [r for r in refs if not r.speech]
    elif status == "planned":  # a plan is dated the day it was announced, not the day it is meant for
        pool = [r for r in refs if r.speech and r.precision == "day"] or [r for r in refs if not r.talks]
    else:
        pool = [r for r in refs if not r.speech and not r.talks]
    if not pool and status is not None:
        pool = [r for r in refs if r.speech and r.precision == "day"]
    if not pool:
        return []
    if status == "conducted" and len(pool) >= 2:
        days = [r for r in pool if r.precision == "day"]
        if len(days) >= 2 and len({r.date for r in days}) == len(days):
            return days  # several handovers told in one sentence: _segments shares the figures out
    return [min(pool, key=lambda r: min(abs(r.start - anchor), abs(r.end - anchor)))]


_SEG_BREAK = re.compile(r"[;,](?!\d)\s*(?:and\s+|и\s+|і\s+|та\s+|а\s+|et\s+|y\s+|e\s+|und\s+)?|\s(?:and|и|і|та|et|y|e|und)\s")


def _segments(s: str, refs: list[DateRef], items: list) -> list[tuple[DateRef, list]] | None:
    """Share a sentence's figures among its days: "on 13 September 49 came home, and on 14 September
    another 103". A figure belongs to the day whose clause holds it. None when the days are not separate
    handovers (neither joined by "and" nor each with a figure)."""
    bounds = [0]
    for a, b in zip(refs, refs[1:], strict=False):
        cuts = list(_SEG_BREAK.finditer(s, a.end, b.start))
        bounds.append(cuts[-1].start() if cuts else b.start)
    bounds.append(len(s) + 1)
    parts = [(r, [it for it in items if bounds[i] <= it[0].start < bounds[i + 1]]) for i, r in enumerate(refs)]
    joined = all(_SPLIT_DATES.match(s[a.end:b.start]) for a, b in zip(refs, refs[1:], strict=False))
    if joined or all(p[1] for p in parts):
        return parts
    return None


def sentence_mentions(sent: Sentence, lex: Lexicon, pair: tuple[str, str], pub: date | None,
                      pms: list[PartyMention] | None = None) -> list[Mention]:
    """Mentions of exchange or repatriation events in one sentence (possibly several)."""
    s = sent.text
    trig, lexical = _triggers(s, lex)
    if not trig[EX] and not trig[BODY]:
        pair_m = _N_FOR_N.search(s)
        if pair_m:
            trig[EX], lexical = [pair_m.start()], True
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
    last_who: list[str] = []
    settled: set[int] = set()
    prev: Count | None = None
    for c, etype in typed:
        status = _nearest(c.start, ctx.cues[etype])
        if c.frame and ctx.lexical and "agreed" in ctx.cues[etype]:
            status = "agreed"
            ctx.cues[etype].setdefault("agreed", [])
        why: list[str] = []
        who = recipients(ctx.text, c, ctx.pms, ctx.pair, ctx.lex, why)
        if why:
            settled.add(id(c))
        if why and len(who) == 1 and prev is not None and id(prev) not in settled \
                and _plain_list(ctx.text[prev.end:c.start], ctx.lex):
            _relabel_list(slots, prev, who)  # "33 soldiers and 51 civilians from Russian captivity"
        if not who and len(last_who) == 1 and ctx.lex.other_way.match(ctx.text[c.end:c.end + 60]):
            who = [p for p in ctx.pair if p != last_who[0]]
        if not who and len(last_who) == 1 and prev is not None and _plain_list(ctx.text[prev.end:c.start], ctx.lex):
            who = list(last_who)  # "146 soldiers as well as eight civilians": one verb, one recipient
        last_who, prev = who or last_who, c
        slots.setdefault((etype, status), []).append((c, who))
    return slots


_SUPERLATIVE = re.compile(
    r"(?:largest|biggest|first|plus grand|plus important|premier|größt\w*|erste\w*|крупнейш\w*|больш\w*|перв\w*"
    r"|наймасштабніш\w*|найбільш\w*|перш\w*|mayor|maior|primer\w*|más grande)", re.IGNORECASE)


def _cumulative(s: str, lex: Lexicon) -> bool:
    """A running total ("6,000 returned since 2022"), not one handover; "largest since 2022" is no total."""
    m = lex.cumulative.search(s)
    return bool(m) and not _SUPERLATIVE.search(s, max(0, m.start() - 70), m.start())


def _plain_list(gap: str, lex: Lexicon) -> bool:
    """"33 soldiers and 51": list items with no verb of their own in between."""
    return bool(_LIST_JOIN.match(gap)) and not (lex.give.search(gap) or lex.receive.search(gap)
                                               or lex.release.search(gap))


def _relabel_list(slots: dict, prev: Count, who: list[str]) -> None:
    """The description after a list's last item ("... from Russian captivity") names the recipient of
    the items before it too, overriding what the verb alone suggested."""
    for items in slots.values():
        for k, (c, _) in enumerate(items):
            if c is prev and not c.each:
                items[k] = (c, list(who))


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
            counts, quals = _combine(_nearest_cluster(s, slots.get((etype, status), []), anchor))
            if not counts and etype == EX and status == "conducted" and lex.one_for_one.search(s):
                counts, quals = {p: 1 for p in ctx.pair}, {"exact"}  # "freed A B in exchange for C D"
            loc = _location(s, locs, status, len(statuses))
            framed = status == "agreed" and not ctx.cues[etype]["agreed"]
            secondary = status != "conducted" and "conducted" in ctx.cues[etype]
            dates = ([] if framed else _pick_date(s, refs, status, anchor, secondary)) or [None]  # type: ignore[list-item]
            parts = _segments(s, dates, slots.get((etype, status), [])) if len(dates) > 1 else None
            if len(dates) > 1 and parts is None:
                dates = [min(dates, key=lambda r: abs(r.start - anchor))]
            for k, ref in enumerate(dates):
                if parts is not None:
                    counts, quals = _combine(parts[k][1])
                m = Mention(etype, status, False, sent, ctx.pair, ref, counts, quals, cats if etype == EX else set(),
                            meds, loc, recall)
                m.strong = ctx.lexical and not cumulative and _is_strong(m, s, lex, secondary)
                if m.strong and m.status is None:
                    m.status = "conducted"
                m.additive = additive and bool(m.counts) and (ref is None or ref.precision is None)
                m.totals = {p for c, who in slots.get((etype, status), []) if c.total for p in who}
                eq = lex.equal.search(s)  # "Russia received the same number", also after the other side's figure
                m.mirror = bool(eq) and (not m.counts or (len(m.counts) == 1 and eq.start() > first))
                out.append(m)
    return out


def _location(s: str, locs: list[tuple[int, str]], status: str | None, n_status: int) -> str | None:
    for pos, name in locs:
        talks = bool(_TALKS_BEFORE.search(s[max(0, pos - 60):pos]))
        if _TALKS_AFTER.match(s, pos):  # "the Istanbul agreements", "Стамбульские договоренности"
            if status == "agreed":
                return name
            continue
        if talks == (status == "agreed") or n_status <= 1:
            return name
    return None


_TALKS_BEFORE = re.compile(r"(?:talks|negotiations|agreed|agreement|переговор\w*|договор\w*|домовл\w*|угод\w*)\b"
                           r"[^.;]{0,40}$", re.IGNORECASE)
_TALKS_AFTER = re.compile(r"\w+\W+(?:\w+\W+)?(?:agreements?|accords?|talks|negotiations|deal|format|договор\w*"
                          r"|соглашени\w*|переговор\w*|домовленост\w*|угод\w*|vereinbarung\w*|accords?|acuerdos?"
                          r"|acordos?)\b", re.IGNORECASE)


def _nearest_cluster(s: str, items: list[tuple[Count, list[str]]], anchor: int) -> list[tuple[Count, list[str]]]:
    """Several per-side figures not forming one list ("1000 for 1000 ... 307 each ... 390 for 390") belong
    to different handovers: keep the list nearest the verb."""
    each = sorted((it for it in items if it[0].each), key=lambda it: it[0].start)
    if len({it[0].value for it in each}) < 2:
        return items
    clusters: list[list[tuple[Count, list[str]]]] = [[each[0]]]
    for prev, cur in zip(each, each[1:], strict=False):
        if _LIST_JOIN.match(s[prev[0].end:cur[0].start]):
            clusters[-1].append(cur)
        else:
            clusters.append([cur])
    plain = [cl for cl in clusters if not any(it[0].frame for it in cl)]
    best = min(plain or clusters, key=lambda cl: min(abs(it[0].start - anchor) for it in cl))
    return [it for it in items if not it[0].each] + best


def _combine(items: list[tuple[Count, list[str]]]) -> tuple[dict[str, int], set[str]]:
    per: dict[str, list[int]] = {}
    quals: set[str] = set()
    totals: dict[str, int] = {}
    for c, who in items:
        for party in who:
            per.setdefault(party, []).append(c.value)
            quals.add(c.qualifier)
            if c.total:
                totals[party] = c.value
    out = dict(totals)
    for party, vals in per.items():
        if party in totals:
            continue
        top = max(vals)
        rest = sorted(vals)[:-1]
        out[party] = top if (rest and sum(rest) == top) or len(set(vals)) == 1 else sum(vals)
    return out, quals


def _is_strong(m: Mention, s: str, lex: Lexicon, secondary: bool = False) -> bool:
    dated = m.date is not None and m.date.precision not in (None, "month")
    if m.status == "conducted":
        return True
    if m.status == "agreed":
        own_time = m.date is not None and m.date.precision is not None
        return bool(m.counts or dated or (lex.agreed_verb.search(s) and (own_time or not secondary)))
    if m.status == "planned":  # or a side's own proposal / preparation ("Ukraine proposed an all-for-all swap")
        proposal = getattr(lex, "proposal", None)
        return bool(m.counts or dated or (proposal is not None and proposal.search(s)))
    return dated and len(m.counts) == 2  # "Sunday: 303 for 303" in a swap story
