"""Settings: environment variables prefixed ``PIPELINE_`` over defaults shipped in the package.

Every setting is listed in ``SETTINGS`` (name, default, meaning); the README's table is checked
against it by a test, so a new setting cannot go undocumented.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path

PACKAGE_FEEDS = str(resources.files("pipeline") / "data" / "feeds.txt")

# name -> (default, meaning). Defaults are strings, parsed by ``Settings.from_env``.
SETTINGS: dict[str, tuple[str, str]] = {
    "PIPELINE_WAREHOUSE": ("data/warehouse.duckdb", "path of the DuckDB warehouse file (the writer's file)"),
    "PIPELINE_READ_REPLICA": ("", "path of the read-only copy published after each load (default: WAREHOUSE with `.read.duckdb`)"),
    "PIPELINE_FEEDS": (PACKAGE_FEEDS, "path of the feed list: one URL a line, `#` comments"),
    "PIPELINE_SEEDS": ("seeds", "folder of seed articles loaded into a new warehouse"),
    "PIPELINE_ALLOW_PRIVATE_HOSTS": ("", "comma-separated hosts or addresses that may be fetched although private or loopback"),
    "PIPELINE_USER_AGENT": (
        "prisoner-exchange-pipeline/0.1 (+https://github.com/prisoner-exchange-pipeline; news research bot)",
        "User-Agent sent with every request",
    ),
    "PIPELINE_HTTP_TIMEOUT": ("10", "per-read timeout, seconds"),
    "PIPELINE_HTTP_DEADLINE": ("30", "total deadline for one fetch (connect, redirects, body), seconds"),
    "PIPELINE_HTTP_RETRIES": ("2", "retries of transient failures (timeouts, connection errors, 5xx, 429)"),
    "PIPELINE_MAX_FEED_BYTES": ("10000000", "decoded size cap of a feed, bytes"),
    "PIPELINE_MAX_PAGE_BYTES": ("5000000", "decoded size cap of an article page, bytes"),
    "PIPELINE_MAX_ARTICLES_PER_FEED": ("50", "articles fetched from one feed in one pass"),
    "PIPELINE_FEED_CONCURRENCY": ("8", "feeds fetched at once"),
    "PIPELINE_HOST_DELAY": ("1.0", "seconds between two requests to the same host"),
    "PIPELINE_HOST_CONCURRENCY": ("1", "requests to the same host at once"),
    "PIPELINE_CLEAN_TIMEOUT": ("20", "seconds one page may take to clean (large pages are cleaned in a child process); 0: no bound"),
    "PIPELINE_TRANSFORM_WORKERS": ("1", "cleaner workers that clean and extract a batch's pages at once (each a warm, bounded process)"),
    "PIPELINE_MIN_REFRESH_MINUTES": ("10", "a feed is not polled again sooner than this"),
    "PIPELINE_FAILURE_BACKOFF_AFTER": ("3", "consecutive failures after which a feed alerts once and is polled less often"),
    "PIPELINE_SMTP_URL": ("", "SMTP server for alert mail, e.g. smtp://127.0.0.1:8025"),
    "PIPELINE_ALERT_EMAIL_TO": ("", "comma-separated recipients of alert mail"),
    "PIPELINE_ALERT_EMAIL_FROM": ("pipeline@localhost", "sender of alert mail"),
    "PIPELINE_ALERT_WEBHOOK_URL": ("", "webhook receiving Slack-compatible JSON alerts"),
    "PIPELINE_REPORTS_DIR": ("data/reports", "where validation reports (HTML) are written"),
    "PIPELINE_REPORTS_BASE_URL": ("", "URL under which PIPELINE_REPORTS_DIR is served; alerts link there (default: file:// paths)"),
    "PIPELINE_FRESHNESS_HOURS": ("24", "alert when no new article arrived from any feed for this many hours"),
    "PIPELINE_PROGRESS": ("auto", "progress output on stderr: auto (when a terminal), always, never"),
    "PIPELINE_INGEST_SCHEDULE": ("*/15 * * * *", "schedule of the ingest DAG: cron, preset, or a period such as `5m`"),
    "PIPELINE_EXPORT_DIR": ("", "where the maintenance DAG writes `events.parquet` (default: `<warehouse dir>/exports`)"),
    "PIPELINE_STAGING_RETENTION_HOURS": ("48", "staging folders of unfinished runs older than this are pruned"),
    "PIPELINE_LANGID_CACHE": ("", "folder of the unpacked language model (default: `$XDG_CACHE_HOME` or `~/.cache`, "
                                  "then `prisoner-exchange-pipeline/langid`); `off`: no cache"),
}


def _default(name: str) -> str:
    return SETTINGS[name][0]


@dataclass(frozen=True)
class Settings:
    warehouse: Path = Path(_default("PIPELINE_WAREHOUSE"))
    read_replica: Path | None = None
    feeds: Path = Path(_default("PIPELINE_FEEDS"))
    seeds: Path = Path(_default("PIPELINE_SEEDS"))
    allow_private_hosts: frozenset[str] = field(default_factory=frozenset)
    user_agent: str = _default("PIPELINE_USER_AGENT")
    http_timeout: float = float(_default("PIPELINE_HTTP_TIMEOUT"))
    http_deadline: float = float(_default("PIPELINE_HTTP_DEADLINE"))
    http_retries: int = int(_default("PIPELINE_HTTP_RETRIES"))
    max_feed_bytes: int = int(_default("PIPELINE_MAX_FEED_BYTES"))
    max_page_bytes: int = int(_default("PIPELINE_MAX_PAGE_BYTES"))
    max_articles_per_feed: int = int(_default("PIPELINE_MAX_ARTICLES_PER_FEED"))
    feed_concurrency: int = int(_default("PIPELINE_FEED_CONCURRENCY"))
    host_delay: float = float(_default("PIPELINE_HOST_DELAY"))
    host_concurrency: int = int(_default("PIPELINE_HOST_CONCURRENCY"))
    min_refresh_minutes: float = float(_default("PIPELINE_MIN_REFRESH_MINUTES"))
    clean_timeout: float = float(_default("PIPELINE_CLEAN_TIMEOUT"))
    transform_workers: int = int(_default("PIPELINE_TRANSFORM_WORKERS"))
    failure_backoff_after: int = int(_default("PIPELINE_FAILURE_BACKOFF_AFTER"))
    smtp_url: str = ""
    alert_email_to: tuple[str, ...] = ()
    alert_email_from: str = _default("PIPELINE_ALERT_EMAIL_FROM")
    alert_webhook_url: str = ""
    reports_dir: Path = Path(_default("PIPELINE_REPORTS_DIR"))
    reports_base_url: str = ""
    freshness_hours: float = float(_default("PIPELINE_FRESHNESS_HOURS"))
    progress: str = _default("PIPELINE_PROGRESS")
    ingest_schedule: str = _default("PIPELINE_INGEST_SCHEDULE")
    export_dir: Path | None = None
    staging_retention_hours: float = float(_default("PIPELINE_STAGING_RETENTION_HOURS"))
    langid_cache: Path | None = None  # None: no cache (``off``); read from the environment where models load

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)

        def get(name: str) -> str:
            return env.get(name, "").strip() or _default(name)

        def csv(name: str) -> tuple[str, ...]:
            return tuple(p.strip() for p in env.get(name, "").split(",") if p.strip())

        replica = env.get("PIPELINE_READ_REPLICA", "").strip()
        return cls(
            warehouse=Path(get("PIPELINE_WAREHOUSE")),
            read_replica=Path(replica) if replica else None,
            feeds=Path(get("PIPELINE_FEEDS")),
            seeds=Path(get("PIPELINE_SEEDS")),
            allow_private_hosts=frozenset(h.lower().strip("[]") for h in csv("PIPELINE_ALLOW_PRIVATE_HOSTS")),
            user_agent=get("PIPELINE_USER_AGENT"),
            http_timeout=float(get("PIPELINE_HTTP_TIMEOUT")),
            http_deadline=float(get("PIPELINE_HTTP_DEADLINE")),
            http_retries=int(get("PIPELINE_HTTP_RETRIES")),
            max_feed_bytes=int(get("PIPELINE_MAX_FEED_BYTES")),
            max_page_bytes=int(get("PIPELINE_MAX_PAGE_BYTES")),
            max_articles_per_feed=int(get("PIPELINE_MAX_ARTICLES_PER_FEED")),
            feed_concurrency=int(get("PIPELINE_FEED_CONCURRENCY")),
            host_delay=float(get("PIPELINE_HOST_DELAY")),
            host_concurrency=int(get("PIPELINE_HOST_CONCURRENCY")),
            min_refresh_minutes=float(get("PIPELINE_MIN_REFRESH_MINUTES")),
            clean_timeout=float(get("PIPELINE_CLEAN_TIMEOUT")),
            transform_workers=max(1, int(get("PIPELINE_TRANSFORM_WORKERS"))),
            failure_backoff_after=int(get("PIPELINE_FAILURE_BACKOFF_AFTER")),
            smtp_url=env.get("PIPELINE_SMTP_URL", "").strip(),
            alert_email_to=csv("PIPELINE_ALERT_EMAIL_TO"),
            alert_email_from=get("PIPELINE_ALERT_EMAIL_FROM"),
            alert_webhook_url=env.get("PIPELINE_ALERT_WEBHOOK_URL", "").strip(),
            reports_dir=Path(get("PIPELINE_REPORTS_DIR")),
            reports_base_url=env.get("PIPELINE_REPORTS_BASE_URL", "").strip(),
            freshness_hours=float(get("PIPELINE_FRESHNESS_HOURS")),
            progress=get("PIPELINE_PROGRESS"),
            ingest_schedule=get("PIPELINE_INGEST_SCHEDULE"),
            export_dir=Path(get("PIPELINE_EXPORT_DIR")) if env.get("PIPELINE_EXPORT_DIR", "").strip() else None,
            staging_retention_hours=float(get("PIPELINE_STAGING_RETENTION_HOURS")),
            langid_cache=langid_cache_dir(env),
        )

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def replica_path(self) -> Path:
        if self.read_replica is not None:
            return self.read_replica
        return self.warehouse.with_name(self.warehouse.stem + ".read.duckdb")


SETTING_FIELDS = tuple(f.name for f in fields(Settings))


def langid_cache_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """Where the language model's unpacked copy is kept (``PIPELINE_LANGID_CACHE``); None: ``off``.
    ``pipeline.langid_model`` reads it from the environment of the process that loads the model."""
    env = os.environ if env is None else env
    value = env.get("PIPELINE_LANGID_CACHE", "").strip()
    if value.lower() == "off":
        return None
    if value:
        return Path(value).expanduser()
    base = env.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path(os.path.expanduser("~")) / ".cache"
    return root / "prisoner-exchange-pipeline" / "langid" if root.is_absolute() else None  # no home: no cache
