"""Clean stage: raw article -> clean article (plain text, title, date, language), or a rejection.

HTML goes through trafilatura; plain text (seed files) is normalised only. A page over the size
bound is rejected before parsing (trafilatura took about a minute on a 12 MB page), and so is a page
that cleans to nothing. What is kept is plain text: no script or markup reaches the warehouse.
"""

from __future__ import annotations

import re
from datetime import date

import trafilatura
from trafilatura.settings import use_config

from pipeline import langid_model
from pipeline.dates_header import guess_published
from pipeline.records import CleanArticle, RawArticle, Rejection
from pipeline.textutil import fingerprint, normalize_text, strip_markup
from pipeline.urls import article_id_for, canonical_url

MAX_CLEAN_BYTES = 3_000_000  # markup larger than this is not handed to the cleaner
MIN_TEXT_CHARS = 80
_MAX_TREE = 200_000  # lxml elements; bounds the cleaner's time and memory on hostile pages
_CONFIG = use_config()
_CONFIG.set("DEFAULT", "MAX_TREE_SIZE", str(_MAX_TREE))
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # no signal-based timeout: we run in worker threads


def clean(raw: RawArticle) -> CleanArticle | Rejection:
    """Never raises on bad input: anything unusable becomes a ``Rejection`` with its reason."""
    if len(raw.body) > MAX_CLEAN_BYTES:
        return Rejection("clean", "too large to clean", raw.url, f"{len(raw.body)} bytes")
    if raw.content_type.startswith("text/plain"):
        text, title, published = _from_plain(raw)
    else:
        extracted = _from_html(raw)
        if isinstance(extracted, Rejection):
            return extracted
        text, title, published = extracted
    if len(text) < MIN_TEXT_CHARS:
        return Rejection("clean", "no article text", raw.url, f"{len(text)} characters after cleaning")
    return CleanArticle(
        article_id=article_id_for(raw.url),
        url=raw.url if raw.url.startswith("seed://") else canonical_url(raw.url),
        title=title,
        text=text,
        published=published,
        language=detect_language(text),
        fingerprint=fingerprint(text),
        source=raw.source,
        feed_url=raw.feed_url,
    )


def _from_plain(raw: RawArticle) -> tuple[str, str, date | None]:
    text = normalize_text(raw.body.decode("utf-8", errors="replace"))
    title = raw.title_hint or next((ln for ln in text.split("\n") if ln.strip()), "")[:300]
    return text, title, raw.published_hint or guess_published(text)


def _from_html(raw: RawArticle) -> tuple[str, str, date | None] | Rejection:
    try:
        doc = trafilatura.bare_extraction(
            raw.body, url=raw.url, with_metadata=True, include_comments=False,
            include_tables=False, config=_CONFIG,
        )
    except Exception as exc:  # trafilatura raises a variety of parser errors on hostile input
        return Rejection("clean", "cleaner failed", raw.url, f"{type(exc).__name__}: {exc}"[:300])
    text_raw = getattr(doc, "text", None) or ""
    if not text_raw:
        return Rejection("clean", "no article text", raw.url, "trafilatura found no main text")
    text = normalize_text(strip_markup(text_raw)) if "<" in text_raw else normalize_text(text_raw)
    title = strip_markup(getattr(doc, "title", None) or raw.title_hint or "")
    return text, title, _page_date(getattr(doc, "date", None)) or raw.published_hint


def _page_date(value: str | None) -> date | None:
    if not value:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def detect_language(text: str) -> str | None:
    sample = text[:2000]
    if not sample.strip():
        return None
    lang, _score = langid_model.identifier().classify(sample)  # py3langid's, its model from our cache
    return str(lang)
