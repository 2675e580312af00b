"""Date expressions in a sentence, resolved against the publication date.

Own month and weekday tables per language (no dateparser in the hot path). A reference keeps its
precision and, for weeks and months, the range of days it covers, so that later stages can tell
whether an undated mention may be the same event as a dated one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from .fastre import compile_fast
from .lexicon import Lexicon

Day = date  # the type, for dataclasses whose field named ``date`` hides it

_F = re.IGNORECASE | re.UNICODE
_ORD = r"(?:st|nd|rd|th|\.|-?го|-?е|er|º|°)?"


@dataclass(frozen=True)
class DateRef:
    start: int
    end: int
    date: date | None
    precision: str | None  # day | week | month | None
    lo: Day | None = None
    hi: Day | None = None
    speech: bool = False  # "said on Friday", "in a statement on Saturday"
    talks: bool = False  # "talks in Istanbul on June 2"
    future: Day | None = None  # the same words read as a coming day (for planned events)
    relative_next: bool = False  # "the next day": one day after the previous event
    step: int = 1  # days after the previous event for relative_next: 0 for "the same day"


@dataclass(frozen=True)
class _Patterns:
    iso: re.Pattern[str]
    numeric: re.Pattern[str]
    month_day: re.Pattern[str]
    day_month: re.Pattern[str]
    month_only: re.Pattern[str]


@cache
def _patterns(lex: Lexicon) -> _Patterns:
    mon = lex.month_re.pattern
    return _Patterns(
        iso=re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b"),
        numeric=re.compile(r"(?<![\d.:/])(\d{1,2})[./](\d{1,2})[./](20\d\d)\b"),
        month_day=compile_fast(r"\b(" + mon + r")\.?\s+(\d{1,2})" + _ORD + r"(?![\d,.]\d)(?:,?\s+(20\d\d))?", _F),
        day_month=re.compile(r"(?<![\d,.])(\d{1,2})" + _ORD + r"\s+(?:of\s+|de\s+)?(" + mon
                             + r")(?!\w)(?:\s+(?:de\s+)?(20\d\d))?", _F),
        month_only=compile_fast(r"(?<!\w)(?:in|в|у|на|im|en|em|au mois de|anfang|ende|mitte|début|fin|courant"
                                r"|(?:the )?(?:end|beginning|start|middle) of"
                              r"|a (?:principios|finales|mediados) de|no (?:início|final) de|em meados de)\s+"
                              r"(?:early\s+|late\s+|mid-|начале\s+|конце\s+|середине\s+|початку\s+|кінці\s+|середині\s+)?(" + mon
                              + r")(?!\w)(?:\s+(?:de\s+)?(20\d\d))?", _F),
    )


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _with_year(m: int, d: int, year: str | None, pub: date | None,
               hint: int | None = None) -> tuple[date | None, date | None]:
    """(past reading, future reading) of a day-month; the year from the text, else from the year the story
    has just named (``hint``: "at the start of 2024. On January 3, ..."), else from ``pub``."""
    if year or hint:
        dt = _safe(int(year) if year else hint, m, d)  # type: ignore[arg-type]
        return dt, dt
    if pub is None:
        return None, None
    dt = _safe(pub.year, m, d)
    if dt is None:
        return None, None
    past = dt if dt <= pub else _safe(pub.year - 1, m, d)
    return past, dt


_DIGIT = re.compile(r"\d")
_FEAST_WORDS = compile_fast(r"\b(?:independence|christmas|new year|victory|день незалежност|день независимост"
                            r"|рождеств|різдв|новый год|новий рік|новогодн|новорічн)")
_FEASTS: tuple[tuple[re.Pattern[str], int, int], ...] = tuple(
    (re.compile(p, re.IGNORECASE), m, d) for p, m, d in (
        (r"\b(?:ukraine's independence day|independence day of ukraine|ukrainian independence day"
         r"|день незалежності україни|день независимости украины)", 8, 24),
        (r"\b(?:orthodox christmas(?: day)?|православн\w* рождеств\w*)", 1, 7),
        (r"\bchristmas eve\b", 12, 24),
        (r"(?<!orthodox )\bchristmas day\b", 12, 25),
        (r"\bnew year's eve\b|\bновогодн\w* ноч\w*|\bноворічн\w* ноч\w*", 12, 31),
        (r"\bnew year's day\b", 1, 1),
        (r"\bvictory day\b|\bдень победы\b|\bдень перемоги\b", 5, 9),
    ))


def _feasts(text: str, pub: date | None, hint: int | None) -> list[DateRef]:
    """Days named by a fixed feast ("on Ukraine's Independence Day", "on New Year's Eve")."""
    out = []
    for rx, month, day in _FEASTS:
        for m in rx.finditer(text):
            past, fut = _with_year(month, day, None, pub, hint)
            if past is not None:
                out.append(DateRef(m.start(), m.end(), past, "day", future=fut))
    return out


def _explicit(text: str, lex: Lexicon, pub: date | None, hint: int | None = None) -> list[DateRef]:
    p = _patterns(lex)
    out: list[DateRef] = []
    if not _DIGIT.search(text):
        return _month_only(text, lex, pub, p, out, hint)

    for m in p.iso.finditer(text):
        dt = _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        out.append(DateRef(m.start(), m.end(), dt, "day" if dt else None, future=dt))
    for m in p.numeric.finditer(text):
        dt = _safe(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        out.append(DateRef(m.start(), m.end(), dt, "day" if dt else None, future=dt))
    for rx, mi, di in ((p.month_day, 1, 2), (p.day_month, 2, 1)):
        for m in rx.finditer(text):
            month = lex.month_number(m.group(mi))
            if month is None or any(r.start <= m.start() < r.end for r in out):
                continue
            past, fut = _with_year(month, int(m.group(di)), m.group(3), pub, hint)
            out.append(DateRef(m.start(), m.end(), past, "day" if past else None, future=fut))
    return _month_only(text, lex, pub, p, out, hint)


def _month_only(text: str, lex: Lexicon, pub: date | None, p: _Patterns, out: list[DateRef],
                hint: int | None = None) -> list[DateRef]:
    for m in p.month_only.finditer(text):
        month = lex.month_number(m.group(1))
        if month is None or any(r.start <= m.start(1) < r.end for r in out):
            continue
        if re.search(r"(?:since|с|з|seit|depuis|desde)\s+$", text[max(0, m.start() - 8):m.start()], _F):
            continue
        lo, _ = _with_year(month, 1, m.group(2), pub, hint)
        out.append(DateRef(m.start(), m.end(), None, "month" if lo else None, lo=lo, hi=_month_end(lo)))
    return out


def _month_end(d: date | None) -> date | None:
    if d is None:
        return None
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


_NARRATIVE = re.compile(r"\bthe\s+$", re.IGNORECASE)


def _weekdays(text: str, lex: Lexicon, pub: date | None, anchor: date | None = None) -> list[DateRef]:
    out = []
    for m in lex.weekday_re.finditer(text):
        wd = lex.weekday_nums[m.lastindex - 1]  # type: ignore[operator]
        if anchor is not None and _NARRATIVE.search(text, max(0, m.start() - 6), m.start()):
            day = anchor - timedelta(days=(anchor.weekday() - wd) % 7)  # "on the Friday" of the days just told
            out.append(DateRef(m.start(), m.end(), day, "day", future=day))
            continue
        if pub is None:
            out.append(DateRef(m.start(), m.end(), None, None))
            continue
        back = (pub.weekday() - wd) % 7
        past = pub - timedelta(days=back)
        ahead = pub + timedelta(days=(wd - pub.weekday()) % 7 or 7)
        if lex.future.search(text[max(0, m.start() - 20):m.start()]):
            past = ahead
        out.append(DateRef(m.start(), m.end(), past, "day", future=ahead))
    return out


_EVE_OF = re.compile(r"\s+[^\W\d_]")


_SPANS = {"week": 7, "неделю": 7, "тиждень": 7, "woche": 7, "semaine": 7, "semana": 7, "a": 1, "one": 1}


def _relative(text: str, lex: Lexicon, pub: date | None) -> list[DateRef]:
    out = []
    two = getattr(lex, "two_days_ago", None)  # "vorgestern", "позавчера"
    offsets = ((lex.yesterday, 1), (lex.day_before, 1), (lex.today, 0)) + (((two, 2),) if two is not None else ())
    for rx, back in offsets:
        for m in rx.finditer(text):
            if rx is lex.day_before and lex.lang != "en" and _EVE_OF.match(text, m.end()):
                continue  # "накануне переговоров": on the eve of something, not the day before
            dt = pub - timedelta(days=back) if pub else None
            out.append(DateRef(m.start(), m.end(), dt, "day" if dt else None, future=dt))
    ago = getattr(lex, "days_ago", None)  # "zehn Tage zuvor", "il y a deux jours", "три дня назад"
    for m in ago.finditer(text) if ago is not None else ():
        word = next(g for g in m.groups() if g)
        n = int(word) if word.isdigit() else _SPANS.get(word.lower(), lex.numbers.get(word.lower()))
        if n is not None and n < 32:
            dt = pub - timedelta(days=n) if pub else None
            out.append(DateRef(m.start(), m.end(), dt, "day" if dt else None, future=dt))
    for m in lex.day_after.finditer(text):
        out.append(DateRef(m.start(), m.end(), None, None, relative_next=True))
    same = getattr(lex, "same_day", None)  # "No mesmo dia", "того ж дня"
    for m in same.finditer(text) if same is not None else ():
        out.append(DateRef(m.start(), m.end(), None, None, relative_next=True, step=0))
    for rx, kind in ((lex.this_week, "this_week"), (lex.last_week, "last_week"),
                     (lex.this_month, "this_month"), (lex.last_month, "last_month")):
        for m in rx.finditer(text):
            lo, hi = _range(kind, pub)
            out.append(DateRef(m.start(), m.end(), None, kind.split("_")[1], lo=lo, hi=hi))
    return out


def _range(kind: str, pub: date | None) -> tuple[date | None, date | None]:
    if pub is None:
        return None, None
    monday = pub - timedelta(days=pub.weekday())
    if kind == "this_week":
        return monday, pub
    if kind == "last_week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    first = pub.replace(day=1)
    if kind == "this_month":
        return first, pub
    prev_last = first - timedelta(days=1)
    return prev_last.replace(day=1), prev_last


_DATELINE_AFTER = re.compile(r"\s*(?:\([^)]{0,30}\)\s*)?(?:[—–]|-\s)")
_DATELINE_BEFORE = re.compile(r"^[\w .,'’/-]{0,40}$")


def _dateline(text: str, r: DateRef) -> bool:
    """"KYIV, Oct 18 (Wire) -": the day the report was filed, not the day of the event."""
    return bool(r.start < 45 and _DATELINE_BEFORE.match(text[:r.start]) and _DATELINE_AFTER.match(text, r.end))


def _loose(text: str, lex: Lexicon, pub: date | None, anchor: date | None = None) -> list[DateRef]:
    """Weekdays and relative days; "the day before, on Friday": the weekday in apposition names the day."""
    days = _weekdays(text, lex, pub, anchor)
    rel = [r for r in _relative(text, lex, pub)
           if r.date is None or not any(0 <= w.start - r.end <= 6 and w.date is not None for w in days)]
    return days + rel


def find_dates(text: str, lex: Lexicon, pub: date | None, year_hint: int | None = None,
               anchor: date | None = None) -> list[DateRef]:
    """Date references of one sentence, in order, with speech/talks flags set. ``anchor``: the last day the
    story named before this sentence ("from 23 to 25 May ... On the Friday")."""
    explicit = _explicit(text, lex, pub, year_hint)
    feasts = _feasts(text, pub, year_hint) if _FEAST_WORDS.search(text) else []
    if feasts:  # "on Ukraine's Independence Day in August": the feast names the day within the month
        explicit = [e for e in explicit if e.precision != "month"
                    or not any(0 <= e.start - f.end <= 20 for f in feasts)] + feasts
    refs = list(explicit)
    loose = _loose(text, lex, pub, anchor) if lex.relative_any.search(text) else []
    for r in loose:
        if any(abs(r.start - e.end) < 4 or abs(e.start - r.end) < 4 or e.start <= r.start < e.end
               for e in explicit if e.precision == "day" or e.date is None):
            continue
        refs.append(r)
    out = []
    for r in sorted(refs, key=lambda r: r.start):
        before = text[max(0, r.start - 60):r.start]
        speech = bool(lex.speech.search(before[-45:])) or _dateline(text, r)
        talks = bool(lex.talks.search(before))
        out.append(DateRef(r.start, r.end, r.date, r.precision, r.lo, r.hi, speech, talks, r.future,
                           r.relative_next, r.step))
    return out
