"""HTTP at the edge: every request the pipeline makes goes through ``Fetcher.fetch``.

- only http(s), only public addresses (unless named in PIPELINE_ALLOW_PRIVATE_HOSTS), checked on
  every redirect hop (see ``netguard``);
- a total deadline per fetch, not only a per-read timeout;
- a cap on the decoded size;
- conditional GET (ETag / Last-Modified) and an honest User-Agent;
- transient failures retried with bounded exponential backoff; Retry-After honoured.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import httpx

from pipeline.errors import FetchError
from pipeline.netguard import check_url
from pipeline.settings import Settings

MAX_REDIRECTS = 5
MAX_BACKOFF_S = 30.0


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


class Fetcher:
    """One client per pass; safe to share between threads (httpx.Client is)."""

    def __init__(self, settings: Settings, *, sleep=time.sleep) -> None:
        self.settings = settings
        self._sleep = sleep
        self._client = httpx.Client(
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
              last_modified: str | None = None, accept: str = "*/*") -> FetchResult:
        """Fetch with retries of transient failures. Raises ``FetchError`` with a short reason."""
        attempt = 0
        while True:
            try:
                return self._fetch_once(url, max_bytes=max_bytes, etag=etag,
                                        last_modified=last_modified, accept=accept)
            except FetchError as err:
                if not err.transient or attempt >= self.settings.http_retries:
                    raise
                delay = err.retry_after if err.retry_after is not None else 0.5 * (2**attempt)
                if delay > MAX_BACKOFF_S:
                    raise
                attempt += 1
                self._sleep(delay)

    def _fetch_once(self, url: str, *, max_bytes: int, etag: str | None,
                    last_modified: str | None, accept: str) -> FetchResult:
        deadline = time.monotonic() + self.settings.http_deadline
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            check_url(current, self.settings.allow_private_hosts)
            status, resp_headers, body = self._get(current, headers, max_bytes, deadline)
            if status in (301, 302, 303, 307, 308) and "location" in resp_headers:
                current = urljoin(current, resp_headers["location"])
                continue
            return self._result(url, current, status, resp_headers, body)
        raise FetchError("too many redirects", current)

    def _result(self, url: str, final: str, status: int, headers: dict[str, str],
                body: bytes) -> FetchResult:
        if status == 304:
            return FetchResult(url, final, status, b"", headers, not_modified=True)
        if status == 429 or status >= 500:
            raise FetchError(f"HTTP {status}", final, transient=True,
                             retry_after=parse_retry_after(headers.get("retry-after")))
        if status >= 400:
            raise FetchError(f"HTTP {status}", final)
        return FetchResult(url, final, status, body, headers)

    def _get(self, url: str, headers: dict[str, str], max_bytes: int,
             deadline: float) -> tuple[int, dict[str, str], bytes]:
        try:
            with self._client.stream("GET", url, headers=headers) as resp:
                resp_headers = {k.lower(): v for k, v in resp.headers.items()}
                if resp.status_code >= 300:
                    return resp.status_code, resp_headers, b""
                declared = resp_headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes * 4:
                    raise FetchError("too large", f"declared {declared} bytes")
                return resp.status_code, resp_headers, _read_capped(resp, max_bytes, deadline)
        except httpx.TimeoutException as exc:
            raise FetchError("timeout", type(exc).__name__, transient=True) from exc
        except httpx.DecodingError as exc:
            raise FetchError("bad encoding", str(exc)[:200]) from exc
        except httpx.TransportError as exc:
            raise FetchError("connection error", type(exc).__name__, transient=True) from exc


def _read_capped(resp: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in resp.iter_bytes(chunk_size=65536):
        size += len(chunk)
        if size > max_bytes:
            raise FetchError("too large", f"more than {max_bytes} decoded bytes")
        if time.monotonic() > deadline:
            raise FetchError("timeout", "total deadline exceeded", transient=True)
        chunks.append(chunk)
    return b"".join(chunks)


def utcnow() -> datetime:
    """Wall-clock time for bookkeeping columns only (fetched_at), never for output values."""
    return datetime.now(UTC)
