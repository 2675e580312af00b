"""Per-stage throughput and peak memory: feed parsing, cleaning, extraction, validation, loading.

Cleaning is measured on the 181 real pages (with token F1 against their ``articleBody``); the other
stages on the generated corpus (``bench/corpus_gen.py``). Peak memory per stage comes from running
each pipeline stage (``pipeline.stages``) in its own fresh interpreter on a batch of generated pages.

``BENCH_SCALE`` scales every batch; ``BENCH_MEMORY_PAGES`` sets the page batch of the memory run
(default 2,000 x scale, since cleaning 10,000 pages takes minutes; the memory per stage is reported
with its batch size).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import OUT, TreePeak, best_of, emit, peak_rss_mb, real_pages, run_child, scaled, timed  # noqa: E402
from corpus_gen import iter_corpus  # noqa: E402

BENCH = "stages"
_WORD = re.compile(r"\w+", re.UNICODE)


def token_f1(got: str, truth: str) -> float:
    g, t = Counter(_WORD.findall(got.lower())), Counter(_WORD.findall(truth.lower()))
    common = sum((g & t).values())
    if not common:
        return 0.0
    p, r = common / sum(g.values()), common / sum(t.values())
    return 2 * p * r / (p + r)


def bench_feeds() -> None:
    from pipeline.feeds import parse_feed

    docs = list(iter_corpus("docs", 200))
    items = "".join(
        f"<item><title>{escape(d['title'])}</title><link>{escape(d['url'])}</link><guid>{d['id']}</guid>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(d['published']).replace(tzinfo=UTC))}</pubDate>"
        f"<description>{escape(d['text'][:400])}</description></item>" for d in docs)
    body = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title>'
            f"<link>https://bench.invalid/</link><description>d</description>{items}</channel></rss>").encode()
    reps = scaled(20, 2)
    t = best_of(lambda: [parse_feed(body, "https://bench.invalid/feed.xml") for _ in range(reps)], rounds=2)
    n = reps * len(docs)
    emit(BENCH, "feed_items_per_s", n / t.cpu, "items/s", items=n, wall_items_per_s=round(n / t.wall, 1))


def bench_clean() -> None:
    from pipeline.clean import clean
    from pipeline.records import CleanArticle, RawArticle

    pages = real_pages()
    raws = [RawArticle(url=p.url, body=p.html, content_type="text/html", source="feed") for p in pages]
    clean(raws[0])  # warm imports and caches
    results: list = []
    with timed() as t:
        results = [clean(r) for r in raws]
    mb = sum(len(p.html) for p in pages) / 1e6
    emit(BENCH, "clean_pages_per_s", len(raws) / t.cpu, "pages/s", pages=len(raws), corpus="real pages",
         wall_pages_per_s=round(len(raws) / t.wall, 2))
    emit(BENCH, "clean_mb_per_s", mb / t.cpu, "MB/s", mb=round(mb, 2))
    f1 = [token_f1(r.text if isinstance(r, CleanArticle) else "", p.truth) for r, p in zip(results, pages, strict=True)]
    emit(BENCH, "clean_token_f1_mean", sum(f1) / len(f1), "ratio", vs="articleBody")
    emit(BENCH, "clean_token_f1_median", sorted(f1)[len(f1) // 2], "ratio", vs="articleBody")
    emit(BENCH, "clean_rejected", sum(1 for r in results if not isinstance(r, CleanArticle)), "pages")


def bench_extract() -> list:
    from pipeline.extract import extract_events
    from pipeline.records import Document, EventRow

    raw = list(iter_corpus("docs", scaled(10_000, 50)))
    docs = [Document.from_json(d) for d in raw]
    extract_events(docs[0])
    out: list = []
    with timed() as t:
        for d in docs:
            out += [EventRow(e.event_id(d.id), d.id, e) for e in extract_events(d)]
    emit(BENCH, "extract_docs_per_s", len(docs) / t.cpu, "docs/s", docs=len(docs), events=len(out),
         corpus="generated", wall_docs_per_s=round(len(docs) / t.wall, 1))
    exchange = [d for d, r in zip(docs, raw, strict=True) if r["topic"] == "exchange"]
    with timed() as t:  # the stories about exchanges alone: the extractor's whole path every time
        for d in exchange:
            extract_events(d)
    emit(BENCH, "extract_exchange_docs_per_s", len(exchange) / max(t.cpu, 1e-9), "docs/s", docs=len(exchange),
         corpus="generated, exchange stories only", wall_docs_per_s=round(len(exchange) / max(t.wall, 1e-9), 1))
    return [raw, out]


def bench_validate(raw: list, rows: list) -> None:
    from pipeline.validate_frame import ArticleRef, BatchMetrics

    with timed() as imp:
        from pipeline.validate import _gx, validate

        _gx()
    emit(BENCH, "gx_import_s", imp.wall, "s", note="once per process, not counted below")
    refs = {d["id"]: ArticleRef(d["text"], date.fromisoformat(d["published"])) for d in raw}
    metrics = BatchMetrics(len(rows), 0, len(raw), (len(raw),), 1.0)
    validate(rows[:10], refs, metrics, 24.0)  # warm GX's per-expectation code paths
    t = best_of(lambda: validate(rows, refs, metrics, 24.0), rounds=2)
    emit(BENCH, "validate_rows_per_s", len(rows) / t.cpu, "rows/s", rows=len(rows), seconds=round(t.cpu, 3))
    small = rows[:50]
    t = best_of(lambda: validate(small, refs, metrics, 24.0), rounds=3)
    emit(BENCH, "validate_50_rows_s", t.cpu, "s", note="fixed cost of one small batch")


def bench_load(raw: list, rows: list) -> None:
    from pipeline.clean import detect_language
    from pipeline.records import CleanArticle, ValidatedBatch
    from pipeline.textutil import fingerprint
    from pipeline.warehouse import writer
    from pipeline.warehouse.load import RunInfo, load

    arts = [CleanArticle(d["id"], d["url"], d["title"], d["text"], date.fromisoformat(d["published"]),
                         detect_language(d["text"]), fingerprint(d["text"]), "feed") for d in raw]
    base = OUT / "stages-load"
    shutil.rmtree(base, ignore_errors=True)
    path = base / "warehouse.duckdb"
    with writer(path):
        pass  # create and migrate outside the timing
    run = RunInfo("bench-load", "feeds", datetime.now(UTC), datetime.now(UTC), "bench")
    with timed() as t:
        with writer(path, base / "warehouse.read.duckdb") as con:
            load(con, run, articles=arts, aliases=[], validated=ValidatedBatch(tuple(rows), ()), rejections=[],
                 outcomes=[], summary={})
    n = len(arts) + len(rows)
    emit(BENCH, "load_rows_per_s", n / t.wall, "rows/s", articles=len(arts), events=len(rows), clock="wall",
         seconds=round(t.wall, 3), note="one transaction, checkpoint and replica copy included")
    shutil.rmtree(base, ignore_errors=True)


# ---- peak memory per stage: each stage in its own interpreter --------------------------------------

def _settings(base: Path):
    from pipeline.settings import Settings

    return Settings.from_env({"PIPELINE_WAREHOUSE": str(base / "wh" / "warehouse.duckdb"),
                              "PIPELINE_REPORTS_DIR": str(base / "reports")})


def _generated_feeds(settings, sink, n: int):
    """Stands in for ``FeedSource.collect``: ``feed_concurrency`` threads hand the sink generated pages
    as they "arrive" (feeds of 50 entries), the way fetching threads do; no HTTP."""
    import threading

    from pipeline.records import RawArticle
    from pipeline.sources import Collected

    pages, guard = enumerate(iter_corpus("pages", n)), threading.Lock()

    def worker() -> None:
        while True:
            with guard:
                i, p = next(pages, (-1, None))
            if p is None:
                return
            sink.add(divmod(i, 50), RawArticle(
                url=p["url"], body=p["html"].encode("utf-8"), content_type="text/html", source="feed",
                feed_url="https://bench.invalid/feed.xml", title_hint=p["title"],
                published_hint=date.fromisoformat(p["published"])))

    threads = [threading.Thread(target=worker) for _ in range(settings.feed_concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Collected()


def child(stage: str, base: Path, n: int) -> dict:
    from pipeline import stages

    settings, run_id = _settings(base), "bench-memory"
    if stage == "transform":
        import pipeline.clean  # noqa: F401 - imports are not the stage's memory
        import pipeline.extract  # noqa: F401
    if stage == "validate":
        from pipeline.validate import _gx

        _gx()
    baseline = peak_rss_mb()
    start = time.perf_counter()
    with TreePeak() as tree:  # the stage's worker processes too (transform's cleaner workers)
        if stage == "collect":
            stages.collect_stage(settings, run_id, "feeds", source=lambda sink: _generated_feeds(settings, sink, n))
        elif stage == "transform":
            stages.transform_stage(settings, run_id, workers=int(os.environ.get("BENCH_WORKERS", "1")))
        elif stage == "validate":
            stages.validate_stage(settings, run_id, now=datetime.now(UTC))
        elif stage == "load":
            stages.load_stage(settings, run_id, datetime.now(UTC), datetime.now(UTC))
    return {"stage": stage, "peak_mb": peak_rss_mb(), "baseline_mb": baseline, "tree_peak_pss_mb": tree.peak,
            "seconds": time.perf_counter() - start}


def bench_memory() -> None:
    n = int(os.environ.get("BENCH_MEMORY_PAGES") or scaled(2_000, 20))
    base = OUT / "stages-memory"
    shutil.rmtree(base, ignore_errors=True)
    list(iter_corpus("pages", n))  # generate outside the measured children
    workers = int(os.environ.get("BENCH_WORKERS", "1"))
    for stage in ("collect", "transform", "validate", "load"):
        res = run_child(Path(__file__), ["--child", stage, str(base), str(n)])
        emit(BENCH, f"peak_rss_mb_{stage}", res["peak_mb"], "MB", articles=n, workers=workers,
             above_imports_mb=round(res["peak_mb"] - res["baseline_mb"], 1), seconds=round(res["seconds"], 2),
             note="the stage's own process: interpreter, imports and the stage")
        emit(BENCH, f"peak_tree_mb_{stage}", res["tree_peak_pss_mb"], "MB", articles=n, workers=workers,
             note="PSS of the stage's process and every process under it (cleaner workers), sampled every 0.1 s")
    shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[1:2] == ["--child"]:
        import json

        print(json.dumps(child(argv[2], Path(argv[3]), int(argv[4]))))
        return 0
    if "--memory" in argv:  # only the peak-memory run (e.g. BENCH_MEMORY_PAGES=10000)
        bench_memory()
        return 0
    bench_feeds()
    bench_clean()
    raw, rows = bench_extract()
    bench_validate(raw, rows)
    bench_load(raw, rows)
    bench_memory()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
