"""FeedSource against a hostile server, recorded in a real warehouse file.

1 one bad feed never stops the others, each failure in feed_health with its reason;
4 N consecutive failures: one alert, slower polling, reset by one success;
5 conditional GET; 7 hostile article links; 12 hostile pages clean to plain text;
13 politeness (per-host concurrency and delay, robots.txt, minimum refresh, Retry-After);
14 the same story stored once.
"""

from __future__ import annotations

import gzip
import time
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from pipeline.clean import clean
from pipeline.feed_health import newly_failing
from pipeline.records import CleanArticle, ValidatedBatch
from pipeline.sources import FeedSource
from pipeline.warehouse import known_state, writer
from pipeline.warehouse.load import RunInfo, load
from tests.hostile_server import HostileServer, conditional, drip, page, rss, sequence, static

T0 = datetime(2025, 10, 3, 12, 0, tzinfo=UTC)
STORY = ["Russia and Ukraine exchanged 84 prisoners of war on Friday, officials in both capitals said.",
         "The swap was the third this month and was brokered by the United Arab Emirates.",
         "Among those returned were wounded soldiers and two civilians held since 2022."]


@pytest.fixture
def hostile():
    server = HostileServer().start()
    yield server
    server.stop()


@pytest.fixture
def cfg(settings):
    return settings.with_(http_deadline=1.5, http_retries=0, failure_backoff_after=2, min_refresh_minutes=10.0)


def poll(settings, urls, run_id: str, now: datetime = T0):
    """One collect, recorded like a pass records it (feed state, rejections, aliases)."""
    out = FeedSource(settings, urls, known_state(settings), now=lambda: now).collect()
    articles = [c for c in map(clean, out.articles) if isinstance(c, CleanArticle)]
    with writer(settings.warehouse, settings.replica_path) as con:
        load(con, RunInfo(run_id, "feeds", now, now, "test"), articles=articles, aliases=out.aliases,
             validated=ValidatedBatch((), ()), rejections=out.rejections, outcomes=out.outcomes, summary={},
             backoff_after=settings.failure_backoff_after,
             min_refresh=timedelta(minutes=settings.min_refresh_minutes))
    return out


def health(settings) -> dict[str, tuple]:
    con = duckdb.connect(str(settings.replica_path), read_only=True)
    try:
        rows = con.execute("SELECT feed_url, last_success_at, consecutive_failures, last_error, next_poll_after "
                           "FROM feed_health").fetchall()
        return {r[0]: r[1:] for r in rows}
    finally:
        con.close()


def story_feed(server: HostileServer, name: str, links: list[str]) -> str:
    items = [(f"Prisoner swap report {i}", link, "Prisoners exchanged") for i, link in enumerate(links)]
    return server.add(f"/{name}.xml", static(rss(items), headers={"Content-Type": "application/rss+xml"}))


# --- 1. one bad feed never stops the others ---------------------------------------------------------

def test_bad_feeds_are_recorded_and_never_stop_the_good_one(cfg, hostile):
    hostile.add("/story.html", static(page("Swap", STORY), headers={"Content-Type": "text/html"}))
    good = story_feed(hostile, "good", [hostile.url("/story.html")])
    bomb = gzip.compress(b"\0" * 20_000_000, 1)
    bad = {
        hostile.add("/missing.xml", static(b"", status=404)): "HTTP 404",
        hostile.add("/drip.xml", drip(hostile, 0.2)): "timeout",
        hostile.add("/html.xml", static(b"<html><body>hello</body></html>", headers={"Content-Type": "text/html"})):
            "not a feed",
        hostile.add("/bomb.xml", static(bomb, headers={"Content-Encoding": "gzip"})): "too large",
        hostile.add("/laughs.xml", static(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "&b;&b;">]><r/>')):
            "not a feed: expanding XML entity",
        hostile.add("/broken.xml", static(gzip.compress(b"<rss>")[:12], headers={"Content-Encoding": "gzip"})):
            "bad encoding",
        "http://169.254.169.254/latest/meta-data/": "refused address",
        "file:///etc/passwd": "refused scheme",
    }
    cfg = cfg.with_(max_feed_bytes=1_000_000, feed_concurrency=4)
    started = time.monotonic()
    out = poll(cfg, [good, *bad], "run-1")
    assert time.monotonic() - started < 10
    assert [a.url for a in out.articles] == [hostile.url("/story.html")]
    rows = health(cfg)
    assert rows[good][0] is not None and rows[good][1] == 0
    for url, reason in bad.items():
        last_success, failures, error, _next = rows[url]
        assert last_success is None and failures == 1 and error.startswith(reason), (url, error)


def test_an_unexpected_error_in_one_feed_is_recorded_too(cfg, hostile, monkeypatch):
    good = story_feed(hostile, "good", [])
    odd = story_feed(hostile, "odd", [])
    import pipeline.sources as sources

    real = sources.parse_feed

    def flaky_parse(body, url, headers=None):
        if url == odd:
            raise RuntimeError("parser bug")
        return real(body, url, headers)

    monkeypatch.setattr(sources, "parse_feed", flaky_parse)
    poll(cfg, [odd, good], "run-1")
    rows = health(cfg)
    assert rows[good][1] == 0 and rows[odd][2].startswith("internal error: RuntimeError")


# --- 4. failure threshold: one alert, slower polling, one success resets -------------------------------

def test_failing_feed_alerts_once_backs_off_and_recovers(cfg, hostile):
    feed = hostile.add("/flaky.xml", sequence([(500, {}, b"")] * 3 + [(200, {}, rss([]))]))
    delays, alerts = [], []
    now = T0
    for run in range(1, 4):
        poll(cfg, [feed], f"run-{run}", now)
        failures, next_poll = health(cfg)[feed][1], health(cfg)[feed][3]
        assert failures == run
        delays.append(next_poll - now)
        alerts.append([r["feed_url"] for r in newly_failing(cfg, f"run-{run}")])
        now = next_poll + timedelta(seconds=1)
    assert alerts == [[], [feed], []]  # crossed the threshold (2) in run 2: one alert, not one per run
    assert newly_failing(cfg, "run-2")[0]["last_error"].startswith("HTTP 500")  # asking again: same answer
    assert delays[0] == timedelta(minutes=10) and delays[0] < delays[1] < delays[2]

    poll(cfg, [feed], "run-4", now)
    assert health(cfg)[feed][1] == 0 and health(cfg)[feed][3] - now == timedelta(minutes=10)
    con = duckdb.connect(str(cfg.replica_path), read_only=True)
    assert con.execute("SELECT alerted_at FROM feed_state").fetchone()[0] is None
    con.close()


def test_a_feed_not_due_is_not_polled(cfg, hostile):
    feed = story_feed(hostile, "calm", [])
    poll(cfg, [feed], "run-1", T0)
    out = poll(cfg, [feed], "run-2", T0 + timedelta(minutes=5))  # minimum refresh is 10 minutes
    assert out.outcomes[0].skipped and hostile.hits("/calm.xml") == 1
    poll(cfg, [feed], "run-3", T0 + timedelta(minutes=11))
    assert hostile.hits("/calm.xml") == 2


def test_retry_after_postpones_the_next_poll(cfg, hostile):
    feed = hostile.add("/busy.xml", static(b"", status=503, headers={"Retry-After": "7200"}))
    poll(cfg, [feed], "run-1", T0)
    assert health(cfg)[feed][3] >= T0 + timedelta(hours=2)


# --- 5. conditional GET ------------------------------------------------------------------------------

def test_conditional_get_304_adds_nothing(cfg, hostile):
    hostile.add("/story.html", static(page("Swap", STORY), headers={"Content-Type": "text/html"}))
    feed = hostile.add("/cond.xml", conditional(rss([("Prisoner swap", hostile.url("/story.html"), "x")])))
    first = poll(cfg, [feed], "run-1", T0)
    assert len(first.articles) == 1
    second = poll(cfg, [feed], "run-2", T0 + timedelta(hours=1))
    assert second.outcomes[0].not_modified and not second.articles and not second.rejections
    headers = hostile.requests[-1][1]
    assert headers.get("If-None-Match", "").startswith('"') and headers.get("If-Modified-Since")
    assert hostile.hits("/story.html") == 1


# --- 7. hostile article links ----------------------------------------------------------------------------

def test_article_links_to_private_addresses_or_odd_schemes_are_refused(cfg, hostile):
    hostile.add("/secret", static(b"internal"))
    links = ["http://169.254.169.254/latest/meta-data/", "file:///etc/passwd", "javascript:alert(1)",
             f"http://127.1:{hostile.port}/secret", f"http://2130706433:{hostile.port}/secret",
             f"http://[::ffff:127.0.0.1]:{hostile.port}/secret"]
    only_localhost = cfg.with_(allow_private_hosts=frozenset({"localhost"}))
    feed = story_feed(hostile, "evil", links).replace("127.0.0.1", "localhost")
    out = FeedSource(only_localhost, [feed], known_state(only_localhost), now=lambda: T0).collect()
    assert out.outcomes[0].ok and not out.articles
    assert sorted(r.reason for r in out.rejections) == ["refused address"] * 4 + ["refused scheme"] * 2
    assert hostile.hits("/secret") == 0


def test_article_links_to_media_are_refused_before_their_body_is_read(cfg, hostile):
    hostile.add("/swap.mp4", static(b"\0" * 3_000_000, headers={"Content-Type": "video/mp4"}))
    feed = story_feed(hostile, "media", [hostile.url("/swap.mp4")])
    out = FeedSource(cfg, [feed], known_state(cfg), now=lambda: T0).collect()
    assert not out.articles
    assert [(r.reason, r.detail) for r in out.rejections] == [("unwanted content type", "video/mp4")]


# --- 12. hostile pages become plain text -----------------------------------------------------------------

def test_hostile_page_cleans_to_plain_text(cfg, hostile):
    evil = page(
        "Swap", STORY + [
            '<script>document.cookie</script>Both sides confirmed the exchange <b onclick="alert(1)">today</b>.',
            "Officials said &lt;script&gt;alert(2)&lt;/script&gt; more swaps would follow next month.",
            '<a href="javascript:alert(3)">Families</a> waited at the border crossing for hours.',
            '<iframe src="http://169.254.169.254/"></iframe><img src=x onerror="alert(4)">Talks continue.'],
        extra_head="<style>body{}</style><script>var tracking = 1;</script>",
        extra_body="<noscript><img src='http://t.example/p'></noscript><svg onload='alert(5)'></svg>")
    hostile.add("/evil.html", static(evil, headers={"Content-Type": "text/html"}))
    feed = story_feed(hostile, "xss", [hostile.url("/evil.html")])
    out = FeedSource(cfg, [feed], known_state(cfg), now=lambda: T0).collect()
    cleaned = clean(out.articles[0])
    assert isinstance(cleaned, CleanArticle) and "exchanged 84 prisoners" in cleaned.text
    stored = f"{cleaned.title}\n{cleaned.text}"
    for trace in ("<", ">", "alert(", "document.cookie", "javascript:", "onclick", "onerror", "tracking"):
        assert trace not in stored, trace


# --- 13. politeness ----------------------------------------------------------------------------------------

def test_per_host_concurrency_and_delay(cfg, hostile):
    urls = [story_feed(hostile, f"f{i}", []) for i in range(6)]
    polite = cfg.with_(feed_concurrency=6, host_concurrency=1, host_delay=0.15)
    start = time.monotonic()
    poll(polite, urls, "run-1")
    assert hostile.peak_active == 1
    assert time.monotonic() - start >= 5 * 0.15


def test_parallel_hosts_are_fetched_concurrently(cfg, hostile):
    servers = [HostileServer(f"127.0.0.{i}").start() for i in (2, 3, 4)]
    try:
        for s in servers:
            s.add("/slow.xml", lambda h: (time.sleep(0.4), h.send_response(200), h.send_header("Content-Length", "0"),
                                          h.end_headers()))
        allow = cfg.with_(allow_private_hosts=frozenset({"127.0.0.2", "127.0.0.3", "127.0.0.4"}),
                          feed_concurrency=3)
        start = time.monotonic()
        FeedSource(allow, [s.url("/slow.xml", host=s.httpd.server_address[0]) for s in servers],
                   known_state(allow), now=lambda: T0).collect()
        assert time.monotonic() - start < 1.0  # three hosts at once, not 3 x 0.4 s in a row
    finally:
        for s in servers:
            s.stop()


def test_robots_txt_is_honoured_and_fetched_once_per_host(cfg, hostile):
    hostile.add("/robots.txt", static(b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"}))
    for path in ("/private/a.html", "/public/b.html", "/public/c.html"):
        hostile.add(path, static(page("Swap", STORY + [path]), headers={"Content-Type": "text/html"}))
    feed = story_feed(hostile, "r", [hostile.url(p) for p in ("/private/a.html", "/public/b.html", "/public/c.html")])
    out = FeedSource(cfg, [feed], known_state(cfg), now=lambda: T0).collect()
    assert sorted(a.url.rsplit("/", 1)[1] for a in out.articles) == ["b.html", "c.html"]
    assert [(r.reason, r.subject) for r in out.rejections] == [("robots.txt disallows", hostile.url("/private/a.html"))]
    assert hostile.hits("/robots.txt") == 1 and hostile.hits("/private/a.html") == 0


@pytest.mark.parametrize(("robots", "fetched"), [(static(b"", status=404), True), (static(b"", status=500), False),
                                                 (static(b"User-agent: prisoner-exchange-pipeline\nDisallow: /\n"), False)])
def test_robots_txt_missing_broken_or_naming_us(cfg, hostile, robots, fetched):
    hostile.add("/robots.txt", robots)
    hostile.add("/a.html", static(page("Swap", STORY), headers={"Content-Type": "text/html"}))
    feed = story_feed(hostile, "r", [hostile.url("/a.html")])
    out = FeedSource(cfg, [feed], known_state(cfg), now=lambda: T0).collect()
    assert bool(out.articles) == fetched and hostile.hits("/a.html") == int(fetched)
    if not fetched:
        assert out.rejections[0].reason.startswith("robots.txt")


# --- 14. the same story stored once ----------------------------------------------------------------------

def test_same_story_through_tracking_links_and_redirects_is_fetched_once(cfg, hostile):
    hostile.add("/story.html", static(page("Swap", STORY), headers={"Content-Type": "text/html"}))
    hostile.add("/short/x", static(b"", status=301, headers={"Location": "/story.html?utm_source=short"}))
    a = story_feed(hostile, "a", [hostile.url("/story.html?utm_source=rss&utm_medium=feed")])
    b = story_feed(hostile, "b", [hostile.url("/story.html"), hostile.url("/short/x")])
    out = poll(cfg.with_(feed_concurrency=1), [a, b], "run-1")
    assert [x.url for x in out.articles] == [hostile.url("/story.html")]
    assert hostile.hits("/story.html") == 2  # once for the story, once at the end of the short link
    assert [(u.rsplit("/", 2)[-2:], why) for u, _id, why in out.aliases] == [(["short", "x"], "redirect")]
    again = poll(cfg, [a, b], "run-2", T0 + timedelta(hours=1))
    assert not again.articles and again.already_stored == 3 and hostile.hits("/story.html") == 2


def test_syndicated_copy_is_linked_not_stored_end_to_end(settings, hostile):
    """The whole pass (collect, clean, extract, validate, load), twice: one story, its copies as aliases."""
    from pipeline.run import run_stages

    chrome = "<header>Other Paper - Subscribe</header>"
    hostile.add("/story.html", static(page("Swap", STORY), headers={"Content-Type": "text/html"}))
    hostile.add("/syndicated/copy.html", static(page("Swap", STORY, extra_body=chrome),
                                                headers={"Content-Type": "text/html"}))
    hostile.add("/go", static(b"", status=302, headers={"Location": "/story.html"}))
    a = story_feed(hostile, "a", [hostile.url("/story.html?utm_campaign=x")])
    b = story_feed(hostile, "b", [hostile.url("/syndicated/copy.html"), hostile.url("/go")])
    cfg = settings.with_(feed_concurrency=1)
    first = run_stages(cfg, "dedupe-1", "feeds", T0, [a, b])
    second = run_stages(cfg, "dedupe-2", "feeds", T0 + timedelta(hours=1), [a, b])
    con = duckdb.connect(str(cfg.replica_path), read_only=True)
    try:
        articles = con.execute("SELECT url FROM articles").fetchall()
        aliases = dict(con.execute("SELECT url, reason FROM article_aliases").fetchall())
    finally:
        con.close()
    assert articles == [(hostile.url("/story.html"),)]
    assert aliases == {hostile.url("/syndicated/copy.html"): "same text", hostile.url("/go"): "redirect"}
    assert first["articles_new"] == 1 and second["articles_new"] == 0 and second["aliases_new"] == 0
    assert hostile.hits("/story.html") == 2 and hostile.hits("/syndicated/copy.html") == 1  # nothing refetched
