"""Bounded cleaning (``pipeline.cleanbound``) on the 181 real pages, against in-process ``clean``.

Wall clock throughout (the worker's CPU is not this process's). Figures: cleaning every page
in-process (warm); the same pages through one warm worker, every HTML page in it (``all_pages``, the
default: the bound holds for every page) or only pages over 256 kB; the pipe's cost per page (worker
minus in-process, over the page count); starting a worker (interpreter, imports, warm-up clean); and
cleaning plus extraction through one and through two warm workers (``pipeline.cleanpool``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import Timing, emit, real_pages, scaled, timed  # noqa: E402

BENCH = "cleanbound"


def main() -> int:
    from pipeline.clean import clean
    from pipeline.cleanbound import INLINE_MAX_BYTES, Cleaner
    from pipeline.records import RawArticle

    raws = [RawArticle(url=p.url, body=p.html, content_type="text/html", source="feed") for p in real_pages()]
    n, large = len(raws), sum(len(r.body) > INLINE_MAX_BYTES for r in raws)
    for raw in raws[:3]:
        clean(raw)  # this process's first-use setup, as the worker's warm-up does for it
    rounds = scaled(3, 1)

    def inline() -> Timing:
        with timed() as t:
            for raw in raws:
                clean(raw)
        return t

    def through(cleaner: Cleaner) -> Timing:
        with timed() as t:
            for raw in raws:
                cleaner.clean(raw, 60)
        return t

    start = time.monotonic()
    with Cleaner(all_pages=True) as every, Cleaner(all_pages=False) as only_large:
        every.clean(raws[0], 60, inline_max=0)  # started and warm
        started = time.monotonic() - start
        only_large.clean(raws[0], 60, inline_max=0)
        best: dict[str, float] = {"inline": 1e9, "all": 1e9, "large": 1e9}
        for _ in range(rounds):  # interleaved: the shared machine's load falls on all three alike
            best["inline"] = min(best["inline"], inline().wall)
            best["all"] = min(best["all"], through(every).wall)
            best["large"] = min(best["large"], through(only_large).wall)
    emit(BENCH, "worker_start_s", started, "s", note="fresh interpreter, imports, one warm-up clean")
    emit(BENCH, "inline_wall_s", best["inline"], "s", pages=n, corpus="real pages")
    for key, what in (("all", "every HTML page in the worker"), ("large", f"only the {large} pages over 256 kB")):
        emit(BENCH, f"worker_{key}_pages_wall_s", best[key], "s", pages=n, what=what,
             vs_inline=round(best["inline"] / best[key], 3))
    emit(BENCH, "worker_ipc_ms_per_page", 1000 * (best["all"] - best["inline"]) / n, "ms",
         note="every page through the worker minus in-process, over the pages")
    emit_workers(raws, rounds)
    return 0


def emit_workers(raws: list, rounds: int) -> None:
    """Cleaning and extracting through ``clean_in_order`` with one warm worker and with two (as the
    transform stage runs them), each run starting its workers: best wall of interleaved rounds, and
    the CPU of the run with its workers (reaped when the run ends)."""
    from pipeline.cleanpool import clean_in_order

    best: dict[int, Timing] = {}
    for _ in range(rounds):
        for workers in (1, 2):
            with timed() as t:
                for _item in clean_in_order(iter(raws), workers, 60):
                    pass
            if workers not in best or t.wall < best[workers].wall:
                best[workers] = t
    one, two = best[1], best[2]
    emit(BENCH, "clean_extract_two_workers_speedup", one.wall / two.wall, "ratio", pages=len(raws), clock="wall",
         one_wall_s=round(one.wall, 2), two_wall_s=round(two.wall, 2), one_cpu_s=round(one.cpu, 2),
         two_cpu_s=round(two.cpu, 2), one_cores=round(one.cpu / one.wall, 2), two_cores=round(two.cpu / two.wall, 2),
         note="workers started in each run (clean_in_order), cleaning and extraction in them")


if __name__ == "__main__":
    sys.exit(main())
