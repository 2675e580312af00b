"""Categories, mediators and location of a mention."""

from __future__ import annotations

import re

from .fastre import compile_fast
from .guard import guard
from .lexicon import Lexicon
from .parties import find_mediators

_F = re.IGNORECASE | re.UNICODE
_LOCATIONS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(rx, _F)) for name, rx in (
        ("Istanbul", r"(?<!\w)(?:istanbul|İstanbul|стамбул\w*|станбул\w*|estambul|istambul)"),
        ("Belarusian border", r"(?:belarus(?:ian)?[- ](?:ukrainian )?border|border (?:with|of) belarus"
                              r"|белорусско-украинск\w* границ\w*|границ\w* с (?:беларусью|белоруссией)"
                              r"|білорусько-українськ\w* кордон\w*|кордон\w* з білоруссю|украинско-белорусск\w* границ\w*"
                              r"|українсько-білоруськ\w* кордон\w*)"),
        ("Abu Dhabi", r"(?<!\w)(?:abu dhabi|абу-даби|абу-дабі)"),
        ("Geneva", r"(?<!\w)(?:geneva|genf|genève|ginebra|genebra|женев\w*)"),
        ("Riyadh", r"(?<!\w)(?:riyadh|эр-рияд\w*|ер-ріяд\w*)"),
        ("Jeddah", r"(?<!\w)(?:jeddah|джидд\w*|джедд\w*)"),
        ("Doha", r"(?<!\w)(?:doha|доха|досі)(?!\w)"),
        ("Ankara", r"(?<!\w)(?:ankara|анкар\w*)"),
    )
]
BRAND = guard(re.compile(r"(?:-brokered|-mediated|-facilitated)", _F))


def categories(text: str, lex: Lexicon) -> set[str]:
    return {m.lastgroup for m in lex.categories.finditer(text) if m.lastgroup}


def mediators(text: str, lex: Lexicon, pair: tuple[str, str]) -> set[str]:
    if not (lex.mediation.search(text) or BRAND.search(text)):
        return set()
    return {name for _, name in find_mediators(text) if name not in pair}


_LOC_ANY = compile_fast("|".join(f"(?P<g{i}>{rx.pattern})" for i, (_, rx) in enumerate(_LOCATIONS)), _F)


def place_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _LOC_ANY.finditer(text)]


def locations(text: str) -> list[tuple[int, str]]:
    seen: dict[str, int] = {}
    for m in _LOC_ANY.finditer(text):
        name = _LOCATIONS[int(m.lastgroup[1:])][0]  # type: ignore[index]
        seen.setdefault(name, m.start())
    return sorted((pos, name) for name, pos in seen.items())
