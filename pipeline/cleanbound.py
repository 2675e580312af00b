"""Cleaning bounded in time and memory per page.

trafilatura cannot be interrupted from the outside, and some pages under the byte cap still take it
tens of seconds (2.8 MB of flat tags: 42 s). So pages over ``INLINE_MAX_BYTES`` are cleaned in a
child process (forked from a preloaded fork server: milliseconds, not a fresh interpreter) with an
address-space limit, and killed at the time limit; the page then becomes a rejection
``cleaning took too long`` (or ``cleaner ran out of memory``) and the pass goes on.

Small pages, plain text and pages over the byte cap (rejected at once) are cleaned in-process.
Where no child process can be started (a daemonic worker), cleaning falls back to in-process.
"""

from __future__ import annotations

import multiprocessing
import resource
import threading
import typing
from multiprocessing.connection import Connection

from pipeline.clean import MAX_CLEAN_BYTES, clean
from pipeline.records import CleanArticle, RawArticle, Rejection

INLINE_MAX_BYTES = 256_000
MEMORY_LIMIT_BYTES = 2 * 1024**3  # address space of the cleaning child

_ctx_lock = threading.Lock()
_ctx: multiprocessing.context.ForkServerContext | None = None


def _context() -> multiprocessing.context.ForkServerContext:
    global _ctx
    with _ctx_lock:
        if _ctx is None:
            ctx = typing.cast(multiprocessing.context.ForkServerContext, multiprocessing.get_context("forkserver"))
            ctx.set_forkserver_preload(["pipeline.clean"])
            _ctx = ctx
        return _ctx


def _child(raw: RawArticle, conn: Connection, memory_limit: int) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        conn.send(clean(raw))
    except MemoryError:
        conn.send(Rejection("clean", "cleaner ran out of memory", raw.url, f"limit {memory_limit >> 20} MB"))
    finally:
        conn.close()


def clean_bounded(raw: RawArticle, timeout_s: float, memory_limit: int = MEMORY_LIMIT_BYTES,
                  inline_max: int = INLINE_MAX_BYTES) -> CleanArticle | Rejection:
    """``clean(raw)``, but a page may not take more than ``timeout_s`` or ``memory_limit``."""
    small = len(raw.body) <= inline_max or len(raw.body) > MAX_CLEAN_BYTES
    if small or raw.content_type.startswith("text/plain") or timeout_s <= 0:
        return clean(raw)
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    try:
        proc = ctx.Process(target=_child, args=(raw, sender, memory_limit), daemon=True)
        proc.start()
    except (AssertionError, OSError):  # e.g. "daemonic processes are not allowed to have children"
        receiver.close()
        sender.close()
        return clean(raw)
    sender.close()
    try:
        if receiver.poll(timeout_s):
            try:
                return receiver.recv()
            except EOFError:
                return Rejection("clean", "cleaner failed", raw.url, f"child exited with {proc.exitcode}")
        return Rejection("clean", "cleaning took too long", raw.url, f"over {timeout_s:g}s, {len(raw.body)} bytes")
    finally:
        receiver.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
