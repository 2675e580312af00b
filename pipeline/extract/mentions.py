"""One sentence -> the event mentions it holds (type, status, day, counts, attributes)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import cast

from . import attributes
from .counts import recipients
from .dates import DateRef, find_dates
from .fastre import compile_fast
from .figures import combine, count_cues, nearest_cluster, plain_list, relabel_list, segments
from .guard import guard
from .lexicon import Lexicon
from .named import plus_named
from .numbers import Count, find_counts
from .parties import PartyMention, find_parties, sentence_pair
from .sentences import Sentence

EX, BODY = "prisoner_exchange", "body_repatriation"
_CUE_REACH = 110
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
    soft: bool = False  # the figures are only the deal's name ("under the 1,000-for-1,000 formula")


@dataclass
class _Ctx:
    text: str
    lex: Lexicon
    pair: tuple[str, str]
    pms: list[PartyMention]
    triggers: dict[str, list[int]]
    cues: dict[str, dict[str, list[int]]]
    lexical: bool
    year_hint: int | None = None
    day_anchor: date | None = None


_ORG = re.compile(
    r"(?:treatment of prisoners of war|prisoners? of war (?:coordination )?(?:headquarters|hq)|prisoner-of-war "
    r"coordination headquarters|обращени\w* с военнопленн\w*|поводженн\w* з військовополонен\w*"
    r"|kriegsgefangenen\w*stab|traitement des prisonniers de guerra?e?|trato de (?:los )?prisioneros de guerra"
    r"|tratamento (?:dos|de) prisioneiros de guerra)", re.IGNORECASE)


def _triggers(s: str, lex: Lexicon) -> tuple[dict[str, list[int]], bool]:
    """Trigger positions per event type, and whether the words say that something changed hands."""
    idioms = [(m.start(), m.end()) for m in lex.idiom.finditer(s)]
    found = list(lex.body.finditer(s))
    body = [m.start() for m in found]
    body_ends = [m.end() for m in found]
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
    if ex and lexical:  # "freed A in exchange for B, concluding a prisoner swap": the idiom anchors cues too
        ex += [a for a, _ in idioms]
    return {EX: sorted(ex), BODY: sorted(body)}, lexical


_DIGIT = re.compile(r"\d")
_N_FOR_N = re.compile(r"\d+(?:[,.\s]\d{3})*\s*(?:-for-|for|на|за|contre|por|gegen)\s*\d")


_CLAUSE_BREAK = re.compile(r",\s+(?:but|while|whereas|although|но|а|але|однак|aber|mais|pero|mas)\b|;", re.IGNORECASE)


def _negated(s: str, lex: Lexicon, anchors: list[int]) -> bool:
    """A denial, stall or refusal in the same clause as a trigger ("agreed to swap 1,200 each, but made no
    progress toward a ceasefire" is not negated)."""
    for lo, hi in _windows(anchors, _CUE_REACH):
        for m in lex.negation.finditer(s, lo, hi):
            near = min(anchors, key=lambda a: abs(a - m.start()))
            a, b = sorted((near, m.start()))
            if not _CLAUSE_BREAK.search(s, a, b):
                return True
    return False


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
    wins = _windows(anchors, getattr(lex, "cue_reach", _CUE_REACH))  # German verbs close long clauses
    denied = [(m.start(), m.end()) for lo, hi in wins for m in lex.negation.finditer(s, lo, hi)]
    for status in ("conducted", "agreed", "planned"):
        rx = getattr(lex, status)
        pos = [m.start() for lo, hi in wins for m in rx.finditer(s, lo, hi)
               if not any(a <= m.start() < b for a, b in denied)]  # "no date has been agreed"
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
        pool = [r for r in pool if r.start >= 45] or pool  # "said late on Wednesday" before the dateline
    if not pool:
        return []
    if status == "conducted" and len(pool) >= 2:
        days = [r for r in pool if r.precision == "day"]
        if len(days) >= 2 and len({r.date for r in days}) == len(days):
            return days  # several handovers told in one sentence: segments shares the figures out
    return [min(pool, key=lambda r: min(abs(r.start - anchor), abs(r.end - anchor)))]


def sentence_mentions(sent: Sentence, lex: Lexicon, pair: tuple[str, str], pub: date | None,
                      pms: list[PartyMention] | None = None, year_hint: int | None = None,
                      carry: str | None = None, day_anchor: date | None = None) -> list[Mention]:
    """Mentions of exchange or repatriation events in one sentence (possibly several)."""
    s = sent.text
    trig, lexical = _triggers(s, lex)
    if not trig[EX] and not trig[BODY]:
        pair_m = _N_FOR_N.search(s) or lex.idiom.search(s)  # "303 for 303", "received 84 people in return"
        if pair_m:
            trig[EX], lexical = [pair_m.start()], True
        elif carry:  # "On 18 September, Ukraine received 1,000 and returned 24." after a sentence about bodies
            trig[carry], lexical = [0], True
    anchors = trig[EX] + trig[BODY]
    if not anchors:
        return []
    if _negated(s, lex, anchors):
        return []
    if not lexical and not _DIGIT.search(s) and not lex.categories.search(s) and not lex.mediation.search(s):
        return []  # "POWs" in passing, with nothing to add to an event: skip the rest of the work
    pms = find_parties(s) if pms is None else pms
    ctx = _Ctx(s, lex, _sentence_pair(s, pms, pair), pms, trig, {EX: {}, BODY: {}}, lexical, year_hint,
               day_anchor)
    found = [] if _cumulative(s, lex) else [plus_named(s, c) for c in find_counts(s, lex)]
    typed = [(c, _count_type(c, ctx)) for c in found]
    if lexical:
        for t in (EX, BODY):
            ctx.cues[t] = _cues(s, lex, trig[t] + [c.start for c, ct in typed if ct == t])
    return _build(sent, ctx, pub, typed)


def _sentence_pair(s: str, pms: list[PartyMention], pair: tuple[str, str]) -> tuple[str, str]:
    """Parties named only inside a place ("the Belarusian-Ukrainian border") are not sides."""
    if {pm.party for pm in pms} <= set(pair):
        return pair
    places = attributes.place_spans(s)
    names = {pm.party for pm in pms if not any(a <= pm.start < b for a, b in places)}
    return sentence_pair(names, pair)


def _count_slots(ctx: _Ctx, typed: list[tuple[Count, str]]) -> dict[tuple[str, str | None], list]:
    slots: dict[tuple[str, str | None], list[tuple[Count, list[str]]]] = {}
    last_who: list[str] = []
    first_who: list[str] = []
    settled: set[int] = set()
    prev: Count | None = None
    for c, etype in typed:
        status = _nearest(c.start, count_cues(ctx.text, ctx.cues[etype]))
        if c.frame and ctx.lexical and "agreed" in ctx.cues[etype]:
            status = "agreed"
            ctx.cues[etype].setdefault("agreed", [])
        why: list[str] = []
        who = recipients(ctx.text, c, ctx.pms, ctx.pair, ctx.lex, why)
        if why:
            settled.add(id(c))
        if why and len(who) == 1 and prev is not None and id(prev) not in settled \
                and plain_list(ctx.text[prev.end:c.start], ctx.lex):
            relabel_list(slots, prev, who)  # "33 soldiers and 51 civilians from Russian captivity"
        if not who and first_who and _FURTHER_BEFORE.search(ctx.text, max(0, c.start - 15), c.start):
            who = list(first_who)  # "handed over 1,212 ..., getting 27 back, and a further 1,200": like the first
        if not who and len(last_who) == 1 and ctx.lex.other_way.match(ctx.text[c.end:c.end + 60]):
            who = [p for p in ctx.pair if p != last_who[0]]
        if not who and len(last_who) == 1 and prev is not None and plain_list(ctx.text[prev.end:c.start], ctx.lex):
            who = list(last_who)  # "146 soldiers as well as eight civilians": one verb, one recipient
        last_who, prev = who or last_who, c
        first_who = first_who or who
        slots.setdefault((etype, status), []).append((c, who))
    _home_side(ctx, slots)
    return slots


_HOME = re.compile(r"^\s*(?:[^\W\d_]+\s+){0,3}?(?:came|come|returned|got|went|are|were|arrived) (?:back )?home\b"
                   r"|^\s*(?:[^\W\d_]+\s+){0,3}?(?:вернулись|вернулся|повернулися|повернувся) домой|додому",
                   re.IGNORECASE)


def _home_side(ctx: _Ctx, slots: dict) -> None:
    """"33 soldiers came home; Russia received 84": a figure that only "came home" belongs to the side
    opposite the one the sentence names as receiving."""
    named = {p for items in slots.values() for _, who in items if len(who) == 1 for p in who}
    if len(named) != 1:
        return
    others: list[str | None] = [p for p in ctx.pair if p not in named]
    (other,) = others or [None]
    if other is None:
        return
    for items in slots.values():
        for k, (c, who) in enumerate(items):
            if not who and _HOME.match(ctx.text[c.end:c.end + 60]):
                items[k] = (c, [other])


_FURTHER_BEFORE = re.compile(r"\b(?:a further|another|ещё|еще|ще)\s+$", re.IGNORECASE)
_SUPERLATIVE = re.compile(
    r"(?:largest|biggest|first|plus grand|plus important|premier|größt\w*|erste\w*|крупнейш\w*|больш\w*|перв\w*"
    r"|наймасштабніш\w*|найбільш\w*|перш\w*|mayor|maior|primer\w*|más grande)", re.IGNORECASE)


@lru_cache(maxsize=64)  # asked twice per sentence (its figures, then its mentions)
def _cumulative(s: str, lex: Lexicon) -> bool:
    """A running total ("6,000 returned since 2022"), not one handover; "largest since 2022" is no total."""
    m = lex.cumulative.search(s)
    if m is None:
        y = _WHOLE_YEAR.search(s)  # "1,600 were released from Russian captivity in 2022": the year's total
        return y is not None and not any(r.precision == "day" for r in find_dates(s, lex, None, int(y.group(1))))
    return not _SUPERLATIVE.search(s, max(0, m.start() - 70), m.start())


_WHOLE_YEAR = compile_fast(r"\b(?:released|freed|returned|exchanged|swapped|came home|brought home|repatriated)\b"
                           r"[^.,;\d]{0,40}\b(?:in|during|throughout|over) (?:the (?:whole|course) of )?((?:19|20)\d\d)"
                           r"(?![\d/–-])")


def _count_type(c: Count, ctx: _Ctx) -> str:
    if ctx.triggers[BODY] and ctx.lex.body.search(ctx.text, max(0, c.start - 30), c.end + 40):
        return BODY
    return _nearest(c.start, {k: v for k, v in ctx.triggers.items() if v}) or EX


def _build(sent: Sentence, ctx: _Ctx, pub: date | None, typed: list[tuple[Count, str]]) -> list[Mention]:
    s, lex = ctx.text, ctx.lex
    refs = find_dates(s, lex, pub, ctx.year_hint, ctx.day_anchor)
    slots = _count_slots(ctx, typed)
    cats = attributes.categories(s, lex)
    meds = attributes.mediators(s, lex, ctx.pair)
    locs = attributes.locations(s)
    recall = bool(lex.recall.search(s))
    cumulative = _cumulative(s, lex)
    add = lex.additive.search(s)
    first = min((c.start for items in slots.values() for c, _ in items), default=len(s))
    additive = add is not None and add.start() < first
    out: list[Mention] = []
    for etype in (EX, BODY):
        if not ctx.triggers[etype]:
            continue
        statuses: list[str | None] = list(ctx.cues[etype]) or [None]
        for status in statuses:
            anchor = min(ctx.cues[etype].get(status or "") or ctx.triggers[etype] or [0])
            used = nearest_cluster(s, slots.get((etype, status), []), anchor)
            counts, quals = combine(used)
            soft = bool(used) and all(it[0].frame for it in used)
            if not counts and etype == EX and status == "conducted" and lex.one_for_one.search(s):
                counts, quals = {p: 1 for p in ctx.pair}, {"exact"}  # "freed A B in exchange for C D"
            loc = _location(s, locs, status, len(statuses))
            secondary = status != "conducted" and "conducted" in ctx.cues[etype]
            dates = _mention_days(s, refs, status, anchor, secondary, bool(counts), pub,
                                  framed=status == "agreed" and not ctx.cues[etype]["agreed"])
            several = cast(list[DateRef], dates) if len(dates) > 1 else []  # more than one: every one a day
            parts = segments(s, several, slots.get((etype, status), [])) if several else None
            if several and parts is None:
                dates = [min(several, key=lambda r: abs(r.start - anchor))]
            for k, ref in enumerate(dates):
                if parts is not None:
                    counts, quals = combine(parts[k][1])
                    soft = False
                m = Mention(etype, status, False, sent, ctx.pair, ref, counts, quals, cats if etype == EX else set(),
                            meds, loc, recall)
                m.soft = soft
                m.strong = ctx.lexical and not cumulative and _is_strong(m, s, lex, secondary)
                if m.strong and m.status is None:
                    m.status = "conducted"
                m.additive = additive and bool(m.counts) and (ref is None or ref.precision in (None, "day"))
                m.totals = {p for c, who in slots.get((etype, status), []) if c.total for p in who}
                if _SUMMING_UP.match(s):  # "In total, the United States received 11 people."
                    m.totals |= set(m.counts)
                eq = lex.equal.search(s)  # "Russia received the same number", also after the other side's figure
                m.mirror = eq is not None and (not m.counts or (len(m.counts) == 1 and eq.start() > first))
                out.append(m)
    return out


_MULTI_DAY = re.compile(r"\b(?:two|three|four|five|\d)-day (?:exchange|swap|operation|handover|process)|over (?:the )?"
                        r"(?:two|three|four|five|\d) days\b", re.IGNORECASE)


_ONE_STAGE = re.compile(r"\b(?:first|second|third|last|final|opening) (?:day|stage|phase|round)\b", re.IGNORECASE)


_SUMMING_UP = re.compile(r"\W*(?:in total|all in all|altogether|en total|au total|em total|no total|insgesamt|всего"
                         r"|итого|в общей сложности|в итоге|загалом|усього|всього|таким образом)\b", re.IGNORECASE)


def _mention_days(s: str, refs: list[DateRef], status: str | None, anchor: int, secondary: bool,
                  has_counts: bool, pub: date | None, framed: bool) -> list[DateRef | None]:
    """The day(s) a mention is about; [None] when the sentence does not give one."""
    picked = [] if framed else _pick_date(s, refs, status, anchor, secondary)
    dates: list[DateRef | None] = list(picked) if picked else [None]
    if status == "conducted" and _MULTI_DAY.search(s) and not _ONE_STAGE.search(s):  # no single day
        return [DateRef(0, 0, None, "week")]
    if status == "planned" and has_counts and _target_day(dates[0], pub):
        return [None]  # the day a plan is meant for is not its date; its announcement day may come later
    return dates


def _target_day(ref: DateRef | None, pub: date | None) -> bool:
    """A day still ahead of the report ("will take place on Wednesday"): when the plan is meant to happen."""
    return ref is not None and not ref.speech and ref.future is not None and pub is not None and ref.future > pub


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


# Cue patterns read sentence by sentence: behind a literal guard (same answers, see guard.py)
for _name in ('_ORG', '_TALK_NOUN', '_FURTHER_BEFORE', '_SUPERLATIVE', '_MULTI_DAY', '_ONE_STAGE', '_TALKS_BEFORE'):
    globals()[_name] = guard(globals()[_name])
