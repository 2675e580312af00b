"""What a pass reads before fetching: only what its batch needs (``KnownState``'s lookups).

A second pass over the same feed fetches no page already stored (as an article, or as an alias
URL, also reached through other tracking parameters), and a new URL carrying a stored text is
still recorded as an alias of the stored article.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb

from pipeline.records import KnownState
from pipeline.urls import article_id_for
from pipeline.warehouse import known_state
from tests.hostile_server import HostileServer, page, rss, static

T0 = datetime(2025, 10, 3, 12, 0, tzinfo=UTC)
STORY = ["Russia and Ukraine exchanged 84 prisoners of war on Friday, officials in both capitals said.",
         "The swap was the third this month and was brokered by the United Arab Emirates."]
OTHER = ["Armenia and Azerbaijan handed over the remains of twelve soldiers at the border on Thursday.",
         "The handover was arranged through the International Committee of the Red Cross."]


def _feed(server: HostileServer, links: list[str]) -> str:
    items = [(f"Prisoner swap report {i}", link, "Prisoners exchanged") for i, link in enumerate(links)]
    return server.add("/feed.xml", static(rss(items), headers={"Content-Type": "application/rss+xml"}))


def _stored(settings) -> tuple[list[str], dict[str, str]]:
    con = duckdb.connect(str(settings.replica_path), read_only=True)
    try:
        articles = sorted(r[0] for r in con.execute("SELECT url FROM articles").fetchall())
        aliases = dict(con.execute("SELECT url, article_id FROM article_aliases").fetchall())
        return articles, aliases
    finally:
        con.close()


def test_a_second_pass_fetches_nothing_stored_and_still_records_a_new_alias(settings):
    from pipeline.run import run_stages

    server = HostileServer().start()
    try:
        for path, paras in (("/story.html", STORY), ("/other.html", OTHER), ("/copy.html", STORY)):
            server.add(path, static(page("Swap", paras), headers={"Content-Type": "text/html"}))
        cfg = settings.with_(feed_concurrency=1)
        feed = _feed(server, [server.url("/story.html"), server.url("/other.html")])
        first = run_stages(cfg, "known-1", "feeds", T0, [feed])
        _feed(server, [server.url("/story.html?utm_source=rss"), server.url("/other.html"), server.url("/copy.html")])
        second = run_stages(cfg, "known-2", "feeds", T0 + timedelta(hours=1), [feed])
        _feed(server, [server.url("/copy.html?utm_medium=feed"), server.url("/story.html"), server.url("/other.html")])
        third = run_stages(cfg, "known-3", "feeds", T0 + timedelta(hours=2), [feed])
        hits = {p: server.hits(p) for p in ("/story.html", "/other.html", "/copy.html")}
    finally:
        server.stop()
    articles, aliases = _stored(cfg)
    assert articles == [server.url("/other.html"), server.url("/story.html")]
    assert aliases == {server.url("/copy.html"): article_id_for(server.url("/story.html"))}
    assert first["articles_new"] == 2 and second["articles_new"] == 0 and second["aliases_new"] == 1
    assert second["articles_already_stored"] == 2 and third["articles_already_stored"] == 3
    assert third["articles_fetched"] == 0 and third["aliases_new"] == 0
    assert hits == {"/story.html": 1, "/other.html": 1, "/copy.html": 1}  # no stored page fetched again


def test_lookups_answer_only_for_what_is_asked(settings):
    from tests.test_feeds_source import poll

    server = HostileServer().start()
    try:
        server.add("/story.html", static(page("Swap", STORY), headers={"Content-Type": "text/html"}))
        server.add("/short", static(b"", status=301, headers={"Location": "/story.html"}))
        feed = _feed(server, [server.url("/story.html"), server.url("/short")])
        poll(settings, [feed], "run-1")
    finally:
        server.stop()
    story, short = server.url("/story.html"), server.url("/short")
    with known_state(settings) as known:
        assert known.feeds and known.lookup is not None
        asked = [story + "?utm_source=x", short, server.url("/short?fbclid=1"), server.url("/unknown.html")]
        assert known.known_ids(asked) == {article_id_for(story), article_id_for(short)}
        assert known.known_ids([]) == set()
        fp = duckdb.connect(str(settings.replica_path), read_only=True).execute(
            "SELECT fingerprint FROM articles").fetchone()[0]
        assert known.stored_fingerprints([fp, "nope"]) == {fp: article_id_for(story)}
    assert KnownState().known_ids([story]) == set() and KnownState().stored_fingerprints([fp]) == {}
