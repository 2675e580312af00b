"""Well-formedness checker for the labelled extraction corpus (tests/corpus/extraction/*.json).

Usage: python tests/corpus/check_corpus.py [DIR]   -> prints problems, exit 1 if any.
Checks structure only (JSON, keys, enums, dates, consistency), not whether the gold is right.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent / "extraction"

DOC_KEYS = {"id", "lang", "kind", "outlet_style", "published", "url", "text", "note", "events"}
KINDS = {"wire", "state", "local", "brief", "analysis", "negative"}
EVENT_KEYS = {"event_type", "status", "event_date", "date_precision", "parties", "returned_to",
              "count_qualifier", "categories", "mediators", "location"}
OPTIONAL_EVENT_KEYS = {"required", "evidence", "note"}
EVENT_TYPES = {"prisoner_exchange", "body_repatriation"}
STATUSES = {"conducted", "agreed", "planned"}
PRECISIONS = {"day", "week", "month", "year", None}
QUALIFIERS = {"exact", "approximate", "at_least", None}
ID_RE = re.compile(r"^[a-z]{2,3}_\d{3,}$")


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def check_event(ev: object, published: str | None) -> list[str]:
    if not isinstance(ev, dict):
        return ["event is not an object"]
    errs: list[str] = []
    missing = EVENT_KEYS - ev.keys()
    extra = ev.keys() - EVENT_KEYS - OPTIONAL_EVENT_KEYS
    if missing:
        errs.append(f"event missing keys {sorted(missing)}")
    if extra:
        errs.append(f"event has unknown keys {sorted(extra)}")
    if ev.get("event_type") not in EVENT_TYPES:
        errs.append(f"bad event_type {ev.get('event_type')!r}")
    if ev.get("status") not in STATUSES:
        errs.append(f"bad status {ev.get('status')!r}")
    date, prec = ev.get("event_date"), ev.get("date_precision")
    if date is not None:
        if not _is_date(date):
            errs.append(f"bad event_date {date!r}")
        elif prec != "day":
            errs.append("event_date set but date_precision is not 'day'")
        elif _is_date(published) and date > published and ev.get("status") == "conducted":
            errs.append(f"conducted event dated after publication ({date} > {published})")
    elif prec == "day":
        errs.append("date_precision 'day' without event_date")
    if prec not in PRECISIONS:
        errs.append(f"bad date_precision {prec!r}")
    parties = ev.get("parties")
    if not (isinstance(parties, list) and len(parties) == 2
            and all(isinstance(p, str) and p for p in parties) and parties[0] != parties[1]):
        errs.append(f"parties must be two distinct names: {parties!r}")
        parties = []
    rt = ev.get("returned_to")
    if not isinstance(rt, dict):
        errs.append("returned_to must be an object")
        rt = {}
    if not set(rt) <= set(parties):
        errs.append(f"returned_to keys {sorted(rt)} not within parties {parties}")
    for k, v in rt.items():
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
            errs.append(f"returned_to[{k}] must be a non-negative int or null")
    q = ev.get("count_qualifier")
    if q not in QUALIFIERS:
        errs.append(f"bad count_qualifier {q!r}")
    if q is not None and not any(isinstance(v, int) for v in rt.values()):
        errs.append("count_qualifier set but no count in returned_to")
    for key in ("categories", "mediators"):
        val = ev.get(key)
        if not (isinstance(val, list) and all(isinstance(x, str) and x for x in val)):
            errs.append(f"{key} must be a list of strings")
    loc = ev.get("location")
    if loc is not None and not (isinstance(loc, str) and loc):
        errs.append("location must be a non-empty string or null")
    if "required" in ev and not isinstance(ev["required"], bool):
        errs.append("required must be a bool")
    return errs


def check_doc(path: Path) -> list[str]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"does not parse: {exc}"]
    if not isinstance(doc, dict):
        return ["top level is not an object"]
    errs: list[str] = []
    missing = DOC_KEYS - doc.keys()
    if missing:
        errs.append(f"missing keys {sorted(missing)}")
    if doc.get("id") != path.stem or not ID_RE.match(str(doc.get("id"))):
        errs.append(f"id {doc.get('id')!r} does not match file name {path.stem!r}")
    elif not str(doc["id"]).startswith(f"{doc.get('lang')}_"):
        errs.append(f"id prefix does not match lang {doc.get('lang')!r}")
    if doc.get("kind") not in KINDS:
        errs.append(f"bad kind {doc.get('kind')!r}")
    pub = doc.get("published")
    if pub is not None and not _is_date(pub):
        errs.append(f"bad published {pub!r}")
    for key in ("text", "note", "outlet_style"):
        if not (isinstance(doc.get(key), str) and doc[key].strip()):
            errs.append(f"{key} must be a non-empty string")
    if doc.get("url") is not None and not isinstance(doc.get("url"), str):
        errs.append("url must be a string or null")
    events = doc.get("events")
    if not isinstance(events, list):
        return errs + ["events must be a list"]
    if doc.get("kind") == "negative" and events:
        errs.append("kind 'negative' must have no events")
    if doc.get("kind") != "negative" and not events:
        errs.append("a non-negative document needs at least one event")
    for i, ev in enumerate(events):
        errs.extend(f"event {i}: {e}" for e in check_event(ev, pub))
    return errs


def check_dir(directory: Path = CORPUS_DIR) -> dict[str, list[str]]:
    return {p.name: errs for p in sorted(directory.glob("*.json")) if (errs := check_doc(p))}


def main(argv: list[str]) -> int:
    directory = Path(argv[1]) if len(argv) > 1 else CORPUS_DIR
    problems = check_dir(directory)
    for name, errs in problems.items():
        for e in errs:
            print(f"{name}: {e}")
    n = len(list(directory.glob("*.json")))
    print(f"{n} files checked, {len(problems)} with problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
