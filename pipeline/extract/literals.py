"""Literal prefixes of a regex: every match of it (case-insensitive) starts with one of them.

Read with the regex parser; used by the document pre-filter (``prefilter``) and the cue guards (``guard``).
"""

from __future__ import annotations

import re

try:  # Python 3.11+
    import re._constants as _c  # type: ignore[import-not-found]
    import re._parser as _p  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]


_MIN, _LEN = 3, 12  # a prefix shorter than _MIN is useless; longer than _LEN adds nothing
_MAX_PREFIXES = 400
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


def _walk(items: list, cur: str, out: set[str], depth: int = 0, least: int = _MIN) -> None:
    """Add to ``out`` the literal prefixes (``_MIN``.. ``_LEN`` letters) that matches of ``items`` start with."""
    if len(cur) >= _LEN or depth > 40:
        if len(cur) < least:
            raise _Open
        out.add(cur)
        return
    if len(out) > _MAX_PREFIXES:
        raise _Open
    if not items:
        if len(cur) < least:
            raise _Open
        out.add(cur)
        return
    (op, av), rest = items[0], items[1:]
    if op in _ZERO_WIDTH:
        _walk(rest, cur, out, depth + 1, least)
    elif op is _c.LITERAL:
        _walk(rest, cur + chr(av).lower(), out, depth + 1, least)
    elif op is _c.IN and _chars(av) is not None:
        for ch in _chars(av) or ():
            _walk(rest, cur + ch, out, depth + 1, least)
    elif op is _c.SUBPATTERN:
        _walk(list(av[-1]) + rest, cur, out, depth + 1, least)
    elif op is _c.BRANCH:
        for branch in av[1]:
            _walk(list(branch) + rest, cur, out, depth + 1, least)
    elif op in _REPEATS:
        lo, hi, sub = av
        if lo == 0:
            _walk(rest, cur, out, depth + 1, least)
        if hi != 0:
            again = [(op, (max(lo - 1, 0), hi - 1 if hi != _c.MAXREPEAT else hi, sub))] if hi != 1 else []
            _walk(list(sub) + again + rest, cur, out, depth + 1, least)
    else:  # a class of many letters, \w, any character, a back-reference: the prefix stops here
        if len(cur) < least:
            raise _Open
        out.add(cur)


def prefixes(pattern: str, least: int = _MIN) -> frozenset[str] | None:
    """Lower-case literal prefixes (``least`` letters or more) every match of ``pattern`` (case-insensitive)
    starts with; None if unknown."""
    out: set[str] = set()
    try:
        _walk(list(_p.parse(pattern, re.IGNORECASE)), "", out, 0, least)
    except (_Open, RecursionError, re.error):
        return None
    return frozenset(out)
