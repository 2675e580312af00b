"""Scoring of extracted events against gold events (shared by the quality gate and the benchmark).

Strict match: same event_type, status, event_date and returned_to (every count each way). Gold events
marked ``"required": false`` are optional: missing them costs nothing and finding them is no error.
Per-field precision/recall are computed over predicted/gold events paired by type.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIELDS = ("status", "event_date", "date_precision", "parties", "returned_to", "count_qualifier",
          "categories", "mediators", "location")
_SETS = ("parties", "categories", "mediators")


def strict_key(ev: dict[str, Any]) -> tuple:
    rt = ev.get("returned_to") or {}
    return (ev.get("event_type"), ev.get("status"), ev.get("event_date"), tuple(sorted(rt.items())))


def _norm(ev: dict[str, Any], name: str) -> Any:
    val = ev.get(name)
    if name in _SETS:
        return frozenset(val or ())
    if name == "returned_to":
        return tuple(sorted((val or {}).items()))
    return val


@dataclass
class Tally:
    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0
    fields: dict[str, list[int]] = field(default_factory=lambda: {f: [0, 0, 0] for f in FIELDS})

    def add(self, other: Tally) -> None:
        self.tp += other.tp
        self.n_pred += other.n_pred
        self.n_gold += other.n_gold
        for f, (a, b, c) in other.fields.items():
            self.fields[f][0] += a
            self.fields[f][1] += b
            self.fields[f][2] += c

    def prf(self) -> tuple[float, float, float]:
        return prf(self.tp, self.n_pred, self.n_gold)


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score_doc(pred: list[dict[str, Any]], gold: list[dict[str, Any]]) -> Tally:
    """Strict matches and per-field agreement for one document."""
    t = Tally()
    free = list(range(len(gold)))
    unmatched_pred = []
    for p in pred:
        hit = next((i for i in free if strict_key(gold[i]) == strict_key(p)), None)
        if hit is None:
            unmatched_pred.append(p)
            continue
        free.remove(hit)
        if gold[hit].get("required", True):
            t.tp += 1
            t.n_pred += 1
            t.n_gold += 1
        _field_pair(t, p, gold[hit], gold[hit].get("required", True))
    t.n_pred += len(unmatched_pred)
    rest_gold = [gold[i] for i in free]
    t.n_gold += sum(1 for g in rest_gold if g.get("required", True))
    for p in unmatched_pred:
        cand = [g for g in rest_gold if g.get("event_type") == p.get("event_type")]
        if not cand:
            continue
        g = max(cand, key=lambda g: sum(_norm(g, f) == _norm(p, f) for f in FIELDS))
        rest_gold.remove(g)
        _field_pair(t, p, g, True)
    return t


def _field_pair(t: Tally, p: dict[str, Any], g: dict[str, Any], counted: bool) -> None:
    if not counted:
        return
    for f in FIELDS:
        if _norm(p, f) == _norm(g, f):
            t.fields[f][0] += 1


def field_prf(t: Tally, name: str) -> tuple[float, float, float]:
    return prf(t.fields[name][0], t.n_pred, t.n_gold)


def to_document(doc: dict[str, Any]):
    """A gold corpus document as the extractor's input record."""
    from datetime import date

    from pipeline.records import Document

    pub = doc.get("published")
    return Document(id=str(doc.get("id")), text=doc.get("text") or "",
                    published=date.fromisoformat(pub) if pub else None, url=doc.get("url"))


def predict(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """EVENT dicts the extractor finds in a gold corpus document."""
    from pipeline.extract import extract_events

    return [e.to_json() for e in extract_events(to_document(doc))]


def load_corpus(directory: Path) -> list[dict[str, Any]]:
    docs = []
    for path in sorted(directory.glob("*.json")):
        try:
            docs.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue
    return docs


def evaluate(docs: Iterable[dict[str, Any]], predict) -> dict[str, Any]:
    """Run ``predict(doc) -> [EVENT dict]`` over gold docs; overall, per-language and negative figures."""
    total, by_lang = Tally(), dict[str, Tally]()
    negatives_with_events = 0
    n_docs = 0
    for doc in docs:
        n_docs += 1
        pred = predict(doc)
        t = score_doc(pred, doc.get("events") or [])
        total.add(t)
        by_lang.setdefault(doc.get("lang", "?"), Tally()).add(t)
        if doc.get("kind") == "negative" and pred:
            negatives_with_events += 1
    return {"all": total, "langs": by_lang, "negatives_with_events": negatives_with_events, "docs": n_docs}


def metrics(result: dict[str, Any]) -> dict[str, float]:
    """Flat metric name -> value, the names used by the gate's baseline and the benchmark."""
    out: dict[str, float] = {}
    p, r, f = result["all"].prf()
    out.update({"strict_precision": p, "strict_recall": r, "strict_f1": f})
    for name in FIELDS:
        fp, fr, _ = field_prf(result["all"], name)
        out[f"{name}_precision"] = fp
        out[f"{name}_recall"] = fr
    for lang, t in sorted(result["langs"].items()):
        out[f"strict_f1_{lang}"] = t.prf()[2]
    out["negatives_with_events"] = float(result["negatives_with_events"])
    return out
