"""Who received a count: the party of the people counted, the party handed to, or the verb's subject."""

from __future__ import annotations

import re

from .lexicon import Lexicon
from .numbers import Count
from .parties import PartyMention

_AFTER = 55
_BEFORE = 80
_CLAUSE_END = re.compile(r"[;:]|,\s+(?:while|but|and|whereas|а|но|тогда как|натомість|але|котор\w*|which|who|whom|які|яких"
                         r"|якого|that)\b|\bwhile\b")
_AFTER_END = re.compile(_CLAUSE_END.pattern + r"|\d|,\s+(?:according|citing|an?\s|the [\w ]{0,30}(?:headquarters|hq)\b"
                        r"|(?:в|у|до|на)\s+[А-ЯІЇЄ])")


_ACC_PREP = ("в", "у", "на")


def _to(text: str, pm: PartyMention, lo: int, lex: Lexicon) -> bool:
    """Is the party the destination ("to Kyiv", "в Россию", "до України")?"""
    m = lex.to.search(text, max(lo, pm.start - 20), pm.start)
    if not m:
        return False
    if m.group(0).strip().lower() in _ACC_PREP:  # в/на + accusative only: "в России" is where, not whither
        return text[pm.end - 1:pm.end].lower() in ("ю", "у", "ь")
    return True


def _other(party: str, pair: tuple[str, str]) -> str | None:
    if party not in pair:
        return None
    return pair[1] if party == pair[0] else pair[0]


def _after(text: str, c: Count, pms: list[PartyMention], pair: tuple[str, str], lex: Lexicon) -> str | None:
    window_end = c.end + _AFTER
    cut = _AFTER_END.search(text, c.end, window_end)
    if cut:
        window_end = cut.start()
    idiom = lex.idiom.search(text, c.end, window_end)
    if idiom:
        window_end = idiom.start()
    for pm in pms:
        if pm.start < c.end or pm.start >= window_end:
            continue
        if pm.demonym:
            held_before = getattr(lex, "held_before", None)  # "from captivité ukrainienne": noun, then demonym
            if lex.held_in.match(text[pm.end:pm.end + 30]) or re.match(r"\s+\w+\s+(?:captivity|custody|плен\w*|полон\w*)",
                                                            text[pm.end:pm.end + 30], re.IGNORECASE) \
                    or (held_before is not None and held_before.search(text, max(0, pm.start - 25), pm.start)):
                return _other(pm.party, pair)
            return pm.party if pm.party in pair else None
        gap = text[c.end:pm.start]
        if _new_clause(gap, lex):
            return None  # "received 1,212 bodies and handed Russia 27": the party is the next verb's
        if _to(text, pm, c.end, lex):
            return pm.party if pm.party in pair else None
        if lex.from_.search(gap):
            return _other(pm.party, pair)
        if lex.of_party.search(gap):
            return pm.party if pm.party in pair else None
        return None
    return None


_CONJ_BEFORE = re.compile(r"\b(?:and|y|e|et|und|и|і|та|а)\s+$", re.IGNORECASE)


def _new_clause(gap: str, lex: Lexicon) -> bool:
    """A coordinated verb of its own between a figure and a party: "... and handed over"."""
    verbs = list(lex.give.finditer(gap)) + list(lex.receive.finditer(gap))
    return any(_CONJ_BEFORE.search(gap, 0, m.start()) for m in verbs)


def _subject(text: str, pms: list[PartyMention], pos: int, pair: tuple[str, str], lex: Lexicon) -> str | None:
    """The last named party before ``pos`` that is not the object of "to"/"from" (the clause's likely subject)."""
    fallback = None
    for pm in reversed(pms):
        if pm.end <= pos and pm.party in pair and not pm.demonym:
            if _to(text, pm, pm.start - 12, lex):
                continue
            if lex.from_.search(text, max(0, pm.start - 12), pm.start) or lex.dative.match(text[pm.start:pm.end]):
                fallback = fallback or pm.party  # "Россия передала Украине ...": the dative is no subject
                continue
            return pm.party
    return fallback


def _verb_before(text: str, c: Count, pms: list[PartyMention], pair: tuple[str, str], lex: Lexicon) -> str | None:
    final = _verb_final(text, c, pms, pair, lex)  # German: the participle closing the figure's own clause wins
    if final is not None:
        return final
    lo = max(0, c.start - _BEFORE)
    window = text[lo:c.start]
    cut = list(_CLAUSE_END.finditer(window))
    if cut:
        lo += cut[-1].end()
        window = text[lo:c.start]
    give = list(lex.give.finditer(window))
    recv = list(lex.receive.finditer(window))
    last_give = give[-1].start() if give else -1
    last_recv = recv[-1].start() if recv else -1
    for pm in reversed(pms):
        if lo + max(last_give, last_recv) < pm.start < c.start and _to(text, pm, pm.start - 20, lex):
            return pm.party if pm.party in pair else None
    if last_give < 0 and last_recv < 0:
        return None
    if last_recv > last_give:
        return _subject(text, pms, lo + last_recv, pair, lex) or _inverted(text, pms, lo + recv[-1].end(), c, pair)
    verb_start, verb_end = lo + give[-1].start(), lo + give[-1].end()
    for pm in pms:
        near = verb_start - 25 <= pm.start <= verb_end + 25
        prep = re.search(r"(?:\b(?:из|с|от|у|в|до|для|з|із|від|біля|около)\s+)$", text[max(0, pm.start - 6):pm.start],
                         re.IGNORECASE)
        if near and pm.party in pair and not prep and lex.dative.match(text[pm.start:pm.end]):
            return pm.party
    for pm in pms:
        if verb_end <= pm.start < c.start and _to(text, pm, verb_end, lex):
            return pm.party if pm.party in pair else None
    subj = _subject(text, pms, lo + last_give, pair, lex) or _inverted(text, pms, verb_end, c, pair)
    return _other(subj, pair) if subj else None


def _inverted(text: str, pms: list[PartyMention], verb_end: int, c: Count, pair: tuple[str, str]) -> str | None:
    """Verb-second order, no subject before the verb: "Im Gegenzug erhielt Russland 95 Soldaten"."""
    for pm in pms:
        if verb_end <= pm.start < c.start and not pm.demonym and pm.party in pair \
                and re.fullmatch(r"\s*", text[verb_end:pm.start]):
            return pm.party
    return None


def _verb_final(text: str, c: Count, pms: list[PartyMention], pair: tuple[str, str], lex: Lexicon) -> str | None:
    """German clause-final participles: "Die Ukraine hat ... 909 Leichen erhalten" (lexicon keys final_*)."""
    recv, give = getattr(lex, "final_receive", None), getattr(lex, "final_give", None)
    if recv is None or give is None:
        return None
    after = text[c.end:c.end + 90]
    got, gave = recv.match(after), give.match(after)
    if got and (not gave or got.end() < gave.end()):  # the nearer participle closes the figure's clause
        return _subject(text, pms, c.start, pair, lex)
    subj = _subject(text, pms, c.start, pair, lex) if gave else None
    return _other(subj, pair) if subj else None


def recipients(text: str, c: Count, pms: list[PartyMention], pair: tuple[str, str], lex: Lexicon,
               why: list[str] | None = None) -> list[str]:
    """Parties that received ``c`` (both for per-side figures; empty when the text does not say).
    ``why`` (when given) gets "after" appended when the people's own description settled it."""
    if c.each:
        return list(pair)
    if c.value == 0 and c.end - c.start > 3 and not text[c.start:c.end].strip().isdigit():
        subj = _subject(text, pms, c.start, pair, lex)
        return [subj] if subj else []
    party = _after(text, c, pms, pair, lex)
    if party is not None and why is not None:
        why.append("after")
    ours = getattr(lex, "ours", None)  # Ukrainian "84 наших захисники": the speaker's side
    if party is None and ours is not None and lex.ours_party in pair and ours.match(text, c.end):
        party = lex.ours_party
    if party is None and lex.of_own.match(text[c.end:c.end + 30]):
        party = _subject(text, pms, c.start, pair, lex)
    if party is None:
        party = _elliptic(text, c, pms, pair, lex)
    if party is None:
        party = _verb_before(text, c, pms, pair, lex)
    if party is None:
        party = _held_before(text, c, pms, pair, lex)
    return [party] if party else []


def _elliptic(text: str, c: Count, pms: list[PartyMention], pair: tuple[str, str], lex: Lexicon) -> str | None:
    """"Kyiv received 207 prisoners and Moscow, 195": the party right before the figure repeats the verb."""
    prev = [pm for pm in pms if pm.end <= c.start and not pm.demonym and pm.party in pair]
    if not prev:
        return None
    gap = text[prev[-1].end:c.start]
    conj = re.search(r"\b(?:and|et|e|y|und|и|і|та)\s+$", text[max(0, prev[-1].start - 6):prev[-1].start])
    if not (re.fullmatch(r"\s*[,:\-—–]\s*", gap) or (conj and re.fullmatch(r"\s+", gap))):
        return None
    if _to(text, prev[-1], prev[-1].start - 20, lex):
        return prev[-1].party
    window = text[max(0, prev[-1].start - 90):prev[-1].start]
    give = [m.start() for m in lex.give.finditer(window)]
    recv = [m.start() for m in lex.receive.finditer(window)]
    if (max(recv) if recv else -1) >= (max(give) if give else -1):
        return prev[-1].party if recv else None
    return _other(prev[-1].party, pair)


def _held_before(text: str, c: Count, pms: list[PartyMention], pair: tuple[str, str], lex: Lexicon) -> str | None:
    """"returned from Ukrainian captivity 146 servicemen": people held by one side go to the other."""
    for pm in reversed(pms):
        if c.start - 60 <= pm.start < c.start and pm.demonym and lex.held_in.match(text[pm.end:pm.end + 30]):
            return _other(pm.party, pair)
    return None
