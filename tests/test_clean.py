"""Clean stage on its own: story kept, chrome dropped, plain text only, bad pages become rejections."""

from __future__ import annotations

from datetime import date

from pipeline.clean import MAX_CLEAN_BYTES, article_id_for, clean
from pipeline.dates_header import guess_published
from pipeline.records import CleanArticle, RawArticle, Rejection
from pipeline.urls import canonical_url
from tests.conftest import REPO

SITE = REPO / "tests" / "fixtures" / "site"


def _raw(body: bytes, url: str = "https://news.example/a", content_type: str = "text/html") -> RawArticle:
    return RawArticle(url=url, body=body, content_type=content_type, source="feed")


def test_story_kept_and_chrome_dropped():
    page = (SITE / "world/2025/10/02/swap-205.html").read_bytes()
    result = clean(_raw(page))
    assert isinstance(result, CleanArticle)
    assert "Russia and Ukraine exchanged 205 people each on Thursday" in result.text
    assert "185 soldiers and 20 civilians" in result.text
    for chrome in ("ADVERTISEMENT", "Related articles", "Belarus leader pardons", "Morning Brief", "dataLayer"):
        assert chrome not in result.text
    assert result.published == date(2025, 10, 2)
    assert result.language == "en"
    assert result.title.startswith("Russia and Ukraine swap 205")


def test_markup_never_survives():
    page = b"<html><body><article><h1>Swap</h1><p>" + b"Prisoners were exchanged on Monday. " * 10 + \
        b"&lt;script&gt;alert(1)&lt;/script&gt; <b>bold</b></p></article></body></html>"
    result = clean(_raw(page))
    assert isinstance(result, CleanArticle)
    assert "<" not in result.text and "alert(1)" not in result.text


def test_empty_and_oversized_pages_are_rejections_with_reasons():
    empty = clean(_raw(b"<html><body><nav>Home</nav></body></html>"))
    assert isinstance(empty, Rejection) and empty.stage == "clean" and empty.reason == "no article text"
    huge = clean(_raw(b"<p>x</p>" * (MAX_CLEAN_BYTES // 8 + 1)))
    assert isinstance(huge, Rejection) and huge.reason == "too large to clean"


def test_plain_text_seed_keeps_its_text_and_finds_its_dateline():
    seed = (REPO / "seeds" / "001_c5ab9494734218b7.txt").read_bytes()
    result = clean(RawArticle("seed://001_c5ab9494734218b7.txt", seed, "text/plain", "seed"))
    assert isinstance(result, CleanArticle)
    assert result.url == "seed://001_c5ab9494734218b7.txt"
    assert result.published == date(2025, 6, 14)
    assert result.text.startswith("June 14, 2025, India")


def test_datelines():
    assert guess_published("Xinhua | Updated: 2025-06-13 10:31\nMOSCOW") == date(2025, 6, 13)
    assert guess_published("15:4622/05/2025, Thursday\nAA") == date(2025, 5, 22)
    assert guess_published("Kyiv, 3 March 2024 - text") == date(2024, 3, 3)
    assert guess_published("On July 4th, a swap took place.") is None
    assert guess_published("99/99/2025 nothing") is None


def test_canonical_urls_drop_tracking_and_fragments():
    a = canonical_url("HTTPS://News.Example:443/world/a.html?utm_source=rss&id=7&fbclid=x#top")
    assert a == "https://news.example/world/a.html?id=7"
    assert article_id_for("https://news.example/world/a.html?id=7&utm_medium=feed") == article_id_for(a)
