"""Event extractor: article text -> prisoner-exchange and body-repatriation EVENTs (CONTRACT.md).

Pure and fast: precompiled regexes and per-language cue tables, no I/O, no network. Never raises on odd
input: anything unexpected yields ``[]``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date

from pipeline.records import Document, Event

from . import document, guard, lexicon, prefilter, sentences
from .assemble import Draft, assemble
from .mentions import Mention, sentence_mentions
from .parties import PartyMention, find_parties, main_pair

EXTRACTOR_VERSION = "0.1.0"

__all__ = ["EXTRACTOR_VERSION", "extract_events", "extract_from_text"]

_MAX_CHARS = 200_000
_FIGURE = re.compile(r"\d[\d,.]*")
_OUR = re.compile(r"\b(?:our|наш\w*)\b", re.IGNORECASE)
_THE_WEEKDAY = guard.guard(re.compile(r"\bthe (?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.IGNORECASE))


def extract_events(doc: Document) -> list[Event]:
    """All events the document states, in text order; ``[]`` for anything unusable."""
    try:
        text = doc.text if isinstance(doc.text, str) else ""
        pub = doc.published if isinstance(doc.published, date) else None
        return extract_from_text(text, pub)
    except Exception:  # noqa: BLE001 - the contract: odd input never raises
        return []


def extract_from_text(text: str, published: date | None, lang: str | None = None) -> list[Event]:
    text = text[:_MAX_CHARS]
    end = sentences.body_end(text)
    lex = lexicon.get(lang or lexicon.detect_language(text[:end]))
    body = text[:end]
    hits = prefilter.trigger_hits(body, lex)  # most stories: no trigger word at all, out in microseconds
    if not hits:
        return []
    lines = _hit_lines(text, hits, end)
    found_at = {s.start: find_parties(s.text) for s in lines}
    pair = _doc_pair(list(found_at.values())) or _speakers_pair(lines, lex)
    if pair is None:
        return []  # no sides named where the triggers are: done before cutting the whole story
    all_sents = sentences.split(text, end)
    sents = [s for s in all_sents if _has_hit(hits, s.start, s.end)]
    pms = [found_at[s.start] if s.start in found_at else find_parties(s.text) for s in sents]
    reciprocal = document.about_handovers(body, lex)
    mentions: list[Mention] = []
    hints = document.year_hints(all_sents, published)
    anchors = document.day_anchors(all_sents, lex, published, hints) if _THE_WEEKDAY.search(body) else {}
    for s, found in zip(sents, pms, strict=True):
        mentions += sentence_mentions(s, lex, pair, published, found, hints.get(s.index),
                                      day_anchor=anchors.get(s.index))
    mentions += document.followers(all_sents, mentions, lex, pair, published, hints)
    mentions += document.group_remarks(all_sents, mentions, lex)
    mentions += document.agreement_days(all_sents, mentions, lex, published)
    mentions.sort(key=lambda m: m.sent.index)
    document.talks_mentions(all_sents, mentions, lex, published)
    drafts = assemble(mentions)
    low = guard.lowered(body)  # for the literal pre-checks of the story-wide passes (None: no pre-check)
    drafts = document.drop_denied(drafts, all_sents, lex, low)
    document.subset_totals(drafts, all_sents, low)
    document.lead_mediators(drafts, all_sents, lex, low)
    document.talks_day(drafts, all_sents, lex, published)
    if not reciprocal:  # no swap word: only a handover with a figure for each side shows two-way traffic
        drafts = [d for d in drafts if len([v for v in d.counts.values() if v]) == 2]
    document.default_to_published(drafts, published)
    document.untold_day(drafts, all_sents, published, low)
    return [_to_event(text, d) for d in drafts]


def _hit_lines(text: str, hits: list[int], end: int) -> list[sentences.Sentence]:
    """The sentences holding a trigger, cut line by line (only the lines that have one)."""
    out: list[sentences.Sentence] = []
    done = -1
    for h in hits:
        if h <= done:
            continue
        stop = text.find("\n", h, end)
        done = end if stop < 0 else stop
        out += [s for s in sentences.line_sentences(text, h, end) if _has_hit(hits, s.start, s.end)]
    return out


def _speakers_pair(lines: list[sentences.Sentence], lex: lexicon.Lexicon) -> tuple[str, str] | None:
    """"103 of our defenders are home!": a post that names no side speaks for the side "our" means."""
    if lex.ours_party is None or not any(_OUR.search(s.text) and any(lex.ours.match(s.text, m.end())
                                                                    for m in _FIGURE.finditer(s.text))
                                         for s in lines):
        return None  # "103 of our defenders are home": a figure of "our" people, not "our heroes" on a pitch
    return main_pair({lex.ours_party: 1.0})


def _has_hit(hits: list[int], start: int, end: int) -> bool:
    i = bisect_left(hits, start)
    return i < len(hits) and hits[i] < end


def _doc_pair(pms: list[list[PartyMention]]) -> tuple[str, str] | None:
    weights: dict[str, float] = {}
    for found in pms:
        for pm in found:
            weights[pm.party] = weights.get(pm.party, 0.0) + 1.0
    return main_pair(weights)


def _evidence(text: str, d: Draft) -> tuple[str, tuple[int, int]]:
    sents = sorted(d.strong_sents or d.sents, key=lambda s: s.index)
    first = sents[0]
    last = max((s for s in sents if s.index - first.index <= 2), key=lambda s: s.index)
    return text[first.start:last.end], (first.start, last.end)


def _qualifier(d: Draft) -> str | None:
    if not any(v is not None for v in d.counts.values()):
        return None
    for q in ("approximate", "at_least"):
        if q in d.qualifiers:
            return q
    return "exact"


def _to_event(text: str, d: Draft) -> Event:
    evidence, span = _evidence(text, d)
    conf = 0.5 + 0.15 * bool(d.counts) + 0.15 * (d.precision == "day") + 0.1 * (len(d.strong_sents) > 1)
    return Event(
        event_type=d.etype,
        status=d.status,
        event_date=d.date,
        date_precision=d.precision if d.date is not None or d.precision != "day" else None,
        parties=tuple(sorted(d.pair)),
        returned_to=tuple((p, d.counts.get(p)) for p in sorted(d.pair)),
        count_qualifier=_qualifier(d),
        categories=tuple(sorted(d.categories)),
        mediators=tuple(sorted(d.mediators)),
        location=d.location,
        evidence=evidence,
        evidence_span=span,
        confidence=min(conf, 0.95),
    )
