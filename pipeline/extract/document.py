"""Document-level reading: what a story's sentences say together (follow-on sentences, the lead
event's day, a year named earlier, denials, mediators credited elsewhere)."""

from __future__ import annotations

import re
from datetime import date

from . import attributes, guard, lexicon, sentences
from .assemble import Draft
from .dates import find_dates
from .fastre import compile_fast
from .mentions import Mention, sentence_mentions
from .numbers import find_counts
from .parties import find_parties


def default_to_published(drafts: list[Draft], published: date | None) -> None:
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


_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"(?<![\d/.-])(?:(since|from|с|з|seit|depuis|desde)\s+)?((?:19|20)\d\d)(?![\d/-]|\.\d)", re.IGNORECASE)


_THIS_YEAR = re.compile(r"\b(?:this year|cette année|este año|este ano|dieses jahres|in diesem jahr|этого года"
                        r"|в этом году|цього року|цьогоріч)\b", re.IGNORECASE)
_TO_PARTY = re.compile(r"\b(?:to|в|у|до)\s+[A-ZА-ЯІЇЄ]")


def followers(all_sents: list[sentences.Sentence], mentions: list[Mention], lex: lexicon.Lexicon,
               pair: tuple[str, str], published: date | None, hints: dict[int, int]) -> list[Mention]:
    """Sentences that go on about the handovers just told without naming them again ("On 18 September,
    Ukraine received 1,000 and returned 24."): read with the previous sentence's kind; they start an event
    only when they give a day."""
    kinds = {m.sent.index: m.etype for m in mentions}
    out: list[Mention] = []
    for s in all_sents:
        kind = kinds.get(s.index - 1)
        if kind is None or s.index in kinds or not _DIGIT.search(s.text):
            continue
        if not (lex.receive.search(s.text) or lex.give.search(s.text) or _TO_PARTY.search(s.text)):
            continue
        found = sentence_mentions(s, lex, pair, published, None, hints.get(s.index), carry=kind)
        spread = _respectively(s, found, mentions, lex)
        if spread:
            out += spread
            kinds.setdefault(s.index, kind)
            continue
        for m in found:
            m.strong = m.strong and m.date is not None and m.date.precision == "day" and bool(m.counts)
            kinds.setdefault(s.index, m.etype)
        out += found
    return out


_RESPECTIVELY = re.compile(r"\b(?:respectively|соответственно|відповідно|beziehungsweise|respectivement"
                           r"|respectivamente)\b", re.IGNORECASE)


def _respectively(s: sentences.Sentence, found: list[Mention], mentions: list[Mention],
                  lex: lexicon.Lexicon) -> list[Mention]:
    """"Russia received 49 and 103 of its own respectively": one figure for each handover of the sentence
    before, in order."""
    if not _RESPECTIVELY.search(s.text) or len(found) != 1 or len(found[0].counts) != 1:
        return []
    (party,) = found[0].counts
    values = [c.value for c in find_counts(s.text, lex)]
    days = sorted((m for m in mentions if m.sent.index == s.index - 1 and m.date is not None
                   and m.date.precision == "day"), key=lambda m: m.date.start)  # type: ignore[union-attr]
    if len(values) != len(days) or len({m.date.date for m in days}) != len(days):  # type: ignore[union-attr]
        return []
    home = _home_figures(days, lex)  # "forty-nine people came home, and ... another 103": the other side's
    other = [p for p in days[0].pair if p != party] if days else []
    return [Mention(d.etype, None, False, s, d.pair, d.date, qualifiers={"exact"},
                    counts={party: v, **({other[0]: home[k]} if home and len(other) == 1 else {})})
            for k, (d, v) in enumerate(zip(days, values, strict=True))]


_CAME_HOME = re.compile(r"\b(?:came|come|returned|are|were|got) (?:back )?home\b", re.IGNORECASE)


def _home_figures(days: list[Mention], lex: lexicon.Lexicon) -> list[int]:
    """Figures of the sentence before that only "came home" (no side named): one per handover, in order."""
    if not days or any(d.counts for d in days):
        return []
    prev = days[0].sent
    if not _CAME_HOME.search(prev.text) or find_parties(prev.text):
        return []
    values = [c.value for c in find_counts(prev.text, lex)]
    return values if len(values) == len(days) else []


_ANAPHOR = re.compile(
    r"\b(?:them|those|the freed|returnees|the returned|the released|among|included?|including|среди|в том числе"
    r"|серед|зокрема|darunter|parmi|entre)\b", re.IGNORECASE)


def group_remarks(all_sents: list[sentences.Sentence], mentions: list[Mention],
                   lex: lexicon.Lexicon) -> list[Mention]:
    """"Eleven of those freed were seriously wounded.": the groups a handover included, told in a sentence
    of their own right after it (weak: only adds categories to the handover just told)."""
    kinds = {m.sent.index: (m.etype, m.pair) for m in mentions}
    out = []
    for s in all_sents:
        prev = kinds.get(s.index - 1) or kinds.get(s.index - 2)
        if prev is None or s.index in kinds or prev[0] != "prisoner_exchange" or not _ANAPHOR.search(s.text):
            continue
        cats = attributes.categories(s.text, lex)
        if cats:
            out.append(Mention(prev[0], None, False, s, prev[1], None, categories=cats))
    return out


def agreement_days(all_sents: list[sentences.Sentence], mentions: list[Mention], lex: lexicon.Lexicon,
                    published: date | None) -> list[Mention]:
    """"The agreement was reached late on Tuesday": a sentence right after an agreement that names no swap
    but dates the agreement gives its day (weak: it only dates an existing agreement)."""
    agreed = {m.sent.index: m for m in mentions if m.status == "agreed"}
    out = []
    for s in all_sents:
        prev = agreed.get(s.index - 1)
        if prev is None or s.index in agreed or not lex.agreed.search(s.text):
            continue
        days = [r for r in find_dates(s.text, lex, published) if r.precision == "day" and not r.speech]
        if len(days) == 1:
            out.append(Mention(prev.etype, "agreed", False, s, prev.pair, days[0]))
    return out


def year_hints(all_sents: list[sentences.Sentence], published: date | None) -> dict[int, int]:
    """Sentence index -> the year the sentence before named ("the very start of 2024. On January 3, ..."),
    when that is earlier than the publication year; "since 2022" names no such year."""
    named: dict[int, int] = {}
    for s in all_sents:
        if "19" not in s.text and "20" not in s.text:
            continue  # no year ("19xx", "20xx") to name: the regex's slow scan is skipped
        years = [int(m.group(2)) for m in _YEAR.finditer(s.text) if not m.group(1)]
        if years:
            named[s.index] = years[-1]
    out: dict[int, int] = {}
    for s in all_sents:
        year = named.get(s.index - 1)
        if year and (published is None or year < published.year) and not _THIS_YEAR.search(s.text):
            out[s.index] = year
    return out


def day_anchors(all_sents: list[sentences.Sentence], lex: lexicon.Lexicon, published: date | None,
                hints: dict[int, int]) -> dict[int, date]:
    """Sentence index -> the last explicit day named in an earlier sentence (for "on the Friday")."""
    out: dict[int, date] = {}
    last: date | None = None
    for s in all_sents:
        if last is not None:
            out[s.index] = last
        if _DIGIT.search(s.text):
            days = [r.date for r in find_dates(s.text, lex, published, hints.get(s.index))
                    if r.date is not None and r.precision == "day" and not r.speech]
            last = days[-1] if days else last
    return out


_NO_DAY = re.compile(
    r"\b(?:(?:did|does|would|could) not|didn't|doesn't|wouldn't|declined to|refused to) (?:say|specify|disclose|give|reveal"
    r"|confirm)(?: exactly| precisely)? when\b|\bit (?:was|is|remains) (?:not |un)clear when\b"
    r"|\bwithout (?:saying|specifying|disclosing) when\b", re.IGNORECASE)


def untold_day(drafts: list[Draft], all_sents: list[sentences.Sentence], published: date | None,
               low: str | None = None) -> None:
    """"Officials did not say exactly when the handover happened": the day it was reported is not its day.
    Nor is it for a rough figure only said on a day ("Putin said on Friday about 6,000 bodies had been handed
    over"): a running tally, not a handover of that day."""
    for d in drafts:
        if d.status == "conducted" and d.said_day and "approximate" in d.qualifiers:
            d.date, d.precision, d.lo, d.hi = None, None, None, None
    if low is not None and "when" not in low:  # ``low``: the lower-cased story (guard.lowered)
        return
    if not any("when" in s.text.lower() and _NO_DAY.search(s.text) for s in all_sents):  # each ends in "when"
        return
    lead = [d for d in drafts if d.status == "conducted" and not d.recall]
    if not lead:
        return
    first = min(lead, key=lambda d: min(s.index for s in d.sents))
    if first.precision == "day" and (first.said_day or first.date == published):
        first.date, first.precision, first.lo, first.hi = None, None, None, None


_INCLUDED_IN = compile_fast(r"\b(?:are|were|is|was)\s+(?:also\s+)?(?:(?:included|counted)\s+(?:in|among)|among|part of)"
                            r"\s+(?:the|those|these)\s+(\d{1,3}(?:,\d{3})+|\d+)(?![\d,]*\s*(?:%|per ?cent))")


_INCLUDED_WORDS = ("included", "counted", "among", "part of")  # every _INCLUDED_IN match holds one


def subset_totals(drafts: list[Draft], all_sents: list[sentences.Sentence], low: str | None = None) -> None:
    """"The three foreigners are included in the 103": a group told apart is part of the figure, which is the
    side's whole count (not the group added to it)."""
    for s in guard.with_hits(all_sents, guard.word_starts(low, _INCLUDED_WORDS)):
        for m in _INCLUDED_IN.finditer(s.text):
            total = int(m.group(1).replace(",", ""))
            told = [d for d in drafts if any(x.index < s.index and str(total) in x.text.replace(",", "")
                                             for x in d.sents)]  # "the 103" points back to a figure told
            if not told:
                continue
            d = max(told, key=lambda d: max(x.index for x in d.sents if x.index < s.index))
            for p, v in d.counts.items():
                if v is not None and v > total:
                    d.counts[p] = total


def lead_mediators(drafts: list[Draft], all_sents: list[sentences.Sentence], lex: lexicon.Lexicon,
                   low: str | None = None) -> None:
    """"The UAE said its mediation made the exchange possible": credited anywhere in the story, the
    mediator goes to the story's lead handover when that names none of its own."""
    lead = [d for d in drafts if d.status == "conducted" and not d.recall]
    if not lead:
        return
    first = min(lead, key=lambda d: min(s.index for s in d.sents))
    if first.mediators:
        return
    med, brand = guard.may_hold(low, lex.mediation), guard.may_hold(low, attributes.BRAND)
    for s in guard.with_hits(all_sents, None if med is None or brand is None else sorted(med + brand)):
        first.mediators |= attributes.mediators(s.text, lex, first.pair)


_TALKS = re.compile(r"(?:talks|negotiations|negotiated|delegations|meeting|summit"
                    r"|(?:first|second|third|fourth|fifth|next|new|latest) round|переговор\w*|встреч\w*|зустріч\w*"
                    r"|gespräch\w*|verhandlung\w*"
                    r"|treffen|pourparlers|négociations|réunion|conversaciones|negociaciones|reunión|conversações"
                    r"|negociações|reunião)", re.IGNORECASE)


_MUTUAL = re.compile(r"\b(?:the two sides|both sides|the sides|the parties|both countries|the two countries)\s+"
                     r"(?:would|will|are to|were to|are set to)\s+(?:\w+\s+)?(?:exchange|swap|trade|return|hand over)\b",
                     re.IGNORECASE)


def talks_mentions(all_sents: list[sentences.Sentence], mentions: list[Mention], lex: lexicon.Lexicon,
                   published: date | None) -> None:
    """"The third round of talks, on 23 July, was the shortest yet. It lasted forty minutes. The delegations
    agreed to ...": an undated agreement takes the day of the talks told one or two sentences before it, so
    that agreements of different rounds stay apart."""
    by_index = {s.index: s for s in all_sents}
    for m in mentions:
        if m.status == "planned" and _MUTUAL.search(m.sent.text):
            m.status = "agreed"  # "the two sides would exchange 1,000 prisoners each": both committed to it
        if m.status not in ("agreed", "planned") or not m.strong or (m.date is not None and m.date.precision is not None):
            continue
        for back in (1, 2):
            prev = by_index.get(m.sent.index - back)
            if prev is None or not _TALKS.search(prev.text):
                continue
            days = [r for r in find_dates(prev.text, lex, published) if r.precision == "day" and r.date and not r.speech]
            if len({r.date for r in days}) == 1:
                m.date = days[0]
            if days:
                break  # "The meeting lasted less than two hours.": talks told without a day, look further back


def talks_day(drafts: list[Draft], all_sents: list[sentences.Sentence], lex: lexicon.Lexicon,
               published: date | None) -> None:
    """"The third round of talks ended on Wednesday. Both sides agreed to swap 1,200 each": an agreement with no
    day of its own was reached on the day of the talks told in the sentence just before it."""
    for d in drafts:
        if d.status != "agreed" or d.precision is not None:
            continue
        told = {s.index for s in d.strong_sents or d.sents}
        for prev in (s for s in all_sents if s.index + 1 in told and s.index not in told):
            if not _TALKS.search(prev.text):
                continue
            days = [r for r in find_dates(prev.text, lex, published) if r.precision == "day" and r.date and not r.speech]
            if len({r.date for r in days}) == 1:
                d.date, d.precision = days[0].date, "day"
                break


def drop_denied(drafts: list[Draft], all_sents: list[sentences.Sentence], lex: lexicon.Lexicon,
                low: str | None = None) -> list[Draft]:
    """"This is not an exchange" / "no one was released in return": the release told in that sentence or
    the one before (or the next, when it names no swap) is one-way. The dead are one-way anyway."""
    if guard.absent(low, lex.denial):  # no denial word anywhere in the story (``low``: guard.lowered)
        return drafts
    if not lex.denial.search("\n".join(s.text for s in all_sents)):  # one pass over the story first
        return drafts
    denied = {s.index for s in all_sents if lex.denial.search(s.text)}
    if not denied:
        return drafts
    if not any(lex.exchange.search(s.text) for s in all_sents if s.index not in denied):
        return [d for d in drafts if d.etype != "prisoner_exchange"]  # the only "exchange" is the denial

    def covered(s: sentences.Sentence) -> bool:
        return s.index in denied or s.index + 1 in denied or (s.index - 1 in denied and not lex.exchange.search(s.text))

    return [d for d in drafts if d.etype != "prisoner_exchange" or not all(covered(s) for s in d.strong_sents)]


def about_handovers(body: str, lex: lexicon.Lexicon) -> bool:
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


# Cue patterns read sentence by sentence: behind a literal guard (same answers, see guard.py)
for _name in ('_RESPECTIVELY', '_CAME_HOME', '_ANAPHOR', '_NO_DAY', '_TALKS', '_MUTUAL'):
    globals()[_name] = guard.guard(globals()[_name])
