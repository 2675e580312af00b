"""The extractor's speed paths (literal guards, shared trigger pieces, one-scan sentence split, abbreviation
lookup) give what the plain paths give: compared on the gold corpus, the real pages and mutated texts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipeline.extract as extract
from pipeline.extract import (
    attributes,
    dates,
    document,
    extract_from_text,
    guard,
    lexicon,
    mentions,
    numbers,
    parties,
    prefilter,
    sentences,
)
from pipeline.extract.scoring import load_corpus

ROOT = Path(__file__).resolve().parents[1]
PAGES = Path("/work/shared/corpora/pages/ground-truth.json")
_TEXTS: list[str] = [d["text"] for d in load_corpus(ROOT / "tests" / "corpus" / "extraction")]
if PAGES.exists():
    _TEXTS += [v.get("articleBody") or "" for v in json.loads(PAGES.read_text(encoding="utf-8")).values()]
_ODD_CHARS = "ſİıKÅẞᲀ"
_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---- plain references: what the fast paths replace ---------------------------------------------------

def _plain_split(text: str, end: int) -> list[tuple]:
    """Line by line, the boundary regex on each line alone, the abbreviation regex on each cut."""
    out: list[tuple] = []
    pos, line_no = 0, 0
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        seg_start, line = pos, text[pos:stop]
        cuts = []
        for m in sentences._BOUNDARY.finditer(line):
            cut = pos + m.end(1)
            if sentences._ABBREV.search(text[max(seg_start, cut - 8):cut]):
                continue
            if cut - pos <= sentences._HEAD and sentences._HEAD_DIGIT.search(text, pos, cut):
                continue
            cuts.append((seg_start, cut))
            seg_start = pos + m.end()
        for a, b in cuts + [(seg_start, stop)]:
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b - a >= 3:
                out.append((len(out), a, b, text[a:b], line_no))
        line_no += 1
        pos = stop + 1
    return out


def _plain_hits(body: str, lex: lexicon.Lexicon) -> list[int]:
    """Every offset where a trigger prefix starts and the trigger matches (overlaps included), and the
    "N for N" figures (what the head-by-head scan gave)."""
    low, heads = body.lower(), prefilter.stems(lex.lang)[1]
    if len(low) != len(body):  # "İ" lower-cases to two characters: the plain trigger scan, as before
        return [m.start() for m in lex.trigger.finditer(body)]
    got = {i for i in range(len(body)) if low.startswith(heads, i) and lex.trigger.match(body, i)}
    return sorted(got | {m.start() for m in prefilter._N_FOR_N.finditer(low)})


def _mutate(text: str, data) -> str:
    """Case flips, odd case-insensitive letters, line breaks, cuts and doubled pieces at random places."""
    n = data.draw(st.integers(0, 8))
    for _ in range(n):
        if not text:
            break
        i = data.draw(st.integers(0, len(text) - 1))
        op = data.draw(st.sampled_from(["upper", "odd", "newline", "cut", "double", "dot"]))
        j = min(len(text), i + data.draw(st.integers(1, 40)))
        if op == "upper":
            text = text[:i] + text[i:j].upper() + text[j:]
        elif op == "odd":
            text = text[:i] + data.draw(st.sampled_from(_ODD_CHARS)) + text[i:]
        elif op == "newline":
            text = text[:i] + "\n" + text[i:]
        elif op == "cut":
            text = text[:i] + text[j:]
        elif op == "double":
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[:i] + data.draw(st.sampled_from([". ", "Mr. ", "U.S. ", "etc. ", ".\" A"])) + text[i:]
    return text


def _sample(data) -> str:
    text = data.draw(st.sampled_from(_TEXTS))
    if len(text) > 3000:  # keep the brute-force references quick
        start = data.draw(st.integers(0, len(text) - 3000))
        text = text[start:start + 3000]
    return _mutate(text, data)


def _events(text: str) -> list[dict]:
    return [e.to_json() | {"confidence": repr(e.confidence)} for e in extract_from_text(text, None)]


# ---- sentence split ------------------------------------------------------------------------------------

def _fields(sents: list) -> list[tuple]:
    return [(s.index, s.start, s.end, s.text, s.line) for s in sents]


def test_split_as_line_by_line_on_the_corpora() -> None:
    for text in _TEXTS:
        end = sentences.body_end(text)
        assert _fields(sentences.split(text, end)) == _plain_split(text, end)


@_SETTINGS
@given(st.data())
def test_split_as_line_by_line_on_mutated_texts(data) -> None:
    text = _sample(data)
    assert _fields(sentences.split(text)) == _plain_split(text, len(text))


@given(st.text(alphabet="aAbcdeginmoprstuvxyzSUKΣ.гтеСТ _-'\"()1", max_size=9).map(lambda w: w + "."))
@settings(max_examples=400, deadline=None)
def test_abbreviation_lookup_as_the_regex(w: str) -> None:
    assert sentences._ends_in_abbrev(w) == bool(sentences._ABBREV.search(w))


def test_abbreviation_lookup_on_every_cut_of_the_corpora() -> None:
    checked = 0
    for text in _TEXTS:
        for m in sentences._LINE_BOUNDARY.finditer(text):
            cut = m.end(1)
            if text[cut - 1] == ".":
                for lo in range(max(0, cut - 8), cut - 1):
                    w = text[lo:cut]
                    assert sentences._ends_in_abbrev(w) == bool(sentences._ABBREV.search(w)), w
                    checked += 1
    assert checked > 1000


# ---- trigger scan --------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", list(lexicon.LANGS))
def test_shared_pieces_cover_every_prefix(lang: str) -> None:
    heads = prefilter.stems(lang)[1]
    pieces = prefilter.cover(lang)
    for h in heads:
        assert any(h[k:k + len(p)] == p for p, holders in pieces for head, k in holders if head == h), h


@_SETTINGS
@given(st.data())
def test_trigger_hits_as_every_offset_tried(data) -> None:
    text = _sample(data)
    for lang in ("en", data.draw(st.sampled_from(list(lexicon.LANGS)))):
        lex = lexicon.get(lang)
        if len(text.lower()) == len(text):
            assert prefilter.trigger_hits(text, lex) == _plain_hits(text, lex)


# ---- literal guards ------------------------------------------------------------------------------------

def _guarded() -> list[tuple[str, guard.Guarded]]:
    """Every guarded pattern: each language's cues and the modules' own."""
    out = []
    for lang in lexicon.LANGS:
        lex = lexicon.get(lang)
        out += [(f"{lang}.{k}", v) for k, v in vars(lex).items() if isinstance(v, guard.Guarded)]
    for mod in (attributes, dates, document, mentions, numbers, parties, extract):
        out += [(f"en.{mod.__name__}.{k}", v) for k, v in vars(mod).items() if isinstance(v, guard.Guarded)]
    return out


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return a.span() == b.span() and a.groups() == b.groups()


def test_most_cue_patterns_are_guarded() -> None:
    names = {n.rsplit(".", 1)[1] for n, _ in _guarded()}
    assert {"exchange", "agreed", "conducted", "negation", "mediation", "denial", "categories", "relative_any",
            "_ORG", "_TALKS", "_TOTAL_BEFORE", "BRAND", "_THE_WEEKDAY"} <= names


@_SETTINGS
@given(st.data())
def test_guarded_patterns_answer_as_the_patterns(data) -> None:
    text = _sample(data)
    sents = [s.text for s in sentences.split(text)] or [text]
    pats = _guarded()
    for _ in range(25):
        s = data.draw(st.sampled_from(sents))
        name, g = data.draw(st.sampled_from(pats))
        lo = data.draw(st.integers(-5, len(s) + 5))
        hi = data.draw(st.integers(-5, len(s) + 200))
        assert _same(g.search(s, lo, hi), g.rx.search(s, lo, hi)), name
        assert _same(g.match(s, lo, hi), g.rx.match(s, lo, hi)), name
        assert [m.span() for m in g.finditer(s, lo, hi)] == [m.span() for m in g.rx.finditer(s, lo, hi)], name


def test_guarded_patterns_on_every_sentence_of_the_corpora() -> None:
    pats = _guarded()
    for text in _TEXTS[:250]:
        for s in sentences.split(text):
            for name, g in pats:
                if name.startswith("en.") or name.startswith("ru."):
                    assert _same(g.search(s.text), g.rx.search(s.text)), (name, s.text)


def test_odd_letters_cover_every_case_insensitive_mismatch() -> None:
    """Every character ``re.IGNORECASE`` matches to a guard's letter but whose lower() is not that letter is
    one the guards refuse (guard._ODD)."""
    letters = {c for _, g in _guarded() for h in g.heads for c in h if c.isalpha()}
    allc = "".join(chr(i) for i in range(0x80, 0x110000) if not 0xD800 <= i < 0xE000)
    rx = re.compile("[" + re.escape("".join(sorted(letters))) + "]", re.IGNORECASE)
    odd = {m.group() for m in rx.finditer(allc) if m.group().lower() not in letters}
    assert odd, "the check found nothing at all: broken"
    assert all(guard._ODD.match(c) for c in odd), sorted(odd)
    assert all(sentences._ODD.match(c) for c in odd), sorted(odd)


def test_an_odd_letter_turns_the_guard_off() -> None:
    lex = lexicon.get("en")
    assert lex.exchange.search("They agreed a ſwap of prisoners") is not None  # "ſ" matches "s" in re
    assert guard.lowered("a ſwap") is None and guard.lowered("a swap") == "a swap"


# ---- whole documents: fast paths on, against every fast path off -------------------------------------

def _plain_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "_last", (None, None))
    monkeypatch.setattr(guard, "lowered", lambda s: None)  # no guard, no story-wide literal pre-check
    monkeypatch.setattr(prefilter, "trigger_hits", _plain_hits)
    monkeypatch.setattr(sentences, "split", lambda text, end=None: [
        sentences.Sentence(*t) for t in _plain_split(text, len(text) if end is None else end)])


@_SETTINGS
@given(st.data())
def test_events_as_with_every_fast_path_off(data) -> None:
    texts = [_sample(data) for _ in range(3)]
    fast = [_events(t) for t in texts]
    with pytest.MonkeyPatch.context() as mp:
        _plain_mode(mp)
        plain = [_events(t) for t in texts]
    assert fast == plain


def test_events_as_with_every_fast_path_off_on_the_corpora(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [t for t in _TEXTS if prefilter.trigger_hits(t, lexicon.get(lexicon.detect_language(t)))]
    fast = [_events(t) for t in texts]
    assert sum(map(bool, fast)) >= 100  # the comparison covers stories with events
    _plain_mode(monkeypatch)
    assert [_events(t) for t in texts] == fast


def test_story_pre_checks_skip_only_what_cannot_match() -> None:
    lex = lexicon.get("en")
    low = "the two sides swapped 90 prisoners each. it was the fifth swap this year."
    assert guard.absent(low, lex.denial)
    assert not guard.absent(low + " this is not an exchange.", lex.denial)
    assert not guard.absent(None, lex.denial)
    assert document._INCLUDED_WORDS and all(w == w.lower() for w in document._INCLUDED_WORDS)


@given(st.lists(st.sampled_from(["303", "1 000", " ", "\u2009", "\n", "for", "-for-", "на", "за", "por", "gegen",
                                 "contre", "x", "٣", "fort", "2"]), max_size=14).map("".join))
@settings(max_examples=400, deadline=None)
def test_n_for_n_words_first_as_the_regex(low: str) -> None:
    assert prefilter._n_for_n(low) == [m.start() for m in prefilter._N_FOR_N.finditer(low)]
