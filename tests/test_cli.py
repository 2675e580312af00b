"""The command line as a user runs it: `python -m pipeline ...` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=300)


def _env(tmp_path) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.update({"PIPELINE_WAREHOUSE": str(tmp_path / "w.duckdb"), "PIPELINE_SEEDS": str(REPO / "seeds"),
                "PIPELINE_REPORTS_DIR": str(tmp_path / "reports")})
    return env


def test_extract_writes_one_line_per_document(tmp_path):
    docs = tmp_path / "docs.jsonl"
    seed = (REPO / "seeds" / "004_397cd1eb95de2d14.txt").read_text()
    docs.write_text(json.dumps({"id": "d1", "text": seed, "published": "2025-05-22", "url": None}) + "\n"
                    + json.dumps({"id": "d2", "text": "The weather was fine.", "published": None, "url": None}) + "\n")
    out = tmp_path / "events.jsonl"
    result = _run(["extract", "--input", str(docs), "--output", str(out)], _env(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["d1", "d2"]
    assert lines[1]["events"] == []
    ev = lines[0]["events"][0]
    assert set(ev) == {"event_type", "status", "event_date", "date_precision", "parties", "returned_to",
                       "count_qualifier", "categories", "mediators", "location", "evidence", "evidence_span",
                       "confidence"}
    assert seed[ev["evidence_span"][0]:ev["evidence_span"][1]] == ev["evidence"]


def test_extract_reports_a_bad_line_clearly(tmp_path):
    docs = tmp_path / "docs.jsonl"
    docs.write_text("not json\n")
    result = _run(["extract", "--input", str(docs), "--output", str(tmp_path / "o.jsonl")], _env(tmp_path))
    assert result.returncode == 2 and "docs.jsonl:1" in result.stderr


def test_run_with_unreachable_feed_completes_and_query_formats(tmp_path):
    env = _env(tmp_path)
    result = _run(["run", "--feed", "http://10.255.255.1/feed.xml"], env)
    assert result.returncode == 0, result.stderr
    assert "seed run" in result.stdout and "failed 1" in result.stdout
    health = _run(["query", "select feed_url, consecutive_failures, last_error from feed_health",
                   "--format", "json"], env)
    row = json.loads(health.stdout.splitlines()[0])
    assert row["consecutive_failures"] == 1 and row["last_error"].startswith("refused address")
    csv_out = _run(["query", "select count(*) as n from events", "--format", "csv"], env)
    assert csv_out.stdout.splitlines()[0] == "n" and int(csv_out.stdout.splitlines()[1]) >= 10
    table = _run(["query", "select event_type from events limit 2"], env)
    assert "event_type" in table.stdout and "(2 rows)" in table.stdout
    bad = _run(["query", "select * from no_such_table"], env)
    assert bad.returncode == 2 and "no_such_table" in bad.stderr


def test_query_without_warehouse_says_so(tmp_path):
    result = _run(["query", "select 1"], _env(tmp_path))
    assert result.returncode == 2 and "no warehouse" in result.stderr
