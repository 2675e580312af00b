"""Per-language cue tables, compiled once at import.

Each language module exposes ``LEX``: a dict of regex fragments plus a few lookup tables. ``get(lang)``
returns the compiled :class:`Lexicon`; unknown languages fall back to English.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from ..fastre import compile_fast
from ..guard import guard
from . import en, ru, uk, west

_RAW: dict[str, dict] = {"en": en.LEX, "ru": ru.LEX, "uk": uk.LEX, "de": west.DE, "fr": west.FR, "es": west.ES, "pt": west.PT}
LANGS: tuple[str, ...] = tuple(_RAW)
_NEVER = r"(?!x)x"
_FLAGS = re.IGNORECASE | re.UNICODE


class Lexicon:
    """Compiled cue regexes of one language; attribute names follow the keys of ``LEX``."""

    if TYPE_CHECKING:  # the cue regexes are set from the tables' keys in __init__: tell the type checker
        def __getattr__(self, name: str) -> re.Pattern[str]: ...

    def __init__(self, lang: str, raw: dict) -> None:
        self.lang = lang
        self.months: dict[str, int] = raw["months"]
        self.numbers: dict[str, int] = raw["numbers"]
        self.multipliers: dict[str, int] = raw.get("multipliers", {})
        self.alone: frozenset[str] = frozenset(raw.get("alone", ()))  # "тысячи" alone: "thousands of"
        self.ours_party: str | None = raw.get("ours_party", (None,))[0]  # whose people "our ..." means
        self.cue_reach: int = raw.get("cue_reach", 110)  # how far from a trigger a status verb may stand
        for key, val in raw.items():
            if isinstance(val, str):
                setattr(self, key, compile_fast(val, _FLAGS))
        for key, val in en.LEX.items():
            if isinstance(val, str) and key not in raw:
                setattr(self, key, re.compile(_NEVER))
        for key in ("each_prefix", "dative"):
            if key not in raw:
                setattr(self, key, re.compile(_NEVER))
        self.categories = compile_fast("|".join(f"(?P<{k}>{v})" for k, v in raw["categories"].items()), _FLAGS)
        rel = [raw[k] for k in ("yesterday", "today", "day_before", "day_after", "this_week", "last_week",
                                "this_month", "last_month", "two_days_ago", "same_day") if k in raw]
        if "days_ago" in raw:  # "(\w+) days ago" starts anywhere: pre-check its fixed words instead
            rel.append(r"\b(?:ago|earlier|before|назад|ранее|тому|раніше|zuvor|davor|vorher|früher|vor|il y a|plus tôt"
                       r"|auparavant|hace|antes|atrás|há)\b")
        self.relative_any = compile_fast("|".join(rel + [f"(?:{k})" for k in raw["weekdays"]]), _FLAGS)
        n_for_n = r"\d+(?:[,.\s]\d{3})*\s*(?:-for-|for|на|за|contre|por|gegen)\s*\d"  # linear on long digit runs
        self.trigger = compile_fast("|".join([raw[k] for k in ("exchange", "captive", "body", "soldier", "idiom")]
                                             + [n_for_n]),
                                    _FLAGS)
        wd = list(raw["weekdays"].items())
        self.weekday_re = guard(re.compile(r"\b(?:" + "|".join(f"({k})" for k, _ in wd) + r")\b", _FLAGS))
        self.weekday_nums = [n for _, n in wd]
        self.month_tail = guard(re.compile(r"\b" + raw["month_re"] + r"\.?,?\s+$", _FLAGS))
        self.month_head = re.compile(r"\s*(?:of\s+|de\s+|\.\s*)?" + raw["month_re"] + r"(?!\w)", _FLAGS)
        words = sorted(self.numbers, key=len, reverse=True)
        self.number_word_re = compile_fast(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b(?!['’])", _FLAGS)

    def month_number(self, word: str) -> int | None:
        w = word.lower().rstrip(".")
        for n in (4, 3, 2):
            if w[:n] in self.months:
                return self.months[w[:n]]
        return None


@cache
def get(lang: str | None) -> Lexicon:
    key = lang if lang in _RAW else "en"
    return Lexicon(key, _RAW[key])


_CYR = re.compile(r"[а-яёіїєґ]", re.IGNORECASE)
_UK_ONLY = re.compile(r"[іїєґ]", re.IGNORECASE)
_RU_ONLY = re.compile(r"[ыэъё]", re.IGNORECASE)
_STOP = {
    "en": compile_fast(r"\b(?:the|and|of|was|were|said|with|have)\b", _FLAGS),
    "de": re.compile(r"\b(?:der|die|und|das|den|dem|des|nicht|ist|wurden|mit|ein|eine|einen|einem|im|auf|von|zu|bei"
                     r"|sich|hat|haben|sind|aus|nach|am|wie)\b|[äöüß]", _FLAGS),
    "fr": re.compile(r"\b(?:le|les|des|et|du|une|est|été|dans|au|aux|ont|avec|pour|sur|par)\b|\b[ldjnqs]['’](?=\w)"
                     r"|[èêù]", _FLAGS),
    "es": re.compile(r"\b(?:el|los|las|del|y|que|una|por|fueron|la|al|con|su|sus|según|tras)\b|[ñ¿¡]|ción\b", _FLAGS),
    "pt": re.compile(r"\b(?:os|do|da|dos|das|e|que|uma|não|foram|em|ao|pelo|pela|também|ainda|um|no|na|nos|nas|com"
                     r"|para)\b|(?<!\w)às?(?!\w)|[ãõ]|ção\b", _FLAGS),
}


def detect_language(text: str) -> str:
    """Cheap script + stop-word guess among the supported languages (English when unsure)."""
    sample = text[:600]
    cyr = len(_CYR.findall(sample, 0, 200))
    if cyr > 0.25 * min(len(sample), 200):
        return "uk" if len(_UK_ONLY.findall(sample)) > len(_RU_ONLY.findall(sample)) else "ru"
    english = 0
    for _ in _STOP["en"].finditer(sample):  # eight stop words are enough: the rest is not read
        english += 1
        if english >= 8:
            return "en"
    scores = {lang: len(rx.findall(sample)) for lang, rx in _STOP.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] > scores["en"] else "en"
