"""8, 9, 12. What reaches feedparser, XML attacks, and markup in feeds.

feedparser only ever gets bytes in ``io.BytesIO``; entity tricks cannot expand, read files or make
requests; what a feed entry yields is plain text.
"""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import feedparser
import pytest

from pipeline import feeds
from pipeline.feeds import FeedRejected, parse_feed
from tests.hostile_server import HostileServer, rss, static

SANITIZE = sorted((Path(__file__).parent / "fixtures" / "feeds" / "wellformed" / "sanitize").glob("*.xml"))
FEED_URL = "http://news.example/feed.xml"
ITEM = "<item><title>Prisoner swap &x;</title><link>http://news.example/a</link></item>"


@pytest.fixture
def hostile():
    server = HostileServer().start()
    server.add("/xxe", static(b"SECRET-FROM-SERVER"))
    yield server
    server.stop()


def _doc(subset: str, body: str = ITEM) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{subset}\n]>\n'
            f'<rss version="2.0"><channel><title>t</title>{body}</channel></rss>').encode()


def billion_laughs() -> bytes:
    subset = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                                        for i in range(1, 10)]
    return _doc("\n".join(subset), ITEM.replace("&x;", "&lol9;"))


def quadratic() -> bytes:
    return _doc(f'<!ENTITY x "{"A" * 50_000}">', ITEM.replace("&x;", "&x;" * 50_000))


def _bounded(fn, limit: int = 20_000_000):
    tracemalloc.start()
    try:
        result = fn()
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < limit, f"peak {peak / 1e6:.1f} MB"
    return result


# --- 8. feedparser only ever receives bytes in io.BytesIO ------------------------------------------

def test_feedparser_receives_only_bytesio(monkeypatch):
    seen: list[object] = []
    real = feedparser.parse

    def spy(source, *args, **kwargs):
        seen.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(feeds.feedparser, "parse", spy)
    parse_feed(rss([("Prisoner swap", "http://news.example/a", "x")]), FEED_URL)
    assert len(seen) == 1 and type(seen[0]) is io.BytesIO


@pytest.mark.parametrize("body", [b"/etc/passwd", b"file:///etc/passwd", b"http://127.0.0.1:{port}/xxe"])
def test_a_body_that_looks_like_a_path_or_url_is_only_bytes(hostile, body):
    body = body.replace(b"{port}", str(hostile.port).encode())
    with pytest.raises(FeedRejected) as err:
        parse_feed(body, FEED_URL)
    assert "root:" not in err.value.reason and hostile.requests == []


# --- 9. XML attacks ----------------------------------------------------------------------------------

def _utf7(doc: bytes) -> bytes:
    """The same document declared UTF-7, with every '<!' spelled '+ADw-!' (no '<!' byte left)."""
    head, rest = doc.split(b"?>", 1)
    return head.replace(b'version="1.0"', b'version="1.0" encoding="utf-7"') + b"?>" + rest.replace(b"<!", b"+ADw-!")


@pytest.mark.parametrize("name", ["billion laughs", "billion laughs in UTF-16", "quadratic blowup",
                                  "quadratic blowup in UTF-7"])
def test_expanding_entities_are_refused_with_bounded_memory(name):
    body = {"billion laughs": billion_laughs, "quadratic blowup": quadratic,
            "billion laughs in UTF-16": lambda: billion_laughs().decode().replace(
                '<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-16"?>').encode("utf-16"),
            "quadratic blowup in UTF-7": lambda: _utf7(quadratic())}[name]()
    assert name != "quadratic blowup in UTF-7" or b"<!" not in body
    with pytest.raises(FeedRejected, match="entity"):
        _bounded(lambda: parse_feed(body, FEED_URL))


def test_entity_declarations_hidden_behind_a_long_comment_are_still_seen():
    body = billion_laughs().replace(b"<!DOCTYPE", b"<!--" + b" " * 300_000 + b"-->\n<!DOCTYPE", 1)
    with pytest.raises(FeedRejected, match="entity"):
        _bounded(lambda: parse_feed(body, FEED_URL))


@pytest.mark.parametrize("decl", ['<!ENTITY x SYSTEM "file:///etc/passwd">',
                                  '<!ENTITY x SYSTEM "http://127.0.0.1:{port}/xxe">',
                                  '<!ENTITY x PUBLIC "-//X//EN" "http://127.0.0.1:{port}/xxe">',
                                  '<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/xxe"> %p;'])
def test_external_entities_are_refused_and_never_fetched(hostile, decl):
    body = _doc(decl.format(port=hostile.port))
    with pytest.raises(FeedRejected, match="entity"):
        parse_feed(body, FEED_URL)
    assert hostile.requests == []


def test_an_external_dtd_is_never_fetched(hostile):
    body = (f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:{hostile.port}/xxe">'
            f'<rss version="2.0"><channel><title>t</title>{ITEM.replace("&x;", "")}</channel></rss>').encode()
    parsed = parse_feed(body, FEED_URL)
    assert [e.title for e in parsed.entries] == ["Prisoner swap"] and hostile.requests == []


def test_many_references_to_a_small_entity_are_refused():
    """Below the length bound per entity, the total expansion is still bounded (quadratic blowup)."""
    body = _doc(f'<!ENTITY x "{"B" * 200}">', ITEM.replace("&x;", "&x;" * 100_000))
    with pytest.raises(FeedRejected, match="expand"):
        _bounded(lambda: parse_feed(body, FEED_URL))


def test_small_literal_entities_are_allowed():
    parsed = parse_feed(_doc('<!ENTITY x "(exchange)">'), FEED_URL)
    assert [e.link for e in parsed.entries] == ["http://news.example/a"]


# --- 12. plain text only -------------------------------------------------------------------------------

MARKUP_TRACES = ("<", ">", "javascript:", "location.href", "onclick", "onload", "onmouseover", "<script",
                 "iframe", "alert(")


@pytest.mark.parametrize("path", SANITIZE, ids=[p.name for p in SANITIZE])
def test_sanitizer_cases_yield_plain_text(path):
    """feedparser's XSS cases, each given a link so it becomes an entry (and a title if it has none)."""
    raw = path.read_bytes()
    link = b'<link rel="alternate" type="text/html" href="http://news.example/a"/>'
    raw = raw.replace(b"<entry>", b"<entry>" + link, 1)
    if b"<entry>" not in raw:  # a feed-level title case: make it an entry's title too
        title = raw[raw.index(b"<title"):raw.index(b"</title>") + 8]
        raw = raw.replace(b"</feed>", b"<entry>" + link + title + b"</entry></feed>")
    parsed = parse_feed(raw, FEED_URL)
    assert parsed.entries, path.name
    for entry in parsed.entries:
        text = f"{entry.title}\n{entry.summary}"
        assert not [t for t in MARKUP_TRACES if t in text.lower()], (path.name, text)
    if b"safe" in raw:
        assert any("safe" in f"{e.title} {e.summary}" for e in parsed.entries), path.name


def test_relative_links_are_resolved_against_the_feed_url():
    body = rss([("Prisoner swap", "/relative/a", "x"), ("Prisoner swap", "b?x=1", "x")])
    links = [e.link for e in parse_feed(body, FEED_URL).entries]
    assert links == ["http://news.example/relative/a", "http://news.example/b?x=1"]
