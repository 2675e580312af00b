"""Document pre-filter: most news stories are not about exchanges and must leave in microseconds.

A language's trigger regexes (exchange, captive, body, soldier, idiom words) are read once with the regex
parser: every match of them starts with one of a small set of literal prefixes ("swap", "exch", "priso",
...). A story whose lower-cased body contains none of them (and no "N for N" figure) has no trigger, so no
event: ``str.__contains__`` per prefix is far cheaper than the case-insensitive alternation; in the other
stories the trigger is only tried where a prefix occurs. When a regex
does not allow such prefixes (a leading ``\\w``), the language gets no pre-filter and every story passes.
"""

from __future__ import annotations

import re
from functools import cache

try:  # Python 3.11+
    import re._constants as _c  # type: ignore[import-not-found]
    import re._parser as _p  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

from . import lexicon

_MIN, _LEN = 3, 12  # a prefix shorter than _MIN is useless; longer than _LEN adds nothing
_MAX_PREFIXES = 400
_N_FOR_N = re.compile(r"\d\s*(?:-for-|for|на|за|contre|por|gegen)\s*\d")  # the trigger's "303 for 303"
_ZERO_WIDTH = {_c.AT, _c.ASSERT, _c.ASSERT_NOT}
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}


class _Open(Exception):
    """Some match can start with fewer than _MIN known letters."""


def _chars(av: list) -> list[str] | None:
    out: list[str] = []
    for op, val in av:
        if op is _c.LITERAL:
            out.append(chr(val).lower())
        elif op is _c.RANGE and val[1] - val[0] < 8:
            out += [chr(v).lower() for v in range(val[0], val[1] + 1)]
        else:
            return None
    return sorted(set(out)) if len(set(out)) <= 6 else None


def _walk(items: list, cur: str, out: set[str], depth: int = 0) -> None:
    """Add to ``out`` the literal prefixes (``_MIN``.. ``_LEN`` letters) that matches of ``items`` start with."""
    if len(cur) >= _LEN or depth > 40:
        if len(cur) < _MIN:
            raise _Open
        out.add(cur)
        return
    if len(out) > _MAX_PREFIXES:
        raise _Open
    if not items:
        if len(cur) < _MIN:
            raise _Open
        out.add(cur)
        return
    (op, av), rest = items[0], items[1:]
    if op in _ZERO_WIDTH:
        _walk(rest, cur, out, depth + 1)
    elif op is _c.LITERAL:
        _walk(rest, cur + chr(av).lower(), out, depth + 1)
    elif op is _c.IN and _chars(av) is not None:
        for ch in _chars(av) or ():
            _walk(rest, cur + ch, out, depth + 1)
    elif op is _c.SUBPATTERN:
        _walk(list(av[-1]) + rest, cur, out, depth + 1)
    elif op is _c.BRANCH:
        for branch in av[1]:
            _walk(list(branch) + rest, cur, out, depth + 1)
    elif op in _REPEATS:
        lo, hi, sub = av
        if lo == 0:
            _walk(rest, cur, out, depth + 1)
        if hi != 0:
            again = [(op, (max(lo - 1, 0), hi - 1 if hi != _c.MAXREPEAT else hi, sub))] if hi != 1 else []
            _walk(list(sub) + again + rest, cur, out, depth + 1)
    else:  # a class of many letters, \w, any character, a back-reference: the prefix stops here
        if len(cur) < _MIN:
            raise _Open
        out.add(cur)


def prefixes(pattern: str) -> frozenset[str] | None:
    """Lower-case literal prefixes every match of ``pattern`` (case-insensitive) starts with; None if unknown."""
    out: set[str] = set()
    try:
        _walk(list(_p.parse(pattern, re.IGNORECASE)), "", out)
    except (_Open, RecursionError, re.error):
        return None
    return frozenset(out)


_TRIGGER_KEYS = ("exchange", "captive", "body", "soldier", "idiom")
_NEVER = r"(?!x)x"


@cache
def stems(lang: str) -> tuple[frozenset[str], tuple[str, ...]] | None:
    """(needles, prefixes) of ``lang``'s trigger words, or None (no pre-filter). Every trigger match starts
    with one of the prefixes; every prefix holds one of the needles (fewer: each costs a pass over the text)."""
    raw = lexicon._RAW.get(lang or "en", lexicon._RAW["en"])  # noqa: SLF001 - the compiled trigger's sources
    found: set[str] = set()
    for key in _TRIGGER_KEYS:
        if raw.get(key, _NEVER) == _NEVER:
            continue
        got = prefixes(raw[key])
        if got is None:
            return None
        found |= got
    heads = tuple(sorted(w for w in found if not any(v != w and w.startswith(v) for v in found)))
    needles = frozenset(w for w in found if not any(v != w and v in w for v in found))
    return needles, heads


def may_hold_events(low: str, lang: str) -> bool:
    """False only when the lower-cased body ``low`` has no trigger word of ``lang`` (so no event)."""
    got = stems(lang)
    if got is None:
        return True
    return any(w in low for w in got[0]) or _N_FOR_N.search(low) is not None


def trigger_hits(body: str, lex: lexicon.Lexicon) -> list[int]:
    """Start offsets of ``lex.trigger``'s matches in ``body`` (a match overlapping another one included):
    the sentences holding them are the ones worth reading. Only the places where a prefix occurs are tried."""
    low = body.lower()
    got = stems(lex.lang)
    if got is None or len(low) != len(body):
        return [m.start() for m in lex.trigger.finditer(body)]
    if not may_hold_events(low, lex.lang):
        return []
    out: set[int] = set()
    match = lex.trigger.match
    for w in got[1]:
        i = low.find(w)
        while i >= 0:
            if i not in out and match(body, i):
                out.add(i)
            i = low.find(w, i + 1)
    out.update(m.start() for m in _N_FOR_N.finditer(low))
    return sorted(out)
