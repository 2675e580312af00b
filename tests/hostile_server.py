"""A hostile HTTP server on 127.0.0.1 for tests: every way a server we do not control can misbehave.

Routes are plain functions of the request handler; the helpers below build the usual villains:
drip feeds, silent sockets, decompression bombs, redirect chains, flaky 5xx, Retry-After, and
well-behaved conditional GET for contrast. Every request is recorded (path and headers).
"""

from __future__ import annotations

import hashlib
import select
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[[BaseHTTPRequestHandler], None]


class HostileServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        self.active = 0
        self.peak_active = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return None

            def do_GET(self) -> None:  # noqa: N802
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?", 1)[0])
                with server._lock:
                    server.active += 1
                    server.peak_active = max(server.peak_active, server.active)
                try:
                    if route is None:
                        send(self, 404, b"not here")
                    else:
                        route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with server._lock:
                        server.active -= 1

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                return None  # clients that hang up on purpose are the point of these tests

        self.httpd = Server((host, 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/{path.lstrip('/')}"

    def add(self, path: str, route: Route) -> str:
        self.routes["/" + path.lstrip("/")] = route
        return self.url(path)

    def hits(self, path: str) -> int:
        path = "/" + path.lstrip("/")
        return sum(1 for p, _h in self.requests if p.split("?", 1)[0] == path)

    def start(self) -> HostileServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def send(h: BaseHTTPRequestHandler, status: int, body: bytes = b"",
         headers: dict[str, str] | None = None) -> None:
    h.send_response(status)
    hdrs = {"Content-Type": "application/xml", **(headers or {})}
    for k, v in hdrs.items():
        h.send_header(k, v)
    if "Content-Length" not in hdrs:
        h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def static(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Route:
    return lambda h: send(h, status, body, headers)


def sequence(responses: Iterable[tuple[int, dict[str, str], bytes]]) -> Route:
    """Successive responses; the last one repeats."""
    items = list(responses)
    state = {"i": 0}

    def route(h: BaseHTTPRequestHandler) -> None:
        status, headers, body = items[min(state["i"], len(items) - 1)]
        state["i"] += 1
        send(h, status, body, headers)

    return route


def drip(server: HostileServer, interval: float, *, in_headers: bool = False, limit_s: float = 20.0) -> Route:
    """One byte every ``interval`` seconds, in the body (or while still sending headers)."""

    def route(h: BaseHTTPRequestHandler) -> None:
        if in_headers:
            h.wfile.write(b"HTTP/1.1 200 OK\r\n")
            filler = b"X-Slow: " + b"a" * 10_000
        else:
            h.send_response(200)
            h.send_header("Content-Type", "application/xml")
            h.send_header("Content-Length", "1000000")
            h.end_headers()
            filler = b"<rss>" + b" " * 1_000_000
        end = time.monotonic() + limit_s
        for byte in filler:
            if server.stopping.is_set() or time.monotonic() > end:
                return
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            time.sleep(interval)

    return route


def silent(server: HostileServer, limit_s: float = 20.0) -> Route:
    """Accept the request and never answer (until the client goes away)."""

    def route(h: BaseHTTPRequestHandler) -> None:
        end = time.monotonic() + limit_s
        while not server.stopping.is_set() and time.monotonic() < end:
            readable, _w, _x = select.select([h.connection], [], [], 0.1)
            if readable and not h.connection.recv(1, 0x40):  # MSG_DONTWAIT: closed by the client
                return
        h.close_connection = True

    return route


def redirect(location: str, status: int = 302) -> Route:
    return lambda h: send(h, status, b"", {"Location": location})


def conditional(body: bytes, last_modified: str = "Sat, 14 Jun 2025 18:00:00 GMT",
                content_type: str = "application/rss+xml") -> Route:
    """A well-behaved feed: ETag and Last-Modified, 304 when the client already has it."""
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'

    def route(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == etag or h.headers.get("If-Modified-Since") == last_modified:
            send(h, 304, b"", {"ETag": etag, "Last-Modified": last_modified})
            return
        send(h, 200, body, {"ETag": etag, "Last-Modified": last_modified, "Content-Type": content_type})

    return route


def rss(items: Iterable[tuple[str, str, str]], title: str = "Hostile news") -> bytes:
    """An RSS 2.0 feed of (title, link, description) items."""
    body = "".join(f"<item><title>{t}</title><link>{link}</link><description>{d}</description>"
                   f"<pubDate>Thu, 02 Oct 2025 10:00:00 GMT</pubDate></item>" for t, link, d in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://example.org/</link><description>x</description>{body}</channel></rss>").encode()


def page(title: str, paragraphs: Iterable[str], extra_head: str = "", extra_body: str = "") -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{extra_head}</head>"
            f"<body><article><h1>{title}</h1>{paras}</article>{extra_body}</body></html>").encode()
