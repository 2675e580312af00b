"""Quality gate of the extractor (trafilatura style).

Floors live in tests/eval_baseline.json: {"min_documents": N, "floors": {metric: floor}, "max": {metric: cap}}.
The gate fails when a measured metric falls below its floor (or above its cap). Floors are lowered only
on purpose, by editing the JSON. Run: python -m pytest tests/eval_gate.py -q   (or python tests/eval_gate.py)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.extract.scoring import evaluate, load_corpus, metrics, predict  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "extraction"

BASELINE = Path(__file__).resolve().parent / "eval_baseline.json"


def measure() -> dict[str, float]:
    return metrics(evaluate(load_corpus(CORPUS), predict))


def failures(measured: dict[str, float], baseline: dict) -> list[str]:
    out = []
    for name, floor in baseline.get("floors", {}).items():
        value = measured.get(name)
        if value is not None and value + 1e-9 < floor:
            out.append(f"{name} = {value:.4f} < floor {floor}")
    for name, cap in baseline.get("max", {}).items():
        value = measured.get(name)
        if value is not None and value > cap + 1e-9:
            out.append(f"{name} = {value:.4f} > cap {cap}")
    return out


def test_extraction_quality_gate() -> None:
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    docs = load_corpus(CORPUS)
    if len(docs) < baseline.get("min_documents", 1):
        pytest.skip(f"corpus has {len(docs)} documents, gate needs {baseline.get('min_documents')}")
    problems = failures(measure(), baseline)
    assert not problems, "extraction quality below the baseline:\n" + "\n".join(problems)


if __name__ == "__main__":
    result = measure()
    print(json.dumps({k: round(v, 4) for k, v in result.items()}, indent=1))
    bad = failures(result, json.loads(BASELINE.read_text(encoding="utf-8")))
    print("\n".join(bad) or "gate passes")
    sys.exit(1 if bad else 0)
