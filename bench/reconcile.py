"""Reconciliation benchmark: do claims resolve into one exchange per real-world event?

Reads the hand-written clusters in bench/reconcile_clusters/*.json (each claim carries the label of
the real event it reports) and clusters all of them together, so scenarios can also interfere.
Prints one JSON object per line: {"bench": "reconcile", "metric": ..., "value": ..., "unit": ...}.

- pairwise_precision / pairwise_recall: over pairs of claims, "same exchange" predicted vs. true
  (precision falls with over-merging, recall with under-merging);
- exchanges_exact: share of real events whose claims form exactly one predicted exchange;
- counts_correct: share of real events whose exchange resolves to the true day and counts each way;
- e2e_*: the real extractor on the corpus documents, then reconciliation: the share of real dated
  exchanges (from the gold) that come out as exactly one row, and with the gold's counts; rows that
  match no real exchange (extraction errors, undated recalls that found no anchor);
- corpus_pairwise_*: the same pairwise scores on the gold events of the extraction corpus
  (tests/corpus/extraction, written by others: many documents report the same real swaps), where a
  dated gold event's label is its kind, day and parties; undated gold events take part in
  clustering but not in the pairs.

Usage: python bench/reconcile.py [CLUSTERS_DIR] [--details]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.reconcile import Claim, cluster_claims  # noqa: E402
from pipeline.reconcile_resolve import resolve  # noqa: E402
from pipeline.records import Event  # noqa: E402

CLUSTERS = ROOT / "bench" / "reconcile_clusters"
CORPUS = ROOT / "tests" / "corpus" / "extraction"


def load_scenarios(folder: Path = CLUSTERS) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


def claims_of(scenarios: dict[str, dict]) -> tuple[list[Claim], dict[str, str], dict[str, dict]]:
    """Claims (in file order, which is also the order they were 'loaded'), their labels, the truths."""
    claims, labels, truths = [], {}, {}
    start = datetime(2020, 1, 1)
    for name, sc in scenarios.items():
        truths.update(sc["truths"])
        for i, item in enumerate(sc["claims"]):
            ev, art = Event.from_json(item["event"]), item["article"]
            event_id = f"{name}#{i}"
            pub = date.fromisoformat(art["published"]) if art.get("published") else None
            claims.append(Claim(event_id, art["id"], ev.event_type, ev.status, ev.event_date, ev.date_precision,
                                ev.parties, ev.returned_to, ev.count_qualifier, ev.categories, ev.mediators,
                                ev.location, ev.evidence, ev.evidence_span, ev.confidence, pub, art.get("url"),
                                start + timedelta(minutes=len(claims))))
            labels[event_id] = item["truth"]
    return claims, labels, truths


def corpus_claims(folder: Path = CORPUS) -> tuple[list[Claim], dict[str, str]]:
    """The corpus's gold events as claims; labels for the dated ones."""
    claims, labels = [], {}
    for path in sorted(folder.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        pub = date.fromisoformat(doc["published"]) if doc.get("published") else None
        for i, gold in enumerate(doc.get("events", [])):
            ev = Event.from_json({**gold, "evidence": "", "evidence_span": [0, 0], "confidence": 1.0})
            c = Claim(f"{doc['id']}#{i}", doc["id"], ev.event_type, ev.status, ev.event_date, ev.date_precision,
                      ev.parties, ev.returned_to, ev.count_qualifier, ev.categories, ev.mediators, ev.location,
                      published=pub, url=doc.get("url"))
            claims.append(c)
            if c.day:
                labels[c.event_id] = json.dumps([*c.key[:2], c.day.isoformat(), *c.key[2]])
    return claims, labels


def extracted_claims(folder: Path = CORPUS) -> tuple[list[Claim], dict[tuple, Counter]]:
    """The real extractor's events on the corpus documents as claims; the gold exchanges (dated) with
    the figures the gold gives them (kind, day, parties -> Counter of returned_to)."""
    from pipeline.extract import extract_events
    from pipeline.records import Document

    claims, truth = [], {}
    for path in sorted(folder.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        pub = date.fromisoformat(doc["published"]) if doc.get("published") else None
        for gold in doc.get("events", []):
            if gold.get("event_date") and gold.get("date_precision") in (None, "day"):
                g = Event.from_json({**gold, "evidence": "", "evidence_span": [0, 0], "confidence": 1.0})
                key = Claim("", "", g.event_type, g.status, g.event_date, "day", g.parties, ()).key
                truth.setdefault((*key, gold["event_date"]), Counter())[json.dumps(gold["returned_to"],
                                                                                   sort_keys=True)] += 1
        events = extract_events(Document(doc["id"], doc.get("text") or "", pub, doc.get("url")))
        for i, ev in enumerate(events):
            claims.append(Claim(f"{doc['id']}#{i}", doc["id"], ev.event_type, ev.status, ev.event_date,
                                ev.date_precision, ev.parties, ev.returned_to, ev.count_qualifier, ev.categories,
                                ev.mediators, ev.location, ev.evidence, ev.evidence_span, ev.confidence, pub))
    return claims, truth


def end_to_end(folder: Path = CORPUS) -> dict[str, float]:
    """Extractor + reconciliation on the corpus: is each real (dated) exchange one row, with its counts?"""
    claims, truth = extracted_claims(folder)
    rows = [r for r in (resolve(cl) for cl in cluster_claims(claims))  # as the `exchanges` view shows them
            if r.event_date or any(v is not None for v in r.returned_to.values())]
    index: dict[tuple, list] = {}
    for r in rows:
        phase = "handover" if r.status == "conducted" else "deal"
        if r.event_date:
            index.setdefault((r.event_type, phase, r.parties, r.event_date.isoformat()), []).append(r)
    once = [k for k in truth if len(index.get(k, [])) == 1]
    right = [k for k in once if json.dumps(index[k][0].returned_to, sort_keys=True)
             == truth[k].most_common(1)[0][0]]
    extra = sum(len(v) for k, v in index.items() if k not in truth) + sum(r.event_date is None for r in rows)
    n = max(1, len(truth))
    return {"e2e_real_exchanges": len(truth), "e2e_exchange_rows": len(rows), "e2e_one_row_each": len(once) / n,
            "e2e_counts_right": len(right) / n, "e2e_rows_without_real_exchange": extra}


def pairwise(clusters: list[list[Claim]], labels: dict[str, str]) -> tuple[float, float]:
    predicted = {c.event_id: i for i, cl in enumerate(clusters) for c in cl if c.event_id in labels}
    ids = sorted(predicted)
    tp = fp = fn = 0
    for a, b in combinations(ids, 2):
        same_pred, same_true = predicted[a] == predicted[b], labels[a] == labels[b]
        tp += same_pred and same_true
        fp += same_pred and not same_true
        fn += same_true and not same_pred
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def per_event(clusters: list[list[Claim]], labels: dict[str, str], truths: dict[str, dict]) -> dict[str, dict]:
    """For each real event: the exchange holding most of its claims, whether it is exact, its resolution."""
    out = {}
    for label, truth in truths.items():
        mine = {cid for cid, lab in labels.items() if lab == label}
        best = max(clusters, key=lambda cl: len(mine & {c.event_id for c in cl}))
        got = {c.event_id for c in best}
        r = resolve(best)
        day_ok = (r.event_date.isoformat() if r.event_date else None) == truth["event_date"]
        counts_ok = all(r.returned_to.get(side) == v for side, v in truth["returned_to"].items() if v is not None)
        out[label] = {"exact": got == mine, "day_ok": day_ok, "counts_ok": counts_ok, "disputed": r.disputed,
                      "got": {"event_date": str(r.event_date), "returned_to": r.returned_to, "n": len(got)},
                      "missing": sorted(mine - got), "extra": sorted(got - mine)}
    return out


def scale(copies: int = 50) -> tuple[int, float]:
    """Clustering time on the hand-written claims repeated ``copies`` times, 45 days apart."""
    base, _, _ = claims_of(load_scenarios())
    claims = []
    for k in range(copies):
        shift = timedelta(days=45 * k)
        claims += [replace(c, event_id=f"{c.event_id}@{k}", article_id=f"{c.article_id}@{k}",
                           event_date=c.event_date + shift if c.event_date else None,
                           published=c.published + shift if c.published else None) for c in base]
    t0 = time.perf_counter()
    cluster_claims(claims)
    return len(claims), time.perf_counter() - t0


def run(folder: Path = CLUSTERS) -> dict[str, float]:
    claims, labels, truths = claims_of(load_scenarios(folder))
    t0 = time.perf_counter()
    clusters = cluster_claims(claims)
    elapsed = time.perf_counter() - t0
    precision, recall = pairwise(clusters, labels)
    events = per_event(clusters, labels, truths)
    n = max(1, len(events))
    corpus, corpus_labels = corpus_claims()
    corpus_p, corpus_r = pairwise(cluster_claims(corpus), corpus_labels)
    n_scale, scale_seconds = scale()
    return {**end_to_end(), "scale_claims": n_scale, "scale_cluster_seconds": scale_seconds,
            "corpus_pairwise_precision": corpus_p, "corpus_pairwise_recall": corpus_r,"pairwise_precision": precision, "pairwise_recall": recall,
            "exchanges_exact": sum(e["exact"] for e in events.values()) / n,
            "counts_correct": sum(e["exact"] and e["day_ok"] and e["counts_ok"] for e in events.values()) / n,
            "exchanges_predicted": len(clusters), "exchanges_true": len(truths), "claims": len(claims),
            "cluster_seconds": elapsed, "_events": events}  # type: ignore[dict-item]


UNITS = {"corpus_pairwise_precision": "ratio", "corpus_pairwise_recall": "ratio", "pairwise_precision": "ratio", "pairwise_recall": "ratio", "exchanges_exact": "ratio",
         "counts_correct": "ratio", "exchanges_predicted": "count", "exchanges_true": "count", "claims": "count",
         "cluster_seconds": "s", "e2e_real_exchanges": "count", "e2e_exchange_rows": "count",
         "e2e_one_row_each": "ratio", "e2e_counts_right": "ratio", "e2e_rows_without_real_exchange": "count",
         "scale_claims": "count", "scale_cluster_seconds": "s"}


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    result = run(Path(args[0]) if args else CLUSTERS)
    for metric, unit in UNITS.items():
        value = result[metric]
        print(json.dumps({"bench": "reconcile", "metric": metric, "value": round(float(value), 4), "unit": unit}))
    if "--details" in argv:
        for label, e in result["_events"].items():  # type: ignore[union-attr]
            if not (e["exact"] and e["day_ok"] and e["counts_ok"]):
                print(json.dumps({"event": label, **e}, ensure_ascii=False, default=str), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
