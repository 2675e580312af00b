"""Figures of one sentence -> per-party counts: which list items belong together, which day a figure
belongs to when a sentence tells several handovers, and how parts and totals add up."""

from __future__ import annotations

import re

from .dates import DateRef
from .lexicon import Lexicon
from .numbers import LIST_JOIN, Count

_SPLIT_DATES = re.compile(r"^\s*(?:,|and|и|і|та|et|y|e|und|as well as)\s*(?:on\s+|в\s+|у\s+|le\s+|am\s+|el\s+)?$",
                          re.IGNORECASE)


_SEG_BREAK = re.compile(r"[;,](?!\d)\s*(?:and\s+|и\s+|і\s+|та\s+|а\s+|et\s+|y\s+|e\s+|und\s+)?|\s(?:and|и|і|та|et|y|e|und)\s")


def segments(s: str, refs: list[DateRef], items: list) -> list[tuple[DateRef, list]] | None:
    """Share a sentence's figures among its days: "on 13 September 49 came home, and on 14 September
    another 103". A figure belongs to the day whose clause holds it. None when the days are not separate
    handovers (neither joined by "and" nor each with a figure)."""
    bounds = [0]
    for a, b in zip(refs, refs[1:], strict=False):
        cuts = list(_SEG_BREAK.finditer(s, a.end, b.start))
        bounds.append(cuts[-1].start() if cuts else b.start)
    bounds.append(len(s) + 1)
    parts = [(r, [it for it in items if bounds[i] <= it[0].start < bounds[i + 1]]) for i, r in enumerate(refs)]
    joined = all(_SPLIT_DATES.match(s[a.end:b.start]) for a, b in zip(refs, refs[1:], strict=False))
    if joined or all(p[1] for p in parts):
        return parts
    return None


_VERSUS = re.compile(r"\b(?:versus|vs\.?|against|contre|contra|frente a|gegenüber|против|проти)\s*$", re.IGNORECASE)


def plain_list(gap: str, lex: Lexicon) -> bool:
    """"33 soldiers and 51": list items with no verb of their own in between ("1,212 bodies, against 27 for
    Moscow" sets two sides' figures side by side: no list)."""
    return bool(LIST_JOIN.match(gap)) and not (lex.give.search(gap) or lex.receive.search(gap)
                                               or lex.release.search(gap) or _VERSUS.search(gap))


_UNDER = re.compile(r"(?:under|in accordance with|as part of|in line with|pursuant to|within|в рамках|согласно|"
                    r"відповідно до|im rahmen)\s+(?:the\s+|a\s+|an\s+)?(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


def count_cues(s: str, cues: dict[str, list[int]]) -> dict[str, list[int]]:
    """Cues a figure may take its status from: "under the understanding reached in Istanbul" only names
    the frame of what the verb says."""
    agreed = [p for p in cues.get("agreed", []) if not _UNDER.search(s, max(0, p - 40), p)]
    out = {k: v for k, v in cues.items() if k != "agreed"}
    if agreed:
        out["agreed"] = agreed
    return out


def relabel_list(slots: dict, prev: Count, who: list[str]) -> None:
    """The description after a list's last item ("... from Russian captivity") names the recipient of
    the items before it too, overriding what the verb alone suggested."""
    for items in slots.values():
        for k, (c, _) in enumerate(items):
            if c is prev and not c.each:
                items[k] = (c, list(who))


def nearest_cluster(s: str, items: list[tuple[Count, list[str]]], anchor: int) -> list[tuple[Count, list[str]]]:
    """Several per-side figures not forming one list ("1000 for 1000 ... 307 each ... 390 for 390") belong
    to different handovers: keep the list nearest the verb."""
    each = sorted((it for it in items if it[0].each), key=lambda it: it[0].start)
    if len({it[0].value for it in each}) < 2:
        return items
    clusters: list[list[tuple[Count, list[str]]]] = [[each[0]]]
    for prev, cur in zip(each, each[1:], strict=False):
        if LIST_JOIN.match(s[prev[0].end:cur[0].start]):
            clusters[-1].append(cur)
        else:
            clusters.append([cur])
    plain = [cl for cl in clusters if not any(it[0].frame for it in cl)]
    best = min(plain or clusters, key=lambda cl: min(abs(it[0].start - anchor) for it in cl))
    return [it for it in items if not it[0].each] + best


def combine(items: list[tuple[Count, list[str]]]) -> tuple[dict[str, int], set[str]]:
    per: dict[str, list[int]] = {}
    quals: set[str] = set()
    totals: dict[str, int] = {}
    for c, who in items:
        for party in who:
            per.setdefault(party, []).append(c.value)
            quals.add(c.qualifier)
            if c.total:
                totals[party] = c.value
    out = dict(totals)
    for party, vals in per.items():
        if party in totals:
            continue
        top = max(vals)
        rest = sorted(vals)[:-1]
        out[party] = top if (rest and sum(rest) == top) or len(set(vals)) == 1 else sum(vals)
    return out, quals
