"""Matching gold events (seed_events.jsonl style) against warehouse or extractor output."""

from __future__ import annotations

import json
from pathlib import Path

# The gold events of the seed articles (``../shared/seed_events.jsonl``, kept here so the tests need no
# checkout beside the project; tests/test_corpus_wellformed.py checks the copy against the original)
SEED_EVENTS = Path(__file__).resolve().parent / "fixtures" / "seed_events.jsonl"


def matches(gold: dict, got: dict) -> bool:
    """Same type, status and day; and each count the gold gives is the count found."""
    if got["event_type"] != gold["event_type"] or got["status"] != gold["status"]:
        return False
    if str(got.get("event_date") or "") != str(gold.get("event_date") or ""):
        return False
    got_rt = got["returned_to"] if isinstance(got["returned_to"], dict) else json.loads(got["returned_to"])
    return all(got_rt.get(party) == count for party, count in (gold.get("returned_to") or {}).items()
               if count is not None)


def required_seed_events() -> list[tuple[str, dict]]:
    out = []
    for line in SEED_EVENTS.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        out += [(obj["seed"], ev) for ev in obj["events"] if ev.get("required")]
    return out
