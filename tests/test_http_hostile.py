"""Fetcher against a hostile server: deadlines, retries, Retry-After, size caps, compression bombs."""

from __future__ import annotations

import email.utils
import gzip
import time
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta

import brotli
import httpx
import pytest

from pipeline.errors import FetchError
from pipeline.http import MAX_BACKOFF_S, Fetcher, backoff_delay, parse_retry_after
from tests.hostile_server import HostileServer, drip, sequence, silent, static

BOMB_DECODED = 100 * 1024 * 1024  # 100 MB of zeros, a few hundred KB compressed
CAP = 1_000_000


@pytest.fixture
def hostile():
    server = HostileServer().start()
    yield server
    server.stop()


@pytest.fixture
def fast(settings):
    return settings.with_(http_deadline=1.5, http_timeout=5.0, http_retries=2)


def _fetcher(settings, sleeps=None):
    return Fetcher(settings, sleep=(sleeps.append if sleeps is not None else lambda _s: None))


def _zeros(compressor, total: int = BOMB_DECODED) -> bytes:
    block = b"\0" * (1 << 20)
    parts = [compressor.compress(block) for _ in range(total // len(block))]
    return b"".join(parts) + compressor.flush()


@pytest.fixture(scope="module")
def bombs() -> dict[str, tuple[str, bytes]]:
    br = brotli.Compressor(quality=5)
    br_body = b"".join(br.process(b"\0" * (1 << 20)) for _ in range(BOMB_DECODED >> 20)) + br.finish()
    gz = _zeros(zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS))
    return {
        "gzip": ("gzip", gz),
        "deflate-zlib": ("deflate", _zeros(zlib.compressobj(9))),
        "deflate-raw": ("deflate", _zeros(zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS))),
        "br": ("br", br_body),
        "gzip-in-gzip": ("gzip, gzip", gzip.compress(gz, 9)),
    }


# --- 2. a total deadline, not only a per-read timeout -----------------------------------------------

@pytest.mark.parametrize("kind", ["drip-body", "drip-headers", "silent"])
def test_every_fetch_ends_by_its_deadline(fast, hostile, kind):
    route = {"drip-body": drip(hostile, 0.5), "drip-headers": drip(hostile, 0.2, in_headers=True),
             "silent": silent(hostile)}[kind]
    url = hostile.add("/slow", route)
    start = time.monotonic()
    with pytest.raises(FetchError) as err:
        _fetcher(fast).fetch(url, max_bytes=CAP)  # retries allowed, but a spent deadline is not retried
    took = time.monotonic() - start
    assert err.value.reason == "timeout" and "deadline" in err.value.detail
    assert 1.4 <= took < 1.5 + 0.35, took  # cut at the deadline, not a read later
    assert hostile.hits("/slow") == 1


def test_a_read_timeout_before_the_deadline_is_retried(settings, hostile):
    url = hostile.add("/quiet", silent(hostile))
    sleeps: list[float] = []
    with pytest.raises(FetchError) as err:
        _fetcher(settings.with_(http_timeout=0.3, http_deadline=5, http_retries=1), sleeps).fetch(url, max_bytes=CAP)
    assert err.value.reason == "timeout" and "deadline" not in err.value.detail
    assert hostile.hits("/quiet") == 2 and sleeps == [0.5]


# --- 3. transient failures retried with bounded backoff; permanent ones not --------------------------

def test_5xx_retried_with_exponential_backoff_then_succeeds(fast, hostile):
    url = hostile.add("/flaky", sequence([(503, {}, b""), (500, {}, b""), (200, {}, b"<rss/>")]))
    sleeps: list[float] = []
    res = _fetcher(fast, sleeps).fetch(url, max_bytes=CAP)
    assert res.body == b"<rss/>" and hostile.hits("/flaky") == 3
    assert sleeps == [0.5, 1.0]


def test_retries_are_bounded(fast, hostile):
    url = hostile.add("/down", static(b"", status=502))
    sleeps: list[float] = []
    with pytest.raises(FetchError, match="HTTP 502"):
        _fetcher(fast, sleeps).fetch(url, max_bytes=CAP)
    assert hostile.hits("/down") == 1 + fast.http_retries and len(sleeps) == fast.http_retries
    assert all(backoff_delay(FetchError("x"), n) <= MAX_BACKOFF_S for n in range(50))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 451])
def test_permanent_4xx_not_retried(fast, hostile, status):
    url = hostile.add("/gone", static(b"", status=status))
    with pytest.raises(FetchError) as err:
        _fetcher(fast).fetch(url, max_bytes=CAP)
    assert err.value.reason == f"HTTP {status}" and not err.value.transient
    assert hostile.hits("/gone") == 1


def test_connection_errors_are_retried(fast):
    server = HostileServer().start()
    url = server.url("/closed")
    server.stop()  # nothing listens on that port any more
    sleeps: list[float] = []
    with pytest.raises(FetchError) as err:
        _fetcher(fast, sleeps).fetch(url, max_bytes=CAP)
    assert err.value.reason == "connection error" and err.value.transient
    assert sleeps == [0.5, 1.0]


def test_retry_after_in_seconds_is_honoured(fast, hostile):
    url = hostile.add("/busy", sequence([(429, {"Retry-After": "3"}, b""), (200, {}, b"ok")]))
    sleeps: list[float] = []
    assert _fetcher(fast, sleeps).fetch(url, max_bytes=CAP).body == b"ok"
    assert sleeps == [3.0]


def test_retry_after_as_http_date_is_honoured(fast, hostile):
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=8), usegmt=True)
    url = hostile.add("/maint", sequence([(503, {"Retry-After": when}, b""), (200, {}, b"ok")]))
    sleeps: list[float] = []
    assert _fetcher(fast, sleeps).fetch(url, max_bytes=CAP).body == b"ok"
    assert len(sleeps) == 1 and 6.0 <= sleeps[0] <= 8.0


def test_long_retry_after_ends_the_fetch_and_is_reported(fast, hostile):
    url = hostile.add("/later", static(b"", status=503, headers={"Retry-After": "3600"}))
    sleeps: list[float] = []
    with pytest.raises(FetchError) as err:
        _fetcher(fast, sleeps).fetch(url, max_bytes=CAP)
    assert err.value.retry_after == 3600 and sleeps == [] and hostile.hits("/later") == 1


def test_retry_after_parsing():
    now = datetime(2025, 6, 14, 18, 0, tzinfo=UTC).timestamp()
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Sat, 14 Jun 2025 18:02:00 GMT", now) == 120
    assert parse_retry_after("Sat, 14 Jun 2025 17:00:00 GMT", now) == 0  # in the past: now
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None


# --- 6. decoded size caps, with memory bounded ------------------------------------------------------

def test_plain_body_over_the_cap_is_refused(fast, hostile):
    url = hostile.add("/big", static(b"a" * (CAP + 1), headers={"Content-Length": str(CAP + 1)}))
    with pytest.raises(FetchError, match="too large"):
        _fetcher(fast).fetch(url, max_bytes=CAP)


def test_body_without_length_over_the_cap_is_refused(fast, hostile):
    def route(h):
        h.send_response(200)
        h.send_header("Connection", "close")
        h.end_headers()
        for _ in range(40):
            h.wfile.write(b"b" * 65536)

    url = hostile.add("/nolength", route)
    with pytest.raises(FetchError, match="too large"):
        _fetcher(fast).fetch(url, max_bytes=CAP)


@pytest.mark.parametrize("name", ["gzip", "deflate-zlib", "deflate-raw", "br", "gzip-in-gzip"])
def test_compression_bombs_refused_with_bounded_memory(fast, hostile, bombs, name):
    encoding, body = bombs[name]
    assert len(body) < CAP  # small on the wire: only decoding can tell
    url = hostile.add("/bomb", static(body, headers={"Content-Encoding": encoding}))
    fetcher = _fetcher(fast)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="too large"):
            fetcher.fetch(url, max_bytes=CAP)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * CAP, f"{name}: peak {peak / 1e6:.1f} MB while refusing a {BOMB_DECODED >> 20} MB bomb"


def test_httpx_alone_would_not_bound_a_bomb(hostile, bombs):
    """Why decoding is done by hand: httpx inflates a whole network chunk in one call."""
    url = hostile.add("/bomb", static(bombs["gzip"][1], headers={"Content-Encoding": "gzip"}))
    tracemalloc.start()
    try:
        with httpx.stream("GET", url, trust_env=False) as resp:
            next(resp.iter_bytes())
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak > 10 * CAP


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "gzip, br"])
def test_compressed_bodies_within_the_cap_are_decoded(fast, hostile, encoding):
    plain = b"<rss><channel><title>ok</title></channel></rss>" * 500
    body = plain
    for name in [e.strip() for e in encoding.split(",")]:
        body = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[name](body)
    url = hostile.add("/ok", static(body, headers={"Content-Encoding": encoding}))
    assert _fetcher(fast).fetch(url, max_bytes=CAP).body == plain


def test_gzip_label_on_a_plain_body_is_read_as_plain(fast, hostile):
    url = hostile.add("/liar", static(b"<rss/>", headers={"Content-Encoding": "gzip"}))
    assert _fetcher(fast).fetch(url, max_bytes=CAP).body == b"<rss/>"


def test_corrupt_compressed_body_is_a_permanent_error(fast, hostile):
    body = gzip.compress(b"x" * 10_000)[:40] + b"\xff" * 200
    url = hostile.add("/corrupt", static(body, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError) as err:
        _fetcher(fast).fetch(url, max_bytes=CAP)
    assert err.value.reason == "bad encoding" and hostile.hits("/corrupt") == 1


def test_user_agent_names_the_project_and_a_contact(fast, hostile):
    url = hostile.add("/ua", static(b"ok"))
    _fetcher(fast).fetch(url, max_bytes=CAP)
    agent = hostile.requests[-1][1]["User-Agent"]
    assert agent.startswith("prisoner-exchange-pipeline/") and "+https://" in agent


def test_endless_headers_are_cut_off(fast, hostile):
    def route(h):
        h.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(200_000):
            h.wfile.write(b"X-Filler: " + b"a" * 90 + b"\r\n")

    url = hostile.add("/headers", route)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as err:
            _fetcher(fast).fetch(url, max_bytes=CAP, retries=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.value.reason in ("protocol error", "timeout") and peak < 6 * CAP


def test_redirect_loops_end(fast, hostile):
    hostile.add("/loop", static(b"", status=302, headers={"Location": "/loop"}))
    with pytest.raises(FetchError, match="too many redirects"):
        _fetcher(fast).fetch(hostile.url("/loop"), max_bytes=CAP)
    assert hostile.hits("/loop") == 6
