"""A person named right after a group of prisoners ("55 Russians and politician Viktor Medvedchuk")."""

from __future__ import annotations

import re
from dataclasses import replace

from .numbers import Count
from .parties import find_parties

_PLUS_NAMED = re.compile(
    r"(?:\s+(?!and\b|и\b|і\b|та\b)[^\W\d_][\w'’-]*){1,4}?\s+(?:and|plus|as well as|и|і|та|а также|а також)\s+"
    r"(?:(?-i:[a-zа-яёіїє])[\w-]*\s+|(?-i:[A-Z])[a-z]+(?:an|ish|ese|ch)\s+){0,3}"  # "pro-Moscow politician"
    r"(?-i:(?!(?:President|Prime|Minister|Mr|Ms|Mrs|General|Defen[cs]e|Foreign|Interior|Kremlin|Kyiv|Moscow)\b)"
    r"(?P<name>[A-ZА-ЯЁІЇЄ][a-zа-яёіїє’']+(?:\s+[A-ZА-ЯЁІЇЄ][a-zа-яёіїє’']+){1,2}))(?=\s*(?:[,.;:)—–]|$))",
    re.IGNORECASE)


def plus_named(s: str, c: Count) -> Count:
    """"in exchange for 55 Russians and pro-Moscow politician Viktor Medvedchuk": a person named after the
    group goes with it, one more."""
    m = _PLUS_NAMED.match(s, c.end)
    if m is None or c.each or c.frame or find_parties(m.group("name")):
        return c
    return replace(c, value=c.value + 1)
