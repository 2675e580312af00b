"""The pass, stage by stage: collect -> transform (clean + extract) -> validate -> load.

Each stage reads the previous stage's staging file and writes its own, under
``<warehouse dir>/staging/<run_id>/``, so the Airflow tasks can run them one by one (passing only
the run id) and the command line can run them in a row. Re-running a stage with the same run id
rewrites its staging file; re-loading adds nothing twice.
"""

from __future__ import annotations

import contextlib
import itertools
import pickle
import shutil
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, TypeVar, cast

from pipeline.cleanbound import Cleaner, Extracted, extract_or_error
from pipeline.cleanfork import Zygote
from pipeline.cleanpool import clean_in_order, zygote_for
from pipeline.extract import EXTRACTOR_VERSION
from pipeline.records import CleanArticle, EventRow, KnownState, RawArticle, Rejection, ValidatedBatch
from pipeline.settings import Settings
from pipeline.sources import Collected, FeedSource, SeedSource, Sink, read_feed_list
from pipeline.spool import RawSpool
from pipeline.staged_articles import ArticleSink
from pipeline.staged_articles import article_refs as staged_refs
from pipeline.validate_frame import ArticleRef, BatchMetrics
from pipeline.warehouse import known_state, writer
from pipeline.warehouse.load import RunInfo, load

STAGING_VERSION = 3  # 2: collected.pkl holds its raw articles one frame each; 3: articles.parquet
Progress = Callable[[str], None]
_T = TypeVar("_T")


def _quiet(_msg: str) -> None:
    return None


@dataclass
class Transformed:
    """What transform hands on; the kept articles themselves are in ``articles.parquet`` beside it."""

    collected: Collected
    n_articles: int = 0
    n_feed_articles: int = 0
    rows: list[EventRow] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


ARTICLES_FILE = "articles.parquet"


def staged_articles(settings: Settings, run_id: str) -> Path:
    """The pass's clean articles (``pipeline.staged_articles``), written by transform."""
    return staging_dir(settings, run_id) / ARTICLES_FILE


def staging_dir(settings: Settings, run_id: str) -> Path:
    return settings.warehouse.parent / "staging" / run_id


def _save(path: Path, obj: object, items: Iterable[object] = ()) -> Path:
    """Pickle ``obj``, then each of ``items`` as its own frame (read back one at a time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump((STAGING_VERSION, obj), fh, protocol=pickle.HIGHEST_PROTOCOL)
        for item in items:
            pickle.dump(item, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return path


def _read(path: Path) -> object:
    with path.open("rb") as fh:
        return _head(fh, path)


def _head(fh: BinaryIO, path: Path) -> object:
    version, obj = pickle.load(fh)  # noqa: S301 - our own staging file
    if version != STAGING_VERSION:
        raise RuntimeError(f"staging file {path} has version {version}; rerun the run from its first stage")
    return obj


def _open_collected(path: Path) -> tuple[str, Collected, int, Iterator[RawArticle]]:
    """The collected header now; its ``n`` raw articles lazily, one frame at a time."""
    fh = path.open("rb")
    kind, collected, n = cast(tuple[str, Collected, int], _head(fh, path))

    def frames() -> Iterator[RawArticle]:
        with fh:
            for _ in range(n):
                yield pickle.load(fh)  # noqa: S301 - our own staging file

    return kind, collected, n, frames()


def collect_stage(settings: Settings, run_id: str, kind: str = "feeds", feed_urls: list[str] | None = None,
                  progress: Progress = _quiet, source: Callable[[Sink], Collected] | None = None) -> Path:
    """Fetch (or read the seeds). Reads what is known from the read-only copy; writes no warehouse.

    Each raw article goes to a scratch file as soon as it is fetched (memory stays bounded by the
    fetch concurrency); the staging file is written from it at the end, under a temporary name and
    renamed, so a collect that stops half-way is never read. ``source`` stands in for the feeds
    (a bench's generated pages): called with the sink, it returns the rest of the ``Collected``.
    """
    path = staging_dir(settings, run_id) / "collected.pkl"
    with RawSpool(path.with_suffix(".spool")) as spool:
        if source is not None:
            collected = source(spool)
        elif kind == "seed":
            collected = SeedSource(settings.seeds).collect(sink=spool)
        else:
            urls = feed_urls or read_feed_list(settings.feeds)
            with known_state(settings) as known:
                collected = FeedSource(settings, urls, known, now=lambda: datetime.now(UTC)).collect(progress, sink=spool)
        return _save_spooled(path, (kind, replace(collected, articles=[]), len(spool)), spool)


def _save_spooled(path: Path, header: tuple[str, Collected, int], spool: RawSpool) -> Path:
    """The same file as ``save_collected`` writes: the header, then the spooled frames in key order."""
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump((STAGING_VERSION, header), fh, protocol=pickle.HIGHEST_PROTOCOL)
        spool.copy_to(fh)
    tmp.replace(path)
    return path


def save_collected(settings: Settings, run_id: str, kind: str, collected: Collected) -> Path:
    """The collect stage's staging file (also how a bench or a test hands the pass its raw articles)."""
    header = replace(collected, articles=[])
    return _save(staging_dir(settings, run_id) / "collected.pkl", (kind, header, len(collected.articles)),
                 collected.articles)


FINGERPRINT_CHUNK = 1024  # cleaned pages (bodies dropped) whose fingerprints are looked up at once


def transform_stage(settings: Settings, run_id: str, progress: Progress = _quiet, workers: int | None = None) -> Path:
    """Clean every raw article and extract its events; duplicates and failures become records.

    Raw articles stream from the staging file one at a time (a batch of pages is never all in
    memory); ``workers`` (default ``PIPELINE_TRANSFORM_WORKERS``) > 1 cleans and extracts in that many
    warm cleaner workers at once (``pipeline.cleanpool``), in input order; their zygote starts first,
    so its warm-up overlaps the opening of the staging file, the read-only copy and the Parquet sink.
    Which texts the warehouse already holds is asked for the cleaned pages' fingerprints, a chunk at a time.
    """
    workers = settings.transform_workers if workers is None else workers
    with zygote_for(workers) as zygote:  # the workers' warm-up overlaps the setup below
        kind, collected, n_raw, raws = _open_collected(staging_dir(settings, run_id) / "collected.pkl")
        out = _transform(settings, run_id, kind, collected, n_raw,
                         _cleaned(raws, workers, settings.clean_timeout, zygote), progress)
    return _save(staging_dir(settings, run_id) / "transformed.pkl", (kind, out))


def _transform(settings: Settings, run_id: str, kind: str, collected: Collected, n_raw: int,
               cleaned_pages: Generator[tuple[RawArticle, CleanArticle | Rejection, Extracted]],
               progress: Progress) -> Transformed:
    out = Transformed(collected=collected, rejections=list(collected.rejections))
    seen_fp: dict[str, str] = {}  # fingerprint -> article id: the stored ones this batch met, then the batch's
    seen_ids: set[str] = set()
    stubs: list[RawArticle] = []  # what later stages need of the raw articles: all but the body
    with (known_state(settings) if kind != "seed" else KnownState()) as known, \
            ArticleSink(staged_articles(settings, run_id)) as sink, \
            contextlib.closing(cleaned_pages) as cleaned:
        for chunk in _chunks(_without_bodies(cleaned, progress, n_raw), FINGERPRINT_CHUNK):  # one question a chunk
            fps = {r.fingerprint for _stub, r, _ev in chunk if isinstance(r, CleanArticle)} - seen_fp.keys()
            seen_fp.update(known.stored_fingerprints(fps))
            for stub, result, events in chunk:
                stubs.append(stub)
                _keep(out, sink, seen_fp, seen_ids, result, events)
    collected.articles = stubs
    out.n_articles, out.n_feed_articles = sink.count, sink.from_feeds
    return out


def _without_bodies(cleaned: Iterator[tuple[RawArticle, CleanArticle | Rejection, Extracted]], progress: Progress,
                    n_raw: int) -> Iterator[tuple[RawArticle, CleanArticle | Rejection, Extracted]]:
    for i, (raw, result, events) in enumerate(cleaned, start=1):
        yield replace(raw, body=b""), result, events
        if i % 25 == 0:
            progress(f"cleaned {i}/{n_raw}")


def _chunks(items: Iterator[_T], size: int) -> Iterator[list[_T]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _keep(out: Transformed, sink: ArticleSink, seen_fp: dict[str, str], seen_ids: set[str],
          result: CleanArticle | Rejection, events: Extracted) -> None:
    if isinstance(result, Rejection):
        out.rejections.append(result)
        return
    if result.article_id in seen_ids:  # the same canonical URL reached twice in one pass
        return
    original = seen_fp.get(result.fingerprint)
    if original and original != result.article_id:
        out.collected.aliases.append((result.url, original, "same text"))
        return
    seen_fp[result.fingerprint] = result.article_id
    seen_ids.add(result.article_id)
    sink.add(result)
    if events is None:
        events = extract_or_error(result)
    if isinstance(events, str):  # the extractor should not raise; if it does, keep the article
        out.rejections.append(Rejection("extract", "extractor failed", result.url, events))
        return
    out.rows += [EventRow(e.event_id(result.article_id), result.article_id, e) for e in events]


def _cleaned(raws: Iterator[RawArticle], workers: int, timeout_s: float,
             zygote: Zygote | None = None) -> Generator[tuple[RawArticle, CleanArticle | Rejection, Extracted]]:
    """(raw, cleaned, events) in input order. One worker: extraction stays here and lazy (duplicates
    are not extracted); several: each worker cleans and extracts (duplicates are extracted, then
    dropped). Every worker ends with the stage, also when it stops on an exception."""
    if workers <= 1:
        with Cleaner() as cleaner:
            for raw in raws:
                yield raw, cleaner.clean(raw, timeout_s), None
        return
    yield from clean_in_order(raws, workers, timeout_s, zygote=zygote)


def validate_stage(settings: Settings, run_id: str, now: datetime) -> Path:
    from pipeline.validate import validate

    kind, t = cast(tuple[str, Transformed], _read(staging_dir(settings, run_id) / "transformed.pkl"))
    with_events = {r.article_id for r in t.rows}
    refs = staged_refs(staged_articles(settings, run_id), with_events)
    refs.update(_stored_refs(settings, with_events - set(refs)))
    metrics = _batch_metrics(settings, kind, t, now)
    batch, failures = validate(t.rows, refs, metrics, settings.freshness_hours)
    return _save(staging_dir(settings, run_id) / "validated.pkl", (kind, t, batch, failures))


def _stored_refs(settings: Settings, ids: set[str]) -> dict[str, ArticleRef]:
    if not ids:
        return {}
    from pipeline.warehouse import article_refs

    return article_refs(settings, ids)


def _batch_metrics(settings: Settings, kind: str, t: Transformed, now: datetime) -> BatchMetrics:
    if kind == "seed":
        return BatchMetrics(len(t.rows), _without_count(t.rows), 0, (), None)
    from pipeline.validate_history import feed_volume_history

    last_day, previous_days, last_new = feed_volume_history(settings, now)
    fetched = t.n_feed_articles
    if t.n_articles:
        last_new = now
    hours = max(0.0, (now - last_new).total_seconds() / 3600) if last_new else None
    return BatchMetrics(len(t.rows), _without_count(t.rows), last_day + fetched, previous_days, hours)


def _without_count(rows: list[EventRow]) -> int:
    return sum(1 for r in rows if all(v is None for _k, v in r.event.returned_to))


def load_stage(settings: Settings, run_id: str, run_after: datetime, started_at: datetime) -> dict:
    kind, t, batch, failures = cast(tuple[str, Transformed, ValidatedBatch, list],
                                    _read(staging_dir(settings, run_id) / "validated.pkl"))
    c = t.collected
    summary = {
        "kind": kind,
        "feeds_total": len(c.outcomes),
        "feeds_failed": sum(not o.ok for o in c.outcomes),
        "feeds_skipped": sum(o.skipped for o in c.outcomes),
        "feeds_not_modified": sum(o.not_modified for o in c.outcomes),
        "entries_dropped_irrelevant": c.dropped_irrelevant,
        "articles_already_stored": c.already_stored,
        "articles_fetched": len(c.articles),
        "articles_rejected": len(t.rejections),
        "articles_duplicate": len(c.aliases),
        "events_extracted": len(t.rows),
        "events_passed": len(batch.passed),
        "events_quarantined": len({q.row.event_id for q in batch.quarantined}),
        "validation_failures": [f.as_summary() for f in failures],
    }
    run = RunInfo(run_id, kind, run_after, started_at, EXTRACTOR_VERSION)
    with writer(settings.warehouse, settings.replica_path, load=True) as con:
        counts = load(con, run, articles=staged_articles(settings, run_id), aliases=c.aliases, validated=batch,
                      rejections=t.rejections, outcomes=c.outcomes, summary=summary,
                      backoff_after=settings.failure_backoff_after,
                      min_refresh=timedelta(minutes=settings.min_refresh_minutes))
    return {**summary, **counts.__dict__, "run_id": run_id}


def cleanup_stage(settings: Settings, run_id: str) -> None:
    shutil.rmtree(staging_dir(settings, run_id), ignore_errors=True)


def alert_stage(settings: Settings, run_id: str, summary: dict) -> dict:
    """Tell someone when validation failed (see ``pipeline.alerts``); never fails the load."""
    from pipeline.alerts import alert_for_run

    return alert_for_run(settings, run_id, summary)
