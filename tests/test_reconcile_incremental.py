"""Exact incremental reconciliation (by neighbourhood) gives what re-clustering every claim of the kind gives.

The load itself assigns online (tests/test_reconcile_online.py); these tests run the exact scopes, which
the upkeep step (``python -m pipeline reconcile``) uses, through the load by passing ``scope``."""

from __future__ import annotations

import random
from dataclasses import replace
from functools import partial

import pytest

from pipeline.reconcile import cluster_claims
from pipeline.warehouse import exchanges as X
from pipeline.warehouse import load as WL
from pipeline.warehouse import writer
from tests.test_reconcile_warehouse import SCENARIOS, batch_of, read, run_load

STATE = ("SELECT exchange_id, claim_key, state, merged_into, founder_event_id, event_type, status, event_date, "
         "date_precision, parties, counts, returned_to::VARCHAR, count_qualifier, categories, mediators, location, "
         "best_event_id, confidence, n_sources, disputed, disputes::VARCHAR, created_run_id, updated_run_id "
         "FROM exchanges_state ORDER BY exchange_id")
TABLES = {"state": STATE,
          "members": "SELECT event_id, exchange_id, claim_key, run_id FROM exchange_members ORDER BY event_id",
          "log": "SELECT log_id, run_id, action, exchange_id, other_id, detail FROM exchange_log ORDER BY log_id"}


def _items() -> list[dict]:
    return [item for sc in SCENARIOS.values() for item in sc["claims"]]


def _batches(seed: int, n: int) -> list[list[dict]]:
    """Articles shuffled into ``n`` batches (an article's claims travel together, in their order)."""
    by_article: dict[str, list[dict]] = {}
    for item in _items():
        by_article.setdefault(item["article"]["id"], []).append(item)
    groups = list(by_article.values())
    random.Random(seed).shuffle(groups)
    return [[item for g in groups[i::n] for item in g] for i in range(n)]


def _load_in_batches(path, batches: list[list[dict]], revise_every: int = 0) -> None:
    """Load batch after batch (each load repeats what came before, as feeds do), then optionally a new
    extractor version of every ``revise_every``-th article's claims."""
    seen: list[dict] = []
    for k, part in enumerate(batches):
        seen += part
        articles, rows, _ = batch_of(seen)
        run_load(path, f"r{k}", articles, rows, day=k)
    if revise_every:
        articles, rows, _ = batch_of(seen)
        picked = {a.article_id for a in articles[::revise_every]}
        revised = [replace(r, event=replace(r.event, confidence=0.97)) for r in rows if r.article_id in picked]
        revised = [replace(r, event_id=r.event.event_id(r.article_id)) for r in revised]
        run_load(path, "rev", [a for a in articles if a.article_id in picked], revised, version="test-2",
                 day=len(batches))


def _tables(path) -> dict[str, list[tuple]]:
    return {name: read(path, sql) for name, sql in TABLES.items()}


def _partition(path) -> set[frozenset[str]]:
    by_x: dict[str, set[str]] = {}
    for eid, xid in read(path, "SELECT event_id, exchange_id FROM exchange_members"):
        by_x.setdefault(xid, set()).add(eid)
    return {frozenset(v) for v in by_x.values()}


@pytest.mark.parametrize(("seed", "n", "revise_every"), [(1, 3, 0), (2, 5, 4), (3, 8, 3)])
def test_incremental_equals_whole_kind_reclustering(tmp_path, monkeypatch, seed, n, revise_every):
    batches = _batches(seed, n)
    inc, ref = tmp_path / "inc.duckdb", tmp_path / "ref.duckdb"
    monkeypatch.setattr(WL, "reconcile_pending", partial(X.reconcile_pending, scope=X.neighbourhood))
    _load_in_batches(inc, batches, revise_every)
    monkeypatch.setattr(WL, "reconcile_pending", partial(X.reconcile_pending, scope=X.whole_kinds))
    _load_in_batches(ref, batches, revise_every)
    got, want = _tables(inc), _tables(ref)
    assert len(want["state"]) >= 28 and {r[1] for r in want["log"]} > {"r0"}  # later batches changed exchanges
    for name in TABLES:
        assert got[name] == want[name], name


def test_batches_in_any_order_cluster_as_one_batch(tmp_path, monkeypatch):
    monkeypatch.setattr(WL, "reconcile_pending", partial(X.reconcile_pending, scope=X.neighbourhood))
    one = tmp_path / "one.duckdb"
    _load_in_batches(one, [_items()])
    articles, rows, _ = batch_of(_items())
    with writer(one) as con:
        claims = X._claims(con, "true", [])
    expected = {frozenset(c.event_id for c in cl) for cl in cluster_claims(claims)}
    assert _partition(one) == expected
    for seed, n in ((4, 4), (5, 7)):
        path = tmp_path / f"b{seed}.duckdb"
        _load_in_batches(path, _batches(seed, n))
        assert _partition(path) == expected, (seed, n)
    assert len(rows) == len(claims)


def test_the_neighbourhood_is_a_small_part_of_a_long_history(tmp_path):
    """Claims a year apart are not re-read when one more report of one of them arrives."""
    path = tmp_path / "w.duckdb"
    items = _items()
    articles, rows, _ = batch_of(items)
    run_load(path, "r1", articles, rows)
    latest = max((r for r in rows if r.event.event_date and r.event.date_precision == "day"),
                 key=lambda r: r.event.event_date)
    with writer(path) as con:
        pending = X._claims(con, "e.event_id = ?", [latest.event_id])
        whole = X.whole_kinds(con, pending, [])
        near = X.neighbourhood(con, pending, [])
    assert near and near < whole
    spans = read(path, "SELECT m.exchange_id, min(e.event_date), max(e.event_date) FROM exchange_members m "
                       "JOIN event_rows e USING (event_id) GROUP BY 1")
    far = {x for x, lo, hi in spans if lo and (latest.event.event_date - hi).days > 2 * X.NEIGHBOUR_DAYS}
    assert far & whole and not far & near
