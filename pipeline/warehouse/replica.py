"""Publishing the read-only copy by what changed, not by copying the whole file.

The public name (``warehouse.read.duckdb``) is a symbolic link to one of two *slot* files,
``warehouse.read.<generation>.duckdb``: the current one, which readers open, and a standby, the
current one of the previous publish. After a load the writer brings the standby up to date from
its own connection and makes it current with an atomic link swap (``rename`` of a new link over
the old one). A reader that opened the old slot keeps it; a new reader opens the new one.

How the standby is brought up to date (one transaction on the standby, then a checkpoint):

- A table named in ``APPEND_ONLY`` only ever gets new rows (``tests/test_replica_rules.py`` checks
  every SQL statement under ``pipeline/``): the standby holds the writer's first n rows, so the rows
  of rowid n and above are copied (DuckDB gives appended rows higher rowids; a range of rowids is
  read without touching the rest of the table, article texts included).
- Every other table is diffed by its primary key (rows the writer no longer has as they are go,
  the writer's rows the standby lacks come in, by ``EXCEPT``), or replaced whole when it has none.
  A table nobody declared is therefore never missed.
- Then every table must have as many rows on both sides, and an append-only table the same set of
  keys (count, xor and sum of the key hashes), or the transaction is rolled back.

It falls back to the whole-file copy into a fresh slot (never wrong, only slower) when the file is
under ``INCREMENTAL_MIN_BYTES`` (quicker to copy) or anything is unsure: no standby yet, the
standby is open (a reader holding an old copy for hours, in any process including this one), a
migration or any DDL differs, the standby's file changed since this module wrote it (size, mtime,
inode, kept in ``.<replica stem>.slots.json``), the warehouse file is not the one it was synced
from, its lineage's last whole copy is older than ``FULL_COPY_AFTER_S``, or any error.
A slot is renamed to a new generation before it is linked, so a path never names two contents
(DuckDB caches one database instance per path within a process).
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import re
import shutil
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

# Tables whose rows are never updated or deleted once written, with the key that identifies a row.
APPEND_ONLY: dict[str, tuple[str, ...]] = {
    "_migrations": ("name",),
    "articles": ("article_id",),
    "article_keys": ("id_key",),
    "event_keys": ("id_key",),
    "article_aliases": ("url",),
    "event_rows": ("event_id",),
    "rejections": ("rejection_id",),
    "quarantine_actions": ("action_id",),
    "exchange_log": ("log_id",),
}
FULL_COPY_AFTER_S = 24 * 3600.0  # a slot's lineage gets a whole copy at least this often (bounds any drift)
# Below this the whole copy is the cheaper one: ~0.3 s for 200 MB vs ~0.7 s of fixed cost for a sync
# (attach, catalog checks, a diff of every mutable table, checkpoint) on the 2-core development VM.
INCREMENTAL_MIN_BYTES = 512 * 2**20
STANDBY = "_replica_standby"


class Unsure(Exception):
    """The incremental publish cannot be proven right here: publish the whole file instead."""


@dataclass
class Published:
    mode: str  # "incremental" | "full"
    slot: Path
    seconds: float
    reason: str = ""  # why the whole file was copied
    rows: dict[str, int] = field(default_factory=dict)  # rows written into the standby, per table
    phases: dict[str, float] = field(default_factory=dict)  # seconds: checks, each table, commit, link


# --- slots, the link and the record of what this module wrote ------------------------------------

def _slot_re(replica: Path) -> re.Pattern[str]:
    return re.compile(re.escape(replica.stem) + r"\.(\d{6,})\.duckdb")


def slots(replica: Path) -> dict[int, Path]:
    """The slot files next to ``replica``, by generation."""
    pattern = _slot_re(replica)
    found = {}
    for p in replica.parent.glob(f"{replica.stem}.*.duckdb"):
        m = pattern.fullmatch(p.name)
        if m:
            found[int(m.group(1))] = p
    return found


def current_slot(replica: Path) -> Path | None:
    """The slot the public link points at (None when the public name is no link to a slot)."""
    if not replica.is_symlink():
        return None
    target = replica.parent / os.readlink(replica)
    return target if target.parent == replica.parent and target.exists() and _slot_re(replica).fullmatch(
        target.name) else None


def _state_path(replica: Path) -> Path:
    return replica.with_name(f".{replica.stem}.slots.json")


def _read_state(replica: Path) -> dict:
    try:
        return json.loads(_state_path(replica).read_text())
    except (OSError, ValueError):
        return {}


def _write_state(replica: Path, state: dict) -> None:
    path = _state_path(replica)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    os.replace(tmp, path)


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


def _link(replica: Path, slot: Path) -> None:
    """Point the public name at ``slot`` atomically (a new link renamed over the old name)."""
    tmp = replica.with_name(f".{replica.name}.{os.getpid()}.link")
    tmp.unlink(missing_ok=True)
    os.symlink(slot.name, tmp)
    os.replace(tmp, replica)


def in_use(path: Path) -> bool:
    """Whether any process, this one included, holds a DuckDB lock on ``path``.

    DuckDB locks the whole file with a classic POSIX lock (shared for read-only). An open file
    description lock conflicts with those even when they are held by this very process, which a
    classic lock test (or DuckDB's own ATTACH) would not see.
    """
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0))
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                return True
            raise
        fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi", fcntl.F_UNLCK, os.SEEK_SET, 0, 0, 0))
        return False
    finally:
        os.close(fd)


# --- the publish ----------------------------------------------------------------------------------

def publish(con: duckdb.DuckDBPyConnection, path: Path, replica: Path, *, incremental: bool = True) -> Published:
    """Publish the writer's committed state (``con`` has just checkpointed ``path``) at ``replica``."""
    started = time.perf_counter()
    replica.parent.mkdir(parents=True, exist_ok=True)
    state = _read_state(replica)
    current = current_slot(replica)
    gens = slots(replica)
    new = replica.with_name(f"{replica.stem}.{max(gens, default=0) + 1:06d}.duckdb")
    mode, reason, rows, phases = "full", "incremental publish turned off", {}, dict[str, float]()
    if incremental and path.stat().st_size < INCREMENTAL_MIN_BYTES:
        incremental, reason = False, f"a file under {INCREMENTAL_MIN_BYTES >> 20} MB is quicker to copy whole"
    if incremental:
        try:
            standby = _standby(replica, path, current, gens, state)
            rows = sync(con, standby, phases)
            os.rename(standby, new)  # closed and unlocked: a new name for the new content
            state.setdefault("slots", {})[new.name] = {**state["slots"].pop(standby.name), "stamp": _stamp(new)}
            mode, reason = "incremental", ""
        except (Unsure, duckdb.Error, OSError) as exc:
            reason = str(exc) if isinstance(exc, Unsure) else f"{type(exc).__name__}: {exc}"
    if mode == "full":
        mark = time.perf_counter()
        full_copy(path, replica, new)
        phases["copy"] = time.perf_counter() - mark
        state.setdefault("slots", {})[new.name] = {"stamp": _stamp(new), "full_at": time.time()}
    mark = time.perf_counter()
    st = path.stat()
    state["writer"] = [st.st_dev, st.st_ino]
    _write_state(replica, state)  # first the record, then the link: a slot never goes live unrecorded
    _link(replica, new)
    _prune(replica, {new.name} | ({current.name} if current else set()), state)
    phases["link_and_prune"] = time.perf_counter() - mark
    result = Published(mode, new, time.perf_counter() - started, reason, rows, phases)
    log.info("published %s (%s%s) in %.3f s", new.name, mode, f": {reason}" if reason else "", result.seconds)
    return result


def _standby(replica: Path, path: Path, current: Path | None, gens: dict[int, Path], state: dict) -> Path:
    """The slot to bring up to date, or ``Unsure`` when there is none that is safe to write."""
    others = sorted((g, p) for g, p in gens.items() if p != current)
    if current is None or not others:
        raise Unsure("no standby copy yet")
    standby = others[-1][1]
    st = path.stat()
    if state.get("writer") != [st.st_dev, st.st_ino]:
        raise Unsure("the warehouse file is not the one the copies were made from")
    record = state.get("slots", {}).get(standby.name)
    if not record or record.get("stamp") != _stamp(standby):
        raise Unsure(f"{standby.name} changed since it was published (or was never recorded)")
    if time.time() - float(record.get("full_at", 0)) > FULL_COPY_AFTER_S:
        raise Unsure(f"{standby.name} was last copied whole more than {FULL_COPY_AFTER_S:.0f} s ago")
    if in_use(standby):
        raise Unsure(f"{standby.name} is open in a reader")
    if standby.with_name(standby.name + ".wal").exists():
        raise Unsure(f"{standby.name} has a write-ahead log")
    return standby


def full_copy(path: Path, replica: Path, new: Path) -> None:
    """Copy the (checkpointed, still locked by the writer) warehouse file to the fresh slot ``new``."""
    tmp = replica.with_name(f".{replica.name}.{os.getpid()}.tmp")  # the name prune_staging sweeps
    try:
        shutil.copyfile(path, tmp)
        new.with_name(new.name + ".wal").unlink(missing_ok=True)
        os.replace(tmp, new)
    finally:
        tmp.unlink(missing_ok=True)


def _prune(replica: Path, keep: set[str], state: dict) -> None:
    """Remove slots other than the current and the standby (a reader holding one keeps its file)."""
    for p in slots(replica).values():
        if p.name not in keep:
            p.unlink(missing_ok=True)
            p.with_name(p.name + ".wal").unlink(missing_ok=True)
    known = state.get("slots", {})
    for name in set(known) - keep:
        known.pop(name)
    _write_state(replica, state)


# --- bringing a standby up to date ----------------------------------------------------------------

def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sync(con: duckdb.DuckDBPyConnection, standby: Path, phases: dict[str, float] | None = None) -> dict[str, int]:
    """Make ``standby`` hold what the writer's database holds; returns the rows written per table
    (and adds the seconds of each step to ``phases``)."""
    phases = {} if phases is None else phases
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = phases.get(name, 0.0) + now - mark
        mark = now

    row = con.execute("SELECT current_database()").fetchone()
    main = row[0] if row else "main"
    con.execute(f"ATTACH '{str(standby).replace(chr(39), chr(39) * 2)}' AS {STANDBY}")
    try:
        _same_schema(con, main)
        keys = _primary_keys(con, main)
        lap("attach_and_schema")
        written = {}
        con.execute("BEGIN TRANSACTION")
        try:
            for table in _tables(con, main):
                written[table] = _sync_table(con, main, table, keys.get(table))
                lap(f"table:{table}")
            _same_content(con, main)
            lap("verify")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute(f"CHECKPOINT {STANDBY}")
        lap("commit_and_checkpoint")
    finally:
        con.execute(f"DETACH {STANDBY}")
    if standby.with_name(standby.name + ".wal").exists() or in_use(standby):
        raise Unsure(f"{standby.name} was not closed cleanly after the sync")
    return written


def _tables(con: duckdb.DuckDBPyConnection, db: str) -> list[str]:
    rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' "
                       "ORDER BY table_name", [db]).fetchall()
    return [r[0] for r in rows]


_CATALOG = (
    "SELECT 'table', schema_name, table_name, sql FROM duckdb_tables() WHERE database_name = $db",
    "SELECT 'view', schema_name, view_name, sql FROM duckdb_views() WHERE database_name = $db AND NOT internal",
    "SELECT 'index', schema_name, index_name, sql FROM duckdb_indexes() WHERE database_name = $db",
    "SELECT 'sequence', schema_name, sequence_name, '' FROM duckdb_sequences() WHERE database_name = $db",
    "SELECT 'type', schema_name, type_name, logical_type FROM duckdb_types() WHERE database_name = $db "
    "AND NOT internal",
    "SELECT 'macro', schema_name, function_name, macro_definition FROM duckdb_functions() "
    "WHERE database_name = $db AND NOT internal",
)


def _catalog(con: duckdb.DuckDBPyConnection, db: str) -> list[tuple]:
    return sorted(tuple(r) for q in _CATALOG for r in con.execute(q, {"db": db}).fetchall())


def _same_schema(con: duckdb.DuckDBPyConnection, main: str) -> None:
    ours, theirs = _catalog(con, main), _catalog(con, STANDBY)
    if ours != theirs:
        raise Unsure("the schema differs (a migration since the standby was published)")
    if any(kind == "sequence" for kind, *_ in ours):
        raise Unsure("the warehouse has sequences, whose state a row sync would not carry")
    if any(r[1] != "main" for r in ours if r[0] == "table"):
        raise Unsure("tables outside the main schema")
    one_way = ("SELECT count(*) FROM (SELECT * FROM {a}.main._migrations EXCEPT ALL "
               "SELECT * FROM {b}.main._migrations)")
    for a, b in ((main, STANDBY), (STANDBY, main)):
        n = con.execute(one_way.format(a=_q(a), b=_q(b))).fetchone()
        if n and n[0]:
            raise Unsure("the applied migrations differ")


def _primary_keys(con: duckdb.DuckDBPyConnection, db: str) -> dict[str, list[str]]:
    rows = con.execute("SELECT table_name, constraint_column_names FROM duckdb_constraints() "
                       "WHERE database_name = ? AND schema_name = 'main' AND constraint_type = 'PRIMARY KEY'",
                       [db]).fetchall()
    return {r[0]: list(r[1]) for r in rows}


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _sync_table(con: duckdb.DuckDBPyConnection, main: str, table: str, pk: list[str] | None) -> int:
    """Bring one standby table up to date; returns the rows written (inserted, or deleted + inserted)."""
    ours, theirs = f"{_q(main)}.main.{_q(table)}", f"{STANDBY}.main.{_q(table)}"
    if table in APPEND_ONLY:
        # The standby holds the writer's first n rows, and an append-only table (never deleted from)
        # gives each new row a higher rowid: copy the rest. _same_content checks the keys after.
        n = _count(con, theirs)
        sql = f"INSERT INTO {theirs} SELECT * FROM {ours} WHERE rowid >= {n} ORDER BY rowid"
    elif pk:
        # Rows of the standby that the writer no longer has as they are (deleted or changed) go by key;
        # then the writer's rows the standby lacks go in. With a primary key rows are distinct: EXCEPT.
        match = " AND ".join(f"g.{_q(k)} = t.{_q(k)}" for k in pk)
        row = con.execute(f"DELETE FROM {theirs} t WHERE EXISTS (SELECT 1 FROM (FROM {theirs} EXCEPT "
                          f"FROM {ours}) g WHERE {match})").fetchone()
        row2 = con.execute(f"INSERT INTO {theirs} FROM (FROM {ours} EXCEPT FROM {theirs})").fetchone()
        return (int(row[0]) if row else 0) + (int(row2[0]) if row2 else 0)
    else:
        con.execute(f"DELETE FROM {theirs}")
        sql = f"INSERT INTO {theirs} SELECT * FROM {ours} ORDER BY rowid"
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _same_content(con: duckdb.DuckDBPyConnection, main: str) -> None:
    """Every table has as many rows on both sides; an append-only one also the same set of keys."""
    for table in _tables(con, main):
        ours, theirs = f"{_q(main)}.main.{_q(table)}", f"{STANDBY}.main.{_q(table)}"
        keys = APPEND_ONLY.get(table)
        agg = "count(*)"
        if keys:
            h = f"hash({', '.join(_q(k) for k in keys)})"
            agg += f", bit_xor({h}), sum({h})::HUGEINT"
        a, b = (con.execute(f"SELECT {agg} FROM {t}").fetchone() for t in (ours, theirs))
        if a != b:
            raise Unsure(f"{table}: {b[0] if b else '?'} rows in the standby after the sync, {a[0] if a else '?'} "
                          "in the warehouse, or other keys (a row of an append-only table deleted or changed?)")


def open_current(replica: Path, attempts: int = 5) -> duckdb.DuckDBPyConnection:
    """Open the slot the public name points at, read-only (resolved, so a new slot is a new path).

    Should a publish swap the link between resolving and locking, the lock fails: resolve again.
    """
    for attempt in range(attempts):
        target = Path(os.path.realpath(replica))
        try:
            return duckdb.connect(str(target), read_only=True)
        except duckdb.IOException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")
