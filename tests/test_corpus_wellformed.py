"""Every labelled corpus file (all languages) is well-formed; see tests/corpus/check_corpus.py."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_CHECKER = Path(__file__).resolve().parent / "corpus" / "check_corpus.py"
_spec = importlib.util.spec_from_file_location("check_corpus", _CHECKER)
assert _spec and _spec.loader
check_corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_corpus)

FILES = sorted(check_corpus.CORPUS_DIR.glob("*.json"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_corpus_file_wellformed(path: Path) -> None:
    assert check_corpus.check_doc(path) == []


def test_corpus_ids_unique() -> None:
    stems = [p.stem for p in FILES]
    assert len(stems) == len(set(stems))


def test_seed_gold_copy_matches_the_shared_original() -> None:
    from tests.conftest import SHARED
    from tests.golden import SEED_EVENTS

    original = SHARED / "seed_events.jsonl"
    if not original.exists():
        pytest.skip("../shared is not beside the project")
    assert SEED_EVENTS.read_bytes() == original.read_bytes()
