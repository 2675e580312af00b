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


_SHARED = 4  # a piece of text at least this long that several prefixes hold is looked for once for all


@cache
def cover(lang: str) -> tuple[tuple[str, tuple[tuple[str, int], ...]], ...] | None:
    """Fewer passes over the text than one per prefix: (piece, ((prefix, offset of the piece in it), ...)) so
    that every prefix of ``stems(lang)`` holds one of the pieces ("dead" for "its dead", "war dead", ...)."""
    got = stems(lang)
    if got is None:
        return None
    heads = list(got[1])
    left, out = set(heads), []
    while left:
        counts: dict[str, int] = {}
        for h in left:
            for piece in {h[a:b] for a in range(len(h)) for b in range(a + _SHARED, len(h) + 1)}:
                counts[piece] = counts.get(piece, 0) + 1
        best = max(counts, key=lambda w: (counts[w], len(w), w), default=None)
        if best is None or counts[best] < 2:
            chosen = sorted(left)  # the rest: each prefix looked for as itself
        else:
            chosen = [best]
        for piece in chosen:
            holders = [h for h in heads if piece in h]
            out.append((piece, tuple((h, k) for h in holders for k in _offsets(h, piece))))
            left -= set(holders)
    return tuple(out)


def _offsets(word: str, piece: str) -> list[int]:
    out, k = [], word.find(piece)
    while k >= 0:
        out.append(k)
        k = word.find(piece, k + 1)
    return out


def trigger_hits(body: str, lex: lexicon.Lexicon) -> list[int]:
    """Start offsets of ``lex.trigger``'s matches in ``body`` (a match overlapping another one included):
    the sentences holding them are the ones worth reading. Only the places where a prefix occurs are tried:
    each of ``cover``'s pieces is looked for once, and where it occurs, the prefixes holding it are checked."""
    low = body.lower()
    pieces = cover(lex.lang)
    if pieces is None or len(low) != len(body):
        return [m.start() for m in lex.trigger.finditer(body)]
    out: set[int] = set()  # (no may_hold_events pass first: no prefix found below is the same answer)
    match, starts = lex.trigger.match, low.startswith
    for piece, holders in pieces:
        i = low.find(piece)
        while i >= 0:
            for head, k in holders:
                at = i - k
                if at >= 0 and at not in out and starts(head, at) and match(body, at):
                    out.add(at)
            i = low.find(piece, i + 1)
    out.update(_n_for_n(low))
    return sorted(out)


_N_WORDS = ("-for-", "for", "на", "за", "contre", "por", "gegen")  # _N_FOR_N's words


def _n_for_n(low: str) -> list[int]:
    """``_N_FOR_N``'s match starts in ``low``. The regex tries every digit of a story (about 10 ns a
    character); the words are found with ``str.find`` first, and only a word with a digit before it (across
    white space) and one after it sends the story to the regex."""
    n = len(low)
    for w in _N_WORDS:
        q = low.find(w)
        while q >= 0:
            j = q - 1
            while j >= 0 and low[j].isspace():  # "\s" is str.isspace, "\d" str.isdecimal
                j -= 1
            if j >= 0 and low[j].isdecimal():
                k = q + len(w)
                while k < n and low[k].isspace():
                    k += 1
                if k < n and low[k].isdecimal():
                    return [m.start() for m in _N_FOR_N.finditer(low)]
            q = low.find(w, q + 1)
    return []
