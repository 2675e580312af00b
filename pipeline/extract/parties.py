"""Parties and mediators: names, demonyms and capitals in the supported languages -> English short names."""

from __future__ import annotations

import re
from dataclasses import dataclass

# party -> (names and capitals, demonyms). Demonyms name the people ("Ukrainian soldiers", "84 Russians").
_TABLE: dict[str, tuple[str, str]] = {
    "Russia": (
        r"russia(?:'s|’s)?|russian federation|russian side|российская сторона|российской стороны|російська сторона"
        r"|російської сторони|moscow|kremlin|россия|росси[июейя]|москв\w*|кремл\w*|росі[яїюейя]"
        r"|рф|russland|russie|rusia|rússia|moskau|moscou|moscú|moscovo",
        r"russians?|вс рф|зс рф|россиян\w*|российск\w*|русск\w*|росіян\w*|російськ\w*|russisch\w*|russen|russes?|rus[oa]s?"
        r"|russos?|russas?",
    ),
    "Ukraine": (
        r"ukraine(?:'s|’s)?|ukrainian side|украинская сторона|украинской стороны|українська сторона"
        r"|української сторони|kyiv|kiev|украин[аыуеой]|киев\w*|україн[аиуіо]|київ\w*|києв\w*|ucrania|ucrânia|kiew",
        r"ukrainians?|всу|зсу|украинск\w*|украинц\w*|українськ\w*|українц\w*|ukrainisch\w*|ukrainer\w*|ukrainien\w*"
        r"|ucranian[oa]s?",
    ),
    "Belarus": (r"belarus(?:'s|’s)?|minsk|беларус[ьи]|белорусси\w*|минск\w*|білорус[ьі]|мінськ\w*|weißrussland"
                r"|biélorussie|bielorrusia", r"belarusians?|belarusian|белорусск\w*|білоруськ\w*"),
    "United States": (r"united states|u\.s\.(?!\w)|washington|сша|états-unis|estados unidos|vereinigte staaten",
                      r"americans?|американск\w*|американц\w*|amerikanisch\w*|américains?|estadounidenses?"),
    "Israel": (r"israel(?:'s)?|израил\w*|ізраїл\w*", r"israelis?|израильск\w*|ізраїльськ\w*"),
    "Hamas": (r"hamas|хамас\w*", r"(?!x)x"),
    "Armenia": (r"armenia(?:'s)?|yerevan|армени\w*|вірмені\w*|ереван\w*|єреван\w*",
                r"armenians?|армянск\w*|вірменськ\w*"),
    "Azerbaijan": (r"azerbaijan(?:'s)?|baku|азербайджан\w*|баку",
                   r"azerbaijanis?|azeris?|азербайджанск\w*|азербайджанськ\w*"),
    "Iran": (r"iran(?:'s)?|tehran|иран\w*|іран\w*|teherán|teerã", r"iranians?|иранск\w*|іранськ\w*|iranisch\w*|iraniens?"
             r"|iraní(?:es)?|iranianos?"),
    "Venezuela": (r"venezuela(?:'s)?|caracas|венесуэл\w*|венесуел\w*", r"venezuelans?|venezolan[oa]s?|венесуэльск\w*"),
    "Yemen": (r"yemen(?:'s)?|yemeni government|saudi-backed government|government side|йемен\w*|ємен\w*",
              r"yemenis?|йеменск\w*|єменськ\w*"),
    "Houthis": (r"houthis?|huthis?|хусит\w*|хуситы|хусити|ansar allah", r"(?!x)x"),
    "Soviet Union": (r"soviet union|ussr|ссср|советск\w* союз\w*", r"soviets?|советск\w*"),
    "Poland": (r"poland|warsaw|польш\w*|польщ\w*", r"poles|polish|польск\w*|польськ\w*"),
    "Lithuania": (r"lithuania|vilnius|литв\w*", r"lithuanians?|литовск\w*|литовськ\w*"),
    "Germany": (r"germany|berlin|германи\w*|німеччин\w*|deutschland", r"germans?|германск\w*|немецк\w*|німецьк\w*"),
}
_MEDIATORS: dict[str, str] = {
    "United Arab Emirates": r"united arab emirates|uae|u\.a\.e\.|emirat\w*|оаэ|оае|эмират\w*|емірат\w*|vae|émirats arabes unis"
                            r"|emiratos árabes unidos|abu dhabi",
    "Türkiye": r"t[üu]rkiye(?:'s)?|turkey(?:'s)?|turkish|ankara|турци\w*|туреччин\w*|турецк\w*|турецьк\w*|türkei"
               r"|turquie|turquía|turquia",
    "Saudi Arabia": r"saudi arabia|saudi|riyadh|саудовск\w*|саудівськ\w*|саудовская аравия|arabie saoudite"
                    r"|arabia saudita|saudi-arabien",
    "Qatar": r"qatar\w*|катар\w*|katar",
    "Vatican": r"vatican|holy see|pope|ватикан\w*|папа римский|папа римський|vatikan|vaticano|santa sede",
    "United States": r"united states|u\.s\.(?!\w)|washington|trump|сша|вашингтон",
}
_F = re.IGNORECASE | re.UNICODE


@dataclass(frozen=True)
class PartyMention:
    start: int
    end: int
    party: str
    demonym: bool


def _build() -> tuple[re.Pattern[str], list[tuple[str, bool]]]:
    parts: list[str] = []
    keys: list[tuple[str, bool]] = []
    for party, (names, demonyms) in _TABLE.items():
        parts.append(f"({names})")
        keys.append((party, False))
        parts.append(f"({demonyms})")
        keys.append((party, True))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", _F), keys


_PARTY_RE, _KEYS = _build()
DEMONYM_AHEAD = re.compile(r"\s*(?:[\w-]+\s+){0,2}(?:" + "|".join(d for _, d in _TABLE.values()) + r")(?!\w)", _F)
_MED_RE = re.compile(r"(?<!\w)(?:" + "|".join(f"({v})" for v in _MEDIATORS.values()) + r")(?!\w)", _F)
_MED_KEYS = list(_MEDIATORS)
MEDIATOR_ONLY = frozenset(_MEDIATORS) - frozenset(_TABLE)


def find_parties(text: str) -> list[PartyMention]:
    out = []
    for m in _PARTY_RE.finditer(text):
        party, dem = _KEYS[m.lastindex - 1]  # type: ignore[operator]
        out.append(PartyMention(m.start(), m.end(), party, dem))
    return out


def find_mediators(text: str) -> list[tuple[int, str]]:
    return [(m.start(), _MED_KEYS[m.lastindex - 1]) for m in _MED_RE.finditer(text)]  # type: ignore[operator]


def main_pair(counts: dict[str, float]) -> tuple[str, str] | None:
    """The two parties most present around the triggers; Russia-Ukraine when both appear at all."""
    ranked = sorted((p for p in counts if counts[p] > 0), key=lambda p: -counts[p])
    if not ranked:
        return None
    if "Russia" in counts and "Ukraine" in counts and ranked[0] in ("Russia", "Ukraine"):
        return ("Russia", "Ukraine")
    if len(ranked) == 1:
        other = {"Russia": "Ukraine", "Ukraine": "Russia"}.get(ranked[0])
        return tuple(sorted((ranked[0], other))) if other else None  # type: ignore[return-value]
    return tuple(sorted(ranked[:2]))  # type: ignore[return-value]
