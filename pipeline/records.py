"""Typed, frozen records that flow between the stages.

feed entry -> raw article -> clean article -> events -> validated batch -> load summary

Every stage is a function from these records to these records; only the edge modules
(``http``, ``sources``, ``warehouse``) touch the network, the disk or the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

EventType = Literal["prisoner_exchange", "body_repatriation"]
Status = Literal["conducted", "agreed", "planned"]
Precision = Literal["day", "week", "month", "year"]
Qualifier = Literal["exact", "approximate", "at_least"]

EVENT_TYPES: tuple[str, ...] = ("prisoner_exchange", "body_repatriation")
STATUSES: tuple[str, ...] = ("conducted", "agreed", "planned")
PRECISIONS: tuple[str, ...] = ("day", "week", "month", "year")
QUALIFIERS: tuple[str, ...] = ("exact", "approximate", "at_least")


def stable_id(*parts: object, length: int = 16) -> str:
    """Deterministic id from its parts: the same inputs give the same id on every run."""
    raw = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:length]


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, as the feed describes it (before the article is fetched)."""

    feed_url: str
    link: str
    title: str
    summary: str
    published: date | None
    entry_id: str = ""


@dataclass(frozen=True)
class RawArticle:
    """An article as fetched (or as read from a seed file): undecoded markup or plain text."""

    url: str
    body: bytes
    content_type: str
    source: Literal["feed", "seed"]
    feed_url: str | None = None
    title_hint: str = ""
    published_hint: date | None = None
    fetched_at: datetime | None = None


@dataclass(frozen=True)
class CleanArticle:
    """An article reduced to its plain text, with what cleaning could learn about it."""

    article_id: str
    url: str
    title: str
    text: str
    published: date | None
    language: str | None
    fingerprint: str
    source: Literal["feed", "seed"]
    feed_url: str | None = None

    def as_document(self) -> Document:
        return Document(id=self.article_id, text=self.text, published=self.published, url=self.url)


@dataclass(frozen=True)
class Document:
    """The extractor's input: the ``extract`` command's DOCS.jsonl line."""

    id: str
    text: str
    published: date | None = None
    url: str | None = None

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Document:
        pub = obj.get("published")
        return cls(
            id=str(obj["id"]),
            text=str(obj.get("text") or ""),
            published=date.fromisoformat(pub) if pub else None,
            url=obj.get("url"),
        )


@dataclass(frozen=True)
class Event:
    """One EVENT of CONTRACT.md. ``to_json`` gives exactly the contract's fields."""

    event_type: str
    status: str
    event_date: date | None
    date_precision: str | None
    parties: tuple[str, ...]
    returned_to: tuple[tuple[str, int | None], ...]
    count_qualifier: str | None
    categories: tuple[str, ...]
    mediators: tuple[str, ...]
    location: str | None
    evidence: str
    evidence_span: tuple[int, int]
    confidence: float

    def to_json(self) -> dict[str, Any]:
        return {
            "event_type": self.event_type,
            "status": self.status,
            "event_date": self.event_date.isoformat() if self.event_date else None,
            "date_precision": self.date_precision,
            "parties": list(self.parties),
            "returned_to": dict(self.returned_to),
            "count_qualifier": self.count_qualifier,
            "categories": list(self.categories),
            "mediators": list(self.mediators),
            "location": self.location,
            "evidence": self.evidence,
            "evidence_span": list(self.evidence_span),
            "confidence": round(float(self.confidence), 4),
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Event:
        d = obj.get("event_date")
        span = obj.get("evidence_span") or [0, 0]
        rt = obj.get("returned_to") or {}
        return cls(
            event_type=obj.get("event_type"),  # type: ignore[arg-type]
            status=obj.get("status"),  # type: ignore[arg-type]
            event_date=date.fromisoformat(d) if isinstance(d, str) and d else None,
            date_precision=obj.get("date_precision"),
            parties=tuple(obj.get("parties") or ()),
            returned_to=tuple((str(k), v) for k, v in rt.items()),
            count_qualifier=obj.get("count_qualifier"),
            categories=tuple(obj.get("categories") or ()),
            mediators=tuple(obj.get("mediators") or ()),
            location=obj.get("location"),
            evidence=str(obj.get("evidence") or ""),
            evidence_span=(int(span[0]), int(span[1])),
            confidence=float(obj.get("confidence") or 0.0),
        )

    def event_id(self, article_id: str) -> str:
        """Deterministic: the same article and the same claim give the same id on every run."""
        return stable_id(
            article_id,
            self.event_type,
            self.status,
            self.event_date,
            ",".join(sorted(self.parties)),
            json.dumps(sorted(self.returned_to, key=lambda kv: kv[0]), default=str),
            self.evidence_span[0],
            self.evidence_span[1],
        )


@dataclass(frozen=True)
class Rejection:
    """Something a stage could not use. Recorded in the warehouse, never dropped silently."""

    stage: str
    reason: str
    subject: str
    detail: str = ""


@dataclass(frozen=True)
class EventRow:
    """An event tied to the article it came from: what validation and loading work on."""

    event_id: str
    article_id: str
    event: Event


@dataclass(frozen=True)
class QuarantinedRow:
    row: EventRow
    suite: str
    expectation: str
    observed: str


@dataclass(frozen=True)
class ValidatedBatch:
    passed: tuple[EventRow, ...]
    quarantined: tuple[QuarantinedRow, ...]
    batch_failures: tuple[dict[str, Any], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.quarantined and not self.batch_failures


@dataclass(frozen=True)
class LoadSummary:
    run_id: str
    articles_seen: int = 0
    articles_new: int = 0
    articles_rejected: int = 0
    events_loaded: int = 0
    events_quarantined: int = 0
    feeds_total: int = 0
    feeds_failed: int = 0
    entries_dropped_irrelevant: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FeedOutcome:
    """What happened when one feed was polled: feeds to feed_state / feed_health."""

    feed_url: str
    fetched_at: datetime
    ok: bool
    skipped: bool = False  # not due yet (minimum refresh interval, failure back-off)
    not_modified: bool = False
    status: int | None = None
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    entries: int = 0
    relevant: int = 0
    bozo_cause: str = ""
    retry_after_s: float | None = None  # the server asked not to be polled again before this


@dataclass(frozen=True)
class FeedState:
    """What is known of one feed before it is polled (conditional GET, next poll)."""

    etag: str | None = None
    last_modified: str | None = None
    next_poll_after: datetime | None = None


class StoredLookup(Protocol):
    """Questions about the stored articles, asked for one batch at a time (``pipeline.warehouse.known``)."""

    def known_ids(self, urls: Collection[str]) -> set[str]: ...

    def stored_fingerprints(self, fingerprints: Collection[str]) -> dict[str, str]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class KnownState:
    """What the warehouse already knows, asked before fetching (from the read-only copy).

    The feeds' state is read whole (one row a feed); the articles are not: ``known_ids`` and
    ``stored_fingerprints`` ask the warehouse about the batch in hand only, so what a pass reads
    stays flat however many articles are stored. Close it (or use it as a context manager).
    """

    feeds: dict[str, FeedState] = field(default_factory=dict)
    lookup: StoredLookup | None = None

    def known_ids(self, urls: Collection[str]) -> set[str]:
        """The article ids, among those of ``urls``, already stored (as an article or an alias URL)."""
        return self.lookup.known_ids(urls) if self.lookup is not None and urls else set()

    def stored_fingerprints(self, fingerprints: Collection[str]) -> dict[str, str]:
        """Content fingerprint -> the stored article with that text, for those of ``fingerprints`` stored."""
        if self.lookup is None or not fingerprints:
            return {}
        return self.lookup.stored_fingerprints(fingerprints)

    def close(self) -> None:
        if self.lookup is not None:
            self.lookup.close()

    def __enter__(self) -> KnownState:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class ArticleRef:
    """What validation needs to know of an event's article."""

    text: str
    published: date | None
