"""Faster alternations: prefix a regex with a look-ahead on the letters it can start with.

Python's ``re`` tries every alternative at every position; a one-character class look-ahead rejects most
positions at once. The first-letter set is derived from the pattern itself; when that is not possible
(a leading ``\\w``, ``.``, an optional first item) the pattern is compiled unchanged.
"""

from __future__ import annotations

import re

from .guard import guard

_ZERO_WIDTH = ("\\b", "(?<!\\w)", "(?<![\\w/:.,-])", "^")


def _close(p: str, i: int) -> int:
    """Index of the parenthesis closing the one opened at ``p[i]``."""
    depth, j = 0, i
    while j < len(p):
        ch = p[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "[":
            j = p.index("]", j + 2 if p[j + 1:j + 2] == "]" else j + 1) + 1
            continue
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return j
        j += 1
    raise ValueError(p)


def alternatives(p: str) -> list[str]:
    """A regex's alternatives at depth 0 (escapes and character classes respected)."""
    out, depth, cur, i = [], 0, "", 0
    while i < len(p):
        ch = p[i]
        if ch == "\\":
            cur += p[i:i + 2]
            i += 2
            continue
        if ch == "[":
            end = p.index("]", i + 2 if p[i + 1:i + 2] == "]" else i + 1)
            cur += p[i:end + 1]
            i = end + 1
            continue
        depth += ch == "("
        depth -= ch == ")"
        if ch == "|" and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    return out + [cur]


def first_chars(p: str) -> set[str] | None:
    """Letters a match of ``p`` can start with, or None when any character could."""
    chars: set[str] = set()
    for alt in alternatives(p):
        for zw in _ZERO_WIDTH:
            while alt.startswith(zw):
                alt = alt[len(zw):]
        if alt in ("(?!x)x", ""):
            if alt == "":
                return None
            continue
        got = _first_of(alt)
        if got is None:
            return None
        chars |= got
    return chars


def _first_of(alt: str) -> set[str] | None:
    ch = alt[0]
    if ch == "(":
        end = _close(alt, 0)
        if alt[end + 1:end + 2] in ("?", "*") or alt.startswith(("(?=", "(?!", "(?<")):
            return None
        if alt.startswith("(?") and not alt.startswith(("(?:", "(?P<")):
            return None  # scoped flags and the like: no cheap pre-check
        inner = alt[3:end] if alt.startswith("(?:") else alt[1:end]
        if alt.startswith("(?P<"):
            inner = alt[alt.index(">") + 1:end]
        return first_chars(inner)
    if alt[1:2] in ("?", "*") or ch in ".[$" or (ch == "\\" and alt[1:2] in "wsWDSb"):
        return None
    if alt.startswith("\\d"):
        return set("0123456789")
    letter = alt[1] if ch == "\\" else ch
    return {letter.lower(), letter.upper()}


def compile_fast(pattern: str, flags: int = re.IGNORECASE | re.UNICODE) -> re.Pattern[str]:
    """``pattern`` compiled with a first-letter look-ahead when one can be derived, behind a literal guard
    (``guard.Guarded``) when its matches start with known literal prefixes."""
    try:
        chars = first_chars(pattern)
    except (ValueError, IndexError):
        chars = None
    if not chars:
        return guard(re.compile(pattern, flags), pattern)
    cls = "".join(sorted(re.escape(c) for c in chars))
    return guard(re.compile(f"(?=[{cls}])(?:{pattern})", flags), pattern)
