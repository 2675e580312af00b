"""The collect stage streams: raw articles go to a scratch file as they are fetched, and the staging
file comes out the same as before (same frames, same order, written under a temporary name)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from pipeline import stages
from pipeline.records import RawArticle
from pipeline.sources import Collected, FeedSource
from pipeline.spool import RawSpool
from pipeline.warehouse import known_state
from tests.hostile_server import HostileServer, page, rss, static

T0 = datetime(2025, 10, 3, 12, 0, tzinfo=UTC)
STORY = ["Russia and Ukraine exchanged 84 prisoners of war on Friday, officials in both capitals said.",
         "The swap was brokered by the United Arab Emirates."]


def _raw(i: int) -> RawArticle:
    return RawArticle(url=f"https://example.org/{i}.html", body=b"<p>%d</p>" % i, content_type="text/html",
                      source="feed", feed_url="https://example.org/feed.xml")


def _frames(settings, run_id: str) -> tuple[str, Collected, list[str]]:
    kind, header, _n, raws = stages._open_collected(stages.staging_dir(settings, run_id) / "collected.pkl")
    return kind, header, [r.url for r in raws]


def test_spool_writes_frames_in_key_order_whatever_thread_finished_first(tmp_path):
    spool = RawSpool(tmp_path / "x.spool")
    keys = [(f, e) for f in range(4) for e in range(25)]

    def add(part: list[tuple[int, int]]) -> None:
        for key in reversed(part):
            spool.add(key, _raw(key[0] * 100 + key[1]))

    threads = [threading.Thread(target=add, args=(keys[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spool.discard(2)
    out = tmp_path / "out.bin"
    with out.open("wb") as fh:
        spool.copy_to(fh)
    spool.close()
    import pickle

    with out.open("rb") as fh:
        got = [pickle.load(fh).url for _ in range(75)]  # noqa: S301 - written just above
        assert fh.read() == b""
    assert got == [_raw(f * 100 + e).url for f in (0, 1, 3) for e in range(25)]
    assert not (tmp_path / "x.spool").exists()


def test_streamed_collect_writes_the_same_staging_file(settings):
    raws = [_raw(i) for i in range(30)]
    header = Collected(dropped_irrelevant=3, already_stored=2, aliases=[("u", "id", "redirect")])

    def source(sink) -> Collected:  # two "feeds", added out of order
        for i in reversed(range(30)):
            sink.add((i // 15, i % 15), raws[i])
        return header

    streamed = stages.collect_stage(settings, "s", source=source).read_bytes()
    stages.save_collected(settings, "b", "feeds", Collected(articles=raws, dropped_irrelevant=3, already_stored=2,
                                                             aliases=[("u", "id", "redirect")]))
    assert streamed == (stages.staging_dir(settings, "b") / "collected.pkl").read_bytes()
    kind, got_header, urls = _frames(settings, "s")
    assert kind == "feeds" and urls == [r.url for r in raws] and got_header.articles == []
    assert sorted(p.name for p in stages.staging_dir(settings, "s").iterdir()) == ["collected.pkl"]


def test_a_collect_that_fails_half_way_leaves_the_previous_file(settings):
    good = stages.collect_stage(settings, "r", source=lambda sink: (sink.add((0, 0), _raw(0)), Collected())[1])
    before = good.read_bytes()

    def broken(sink) -> Collected:
        sink.add((0, 0), _raw(1))
        raise RuntimeError("network gone")

    with pytest.raises(RuntimeError):
        stages.collect_stage(settings, "r", source=broken)
    assert good.read_bytes() == before
    assert sorted(p.name for p in stages.staging_dir(settings, "r").iterdir()) == ["collected.pkl"]


@pytest.fixture
def hostile():
    server = HostileServer().start()
    yield server
    server.stop()


def _feeds(hostile: HostileServer, n_feeds: int, per_feed: int) -> list[str]:
    feeds = []
    for f in range(n_feeds):
        links = []
        for e in range(per_feed):
            links.append(hostile.add(f"/f{f}/s{e}.html", static(page("Swap", [*STORY, f"{f}-{e}"]),
                                                                  headers={"Content-Type": "text/html"})))
        items = [(f"Prisoner swap report {i}", link, "Prisoners exchanged") for i, link in enumerate(links)]
        feeds.append(hostile.add(f"/f{f}.xml", static(rss(items), headers={"Content-Type": "application/rss+xml"})))
    return feeds


def test_feed_source_sink_gets_the_articles_in_feed_order(settings, hostile, tmp_path):
    cfg = settings.with_(feed_concurrency=3)
    feeds = _feeds(hostile, 4, 3)
    plain = FeedSource(cfg, feeds, known_state(cfg), now=lambda: T0).collect()
    with RawSpool(tmp_path / "a.spool") as spool:
        streamed = FeedSource(cfg, feeds, known_state(cfg), now=lambda: T0).collect(sink=spool)
        assert streamed.articles == [] and len(spool) == len(plain.articles) == 12
        assert sorted(k for k, _o, _n in spool._index) == [(f, e) for f in range(4) for e in range(3)]
    assert [o.ok for o in streamed.outcomes] == [o.ok for o in plain.outcomes] == [True] * 4


def test_a_feed_that_fails_inside_keeps_none_of_its_articles(settings, hostile, tmp_path, monkeypatch):
    feeds = _feeds(hostile, 2, 2)
    real = FeedSource._collect_article

    def flaky(self, entry, out, put):
        if entry.link.endswith("/f1/s1.html"):
            raise ValueError("surprise")
        return real(self, entry, out, put)

    monkeypatch.setattr(FeedSource, "_collect_article", flaky)
    with RawSpool(tmp_path / "a.spool") as spool:
        out = FeedSource(settings, feeds, known_state(settings), now=lambda: T0).collect(sink=spool)
        assert sorted(k for k, _o, _n in spool._index) == [(0, 0), (0, 1)]
    assert [o.ok for o in out.outcomes] == [True, False] and "surprise" in out.outcomes[1].error
