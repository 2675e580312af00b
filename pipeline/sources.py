"""Sources: where raw articles come from. Live feeds over HTTP, and the seed files.

Both return a ``Collected``: the raw articles plus everything that did not become one (feed
outcomes, rejections, entries dropped by the relevance filter), so nothing is lost silently.
Given a ``sink``, the raw articles go to it as soon as each is fetched (from the fetching thread, with
its order key) instead of into ``Collected.articles``: memory is then bounded by the concurrency.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from pipeline.errors import ConfigError, FetchError
from pipeline.feeds import FeedRejected, parse_feed
from pipeline.http import Fetcher
from pipeline.netguard import check_url
from pipeline.records import FeedEntry, FeedOutcome, FeedState, KnownState, RawArticle, Rejection
from pipeline.relevance import is_relevant
from pipeline.robots import RobotsCache
from pipeline.settings import Settings
from pipeline.urls import article_id_for, canonical_url


class Sink(Protocol):
    """Where raw articles go as they are fetched (``pipeline.spool.RawSpool``); called from many threads."""

    def add(self, key: tuple[int, int], raw: RawArticle) -> None: ...  # key: (feed index, n-th of the feed)

    def discard(self, feed_index: int) -> None: ...  # a feed that failed keeps none of its articles


@dataclass
class Collected:
    articles: list[RawArticle] = field(default_factory=list)
    outcomes: list[FeedOutcome] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    dropped_irrelevant: int = 0
    already_stored: int = 0
    aliases: list[tuple[str, str, str]] = field(default_factory=list)  # (url, article_id, reason)

    def merge(self, other: Collected) -> None:
        self.articles += other.articles
        self.outcomes += other.outcomes
        self.rejections += other.rejections
        self.dropped_irrelevant += other.dropped_irrelevant
        self.already_stored += other.already_stored
        self.aliases += other.aliases


def read_feed_list(path: Path) -> list[str]:
    if not path.exists():
        raise ConfigError(f"feed list {path} does not exist (PIPELINE_FEEDS)")
    urls = [ln.split("#", 1)[0].strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    return list(dict.fromkeys(u for u in urls if u))


class SeedSource:
    """The seed articles: plain-text files, read in name order, ids ``seed://FILE``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def collect(self, *, sink: Sink | None = None) -> Collected:
        if not self.folder.is_dir():
            raise ConfigError(f"seed folder {self.folder} does not exist (PIPELINE_SEEDS)")
        out = Collected()
        put = _keyed(sink, 0) if sink is not None else out.articles.append
        for path in sorted(self.folder.glob("*.txt")):
            put(RawArticle(url=f"seed://{path.name}", body=path.read_bytes(),
                           content_type="text/plain; charset=utf-8", source="seed"))
        return out


def _keyed(sink: Sink, feed_index: int) -> Callable[[RawArticle], None]:
    """What one feed's (single) worker calls: ``sink`` with the key (feed, n-th article of the feed)."""
    counter = itertools.count()
    return lambda raw: sink.add((feed_index, next(counter)), raw)


class HostThrottle:
    """Politeness per host: at most ``concurrency`` requests at once, starts ``delay`` s apart."""

    def __init__(self, delay: float, concurrency: int = 1) -> None:
        self.delay = delay
        self.concurrency = max(1, concurrency)
        self._slots: dict[str, threading.Semaphore] = {}
        self._next_start: dict[str, float] = {}
        self._guard = threading.Lock()

    def __call__(self, url: str) -> _Spaced:
        host = (urlsplit(url).hostname or "").lower()
        with self._guard:
            slots = self._slots.setdefault(host, threading.Semaphore(self.concurrency))
        return _Spaced(slots, self, host)

    def reserve(self, host: str) -> float:
        """Seconds to wait before this request may start (and book the next start)."""
        with self._guard:
            now = time.monotonic()
            start = max(now, self._next_start.get(host, 0.0))
            self._next_start[host] = start + self.delay
            return start - now


class _Spaced:
    def __init__(self, slots: threading.Semaphore, throttle: HostThrottle, host: str) -> None:
        self.slots, self.throttle, self.host = slots, throttle, host

    def __enter__(self) -> None:
        self.slots.acquire()
        wait = self.throttle.reserve(self.host)
        if wait > 0:
            time.sleep(wait)

    def __exit__(self, *exc: object) -> None:
        self.slots.release()


FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")


class FeedSource:
    """Live feeds over HTTP: poll each feed, keep relevant entries, download their pages.

    One bad feed never stops the others: whatever goes wrong with a feed becomes its outcome
    (feed_health), whatever goes wrong with a page becomes a rejection.
    """

    def __init__(self, settings: Settings, feed_urls: Iterable[str], known: KnownState,
                 now: Callable[[], datetime], fetcher: Fetcher | None = None) -> None:
        self.settings = settings
        self.feed_urls = list(dict.fromkeys(feed_urls))
        self.known = known
        self.now = now
        self.fetcher = fetcher or Fetcher(settings)
        self.throttle = HostThrottle(settings.host_delay, settings.host_concurrency)
        self.robots = RobotsCache(self.fetcher, settings.user_agent, self.throttle)
        self._claimed: set[str] = set()  # article ids fetched (or being fetched) in this run
        self._claim_lock = threading.Lock()
        self._stored: dict[str, set[str]] = {}  # feed URL -> ids among its entries already stored

    def collect(self, progress: Callable[[str], None] = lambda _m: None, *, sink: Sink | None = None) -> Collected:
        out = Collected()
        workers = max(1, min(self.settings.feed_concurrency, len(self.feed_urls) or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = pool.map(self._collect_feed_safely, self.feed_urls, itertools.count(), itertools.repeat(sink))
            for i, part in enumerate(parts, start=1):
                out.merge(part)
                progress(f"feeds {i}/{len(self.feed_urls)}")
        return out

    def _collect_feed_safely(self, feed_url: str, index: int = 0, sink: Sink | None = None) -> Collected:
        try:
            return self._collect_feed(feed_url, _keyed(sink, index) if sink is not None else None)
        except Exception as exc:  # a bug or a surprise in one feed must not stop the others
            if sink is not None:
                sink.discard(index)
            out = Collected()
            out.outcomes.append(FeedOutcome(feed_url, self.now(), ok=False,
                                            error=f"internal error: {type(exc).__name__}: {exc}"[:500]))
            return out

    def _collect_feed(self, feed_url: str, put: Callable[[RawArticle], None] | None = None) -> Collected:
        out = Collected()
        put = put or out.articles.append
        state = self.known.feeds.get(feed_url, FeedState())
        started = self.now()
        if state.next_poll_after and state.next_poll_after > started:
            out.outcomes.append(FeedOutcome(feed_url, started, ok=True, skipped=True))
            return out
        res = None
        try:
            with self.throttle(feed_url):
                res = self.fetcher.fetch(feed_url, max_bytes=self.settings.max_feed_bytes, etag=state.etag,
                                         last_modified=state.last_modified, accept=FEED_ACCEPT)
            if res.not_modified:
                out.outcomes.append(FeedOutcome(feed_url, started, ok=True, not_modified=True, status=304,
                                                etag=res.etag, last_modified=res.last_modified))
                return out
            parsed = parse_feed(res.body, feed_url, res.headers)
        except FetchError as err:
            out.outcomes.append(FeedOutcome(feed_url, started, ok=False, error=str(err)[:500],
                                            status=_status_of(err), retry_after_s=err.retry_after))
            return out
        except FeedRejected as err:
            out.outcomes.append(FeedOutcome(feed_url, started, ok=False, status=res.status if res else None,
                                            error=err.reason))
            return out
        relevant = [e for e in parsed.entries if is_relevant(e.title, e.summary)]
        out.dropped_irrelevant = len(parsed.entries) - len(relevant)
        entries = relevant[: self.settings.max_articles_per_feed]
        self._stored[feed_url] = self.known.known_ids([e.link for e in entries])  # one question a feed
        try:
            for entry in entries:
                self._collect_article(entry, out, put)
        finally:
            self._stored.pop(feed_url, None)
        out.outcomes.append(FeedOutcome(feed_url, started, ok=True, status=res.status, etag=res.etag,
                                        last_modified=res.last_modified, entries=len(parsed.entries),
                                        relevant=len(relevant), bozo_cause=parsed.bozo_cause))
        return out

    def _claim(self, article_id: str) -> bool:
        """True for the first entry of this run that leads to ``article_id``."""
        with self._claim_lock:
            if article_id in self._claimed:
                return False
            self._claimed.add(article_id)
            return True

    def _collect_article(self, entry: FeedEntry, out: Collected, put: Callable[[RawArticle], None]) -> None:
        stored = self._stored.get(entry.feed_url, set())  # the feed's entries the warehouse holds
        link_id = article_id_for(entry.link)
        if link_id in stored or not self._claim(link_id):
            out.already_stored += 1
            return
        try:
            check_url(entry.link, self.settings.allow_private_hosts)
        except FetchError as err:
            out.rejections.append(Rejection("fetch", err.reason, entry.link, err.detail[:300]))
            return
        refusal = self.robots.refusal(entry.link)
        if refusal:
            out.rejections.append(Rejection("fetch", refusal, entry.link, "article page not fetched"))
            return
        try:
            with self.throttle(entry.link):
                res = self.fetcher.fetch(entry.link, max_bytes=self.settings.max_page_bytes, accept=PAGE_ACCEPT,
                                         content_types=PAGE_TYPES)
        except FetchError as err:
            out.rejections.append(Rejection("fetch", err.reason, entry.link, err.detail[:300]))
            return
        final_url = canonical_url(res.final_url)
        final_id = article_id_for(final_url)
        if final_id != link_id:
            out.aliases.append((entry.link, final_id, "redirect"))
            if final_id in stored or final_id in self.known.known_ids([final_url]) or not self._claim(final_id):
                out.already_stored += 1
                return
        put(RawArticle(url=final_url, body=res.body, content_type=res.content_type or "text/html",
                       source="feed", feed_url=entry.feed_url, title_hint=entry.title,
                       published_hint=entry.published, fetched_at=self.now()))


def _status_of(err: FetchError) -> int | None:
    reason = err.reason
    return int(reason[5:]) if reason.startswith("HTTP ") and reason[5:].isdigit() else None
