"""The seeds' required events (shared/seed_events.jsonl) must all be found."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pipeline.extract import extract_events
from pipeline.records import Document

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path("/work/shared")
SEED_DIRS = [ROOT / "seeds", SHARED / "seeds"]
GOLD_FILES = [ROOT / "seeds" / "seed_events.jsonl", SHARED / "seed_events.jsonl"]


def _gold() -> list[dict]:
    path = next((p for p in GOLD_FILES if p.exists()), None)
    if path is None:
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _text(name: str) -> str:
    for d in SEED_DIRS:
        if (d / name).exists():
            return (d / name).read_text(encoding="utf-8")
    pytest.skip(f"seed {name} not found")


def _matches(pred: dict, gold: dict) -> bool:
    if (pred["event_type"], pred["status"], pred["event_date"]) != (
            gold["event_type"], gold["status"], gold.get("event_date")):
        return False
    return "returned_to" not in gold or pred["returned_to"] == gold["returned_to"]


@pytest.mark.parametrize("seed", _gold(), ids=lambda s: s["seed"])
def test_seed_required_events_found(seed: dict) -> None:
    text = _text(seed["seed"])
    pub = date.fromisoformat(seed["published"]) if seed.get("published") else None
    events = [e.to_json() for e in extract_events(Document(id=seed["seed"], text=text, published=pub))]
    for gold in seed["events"]:
        if gold.get("required", True):
            assert any(_matches(p, gold) for p in events), f"missing {gold}\ngot {events}"


@pytest.mark.parametrize("seed", _gold(), ids=lambda s: s["seed"])
def test_seed_evidence_spans_point_into_text(seed: dict) -> None:
    text = _text(seed["seed"])
    pub = date.fromisoformat(seed["published"]) if seed.get("published") else None
    for ev in extract_events(Document(id=seed["seed"], text=text, published=pub)):
        start, end = ev.evidence_span
        assert text[start:end] == ev.evidence
        assert 0.0 <= ev.confidence <= 1.0


def test_seed_000_tail_yields_nothing() -> None:
    text = _text("000_fb0e4b9382372731.txt")
    cut = text.index("Hashtags")
    for ev in extract_events(Document(id="s0", text=text)):
        assert ev.evidence_span[1] <= cut
