"""Exchanges in the warehouse: claims (``event_rows``) resolved into one row per real-world event.

``reconcile_pending`` runs inside the load transaction, on the writer connection. By default it
assigns the pending claims online (``exchanges_online``: stored exchanges read as summaries); with a
``scope`` (``neighbourhood``, ``whole_kinds``) it re-clusters exactly, as the upkeep step does
(``exchanges_upkeep``). It is idempotent (with no new or superseded claim it reads two small queries
and writes nothing). A claim is *current* when it comes from the latest extractor version that
produced events for its article; older versions' claims are superseded, so re-extraction revises an
exchange instead of adding one.

Tables: ``exchanges_state`` (one row per exchange id ever issued, with its state and resolved
fields), ``exchange_members`` (exchange_id, event_id), ``exchange_log`` (create, merge, split,
move, revise, retire; nothing changes silently). Views: ``exchanges``, ``exchange_timeline``,
``exchange_totals_by_month``, ``exchange_totals_by_mediator``, ``exchange_sources``.
"""

from __future__ import annotations

import gc
import json
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import duckdb
import pyarrow as pa

from pipeline.reconcile import DEFAULT_POLICY, Claim, cluster_claims
from pipeline.reconcile import _window as claim_window
from pipeline.reconcile_resolve import LogEntry, Resolved, assign_ids, resolve
from pipeline.records import stable_id
from pipeline.warehouse.exchanges_sql import (
    DATED_NEIGHBOURS,
    EXCHANGE_SPANS,
    RECONCILE_MIGRATIONS,
    UNDATED_NEIGHBOURS,
)
from pipeline.warehouse.exchanges_state import state_row, upsert_states

# The neighbourhood of a pending claim (docs/reconciliation.md, "Incremental by neighbourhood"): the
# rules merge dated claims at most ``far_days`` (3) apart, so a margin of NEIGHBOUR_DAYS around each
# pending day, widened until no included exchange reaches past it, holds every claim it can join or move.
NEIGHBOUR_DAYS = 14
_P = DEFAULT_POLICY
_ALL = (date(1, 1, 1), date(9999, 12, 31))

__all__ = ["RECONCILE_MIGRATIONS", "apply", "claim_key", "neighbourhood", "reconcile_pending",
           "recluster", "whole_kinds"]

_CLAIM_COLS = """e.event_id, e.article_id, e.event_type, e.status, e.event_date, e.date_precision, e.parties,
    e.returned_to, e.count_qualifier, e.categories, e.mediators, e.location, e.evidence, e.evidence_start,
    e.evidence_end, e.confidence, a.published, a.url, epoch_us(e.loaded_at)"""
# What clustering's conflict rule and ``resolve`` need, cheap to fetch (no article, no evidence, lists as
# text: converting wide rows to Python dominates reading tens of thousands of claims)
_LIGHT_COLS = """e.event_id, e.article_id, e.event_type, e.status, e.event_date, e.date_precision,
    array_to_string(e.parties, chr(31)), e.returned_to::VARCHAR, e.count_qualifier,
    array_to_string(e.categories, chr(31)), array_to_string(e.mediators, chr(31)), e.location, e.confidence,
    epoch_us(e.loaded_at)"""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def claim_key(c: Claim) -> str:
    return kind_key(c.key)


@lru_cache(maxsize=4096)
def kind_key(kind: tuple) -> str:
    """A kind (``Claim.key``) as the warehouse's ``claim_key`` text: a load asks it of every claim and
    stored part it reads, of a few kinds."""
    event_type, phase, parties = kind
    return json.dumps([event_type, phase, list(parties)], ensure_ascii=False)


def _seen(us: int | None) -> datetime | None:
    return None if us is None else _EPOCH + timedelta(microseconds=us)


def _figures(returned_to) -> tuple[tuple[str, int | None], ...]:
    if isinstance(returned_to, str):
        return _figures_of_text(returned_to)
    return tuple((str(k), None if v is None else int(v)) for k, v in (returned_to or {}).items())


@lru_cache(maxsize=65536)
def _figures_of_text(returned_to: str) -> tuple[tuple[str, int | None], ...]:
    """``_figures`` of a stored ``returned_to`` (JSON text): the claims of an exchange repeat a few of them."""
    return tuple((str(k), None if v is None else int(v)) for k, v in json.loads(returned_to).items())


def _claim(row: tuple) -> Claim:
    (event_id, article_id, etype, status, day, precision, parties, returned_to, qualifier, categories,
     mediators, location, evidence, start, end, confidence, published, url, loaded_us) = row
    return Claim(event_id, article_id, etype, status, day, precision, tuple(parties or ()), _figures(returned_to),
                 qualifier, tuple(categories or ()), tuple(mediators or ()), location, evidence or "", (start, end),
                 float(confidence or 0.0), published, url, _seen(loaded_us))


def _light_claim(row: tuple) -> Claim:
    (event_id, article_id, etype, status, day, precision, parties, returned_to, qualifier, categories,
     mediators, location, confidence, loaded_us, *published) = row
    return Claim(event_id, article_id, etype, status, day, precision, _split(parties), _figures(returned_to),
                 qualifier, _split(categories), _split(mediators), location, "", (0, 0), float(confidence or 0.0),
                 published[0] if published else None, None, _seen(loaded_us))


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(text.split("\x1f")) if text else ()


def _claims(con: duckdb.DuckDBPyConnection, where: str, params: list) -> list[Claim]:
    """Whole claims, with their article's publication day and URL (read only for the articles needed)."""
    sql = (f"WITH e AS (SELECT * FROM event_rows e WHERE {where}), "
           "a AS (SELECT article_id, published, url FROM articles SEMI JOIN e USING (article_id)) "
           f"SELECT {_CLAIM_COLS} FROM e LEFT JOIN a USING (article_id)")
    return [_claim(r) for r in con.execute(sql, params).fetchall()]


def light_claims(con: duckdb.DuckDBPyConnection, where: str, params: list, published: bool = False,
                 source: str = "event_rows") -> list[Claim]:
    """Claims without URL or evidence (and without their article's publication day unless asked): enough
    for clustering and ``resolve``; the exchange row takes its evidence from ``best_event_id``."""
    if not published:
        sql = f"SELECT {_LIGHT_COLS} FROM {source} e WHERE {where}"
    else:
        sql = (f"WITH e AS (SELECT * FROM {source} e WHERE {where}), "
               "a AS (SELECT article_id, published FROM articles SEMI JOIN e USING (article_id)) "
               f"SELECT {_LIGHT_COLS}, a.published FROM e LEFT JOIN a USING (article_id)")
    return [_light_claim(r) for r in con.execute(sql, params).fetchall()]


def reconcile_pending(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime,
                      scope=None, fresh=None) -> dict[str, int]:
    """Fold new claims into exchanges and drop superseded ones; call inside the load transaction.

    By default the pending claims are assigned online to stored exchanges taken as fixed units
    (``pipeline.warehouse.exchanges_online``: the cost follows the new claims, not the warehouse).
    ``scope(con, pending, gone)`` instead re-clusters exactly the stored exchanges it picks with the
    pending claims: ``neighbourhood``, or ``whole_kinds`` (every claim of the kind: the reference).
    ``fresh``: the articles the load's transaction inserted (``exchanges_pending.Fresh``), if known.
    """
    from pipeline.warehouse.exchanges_pending import changed_claims, record_mark

    pending, gone = changed_claims(con, run_id, fresh)
    record_mark(con, run_id, now)  # in the transaction: with what follows, or not at all
    if not pending and not gone:
        return {"claims_new": 0, "claims_superseded": 0, "exchanges_changed": 0}
    with no_gc():
        return _reconcile(con, pending, gone, run_id, now, scope, fresh.articles if fresh else frozenset())


@contextmanager
def no_gc():
    """Without the cyclic garbage collector: reconciling makes tens of thousands of short-lived, acyclic
    objects (claims, tuples), freed by reference counting; the collector's passes over them cost about a
    tenth of a load into a big warehouse. ``load`` holds it for its whole transaction: a full pass over
    the process's heap (its imports, the batch) could otherwise fall in any load (20-50 ms in the bench's
    process, in about one load in three). Nested uses leave it off until the outermost ends."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _reconcile(con: duckdb.DuckDBPyConnection, pending: list[Claim], gone: list[tuple], run_id: str,
               now: datetime, scope, fresh: frozenset[str]) -> dict[str, int]:
    if scope is None:
        from pipeline.warehouse.exchanges_flat import apply_flat
        from pipeline.warehouse.exchanges_online import assign_online

        kept: dict[str, list[tuple]] = {}  # the tallies the assignment read, merged into by the write
        flat, parts_of = assign_online(con, pending, gone, fresh, kept)
        changed = apply_flat(con, flat, parts_of, pending, gone, run_id, now, fresh, kept)
    else:
        clusters, previous = recluster(con, scope(con, pending, gone), pending, gone)
        changed = apply(con, clusters, previous, pending, gone, run_id, now)
    return {"claims_new": len(pending), "claims_superseded": len(gone), "exchanges_changed": changed}


def recluster(con: duckdb.DuckDBPyConnection, included: set[str], pending: list[Claim], gone: list[tuple],
              ) -> tuple[list[list[Claim]], dict[str, str]]:
    """Exact: every current claim of the ``included`` exchanges, with the pending ones, clustered anew.
    Returns the clusters and the exchange each stored claim (superseded ones too) was in."""
    con.register("_nb_ids", pa.table({"exchange_id": pa.array(sorted(included), pa.string())}))
    members = light_claims(con, "e.event_id IN (SELECT event_id FROM exchange_members JOIN _nb_ids USING "
                                "(exchange_id)) AND NOT list_contains(?::VARCHAR[], e.event_id)", [[g[0] for g in gone]],
                           published=True)
    previous = dict(con.execute("SELECT event_id, exchange_id FROM exchange_members "
                                "JOIN _nb_ids USING (exchange_id)").fetchall())
    con.unregister("_nb_ids")
    return cluster_claims(members + pending), previous


def apply(con: duckdb.DuckDBPyConnection, clusters: list[list[Claim]], previous: dict[str, str],
          pending: list[Claim], gone: list[tuple], run_id: str, now: datetime) -> int:
    """Ids (old ids kept where their claims went), then only what changed is written, and logged (the
    online load writes clusters of day-parts instead: ``exchanges_flat.apply_flat``)."""
    assigned, log = assign_ids(clusters, {**previous, **_inherited(pending, gone)})
    changed = _write(con, assigned, previous, {g[0] for g in gone}, run_id, now)
    log += [LogEntry("revise", g[1], None, f"claim {g[0]} superseded by a newer extractor version") for g in gone]
    log += _moves(assigned, previous)
    _write_log(con, log, run_id, now)
    return changed


def _seed_ranges(pending: list[Claim]) -> tuple[list[tuple], list[tuple]]:
    """Day ranges (dated claims to re-cluster) and publication ranges (undated ones) around pending claims."""
    w = timedelta(days=NEIGHBOUR_DAYS)
    days, pubs = [], []
    for c in pending:
        key = claim_key(c)
        if c.day:
            days.append((key, c.day - w, c.day + w))
            continue
        lo, hi = claim_window(c, _P)
        if lo is None or hi is None:  # no day, no publication: it may attach anywhere in its kind
            days.append((key, *_ALL))
            pubs.append((key, *_ALL))
            continue
        days.append((key, lo - w, hi + w))
        if c.published:  # undated peers: published within undated_group_days of it
            reach = timedelta(days=_P.undated_group_days + NEIGHBOUR_DAYS)
            pubs.append((key, c.published - reach, c.published + reach))
    return days, pubs


def _ranges_table(ranges: list[tuple]) -> pa.Table:
    merged: list[list] = []
    for key, lo, hi in sorted(ranges):
        if merged and merged[-1][0] == key and lo <= merged[-1][2]:
            merged[-1][2] = max(merged[-1][2], hi)
        else:
            merged.append([key, lo, hi])
    return pa.table({"key": pa.array([m[0] for m in merged], pa.string()),
                     "lo": pa.array([m[1] for m in merged], pa.date32()),
                     "hi": pa.array([m[2] for m in merged], pa.date32())})


def neighbourhood(con: duckdb.DuckDBPyConnection, pending: list[Claim], gone: list[tuple]) -> set[str]:
    """The exchanges whose claims are re-clustered with the pending ones (ids of stored exchanges).

    Dated claims within NEIGHBOUR_DAYS of a pending day; undated claims whose attach window reaches a
    re-clustered day (or, for an undated pending claim, published near it); the exchanges of superseded
    claims. Then, until stable: every exchange with a dated claim on a day some included exchange spans.
    """
    days, pubs = _seed_ranges(pending)
    keys = sorted({r[0] for r in days} | {g[2] for g in gone})
    undated_sql = UNDATED_NEIGHBOURS.format(lookback=_P.undated_lookback_days)
    included: set[str] = set()
    fresh = {g[1] for g in gone}
    searched: set[tuple[str, date]] = set()
    con.register("_nb_pubs", _ranges_table(pubs))
    while True:
        todo = _days_of(days) - searched
        if todo:
            searched |= todo
            con.register("_nb_day", pa.table({"key": pa.array([k for k, _ in todo], pa.string()),
                                              "day": pa.array([d for _, d in todo], pa.date32())}))
            con.register("_nb_days", _ranges_table(days))
            fresh |= {r[0] for r in con.execute(DATED_NEIGHBOURS).fetchall()}
            if not searched - todo:  # first round only: undated claims whose window reaches a pending day
                fresh |= {r[0] for r in con.execute(undated_sql, [keys]).fetchall()}
        fresh -= included
        if not fresh:
            break
        included |= fresh
        con.register("_nb_new", pa.table({"exchange_id": pa.array(sorted(fresh), pa.string())}))
        spans = con.execute(EXCHANGE_SPANS).fetchall()
        con.unregister("_nb_new")
        fresh = set()
        days = [(key, lo, hi) for _x, key, lo, hi in spans if lo is not None]
    for t in ("_nb_day", "_nb_days", "_nb_pubs") if searched else ("_nb_pubs",):
        con.unregister(t)
    return included


def _days_of(ranges: list[tuple]) -> set[tuple[str, date]]:
    out = set()
    for key, lo, hi in ranges:
        lo, hi = max(lo, _ALL[0] + timedelta(days=1)), min(hi, _ALL[1] - timedelta(days=1))
        if (hi - lo).days > 20_000:  # no window at all: every stored day of the kind
            lo, hi = date(1900, 1, 1), date(2100, 1, 1)
        out |= {(key, lo + timedelta(days=i)) for i in range((hi - lo).days + 1)}
    return out


def whole_kinds(con: duckdb.DuckDBPyConnection, pending: list[Claim], gone: list[tuple]) -> set[str]:
    """The reference neighbourhood: every exchange of the kinds that gained or lost a claim."""
    keys = sorted({claim_key(c) for c in pending} | {g[2] for g in gone})
    return {r[0] for r in con.execute("SELECT DISTINCT exchange_id FROM exchange_members "
                                      "WHERE list_contains(?::VARCHAR[], claim_key)", [keys]).fetchall()}


def _inherited(pending: list[Claim], gone: list[tuple]) -> dict[str, str]:
    """A revised claim (same article, same kind) votes for the exchange its old version was in."""
    old_by_article: dict[str, str] = {}
    for _event_id, exchange_id, key, article_id in gone:
        old_by_article.setdefault(f"{article_id}\x1f{key}", exchange_id)
    votes = {}
    for c in pending:
        old = old_by_article.get(f"{c.article_id}\x1f{claim_key(c)}")
        if old:
            votes[c.event_id] = old
    return votes


def _moves(assigned: list[tuple[str, list[Claim]]], previous: dict[str, str]) -> list[LogEntry]:
    out = []
    for xid, cluster in assigned:
        for c in cluster:
            old = previous.get(c.event_id)
            if old and old != xid:
                out.append(LogEntry("move", xid, old, f"claim {c.event_id} moved from {old}"))
    return out


def _state_row(xid: str, cluster: list[Claim], run_id: str, now: datetime, r: Resolved | None = None) -> dict:
    founder = min(cluster, key=lambda c: (c.seen_at or now, c.event_id))
    return state_row(xid, claim_key(cluster[0]), founder.event_id, r or resolve(cluster), run_id, now)


def _write(con: duckdb.DuckDBPyConnection, assigned: list[tuple[str, list[Claim]]], previous: dict[str, str],
           gone: set[str], run_id: str, now: datetime) -> int:
    """Write only what changed: memberships, the resolved rows of touched exchanges, retired ids."""
    before: dict[str, set[str]] = {}
    for event_id, xid in previous.items():
        before.setdefault(xid, set()).add(event_id)
    states: list[dict] = []
    member_rows: list[dict] = []  # stored claims that move: their facts are in the table already
    new_rows: list[dict] = []  # claims in no exchange before: with their facts (MEMBER_FACTS)
    for xid, cluster in assigned:
        ids = {c.event_id for c in cluster}
        if ids != before.get(xid, set()):
            states.append(_state_row(xid, cluster, run_id, now))
        key = claim_key(cluster[0])  # one kind a cluster
        for c in cluster:
            if c.event_id not in previous:
                new_rows.append({"event_id": c.event_id, "exchange_id": xid, "claim_key": key, "run_id": run_id,
                                 "attached_at": now, **_facts(c)})
            elif previous[c.event_id] != xid:
                member_rows.append({"event_id": c.event_id, "exchange_id": xid, "claim_key": key,
                                    "run_id": run_id, "attached_at": now})
    live = {xid for xid, _ in assigned}
    into = {xid: next((x for x, cl in assigned if any(previous.get(c.event_id) == xid for c in cl)), None)
            for xid in set(before) - live}
    return store(con, states, member_rows, new_rows, gone, set(before) | live, into, run_id, now)


def store(con: duckdb.DuckDBPyConnection, states: list[dict], member_rows: list[dict], new_rows: list[dict],
          gone: set[str], touched: set[str], dead: dict[str, str | None], run_id: str, now: datetime,
          fresh: frozenset[str] = frozenset(), kept: dict[str, list[tuple]] | None = None) -> int:
    """Write a reconcile's changes: superseded members out, moved members (``member_rows``) and new ones
    (``new_rows``, with their facts), the day-parts of the ``touched`` exchanges, the resolved rows
    (``states``), and the ``dead`` exchanges (id -> the exchange it merged into, or None: retired).
    ``fresh``: articles the load's transaction inserted (``exchanges_pending.Fresh``): their members are
    all in ``new_rows``, so whether one has several is counted here, not looked for in the table.
    ``kept``: the touched exchanges' tallies as read before this write (``exchanges_tallies.append``)."""
    several = Counter(r["article_id"] for r in new_rows if r["article_id"] in fresh)
    for r in new_rows:
        if several[r["article_id"]] > 1:
            r["multi"] = True
    if gone:
        con.register("_st_gone", pa.table({"event_id": pa.array(sorted(gone), pa.string())}))
        try:  # a join, not a list scanned per row: a new extractor version may supersede thousands at once
            con.execute("DELETE FROM exchange_members WHERE event_id IN (SELECT event_id FROM _st_gone)")
        finally:
            con.unregister("_st_gone")
    _upsert(con, "exchange_members", member_rows, "event_id", ("exchange_id", "claim_key", "run_id", "attached_at"),
            present=True)
    new_members = pa.Table.from_pylist(new_rows, schema=_MEMBER_SCHEMA)
    if new_rows:
        con.register("_rows", new_members)
        con.execute(f"INSERT INTO exchange_members ({', '.join(_MEMBER_SCHEMA.names)}) "
                    f"SELECT {', '.join(_MEMBER_SCHEMA.names)} FROM _rows")
        con.unregister("_rows")
    from pipeline.warehouse.exchanges_parts import append, refresh

    unflagged = {r["article_id"] for r in new_rows} - fresh  # articles that may have members already
    if not gone and not member_rows and not dead and not unflagged:
        append(con, new_members, kept)  # members only added: each part changes by the new ones
    else:
        refresh(con, touched, unflagged)
    upsert_states(con, states)
    for xid in sorted(dead):
        into = dead[xid]
        con.execute("UPDATE exchanges_state SET state = ?, merged_into = ?, updated_run_id = ?, updated_at = ? "
                    "WHERE exchange_id = ?", ["merged" if into else "retired", into, run_id, now, xid])
    return len(states) + len(dead)


_TEXTS = pa.list_(pa.string())
_MEMBER_SCHEMA = pa.schema([
    ("event_id", pa.string()), ("exchange_id", pa.string()), ("claim_key", pa.string()), ("run_id", pa.string()),
    ("attached_at", pa.timestamp("us", tz="UTC")), ("article_id", pa.string()), ("event_type", pa.string()),
    ("status", pa.string()), ("event_date", pa.date32()), ("date_precision", pa.string()), ("parties", _TEXTS),
    ("returned_to", pa.string()), ("count_qualifier", pa.string()), ("categories", _TEXTS), ("mediators", _TEXTS),
    ("location", pa.string()), ("confidence", pa.float64()), ("loaded_at", pa.timestamp("us", tz="UTC")),
    ("published", pa.date32()), ("multi", pa.bool_())])


def _facts(c: Claim) -> dict:
    """What a member row keeps of its claim (``exchanges_sql.MEMBER_FACTS``): the light claim's fields."""
    return {"article_id": c.article_id, "event_type": c.event_type, "status": c.status, "event_date": c.event_date,
            "date_precision": c.date_precision, "parties": list(c.parties),
            "returned_to": json.dumps(dict(c.returned_to), ensure_ascii=False), "count_qualifier": c.count_qualifier,
            "categories": list(c.categories), "mediators": list(c.mediators), "location": c.location,
            "confidence": c.confidence, "loaded_at": c.seen_at, "published": c.published,
            "multi": False}  # set by ``exchanges_parts.refresh`` when its article has another member


def _upsert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], key: str, update: tuple[str, ...],
            present: bool = False) -> None:
    """Insert or update by ``key``; ``present``: every row is in the table already (a table without a
    unique key, as ``exchange_members``: updated by a join)."""
    if not rows:
        return
    con.register("_rows", pa.Table.from_pylist(rows))
    if present:
        sets = ", ".join(f"{c} = r.{c}" for c in update)
        con.execute(f"UPDATE {table} t SET {sets} FROM _rows r WHERE t.{key} = r.{key}")
    else:
        cols = ", ".join(rows[0])
        sets = ", ".join(f"{c} = excluded.{c}" for c in update)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _rows ON CONFLICT ({key}) DO UPDATE SET {sets}")
    con.unregister("_rows")


def _write_log(con: duckdb.DuckDBPyConnection, log: list[LogEntry], run_id: str, now: datetime) -> None:
    rows = [{"log_id": stable_id(run_id, e.action, e.exchange_id, e.other_id, e.detail), "run_id": run_id,
             "action": e.action, "exchange_id": e.exchange_id, "other_id": e.other_id, "detail": e.detail,
             "recorded_at": now} for e in log]
    if rows:
        con.register("_log", pa.Table.from_pylist(rows))
        con.execute("INSERT INTO exchange_log SELECT * FROM _log ON CONFLICT DO NOTHING")
        con.unregister("_log")
