"""``exchange_tallies`` (``pipeline/warehouse/exchanges_tallies.py``): what the load resolves a changed
exchange from, kept by every write. After each load the kept rows equal ``TALLIES_FROM`` over the members,
and the exchange's row is what resolving every member gives, on the paths the tallies cannot take alone."""

from __future__ import annotations

import copy

import duckdb

from pipeline.warehouse import exchanges as X
from pipeline.warehouse.exchanges_tallies import COLUMNS, TALLIES_FROM
from tests.test_flatload import _tallies
from tests.test_reconcile_warehouse import batch_of, read, run_load

_DAY = "2024-06-25"


def _report(article: str, mediators: list[str], *, evidence: str, confidence: float = 0.9) -> dict:
    """One wire report of the 25 June 2024 exchange (90 for 90, mediated by the UAE)."""
    return {"truth": "ru-ua-2024-06-25", "article": {"id": article, "url": f"https://wire-example.test/news/{article}", "published": _DAY,
                        "language": "en"},
            "event": {"event_type": "prisoner_exchange", "status": "conducted", "event_date": _DAY,
                      "date_precision": "day", "parties": ["Russia", "Ukraine"],
                      "returned_to": {"Russia": 90, "Ukraine": 90}, "count_qualifier": "exact",
                      "categories": ["pow"], "mediators": mediators, "location": None, "evidence": evidence,
                      "evidence_span": [0, len(evidence)], "confidence": confidence}}


def _consistent(path) -> None:
    """The kept tallies are those of the members; every active exchange's row is ``resolve`` over its members."""
    kept = _tallies(path, f"SELECT {COLUMNS} FROM exchange_tallies")
    assert kept and kept == _tallies(path, TALLIES_FROM.format(source="exchange_members", where=""))
    con = duckdb.connect(str(path), read_only=True)
    try:
        members = dict(con.execute("SELECT event_id, exchange_id FROM exchange_members").fetchall())
        claims = X._claims(con, "e.event_id IN (SELECT event_id FROM exchange_members)", [])
        stored = dict(con.execute("SELECT exchange_id, n_sources FROM exchanges_state WHERE state = 'active'").fetchall())
    finally:
        con.close()
    by_x: dict[str, list] = {}
    for c in claims:
        by_x.setdefault(members[c.event_id], []).append(c)
    assert {x: len({c.article_id for c in cl}) for x, cl in by_x.items()} == stored


def _load(path, run: str, items: list[dict], day: int) -> None:
    articles, rows, _ = batch_of(items)
    run_load(path, run, articles, rows, day=day)


def test_a_report_naming_a_new_mediator_reaches_the_kept_tallies(tmp_path):
    """A load that only adds a member whose lists name something new: its group's row is replaced, not
    updated in place (which would keep the old lists), and a later load still resolves with it."""
    path = tmp_path / "w.duckdb"
    first = [_report("ua-1", ["United Arab Emirates"], evidence="Ukraine and Russia swapped 90 prisoners each.")]
    _load(path, "r0", first, 0)
    second = first + [_report("ua-2", ["United Arab Emirates", "Turkey"],
                              evidence="The UAE and Turkey mediated the swap of 90 for 90.", confidence=0.8)]
    _load(path, "r1", second, 1)
    _consistent(path)
    third = second + [_report("ua-3", ["United Arab Emirates"], evidence="Another 90 came home, Kyiv said.")]
    _load(path, "r2", third, 2)
    _consistent(path)
    assert read(path, "SELECT mediators, n_sources FROM exchanges") == [(["Türkiye", "United Arab Emirates"], 3)]


def test_a_relisted_article_with_a_new_claim_is_not_counted_twice(tmp_path):
    """An article loaded again with one more claim (same extractor version): its earlier claim is an
    unflagged member of the exchange the new claim joins. The tallies count that member as another
    article's, so the load reads that exchange's members instead; it stays two sources, not three."""
    path = tmp_path / "w.duckdb"
    a1 = _report("ru-1", ["United Arab Emirates"], evidence="Moscow said 90 servicemen were returned.")
    b1 = _report("ua-1", ["United Arab Emirates"], evidence="Kyiv brought home 90 defenders.")
    _load(path, "r0", [a1], 0)
    _load(path, "r1", [a1, b1], 1)
    a2 = copy.deepcopy(a1)
    a2["event"]["evidence"] = "The 90 were flown to Moscow, the ministry added later."
    a2["event"]["evidence_span"] = [0, len(a2["event"]["evidence"])]
    _load(path, "r2", [a1, b1, a2], 2)
    assert read(path, "SELECT count(*), bool_and(multi) FROM exchange_members WHERE article_id = 'ru-1'") == [(2, True)]
    _consistent(path)
    assert read(path, "SELECT n_sources FROM exchanges") == [(2,)]
