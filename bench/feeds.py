"""Feed ingestion benchmark: 200 feeds (and their article pages) from local servers.

Eight HTTP servers on 127.0.0.2-9 stand for eight news sites, 25 feeds each, gzip-encoded, with
ETag and robots.txt. Each feed has 10 items, 2 of them relevant (their pages are fetched). The
whole FeedSource path runs: guarded connections, per-host politeness (no delay here), decoding,
parsing, robots.txt, page fetches. A second pass revalidates every feed (all 304).

Prints JSON lines: {"bench": "feeds", "metric": ..., "value": ..., "unit": ...}.
Usage: python bench/feeds.py [N_FEEDS]
"""

from __future__ import annotations

import gzip
import hashlib
import json
import resource
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.settings import Settings  # noqa: E402
from pipeline.sources import FeedSource, FeedState, KnownState  # noqa: E402

HOSTS = [f"127.0.0.{i}" for i in range(2, 10)]
ITEMS = 10
RELEVANT = 2
PARA = ("Officials said the exchange of prisoners took place at the border on Friday after weeks of talks. "
        "Families waited for hours; the released men were taken to hospitals for checks. ") * 6


def feed_body(base: str, n: int) -> bytes:
    items = []
    for i in range(ITEMS):
        title = f"Prisoner swap update {n}-{i}" if i < RELEVANT else f"Weather and markets {n}-{i}"
        items.append(f"<item><title>{title}</title><link>{base}/story/{n}/{i}.html</link>"
                     f"<description>Item {i} of feed {n}</description>"
                     f"<pubDate>Fri, 03 Oct 2025 10:{i:02d}:00 GMT</pubDate></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {n}</title>'
            f"<link>{base}/</link><description>bench</description>{''.join(items)}</channel></rss>").encode()


def page_body(path: str) -> bytes:
    return (f"<html><head><title>{path}</title></head><body><nav>Home News</nav><article><h1>{path}</h1>"
            f"<p>{PARA}</p><p>{PARA}</p></article><footer>(c) bench</footer></body></html>").encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        return None

    def do_GET(self) -> None:  # noqa: N802
        base = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"
        if self.path == "/robots.txt":
            body, ctype = b"User-agent: *\nDisallow: /private/\n", "text/plain"
        elif self.path.startswith("/feed/"):
            body, ctype = feed_body(base, int(self.path.split("/")[2].split(".")[0])), "application/rss+xml"
        else:
            body, ctype = page_body(self.path), "text/html; charset=utf-8"
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = gzip.compress(body, 6)
        self.send_response(200)
        for k, v in (("Content-Type", ctype), ("Content-Encoding", "gzip"), ("ETag", etag),
                     ("Content-Length", str(len(payload)))):
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)


def start_servers() -> list[ThreadingHTTPServer]:
    servers = []
    for host in HOSTS:
        httpd = ThreadingHTTPServer((host, 0), Handler)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(httpd)
    return servers


def emit(metric: str, value: float, unit: str) -> None:
    print(json.dumps({"bench": "feeds", "metric": metric, "value": round(value, 2), "unit": unit}), flush=True)


def main(n_feeds: int = 200) -> None:
    servers = start_servers()
    urls = [f"http://{s.server_address[0]}:{s.server_address[1]}/feed/{i}.xml"
            for i in range(n_feeds) for s in [servers[i % len(servers)]]]
    settings = Settings.from_env({"PIPELINE_ALLOW_PRIVATE_HOSTS": ",".join(HOSTS), "PIPELINE_HOST_DELAY": "0",
                                  "PIPELINE_HOST_CONCURRENCY": "2", "PIPELINE_FEED_CONCURRENCY": "16"})
    now = datetime(2025, 10, 3, 12, tzinfo=UTC)
    start = time.perf_counter()
    out = FeedSource(settings, urls, KnownState(), now=lambda: now).collect()
    took = time.perf_counter() - start
    ok = sum(1 for o in out.outcomes if o.ok)
    emit("feeds_per_s", ok / took, "feeds/s")
    emit("pages_per_s", len(out.articles) / took, "pages/s")
    emit("feeds_ok", ok, "feeds")
    emit("pages_fetched", len(out.articles), "pages")

    known = KnownState(feeds={o.feed_url: FeedState(etag=o.etag) for o in out.outcomes})
    start = time.perf_counter()
    again = FeedSource(settings, urls, known, now=lambda: now).collect()
    took = time.perf_counter() - start
    emit("feeds_per_s_revalidate", sum(1 for o in again.outcomes if o.not_modified) / took, "feeds/s")
    emit("peak_rss_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB")
    for s in servers:
        s.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
