"""Stored articles and claims found by their 64-bit keys (``article_keys``, ``event_keys``): the same
answers as the strings give, a shared key never a wrong answer, and every row keyed however it was
written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from pipeline.records import CleanArticle, Event, EventRow, ValidatedBatch
from pipeline.warehouse import connect_writer
from pipeline.warehouse.known import WarehouseLookup
from pipeline.warehouse.load import RunInfo, _insert, load
from pipeline.warehouse.row_keys import (
    ARTICLES,
    EVENTS,
    fingerprint_key,
    id_key,
    key,
    stored_fingerprints,
    stored_ids,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _article(i: int, fingerprint: str | None = None) -> CleanArticle:
    return CleanArticle(f"{i:016x}", f"https://news.example/a/{i}", f"Story {i}", f"Text of story {i}.",
                        date(2026, 3, 1), "en", fingerprint or f"fp{i:022d}", "feed")


def _load(con: duckdb.DuckDBPyConnection, run_id: str, articles: list[CleanArticle], events: tuple = ()) -> int:
    run = RunInfo(run_id, "feeds", NOW, NOW, "test")
    return load(con, run, articles=articles, aliases=[], validated=ValidatedBatch(events, ()), rejections=[],
                outcomes=[], summary={}).articles_new


def _claims(articles: list[CleanArticle]) -> tuple[EventRow, ...]:
    out = []
    for a in articles:
        e = Event("prisoner_exchange", "conducted", date(2026, 3, 1), "day", ("Russia", "Ukraine"),
                  (("Russia", 10), ("Ukraine", 10)), "exact", (), (), None, a.text, (0, len(a.text)), 0.9)
        out.append(EventRow(e.event_id(a.article_id), a.article_id, e))
    return tuple(out)


def _counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    return con.execute(f"SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM {ARTICLES.keys})").fetchone()


@pytest.fixture
def con(tmp_path: Path):
    con = connect_writer(tmp_path / "w.duckdb")
    yield con
    con.close()


def test_keyed_lookups_answer_as_the_strings_do(con):
    assert _load(con, "r1", [_article(i) for i in range(50)] + [_article(99, fingerprint="fp-shared")]) == 51
    assert _load(con, "r2", [_article(100, fingerprint="fp-shared")]) == 1
    asked_ids = [f"{i:016x}" for i in range(40, 120)] + ["not-an-id"]
    asked_fps = [f"fp{i:022d}" for i in range(45, 60)] + ["fp-shared", "fp-nowhere"]
    keyed_ids, plain_ids = stored_ids(con, asked_ids), stored_ids(con, asked_ids, keyed=False)
    assert keyed_ids == plain_ids == {f"{i:016x}" for i in [*range(40, 50), 99, 100]}
    keyed_fps = stored_fingerprints(con, asked_fps)
    assert keyed_fps == stored_fingerprints(con, asked_fps, keyed=False)
    assert keyed_fps["fp-shared"] == f"{99:016x}" and len(keyed_fps) == 6  # 45..49 and the shared one
    assert _counts(con) == (52, 52)


def test_a_shared_key_is_confirmed_on_the_string(con):
    _load(con, "r1", [_article(1)])
    # a key row that no stored article has: an id with that key is a candidate, and is not stored
    con.execute(f"INSERT INTO {ARTICLES.keys} SELECT {id_key('i')}, false, {fingerprint_key('f')} "
                "FROM (SELECT 'ghost-id' AS i, 'ghost-fp' AS f)")
    assert stored_ids(con, ["ghost-id", f"{1:016x}"]) == {f"{1:016x}"}
    assert stored_fingerprints(con, ["ghost-fp"]) == {}
    ghost = CleanArticle("ghost-id", "https://news.example/ghost", "Ghost", "Ghost text.", None, "en",
                         "ghost-fp", "feed")
    assert _load(con, "r2", [ghost]) == 1  # not mistaken for a stored article


def test_a_hex_id_is_sure_only_on_an_exact_key(con):
    seed = CleanArticle("seed://exchange-2024-01.txt", "seed://exchange-2024-01.txt", "Seed", "Seed text.", None,
                        "en", "fp-seed", "seed")
    _load(con, "r1", [seed, _article(7)])
    (md5_key,) = con.execute(f"SELECT {key('?')}", [seed.article_id]).fetchone()
    twin = f"{md5_key:016x}"  # a real-looking id whose own bits equal the seed id's MD5 key
    found = con.execute("SELECT id_key, id_exact FROM article_keys ORDER BY id_exact").fetchall()
    assert found == [(md5_key, False), (7, True)]
    assert stored_ids(con, [twin, seed.article_id, f"{7:016x}"]) == {seed.article_id, f"{7:016x}"}


def test_rerunning_a_load_adds_neither_articles_nor_keys(con):
    batch = [_article(i) for i in range(20)] + [_article(3)]  # an id twice in the batch: the first wins
    assert _load(con, "r1", batch) == 20
    assert _load(con, "r1", batch) == 0
    assert _load(con, "r2", batch[5:] + [_article(20)]) == 1
    assert _counts(con) == (21, 21)


def test_claims_are_keyed_and_a_rerun_adds_none(con):
    batch = [_article(i) for i in range(12)]
    _load(con, "r1", batch, _claims(batch))
    _load(con, "r1", batch, _claims(batch))
    assert con.execute("SELECT (SELECT count(*) FROM event_rows), (SELECT count(*) FROM event_keys), "
                       "(SELECT count(*) FROM event_keys WHERE id_exact)").fetchone() == (12, 12, 12)
    ids = [r.event_id for r in _claims(batch[:3])] + ["0" * 16]
    assert stored_ids(con, ids, spec=EVENTS) == stored_ids(con, ids, keyed=False, spec=EVENTS) == set(ids[:3])
    con.execute("INSERT INTO event_rows SELECT * REPLACE ('by-hand-claim' AS event_id) FROM event_rows LIMIT 1")
    con.execute(f"INSERT INTO event_keys SELECT {id_key(repr('by-hand-claim'))}, false")  # its MD5 key
    con.execute("INSERT INTO event_keys SELECT 0, false")  # a stray key row: the bits of '000...0', not exact
    # both are candidates by key; only the stored one is confirmed on the strings
    assert stored_ids(con, ["by-hand-claim", "0" * 16], spec=EVENTS) == {"by-hand-claim"}


def test_articles_written_without_keys_get_them_when_the_writer_opens(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    con = connect_writer(path)
    _load(con, "r1", [_article(1)], _claims([_article(1)]))
    con.execute("INSERT INTO articles SELECT * REPLACE ('00000000000000aa' AS article_id, 'fp-by-hand' AS fingerprint) "
                "FROM articles")  # by hand, as an analyst might: no key
    con.execute("INSERT INTO event_rows SELECT * REPLACE ('00000000000000bb' AS event_id) FROM event_rows")
    with pytest.raises(ValueError, match="with their keys"):
        _insert(con, "articles", [{"article_id": "x"}], None)
    con.close()
    con = connect_writer(path)
    try:
        assert _counts(con) == (2, 2)
        assert con.execute("SELECT count(*) FROM event_keys").fetchone()[0] == 2
        assert stored_ids(con, ["00000000000000bb"], spec=EVENTS) == {"00000000000000bb"}
        assert stored_ids(con, ["00000000000000aa"]) == {"00000000000000aa"}
        by_hand = CleanArticle("00000000000000aa", "https://news.example/h", "H", "Hand.", None, "en", "fp-by-hand", "feed")
        assert _load(con, "r2", [by_hand]) == 0
    finally:
        con.close()


def test_a_warehouse_from_before_the_keys_is_keyed_by_its_migration(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    con = connect_writer(path)
    _load(con, "r1", [_article(i) for i in range(7)])
    con.execute(f"DROP TABLE {ARTICLES.keys}")
    con.execute("DROP TABLE event_keys")
    con.execute("DELETE FROM _migrations WHERE name LIKE '110%_keys_%'")
    con.close()
    con = connect_writer(path)
    try:
        assert _counts(con) == (7, 7)
        assert stored_ids(con, [f"{i:016x}" for i in range(10)]) == {f"{i:016x}" for i in range(7)}
    finally:
        con.close()


def test_a_read_only_copy_without_the_table_is_asked_on_the_strings(tmp_path: Path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE articles (article_id VARCHAR, fingerprint VARCHAR)")
    con.execute("INSERT INTO articles VALUES ('a1', 'f1'), ('a2', 'f2')")
    con.close()
    lookup = WarehouseLookup(duckdb.connect(str(path), read_only=True))
    try:
        assert lookup.stored_article_ids(["a1", "a3"]) == {"a1"}
        assert lookup.stored_fingerprints(["f2", "f9"]) == {"f2": "a2"}
    finally:
        lookup.close()
