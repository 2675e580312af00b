"""Every event of every document, as JSON lines: the check that a speed change keeps the output identical.

Sets: the gold corpus (tests/corpus/extraction), the seeds, the real pages' true texts and the first
``--generated N`` documents of ``bench/corpus_gen.py``. One line per document, ``{"set", "id", "events"}``
with every field of every event (confidence as its ``repr``). Run it on the old code, keep the file outside
the repository, run it again after a change and compare (``--compare OLD``: exit 1 and the first
differing documents when they differ).

Usage: python bench/extract_dump.py OUT.jsonl [--generated N] [--compare OLD.jsonl]
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pipeline.extract import extract_events  # noqa: E402
from pipeline.extract.scoring import load_corpus, to_document  # noqa: E402

GOLD = ROOT / "tests" / "corpus" / "extraction"
SEEDS = [ROOT / "seeds", ROOT.parent / "shared" / "seeds"]
PAGES = ROOT.parent / "shared" / "corpora" / "pages" / "ground-truth.json"


def documents(generated: int) -> Iterator[tuple[str, dict]]:
    for d in load_corpus(GOLD):
        yield "gold", d
    seen: set[str] = set()
    for folder in SEEDS:
        for f in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
            text = f.read_text(encoding="utf-8")
            if text not in seen:
                seen.add(text)
                yield "seeds", {"id": f.name, "text": text, "published": None}
    if PAGES.exists():
        for k, v in json.loads(PAGES.read_text(encoding="utf-8")).items():
            yield "pages", {"id": k, "text": v.get("articleBody") or "", "published": None}
    if generated:
        from corpus_gen import iter_corpus

        yield from (("generated", d) for d in iter_corpus("docs", generated))


def _event(e) -> dict:
    out = e.to_json()
    out["confidence"] = repr(e.confidence)
    out["returned_to"] = [list(x) for x in e.returned_to]  # order kept
    return out


def dump(path: Path, generated: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for name, d in documents(generated):
            events = [_event(e) for e in extract_events(to_document(d))]
            fh.write(json.dumps({"set": name, "id": d.get("id"), "events": events}, ensure_ascii=False) + "\n")


def compare(new: Path, old: Path) -> int:
    a = new.read_text(encoding="utf-8").splitlines()
    b = old.read_text(encoding="utf-8").splitlines()
    bad = [(x, y) for x, y in zip(a, b, strict=False) if x != y]
    with_events = sum(1 for x in a if '"events": []' not in x)
    print(json.dumps({"docs": len(a), "docs_with_events": with_events, "old_docs": len(b),
                      "differing": len(bad) + abs(len(a) - len(b))}))
    for x, y in bad[:5]:
        print("NEW", x[:600], "\nOLD", y[:600], file=sys.stderr)
    return 0 if not bad and len(a) == len(b) else 1


def main(argv: list[str]) -> int:
    out = Path(argv[1])
    gen = int(argv[argv.index("--generated") + 1]) if "--generated" in argv else 0
    dump(out, gen)
    if "--compare" in argv:
        return compare(out, Path(argv[argv.index("--compare") + 1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
