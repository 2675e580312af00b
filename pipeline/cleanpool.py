"""N warm cleaner workers as the transform's parallelism: pages in, (page, cleaned, events) out in order.

Each of ``workers`` feeding threads owns one ``Cleaner`` (``pipeline.cleanbound``: a warm, bounded
worker process that cleans AND extracts) and takes the next page from the shared input, so the
parent only reads pages, waits on pipes and keeps results in order; the work runs in the workers.
The workers are forked from one warm zygote (``pipeline.cleanfork``): the imports and warm-up are
paid once, not once a worker, nor again for a worker replaced after a timeout.
While the zygote warms up (~1.6 CPU-s, before any worker exists), the parent cleans and extracts pages
up to ``INLINE_MAX_BYTES`` itself, as ``Cleaner.clean`` does beside its starting worker; larger ones
wait for the workers. Each worker then takes the largest page read, so that no long page is left for
the end while the other worker idles.
At most ``window`` pages are in flight (taken but not yet handed on), so memory stays bounded however
long the input is, and one slow page holds the others back by at most that much; during the warm-up
the parent may read on past the window while the pages held weigh less than ``WARMUP_BYTES`` (a
large first page waits for a worker, and the window alone would leave the parent idle). A timeout or an
out-of-memory kills only that page's worker (its thread starts a fresh one for its next page) and the
page becomes the rejection ``Cleaner`` records for it: every page comes out exactly once.
When the consumer stops early (an exception, or it closes the iterator), the workers are killed,
the threads joined and the cleaners closed before the iterator's ``close`` returns.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Generator, Iterator

from pipeline.clean import clean
from pipeline.cleanbound import (
    INLINE_MAX_BYTES,
    Cleaner,
    Extracted,
    extract_or_error,
    language_model_loaded,
    release_language_model,
)
from pipeline.cleanfork import Zygote
from pipeline.records import CleanArticle, RawArticle, Rejection

Result = tuple[RawArticle, CleanArticle | Rejection, Extracted]
WARMUP_BYTES = 16 * 2**20  # pages the parent may read past the window while it cleans some in-process


class _Feeder:
    """The shared state of the feeding threads and the consumer, behind one condition."""

    def __init__(self, raws: Iterator[RawArticle], window: int, workers: int) -> None:
        self.raws, self.window, self.workers = raws, max(1, window), workers
        self.cond = threading.Condition()
        self.taken = 0  # pages taken from ``raws``
        self.handed = 0  # results handed to the consumer
        self.results: dict[int, Result] = {}
        self.exhausted = self.stopping = False
        self.error: BaseException | None = None
        self.busy = 0  # threads still feeding
        self.started = 0  # workers started (warm): the parent stops cleaning in-process
        self.ahead: list[tuple[int, RawArticle]] = []  # read (taken), not yet cleaning
        self.held = 0  # bytes of the pages taken and not yet handed on

    def take(self, max_bytes: int | None = None) -> tuple[int, RawArticle] | None:
        """A page read and its index (reading on while the window has room); None when there is no more.

        A worker gets the largest page read, so that no long page is left for the end while the other
        worker idles. With ``max_bytes`` (the parent's in-process cleaning while the workers warm up):
        the first page not over it, reading on past the window while the pages held weigh less than
        ``WARMUP_BYTES`` (the first page may be a large one, waiting for a worker); None once every
        worker has started."""
        with self.cond:
            while True:
                if self.stopping or (max_bytes is not None and self.started >= self.workers):
                    return None
                self._read_ahead(self.handed + self.window)
                item = self._pick(max_bytes)
                while item is None and max_bytes is not None and not self.exhausted and self.held < WARMUP_BYTES:
                    self._read_ahead(self.taken + 1)
                    item = self._pick(max_bytes)
                if item is not None:
                    return item
                if self.exhausted and (max_bytes is not None or not self.ahead):
                    return None
                self.cond.wait()

    def _read_ahead(self, upto: int) -> None:
        """Read pages until ``upto`` have been taken (or there are no more)."""
        while not self.exhausted and self.taken < upto:
            try:
                raw = next(self.raws)
            except StopIteration:
                self.exhausted = True
                self.cond.notify_all()
            except BaseException as exc:  # a broken staging file: the consumer raises it
                self.exhausted, self.error = True, exc
                self.cond.notify_all()
            else:
                self.ahead.append((self.taken, raw))
                self.taken += 1
                self.held += len(raw.body)

    def _pick(self, max_bytes: int | None) -> tuple[int, RawArticle] | None:
        sizes = [len(raw.body) for _i, raw in self.ahead]
        if max_bytes is None:
            k = max(range(len(sizes)), key=sizes.__getitem__, default=None)
        else:
            k = next((k for k, size in enumerate(sizes) if size <= max_bytes), None)
        return None if k is None else self.ahead.pop(k)

    def worker_started(self) -> None:
        with self.cond:
            self.started += 1
            self.cond.notify_all()

    def put(self, index: int, result: Result) -> None:
        with self.cond:
            self.results[index] = result
            self.cond.notify_all()

    def fail(self, exc: BaseException) -> None:
        with self.cond:
            self.error = self.error or exc
            self.stopping = True
            self.cond.notify_all()

    def done(self) -> None:
        with self.cond:
            self.busy -= 1
            self.cond.notify_all()

    def next_result(self) -> Result | None:
        """The next result in input order (waiting for it); None after the last."""
        with self.cond:
            self.cond.wait_for(lambda: self.handed in self.results or self.error is not None
                               or (self.exhausted and self.handed >= self.taken) or self.busy == 0)
            if self.error is not None:
                raise self.error
            if self.handed not in self.results:
                if self.exhausted and self.handed >= self.taken:
                    return None
                raise RuntimeError("cleaner threads ended before every page was cleaned")
            result = self.results.pop(self.handed)
            self.handed += 1
            self.held -= len(result[0].body)
            self.cond.notify_all()
            return result


def _feed(feeder: _Feeder, cleaner: Cleaner, timeout_s: float) -> None:
    try:
        cleaner.start()  # forked from the zygote: waits for its warm-up
        feeder.worker_started()
        while (item := feeder.take()) is not None:
            index, raw = item
            result, events = cleaner.clean_and_extract(raw, timeout_s)
            feeder.put(index, (raw, result, events))
    except BaseException as exc:
        feeder.fail(exc)
    finally:
        feeder.done()


def _inline(feeder: _Feeder, inline_max: int) -> None:
    """The parent's own cleaning (and extraction) while the workers warm up: pages not over
    ``inline_max``, as ``Cleaner.clean`` does in-process while its worker starts. The language model
    it loads for them is let go of afterwards (unless the process held it already): otherwise the
    parent would hold its ~75 MB beside the workers' for the whole stage."""
    had_model = language_model_loaded()
    try:
        while (item := feeder.take(inline_max)) is not None:
            index, raw = item
            result = clean(raw)
            feeder.put(index, (raw, result, [] if isinstance(result, Rejection) else extract_or_error(result)))
    except BaseException as exc:
        feeder.fail(exc)
    finally:
        if not had_model:
            release_language_model()
        feeder.done()


@contextlib.contextmanager
def zygote_for(workers: int) -> Iterator[Zygote | None]:
    """The zygote ``clean_in_order`` will fork ``workers`` (> 1) workers from, started now so that its
    warm-up overlaps the caller's own setup; closed on leaving. None for one worker (or none)."""
    zygote = _zygote() if workers > 1 else None
    try:
        yield zygote
    finally:
        if zygote is not None:
            zygote.close()


def clean_in_order(raws: Iterator[RawArticle], workers: int, timeout_s: float, window: int | None = None,
                   zygote: Zygote | None = None, inline_max: int = INLINE_MAX_BYTES) -> Generator[Result]:
    """(raw, cleaned, events) for every page of ``raws``, in input order, cleaned and extracted by
    ``workers`` warm bounded workers at once, at most ``window`` (default 8 a worker) in flight.
    The workers are forked from ``zygote`` (``zygote_for``; left open), or from one started here."""
    feeder = _Feeder(raws, window or 8 * workers, workers)
    own_zygote = zygote is None
    zygote = _zygote() if zygote is None else zygote
    cleaners = [Cleaner(extractor=True, zygote=zygote) for _ in range(workers)]
    threads = [threading.Thread(target=_feed, args=(feeder, c, timeout_s), name=f"cleaner-{i}", daemon=True)
               for i, c in enumerate(cleaners)]
    if zygote is not None and timeout_s > 0 and inline_max > 0:
        threads.append(threading.Thread(target=_inline, args=(feeder, inline_max), name="inline", daemon=True))
    feeder.busy = len(threads)
    for thread in threads:
        thread.start()
    finished = False
    try:
        while (result := feeder.next_result()) is not None:
            yield result
        finished = True
    finally:
        with feeder.cond:
            feeder.stopping = True
            feeder.cond.notify_all()
        if not finished:
            for cleaner in cleaners:
                cleaner.abort()  # a thread waiting on a page gets its answer (a rejection) at once
        for thread in threads:
            thread.join()
        for cleaner in cleaners:
            cleaner.close()
        if zygote is not None and own_zygote:
            zygote.close()


def _zygote() -> Zygote | None:
    try:
        return Zygote(extractor=True)
    except OSError:  # no process can be started here: each cleaner falls back on its own
        return None
