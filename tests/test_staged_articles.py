"""Clean articles travel from transform to load as one Parquet file, and load inserts it as a list would."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import duckdb
import pytest

from pipeline import staged_articles as SA
from pipeline.records import ArticleRef, CleanArticle, ValidatedBatch
from pipeline.warehouse import writer
from pipeline.warehouse.load import RunInfo, load

COLS = "article_id, url, source, feed_url, title, text, published, language, fingerprint, run_id"


def _article(i: int, **kw) -> CleanArticle:
    base = CleanArticle(f"id{i:04d}", f"https://news.example/{i}", f"Title {i} — «кавычки»",
                        f"Body {i}: Kyiv said 84 prisoners came home. " * (1 + i % 7),
                        date(2025, 6, 1 + i % 28) if i % 5 else None, "en" if i % 3 else None,
                        f"fp{i}", "feed" if i % 4 else "seed", "https://news.example/feed.xml" if i % 4 else None)
    return replace(base, **kw)


def test_round_trip_keeps_every_field_over_several_row_groups(tmp_path):
    articles = [_article(i) for i in range(SA.ROWS_PER_GROUP * 2 + 17)]
    with SA.ArticleSink(tmp_path / "a.parquet") as sink:
        for a in articles:
            sink.add(a)
    assert sink.count == len(articles) and sink.from_feeds == sum(a.source == "feed" for a in articles)
    assert list(SA.read_articles(tmp_path / "a.parquet")) == articles


def test_refs_read_only_the_asked_articles(tmp_path):
    articles = [_article(i) for i in range(40)]
    path = SA.write_articles(tmp_path / "a.parquet", articles)
    refs = SA.article_refs(path, {"id0003", "id0010", "missing"})
    assert refs == {"id0003": ArticleRef(articles[3].text, articles[3].published),
                    "id0010": ArticleRef(articles[10].text, articles[10].published)}
    assert SA.article_refs(path, set()) == {}


def test_a_failed_transform_leaves_no_file(tmp_path):
    with pytest.raises(RuntimeError), SA.ArticleSink(tmp_path / "a.parquet") as sink:
        sink.add(_article(1))
        raise RuntimeError("cleaning blew up")
    assert list(tmp_path.iterdir()) == []


def _load(path, run_id: str, articles) -> int:
    run = RunInfo(run_id, "feeds", datetime(2025, 6, 2, tzinfo=UTC), datetime(2025, 6, 2, tzinfo=UTC), "t")
    with writer(path) as con:
        return load(con, run, articles=articles, aliases=[], validated=ValidatedBatch((), ()), rejections=[],
                    outcomes=[], summary={}).articles_new


def _stored(path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"SELECT {COLS} FROM articles ORDER BY article_id").fetchall()
    finally:
        con.close()


def test_loading_the_staged_file_stores_what_loading_the_list_stores(tmp_path):
    articles = [_article(i) for i in range(300)]
    staged = SA.write_articles(tmp_path / "a.parquet", articles + [replace(articles[0], title="a later copy")])
    assert _load(tmp_path / "from-list" / "w.duckdb", "r1", articles) == 300
    assert _load(tmp_path / "from-file" / "w.duckdb", "r1", staged) == 300  # first row of an id wins
    assert _stored(tmp_path / "from-file" / "w.duckdb") == _stored(tmp_path / "from-list" / "w.duckdb")
    assert _load(tmp_path / "from-file" / "w.duckdb", "r2", staged) == 0  # a rerun adds nothing
    assert len(_stored(tmp_path / "from-file" / "w.duckdb")) == 300


def test_a_missing_staged_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="transform stage"):
        _load(tmp_path / "w.duckdb", "r1", tmp_path / "nothing.parquet")
