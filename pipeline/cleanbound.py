"""Cleaning bounded in time and memory per page.

trafilatura cannot be interrupted from the outside, and some pages under the byte cap still take it
tens of seconds (2.8 MB of flat tags: 42 s). So HTML pages are cleaned in a long-lived cleaner worker:
a plain ``subprocess`` (so a daemonic process, e.g. an Airflow LocalExecutor task or a
``ProcessPoolExecutor`` worker, may start it), warmed up once with one clean (trafilatura's first-use
setup costs seconds: paid once, not once per page) and fed pages over a pipe. Each page is cleaned
under an address-space limit (``RLIMIT_AS``); a page not done within the time limit gets the worker
killed and becomes a rejection ``cleaning took too long`` (or ``cleaner ran out of memory``, after
which the worker is replaced too), and the pass goes on; the next page starts a fresh worker.

While a worker warms up (a few seconds), pages up to ``INLINE_MAX_BYTES`` are cleaned in-process and
larger ones wait for it; plain text and pages over the byte cap (rejected at once) are always
cleaned in-process, and so is everything where no process can be started at all.
``Cleaner.clean_and_extract`` (what ``pipeline.cleanpool`` runs N workers with) also extracts the
page's events in the worker, so the parent only keeps results; it cleans nothing in-process while a
worker warms up, and ``abort`` kills its worker from another thread when the stage stops early.
The worker ends when its ``Cleaner`` is closed (``transform_stage`` closes its own), at interpreter
or multiprocessing-child exit, or by itself when its parent goes away (end of file on its stdin).
"""

from __future__ import annotations

import atexit
import os
import resource
import subprocess
import sys
import threading
from multiprocessing import util
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pipeline.clean import MAX_CLEAN_BYTES, clean
from pipeline.records import CleanArticle, Event, RawArticle, Rejection

INLINE_MAX_BYTES = 256_000  # pages up to this size are cleaned in-process while the worker warms up
MEMORY_LIMIT_BYTES = 2 * 1024**3  # address space of the cleaning worker while it cleans a page
ALL_PAGES = True  # every HTML page through the worker (False: only pages over INLINE_MAX_BYTES)
START_TIMEOUT_S = 120.0  # imports and the warm-up clean of a fresh worker (not charged to a page)
_WARM_UP = RawArticle(url="https://warm.invalid/a", content_type="text/html", source="feed",
                      body=b"<html><head><title>t</title></head><body><article><p>"
                           + b"Warm-up text for the cleaner, published 2025-01-02. " * 4 + b"</p></article></body></html>")
_SERVE = "from pipeline.cleanbound import serve; serve(extractor={})"
Extracted = list[Event] | str | None  # events, the extractor's error, or None: not extracted (yet)


class _Worker:
    """One cleaner subprocess and the two pipe ends that talk to it."""

    def __init__(self, extractor: bool = False) -> None:
        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVE.format(extractor)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, close_fds=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.to_child = Connection(os.dup(self.proc.stdin.fileno()), readable=False)
        self.from_child = Connection(os.dup(self.proc.stdout.fileno()), writable=False)
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.owner = os.getpid()
        self.ready = False

    def wait_ready(self, timeout_s: float) -> bool:
        """Whether the worker has finished its imports and warm-up (``timeout_s`` 0: do not wait)."""
        if not self.ready and self.from_child.poll(timeout_s):
            try:
                self.ready = self.from_child.recv() == "ready"
            except EOFError:
                self.ready = False
        return self.ready

    def close(self) -> None:
        for conn in (self.to_child, self.from_child):
            conn.close()
        try:
            self.proc.wait(1.0)  # stdin closed: an idle worker exits by itself
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def kill(self) -> None:
        self.proc.kill()
        self.close()

    def forget(self) -> None:
        """In a forked child: let go of the parent's worker without touching it."""
        for conn in (self.to_child, self.from_child):
            conn.close()


class Cleaner:
    """A lazily started, reused cleaner worker. Thread-safe (pages are cleaned one at a time)."""

    def __init__(self, memory_limit: int | None = None, inline_max: int = INLINE_MAX_BYTES,
                 all_pages: bool | None = None, extractor: bool = False, zygote: Any = None) -> None:
        self.memory_limit = MEMORY_LIMIT_BYTES if memory_limit is None else memory_limit
        self.zygote = zygote  # a ``pipeline.cleanfork.Zygote``: workers forked from it, warm at once
        self.inline_max = inline_max
        self.extractor = extractor  # warm the worker's extractor up too (for ``clean_and_extract``)
        self.all_pages = ALL_PAGES if all_pages is None else all_pages
        self._worker: _Worker | None = None
        self._aborted = False  # ``abort`` was called: no new worker, no in-process fallback
        self._lock = threading.Lock()
        self._finalizer: util.Finalize | None = None

    def __enter__(self) -> Cleaner:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        return self._worker.proc.pid if self._worker else None

    def close(self) -> None:
        with self._lock:
            if self._worker is not None and self._worker.owner == os.getpid():
                self._worker.close()
            self._worker = None
            if self._finalizer is not None:
                self._finalizer.cancel()
                self._finalizer = None

    def _after_fork(self) -> None:
        self._lock = threading.Lock()
        self._finalizer = None  # the fork's registry is its parent's copy: register afresh
        if self._worker is not None:
            self._worker.forget()
            self._worker = None

    def start(self) -> None:
        """Start the worker now (without waiting for it), so its warm-up overlaps other work."""
        with self._lock:
            self._ensure()

    def abort(self) -> None:
        """Kill the worker now, from another thread, without waiting for the page it is on (whose
        ``clean`` then returns a ``cleaner failed`` rejection); ``close`` still has to follow."""
        self._aborted = True
        worker = self._worker
        if worker is not None and worker.owner == os.getpid():
            worker.proc.kill()

    def clean_and_extract(self, raw: RawArticle, timeout_s: float) -> tuple[CleanArticle | Rejection, Extracted]:
        """``clean`` and then ``extract_or_error`` in the worker (no page cleaned in-process while it
        warms up): (result, events or the extractor's error; [] for a rejection). Only cleaning is
        bounded, as in ``clean``; extraction runs after the bound is lifted."""
        if len(raw.body) <= MAX_CLEAN_BYTES and timeout_s > 0:
            with self._lock:
                worker = None if self._aborted else self._ensure()
                if worker is not None and self._aborted:  # ``abort`` came as it started: not seen there
                    self._drop(worker)
                    worker = None
                if worker is not None and worker.wait_ready(START_TIMEOUT_S):
                    return self._ask(worker, raw, timeout_s, self.memory_limit, extract=True)
                if worker is not None:
                    self._drop(worker)  # it could not start: clean unbounded rather than not at all
                if self._aborted:
                    return Rejection("clean", "cleaner failed", raw.url, "the stage was stopped"), []
        result = clean(raw)
        return result, ([] if isinstance(result, Rejection) else extract_or_error(result))

    def clean(self, raw: RawArticle, timeout_s: float, memory_limit: int | None = None,
              inline_max: int | None = None) -> CleanArticle | Rejection:
        """``clean(raw)``, but a page may not take more than ``timeout_s`` or the memory limit.

        A page not over ``inline_max`` is cleaned in-process while the worker is still warming up
        (always, when ``all_pages`` is off); a larger one waits for the worker.
        """
        if len(raw.body) > MAX_CLEAN_BYTES or raw.content_type.startswith("text/plain") or timeout_s <= 0:
            return clean(raw)
        small = len(raw.body) <= (self.inline_max if inline_max is None else inline_max)
        with self._lock:
            worker = self._ensure()
            if worker is not None and (not small or (self.all_pages and worker.wait_ready(0))):
                if worker.wait_ready(START_TIMEOUT_S):
                    limit = self.memory_limit if memory_limit is None else memory_limit
                    return self._ask(worker, raw, timeout_s, limit)[0]
                self._drop(worker)  # it could not start: clean unbounded rather than not at all
        return clean(raw)

    def _ensure(self) -> _Worker | None:
        if self._worker is None:
            if self._finalizer is None:  # multiprocessing's children run these at exit, not atexit's
                self._finalizer = util.Finalize(None, self.close, exitpriority=10)
            try:
                self._worker = (self.zygote.fork() if self.zygote is not None else None) or _Worker(self.extractor)
            except OSError:  # no process can be started here
                return None
        return self._worker

    def _ask(self, worker: _Worker, raw: RawArticle, timeout_s: float, limit: int,
             extract: bool = False) -> tuple[CleanArticle | Rejection, Extracted]:
        """(result, events): events only when ``extract`` and the page cleaned ([] otherwise)."""
        try:
            worker.to_child.send((raw, limit, extract))
            if not worker.from_child.poll(timeout_s):
                self._drop(worker)
                return Rejection("clean", "cleaning took too long", raw.url,
                                 f"over {timeout_s:g}s, {len(raw.body)} bytes"), []
            result, healthy = worker.from_child.recv()
            if not healthy:  # it ran out of memory: start afresh for the next page
                self._drop(worker)
        except (EOFError, OSError):  # the worker died (killed from outside, or crashed on the page)
            self._drop(worker)
            return Rejection("clean", "cleaner failed", raw.url, f"worker exited with {worker.proc.returncode}"), []
        if not extract or isinstance(result, Rejection):
            return result, []
        try:
            return result, worker.from_child.recv()  # extraction is not bounded (as in-process)
        except (EOFError, OSError):
            self._drop(worker)
            return result, f"extractor worker exited with {worker.proc.returncode}"

    def _drop(self, worker: _Worker) -> None:
        worker.kill()
        self._worker = None


_default = Cleaner()
atexit.register(_default.close)
os.register_at_fork(after_in_child=_default._after_fork)


def clean_bounded(raw: RawArticle, timeout_s: float, memory_limit: int = MEMORY_LIMIT_BYTES,
                  inline_max: int = INLINE_MAX_BYTES, cleaner: Cleaner | None = None) -> CleanArticle | Rejection:
    """``clean(raw)``, but a page may not take more than ``timeout_s`` or ``memory_limit``.

    Uses ``cleaner``'s worker, or this process's shared one (closed at exit) when none is given.
    """
    return (cleaner or _default).clean(raw, timeout_s, memory_limit, inline_max)


def extract_or_error(article: CleanArticle) -> list[Event] | str:
    """The article's events, or the extractor's error (it should not raise; if it does, the article
    is kept and the error recorded)."""
    from pipeline.extract import extract_events

    try:
        return extract_events(article.as_document())
    except Exception as exc:
        return repr(exc)[:300]


def language_model_loaded() -> bool:
    """Whether this process holds the language identifier's model (``pipeline.clean.detect_language``)."""
    from py3langid import langid

    return langid.IDENTIFIER is not None


def release_language_model() -> None:
    """Let go of the language model (~75 MB in a process; the next page cleaned here loads it again,
    ~0.1 CPU-s from ``pipeline.langid_model``'s cache, ~0.8 without): for a parent that cleaned pages
    only while its workers warmed up."""
    from py3langid import langid

    langid.IDENTIFIER = None


def serve(extractor: bool = False) -> None:
    """The worker's loop: (raw, memory limit, extract) in on stdin, (result, healthy) out on stdout,
    then the events (``extract_or_error``) when asked for and the page cleaned."""
    requests = Connection(os.dup(0), writable=False)
    replies = Connection(os.dup(1), readable=False)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)  # a stray print must not corrupt the reply stream
    warm_up(extractor)
    serve_on(requests, replies)


def warm_up(extractor: bool) -> None:
    """trafilatura's (and the extractor's) first-use setup, paid before the first page."""
    warm = clean(_WARM_UP)
    if extractor and isinstance(warm, CleanArticle):
        extract_or_error(warm)


def serve_on(requests: Connection, replies: Connection) -> None:
    replies.send("ready")
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    while True:
        try:
            raw, limit, extract = requests.recv()
        except EOFError:
            return
        result, healthy = _clean_limited(raw, min(limit, hard) if hard != resource.RLIM_INFINITY else limit, hard)
        replies.send((result, healthy))
        if extract and healthy and isinstance(result, CleanArticle):
            replies.send(extract_or_error(result))


def _clean_limited(raw: RawArticle, limit: int, hard: int) -> tuple[CleanArticle | Rejection, bool]:
    """(result, whether the worker is still fit for the next page)."""
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        try:
            result = clean(raw)
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    except MemoryError:
        result = Rejection("clean", "cleaner failed", raw.url, "MemoryError")
    if not _ran_out_of_memory(result):
        return result, True
    return Rejection("clean", "cleaner ran out of memory", raw.url, f"over the {limit >> 20} MB address-space limit"), False


def _ran_out_of_memory(result: CleanArticle | Rejection) -> bool:
    """A MemoryError (clean() and trafilatura catch it and say so), or libxml2 out of memory: trafilatura
    logs that as a parse failure and goes on with no tree, but its parser's error log says so."""
    from trafilatura.utils import HTML_PARSER

    if isinstance(result, Rejection) and "MemoryError" in result.detail:
        return True
    return any(entry.type_name == "ERR_NO_MEMORY" for entry in HTML_PARSER.error_log)
