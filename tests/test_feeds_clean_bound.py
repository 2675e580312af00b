"""10. Cleaning is bounded in time and memory per page: a page that would take too long or too much
memory becomes a rejection and the pass goes on."""

from __future__ import annotations

import time

from pipeline.clean import MAX_CLEAN_BYTES, clean
from pipeline.cleanbound import INLINE_MAX_BYTES, clean_bounded
from pipeline.records import CleanArticle, RawArticle, Rejection
from tests.conftest import REPO

SWAP = (REPO / "tests" / "fixtures" / "site" / "world" / "2025" / "10" / "02" / "swap-205.html").read_bytes()


def _raw(body: bytes) -> RawArticle:
    return RawArticle(url="https://news.example/a", body=body, content_type="text/html", source="feed")


def test_a_page_that_takes_too_long_is_a_rejection_on_time():
    slow = b"<html><body>" + b"<span>a</span>" * 200_000 + b"</body></html>"  # ~40 s in trafilatura here
    assert INLINE_MAX_BYTES < len(slow) < MAX_CLEAN_BYTES
    clean_bounded(_raw(SWAP), 30, inline_max=0)  # start the fork server (imports trafilatura once)
    start = time.monotonic()
    result = clean_bounded(_raw(slow), 2.0)
    took = time.monotonic() - start
    assert isinstance(result, Rejection) and result.reason == "cleaning took too long", result
    assert took < 4.0, took


def test_a_page_that_needs_too_much_memory_is_a_rejection():
    deep = b"<html><body>" + b"<div>" * 50_000 + b"prisoner swap text " * 20_000 + b"</div>" * 50_000 + b"</body></html>"
    result = clean_bounded(_raw(deep), 30, memory_limit=30 * 2**20)
    assert isinstance(result, Rejection) and "MemoryError" in f"{result.reason} {result.detail}", result
    roomy = clean_bounded(_raw(deep), 30)
    assert "MemoryError" not in getattr(roomy, "detail", "")


def test_a_page_cleans_in_the_child_as_it_would_in_process():
    child, inline = clean_bounded(_raw(SWAP), 30, inline_max=0), clean(_raw(SWAP))
    assert isinstance(child, CleanArticle) and child == inline


def test_over_the_byte_cap_is_rejected_at_once():
    start = time.monotonic()
    result = clean_bounded(_raw(b"<p>x</p>" * (MAX_CLEAN_BYTES // 8 + 1)), 30)
    assert isinstance(result, Rejection) and result.reason == "too large to clean"
    assert time.monotonic() - start < 1.0
