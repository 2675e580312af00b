"""The document pre-filter and the line-by-line trigger reading change no result, only the time taken."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.extract import _doc_pair, _has_hit, _hit_lines, lexicon, prefilter, sentences
from pipeline.extract.parties import find_parties
from pipeline.extract.scoring import load_corpus

ROOT = Path(__file__).resolve().parents[1]
PAGES = Path("/work/shared/corpora/pages/ground-truth.json")


def _texts() -> list[str]:
    texts = [d["text"] for d in load_corpus(ROOT / "tests" / "corpus" / "extraction")]
    if PAGES.exists():  # real pages, mostly not about exchanges
        texts += [v["articleBody"] for v in json.loads(PAGES.read_text(encoding="utf-8")).values()]
    return texts


def test_prefixes_cover_every_alternative() -> None:
    got = prefilter.prefixes(r"\b(?:swap(?:s|ped)?|exchang(?:e|es)|pows?|(?:its|their) (?:own )?dead)\b")
    assert got is not None
    assert {"swap", "excha", "pow"} <= {w[:5] for w in got}
    assert any(w.startswith("their") for w in got) and any(w.startswith("its") for w in got)
    assert prefilter.prefixes(r"\w+ days") is None  # no literal start: no pre-filter


def test_every_language_has_a_prefilter() -> None:
    for lang in lexicon.LANGS:
        assert prefilter.stems(lang) is not None, lang


def test_story_without_trigger_is_rejected_and_one_with_it_passes() -> None:
    lex = lexicon.get("en")
    assert prefilter.trigger_hits("The central bank raised interest rates on Tuesday. " * 20, lex) == []
    text = "Markets were calm. Russia and Ukraine swapped 84 prisoners each on Friday."
    hits = prefilter.trigger_hits(text, lex)
    assert hits and text[hits[0]:].lower().startswith(("swap", "prisoner"))


@pytest.mark.parametrize("lang", ["en", "ru", "uk", "de", "fr", "es", "pt"])
def test_trigger_sentences_and_pair_as_a_full_scan_finds_them(lang: str) -> None:
    lex = lexicon.get(lang)
    checked = 0
    for text in _texts():
        end = sentences.body_end(text)
        slow = [m.start() for m in lex.trigger.finditer(text[:end])]
        fast = prefilter.trigger_hits(text[:end], lex)
        all_sents = sentences.split(text, end)
        want = [(s.start, s.end) for s in all_sents if _has_hit(slow, s.start, s.end)]
        assert [(s.start, s.end) for s in all_sents if _has_hit(fast, s.start, s.end)] == want
        lines = _hit_lines(text, fast, end)
        assert [(s.start, s.end) for s in lines] == want
        assert _doc_pair([find_parties(s.text) for s in lines]) == _doc_pair(
            [find_parties(s.text) for s in all_sents if _has_hit(slow, s.start, s.end)])
        checked += bool(want)
    assert checked >= 10


def test_body_end_as_the_chrome_scan() -> None:
    for text in _texts():
        floor = min(200, len(text) // 3)
        want = next((m.start() for m in sentences._CHROME.finditer(text) if m.start() >= floor), len(text))
        assert sentences.body_end(text) == want
