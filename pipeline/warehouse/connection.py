"""Opening the warehouse: one writer at a time; readers go to a published read-only copy.

DuckDB lets no other process open a file while one has it open for writing, not even read-only.
So the writer, after each load and before it lets go of the file, publishes the committed state
at ``*.read.duckdb``: a symbolic link to one of two copies (``*.read.<generation>.duckdb``). It
brings the copy readers are not using up to date from its own connection (new rows of append-only
tables, the other tables diffed by key) and swaps the link atomically; when that cannot be proven
right (a reader still holds that copy, a migration, anything odd), or the file is under 512 MB, it
copies the whole file into a fresh one instead (``pipeline/warehouse/replica.py``). The writer
holds its lock until the copy is published, so no other writer changes the file mid-copy. Readers (``query``, the DuckDB CLI, a
notebook, export, report) open the copy: they are never locked out, never see a half-written
state, and a reader that keeps an old copy open keeps reading that old committed state.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipeline.errors import TransientError
from pipeline.warehouse.checkpoint import after_load
from pipeline.warehouse.migrations import migrate
from pipeline.warehouse.replica import Published, open_current, publish
from pipeline.warehouse.row_keys import ensure_keys

LOCK_WAIT_S = 60.0


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text or "already open" in text


def connect_writer(path: Path, wait_s: float = LOCK_WAIT_S) -> duckdb.DuckDBPyConnection:
    """Open (creating and migrating) the warehouse for writing; wait while another writer holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc) or time.monotonic() > deadline:
                raise TransientError(f"warehouse {path} is locked by another writer: {exc}") from exc
            time.sleep(0.5)
    migrate(con)
    ensure_keys(con)
    return con


@contextlib.contextmanager
def writer(path: Path, replica: Path | None = None, *, load: bool = False,
           ) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one writer. On a clean exit the read-only copy is published (still holding the file, so
    no other writer can change it while it is read for the copy). ``load``: the ingest's load, whose
    checkpoint leaves merging row groups to the maintenance run (``checkpoint.after_load``)."""
    con = connect_writer(path)
    try:
        yield con
        if load:
            after_load(con)
        else:
            con.execute("CHECKPOINT")
        if replica is not None:
            publish(con, path, replica)
    finally:
        con.close()


def publish_replica(path: Path, replica: Path, *, incremental: bool = True) -> Published:
    """Publish the warehouse's committed state at ``replica`` (opens the writer: waits for another)."""
    con = connect_writer(path)
    try:
        con.execute("CHECKPOINT")
        return publish(con, path, replica, incremental=incremental)
    finally:
        con.close()


def connect_reader(path: Path, replica: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection that never waits for the writer.

    Prefers the published copy (always the last committed state); falls back to the warehouse
    file itself when no copy was published yet.
    """
    if replica is not None and replica.exists():
        return open_current(replica)
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `python -m pipeline run` first")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        raise TransientError(f"warehouse {path} is being written and has no published copy yet") from exc
