"""Counts of people or bodies in a sentence: digits in any grouping, number words, qualifiers, N-for-N."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .guard import guard
from .lexicon import Lexicon
from .parties import DEMONYM_AHEAD

_DIGITS = re.compile(r"(?<![\w/:.,-])(\d{1,3}(?:(?:,|\.|[ \u00a0\u202f])\d{3})+|\d+)(?![\w/:]|[.,]\d)")
_CURRENCY = re.compile(r"[$€£№#]\s*$")
_AGE = re.compile(r"(?:\bage[ds]?(?: of)?|\bunder(?: the age of)?|younger than|older than|младше|моложе|до|молодш\w*"
                  r"|unter|moins de|menores de)\s+$", re.IGNORECASE)
_UNIT = re.compile(
    r"^\s*(?:%|per ?cent|percent|years?|days?|hours?|months?|weeks?|minutes?|km|kilomet\w*|miles?|billion|million"
    r"|bn|mln|milliards?|millions?|millones|milhões|milliarden?|millionen|mrd|mio"
    r"|rounds?|times|th\b|st\b|nd\b|rd\b|лет|год\w*|дн\w*|час\w*|месяц\w*|недел\w*|км|рок\w*|тиж\w*|млн|млрд"
    r"|процент\w*|тысяч\w* (?:долл|руб|грив)|jahre?n?|tage?n?|ans?\b|jours?|años|días|anos|dias|a\.m\.|p\.m\.)",
    re.IGNORECASE,
)
_EACH_AFTER_WINDOW = 45
_MONTH_BEFORE = 14


@dataclass(frozen=True)
class Count:
    start: int
    end: int
    value: int
    qualifier: str  # exact | approximate | at_least
    each: bool  # the figure is per side ("95 each", "1,000 for 1,000", "по 390")
    frame: bool = False  # the terms of a deal ("under the 1,000-for-1,000 formula"), not a handover
    total: bool = False  # "bringing the number ... to 197", "a total of 600": the whole, not a part


def _parse_digits(raw: str) -> int:
    return int(re.sub(r"[^\d]", "", raw))


_HYPHEN_PAIR = re.compile(r"(?<=\d-for-)(\d{1,3}(?:,\d{3})+|\d+)(?![\w/:]|[.,]\d)")
_THOUSAND = re.compile(r"\s*(?:тыс\.|тыс\b|тысяч\w*|тис\.|тисяч\w*|thousand|mil\b|Tausend|mille)", re.IGNORECASE)
_JOIN = re.compile(r"(?:\s+(?:and|y|e)\s+|\s+|-)")
_DECIMAL_THOUSAND = re.compile(r"(?<![\w.,])(\d{1,3}[.,]\d{1,2})(?=" + _THOUSAND.pattern + ")", re.IGNORECASE)  # "1,2 тыс."


def _word_run(text: str, m: re.Match[str], lex: Lexicon) -> tuple[int, int]:
    """Value and end of a run of number words: "two hundred and five" -> 205."""
    total, current, end = 0, 0, m.end()
    word = m.group(0).lower()
    while True:
        value = lex.numbers[word]
        if value in (100, 1000) and word in lex.multipliers:
            current = max(current, 1) * value
            if value == 1000:
                total, current = total + current, 0
        else:
            current += value
        j = _JOIN.match(text, end)
        nxt = lex.number_word_re.match(text, j.end()) if j else None
        if not nxt:
            return total + current, end
        word, end = nxt.group(0).lower(), nxt.end()


def _candidates(text: str, lex: Lexicon) -> list[tuple[int, int, int]]:
    out = [(m.start(1), m.end(1), _parse_digits(m.group(1))) for m in _HYPHEN_PAIR.finditer(text)]
    for m in _DECIMAL_THOUSAND.finditer(text):
        k = _THOUSAND.match(text, m.end())
        out.append((m.start(), k.end() if k else m.end(), round(float(m.group(1).replace(",", ".")) * 1000)))
    for m in _DIGITS.finditer(text):
        value, end = _parse_digits(m.group(1)), m.end()
        k = _THOUSAND.match(text, end)
        if k and value < 1000:
            value, end = value * 1000, k.end()
        out.append((m.start(), end, value))
    pos = 0
    while True:
        w = lex.number_word_re.search(text, pos)
        if not w:
            break
        value, end = _word_run(text, w, lex)
        if end > w.end() or w.group(0).lower() not in lex.alone:  # bare "тысячи" is "thousands of"
            out.append((w.start(), end, value))
        pos = end
    return sorted(out)


_VAGUE = re.compile(r"(?:several|a few|few|many|some|dozens of|hundreds of|thousands of|несколько|кілька|декілька"
                    r"|mehrere|plusieurs|varios|vários)\s+$", re.IGNORECASE)


def listed_before(before: str, lex: Lexicon) -> bool:
    listed = getattr(lex, "list_of", None)  # "lists of 500 POWs" are names on paper, not people handed over
    return listed is not None and bool(listed.search(before))


def _is_noise(text: str, start: int, end: int, value: int, lex: Lexicon) -> bool:
    before = text[max(0, start - 30):start]
    raw = text[start:end]
    if not raw[:1].isdigit() and _VAGUE.search(before):
        return True
    if raw.isdigit() and len(raw) == 4 and 1900 <= value <= 2100:
        return True
    if _CURRENCY.search(before) or _AGE.search(before) or _UNIT.match(text[end:end + 14]):
        return True
    if value > 31 and raw.isdigit():  # no day of a month: "in August, 115 prisoners" is a head count
        return bool(listed_before(before, lex))
    if lex.month_tail.search(text[max(0, start - _MONTH_BEFORE):start]):
        return True
    listed = getattr(lex, "list_of", None)  # "lists of 500 POWs" are names on paper, not people handed over
    if listed is not None and listed.search(before):
        return True
    return bool(lex.month_head.match(text, end))


_TO_SIDE = re.compile(r"\s+(?:(?:bodies|were|went|going|sent|handed over|returned)\s+)?(?:back\s+)?to\s+(?:the\s+)?"
                      r"[A-Z]")
_AUX = re.compile(r"^(?:were|was|have been|had been|are|is|будут|были|було|були|wurden|ont été|fueron|foram)\s+",
                  re.IGNORECASE)
_SUBSET_END = re.compile(r";|,\s+(?:and|while|but|и|і|та|а|et|y|e|und)\s", re.IGNORECASE)
_FURTHER = re.compile(r"\b(?:another|a further|ещё|еще|ще|weitere|encore)\s+$", re.IGNORECASE)
_ELLIPSIS = re.compile(r"(?:\b(?:and|while|e|y|и|і|а|et|und)\s+[A-ZА-ЯІЇЄ][\w.-]+,?|,\s+(?:в|у|до|to)\s+[A-ZА-ЯІЇЄ][\w.-]+"
                       r"\s*[-—–:,]|,\s+[A-ZА-ЯІЇЄ][\w.-]+\s*[—–:]|\b(?:contre|contra|frente a|против|проти))\s*$")


def _is_count(text: str, start: int, end: int, lex: Lexicon) -> bool:
    after = text[end:end + 60]
    if lex.people.match(after) or lex.of_own.match(after) or lex.each_strict.match(after.lstrip()):
        return True
    if DEMONYM_AHEAD.match(after):
        return True
    if _TO_SIDE.match(after):  # "1,000 to Ukraine", "31 going to Russia"
        return True
    head = _AUX.sub("", after.lstrip(), count=1)
    if lex.give.match(head) or lex.release.match(head) or lex.conducted.match(head):  # "19 returned", "120 were swapped"
        return True
    if re.match(r"\s*(?:people|persons|человек|осіб|людей)\b", after, re.IGNORECASE):
        return True
    before = text[max(0, start - 40):start]
    if _ELLIPSIS.search(before) or _FURTHER.search(before):
        return True
    return bool(re.search(r"(?:bodies|remains|тел|тіл)\s+(?:of\s+)?$", before, re.IGNORECASE)
                or lex.receive.search(before[-20:]) or lex.give.search(before[-20:]))


def _qualifier(text: str, start: int, lex: Lexicon) -> str:
    before = text[max(0, start - 30):start]
    if lex.at_least.search(before):
        return "at_least"
    if lex.approx.search(before):
        return "approximate"
    return "exact"


def _each(text: str, start: int, end: int, lex: Lexicon) -> bool:
    after = text[end:end + _EACH_AFTER_WINDOW]
    cut = re.search(r"[;:.]|\band\b|\bи\b|\bі\b", after)
    if lex.each_strict.search(after[: cut.start()] if cut else after):
        return True
    if lex.equal.search(text, end, end + 90):
        return True
    before = text[max(0, start - 30):start]
    return bool(lex.each_prefix.search(before) or re.search(r"\beach\b[^,;.]{0,20}$", before, re.IGNORECASE)
                or (lex.lang != "en" and lex.each_strict.search(before)))


def find_counts(text: str, lex: Lexicon) -> list[Count]:
    """All counts of people or bodies in ``text`` (one sentence), in order."""
    cands = [c for c in _candidates(text, lex) if not _is_noise(text, c[0], c[1], c[2], lex)]
    out: list[Count] = []
    skip = -1
    subset_from = -1
    for i, (s, e, v) in enumerate(cands):
        if i == skip:
            continue
        if subset_from < 0:
            sub = lex.subset.search(text, max(0, s - 40), s)
            subset_from = sub.start() if sub else -1
        if subset_from >= 0 and not _SUBSET_END.search(text, subset_from, s):
            continue
        nxt = cands[i + 1] if i + 1 < len(cands) else None
        gap = text[e:nxt[0]] if nxt else ""
        if nxt and (lex.for_n.match(gap) or _SWAPPED_FOR.match(gap)) and nxt[2] == v:  # "230 for 248": no pair
            quoted = s > 0 and text[s - 1] in "\"'«“" and text[nxt[1]:nxt[1] + 1] in "\"'»”"
            frame = bool(_FRAME_AFTER.match(text, nxt[1]) or _FRAME_BEFORE.search(text, max(0, s - 30), s) or quoted)
            out.append(Count(s, nxt[1], v, _qualifier(text, s, lex), True, frame))
            skip = i + 1
            continue
        if _is_count(text, s, e, lex):
            total = bool(_TOTAL_BEFORE.search(text, max(0, s - 90), s))
            out.append(Count(s, e, v, _qualifier(text, s, lex), _each(text, s, e, lex), False, total))
            if lex.subset_lead.search(text, max(0, s - 15), s):
                subset_from = e
                out = [c for c in out if c.start >= s]  # "three were among the 95": the 95 is the event's
    for m in lex.zero.finditer(text):
        out.append(Count(m.start(), m.end(), 0, "exact", False))
    out.sort(key=lambda c: c.start)
    return _spread_each(text, out)


# "115 prisoners were exchanged for 115": the same figure on both sides of the verb is one per side
_SWAPPED_FOR = re.compile(r"^\s+(?:[^\W\d_][\w'’-]*\s+){0,3}?(?:were|was|have been|had been|are|being)\s+"
                          r"(?:exchanged|swapped|traded)\s+for\s+$", re.IGNORECASE)
_FRAME_AFTER = re.compile(r"[\"'»”’]?\s*(?:formula|format|deal|scheme|principle|agreement|формул\w*|формат\w*"
                          r"|принцип\w*|Formel|formule|fórmula)", re.IGNORECASE)
_FRAME_BEFORE = re.compile(r"(?:of a|of the|under the|under a|by the|по формуле|за формулою|nach der|selon la)\s+[\"'«“]?$",
                           re.IGNORECASE)
_TOTAL_BEFORE = re.compile(r"(?:(?:bringing|brings|brought|taking|raising) the (?:number|total)[^.;]{0,70}?\bto"
                           r"|a total of|in total|au total|en total|no total|ao todo|en tout|im ganzen"
                           r"|(?:всего|в общей сложности|загалом|усього|итого|разом|insgesamt)(?:\s+[^\W\d]+){0,2}"
                           r")\s+$", re.IGNORECASE)  # "загалом отримала 261": a verb may stand between
LIST_JOIN = re.compile(r"^[^.;:\d]{0,40}?(?:,|\band\b|\bи\b|\bі\b|\bта\b|\bet\b|\by\b|\be\b|\bund\b|\bsowie\b|\bas well as\b"
                        r"|\bainsi que\b|\basí como\b|\bassim como\b|\bа также\b|\bа також\b)[^.;:\d]{0,25}$",
                        re.IGNORECASE)


def _spread_each(text: str, counts: list[Count]) -> list[Count]:
    """"185 soldiers and 20 civilians each": the "each" of the last item covers the whole list."""
    drop: set[int] = set()
    for i in range(len(counts) - 2, -1, -1):
        a, b = counts[i], counts[i + 1]
        if b.each and not a.each and a.value == 2 * b.value and LIST_JOIN.match(text[a.end:b.start]):
            drop.add(i)  # "314 prisoners, 157 for 157": the first figure is both sides together
            continue
        if b.each and not a.each and LIST_JOIN.match(text[a.end:b.start]):
            counts[i] = Count(a.start, a.end, a.value, a.qualifier, True, a.frame, a.total)
    return [c for i, c in enumerate(counts) if i not in drop]


# Cue patterns read sentence by sentence: behind a literal guard (same answers, see guard.py)
for _name in ('_VAGUE', '_TOTAL_BEFORE'):
    globals()[_name] = guard(globals()[_name])
