"""10. Cleaning is bounded in time and memory per page: a page that would take too long or too much
memory becomes a rejection and the pass goes on. Pages are cleaned in one warm, reused worker process,
which may be started from a daemonic process and is gone once the stage is over."""

from __future__ import annotations

import multiprocessing
import os
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline import stages
from pipeline.clean import MAX_CLEAN_BYTES, clean
from pipeline.cleanbound import INLINE_MAX_BYTES, Cleaner, clean_bounded
from pipeline.records import CleanArticle, RawArticle, Rejection
from pipeline.sources import Collected
from pipeline.staged_articles import read_articles
from tests.conftest import REPO

SITE = REPO / "tests" / "fixtures" / "site"
SWAP = (SITE / "world" / "2025" / "10" / "02" / "swap-205.html").read_bytes()
SLOW = b"<html><body>" + b"<span>a</span>" * 200_000 + b"</body></html>"  # ~40 s in trafilatura here
BIG = (b"<html><head><title>Talks</title></head><body><article>"  # 2.6 MB: lxml needs memory for it
       + b"".join(b"<p>Talks, day %d: the prisoner swap was agreed by the two sides.</p>" % i for i in range(30_000))
       + b"</article></body></html>")
TAG = "PIPELINE_CLEANBOUND_TEST_TAG"


def _raw(body: bytes, url: str = "https://news.example/a") -> RawArticle:
    return RawArticle(url=url, body=body, content_type="text/html", source="feed")


def _tagged_processes(tag: str) -> list[int]:
    """Live processes (not zombies) whose environment carries ``tag``: the workers we started."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            environ = (proc / "environ").read_bytes()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if f"{TAG}={tag}".encode() in environ.split(b"\0") and state != "Z":
            found.append(int(proc.name))
    return found


@pytest.fixture
def tag(monkeypatch: pytest.MonkeyPatch) -> str:
    value = uuid.uuid4().hex
    monkeypatch.setenv(TAG, value)
    return value


def test_a_page_that_takes_too_long_is_a_rejection_on_time_and_the_pass_goes_on():
    assert INLINE_MAX_BYTES < len(SLOW) < MAX_CLEAN_BYTES
    with Cleaner() as cleaner:
        assert isinstance(cleaner.clean(_raw(SWAP), 30, inline_max=0), CleanArticle)  # started and warm
        start = time.monotonic()
        result = cleaner.clean(_raw(SLOW), 2.0)
        took = time.monotonic() - start
        assert isinstance(result, Rejection) and result.reason == "cleaning took too long", result
        assert took < 4.0, took
        assert cleaner.pid is None  # the stuck worker was killed; the next page gets a fresh one
        after = cleaner.clean(_raw(SWAP), 30, inline_max=0)
        assert isinstance(after, CleanArticle) and after == clean(_raw(SWAP))


def test_a_page_that_needs_too_much_memory_is_a_rejection():
    assert INLINE_MAX_BYTES < len(BIG) < MAX_CLEAN_BYTES
    with Cleaner() as cleaner:  # 30 MB of address space: less than the worker already has mapped
        result = cleaner.clean(_raw(BIG), 30, memory_limit=30 * 2**20)
        assert isinstance(result, Rejection) and result.reason == "cleaner ran out of memory", result
        assert result.detail == "over the 30 MB address-space limit"
        roomy = cleaner.clean(_raw(BIG), 30)  # a fresh worker, the default limit
        assert isinstance(roomy, CleanArticle) and roomy == clean(_raw(BIG))


def test_pages_clean_in_the_worker_as_they_would_in_process():
    pages = [p.read_bytes() for p in sorted(SITE.rglob("*.html"))]
    assert len(pages) >= 4
    with Cleaner(inline_max=0) as cleaner:
        for i, body in enumerate(pages):
            raw = _raw(body, f"https://news.example/{i}")
            assert cleaner.clean(raw, 30) == clean(raw)
        pid = cleaner.pid
        assert pid is not None and cleaner.clean(_raw(SWAP), 30) == clean(_raw(SWAP))
        assert cleaner.pid == pid  # one worker for every page: no process per page
    assert clean_bounded(_raw(SWAP), 30, inline_max=0) == clean(_raw(SWAP))  # the shared worker too


def test_over_the_byte_cap_is_rejected_at_once():
    start = time.monotonic()
    result = clean_bounded(_raw(b"<p>x</p>" * (MAX_CLEAN_BYTES // 8 + 1)), 30)
    assert isinstance(result, Rejection) and result.reason == "too large to clean"
    assert time.monotonic() - start < 1.0


def _bounded_in_daemon(queue: multiprocessing.Queue) -> None:
    start = time.monotonic()
    result = clean_bounded(_raw(SLOW), 2.0, inline_max=0)  # in-process cleaning would take ~40 s
    queue.put((result, time.monotonic() - start))


def test_the_bound_holds_in_a_daemonic_process(tag: str):
    """Airflow's LocalExecutor and ProcessPoolExecutor run work in daemonic processes."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_bounded_in_daemon, args=(queue,), daemon=True)
    proc.start()
    result, took = queue.get(timeout=120)
    proc.join(30)
    assert isinstance(result, Rejection) and result.reason == "cleaning took too long", result
    assert took < 120 and proc.exitcode == 0
    assert _tagged_processes(tag) == []  # its worker ended with it


def test_closing_the_cleaner_leaves_no_process(tag: str):
    with Cleaner(inline_max=0) as cleaner:
        cleaner.clean(_raw(SWAP), 30)
        assert _tagged_processes(tag) == [cleaner.pid]
    assert _tagged_processes(tag) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_the_transform_stage_leaves_no_process_behind(settings, tag: str, workers: int):
    raws = [_raw(SWAP, "https://news.example/swap"), _raw(SLOW, "https://news.example/slow")]
    settings = replace(settings, clean_timeout=2.0)
    stages.save_collected(settings, "run-1", "feeds", Collected(articles=raws))
    stages.transform_stage(settings, "run-1", workers=workers)
    assert _tagged_processes(tag) == []
    _kind, transformed = stages._read(stages.staging_dir(settings, "run-1") / "transformed.pkl")
    kept = list(read_articles(stages.staged_articles(settings, "run-1")))
    assert [a.url for a in kept] == ["https://news.example/swap"] and transformed.n_articles == 1
    assert [r.reason for r in transformed.rejections] == ["cleaning took too long"]
