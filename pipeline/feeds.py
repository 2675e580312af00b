"""Parse feed bytes into ``FeedEntry`` records.

feedparser only ever receives bytes wrapped in ``io.BytesIO``: never a string it could read as a
path or a URL. XML whose entity declarations could expand or reach out is refused before parsing
(billion laughs, external entities, quadratic blowup); see ``refuse_entity_declarations``. A ``bozo`` feed is judged by its cause: many carry good entries.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin

import feedparser
from feedparser.encodings import convert_to_utf8

from pipeline.records import FeedEntry
from pipeline.textutil import strip_markup

_ENTITY_DECL = re.compile(rb"<!ENTITY\s+(%\s*)?([^\s>%]{1,200})\s+([^>]{0,1000})>")
_SAFE_VALUE = re.compile(rb"""^(?:"([^"&%<]{0,200})"|'([^'&%<]{0,200})')\s*$""")
MAX_ENTITY_DECLS = 50
MAX_ENTITY_EXPANSION = 1_000_000  # bytes all references to declared entities may add
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)

# bozo causes after which the entries are still trusted (encoding quirks, undeclared HTML entities,
# a lenient parser fallback). Any other cause rejects the feed, so that new kinds of breakage show
# up in feed_health instead of as quietly wrong entries; a feed with neither entries nor a version
# is not a feed. The policy, with the corpus that tests it, is in docs/feeds.md.
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


def refuse_entity_declarations(body: bytes, headers: dict[str, str] | None = None) -> None:
    """Refuse XML whose entity declarations could expand, read files or make requests.

    Judged on the UTF-8 text feedparser itself will parse (its own encoding detection, so a UTF-16,
    UTF-7 or EBCDIC document hides nothing). Allowed: at most ``MAX_ENTITY_DECLS`` general entities with
    short literal values and no references inside them. Refused: parameter entities, external
    entities (SYSTEM/PUBLIC: file:// or http://), nested references (billion laughs) and long
    values (quadratic blowup).
    """
    text = _as_utf8(body, headers or {})
    declared = text.count(b"<!ENTITY")
    if declared > MAX_ENTITY_DECLS:
        raise FeedRejected(f"not a feed: {declared} XML entity declarations refused")
    decls = _ENTITY_DECL.findall(text) if declared else []
    if len(decls) != declared:
        raise FeedRejected("not a feed: malformed or oversized XML entity declaration refused")
    expansion = 0
    for percent, name, value in decls:
        if percent:
            raise FeedRejected("not a feed: XML parameter entity refused")
        safe = _SAFE_VALUE.match(value)
        if not safe:
            kind = "external" if re.match(rb"(SYSTEM|PUBLIC)\b", value.strip(), re.I) else "expanding"
            raise FeedRejected(f"not a feed: {kind} XML entity {name[:40].decode('utf-8', 'replace')} refused")
        expansion += text.count(b"&" + name + b";") * len(safe.group(1) or safe.group(2) or b"")
    if expansion > max(MAX_ENTITY_EXPANSION, len(text)):
        raise FeedRejected(f"not a feed: XML entities would expand to {expansion} bytes")


def _as_utf8(body: bytes, headers: dict[str, str]) -> bytes:
    result: dict = {}
    try:
        return convert_to_utf8(headers, body, result)
    except Exception:  # feedparser's converter falls back itself; this is only a guard
        return body


def parse_feed(body: bytes, feed_url: str, headers: dict[str, str] | None = None) -> ParsedFeed:
    refuse_entity_declarations(body, headers)
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers or {},
                              sanitize_html=True, resolve_relative_uris=True)
    cause = type(parsed.get("bozo_exception")).__name__ if parsed.get("bozo") else ""
    if cause and cause not in TOLERATED_BOZO:
        raise FeedRejected(f"not a feed: {cause}")
    entries = tuple(e for e in (_entry(feed_url, raw) for raw in parsed.entries) if e is not None)
    version = parsed.get("version") or ""
    if not entries and not version:
        raise FeedRejected(f"not a feed{': ' + cause if cause else ''}")
    return ParsedFeed(entries=entries, bozo=bool(parsed.get("bozo")), bozo_cause=cause, version=version)


def _entry(feed_url: str, raw: dict) -> FeedEntry | None:
    link = (raw.get("link") or "").strip()
    if not link:
        return None
    link = urljoin(feed_url, link)  # feedparser cannot resolve against a URL it was not given
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
        title=plain_text(raw.get("title") or ""),
        summary=plain_text(raw.get("summary") or ""),
        published=published,
        entry_id=str(raw.get("id") or link),
    )


def plain_text(fragment: str) -> str:
    """A feed field as plain text: comments, scripts and tags removed, entities decoded."""
    return strip_markup(_COMMENT.sub(" ", fragment)).replace("-->", " ").strip()
