"""Loading into a big warehouse: a batch of 1,000 articles into 1,000,000 stored ones vs an empty one.

The big warehouse is made in DuckDB itself (``INSERT ... SELECT`` over ``range()``): every article
gets its own window of a pool of generated news text (lengths like real articles: 1.5 to 7.5 kB,
so the file compresses like text, not like copies of one string), plus 0.3 events an article.
It is built once and kept under ``bench/out/`` (rebuilt when missing); ``BENCH_SCALE`` scales it.

Figures: ``load_1m_vs_empty`` (the whole ``load()``: inserts, ``reconcile_pending``, commit, and the
checkpoint as the ingest makes it, which leaves merging row groups to the maintenance run:
``pipeline.warehouse.checkpoint``; target <= 1.5), the same without the time spent in ``reconcile_pending``, the read-only
copy published after each load (the first a whole-file copy, the next ones by what changed), and what the
next pass reads from the copy before fetching (``known_state``). ``load_1m_vs_empty_cpu`` is the same
ratio in CPU time of the process (steadier on a shared machine). ``BENCH_LOAD_BATCHES`` (default 3)
sets how many batches each warehouse gets, in turns (the best of each is kept: one batch is one sample
of a machine whose speed drifts); ``BENCH_SCALE=0.1`` makes a quick run. ``load_1m_vs_empty_paired`` is
the median of each batch's own ratio, the batch loaded into the 1M warehouse and then into one made empty
just before (a pair shares the machine's speed of the moment); ``load_1000_into_small_s`` is the empty
warehouse's last batch, loaded into the earlier batches (every claim then joins a stored exchange).
``row_group_merge_after_loads_1m_s``: what the loads left to the maintenance run's checkpoint (merging
their row groups), in the 1M warehouse and the empty one after the same batches.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import OUT, emit, scaled, timed  # noqa: E402
from corpus_gen import iter_corpus  # noqa: E402

BENCH = "load_scale"
BUILD_VERSION = 3  # 2: no primary keys on articles, event_rows (migration 0801); 3: reconciled

POOL = 5_000  # generated documents whose text the rows are cut from
FILL_ARTICLES = """
INSERT INTO articles
SELECT substr(md5('a' || i::VARCHAR), 1, 16), 'https://news' || (i % 997)::VARCHAR || '.bench.invalid/a/' || i::VARCHAR,
       'feed', 'https://feed' || (i % 500)::VARCHAR || '.bench.invalid/rss', substr(p1.text, 1, 90),
       substr(p1.text || ' ' || p2.text, 1 + (hash(i + 7) % 400)::INTEGER, 1500 + (hash(i + 3) % 6000)::INTEGER),
       DATE '2022-01-01' + (i % 1400)::INTEGER, 'en', substr(md5('f' || i::VARCHAR), 1, 24), 'bench-fill',
       TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds(i)
FROM range(?, ?) t(i)
JOIN _pool p1 ON p1.k = hash(i) % 5000 JOIN _pool p2 ON p2.k = hash(i + 1) % 5000
"""
FILL_EVENTS = """
INSERT INTO event_rows
SELECT substr(md5('e' || i::VARCHAR), 1, 16), substr(md5('a' || (i * 3)::VARCHAR), 1, 16),
       CASE WHEN i % 5 = 0 THEN 'body_repatriation' ELSE 'prisoner_exchange' END,
       CASE WHEN i % 7 = 0 THEN 'agreed' ELSE 'conducted' END, DATE '2022-01-01' + (i % 1400)::INTEGER, 'day',
       pr, '{"' || pr[1] || '": ' || (i % 400)::VARCHAR || ', "' || pr[2] || '": ' || (i % 400)::VARCHAR || '}',
       'exact', ['civilians'], ['United Arab Emirates'], NULL,
       substr(p.text, 1 + (hash(i) % 200)::INTEGER, 180), 0, 180, 0.9, 'bench', 'bench-fill',
       TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds(i)
FROM (SELECT i, CASE WHEN i % 10 < 7 THEN ['Russia', 'Ukraine'] WHEN i % 10 = 7 THEN ['Armenia', 'Azerbaijan']
             WHEN i % 10 = 8 THEN ['Russia', 'United States'] ELSE ['Saudi Arabia', 'Yemen'] END AS pr
      FROM range(?, ?) t(i)) t JOIN _pool p ON p.k = hash(i) % 5000
"""


def _pool_rows() -> list[tuple[int, str]]:
    return [(k, d["text"]) for k, d in enumerate(iter_corpus("docs", POOL))]


def build(path: Path, n: int) -> float:
    """The warehouse of ``n`` articles (kept; rebuilt only when missing). Returns build seconds."""
    from pipeline.warehouse import writer

    marker = path.with_suffix(f".v{BUILD_VERSION}-{n}.ok")
    if marker.exists() and path.exists():
        _fold_in(path)
        return 0.0
    shutil.rmtree(path.parent, ignore_errors=True)
    start = time.perf_counter()
    with writer(path) as con:
        con.execute("CREATE TEMP TABLE _pool (k UBIGINT, text VARCHAR)")
        con.executemany("INSERT INTO _pool VALUES (?, ?)", _pool_rows())
        step = 250_000
        for lo in range(0, n, step):
            con.execute(FILL_ARTICLES, [lo, min(n, lo + step)])
        con.execute(FILL_EVENTS, [0, int(n * 0.3)])
    _fold_in(path)
    marker.touch()
    return time.perf_counter() - start


def _fold_in(path: Path) -> None:
    """A warehouse in service has had its claims reconciled into exchanges and its mark recorded (a
    warehouse built before the mark gets it here, once: the first reconcile looks at every claim)."""
    from pipeline.warehouse import writer
    from pipeline.warehouse.exchanges import reconcile_pending

    with writer(path) as con:
        if con.execute("SELECT count(*) FROM reconcile_mark").fetchone()[0]:
            return
        con.execute("BEGIN TRANSACTION")
        reconcile_pending(con, "bench-fill", datetime.now(UTC))
        con.execute("COMMIT")


def batch(size: int):
    """``size`` new articles (ids unique to this run) and their extracted events."""
    from pipeline.clean import detect_language
    from pipeline.extract import extract_events
    from pipeline.records import CleanArticle, Document, EventRow, stable_id
    from pipeline.textutil import fingerprint

    nonce = uuid.uuid4().hex[:8]
    arts, rows = [], []
    for d in iter_corpus("docs", size, seed=1):
        aid = stable_id(nonce, d["id"])  # 16 hex digits, as the pipeline's ids (``article_id_for``)
        pub = date.fromisoformat(d["published"])
        arts.append(CleanArticle(aid, d["url"] + "?" + nonce, d["title"], d["text"], pub, detect_language(d["text"]),
                                 fingerprint(nonce + d["text"]), "feed"))
        rows += [EventRow(e.event_id(aid), aid, e) for e in extract_events(Document(aid, d["text"], pub))]
    return arts, rows


def timed_load(path: Path, replica: Path, arts: list, rows: list) -> dict[str, float]:
    from pipeline.records import ValidatedBatch
    from pipeline.warehouse import connect_writer, publish_replica
    from pipeline.warehouse import load as WL
    from pipeline.warehouse.checkpoint import after_load
    from pipeline.warehouse.load import RunInfo, load

    run = RunInfo("bench-" + uuid.uuid4().hex[:8], "feeds", datetime.now(UTC), datetime.now(UTC), "bench")
    out = {"reconcile": 0.0, "reconcile_cpu": 0.0}
    real = WL.reconcile_pending

    def timed_reconcile(*args, **kwargs):
        with timed() as t:
            res = real(*args, **kwargs)
        out["reconcile"] += t.wall
        out["reconcile_cpu"] += t.cpu
        return res

    WL.reconcile_pending = timed_reconcile
    with timed() as t_open:
        con = connect_writer(path)
    with timed() as t_load:
        counts = load(con, run, articles=arts, aliases=[], validated=ValidatedBatch(tuple(rows), ()),
                      rejections=[], outcomes=[], summary={})
    with timed() as t_ckpt:
        merged = after_load(con)  # the ingest's checkpoint: row groups are merged by the maintenance run
    con.close()
    with timed() as t_copy:
        published = publish_replica(path, replica)
    WL.reconcile_pending = real
    assert counts.articles_new == len(arts), counts
    out.update(open=t_open.wall, load=t_load.wall, checkpoint=t_ckpt.wall, replica=t_copy.wall,
               replica_mode=published.mode, load_cpu=t_load.cpu + t_ckpt.cpu, merged=merged)
    return out


def inserts_only(path: Path, arts: list, rows: list) -> float:
    """The article and event inserts, commit and checkpoint, without the rest of ``load()``."""
    from pipeline.warehouse import connect_writer
    from pipeline.warehouse import load as WL
    from pipeline.warehouse.checkpoint import checkpoint

    run = WL.RunInfo("bench-" + uuid.uuid4().hex[:8], "feeds", datetime.now(UTC), datetime.now(UTC), "bench")
    con = connect_writer(path)
    with timed() as t:
        con.execute("BEGIN TRANSACTION")
        WL._insert_articles(con, arts, run)
        WL._insert(con, "event_rows", WL.event_rows(tuple(rows), run), WL.EVENT_SCHEMA)
        con.execute("COMMIT")
        checkpoint(con, merge_row_groups=False)  # as the load's
    # Not reconciled (that is the point): removed again, or the next timed load would fold them in.
    for table in ("event_rows", "articles"):
        con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run.run_id])
    con.close()
    return t.wall


def merge_row_groups(path: Path) -> float:
    """What the maintenance run's checkpoint pays for the row groups the loads left to it: a merging
    checkpoint after a write of its own (here a one-row table; the reconcile writes its upkeep row)."""
    from pipeline.warehouse import connect_writer
    from pipeline.warehouse.checkpoint import checkpoint

    con = connect_writer(path)
    try:
        con.execute("CREATE OR REPLACE TABLE bench_touch AS SELECT 1 AS x")
        with timed() as t:
            checkpoint(con)
    finally:
        con.close()
    return t.wall


def emit_inserts_only(empty: Path, big: Path, size: int, n_big: int) -> None:
    a, b = [], []
    for _ in range(2):
        arts, rows = batch(size)
        a.append(inserts_only(empty, arts, rows))
        b.append(inserts_only(big, arts, rows))
    emit(BENCH, "load_1m_vs_empty_inserts_only", min(b) / min(a), "ratio", stored=n_big, empty_s=round(min(a), 3),
         big_s=round(min(b), 3), note="articles + events inserts, commit, checkpoint; no reconcile; best of 2")


def emit_known_lookups(big: Path, n_big: int, feeds: int = 20, per_feed: int = 50) -> None:
    """What a pass asks the read-only copy about its batch: ``known_state`` (feed state), then one
    ``known_ids`` a feed for its entries' URLs (collect; ``feeds`` x ``per_feed`` = 1,000 candidates),
    and the batch's fingerprints in ``FINGERPRINT_CHUNK``s (transform), half of them stored.
    The generated articles' ids are not hashes of their URLs, so ``stored_article_ids`` is also timed
    on 1,000 ids half of which are stored, to show the answers are right, not only fast."""
    import hashlib
    import random
    import statistics

    from pipeline.settings import Settings
    from pipeline.stages import FINGERPRINT_CHUNK
    from pipeline.warehouse import known_state

    rng = random.Random(8)
    picks = [rng.randrange(n_big) if k % 2 else n_big + rng.randrange(n_big) for k in range(feeds * per_feed)]
    urls = [f"https://news{i % 997}.bench.invalid/a/{i}" for i in picks]
    ids = [hashlib.md5(f"a{i}".encode()).hexdigest()[:16] for i in picks]
    fps = [hashlib.md5(f"f{i}".encode()).hexdigest()[:24] for i in picks]
    settings = Settings.from_env({"PIPELINE_WAREHOUSE": str(big)})  # reads the published copy beside it
    for round_ in ("first", "again"):
        with timed() as total:
            with timed() as opened:
                known = known_state(settings)
            per_feed_s, chunk_s, found_fps = [], [], {}
            with known:
                for f in range(feeds):
                    with timed() as t:
                        known.known_ids(urls[f * per_feed:(f + 1) * per_feed])
                    per_feed_s.append(t.wall)
                for c in range(0, len(fps), FINGERPRINT_CHUNK):
                    with timed() as t:
                        found_fps.update(known.stored_fingerprints(fps[c:c + FINGERPRINT_CHUNK]))
                    chunk_s.append(t.wall)
                with timed() as t_ids:
                    found_ids = known.lookup.stored_article_ids(ids)
        emit(BENCH, "known_state_1m_s", total.wall, "s", round=round_, stored=n_big, candidates=len(urls),
             feeds=feeds, open_s=round(opened.wall, 4), per_feed_median_s=round(statistics.median(per_feed_s), 4),
             fingerprint_chunks=len(chunk_s), fingerprint_chunk_median_s=round(statistics.median(chunk_s), 4),
             clock="wall", note="what a pass asks before fetching (collect) and before keeping (transform): "
                                "feed state, one lookup a feed, fingerprints a chunk at a time")
        emit(BENCH, "known_ids_1000_1m_s", t_ids.wall, "s", round=round_, asked=len(ids), found=len(found_ids),
             stored_asked=sum(1 for k in range(len(picks)) if k % 2), fingerprints_found=len(found_fps), clock="wall")


def _total(r: dict, with_reconcile: bool = True) -> float:
    """A timed load's seconds: ``load()`` and the checkpoint (optionally without ``reconcile_pending``)."""
    return r["load"] + r["checkpoint"] - (0 if with_reconcile else r["reconcile"])


def emit_paired(results: dict, n: int, size: int, n_big: int) -> None:
    """Each batch's 1M load against the same batch into a warehouse made empty just before (the two
    back to back share the machine's speed of the moment, which drifts between batches); and the
    empty warehouse's last batch, which holds the earlier ones: their claims are the same events, so
    every claim joins a stored exchange there too, as in the 1M warehouse."""
    paired = [_total(results[f"big{k}"]) / _total(results[f"fresh{k}"]) for k in range(n)]
    emit(BENCH, "load_1m_vs_empty_paired", statistics.median(paired), "ratio", target="<= 1.5", stored=n_big,
         ratios=[round(x, 3) for x in paired], note="the median of the batches' own ratios: each batch into the 1M "
         "warehouse, then into a freshly made empty one")
    if n > 1:
        emit(BENCH, "load_1000_into_small_s", _total(results[f"empty{n - 1}"]), "s", stored=(n - 1) * size,
             into_1m_s=[round(_total(results[f"big{k}"]), 3) for k in range(n)],
             note="the empty warehouse's last batch, into the earlier batches' articles (same events: every "
                  "claim joins a stored exchange, as in the 1M load)")


def main() -> int:
    from pipeline.warehouse import writer

    n_big, size = scaled(1_000_000, 1_000), scaled(1_000, 10)
    big = OUT / "load-scale" / "big" / "warehouse.duckdb"
    if "--known-only" in sys.argv:  # only the lookups, against a built warehouse (opened read-only)
        big = Path(os.environ.get("BENCH_BIG_WAREHOUSE", str(big)))
        emit_known_lookups(big, n_big)
        return 0
    empty = OUT / "load-scale" / "empty" / "warehouse.duckdb"
    built = build(big, n_big)
    if built:
        emit(BENCH, "build_big_warehouse_s", built, "s", articles=n_big)
    shutil.rmtree(empty.parent, ignore_errors=True)
    with writer(empty):
        pass
    emit(BENCH, "big_warehouse_mb", big.stat().st_size / 1e6, "MB", articles=n_big)
    batches = [batch(size) for _ in range(int(os.environ.get("BENCH_LOAD_BATCHES", "3")))]
    arts, rows = batches[0]
    fresh = OUT / "load-scale" / "fresh" / "warehouse.duckdb"
    results = {}
    for k, (b_arts, b_rows) in enumerate(batches):
        for name, path in (("empty", empty), ("big", big)):
            results[f"{name}{k}"] = timed_load(path, path.with_name("warehouse.read.duckdb"), b_arts, b_rows)
        shutil.rmtree(fresh.parent, ignore_errors=True)  # the same batch again, into a warehouse empty every time
        with writer(fresh):
            pass
        results[f"fresh{k}"] = timed_load(fresh, fresh.with_name("warehouse.read.duckdb"), b_arts, b_rows)
    shutil.rmtree(fresh.parent, ignore_errors=True)
    emit_paired(results, len(batches), size, n_big)
    def best(prefix: str, with_reconcile: bool) -> float:
        return min(_total(r, with_reconcile) for k, r in results.items() if k.startswith(prefix))

    e, b = best("empty", True), best("big", True)
    emit(BENCH, "load_1000_into_empty_s", e, "s", articles=size, events=len(rows), clock="wall")
    emit(BENCH, "load_1000_into_1m_s", b, "s", articles=size, events=len(rows), stored=n_big, clock="wall")
    emit(BENCH, "load_1m_vs_empty", b / e, "ratio", target="<= 1.5", stored=n_big,
         note="the whole load(): inserts, reconcile_pending, commit, checkpoint; best of BENCH_LOAD_BATCHES batches (default 3)")
    e2, b2 = best("empty", False), best("big", False)
    emit(BENCH, "load_1m_vs_empty_without_reconcile", b2 / e2, "ratio", stored=n_big, empty_s=round(e2, 3),
         big_s=round(b2, 3), note="inserts, commit, checkpoint: the same load minus reconcile_pending")
    emit(BENCH, "reconcile_in_load_1m_s", min(r["reconcile"] for k, r in results.items() if k.startswith("big")),
         "s", stored=n_big, events_stored=int(n_big * 0.3))
    e_cpu = min(r["load_cpu"] for k, r in results.items() if k.startswith("empty"))
    b_cpu = min(r["load_cpu"] for k, r in results.items() if k.startswith("big"))
    emit(BENCH, "load_1m_vs_empty_cpu", b_cpu / e_cpu, "ratio", target="<= 1.5", empty_s=round(e_cpu, 3),
         big_s=round(b_cpu, 3), clock="CPU time of the process (all threads)", note="the same loads as load_1m_vs_empty")
    emit(BENCH, "reconcile_in_load_1m_cpu_s",
         min(r["reconcile_cpu"] for k, r in results.items() if k.startswith("big")), "s", clock="CPU")
    emit(BENCH, "reconcile_in_load_empty_s",
         min(r["reconcile"] for k, r in results.items() if k.startswith("empty")), "s")
    merges = {name: merge_row_groups(path) for name, path in (("empty", empty), ("big", big))}
    emit(BENCH, "row_group_merge_after_loads_1m_s", merges["big"], "s", loads=len(batches),
         empty_s=round(merges["empty"], 3), merged_in_loads=[k for k, r in results.items() if r["merged"]],
         note="the maintenance run's checkpoint, merging the row groups the loads' checkpoints left unmerged")
    emit_inserts_only(empty, big, size, n_big)
    emit(BENCH, "writer_open_1m_s", results["big0"]["open"], "s", note="connect + migrations check")
    emit(BENCH, "replica_copy_1m_s", results["big0"]["replica"], "s", mb=round(big.stat().st_size / 1e6),
         mode=results["big0"]["replica_mode"], note="the read-only copy published after the first load")
    last = len(batches) - 1
    if last:
        emit(BENCH, "replica_publish_1m_s", results[f"big{last}"]["replica"], "s",
             mode=results[f"big{last}"]["replica_mode"], note="the read-only copy published after a later load")
    emit(BENCH, "replica_copy_empty_s", results["empty0"]["replica"], "s")
    emit_known_lookups(big, n_big)
    shutil.rmtree(empty.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
