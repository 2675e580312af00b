"""Runs the extraction quality gate (tests/eval_gate.py) as part of the normal test suite."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location("eval_gate", Path(__file__).resolve().parent / "eval_gate.py")
assert _SPEC and _SPEC.loader
_GATE = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_GATE)


def test_extraction_quality_gate() -> None:
    _GATE.test_extraction_quality_gate()
