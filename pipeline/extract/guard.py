"""Literal guards: skip a case-insensitive regex's scan when the text cannot hold a match.

Every match of a cue regex starts with one of a few literal prefixes (``literals.prefixes`` reads them
off the regex; "agreed", "agreement", "deal", ...). Python's ``re`` tries a long case-insensitive
alternation at every position of a sentence; one case-sensitive pass of the lower-cased prefixes, as a
trie, over the lower-cased text is several times cheaper, and most cues are absent from most sentences. :class:`Guarded` wraps a compiled pattern:
``search``/``match``/``fullmatch``/``finditer``/``findall`` first look for a prefix in the searched
range of the lower-cased text and answer "no match" at once when none is there; otherwise (and for
every other method) the pattern itself answers, so results are those of the pattern.

Sound only when a character the regex matches case-insensitively lower-cases to what the regex's own
letter lower-cases to. A handful of characters do not (Turkish dotted/dotless i, long s, old Cyrillic
letter forms: ``_ODD``, checked against the whole of Unicode by the tests): a text holding one is never
guarded.
"""

from __future__ import annotations

import re
import sys
from typing import Any, cast

from .literals import prefixes

# Characters that match a lexicon letter case-insensitively (re.IGNORECASE) but whose lower() differs
# from it, or whose lower() is longer than one character. tests/test_extract_fastpaths.py recomputes it.
_ODD = re.compile("[\u0130\u0131\u017f\u1c80-\u1c88\u212a\u212b\u1e9e]")
_MAX = sys.maxsize


# The last text lower-cased and its lower-case form (or None): one tuple, rebound whole, so that a thread
# never reads one text's form for another.
_last: tuple[str | None, str | None] = (None, None)


def lowered(s: str) -> str | None:
    """``s.lower()`` with offsets as in ``s``, or None when a guard would not be sound on ``s``."""
    global _last
    last = _last
    if s is last[0]:
        return last[1]
    low: str | None = s.lower()
    if len(low) != len(s) or (not s.isascii() and _ODD.search(s) is not None):  # type: ignore[arg-type]
        low = None
    _last = (s, low)
    return low


def trie_regex(words: frozenset[str] | tuple[str, ...]) -> str:
    """A case-sensitive regex matching exactly ``words``, as a trie: at most one branch per letter is tried."""
    groups: dict[str, list[str]] = {}
    end = False
    for w in sorted(words):
        if not w:
            end = True
            continue
        groups.setdefault(w[0], []).append(w[1:])
    alts = [re.escape(c) + trie_regex(tuple(rest)) for c, rest in sorted(groups.items())]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 and not end else "(?:" + "|".join(alts) + ")"
    return body + ("?" if end else "")


class Guarded:
    """A compiled pattern behind a literal pre-check (same answers, less time)."""

    __slots__ = ("rx", "heads", "needles", "_any", "_at")

    def __init__(self, rx: re.Pattern[str], heads: frozenset[str]) -> None:
        self.rx = rx
        self.heads = tuple(sorted(heads))  # every match starts with one of these (lower-cased)
        self.needles = tuple(sorted(w for w in heads if not any(v != w and v in w for v in heads)))
        self._any = re.compile(trie_regex(self.needles)).search  # one pass over the lower-cased text
        self._at = re.compile(trie_regex(self.heads)).match

    # pos/endpos go to the literal scan unchanged: ``re`` clamps them as it does for the pattern itself
    def search(self, s: str, pos: int = 0, endpos: int = _MAX) -> re.Match[str] | None:
        last = _last
        low = last[1] if s is last[0] else lowered(s)
        if low is not None and self._any(low, pos, endpos) is None:
            return None
        return self.rx.search(s, pos, endpos)

    def match(self, s: str, pos: int = 0, endpos: int = _MAX) -> re.Match[str] | None:
        last = _last
        low = last[1] if s is last[0] else lowered(s)
        if low is not None and self._at(low, pos, endpos) is None:
            return None
        return self.rx.match(s, pos, endpos)

    def fullmatch(self, s: str, pos: int = 0, endpos: int = _MAX) -> re.Match[str] | None:
        last = _last
        low = last[1] if s is last[0] else lowered(s)
        if low is not None and self._at(low, pos, endpos) is None:
            return None
        return self.rx.fullmatch(s, pos, endpos)

    def finditer(self, s: str, pos: int = 0, endpos: int = _MAX):
        last = _last
        low = last[1] if s is last[0] else lowered(s)
        if low is not None and self._any(low, pos, endpos) is None:
            return iter(())
        return self.rx.finditer(s, pos, endpos)

    def findall(self, s: str, pos: int = 0, endpos: int = _MAX) -> list[Any]:
        last = _last
        low = last[1] if s is last[0] else lowered(s)
        if low is not None and self._any(low, pos, endpos) is None:
            return []
        return self.rx.findall(s, pos, endpos)

    def __getattr__(self, name: str) -> Any:  # pattern, groupindex, sub, split, ...: the pattern's own
        return getattr(self.rx, name)

    def __repr__(self) -> str:
        return f"Guarded({self.rx!r})"


def guard(rx: re.Pattern[str], source: str | None = None) -> re.Pattern[str]:
    """``rx`` behind its literal prefixes, or ``rx`` itself when they cannot be read off ``source``."""
    try:
        heads = prefixes(source if source is not None else rx.pattern, 2)  # 2: "há", "vor" of "days ago"
    except Exception:  # noqa: BLE001 - an unreadable pattern is simply not guarded
        heads = None
    if not heads:
        return rx
    return cast("re.Pattern[str]", Guarded(rx, heads))  # answers as the pattern does (duck-typed)


def may_hold(low: str | None, rx: Any) -> list[int] | None:
    """Sorted start offsets of ``rx``'s literal prefixes in ``low`` (a whole text, lower-cased by
    :func:`lowered`): only sentences holding one can match ``rx``. None when that cannot be told."""
    if low is None or not isinstance(rx, Guarded):
        return None
    find, out = rx._any, []  # noqa: SLF001
    m = find(low)
    while m is not None:
        out.append(m.start())
        m = find(low, m.start() + 1)
    return out


def with_hits(sents: list, starts: list[int] | None) -> list:
    """The sentences (``start``/``end`` offsets, in order) holding one of ``starts``; all when None."""
    if starts is None:
        return sents
    out, i, n = [], 0, len(starts)
    for s in sents:
        while i < n and starts[i] < s.start:
            i += 1
        if i < n and starts[i] < s.end:
            out.append(s)
    return out


def word_starts(low: str | None, words: tuple[str, ...]) -> list[int] | None:
    """Sorted start offsets of the lower-case ``words`` in ``low``; None when ``low`` is (None)."""
    if low is None:
        return None
    out: list[int] = []
    for w in words:
        i = low.find(w)
        while i >= 0:
            out.append(i)
            i = low.find(w, i + 1)
    return sorted(out)


def absent(low: str | None, rx: Any) -> bool:
    """True when no text cut from the story ``low`` lower-cases (sentences, or sentences joined by line
    ends) can match ``rx``: none of its literal prefixes (none holds a line end) is in ``low``."""
    return low is not None and isinstance(rx, Guarded) and rx._any(low) is None  # noqa: SLF001
