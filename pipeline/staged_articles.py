"""The clean articles of a pass, staged as one Parquet file between transform and load.

Transform appends each kept article as it goes (a row group every ``ROWS_PER_GROUP`` articles),
so no stage after it holds the batch's texts in Python: validation reads back the texts of the
articles that have events, and the load inserts the file with DuckDB's own Parquet reader
(``pipeline.warehouse.load``). A 10,000-article batch is about 50 MB of text; held as Python
strings, then dicts, then Arrow, then DuckDB's copy, it cost the load stage 250 MB
(docs/benchmarks.md, "Load memory").
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.records import ArticleRef, CleanArticle

ROWS_PER_GROUP = 256
_S = pa.string()
SCHEMA = pa.schema([("article_id", _S), ("url", _S), ("source", _S), ("feed_url", _S), ("title", _S),
                    ("text", _S), ("published", pa.date32()), ("language", _S), ("fingerprint", _S)])
COLUMNS = tuple(SCHEMA.names)


class ArticleSink:
    """Writes articles to ``path`` (aside under a temporary name, renamed on a clean close)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = pq.ParquetWriter(self._tmp, SCHEMA, compression="zstd")
        self._buffer: list[CleanArticle] = []
        self.count = 0
        self.from_feeds = 0

    def add(self, article: CleanArticle) -> None:
        self._buffer.append(article)
        self.count += 1
        self.from_feeds += article.source == "feed"
        if len(self._buffer) >= ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._writer.write_table(_table(self._buffer))
            self._buffer = []

    def close(self) -> Path:
        self._flush()
        self._writer.close()
        self._tmp.replace(self.path)
        return self.path

    def abort(self) -> None:
        self._writer.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> ArticleSink:
        return self

    def __exit__(self, exc_type, *_exc) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _table(articles: list[CleanArticle]) -> pa.Table:
    cols = {name: [getattr(a, name) for a in articles] for name in COLUMNS}
    return pa.table({name: pa.array(cols[name], SCHEMA.field(name).type) for name in COLUMNS}, schema=SCHEMA)


def write_articles(path: Path, articles: list[CleanArticle]) -> Path:
    """The whole file at once (tests, benches and tools that hold a list already)."""
    with ArticleSink(path) as sink:
        for a in articles:
            sink.add(a)
    return path


def read_articles(path: Path) -> Iterator[CleanArticle]:
    """Every staged article, one row group in memory at a time."""
    f = pq.ParquetFile(path)
    for i in range(f.num_row_groups):
        for row in f.read_row_group(i).to_pylist():
            yield CleanArticle(**row)


def article_refs(path: Path, ids: set[str]) -> dict[str, ArticleRef]:
    """Text and publication day of the staged articles among ``ids`` (those with events)."""
    if not ids:
        return {}
    wanted = pa.array(sorted(ids), pa.string())
    out: dict[str, ArticleRef] = {}
    # batch by batch: reading the whole file with a filter decoded every text at once (+100 MB at 10,000)
    for batch in pq.ParquetFile(path).iter_batches(batch_size=ROWS_PER_GROUP,
                                                   columns=["article_id", "text", "published"]):
        hits = batch.filter(pc.is_in(batch.column(0), value_set=wanted))
        out.update({r["article_id"]: ArticleRef(r["text"], r["published"]) for r in hits.to_pylist()})
    return out
