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

from . import lexicon
from .literals import prefixes

_N_FOR_N = re.compile(r"\d\s*(?:-for-|for|на|за|contre|por|gegen)\s*\d")  # the trigger's "303 for 303"


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
    out: set[int] = set()  # (no may_hold_events pass first: no prefix found below is the same answer)
    match = lex.trigger.match
    for w in got[1]:
        i = low.find(w)
        while i >= 0:
            if i not in out and match(body, i):
                out.add(i)
            i = low.find(w, i + 1)
    out.update(m.start() for m in _N_FOR_N.finditer(low))
    return sorted(out)
