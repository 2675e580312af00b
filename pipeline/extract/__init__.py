"""Event extractor: article text -> prisoner-exchange and body-repatriation EVENTs (CONTRACT.md).

Pure and fast: precompiled regexes and per-language cue tables, no I/O, no network. Never raises on odd
input: anything unexpected yields ``[]``.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date

from pipeline.records import Document, Event

from . import attributes, lexicon, sentences
from .assemble import Draft, assemble
from .mentions import Mention, sentence_mentions
from .parties import PartyMention, find_parties, main_pair

EXTRACTOR_VERSION = "0.1.0"

__all__ = ["EXTRACTOR_VERSION", "extract_events", "extract_from_text"]

_MAX_CHARS = 200_000


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
    reciprocal = _about_handovers(body, lex)
    hits = [m.start() for m in lex.trigger.finditer(body)]
    all_sents = sentences.split(text, end)
    sents = [s for s in all_sents if _has_hit(hits, s.start, s.end)]
    pms = [find_parties(s.text) for s in sents]
    pair = _doc_pair(pms)
    if pair is None:
        return []
    mentions: list[Mention] = []
    for s, found in zip(sents, pms, strict=True):
        mentions += sentence_mentions(s, lex, pair, published, found)
    drafts = assemble(mentions)
    drafts = _drop_denied(drafts, all_sents, lex)
    _lead_mediators(drafts, all_sents, lex)
    if not reciprocal:  # no swap word: only a handover with a figure for each side shows two-way traffic
        drafts = [d for d in drafts if len([v for v in d.counts.values() if v]) == 2]
    _default_to_published(drafts, published)
    return [_to_event(text, d) for d in drafts]


def _default_to_published(drafts: list[Draft], published: date | None) -> None:
    """A report's lead event with no day of its own is the day's news: it happened on the publication day."""
    if published is None:
        return
    lead = [d for d in drafts if d.status == "conducted" and not d.recall]
    if not lead:
        return
    first = min(lead, key=lambda d: min(s.index for s in d.sents))
    if first.precision is None and min(s.index for s in first.sents) <= 3:
        if not any(d.date == published and d.etype == first.etype for d in drafts):
            first.date, first.precision = published, "day"


def _lead_mediators(drafts: list[Draft], all_sents: list[sentences.Sentence], lex: lexicon.Lexicon) -> None:
    """"The UAE said its mediation made the exchange possible": credited anywhere in the story, the
    mediator goes to the story's lead handover when that names none of its own."""
    lead = [d for d in drafts if d.status == "conducted" and not d.recall]
    if not lead:
        return
    first = min(lead, key=lambda d: min(s.index for s in d.sents))
    if first.mediators:
        return
    for s in all_sents:
        first.mediators |= attributes.mediators(s.text, lex, first.pair)


def _drop_denied(drafts: list[Draft], all_sents: list[sentences.Sentence], lex: lexicon.Lexicon) -> list[Draft]:
    """"This is not an exchange" / "no one was released in return": the release told in that sentence or
    the one before (or the next, when it names no swap) is one-way. The dead are one-way anyway."""
    denied = {s.index for s in all_sents if lex.denial.search(s.text)}
    if not denied:
        return drafts
    if not any(lex.exchange.search(s.text) for s in all_sents if s.index not in denied):
        return [d for d in drafts if d.etype != "prisoner_exchange"]  # the only "exchange" is the denial

    def covered(s: sentences.Sentence) -> bool:
        return s.index in denied or s.index + 1 in denied or (s.index - 1 in denied and not lex.exchange.search(s.text))

    return [d for d in drafts if d.etype != "prisoner_exchange" or not all(covered(s) for s in d.strong_sents)]


def _about_handovers(body: str, lex: lexicon.Lexicon) -> bool:
    """Some swap or repatriation word, or a reciprocal "in return" that is not denied."""
    for m in lex.exchange.finditer(body):
        if lex.not_people_before.search(body, max(0, m.start() - 30), m.start()):
            continue
        if not lex.not_people.match(body[m.end():m.end() + 60]):
            return True
    if lex.body.search(body):
        return True
    for m in lex.captive.finditer(body):
        if lex.each_strict.search(body, max(0, m.start() - 60), m.end() + 60):
            return True
    recip = list(lex.idiom.finditer(body)) + list(lex.reciprocal.finditer(body))
    return any(not lex.negation.search(body, max(0, m.start() - 80), m.start()) for m in recip)


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
