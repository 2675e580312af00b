"""Opening the warehouse: one writer at a time; readers go to a published read-only copy.

DuckDB lets no other process open a file while one has it open for writing, not even read-only.
So the writer, when it closes, publishes a copy of the file (``*.read.duckdb``) by writing it
under a temporary name and renaming it into place: readers (``query``, the DuckDB CLI, a
notebook) open that copy and are never locked out, and never see a half-written state.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipeline.errors import TransientError
from pipeline.warehouse.migrations import migrate

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
    return con


@contextlib.contextmanager
def writer(path: Path, replica: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one writer. On a clean exit the read-only copy is published."""
    con = connect_writer(path)
    try:
        yield con
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if replica is not None:
        publish_replica(path, replica)


def publish_replica(path: Path, replica: Path) -> None:
    """Copy the closed warehouse file to ``replica`` atomically (write aside, then rename)."""
    replica.parent.mkdir(parents=True, exist_ok=True)
    tmp = replica.with_name(f".{replica.name}.{os.getpid()}.tmp")
    shutil.copyfile(path, tmp)
    os.replace(tmp, replica)


def connect_reader(path: Path, replica: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection that never waits for the writer.

    Prefers the published copy (always the last committed state); falls back to the warehouse
    file itself when no copy was published yet.
    """
    if replica is not None and replica.exists():
        return duckdb.connect(str(replica), read_only=True)
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `python -m pipeline run` first")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        raise TransientError(f"warehouse {path} is being written and has no published copy yet") from exc
