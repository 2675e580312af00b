"""Resolution from aggregates (``reconcile_resolve.Tally``, ``exchanges_resolve``) and the member facts
(migration ``1001_flatload_member_facts``) give what resolving every claim gives."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.reconcile import FAR, Claim, _relation, normalize_party
from pipeline.reconcile_resolve import Resolved, Tally, resolve, resolve_tally
from pipeline.warehouse import exchanges as X
from pipeline.warehouse import exchanges_resolve as XR
from pipeline.warehouse.exchanges_sql import MEMBER_FACTS, PARTS_OF
from pipeline.warehouse.exchanges_tallies import TALLIES_FROM, decode
from pipeline.warehouse.migrations import MIGRATIONS, migrate
from tests.test_reconcile_incremental import _batches, _load_in_batches
from tests.test_reconcile_warehouse import read

_ORDER = ("day", "week", "month", "year")


def _reference(claims: list[Claim]) -> Resolved:
    """The policy as written claim by claim (docs/reconciliation.md), with exact confidence sums."""
    event_type, phase, parties = claims[0].key
    status = "conducted" if phase == "handover" else ("agreed" if any(c.status == "agreed" for c in claims)
                                                      else "planned")
    days = Counter(c.day for c in claims if c.day)
    if days:
        day, precision = min(days, key=lambda d: (-days[d], d)), "day"
    else:
        given = [c.date_precision for c in claims if c.date_precision in _ORDER]
        precision = min(given, key=_ORDER.index) if given else None
        dated = sorted(c.event_date for c in claims if c.event_date and c.date_precision == precision)
        day = dated[0] if dated else None
    counts, quals, sides = {}, set(), {}
    for side in parties:
        support: dict[int, tuple[set, list]] = {}
        for c in claims:
            if side in c.counts() and c.count_qualifier in (None, "exact"):
                support.setdefault(c.counts()[side], (set(), []))[0].add(c.article_id)
                support[c.counts()[side]][1].append(c.confidence)
        given_side = [(c.counts()[side], c.count_qualifier) for c in claims if side in c.counts()]
        if support:
            v, q = max(support, key=lambda v: (len(support[v][0]), round(math.fsum(support[v][1]), 6), -v)), "exact"
        else:
            v, q = min(given_side) if given_side else (None, None)
        counts[side] = v
        if v is not None:
            quals.add(q or "exact")
        values = Counter(str(x) if qx in (None, "exact") else f"{x} ({qx})" for x, qx in given_side)
        exact = {x for x, qx in given_side if qx in (None, "exact")}
        misfit = v is not None and any(_relation(x, qx, v, "exact", X._P) == FAR for x, qx in given_side
                                       if qx not in (None, "exact"))
        if len(exact) > 1 or misfit:
            sides[side] = dict(values)
    disputes: dict = {}
    by_day = Counter(c.day.isoformat() for c in claims if c.day)
    if len(by_day) > 1:
        disputes["event_date"] = dict(by_day)
    if sides:
        disputes["returned_to"] = sides
    best = min(claims, key=lambda c: (-(c.day == day), -sum(1 for s, x in c.counts().items() if counts.get(s) == x),
                                      -c.confidence, c.event_id))
    locations = Counter(c.location for c in claims if c.location)
    return Resolved(event_type, status, day, precision, parties, counts,
                    None if not quals else ("exact" if quals == {"exact"} else sorted(quals - {"exact"})[0]),
                    tuple(sorted({x for c in claims for x in c.categories})),
                    tuple(sorted({normalize_party(x) for c in claims for x in c.mediators})),
                    min(locations, key=lambda x: (-locations[x], x)) if locations else None, best.event_id,
                    round(best.confidence, 4), len({c.article_id for c in claims}), bool(disputes), disputes)


_DAYS = [date(2024, 5, 1) + timedelta(days=i) for i in range(4)]
_CLAIM = st.fixed_dictionaries({
    "day": st.sampled_from([None, *_DAYS]), "precision": st.sampled_from([None, "day", "day", "week", "month", "year"]),
    "ru": st.sampled_from([None, 10, 11, 12, 50, 100]), "ua": st.sampled_from([None, 10, 11, 12, 50, 100]),
    "ru_name": st.sampled_from(["Russia", "Russian Federation"]),
    "qualifier": st.sampled_from([None, "exact", "exact", "approximate", "at_least"]),
    "categories": st.lists(st.sampled_from(["civilians", "soldiers", "bodies"]), max_size=2),
    "mediators": st.lists(st.sampled_from(["UAE", "United Arab Emirates", "Qatar"]), max_size=2),
    "location": st.sampled_from([None, "Istanbul", "Abu Dhabi"]),
    "confidence": st.one_of(st.sampled_from([0.5, 0.7, 0.85, 0.9]), st.floats(0.0, 1.0)),
    "status": st.sampled_from(["agreed", "planned"]), "article": st.integers(0, 5), "aggregated": st.booleans()})


def _claims(specs: list[dict], handover: bool) -> tuple[list[Claim], set[str]]:
    claims, aggregated = [], set()
    for i, s in enumerate(specs):
        figures = tuple((n, v) for n, v in ((s["ru_name"], s["ru"]), ("Ukraine", s["ua"])) if v is not None)
        event_date = s["day"] or (_DAYS[0] if s["precision"] in ("week", "month", "year") else None)
        article = f"agg-{i}" if s["aggregated"] else f"a{s['article']}"  # aggregated: the article's only claim
        claims.append(Claim(f"e{(i * 7919) % 1000:03d}-{i}", article, "prisoner_exchange",
                            "conducted" if handover else s["status"], event_date, s["precision"],
                            (s["ru_name"], "Ukraine"), figures, s["qualifier"], tuple(s["categories"]),
                            tuple(s["mediators"]), s["location"], confidence=s["confidence"]))
        if s["aggregated"]:
            aggregated.add(claims[-1].event_id)
    return sorted(claims, key=lambda c: c.event_id), aggregated


def _tally_in_groups(claims: list[Claim], aggregated: set[str], split: int) -> Tally:
    """Claims one by one, and the aggregated ones in two lots as SQL gives them: per (day, figures,
    qualifier) with their count, smallest id, confidences and most confident claim; then the rest."""
    t = Tally(claims[0].key)
    lots: list[list[Claim]] = [[], []]
    for k, c in enumerate(claims):
        if c.event_id in aggregated:
            lots[k % split == 0].append(c)
        else:
            t.add(c)
    for lot in lots:
        groups: dict[tuple, list[Claim]] = {}
        for c in lot:
            groups.setdefault((c.day, tuple(sorted(c.counts().items())), c.count_qualifier), []).append(c)
        for (day, counts, q), cs in groups.items():
            best = min(cs, key=lambda c: (-c.confidence, c.event_id))
            t.add_group(day, dict(counts), q, len(cs), min(c.event_id for c in cs), Counter(c.confidence for c in cs),
                        best.event_id, best.confidence)
        precisions: dict = {}
        for c in lot:
            if c.date_precision in _ORDER:
                old = precisions.get(c.date_precision)
                precisions[c.date_precision] = min((d for d in (old, c.event_date) if d), default=None)
        t.add_misc(any(c.status == "agreed" for c in lot), Counter(c.location for c in lot if c.location),
                   {x for c in lot for x in c.categories}, {x for c in lot for x in c.mediators}, precisions)
    return t


@settings(max_examples=300, deadline=None)
@given(st.lists(_CLAIM, min_size=1, max_size=14), st.booleans(), st.integers(1, 3))
def test_resolving_a_tally_equals_resolving_the_claims(specs, handover, split):
    claims, aggregated = _claims(specs, handover)
    expected = _reference(claims)
    assert resolve(claims) == expected
    got = resolve_tally(_tally_in_groups(claims, aggregated, split))
    assert got == expected
    assert json.dumps(got.disputes) == json.dumps(expected.disputes)  # the stored text: same order too


_STATE = ("event_type, status, event_date, date_precision, parties, counts, returned_to::VARCHAR, count_qualifier, "
          "categories, mediators, location, best_event_id, confidence, n_sources, disputed, disputes::VARCHAR")


def test_online_loads_store_what_resolving_every_member_gives(tmp_path, monkeypatch):
    """After shuffled online loads (and a new extractor version), every active exchange's row is the
    row ``resolve`` gives over all its members; the aggregated path did run."""
    aggregated = []
    real = XR._tallies
    monkeypatch.setattr(XR, "_tallies", lambda *a: aggregated.append(sum(r[5] for r in a[2])) or real(*a))
    path = tmp_path / "w.duckdb"
    _load_in_batches(path, _batches(5, 6), revise_every=3)
    assert sum(aggregated) > 20, aggregated
    con = duckdb.connect(str(path), read_only=True)
    try:
        members = dict(con.execute("SELECT event_id, exchange_id FROM exchange_members").fetchall())
        claims = X._claims(con, "e.event_id IN (SELECT event_id FROM exchange_members)", [])
        stored = {r[0]: r[1:] for r in con.execute(f"SELECT exchange_id, {_STATE} FROM exchanges_state "
                                                   "WHERE state = 'active'").fetchall()}
    finally:
        con.close()
    by_x: dict[str, list[Claim]] = {}
    for c in sorted(claims, key=lambda c: c.event_id):
        by_x.setdefault(members[c.event_id], []).append(c)
    assert by_x.keys() == stored.keys()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for xid, cluster in by_x.items():
        row = X._state_row(xid, cluster, "r", now)
        assert stored[xid] == tuple(row[k.split("::")[0]] for k in _STATE.split(", ")), xid


def test_member_rows_keep_their_claims_fields_and_the_migration_fills_them(tmp_path):
    path = tmp_path / "w.duckdb"
    _load_in_batches(path, _batches(2, 4), revise_every=4)
    facts = ", ".join(f"m.{c}" for c, _ in MEMBER_FACTS)
    truth = ", ".join("a.published" if c == "published" else f"e.{c}" for c, _ in MEMBER_FACTS)
    joined = ("FROM exchange_members m JOIN event_rows e USING (event_id) "
              "LEFT JOIN articles a ON a.article_id = e.article_id ORDER BY m.event_id")
    rows = read(path, f"SELECT m.event_id, {facts} {joined}")
    assert rows and rows == read(path, f"SELECT m.event_id, {truth} {joined}")
    # the day-parts kept by each write are those of the members as they are; every article with several
    # members is flagged
    parts = _parts(path, "SELECT * FROM exchange_parts")
    assert parts and parts == _parts(path, PARTS_OF.format(where=""))
    # and so are the tallies of the unflagged members
    tallied = stored_tallies(lambda sql: read(path, sql))
    assert tallied and tallied == member_tallies(lambda sql: read(path, sql))
    assert read(path, "SELECT count(*) FROM (SELECT article_id FROM exchange_members GROUP BY 1 "
                      "HAVING count(*) > 1 AND NOT bool_and(multi))") == [(0,)]
    # a warehouse from before 1001: its member rows get their facts, and lose the primary key
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    try:
        con.execute("CREATE TABLE _migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ)")
        for name, sql in MIGRATIONS:
            if not name.startswith(("1001_", "1201_")):
                con.execute(sql)
                con.execute("INSERT INTO _migrations VALUES (?, now())", [name])
        con.execute(f"ATTACH '{path}' AS new (READ_ONLY)")
        for table in ("articles", "event_rows"):
            con.execute(f"INSERT INTO {table} SELECT * FROM new.{table}")
        con.execute("INSERT INTO exchange_members SELECT event_id, exchange_id, claim_key, run_id, attached_at "
                    "FROM new.exchange_members")
        con.execute("DETACH new")
        assert migrate(con) == [n for n, _ in MIGRATIONS if n.startswith(("1001_", "1201_"))]
        assert con.execute(f"SELECT m.event_id, {facts} {joined}").fetchall() == rows
        assert not con.execute("SELECT * FROM duckdb_constraints() WHERE table_name = 'exchange_members' "
                               "AND constraint_type = 'PRIMARY KEY'").fetchall()
        migrated = {(*r[:6], tuple(sorted(map(tuple, r[6]))), r[7]) for r in con.execute(
            "SELECT * FROM exchange_parts").fetchall()}
        assert migrated == parts
        assert stored_tallies(lambda sql: con.execute(sql).fetchall()) == tallied
    finally:
        con.close()


def _tally(r: tuple) -> tuple:
    """A group's tally with its histograms and lists in a comparable form."""
    return (*r[:6], tuple(sorted((r[6] or {}).items())), *r[7:10], tuple(sorted((r[10] or {}).items())),
            tuple(sorted(r[11] or ())), tuple(sorted(r[12] or ())), *r[13:])


def stored_tallies(query) -> set[tuple]:
    """The groups kept in ``exchange_tallies`` (``query``: sql -> rows)."""
    return {_tally(g) for x, text in query("SELECT exchange_id, groups FROM exchange_tallies") for g in decode(x, text)}


def member_tallies(query) -> set[tuple]:
    """The groups ``TALLIES_FROM`` counts over the members as they are."""
    return {_tally(r) for r in query(TALLIES_FROM.format(source="exchange_members", where=""))}


def _parts(path, sql: str) -> set[tuple]:
    return {(*r[:6], tuple(sorted(map(tuple, r[6]))), r[7]) for r in read(path, sql)}


def test_two_claims_of_one_article_the_same_day_are_one_source(tmp_path):
    """The aggregated path counts articles, not claims: a day-part holding two claims of one article."""
    t = Tally(("prisoner_exchange", "handover", ("Russia", "Ukraine")))
    c1 = Claim("e1", "a", "prisoner_exchange", "conducted", _DAYS[0], "day", ("Russia", "Ukraine"),
               (("Russia", 10),), confidence=0.9)
    c2 = Claim("e2", "a", "prisoner_exchange", "conducted", _DAYS[0], "day", ("Russia", "Ukraine"),
               (("Ukraine", 10),), confidence=0.8)
    t.add(c1)
    t.add(c2)
    assert resolve_tally(t).n_sources == 1 == resolve([c1, c2]).n_sources


def test_neighbour_parts_are_kept_except_for_exchanges_losing_a_claim():
    """``Parts.take`` keeps the stored rows the dated neighbours' query read, merged as day-parts, but not
    those of an exchange that loses a superseded claim: its rows still count it (``read`` aggregates it)."""
    from pipeline.warehouse.exchanges_parts import Parts

    key, d = '["prisoner_exchange", "handover", ["Russia", "Ukraine"]]', date(2025, 5, 23)
    figs = [['{"Ukraine": 390}', None]]
    rows = [("x-gone", key, d, 3, "e1", 3, figs, d), ("x-kept", key, d, 2, "e5", 1, figs, d),
            ("x-kept", key, None, 1, "e4", 1, figs, d + timedelta(days=1))]
    parts = Parts({"x-gone"})
    assert parts.take(rows) == {"x-gone", "x-kept"}
    assert set(parts.rows) == {"x-kept"}
    [(xid, part, _key, first, articles, n_dated, _figs, mode, latest, exact)] = parts.rows["x-kept"]
    assert (xid, part, first, articles, n_dated, mode, latest, exact) == ("x-kept", d, "e4", 2, 2, d,
                                                                        d + timedelta(days=1), False)
    assert parts.multi == {"x-kept"}  # one row counts fewer single articles than claims
