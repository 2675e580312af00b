"""Find a publication date in the head of a plain-text article (a dateline or a byline stamp)."""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_MON = "|".join(_MONTHS)
_PATTERNS = (
    (re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b"), ("y", "m", "d")),
    (re.compile(rf"\b({_MON})\s+(\d{{1,2}})(?:st|nd|rd|th)?,\s*(20\d\d)\b", re.I), ("mon", "d", "y")),
    (re.compile(rf"\b(\d{{1,2}})\s+({_MON})\s+(20\d\d)\b", re.I), ("d", "mon", "y")),
    (re.compile(r"(\d\d)/(\d\d)/(20\d\d)\b"), ("d", "m", "y")),  # "15:4622/05/2025": glued time
    (re.compile(r"(?<!\d)(\d\d)\.(\d\d)\.(20\d\d)\b"), ("d", "m", "y")),
)
HEAD_CHARS = 600


def guess_published(text: str) -> date | None:
    """The earliest-placed date in the first ``HEAD_CHARS`` characters, or None."""
    head = text[:HEAD_CHARS]
    found: list[tuple[int, date]] = []
    for pattern, order in _PATTERNS:
        for m in pattern.finditer(head):
            parts = dict(zip(order, m.groups(), strict=True))
            month = _MONTHS[parts["mon"].lower()] if "mon" in parts else int(parts["m"])
            try:
                found.append((m.start(), date(int(parts["y"]), month, int(parts["d"]))))
            except ValueError:
                continue
    return min(found)[1] if found else None
