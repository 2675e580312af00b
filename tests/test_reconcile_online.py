"""Online assignment in the load (stored exchanges as fixed units) and the exact upkeep step that repairs it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from types import SimpleNamespace

import pytest

from bench.reconcile import pairwise
from pipeline.cli import main as cli_main
from pipeline.warehouse import exchanges as X
from pipeline.warehouse import exchanges_online as XO
from pipeline.warehouse import exchanges_parts as XP
from pipeline.warehouse import load as WL
from pipeline.warehouse import writer
from pipeline.warehouse.exchanges_upkeep import reconcile_exact
from tests.test_reconcile import FLOORS
from tests.test_reconcile_incremental import TABLES, _batches, _items, _load_in_batches, _partition
from tests.test_reconcile_warehouse import SCENARIOS, _copy, batch_of, read, run_load

RESOLVED = ("SELECT list(m.event_id ORDER BY m.event_id), any_value(s.event_date), any_value(s.counts), "
            "any_value(s.returned_to::VARCHAR), any_value(s.n_sources), any_value(s.disputed), "
            "any_value(s.disputes::VARCHAR), any_value(s.best_event_id), any_value(s.state) "
            "FROM exchanges_state s JOIN exchange_members m USING (exchange_id) GROUP BY s.exchange_id ORDER BY 1")


def _labels() -> dict[str, str]:
    _articles, _rows, labels = batch_of(_items())
    return labels


def _scores(path) -> tuple[float, float]:
    by_x: dict[str, list] = {}
    for eid, xid in read(path, "SELECT event_id, exchange_id FROM exchange_members"):
        by_x.setdefault(xid, []).append(SimpleNamespace(event_id=eid))
    return pairwise(list(by_x.values()), _labels())


def _reference(tmp_path, monkeypatch, batches, revise_every: int = 0):
    ref = tmp_path / "ref.duckdb"
    with monkeypatch.context() as m:
        m.setattr(WL, "reconcile_pending", partial(X.reconcile_pending, scope=X.whole_kinds))
        _load_in_batches(ref, batches, revise_every)
    return ref


def _upkeep(path, run_id: str, full: bool, day: float = 30) -> dict:
    """The upkeep step at ``day`` days after the first load of ``run_load`` (2026-01-01)."""
    with writer(path) as con:
        con.execute("BEGIN TRANSACTION")
        out = reconcile_exact(con, run_id, datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day), full)
        con.execute("COMMIT")
    return out


@pytest.mark.parametrize(("seed", "n"), [(1, 3), (2, 5), (3, 8), (11, 12)])
def test_online_batches_keep_the_quality_floors(tmp_path, seed, n):
    path = tmp_path / "w.duckdb"
    _load_in_batches(path, _batches(seed, n))
    precision, recall = _scores(path)
    assert precision >= FLOORS["pairwise_precision"], precision
    assert recall >= FLOORS["pairwise_recall"], recall
    assert read(path, "SELECT count(*) FROM exchange_members")[0][0] == len(_items())


@pytest.mark.parametrize(("seed", "n", "revise_every"), [(2, 5, 4), (3, 8, 0), (4, 4, 3)])
def test_full_upkeep_gives_what_whole_kinds_gives(tmp_path, monkeypatch, seed, n, revise_every):
    batches = _batches(seed, n)
    path = tmp_path / "online.duckdb"
    _load_in_batches(path, batches, revise_every)
    ref = _reference(tmp_path, monkeypatch, batches, revise_every)
    before = _partition(path)
    _upkeep(path, "upkeep-1", full=True)
    assert _partition(path) == _partition(ref)
    assert read(path, RESOLVED) == read(ref, RESOLVED)  # every exchange's members and resolved fields
    moved = read(path, "SELECT count(*) FROM exchange_log WHERE run_id = 'upkeep-1' AND action IN ('move', 'split')")
    assert (moved[0][0] > 0) == (before != _partition(ref))  # what the upkeep repaired, it logged
    assert _upkeep(path, "upkeep-2", full=True, day=31)["exchanges_changed"] == 0  # exact twice: nothing more


def test_recent_upkeep_after_more_online_loads_gives_what_whole_kinds_gives(tmp_path, monkeypatch):
    batches = _batches(6, 6)
    path = tmp_path / "online.duckdb"
    _load_in_batches(path, batches[:3])
    assert _upkeep(path, "upkeep-1", full=False, day=2.5)["scope"] == "full"  # no earlier run: everything
    _load_in_batches(path, batches)  # the feeds repeat the first three batches (days 0-2), then three more
    out = _upkeep(path, "upkeep-2", full=False, day=9)
    assert out["scope"] == "recent" and 0 < out["seed_claims"] < len(_items())
    assert _partition(path) == _partition(_reference(tmp_path, monkeypatch, batches))


def test_a_load_reads_only_exchanges_the_rules_can_reach(tmp_path, monkeypatch):
    """One more report of the latest handover: the stored exchanges read are those within reach of its day."""
    path = tmp_path / "w.duckdb"
    articles, rows, _ = batch_of(_items())
    run_load(path, "r1", articles, rows)
    latest = max((it for it in _items() if it["event"]["date_precision"] == "day"
                  and it["event"]["status"] == "conducted"), key=lambda it: it["event"]["event_date"])
    extra = {**latest, "article": {**latest["article"], "id": "late-report", "url": "https://late.test/a"}}
    read_summaries, read_claims, clustered = [], [], []
    real_summaries = XO._summaries
    monkeypatch.setattr(XO, "_summaries", lambda *a: read_summaries.append(out := real_summaries(*a)) or out)
    for module in (XP,):  # claims read whole (the others only as aggregates: ``exchanges_resolve`` reads none)
        monkeypatch.setattr(module, "_light_claim", lambda row, real=module._light_claim: read_claims.append(
            out := real(row)) or out)
    real_clusters = XO.changed_clusters
    monkeypatch.setattr(XO, "changed_clusters", lambda *a: clustered.append(out := real_clusters(*a)) or out)
    a2, r2, _ = batch_of([extra])
    run_load(path, "r2", a2, r2, day=1)
    day = datetime.fromisoformat(latest["event"]["event_date"]).date()
    summaries = [s for by_kind in read_summaries for ss in by_kind.values() for s in ss]
    assert summaries and all(abs((d - day).days) <= 2 * X._P.far_days for s in summaries for d, _n in s.days)
    spans = read(path, "SELECT m.exchange_id, min(e.event_date), max(e.event_date) FROM exchange_members m "
                       "JOIN event_rows e USING (event_id) GROUP BY 1")
    read_ids = {s.exchange_id for s in summaries}
    far = {x for x, lo, hi in spans if lo and min(abs((lo - day).days), abs((hi - day).days)) > 2 * X._P.far_days}
    assert far and not far & read_ids
    joined = read(path, "SELECT exchange_id FROM exchange_members WHERE event_id = ?", [r2[0].event_id])[0][0]
    members = {r[0] for r in read(path, "SELECT event_id FROM exchange_members WHERE exchange_id = ?", [joined])}
    of_read = {r[0] for r in read(path, "SELECT event_id FROM exchange_members WHERE list_contains(?, exchange_id)",
                                  [sorted(read_ids)])}
    claims_read = {c.event_id for c in read_claims}
    target = next(cl for clusters in clustered for cl in clusters if r2[0].event_id in {c.event_id for c in cl.claims})
    assert members - {r2[0].event_id} and target.size == len(members)  # the changed exchange, whole (its parts)
    assert {p.exchange_id for p in target.pieces} == {joined}
    assert claims_read <= of_read  # whole claims: those of articles in several parts (the conflict rule)
    assert len(claims_read) < len(of_read)


def test_rerunning_an_online_load_writes_nothing(tmp_path):
    path = tmp_path / "w.duckdb"
    batches = _batches(9, 4)
    _load_in_batches(path, batches)
    tables = {name: read(path, sql) for name, sql in TABLES.items()}
    articles, rows, _ = batch_of([item for b in batches for item in b])
    run_load(path, "again", articles, rows, day=9)
    assert {name: read(path, sql) for name, sql in TABLES.items()} == tables


def test_reconcile_command_runs_the_upkeep(tmp_path, capsys):
    path = tmp_path / "w.duckdb"
    _load_in_batches(path, _batches(7, 5))
    assert cli_main(["reconcile", "--full", "--warehouse", str(path), "--run-id", "up-1"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["scope"] == "full" and first["exchanges_read"] >= len(SCENARIOS)
    assert cli_main(["reconcile", "--warehouse", str(path), "--run-id", "up-2"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["scope"] == "recent" and second["exchanges_changed"] == 0
    assert read(path, "SELECT run_id, scope FROM reconcile_upkeep ORDER BY ran_at") == [("up-1", "full"),
                                                                                         ("up-2", "recent")]


class _Counting:
    """The writer connection, counting the claims each reconcile looked at (``_touched_claims``)."""

    def __init__(self, con, seen: list[set[str]]) -> None:
        self._con, self._seen = con, seen

    def execute(self, sql: str, *args):
        out = self._con.execute(sql, *args)
        if "TEMP TABLE _touched_claims" in sql:
            self._seen.append({r[0] for r in self._con.execute("SELECT article_id FROM _touched_claims").fetchall()})
        return out

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def test_superseded_articles_are_not_read_again_by_later_loads(tmp_path, monkeypatch):
    """Old claims of a re-extracted article stay in no exchange; later loads look only at their own claims
    and those loaded after the mark (a load whose clock is behind the mark still finds its own)."""
    path = tmp_path / "w.duckdb"
    items = _items()
    old, late, early = items[:-2], items[-2], items[-1]
    articles, rows, _ = batch_of(old)
    run_load(path, "r1", articles, rows, version="v1")
    revised = [replace(r, event=replace(r.event, evidence=r.event.evidence[:-1], evidence_span=(
        r.event.evidence_span[0], r.event.evidence_span[1] - 1))) for r in rows]
    run_load(path, "r2", articles, [replace(r, event_id=r.event.event_id(r.article_id)) for r in revised],
             version="v2", day=1)
    seen: list[set[str]] = []
    real = X.reconcile_pending
    monkeypatch.setattr(WL, "reconcile_pending", lambda con, *a, **k: real(_Counting(con, seen), *a, **k))
    for run_id, item, day in (("r3", late, 2), ("r4", early, -3)):  # r4: loaded_at before the mark
        a, r, _ = batch_of([_copy(item, f"new-{run_id}")])
        run_load(path, run_id, a, r, version="v2", day=day)
        assert seen[-1] == {f"new-{run_id}"}
        assert read(path, "SELECT count(*) FROM exchange_members WHERE event_id = ?", [r[0].event_id])[0][0] == 1
    old_ids = {a.article_id for a in articles}
    left = {r[0] for r in read(path, "SELECT DISTINCT article_id FROM event_rows ANTI JOIN exchange_members "
                                     "USING (event_id)")}
    assert left == old_ids  # the old versions' claims: what a search over every claim in no exchange re-reads
    assert read(path, "SELECT count(*) FROM exchange_members")[0][0] == len(rows) + 2
