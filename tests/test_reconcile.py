"""Claims -> exchanges, as pure functions: the rules, the resolution policy, stable ids, the quality floors."""

from __future__ import annotations

import json
import random
from datetime import date, datetime

from bench.reconcile import CLUSTERS, claims_of, load_scenarios, pairwise, run
from pipeline.reconcile import Claim, cluster_claims
from pipeline.reconcile_resolve import assign_ids, exchange_id_for, resolve
from tests.conftest import REPO

FLOORS = json.loads((REPO / "tests" / "fixtures" / "reconcile" / "floors.json").read_text())


def claim(eid: str, day: str | None, ru: int | None, ua: int | None, *, article: str | None = None,
          status: str = "conducted", pub: str | None = None, qual: str = "exact", prec: str | None = "day",
          conf: float = 0.8) -> Claim:
    d = date.fromisoformat(day) if day else None
    published = date.fromisoformat(pub) if pub else d
    return Claim(eid, article or f"art-{eid}", "prisoner_exchange", status, d, prec if d else None,
                 ("Ukraine", "Russia"), (("Russia", ru), ("Ukraine", ua)), qual, confidence=conf,
                 published=published, seen_at=datetime(2026, 1, 1))


def groups(claims: list[Claim]) -> set[frozenset[str]]:
    return {frozenset(c.event_id for c in cl) for cl in cluster_claims(claims)}


def test_differing_figure_same_day_and_other_language_merge():
    got = groups([claim("a", "2025-08-24", 154, 146), claim("b", "2025-08-24", 154, 154),
                  claim("c", "2025-08-24", 146, 146)])
    assert got == {frozenset("abc")}


def test_day_after_report_merges_but_consecutive_swaps_do_not():
    got = groups([claim("a", "2024-09-13", 49, 49), claim("b", "2024-09-14", 103, 103),
                  claim("c", "2024-09-14", 103, 103), claim("d", "2024-09-15", 103, 103)])
    assert got == {frozenset("a"), frozenset("bcd")}


def test_stages_with_close_figures_on_consecutive_days_stay_apart():
    got = groups([claim("a", "2025-05-24", 307, 307), claim("b", "2025-05-24", 307, 307),
                  claim("c", "2025-05-25", 303, 303), claim("d", "2025-05-25", 303, 303)])
    assert got == {frozenset("ab"), frozenset("cd")}


def test_agreement_is_not_the_handover():
    got = groups([claim("a", "2023-12-07", 2, 32, status="agreed"), claim("b", "2023-12-07", 2, 32, status="agreed"),
                  claim("c", "2023-12-08", 2, 32), claim("d", None, 2, 32, status="planned", pub="2023-12-10")])
    assert got == {frozenset("abd"), frozenset("c")}


def test_two_claims_of_one_article_are_two_events():
    got = groups([claim("a", "2023-11-24", 39, 13, article="x"), claim("b", "2023-11-25", 39, 13, article="x"),
                  claim("c", "2023-11-25", 39, 13)])
    assert got == {frozenset("a"), frozenset("bc")}


def test_undated_recall_attaches_to_latest_matching_exchange_before_publication():
    got = groups([claim("a", "2025-07-17", 19, 1000), claim("b", "2025-08-19", 19, 1000),
                  claim("c", None, 19, 1000, pub="2025-08-20", prec="month"),
                  claim("d", None, 77, 77, pub="2025-08-20", prec="month")])
    assert got == {frozenset("a"), frozenset("bc"), frozenset("d")}


def test_order_of_claims_does_not_matter():
    claims, _, _ = claims_of(load_scenarios())
    expected = groups(claims)
    shuffled = list(claims)
    random.Random(7).shuffle(shuffled)
    assert groups(shuffled) == expected


def test_resolution_most_reported_figure_then_the_lower_and_every_value_kept():
    r = resolve([claim("a", "2025-08-24", 154, 146, conf=0.7), claim("b", "2025-08-24", 154, 154, conf=0.9),
                 claim("c", "2025-08-25", 154, 146, conf=0.6), claim("d", "2025-08-24", 150, None, qual="approximate")])
    assert r.returned_to == {"Russia": 154, "Ukraine": 146} and r.event_date == date(2025, 8, 24)
    assert r.disputed and r.disputes["returned_to"]["Ukraine"] == {"146": 2, "154": 1}
    assert r.disputes["event_date"] == {"2025-08-24": 3, "2025-08-25": 1} and r.n_sources == 4
    assert r.best_event_id == "a"  # agrees with the resolved day and both figures
    tie = resolve([claim("a", "2023-11-26", 39, 14), claim("b", "2023-11-26", 39, 13)])
    assert tie.returned_to["Ukraine"] == 13 and tie.disputed


def test_agreeing_sources_are_not_disputed():
    r = resolve([claim("a", "2024-01-03", 248, 230), claim("b", "2024-01-03", 248, None),
                 claim("c", None, None, 230, prec="month", pub="2025-01-02")])
    assert not r.disputed and r.returned_to == {"Russia": 248, "Ukraine": 230} and r.count_qualifier == "exact"


def test_ids_survive_growth_and_merges_and_splits_are_logged():
    a, b, c = claim("a", "2024-01-03", 1, 1), claim("b", "2024-01-03", 1, 1), claim("c", "2024-01-04", 1, 1)
    first, log = assign_ids([[a, b]], {})
    xid = first[0][0]
    assert xid == exchange_id_for("a") and [e.action for e in log] == ["create"]
    grown, log = assign_ids([[a, b, c]], {"a": xid, "b": xid})
    assert grown[0][0] == xid and log == []
    merged, log = assign_ids([[a, b, c]], {"a": xid, "b": xid, "c": "old-c"})
    assert merged[0][0] == xid and [(e.action, e.other_id) for e in log] == [("merge", "old-c")]
    split, log = assign_ids([[a, b], [c]], {"a": xid, "b": xid, "c": xid})
    assert split[0][0] == xid and split[1][0] == exchange_id_for("c")
    assert [(e.action, e.exchange_id, e.other_id) for e in log] == [("split", exchange_id_for("c"), xid)]
    gone, log = assign_ids([[a]], {"a": xid, "z": "old-z"})
    assert [(e.action, e.exchange_id) for e in log] == [("retire", "old-z")]


def test_quality_floors_on_the_hand_written_clusters():
    result = run(CLUSTERS)
    for metric, floor in FLOORS.items():
        assert result[metric] >= floor, f"{metric} {result[metric]:.3f} fell below its floor {floor}"


def test_pairwise_scores_catch_both_failure_modes():
    claims, labels, _ = claims_of(load_scenarios())
    everything = [claims]
    singletons = [[c] for c in claims]
    assert pairwise(everything, labels)[0] < 0.2 and pairwise(everything, labels)[1] == 1.0
    assert pairwise(singletons, labels) == (1.0, 0.0)
