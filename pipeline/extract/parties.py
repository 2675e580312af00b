"""Parties and mediators: names, demonyms and capitals in the supported languages -> English short names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .fastre import alternatives, compile_fast

# party -> (names and capitals, demonyms). Demonyms name the people ("Ukrainian soldiers", "84 Russians").
_TABLE: dict[str, tuple[str, str]] = {
    "Russia": (
        r"russia(?:'s|’s)?|russian federation|russian side|российская сторона|российской стороны|російська сторона"
        r"|російської сторони|moscow|kremlin|россия|росси(?:ей|ею|[июейя])|москв\w*|кремл\w*|росі(?:єю|[яїюейя])"
        r"|рф|russland|russie|rusia|rússia|moskau|moscou|moscú|moscovo",
        r"russians?|вс рф|зс рф|россиян\w*|российск\w*|русск\w*|росіян\w*|російськ\w*|russisch\w*|russen|russes?|rus[oa]s?"
        r"|russos?|russas?|курск\w*|белгородск\w*|брянск\w*|курськ\w*|бєлгородськ\w*|брянськ\w*",  # border regions
    ),
    "Ukraine": (
        r"ukraine(?:'s|’s)?|ukrainian side|украинская сторона|украинской стороны|українська сторона"
        r"|української сторони|kyiv|kiev|украин(?:ой|ою|[аыуеой])|киев\w*|україн(?:ою|[аиуіо])|київ\w*|києв\w*|ucrania|ucrânia|kiew|kyjiw",
        r"ukrainians?|всу|зсу|украинск\w*|украинц\w*|українськ\w*|українц\w*|ukrainisch\w*|ukrainer\w*|ukrainien\w*"
        r"|ucranian[oa]s?",
    ),
    "Belarus": (r"belarus(?:'s|’s)?|minsk|беларус(?:ью|[ьи])|білоруссю|белорусси\w*|минск\w*|білорус[ьі]|мінськ\w*|weißrussland"
                r"|biélorussie|bielorrusia|bielorrússia", r"belarusians?|belarusian|белорусск\w*|білоруськ\w*"
                r"|belarussisch\w*|biélorusses?|bielorrus[oa]s?|bielorruss[oa]s?"),
    "United States": (r"united states|u\.s\.(?!\w)|(?-i:US|USA|EUA|EE\.\s?UU\.?)|washington|сша|états-unis|estados unidos"
                      r"|vereinigten? staaten|сполучен\w* штат\w*|соединенн\w* штат\w*",
                      r"americans?|американск\w*|американц\w*|amerikanisch\w*|amerikaner\w*|américains?|estadounidenses?"
                      r"|norte-americanos?|american[oa]s?"),
    "Israel": (r"israel(?:'s)?|israël|израил\w*|ізраїл\w*", r"israelis?|израильск\w*|ізраїльськ\w*|israelisch\w*"
               r"|israéliens?|israelíes|israelenses?"),
    "Hamas": (r"hamas|хамас\w*", r"palestinians?|palästinens\w*|palestiniens?|palestin[oa]s?|palestinian[oa]s?"
              r"|палестин\w*"),  # Palestinian prisoners go to the side that holds the hostages
    "Armenia": (r"armenia(?:'s)?|yerevan|армени\w*|вірмені\w*|ереван\w*|єреван\w*|armenien|arménie|arm[êé]nia|jerewan"
                r"|erevan|ereván", r"armenians?|армянск\w*|вірменськ\w*|armenisch\w*|arméniens?|armenios?|arm[êé]nios?"),
    "Azerbaijan": (r"azerbaijan(?:'s)?|baku|азербайджан\w*|баку|aserbaidschan|azerbaïdjan|azerbaiyán|azerbaijão|bakou",
                   r"azerbaijanis?|azeris?|азербайджанск\w*|азербайджанськ\w*|aserbaidschanisch\w*|azerbaïdjanais\w*"
                   r"|azerbaiyan[oa]s?|azerbaijan[oa]s?|azer[ií]s?"),
    "Iran": (r"iran(?:'s)?|irán|irã|tehran|téhéran|teheran|иран\w*|іран\w*|teherán|teerã", r"iranians?|иранск\w*|іранськ\w*|iranisch\w*|iraniens?"
             r"|iraní(?:es)?|iranianos?"),
    "Venezuela": (r"venezuela(?:'s)?|caracas|венесуэл\w*|венесуел\w*", r"venezuelans?|venezolan[oa]s?|венесуэльск\w*"
                  r"|venezuelan[oa]s?|vénézuéliens?|venezolanisch\w*"),
    "Yemen": (r"yemen(?:'s)?|yemeni government|saudi-backed government|government side|йемен\w*|ємен\w*",
              r"yemenis?|йеменск\w*|єменськ\w*"),
    "Houthis": (r"houthis?|huthis?|хусит\w*|хуситы|хусити|ansar allah", r"(?!x)x"),
    "Soviet Union": (r"soviet union|ussr|ссср|советск\w* союз\w*|sowjetunion|udssr|union soviétique|unión soviética"
                     r"|união soviética|urss", r"soviets?|советск\w*|sowjetisch\w*|soviétiques?|soviétic[oa]s?"),
    "Poland": (r"poland|warsaw|польш\w*|польщ\w*", r"poles|polish|польск\w*|польськ\w*"),
    "Lithuania": (r"lithuania|vilnius|литв\w*", r"lithuanians?|литовск\w*|литовськ\w*"),
    "Germany": (r"germany|berlin|германи\w*|німеччин\w*|deutschland", r"germans?|германск\w*|немецк\w*|німецьк\w*"),
}
_MEDIATORS: dict[str, str] = {
    "United Arab Emirates": r"united arab emirates|uae|u\.a\.e\.|emirat\w*|emirad\w*|оаэ|оае|эмират\w*|емірат\w*|vae"
                            r"|émirats arabes unis|(?-i:EAU)|emiratos árabes unidos|abu dhabi|абу-даби|абу-дабі",
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


def _first_chars(patterns: list[str]) -> str:
    """A character class of the letters any alternative can start with (a cheap pre-check per position)."""
    chars: set[str] = set()
    for pat in patterns:
        for alt in alternatives(pat):
            if alt == "(?!x)x":
                continue
            if alt.startswith("(?-i:") and alt.endswith(")"):  # "(?-i:US|USA)": its own alternatives' letters
                inner = _first_chars([alt[5:-1]])
                if not inner:
                    return ""
                chars |= set(inner[4:-2].replace("\\", ""))
                continue
            if alt and alt[0] not in "(\\[.?*+":
                chars |= {alt[0].lower(), alt[0].upper()}
            elif alt:
                return ""
    return "(?=[" + "".join(sorted(re.escape(c) for c in chars)) + "])" if chars else ""


def _build() -> tuple[re.Pattern[str], list[tuple[str, bool]]]:
    parts: list[str] = []
    keys: list[tuple[str, bool]] = []
    for party, (names, demonyms) in _TABLE.items():
        parts.append(f"({names})")
        keys.append((party, False))
        parts.append(f"({demonyms})")
        keys.append((party, True))
    ahead = _first_chars([p for pair in _TABLE.values() for p in pair])
    return re.compile(ahead + r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", _F), keys


_PARTY_RE, _KEYS = _build()
# people named by nationality right after a figure ("95 Russians", "84 українці"): plural nouns only, an
# adjective ("three different Russian detention centres") does not make a figure a head count
DEMONYM_AHEAD = re.compile(
    r"\s*(?:[\w-]+\s+){0,2}(?:russians|ukrainians|americans|iranians|armenians|azerbaijanis|israelis|palestinians"
    r"|belarusians|venezuelans|yemenis|россиян\w*|украинц\w*|українц\w*|росіян\w*|американц\w*|ukrainer\w*"
    r"|russen|ukrainiens|russes|ucranianos|rusos|russos)(?!\w)", _F)
_MED_RE = compile_fast(r"(?<!\w)(?:" + "|".join(f"({v})" for v in _MEDIATORS.values()) + r")(?!\w)", _F)
_MED_KEYS = list(_MEDIATORS)
MEDIATOR_ONLY = frozenset(_MEDIATORS) - frozenset(_TABLE)


_META = set("\\[](){}.*+?|^$")
_WORD = re.compile(r"\w+")


def _literal_prefix(alt: str) -> str:
    if alt.startswith("(?-i:"):
        alt = alt[5:]
    out = ""
    for ch in alt:
        if ch in _META:
            break
        out += ch
    return out.lower()


def _build_buckets() -> dict[str, tuple[tuple[int, re.Pattern[str], str, bool], ...]]:
    """Each alternative of the table, compiled alone and filed under its first two letters: a word is
    only tried against the few alternatives that can start with it (the big alternation is slow)."""
    buckets: dict[str, list[tuple[int, re.Pattern[str], str, bool]]] = {}
    order = 0
    for party, (names, demonyms) in _TABLE.items():
        for pat, dem in ((names, False), (demonyms, True)):
            for alt in alternatives(pat):
                if alt == "(?!x)x":
                    continue
                order += 1
                rx = re.compile(r"(?:" + alt + r")(?!\w)", _F)
                buckets.setdefault(_literal_prefix(alt)[:2], []).append((order, rx, party, dem))
    assert "" not in buckets, "every alternative needs a literal first letter"
    return {k: tuple(v) for k, v in buckets.items()}


_BUCKETS = _build_buckets()


def find_parties(text: str) -> list[PartyMention]:
    """Party names and demonyms in ``text``, left to right, as the table's alternation would find them."""
    out: list[PartyMention] = []
    pos = 0
    get = _BUCKETS.get
    for w in _WORD.finditer(text):
        start = w.start()
        if start < pos:
            continue
        head = text[start:start + 2].lower()
        cands = get(head, ()) + get(head[:1], ())  # type: ignore[operator]
        best = None
        for order, rx, party, dem in cands:
            if best is not None and order > best[0]:
                continue
            hit = rx.match(text, start)
            if hit:
                best = (order, hit.end(), party, dem)
        if best is not None:
            out.append(PartyMention(start, best[1], best[2], best[3]))
            pos = best[1]
    return out


def find_parties_slow(text: str) -> list[PartyMention]:
    """Reference implementation (one big alternation), kept for the equivalence test."""
    out = []
    for m in _PARTY_RE.finditer(text):
        party, dem = _KEYS[m.lastindex - 1]  # type: ignore[operator]
        out.append(PartyMention(m.start(), m.end(), party, dem))
    return out


def find_mediators(text: str) -> list[tuple[int, str]]:
    return [(m.start(), _MED_KEYS[m.lastindex - 1]) for m in _MED_RE.finditer(text)]  # type: ignore[operator]


# Sides that exchange prisoners with each other in the news; a story's pair is the best-supported of these.
KNOWN_PAIRS: tuple[tuple[str, str], ...] = (
    ("Russia", "Ukraine"), ("Hamas", "Israel"), ("Armenia", "Azerbaijan"), ("Russia", "United States"),
    ("Houthis", "Yemen"), ("Iran", "United States"), ("United States", "Venezuela"), ("Belarus", "Ukraine"),
    ("Soviet Union", "United States"), ("Belarus", "Lithuania"), ("Belarus", "Poland"),
)


def main_pair(counts: dict[str, float]) -> tuple[str, str] | None:
    """The pair of sides most present around the triggers: a known pairing when one fits (Russia-Ukraine
    first), else the two most named parties; one side alone implies its usual counterpart."""
    ranked = sorted((p for p in counts if counts[p] > 0), key=lambda p: -counts[p])
    if not ranked:
        return None
    scored = [(counts.get(a, 0) + counts.get(b, 0), -i, (a, b)) for i, (a, b) in enumerate(KNOWN_PAIRS)
              if counts.get(a, 0) > 0 and counts.get(b, 0) > 0]
    if scored:
        return tuple(sorted(max(scored)[2]))  # type: ignore[return-value]
    if len(ranked) == 1:
        other = {"Russia": "Ukraine", "Ukraine": "Russia", "Hamas": "Israel", "Houthis": "Yemen"}.get(ranked[0])
        return tuple(sorted((ranked[0], other))) if other else None  # type: ignore[return-value]
    return tuple(sorted(ranked[:2]))  # type: ignore[return-value]


def sentence_pair(names: set[str], pair: tuple[str, str]) -> tuple[str, str]:
    """The sides of one sentence: the story's pair unless the sentence is about another known pairing."""
    if set(pair) <= names:
        return pair
    for a, b in KNOWN_PAIRS:
        if {a, b} <= names and (a, b) != pair:
            return tuple(sorted((a, b)))  # type: ignore[return-value]
    if names & set(pair):
        return pair
    for a, b in KNOWN_PAIRS:
        if names & {a, b} and not names & set(pair):
            return tuple(sorted((a, b)))  # type: ignore[return-value]
    others = sorted(names)
    return (others[0], others[1]) if len(others) == 2 else pair
