"""Issue 8: N warm cleaner workers are the transform's parallelism (``pipeline.cleanpool``).

Two workers give exactly what one gives (articles, events, rejections, aliases, order), a page that
takes too long or blows the memory bound included; at most a window of pages is in flight; no
worker outlives the stage, also when the stage stops on an exception.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from pipeline import stages
from pipeline.clean import clean
from pipeline.cleanbound import Cleaner
from pipeline.cleanpool import clean_in_order
from pipeline.records import CleanArticle, RawArticle, ValidatedBatch
from pipeline.sources import Collected
from pipeline.staged_articles import read_articles
from pipeline.warehouse import writer
from pipeline.warehouse.load import RunInfo, load
from tests.test_feeds_clean_bound import BIG, SITE, SLOW, SWAP, _raw, _tagged_processes, tag  # noqa: F401

T0 = datetime(2025, 10, 3, 12, 0, tzinfo=UTC)


HUNGRY = "https://news.example/big"


@pytest.fixture
def hungry_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """BIG gets 30 MB of address space (less than a warm worker has mapped: it runs out of memory,
    as in tests/test_feeds_clean_bound.py); every other page the default limit. Both the one-worker
    and the many-worker path ask the worker through ``Cleaner._ask``."""
    ask = Cleaner._ask

    def _ask(self, worker, raw, timeout_s, limit, extract=False):
        return ask(self, worker, raw, timeout_s, 30 * 2**20 if raw.url == HUNGRY else limit, extract)

    monkeypatch.setattr(Cleaner, "_ask", _ask)


def _pages() -> list[RawArticle]:
    site = [_raw(p.read_bytes(), f"https://news.example/{p.stem}") for p in sorted(SITE.rglob("*.html"))]
    text = RawArticle(url="https://news.example/plain", content_type="text/plain; charset=utf-8", source="feed",
                      body=b"Russia and Ukraine exchanged 84 prisoners of war on 2 October 2025, officials said.")
    return [site[0], _raw(SLOW, "https://news.example/slow"), *site[1:3], _raw(SWAP, "https://copy.example/swap"),
            _raw(BIG, HUNGRY), site[0], text, *site[3:],
            _raw(SWAP, "https://stored.example/elsewhere")]


def _store(settings, raw: RawArticle) -> None:
    """A warehouse already holding ``raw``'s text, under another URL, published read-only."""
    stored = clean(replace(raw, url="https://stored.example/original"))
    assert isinstance(stored, CleanArticle)
    with writer(settings.warehouse, settings.replica_path) as con:
        load(con, RunInfo("before", "feeds", T0, T0, "test"), articles=[stored], aliases=[],
             validated=ValidatedBatch((), ()), rejections=[], outcomes=[], summary={})


def _transform(settings, run_id: str, raws: list[RawArticle], workers: int):
    """What transform hands on, and the articles it kept (staged beside it)."""
    stages.save_collected(settings, run_id, "feeds", Collected(articles=raws))
    stages.transform_stage(settings, run_id, workers=workers)
    _kind, t = stages._read(stages.staging_dir(settings, run_id) / "transformed.pkl")
    return t, list(read_articles(stages.staged_articles(settings, run_id)))


def test_two_workers_give_exactly_what_one_gives(settings, tag, hungry_page):  # noqa: F811
    settings = replace(settings, clean_timeout=2.0)
    raws = _pages()
    _store(settings, raws[-1])
    one, one_articles = _transform(settings, "one", raws, workers=1)
    two, two_articles = _transform(settings, "two", raws, workers=2)
    assert _tagged_processes(tag) == []
    assert [(r.subject, r.reason) for r in one.rejections] == [
        ("https://news.example/slow", "cleaning took too long"), (HUNGRY, "cleaner ran out of memory")]
    swaps = ["https://news.example/swap-205", "https://copy.example/swap", "https://stored.example/elsewhere"]
    assert one.collected.aliases == [(u, _stored_id(), "same text") for u in swaps]  # the stored text
    assert "https://news.example/plain" in [a.url for a in one_articles] and one.rows
    assert len(one_articles) == one.n_articles == len(raws) - 2 - 1 - 3  # rejected, the same URL again, aliases
    assert two_articles == one_articles and two.n_articles == one.n_articles
    assert two.rows == one.rows
    assert two.rejections == one.rejections
    assert two.collected.aliases == one.collected.aliases
    assert two.collected.articles == one.collected.articles  # every page once, in input order


def _stored_id() -> str:
    from pipeline.urls import article_id_for

    return article_id_for("https://stored.example/original")


def _notes(n: int, counts: dict[str, int]):
    """``n`` short text pages; ``counts["most"]``: the most read and not yet handed on at once."""
    for i in range(n):
        counts["taken"] += 1
        counts["most"] = max(counts["most"], counts["taken"] - counts["handed"])
        yield RawArticle(url=f"https://news.example/t{i}", content_type="text/plain", source="feed",
                         body=f"Note {i}: the talks went on.".encode())


def test_a_window_bounds_the_pages_in_flight(tag):  # noqa: F811
    counts = {"taken": 0, "handed": 0, "most": 0}
    got = []
    for raw, result, events in clean_in_order(_notes(40, counts), workers=2, timeout_s=30, window=3, inline_max=0):
        got.append((raw.url, result == clean(raw), events))
        counts["handed"] += 1
    assert [u for u, _same, _ev in got] == [f"https://news.example/t{i}" for i in range(40)]
    assert all(same and ev == [] for _u, same, ev in got)
    assert 1 <= counts["most"] <= 3 + 1  # the window, and the one being read while the last was handed on
    assert _tagged_processes(tag) == []


def test_the_parent_cleans_while_the_workers_warm_up_reading_ahead_within_a_byte_budget(tag, monkeypatch):  # noqa: F811
    """The parent cleans small pages itself until the workers are forked (a big first page waits for
    them); past the window it reads only while the pages held weigh less than ``WARMUP_BYTES``."""
    from pipeline import cleanpool

    monkeypatch.setattr(cleanpool, "WARMUP_BYTES", len(SWAP) + 600)  # the first page, and about 20 notes
    in_parent = []
    monkeypatch.setattr(cleanpool, "clean", lambda raw: in_parent.append(raw.url) or clean(raw))
    counts = {"taken": 0, "handed": 0, "most": 0}
    first = _raw(SWAP, "https://news.example/first")
    pages = itertools.chain([first], _notes(200, counts))
    got = []
    for raw, result, events in clean_in_order(pages, workers=2, timeout_s=30, window=3, inline_max=1000):
        got.append((raw.url, result, events))
        counts["handed"] += 1 if len(got) > 1 else 0  # the notes handed on
    assert [u for u, _r, _e in got] == [first.url] + [f"https://news.example/t{i}" for i in range(200)]
    assert got[0][1] == clean(first) and isinstance(got[0][2], list)  # the big one: cleaned and extracted by a worker
    assert first.url not in in_parent
    assert 4 <= len(in_parent) < 200  # past the window of 3, but not everything: the workers took over
    assert counts["most"] <= 3 + 600 // 28 + 2  # the window, then the byte budget (notes are ~28 bytes)
    assert all(r == clean(RawArticle(url=u, content_type="text/plain", source="feed",
                                     body=f"Note {u.rsplit('t', 1)[1]}: the talks went on.".encode()))
               for u, r, _e in got[1:])
    assert _tagged_processes(tag) == []


@pytest.mark.parametrize("held_before", [False, True])
def test_the_parent_lets_go_of_a_language_model_it_loaded_for_the_warm_up(tag, monkeypatch, held_before):  # noqa: F811
    from pipeline import cleanpool
    from pipeline.cleanbound import language_model_loaded, release_language_model

    in_parent = []
    monkeypatch.setattr(cleanpool, "clean", lambda raw: in_parent.append(raw.url) or clean(raw))
    release_language_model()
    if held_before:
        clean(_raw(SWAP))
    # enough small pages that the parent surely gets some during the zygote's warm-up (>= 1 CPU-s), even
    # with the language model cached and bytecode compiled (six pages could all go to fast-starting workers)
    pages = [_raw(BIG, "https://news.example/big"), *(_raw(SWAP, f"https://news.example/{i}") for i in range(30))]
    got = [result for _raw_, result, _ev in clean_in_order(iter(pages), workers=2, timeout_s=30, inline_max=10**6)]
    assert in_parent and "https://news.example/big" not in in_parent  # cleaned here while the workers warmed up
    assert language_model_loaded() is held_before  # loaded for that, let go of after; or left as it was
    assert got == [clean(p) for p in pages]
    assert _tagged_processes(tag) == []


def test_workers_take_the_largest_page_read_first():
    from pipeline.cleanpool import _Feeder

    sizes = [10, 500, 20, 300, 40]
    raws = iter(RawArticle(url=f"https://news.example/{n}", content_type="text/html", source="feed", body=b"x" * n)
                for n in sizes)
    feeder = _Feeder(raws, window=4, workers=2)
    order = [feeder.take()[0] for _ in range(4)]  # type: ignore[index]
    assert order == [1, 3, 2, 0]  # the window (4 pages), largest first; the fifth is not read yet
    assert feeder.taken == 4 and feeder.held == 830
    feeder.put(0, (RawArticle(url="u", content_type="text/html", source="feed", body=b"x" * 10), None, None))  # type: ignore[arg-type]
    assert feeder.next_result() is not None and feeder.held == 820
    assert feeder.take() == (4, RawArticle(url="https://news.example/40", content_type="text/html", source="feed",
                                           body=b"x" * 40))


def test_no_worker_outlives_a_stage_that_stops_on_an_exception(settings, tag, monkeypatch):  # noqa: F811
    settings = replace(settings, clean_timeout=5.0)
    raws = [_raw(SWAP, f"https://news.example/{i}") for i in range(3)] + [_raw(SLOW, "https://news.example/slow")]
    calls = []

    def broken(*args):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("the parent failed")

    monkeypatch.setattr(stages, "_keep", broken)
    monkeypatch.setattr(stages, "FINGERPRINT_CHUNK", 1)  # each page handed on at once: the rest in flight
    stages.save_collected(settings, "boom", "feeds", Collected(articles=raws * 3))
    with pytest.raises(RuntimeError, match="the parent failed"):
        stages.transform_stage(settings, "boom", workers=2)
    assert _tagged_processes(tag) == []
    assert not (stages.staging_dir(settings, "boom") / "transformed.pkl").exists()


def test_workers_forked_from_the_zygote_are_warm_bounded_and_gone_at_close(tag):  # noqa: F811
    from pipeline.cleanfork import Zygote

    zygote = Zygote(extractor=True)
    first, second = Cleaner(extractor=True, zygote=zygote), Cleaner(extractor=True, zygote=zygote)
    try:
        assert first.clean_and_extract(_raw(SWAP), 60)[0] == clean(_raw(SWAP))  # waits for the warm-up
        start = time.monotonic()
        result, events = second.clean_and_extract(_raw(SWAP), 60)
        assert result == clean(_raw(SWAP)) and isinstance(events, list)
        assert time.monotonic() - start < 2.0  # a fork of a warm process: no imports, no warm-up
        assert {first.pid, second.pid, zygote.proc.pid} == set(_tagged_processes(tag))
        stuck = first.pid
        assert first.clean_and_extract(_raw(SLOW), 2.0)[0].reason == "cleaning took too long"
        assert first.clean_and_extract(_raw(SWAP), 60)[0] == clean(_raw(SWAP))
        assert first.pid != stuck and stuck not in _tagged_processes(tag)  # killed, replaced by a fork
    finally:
        first.close()
        second.close()
        zygote.close()
    assert _tagged_processes(tag) == []
