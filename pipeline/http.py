"""HTTP at the edge: every request the pipeline makes goes through ``Fetcher.fetch``.

- only http(s), only public addresses (unless named in PIPELINE_ALLOW_PRIVATE_HOSTS), checked where
  the connection is made, for every redirect hop (see ``netguard.GuardedBackend``);
- a total deadline per attempt (connect, redirects, headers, body): every socket read and write is
  bounded by what is left of it, so a server dripping one byte at a time is cut off on time;
- a cap on the decoded size, with decompression done here, incrementally (see ``decompress``);
- conditional GET (ETag / Last-Modified) and an honest User-Agent;
- transient failures (timeouts, connection errors, 408, 429, 5xx) retried with bounded exponential
  backoff (but not a fetch that ran into its total deadline: that server gets one deadline a run); Retry-After honoured in both forms; a Retry-After longer than the backoff bound ends
  the fetch at once and is reported (``FetchError.retry_after``) so the next poll waits for it.
"""

from __future__ import annotations

import email.utils
import functools
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import httpcore
import httpx

from pipeline.decompress import decode_capped
from pipeline.errors import FetchError
from pipeline.netguard import GuardedBackend, check_url, deadline_scope
from pipeline.settings import Settings

MAX_REDIRECTS = 5
MAX_BACKOFF_S = 30.0
BASE_BACKOFF_S = 0.5
REDIRECTS = (301, 302, 303, 307, 308)
TRANSIENT_STATUS = (408, 425, 429)


class DeadlineExceeded(FetchError):
    """The total deadline passed while the server was still (slowly) answering: not retried, since
    a retry would only give the same server another full deadline."""

    def __init__(self, deadline_s: float) -> None:
        super().__init__("timeout", f"total deadline of {deadline_s:g}s exceeded", transient=True)


@dataclass(frozen=True)
class FetchResult:
    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    not_modified: bool = False

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After in both forms: delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now_ts = time.time() if now is None else now
    return max(0.0, when.timestamp() - now_ts)


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """Built once per process (loading the CA bundle takes a noticeable fraction of a second)."""
    return httpx.create_ssl_context(trust_env=False)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with the connection pool on ``GuardedBackend`` (vetted addresses only)."""

    def __init__(self, allowed: frozenset[str]) -> None:
        super().__init__(verify=_ssl_context(), trust_env=False, retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(), max_connections=100,
            max_keepalive_connections=20, keepalive_expiry=5.0, retries=0,
            network_backend=GuardedBackend(allowed),
        )


def backoff_delay(err: FetchError, attempt: int) -> float:
    """Seconds to wait before retry ``attempt + 1``: Retry-After when given, else 0.5, 1, 2, ..."""
    if err.retry_after is not None:
        return err.retry_after
    return min(MAX_BACKOFF_S, BASE_BACKOFF_S * (2**attempt))


class Fetcher:
    """One client per pass; safe to share between threads (httpx.Client is)."""

    def __init__(self, settings: Settings, *, sleep=time.sleep) -> None:
        self.settings = settings
        self._sleep = sleep
        self._client = httpx.Client(
            transport=GuardedTransport(settings.allow_private_hosts),
            follow_redirects=False,
            timeout=httpx.Timeout(settings.http_timeout),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate, br"},
            trust_env=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, url: str, *, max_bytes: int, etag: str | None = None,
              last_modified: str | None = None, accept: str = "*/*",
              retries: int | None = None, content_types: tuple[str, ...] = ()) -> FetchResult:
        """Fetch with retries of transient failures. Raises ``FetchError`` with a short reason.

        ``content_types``: when given, a 2xx response whose media type is none of them (and not
        absent) is refused as ``unwanted content type`` before its body is read.
        """
        retries = self.settings.http_retries if retries is None else retries
        attempt = 0
        while True:
            try:
                return self._fetch_once(url, max_bytes=max_bytes, etag=etag, last_modified=last_modified,
                                        accept=accept, content_types=content_types)
            except FetchError as err:
                if not err.transient or attempt >= retries or isinstance(err, DeadlineExceeded):
                    raise
                delay = backoff_delay(err, attempt)
                if delay > MAX_BACKOFF_S:
                    raise
                attempt += 1
                self._sleep(delay)

    def _fetch_once(self, url: str, *, max_bytes: int, etag: str | None, last_modified: str | None,
                    accept: str, content_types: tuple[str, ...]) -> FetchResult:
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        deadline = time.monotonic() + self.settings.http_deadline
        with deadline_scope(deadline):
            for _hop in range(MAX_REDIRECTS + 1):
                check_url(current, self.settings.allow_private_hosts)
                status, resp_headers, body = self._get(current, headers, max_bytes, deadline, content_types)
                if status in REDIRECTS:
                    if "location" not in resp_headers:
                        raise FetchError(f"HTTP {status}", "redirect without Location")
                    current = urljoin(current, resp_headers["location"].strip())
                    continue
                return self._result(url, current, status, resp_headers, body)
        raise FetchError("too many redirects", current)

    def _result(self, url: str, final: str, status: int, headers: dict[str, str],
                body: bytes) -> FetchResult:
        if status == 304:
            return FetchResult(url, final, status, b"", headers, not_modified=True)
        if status in TRANSIENT_STATUS or status >= 500:
            raise FetchError(f"HTTP {status}", final, transient=True,
                             retry_after=parse_retry_after(headers.get("retry-after")))
        if status >= 400:
            raise FetchError(f"HTTP {status}", final)
        return FetchResult(url, final, status, body, headers)

    def _get(self, url: str, headers: dict[str, str], max_bytes: int, deadline: float,
             content_types: tuple[str, ...] = ()) -> tuple[int, dict[str, str], bytes]:
        try:
            with self._client.stream("GET", url, headers=headers) as resp:
                resp_headers = {k.lower(): v for k, v in resp.headers.items()}
                if resp.status_code >= 300 or resp.status_code < 200:
                    return resp.status_code, resp_headers, b""
                media = resp_headers.get("content-type", "").split(";", 1)[0].strip().lower()
                if content_types and media and media not in content_types:
                    raise FetchError("unwanted content type", media[:80])
                declared = resp_headers.get("content-length", "").strip()
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError("too large", f"declared {declared} bytes")
                body = decode_capped(resp.iter_raw(), resp_headers.get("content-encoding", ""), max_bytes)
                return resp.status_code, resp_headers, body
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:
                raise DeadlineExceeded(self.settings.http_deadline) from exc
            raise FetchError("timeout", type(exc).__name__, transient=True) from exc
        except (httpx.RemoteProtocolError, httpx.LocalProtocolError) as exc:
            raise FetchError("protocol error", str(exc)[:200], transient=True) from exc
        except httpx.TransportError as exc:
            raise FetchError("connection error", str(exc)[:200] or type(exc).__name__, transient=True) from exc
        except httpx.InvalidURL as exc:
            raise FetchError("refused address", f"invalid URL: {exc}"[:200]) from exc


def utcnow() -> datetime:
    """Wall-clock time for bookkeeping columns only (fetched_at), never for output values."""
    return datetime.now(UTC)
