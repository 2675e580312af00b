"""Extraction benchmark: quality on the gold corpus and throughput.

Prints one JSON object per line: {"bench": "extraction", "metric": ..., "value": ..., "unit": ...}.
Usage: python bench/extraction.py [CORPUS_DIR] [--details]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.extract import extract_events  # noqa: E402
from pipeline.extract.scoring import (  # noqa: E402
    evaluate,
    load_corpus,
    metrics,
    predict,
    strict_key,
    to_document,
)

CORPUS = ROOT / "tests" / "corpus" / "extraction"


def throughput(docs: list[dict], min_seconds: float = 1.0) -> float:
    items = [to_document(d) for d in docs]
    if not items:
        return 0.0
    n, start = 0, time.process_time()  # CPU time of this process: the machine is shared
    while time.process_time() - start < min_seconds:
        for item in items:
            extract_events(item)
        n += len(items)
    return n / (time.process_time() - start)


SEEDS = [ROOT / "seeds", ROOT.parent / "shared" / "seeds"]
PAGES = ROOT.parent / "shared" / "corpora" / "pages" / "ground-truth.json"


def realistic_sets() -> dict[str, list[dict]]:
    """Article-sized texts: the seeds (2-9 KB stories about exchanges) and real news pages' cleaned text
    (mostly not about exchanges: the realistic mix a feed brings)."""
    out: dict[str, list[dict]] = {}
    for folder in SEEDS:
        files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
        if files:
            out["seeds"] = [{"id": f.name, "text": f.read_text(encoding="utf-8"), "published": None} for f in files]
            break
    if PAGES.exists():
        pages = json.loads(PAGES.read_text(encoding="utf-8"))
        out["pages"] = [{"id": k, "text": v.get("articleBody") or "", "published": None} for k, v in pages.items()]
    return out


def exceptions(docs: list[dict]) -> int:
    """Documents on which the extractor raised (extract_events hides it and returns [])."""
    from pipeline.extract import extract_from_text

    bad = 0
    for d in docs:
        doc = to_document(d)
        try:
            extract_from_text(doc.text, doc.published)
        except Exception:  # noqa: BLE001
            bad += 1
    return bad


def emit(metric: str, value: float, unit: str) -> None:
    print(json.dumps({"bench": "extraction", "metric": metric, "value": round(value, 4), "unit": unit}))


def details(docs: list[dict]) -> None:
    for doc in docs:
        pred = predict(doc)
        gold = doc.get("events") or []
        pk = [strict_key(e) for e in pred]
        gk = [strict_key(e) for e in gold]
        missing = [k for k in gk if k not in pk]
        extra = [k for k in pk if k not in gk]
        if missing or extra:
            print(f"# {doc.get('id')} ({doc.get('kind')}, pub {doc.get('published')})", file=sys.stderr)
            for k in missing:
                print(f"#   missing {k}", file=sys.stderr)
            for k in extra:
                print(f"#   extra   {k}", file=sys.stderr)


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("--")]
    docs = load_corpus(Path(args[0]) if args else CORPUS)
    if "--details" in argv:
        details(docs)
    for name, value in metrics(evaluate(docs, predict)).items():
        emit(name, value, "count" if name == "negatives_with_events" else "ratio")
    emit("documents", float(len(docs)), "count")
    emit("exceptions", float(exceptions(docs)), "count")
    emit("docs_per_second", throughput(docs), "docs/s")
    for name, items in realistic_sets().items():
        kb = sum(len(d["text"].encode("utf-8")) for d in items) / len(items) / 1024
        emit(f"{name}_mean_kb", kb, "KB")
        emit(f"{name}_docs_per_second", throughput(items), "docs/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
