"""Each benchmark script of bench/ runs on a tiny scale and prints valid figure lines.

Not a timed test: it checks the scripts work and speak the contract's JSON (CONTRACT.md,
"Benchmarks"), never how fast anything is.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = REPO.parent / "shared" / "corpora" / "pages"
SCRIPTS = {
    "corpus_gen.py": {"docs_generated", "pages_generated", "docs_per_s"},
    "stages.py": {"feed_items_per_s", "clean_pages_per_s", "clean_mb_per_s", "clean_token_f1_mean",
                  "extract_docs_per_s", "validate_rows_per_s", "load_rows_per_s", "peak_rss_mb_transform"},
    "end_to_end.py": {"end_to_end_articles_per_s", "end_to_end_vs_clean_only", "two_process_speedup"},
    "load_scale.py": {"load_1m_vs_empty", "replica_copy_1m_s", "known_state_1m_s"},
    "two_process_timeline.py": {"timeline_one_worker", "timeline_two_workers", "predicted_speedup",
                                "predicted_speedup_same_pass", "measured_speedup"},
}


def run_bench(name: str, out: Path, extra: dict[str, str] | None = None) -> list[dict]:
    env = {**os.environ, "BENCH_SCALE": "0.001", "BENCH_OUT": str(out), "BENCH_REAL_PAGES": "4",
           "BENCH_MEMORY_PAGES": "3", **(extra or {})}
    proc = subprocess.run([sys.executable, str(REPO / "bench" / name)], env=env, capture_output=True, text=True,
                          timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


@pytest.mark.skipif(not PAGES.is_dir(), reason="the shared page corpus is not on this machine")
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_bench_prints_figures(name: str, tmp_path: Path):
    lines = run_bench(name, tmp_path)
    for line in lines:
        assert {"bench", "metric", "value", "unit"} <= set(line), line
        assert isinstance(line["value"], (int, float)) and math.isfinite(line["value"]), line
        assert isinstance(line["unit"], str) and line["unit"], line
    missing = SCRIPTS[name] - {line["metric"] for line in lines}
    assert not missing, f"{name} did not print {missing}"


def test_airflow_bench_can_be_switched_off(tmp_path: Path):
    assert run_bench("airflow_overhead.py", tmp_path, {"BENCH_AIRFLOW": "0"}) == []


def test_generated_corpus_is_deterministic_and_varied():
    sys.path.insert(0, str(REPO / "bench"))
    from corpus_gen import make_doc, make_page

    docs = [make_doc(i) for i in range(300)]
    assert docs[7] == make_doc(7) and make_page(docs[7]) == make_page(make_doc(7))
    assert len({d["text"] for d in docs}) == 300
    assert {"exchange", "markets", "weather", "sport", "courts", "science"} <= {d["topic"] for d in docs}
    lengths = sorted(len(d["text"]) for d in docs)
    assert lengths[0] < 1500 < lengths[len(lengths) // 2] < 6000 < lengths[-1]
    assert b"<script" in make_page(docs[0]) and docs[0]["title"].encode() in make_page(docs[0])
