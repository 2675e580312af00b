"""Parse feed bytes into ``FeedEntry`` records.

feedparser only ever receives bytes wrapped in ``io.BytesIO``: never a string it could read as a
path or a URL. XML that declares entities is refused before parsing (billion laughs, external
entities, quadratic blowup). A ``bozo`` feed is judged by its cause: many carry good entries.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

import feedparser

from pipeline.records import FeedEntry
from pipeline.textutil import strip_markup

_DTD_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)

# bozo causes after which the entries are still trusted (encoding quirks, undeclared HTML entities,
# a lenient parser fallback). Anything else with no entries is a failure.
TOLERATED_BOZO = {
    "CharacterEncodingOverride",
    "CharacterEncodingUnknown",
    "NonXMLContentType",
    "SAXParseException",
    "UndeclaredNamespace",
}


@dataclass(frozen=True)
class ParsedFeed:
    entries: tuple[FeedEntry, ...]
    bozo: bool
    bozo_cause: str
    version: str


class FeedRejected(ValueError):
    """The bytes are not a usable feed; ``reason`` goes to feed_health.last_error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def refuse_entity_declarations(body: bytes) -> None:
    head = body[:200_000]
    if _DOCTYPE.search(head) and _DTD_ENTITY.search(body):
        raise FeedRejected("not a feed: XML entity declarations refused")


def parse_feed(body: bytes, feed_url: str, headers: dict[str, str] | None = None) -> ParsedFeed:
    refuse_entity_declarations(body)
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers or {},
                              sanitize_html=True, resolve_relative_uris=True)
    cause = type(parsed.get("bozo_exception")).__name__ if parsed.get("bozo") else ""
    entries = tuple(e for e in (_entry(feed_url, raw) for raw in parsed.entries) if e is not None)
    version = parsed.get("version") or ""
    if not entries and not version:
        raise FeedRejected(f"not a feed{': ' + cause if cause else ''}")
    return ParsedFeed(entries=entries, bozo=bool(parsed.get("bozo")), bozo_cause=cause, version=version)


def _entry(feed_url: str, raw: dict) -> FeedEntry | None:
    link = (raw.get("link") or "").strip()
    if not link:
        return None
    stamp = raw.get("published_parsed") or raw.get("updated_parsed")
    published = None
    if stamp:
        try:
            published = date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday)
        except (ValueError, AttributeError):
            published = None
    return FeedEntry(
        feed_url=feed_url,
        link=link,
        title=strip_markup(raw.get("title") or ""),
        summary=strip_markup(raw.get("summary") or ""),
        published=published,
        entry_id=str(raw.get("id") or link),
    )
