"""``exchange_tallies`` (``pipeline/warehouse/exchanges_tallies.py``): what the load resolves a changed
exchange from, kept by every write. After each load the kept rows equal ``TALLIES_FROM`` over the members,
and the exchange's row is what resolving every member gives, on the paths the tallies cannot take alone."""

from __future__ import annotations

import copy
from datetime import date

import duckdb

from pipeline.reconcile import Claim
from pipeline.reconcile_resolve import Tally, resolve, resolve_tally
from pipeline.warehouse import exchanges as X
from tests.test_flatload import member_tallies, stored_tallies
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
    kept = stored_tallies(lambda sql: read(path, sql))
    assert kept and kept == member_tallies(lambda sql: read(path, sql))
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
    """A load that only adds a member whose lists name something new: the new mediator is merged into its
    group's kept tally, and a later load, which resolves from that tally, still names it."""
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


def test_confidence_sums_count_every_claim_of_a_value():
    """Two figures for a side, each given by two articles: the one extracted more confidently in sum wins,
    counting each claim of a confidence value (0.5 + 0.5 = 1.0 beats 0.6 + 0.3 = 0.9), in a tally or
    from aggregated groups alike."""
    day = date(2024, 6, 25)

    def claim(i: int, figure: int, confidence: float) -> Claim:
        return Claim(f"e{i}", f"a{i}", "prisoner_exchange", "conducted", day, "day", ("Russia", "Ukraine"),
                     (("Russia", figure), ("Ukraine", 90)), confidence=confidence)

    claims = [claim(1, 90, 0.5), claim(2, 90, 0.5), claim(3, 95, 0.6), claim(4, 95, 0.3)]
    assert resolve(claims).returned_to == {"Russia": 90, "Ukraine": 90}
    t = Tally(claims[0].key)
    t.add_group(day, {"Russia": 90, "Ukraine": 90}, "exact", 2, "e1", {0.5: 2}, "e1", 0.5)
    for c in claims[2:]:
        t.add(c)
    assert resolve_tally(t).returned_to == {"Russia": 90, "Ukraine": 90}
