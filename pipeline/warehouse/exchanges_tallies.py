"""What resolving a changed exchange counts of its members, kept per exchange by every write.

Resolving a changed exchange in the load (``exchanges_resolve``) tallies its members per (day they fix,
figures, qualifier): claims, smallest event id, confidences, the most confident claim, statuses,
locations, categories, mediators, the earliest day of each precision (``reconcile_resolve.Tally``).
Scanning ``exchange_members`` for that on every load costs in proportion to the members of the whole
table, not to the load: about 38 ms of a 1,000-article load into 1,000,000 articles (306,000 members),
most of it comparing every member's exchange id with the changed ones. ``exchange_tallies`` (migration
``1201_tallies_exchange_tallies``) keeps those tallies: one row per exchange, its groups as one JSON
array (a narrow row: a 21-column row per group cost 11 ms to read and 21 ms to write back per load),
over the members whose article has no other member (``multi`` false: the only ones aggregated; the
others are read one by one, ``exchanges_parts.Parts.known``). Confidences and locations are histograms
(value -> claims): a group adds up to the same tally, and stays as small as its distinct values.

Each write keeps it, as ``exchange_parts`` is kept. A write that only adds members merges their tallies,
counted here from the new rows, into the groups the load read to resolve the exchanges, and updates the
rows in place (``append``). Any other write (a superseded claim, a moved member, a newly flagged article,
a merge) rewrites the touched exchanges' rows from their members (``refresh``). Where the tallies would
count members the load must read one by one (superseded ones, or unflagged ones of a pending claim's
article), the load scans those exchanges' members as before.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pyarrow as pa

from pipeline.reconcile_resolve import _PRECISION_ORDER as PRECISIONS
from pipeline.warehouse.exchanges_sql import MEMBER_DAY

_KEY = ("exchange_id", "day", "returned_to", "count_qualifier")
_COLS = (*_KEY, "n_claims", "first_event_id", "confidences", "best_event_id", "best_confidence", "agreed",
         "locations", "categories", "mediators", *(f"{c}_{p}" for p in PRECISIONS for c in ("n", "earliest")))
_DATES = ("day", *(f"earliest_{p}" for p in PRECISIONS))

# What a group of members (``e``: rows as ``exchange_members``) tallies to, in ``_COLS[4:]`` order: also what
# ``exchanges_resolve`` aggregates when it scans the members instead.
AGGREGATES = f"""count(*) AS n_claims, min(e.event_id) AS first_event_id, histogram(e.confidence) AS confidences,
       first(e.event_id ORDER BY e.confidence DESC, e.event_id) AS best_event_id, max(e.confidence) AS best_confidence,
       bool_or(e.status = 'agreed') AS agreed, histogram(e.location) FILTER (e.location IS NOT NULL) AS locations,
       array_distinct(flatten(list(e.categories))) AS categories, array_distinct(flatten(list(e.mediators))) AS mediators,
       {", ".join(f"count(*) FILTER (e.date_precision = '{p}') AS n_{p}, "
                  f"min(e.event_date) FILTER (e.date_precision = '{p}') AS earliest_{p}" for p in PRECISIONS)}"""
# The tallies of the members of ``{source}`` not flagged ``multi``, a row a group.
TALLIES_FROM = f"""
SELECT e.exchange_id, {MEMBER_DAY} AS day, e.returned_to::VARCHAR AS returned_to, e.count_qualifier, {AGGREGATES}
FROM {{source}} e WHERE NOT e.multi {{where}} GROUP BY e.exchange_id, day, e.returned_to::VARCHAR, e.count_qualifier
"""
# One row an exchange: its groups' tallies as one JSON array of objects (``decode`` reads it back).
_BY_EXCHANGE = ("SELECT exchange_id, to_json(list({{" + ", ".join(f"'{c}': g.{c}" for c in _COLS[1:])
                + "}} ORDER BY g.day, g.returned_to, g.count_qualifier)) FROM (" + TALLIES_FROM + ") g GROUP BY exchange_id")

MIGRATIONS = [("1201_tallies_exchange_tallies", f"""
CREATE TABLE exchange_tallies (
    exchange_id VARCHAR NOT NULL,
    groups JSON NOT NULL                -- [{{"day", "returned_to", "count_qualifier", "n_claims", "confidences": {{value: claims}}, ...}}]
);
INSERT INTO exchange_tallies {_BY_EXCHANGE.format(source="exchange_members", where="")};
""")]


def refresh(con: duckdb.DuckDBPyConnection, ids: str) -> None:
    """Rewrite the tallies of the exchanges of relation ``ids`` (an ``exchange_id`` column) from their members."""
    con.execute(f"DELETE FROM exchange_tallies WHERE exchange_id IN (SELECT exchange_id FROM {ids})")
    con.execute("INSERT INTO exchange_tallies " + _BY_EXCHANGE.format(
        source="exchange_members", where=f"AND e.exchange_id IN (SELECT exchange_id FROM {ids})"))


def append(con: duckdb.DuckDBPyConnection, new_members: pa.Table, kept: dict[str, list[tuple]] | None = None) -> None:
    """Merge the tallies of ``new_members`` (rows as ``exchange_members``, just inserted: nothing else changed)
    into their exchanges' rows, updated in place (a text column). ``kept``: exchange -> its groups as this
    transaction read them before writing (``read``); the others are read here."""
    new = _tallied(new_members)
    if not new:
        return
    kept = {} if kept is None else kept
    missing = sorted({k[0] for k in new} - kept.keys())
    if missing:
        _read_into(con, missing, kept)
    groups = {x: {tuple(g[:4]): g for g in kept[x]} for x in {k[0] for k in new}}
    for k, g in new.items():
        old = groups[k[0]].get(k)
        groups[k[0]][k] = g if old is None else _merge(old, g)
    stored = sorted(x for x in groups if kept[x])
    _write(con, "UPDATE exchange_tallies t SET groups = r.groups FROM _tl_rows r WHERE t.exchange_id = r.exchange_id",
           {x: groups[x] for x in stored})
    _write(con, "INSERT INTO exchange_tallies SELECT exchange_id, groups FROM _tl_rows",
           {x: g for x, g in sorted(groups.items()) if not kept[x]})


def _write(con: duckdb.DuckDBPyConnection, statement: str, groups: dict[str, dict]) -> None:
    """Run ``statement`` over ``_tl_rows``: these exchanges with their groups encoded (nothing when none)."""
    if not groups:
        return
    con.register("_tl_rows", pa.table({"exchange_id": pa.array(list(groups), pa.string()),
                                       "groups": pa.array([_encode(g.values()) for g in groups.values()], pa.string())}))
    try:
        con.execute(statement)
    finally:
        con.unregister("_tl_rows")


def _read_into(con: duckdb.DuckDBPyConnection, ids: list[str], kept: dict[str, list[tuple]]) -> None:
    """The stored groups of these exchanges into ``kept`` (every id: [] when none)."""
    for x in ids:
        kept[x] = []
    for x, text in con.execute("SELECT exchange_id, groups FROM exchange_tallies WHERE list_contains(?, exchange_id)",
                               [ids]).fetchall():
        kept[x] = decode(x, text)


def decode(exchange_id: str, text: str) -> list[tuple]:
    """An exchange's stored groups as rows in ``_COLS`` order (the histograms as dicts, days as dates)."""
    out = []
    for g in json.loads(text):
        for c in _DATES:
            g[c] = date.fromisoformat(g[c]) if g[c] else None
        g["confidences"] = {float(v): n for v, n in (g["confidences"] or {}).items()}
        out.append((exchange_id, *(g[c] for c in _COLS[1:])))
    return out


def _encode(groups) -> str:
    out = []
    for row in groups:
        g = dict(zip(_COLS[1:], row[1:], strict=True))
        for c in _DATES:
            g[c] = g[c].isoformat() if g[c] else None
        out.append(g)
    return json.dumps(out, ensure_ascii=False)


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
            out.append((x, r[1] if r[1] is not None else mode, False, *r[1:]))
    return out
