"""Extraction benchmark: quality on the gold corpus and throughput.

Prints one JSON object per line: {"bench": "extraction", "metric": ..., "value": ..., "unit": ...,
"load_avg_1m": ...}. Throughput is per CPU second of this process (the machine is shared).

Usage: python bench/extraction.py [CORPUS_DIR] [--details]
       python bench/extraction.py --speed [--against OTHER_TREE]
``--speed`` only measures throughput on the generated corpus (``bench/corpus_gen.py``, 10,000 x
BENCH_SCALE documents): the feed-like mix (a third about exchanges) and the exchange stories alone, plus
the seeds (real articles about exchanges). ``--against`` also runs the same measurement on another
checkout's extractor (e.g. main), in turns with this one, and prints the ratios.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))
if "--code" in sys.argv:  # a child measuring another checkout's extractor
    sys.path.insert(0, sys.argv[sys.argv.index("--code") + 1])

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


def emit(metric: str, value: float, unit: str, **extra: object) -> None:
    from benchkit import emit as emit_line

    emit_line("extraction", metric, value, unit, **extra)


def speed_sets() -> dict[str, list]:
    """Generated mix, its exchange stories alone, the seeds: each a list of extractor inputs."""
    from benchkit import scaled
    from corpus_gen import iter_corpus

    from pipeline.records import Document

    raw = list(iter_corpus("docs", scaled(10_000, 60)))
    mix = [Document.from_json(d) for d in raw]
    sets = {"mix": mix, "exchange": [d for d, r in zip(mix, raw, strict=True) if r["topic"] == "exchange"]}
    seeds = realistic_sets().get("seeds")
    if seeds:
        sets["seeds"] = [to_document(d) for d in seeds]
    return sets


def measure(sets: dict[str, list], seconds: float) -> dict[str, float]:
    """Documents per CPU second of each set (whole passes, at least ``seconds`` of CPU each)."""
    extract_events(next(iter(sets.values()))[0])  # warm the lexicon
    out = {}
    for name, items in sets.items():
        n, start = 0, time.process_time()
        while n == 0 or time.process_time() - start < seconds:
            for item in items:
                extract_events(item)
            n += len(items)
        out[name] = n / (time.process_time() - start)
    return out


_SPEED_UNITS = {"mix": ("extract_mix_docs_per_s", "generated, a third about exchanges"),
                "exchange": ("extract_exchange_docs_per_s", "generated, exchange stories only"),
                "seeds": ("extract_seeds_docs_per_s", "real articles about exchanges")}


def speed(argv: list[str]) -> None:
    import os
    import statistics
    import subprocess

    seconds = float(os.environ.get("BENCH_EXTRACT_SECONDS", "3"))
    if "--child" in argv:
        print(json.dumps(measure(speed_sets(), seconds)))
        return
    other = argv[argv.index("--against") + 1] if "--against" in argv else None
    runs: dict[str, list[dict[str, float]]] = {"this": [], "other": []}
    rounds = int(os.environ.get("BENCH_EXTRACT_ROUNDS", "3")) if other else 1
    for k in range(rounds):  # in turns, so that both see the same load
        order = [("this", str(ROOT)), ("other", other)] if k % 2 == 0 else [("other", other), ("this", str(ROOT))]
        for who, code in order:
            if code is None:
                continue
            proc = subprocess.run([sys.executable, __file__, "--speed", "--child", "--code", code],
                                  capture_output=True, text=True, check=True)
            runs[who].append(json.loads(proc.stdout.splitlines()[-1]))
    for name, (metric, corpus) in _SPEED_UNITS.items():
        if name not in runs["this"][0]:
            continue
        this = statistics.median(r[name] for r in runs["this"])
        emit(metric, this, "docs/s", clock="cpu", corpus=corpus, rounds=rounds)
        if runs["other"]:
            base = statistics.median(r[name] for r in runs["other"])
            emit(f"{metric}_vs_other", this / base, "ratio", other=other, other_docs_per_s=round(base, 1))


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
    if "--speed" in argv:
        speed(argv)
        return 0
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
