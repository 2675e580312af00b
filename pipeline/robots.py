"""robots.txt for article pages: fetched once per host per run, through the same guarded Fetcher.

- 2xx: the rules apply to our User-Agent's product token (``prisoner-exchange-pipeline``);
- 4xx (no robots.txt, or not ours to read): everything is allowed, as the convention says;
- 5xx, timeouts, refused or unreachable: nothing on that host is fetched in this run (the
  conservative reading: the site may be in trouble, and it cannot tell us what it allows).
"""

from __future__ import annotations

import threading
import urllib.robotparser
from urllib.parse import urlsplit, urlunsplit

from pipeline.errors import FetchError

MAX_ROBOTS_BYTES = 500_000


class RobotsCache:
    """Per-run cache of robots.txt decisions, safe to share between threads."""

    def __init__(self, fetcher: object, user_agent: str, throttle: object | None = None) -> None:
        self.fetcher = fetcher
        self.agent = user_agent.split("/", 1)[0].strip() or user_agent
        self.throttle = throttle
        self._rules: dict[str, urllib.robotparser.RobotFileParser | str] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def refusal(self, url: str) -> str | None:
        """``None`` when ``url`` may be fetched; otherwise the reason it may not."""
        parts = urlsplit(url)
        origin = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))
        rules = self._rules_for(origin)
        if isinstance(rules, str):
            return rules
        return None if rules.can_fetch(self.agent, url) else "robots.txt disallows"

    def _rules_for(self, origin: str) -> urllib.robotparser.RobotFileParser | str:
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._rules:
                self._rules[origin] = self._load(origin)
            return self._rules[origin]

    def _load(self, origin: str) -> urllib.robotparser.RobotFileParser | str:
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            if self.throttle is not None:
                with self.throttle(origin):  # type: ignore[operator]
                    res = self._fetch(origin)
            else:
                res = self._fetch(origin)
        except FetchError as err:
            if err.reason.startswith("HTTP 4") and err.reason not in ("HTTP 408", "HTTP 429"):
                parser.parse([])
                return parser
            return f"robots.txt unavailable ({err.reason})"
        parser.parse(res.body.decode("utf-8", errors="replace").splitlines())
        return parser

    def _fetch(self, origin: str):  # noqa: ANN202 - a FetchResult
        return self.fetcher.fetch(origin + "/robots.txt", max_bytes=MAX_ROBOTS_BYTES,  # type: ignore[attr-defined]
                                  accept="text/plain, */*;q=0.5", retries=0)
