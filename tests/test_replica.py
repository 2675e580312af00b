"""The incremental publish of the read-only copy: after loads, quarantine release and discard,
reconciliation changes and a migration, the published copy holds exactly what the writer holds,
table by table; a reader holding the old copy keeps it; a standby in use and a crash mid-publish
fall back to a whole copy, and the public copy stays valid throughout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from pipeline import quarantine
from pipeline.records import EventRow, ValidatedBatch
from pipeline.validate import validate_rows
from pipeline.validate_frame import ArticleRef
from pipeline.warehouse import connect_reader, connection, migrations, replica, writer
from pipeline.warehouse.load import RunInfo, load
from tests.airflow_env import REPO
from tests.test_quarantine import GOOD, HUGE, ORPHAN, TEXT, _article
from tests.test_reconcile_warehouse import SCENARIOS, batch_of

NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)
ITEMS = [item for sc in SCENARIOS.values() for item in sc["claims"]]


def _catalog(con: duckdb.DuckDBPyConnection, db: str) -> list[tuple]:
    return sorted(con.execute(
        "SELECT 'table', table_name, sql FROM duckdb_tables() WHERE database_name = $db UNION ALL "
        "SELECT 'view', view_name, sql FROM duckdb_views() WHERE database_name = $db AND NOT internal",
        {"db": db}).fetchall())


def differences(warehouse: Path, public: Path) -> dict[str, tuple[int, int]]:
    """Per table: (rows only in the warehouse, rows only in the copy), counted as multisets; both files
    closed. Also fails when the two hold different tables or views."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{warehouse}' AS w (READ_ONLY)")
        con.execute(f"ATTACH '{public}' AS r (READ_ONLY)")
        assert _catalog(con, "w") == _catalog(con, "r")
        tables = [t for kind, t, _ in _catalog(con, "w") if kind == "table"]
        assert "articles" in tables and "exchange_members" in tables
        out = {}
        for t in tables:
            one = con.execute(f"SELECT count(*) FROM (FROM w.{t} EXCEPT ALL FROM r.{t})").fetchone()[0]
            other = con.execute(f"SELECT count(*) FROM (FROM r.{t} EXCEPT ALL FROM w.{t})").fetchone()[0]
            if one or other:
                out[t] = (one, other)
        return out
    finally:
        con.close()


@pytest.fixture(autouse=True)
def _sync_small_files(monkeypatch):
    """Test warehouses are a few MB, which the publish would copy whole: make it sync them."""
    monkeypatch.setattr(replica, "INCREMENTAL_MIN_BYTES", 0)


@pytest.fixture
def published(monkeypatch) -> list[replica.Published]:
    """Every publish the writer makes, in order."""
    seen: list[replica.Published] = []
    real = connection.publish

    def recording(*args, **kwargs):
        seen.append(real(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(connection, "publish", recording)
    return seen


def _load(settings, run_id: str, articles=(), rows=(), quarantined=(), version: str = "x-1", at=NOW) -> None:
    with writer(settings.warehouse, settings.replica_path) as con:
        load(con, RunInfo(run_id, "feeds", at, at, version), articles=list(articles), aliases=[],
             validated=ValidatedBatch(tuple(rows), tuple(quarantined)), rejections=[], outcomes=[], summary={})


def _quarantine_load(settings) -> None:
    rows = [EventRow(GOOD.event_id("a1"), "a1", GOOD), EventRow(HUGE.event_id("a1"), "a1", HUGE),
            EventRow(ORPHAN.event_id("a2"), "a2", ORPHAN)]
    batch, _ = validate_rows(rows, {"a1": ArticleRef(TEXT, date(2025, 6, 15))})
    _load(settings, "feeds-1", [_article("a1")], batch.passed, batch.quarantined)


def test_a_small_warehouse_is_copied_whole(settings, published, monkeypatch):
    monkeypatch.setattr(replica, "INCREMENTAL_MIN_BYTES", 512 * 2**20)
    for n in (1, 2, 3):
        _load(settings, f"feeds-{n}", [_article(f"a{n}")])
    assert [p.mode for p in published] == ["full"] * 3 and "quicker to copy whole" in published[-1].reason
    assert differences(settings.warehouse, settings.replica_path) == {}


def _assert_published(settings, published, mode: str) -> None:
    assert published[-1].mode == mode, published[-1]
    assert settings.replica_path.is_symlink()
    assert differences(settings.warehouse, settings.replica_path) == {}
    assert len(replica.slots(settings.replica_path)) <= 2


def test_copy_equals_the_writer_through_loads_quarantine_reconcile_and_a_migration(settings, published,
                                                                                    monkeypatch):
    _quarantine_load(settings)
    _assert_published(settings, published, "full")  # the first copy
    a1, r1, _ = batch_of(ITEMS[::2])
    _load(settings, "r1", a1, r1, version="v1")
    _assert_published(settings, published, "full")  # a standby exists only from the second publish on
    a2, r2, _ = batch_of(ITEMS)
    _load(settings, "r2", a2, r2, version="v1")  # merges exchanges: members deleted, states updated
    _assert_published(settings, published, "incremental")
    assert published[-1].rows["articles"] > 0 and published[-1].rows["exchange_members"] > 0
    _load(settings, "r3", a2, r2, version="v2")  # a new extractor version revises every claim
    _assert_published(settings, published, "incremental")
    _load(settings, "feeds-2", [_article("a2")])
    _assert_published(settings, published, "incremental")
    assert quarantine.release(settings, "rel-1", NOW, expectation="article_exists").events_released == 1
    _assert_published(settings, published, "incremental")
    reader = connect_reader(settings.warehouse, settings.replica_path)
    qid = reader.execute("SELECT quarantine_id FROM quarantine_rows WHERE event_id = ?",
                         [HUGE.event_id("a1")]).fetchone()[0]
    reader.close()
    assert quarantine.discard(settings, qid, "too big", "dis-1", NOW)
    _assert_published(settings, published, "incremental")
    assert published[-1].rows["articles"] == 0  # nothing new in an append-only table: nothing written

    extra = ("9901_replica_test_note", "ALTER TABLE articles ADD COLUMN note VARCHAR; "
             "UPDATE articles SET title = upper(title)")  # a migration may change rows in place
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, extra])
    _load(settings, "after-migration-1", a2[:1], r2[:1])
    _assert_published(settings, published, "full")
    assert "migration" in published[-1].reason
    _load(settings, "after-migration-2", [_article("a3")])
    _assert_published(settings, published, "full")  # the standby still has the old schema
    _load(settings, "after-migration-3", [_article("a4")])
    _assert_published(settings, published, "incremental")


def _by_hand(settings, sql: str) -> None:
    con = duckdb.connect(str(settings.warehouse))  # outside the pipeline, breaking the append-only rule
    con.execute(sql)
    con.close()


def test_a_deleted_append_only_row_is_caught_by_the_row_counts(settings, published):
    _quarantine_load(settings)
    _load(settings, "feeds-2", [_article("a2")])
    _by_hand(settings, "DELETE FROM articles WHERE article_id = 'a2'")
    for n in (3, 4):  # the standby of the first of them is older than a2; the second's holds it
        _load(settings, f"feeds-{n}", [_article(f"a{n}")])
        assert differences(settings.warehouse, settings.replica_path) == {}
    assert [p.mode for p in published[-2:]] == ["incremental", "full"]
    assert "rows in the standby" in published[-1].reason


def test_an_append_only_row_changed_by_hand_lasts_until_the_periodic_whole_copy(settings, published,
                                                                                monkeypatch):
    _quarantine_load(settings)
    _load(settings, "feeds-2", [_article("a2")])
    _by_hand(settings, "UPDATE articles SET title = 'changed' WHERE article_id = 'a1'")
    _load(settings, "feeds-3", [_article("a3")])
    assert published[-1].mode == "incremental"
    assert differences(settings.warehouse, settings.replica_path) == {"articles": (1, 1)}  # the documented limit
    monkeypatch.setattr(replica, "FULL_COPY_AFTER_S", 0.0)
    _load(settings, "feeds-4", [_article("a4")])
    assert published[-1].mode == "full" and "copied whole" in published[-1].reason
    assert differences(settings.warehouse, settings.replica_path) == {}


def test_a_standby_open_in_this_process_gets_a_whole_copy(settings, published):
    _quarantine_load(settings)
    _load(settings, "feeds-2", [_article("a2")])
    held = connect_reader(settings.warehouse, settings.replica_path)  # the current copy: next time's standby
    try:
        _load(settings, "feeds-3", [_article("a3")])
        assert published[-1].mode == "incremental"
        _load(settings, "feeds-4", [_article("a4")])
        assert published[-1].mode == "full" and "open in a reader" in published[-1].reason
        assert held.execute("SELECT count(*) FROM articles").fetchone()[0] == 2  # its snapshot, intact
    finally:
        held.close()
    assert differences(settings.warehouse, settings.replica_path) == {}
    _load(settings, "feeds-5", [_article("a5")])
    assert published[-1].mode == "incremental"


# A reader in another process that opens the public name as the DuckDB CLI would (DuckDB follows the
# link and locks the file it points at), reads, waits for a file to appear, and reads again.
READER = textwrap.dedent("""
    import sys, time, duckdb
    from pathlib import Path
    public, ready, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    con = duckdb.connect(public, read_only=True)
    q = "SELECT count(*), sum(hash(article_id)) FROM articles"
    print(con.execute(q).fetchone(), flush=True)
    ready.touch()
    while not go.exists():
        time.sleep(0.05)
    print(con.execute(q).fetchone(), flush=True)
""")


def test_a_reader_process_keeps_its_old_copy_and_holding_it_forces_a_whole_copy(settings, published, tmp_path):
    _quarantine_load(settings)
    _load(settings, "feeds-2", [_article("a2")])
    ready, go = tmp_path / "ready", tmp_path / "go"
    proc = subprocess.Popen([sys.executable, "-c", READER, str(settings.replica_path), str(ready), str(go)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.05)
        assert replica.in_use(Path(os.path.realpath(settings.replica_path)))
        _load(settings, "feeds-3", [_article("a3")])
        assert published[-1].mode == "incremental"  # the reader holds the current copy, not the standby
        _load(settings, "feeds-4", [_article("a4")])  # now the copy it holds is the standby
        assert published[-1].mode == "full" and "open in a reader" in published[-1].reason
        new = connect_reader(settings.warehouse, settings.replica_path)
        try:
            assert new.execute("SELECT count(*) FROM articles").fetchone()[0] == 4
        finally:
            new.close()
        go.touch()
        out, err = proc.communicate(timeout=60)
    finally:
        go.touch()
        proc.wait(timeout=60)
    first, second = out.splitlines()
    assert first == second and first.startswith("(2, "), (out, err)  # the old committed state, both times
    assert differences(settings.warehouse, settings.replica_path) == {}
    _load(settings, "feeds-5", [_article("a5")])
    assert published[-1].mode == "incremental"


# A writer process killed in the middle of a publish: while syncing the standby, or while copying
# the whole file. It says where it is by creating a file, then sleeps until it is killed.
CRASH = textwrap.dedent("""
    import shutil, sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from pipeline.records import ValidatedBatch
    from pipeline.warehouse import replica, writer
    from pipeline.warehouse.load import RunInfo, load
    from tests.test_quarantine import _article
    wh, public, ready, where = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    replica.INCREMENTAL_MIN_BYTES = 0

    def stop(*args, **kwargs):
        ready.touch()
        time.sleep(120)

    if where == "sync":
        real = replica._sync_table
        def sync_then_stop(con, main, table, *rest):
            n = real(con, main, table, *rest)
            if table == "articles":
                con.execute("COMMIT"); con.execute("BEGIN TRANSACTION")  # the standby now half synced
                stop()
            return n
        replica._sync_table = sync_then_stop
    else:
        def half_copy(src, dst):
            with open(src, "rb") as f, open(dst, "wb") as g:
                g.write(f.read(Path(src).stat().st_size // 2))
            stop()
        replica.shutil.copyfile = half_copy
    now = datetime.now(UTC)
    with writer(wh, public) as con:
        load(con, RunInfo("crash", "feeds", now, now, "x-1"), articles=[_article("c1")], aliases=[],
             validated=ValidatedBatch((), ()), rejections=[], outcomes=[], summary={})
""")


@pytest.mark.parametrize("where", ["sync", "copy"])
def test_a_publish_killed_midway_leaves_the_public_copy_valid(settings, published, tmp_path, where):
    _quarantine_load(settings)
    _load(settings, "feeds-2", [_article("a2")])
    before = tmp_path / "before.duckdb"
    before.write_bytes(Path(os.path.realpath(settings.replica_path)).read_bytes())
    if where == "copy":  # no standby: the whole copy is the only way
        for p in replica.slots(settings.replica_path).values():
            if p != replica.current_slot(settings.replica_path):
                p.unlink()
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", CRASH, str(settings.warehouse), str(settings.replica_path),
                             str(ready), where], cwd=REPO, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while not ready.exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert differences(before, settings.replica_path) == {}  # the last published state, whole
    reader = connect_reader(settings.warehouse, settings.replica_path)
    try:
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    finally:
        reader.close()
    _load(settings, "feeds-3", [_article("a3")])  # the next publish repairs what the crash left
    assert published[-1].mode == "full"
    reasons = ("changed since it was published", "write-ahead log") if where == "sync" else ("no standby",)
    assert any(r in published[-1].reason for r in reasons), published[-1].reason
    assert differences(settings.warehouse, settings.replica_path) == {}
    _load(settings, "feeds-4", [_article("a4")])
    assert published[-1].mode == "incremental"
    assert differences(settings.warehouse, settings.replica_path) == {}


def test_a_plain_file_published_by_the_old_code_becomes_the_link(settings, published):
    _quarantine_load(settings)
    legacy = Path(os.path.realpath(settings.replica_path))
    settings.replica_path.unlink()
    os.replace(legacy, settings.replica_path)  # what the whole-file publisher left: a plain file
    old = duckdb.connect(str(settings.replica_path), read_only=True)  # a reader of the old file
    try:
        _load(settings, "feeds-2", [_article("a2")])
        assert published[-1].mode == "full" and settings.replica_path.is_symlink()
        assert old.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    finally:
        old.close()
    assert differences(settings.warehouse, settings.replica_path) == {}
    _load(settings, "feeds-3", [_article("a3")])
    _load(settings, "feeds-4", [_article("a4")])
    assert [p.mode for p in published[-2:]] == ["full", "incremental"]  # then a standby exists
    assert differences(settings.warehouse, settings.replica_path) == {}
