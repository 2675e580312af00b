"""What resolving a changed exchange counts of its members, kept per exchange by every write.

Resolving a changed exchange in the load (``exchanges_resolve``) tallies its members per (day they fix,
figures, qualifier): claims, smallest event id, confidences, the most confident claim, statuses,
locations, categories, mediators, the earliest day of each precision (``reconcile_resolve.Tally``).
Scanning ``exchange_members`` for that on every load costs in proportion to the members of the table,
not to the load: about 38 ms of a 1,000-article load into 1,000,000 articles (306,000 members), most of
it comparing every member's exchange id with the changed ones. ``exchange_tallies`` (migration
``1201_tallies_exchange_tallies``) keeps those aggregates, one row per exchange and group, over the
members whose article has no other member (``multi`` false: the only ones aggregated; the others are
read one by one, ``exchanges_parts.Parts.known``). Confidences and locations are kept as histograms
(value -> claims): a group adds up to the same tally, and its row stays as small as its distinct values.

Each write keeps it, as ``exchange_parts`` is kept. A write that only adds members merges their tallies,
counted here from the new rows, into the rows of their groups (``append``): the rows the load read to
resolve the exchanges are merged in Python and updated in place. Any other write (a superseded claim,
a moved member, a newly flagged article, a merge) rewrites the touched exchanges' rows from their
members (``refresh``). Where the tallies would count members the load must read one by one (superseded
ones, or unflagged ones of a pending claim's article), the load scans the members as before.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pyarrow as pa

from pipeline.warehouse.exchanges_sql import MEMBER_DAY

PRECISIONS = ("day", "week", "month", "year")
_KEY = ("exchange_id", "day", "returned_to", "count_qualifier")
_COLS = (*_KEY, "n_claims", "first_event_id", "confidences", "best_event_id", "best_confidence", "agreed",
         "locations", "categories", "mediators", *(f"{c}_{p}" for p in PRECISIONS for c in ("n", "earliest")))
COLUMNS = ", ".join(_COLS)
_TEXTS = pa.list_(pa.string())
_SCHEMA = pa.schema([
    ("exchange_id", pa.string()), ("day", pa.date32()), ("returned_to", pa.string()), ("count_qualifier", pa.string()),
    ("n_claims", pa.int64()), ("first_event_id", pa.string()), ("confidences", pa.string()),
    ("best_event_id", pa.string()), ("best_confidence", pa.float64()), ("agreed", pa.bool_()),
    ("locations", pa.string()), ("categories", _TEXTS), ("mediators", _TEXTS),
    *((f"{c}_{p}", t) for p in PRECISIONS for c, t in (("n", pa.int64()), ("earliest", pa.date32())))])

# The tallies of the members of ``{source}`` (rows as ``exchange_members``) not flagged ``multi``.
TALLIES_FROM = f"""
SELECT e.exchange_id, {MEMBER_DAY} AS day, e.returned_to::VARCHAR AS returned_to, e.count_qualifier,
       count(*), min(e.event_id), histogram(e.confidence)::JSON, first(e.event_id ORDER BY e.confidence DESC, e.event_id),
       max(e.confidence), bool_or(e.status = 'agreed'), CAST(histogram(e.location) FILTER (e.location IS NOT NULL) AS JSON),
       array_distinct(flatten(list(e.categories))), array_distinct(flatten(list(e.mediators))),
       {", ".join(f"count(*) FILTER (e.date_precision = '{p}'), min(e.event_date) FILTER (e.date_precision = '{p}')"
                  for p in PRECISIONS)}
FROM {{source}} e WHERE NOT e.multi {{where}} GROUP BY e.exchange_id, day, e.returned_to::VARCHAR, e.count_qualifier
"""

MIGRATIONS = [("1201_tallies_exchange_tallies", f"""
CREATE TABLE exchange_tallies (
    exchange_id VARCHAR NOT NULL,
    day DATE,                           -- the day the members fix (NULL: they fix none)
    returned_to VARCHAR,                -- the members' figures (JSON text, as in exchange_members)
    count_qualifier VARCHAR,
    n_claims BIGINT NOT NULL,
    first_event_id VARCHAR NOT NULL,    -- the smallest event id
    confidences JSON,                   -- {{"confidence": claims}}
    best_event_id VARCHAR,              -- the most confident claim (then the smallest id)
    best_confidence DOUBLE,
    agreed BOOLEAN,                     -- a member's status is 'agreed'
    locations JSON,                     -- {{"location": claims}} (NULL: none named)
    categories VARCHAR[], mediators VARCHAR[],  -- every one named
    {", ".join(f"n_{p} BIGINT, earliest_{p} DATE" for p in PRECISIONS)}  -- claims of each precision, earliest day
);
INSERT INTO exchange_tallies {TALLIES_FROM.format(source="exchange_members", where="")};
""")]


def refresh(con: duckdb.DuckDBPyConnection, ids: str) -> None:
    """Rewrite the tallies of the exchanges of relation ``ids`` (an ``exchange_id`` column) from their members."""
    con.execute(f"DELETE FROM exchange_tallies WHERE exchange_id IN (SELECT exchange_id FROM {ids})")
    con.execute(f"INSERT INTO exchange_tallies ({COLUMNS}) "
                + TALLIES_FROM.format(source="exchange_members", where=f"AND e.exchange_id IN (SELECT exchange_id FROM {ids})"))


def append(con: duckdb.DuckDBPyConnection, new_members: pa.Table, kept: dict[str, list[tuple]] | None = None) -> None:
    """Merge the tallies of ``new_members`` (rows as ``exchange_members``, just inserted: nothing else changed)
    into their groups' rows. ``kept``: exchange -> its rows as this transaction read them before writing
    (``read``); the others are read here.

    A group's row whose categories and mediators stay as they were is updated in place (its other columns
    are scalars and JSON text); a new group's row is inserted, and one whose lists grow is deleted and
    inserted again (DuckDB updates a list column by deleting and inserting the row anyway)."""
    new = _tallied(new_members)
    if not new:
        return
    kept = {} if kept is None else kept
    missing = sorted({k[0] for k in new} - kept.keys())
    if missing:
        _read_into(con, missing, kept)
    stored = {tuple(r[:4]): r for x in {k[0] for k in new} for r in kept[x]}
    updated: list[tuple] = []
    inserted: list[tuple] = []
    replaced: list[tuple] = []
    for k, r in new.items():
        old = stored.get(k)
        if old is None:
            inserted.append(r)
            continue
        row = _merge(old, r)
        same = set(row[11]) == set(old[11] or ()) and set(row[12]) == set(old[12] or ())
        (updated if same else replaced).append(row)
    _write(con, "_tl_update", updated, lambda: con.execute(
        f"UPDATE exchange_tallies t SET {', '.join(f'{c} = u.{c}' for c in _SCALARS)} FROM _tl_update u WHERE {_SAME}"))
    _write(con, "_tl_delete", replaced, lambda: con.execute(f"DELETE FROM exchange_tallies t USING _tl_delete u WHERE {_SAME}"))
    _write(con, "_tl_insert", inserted + replaced, lambda: con.execute(
        f"INSERT INTO exchange_tallies ({COLUMNS}) SELECT {COLUMNS} FROM _tl_insert"))


_SCALARS = [c for c in _COLS[4:] if c not in ("categories", "mediators")]
_SAME = " AND ".join(f"t.{c} IS NOT DISTINCT FROM u.{c}" for c in _KEY)


def _write(con: duckdb.DuckDBPyConnection, name: str, rows: list[tuple], statement) -> None:
    """Run ``statement`` with ``rows`` registered as ``name`` (nothing when there are none)."""
    if not rows:
        return
    con.register(name, pa.Table.from_pylist([_record(r) for r in rows], schema=_SCHEMA))
    try:
        statement()
    finally:
        con.unregister(name)


def _read_into(con: duckdb.DuckDBPyConnection, ids: list[str], kept: dict[str, list[tuple]]) -> None:
    """The stored rows of these exchanges, their histograms as dicts, into ``kept`` (every id: [] when none)."""
    for x in ids:
        kept[x] = []
    for r in con.execute(f"SELECT {COLUMNS} FROM exchange_tallies WHERE list_contains(?, exchange_id)", [ids]).fetchall():
        confidences = {float(v): n for v, n in json.loads(r[6]).items()} if r[6] else {}
        kept[r[0]].append((*r[:6], confidences, *r[7:10], json.loads(r[10]) if r[10] else None, *r[11:]))


_MEMBER_COLS = ("exchange_id", "event_id", "event_date", "date_precision", "returned_to", "count_qualifier",
                "confidence", "status", "location", "categories", "mediators", "multi")


def _tallied(members: pa.Table) -> dict[tuple, tuple]:
    """``TALLIES_FROM`` over these member rows, counted here (a few hundred rows: a query's fixed cost is most
    of it). ``tests/test_flatload.py`` holds the kept tallies equal to ``TALLIES_FROM`` over the members."""
    groups: dict[tuple, tuple] = {}
    columns = [members.column(c).to_pylist() for c in _MEMBER_COLS]
    for xid, eid, day, precision, rt, q, conf, status, location, cats, meds, multi in zip(*columns, strict=True):
        if multi:
            continue
        key = (xid, day if (precision or "day") == "day" else None, rt, q)
        one = (*key, 1, eid, {conf: 1} if conf is not None else {}, eid, conf, status == "agreed",
               {location: 1} if location is not None else None, sorted(set(cats or ())), sorted(set(meds or ())),
               *(x for p in PRECISIONS for x in ((1, day) if precision == p else (0, None))))
        groups[key] = _merge(groups[key], one) if key in groups else one
    return groups


def _merge(a: tuple, b: tuple) -> tuple:
    """One group's tally from two tallies of it (rows in ``_COLS`` order)."""
    best = min((a[7], a[8]), (b[7], b[8]), key=lambda x: (x[1] is None, -(x[1] or 0), x[0]))  # NULLS LAST
    precisions = []
    for i in range(13, len(_COLS), 2):
        days = [d for d in (a[i + 1], b[i + 1]) if d is not None]
        precisions += [a[i] + b[i], min(days) if days else None]
    return (*a[:4], a[4] + b[4], min(a[5], b[5]), _added(a[6], b[6]), *best, a[9] or b[9],
            _added(a[10], b[10]) or None, sorted(set(a[11] or ()) | set(b[11] or ())),
            sorted(set(a[12] or ()) | set(b[12] or ())), *precisions)


def _added(a: dict | None, b: dict | None) -> dict:
    """Two histograms (value -> claims) added up."""
    out = dict(a or {})
    for k, n in (b or {}).items():
        out[k] = out.get(k, 0) + n
    return out


def _record(row: tuple) -> dict:
    """A row to insert: its histograms as JSON objects (a confidence's key is its shortest exact repr)."""
    r = dict(zip(_COLS, row, strict=True))
    r["confidences"] = json.dumps(r["confidences"])
    r["locations"] = None if r["locations"] is None else json.dumps(r["locations"], ensure_ascii=False)
    return r


def read(con: duckdb.DuckDBPyConnection, modes: dict[str, date | None], kept: dict[str, list[tuple]] | None = None,
         ) -> list[tuple]:
    """The tallies of the exchanges of ``modes`` (exchange -> its own day, where its undated members go), as
    ``exchanges_resolve``'s member groups: (exchange, part, read whole: no, day, figures, qualifier, claims,
    smallest id, confidences, best id, best confidence, agreed, locations, categories, mediators, then per
    precision: claims, earliest day). ``kept`` gets the rows as stored, for ``append`` to merge into."""
    kept = {} if kept is None else kept
    _read_into(con, sorted(modes), kept)
    out = []
    for x, mode in modes.items():
        for r in kept[x]:
            confidences = [v for v, n in r[6].items() for _ in range(n)]
            out.append((x, r[1] if r[1] is not None else mode, False, *r[1:6], confidences, *r[7:]))
    return out
