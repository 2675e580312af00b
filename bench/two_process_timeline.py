"""Where the time of a two-process pass goes: per-phase wall and CPU of the parent and of each worker.

Runs the whole pass (``bench/end_to_end.one_pass``: staging file, transform, validate, load) with one
cleaner worker and with two (``PIPELINE_TRANSFORM_WORKERS=2``), while a sampler thread reads the CPU
time of every process under this one from ``/proc`` every 50 ms (the zygote and its workers are
grandchildren: their CPU reaches ``getrusage`` only once reaped). The parent's phases are timed here,
and inside transform the first and the last cleaned page (``pipeline.stages._cleaned`` wrapped).

Printed (JSON lines): one ``timeline`` line a pass and process with its CPU-seconds and the times (from
the start of the pass) it started, first and last used the CPU; then, from CPU times (which the
machine's other load changes less than wall clock), what an idle 2-core machine would take:

- one worker: the parent's CPU plus the worker's, less the part of the worker's warm-up that ran
  beside the parent's in-process cleaning (a page over ``INLINE_MAX_BYTES`` waits for the worker);
- two workers: the parent's CPU before transform's pages and after the last one (serial), plus the
  page phase (every process's CPU in it: the zygote's warm-up, the parent's in-process cleaning
  meanwhile, the workers, the parent's own) shared by 2 cores, or the warm-up plus the busier
  worker's pages, whichever is longer.

``predicted_speedup`` is their ratio and ``serial_share`` the serial part of the two-worker prediction.
CPU time per unit of work itself moves by up to 40 % between passes here (the neighbours' load), so
``predicted_speedup_same_pass`` compares the two-worker pass with its own CPU done one process at a time
(the parent's, the workers', one warm-up);
the measured wall speed-up is printed beside it with the load average and ``cores_available`` (what
two busy loops of this session got over one right after). ``--pages generated`` uses 1,000 generated
pages (``BENCH_TWO_WORKER_PAGES``) instead of the 181 real ones; ``--rounds N`` repeats (best wall);
``--cold-parent`` lets go of this process's language model before each pass (the bench has cleaned
pages before, a fresh transform process has not: its warm-up cleaning then loads the model first).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import emit, scaled  # noqa: E402
from end_to_end import _generated_raws, _raws, clean_only, cores_obtained, one_pass  # noqa: E402

BENCH = "two_process_timeline"
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Proc:
    pid: int
    ppid: int
    cpu: float = 0.0
    seen: float = 0.0  # first sampled
    first_busy: float | None = None
    last_busy: float | None = None
    cpu_at: list[tuple[float, float]] = field(default_factory=list)  # (t, cpu) samples


def _stat(pid: int) -> tuple[int, float] | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK  # ppid, utime + stime


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            out += [int(c) for c in Path(f"/proc/{pid}/task/{tid}/children").read_text().split()]
    except OSError:
        pass
    return out


class Sampler:
    """CPU time of every descendant of this process, every ``interval`` seconds, in a thread."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.procs: dict[int, Proc] = {}
        self.t0 = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)
        self.own_cpu = 0.0

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()
        self.own_cpu = time.thread_time()

    def sample(self) -> None:
        now = time.perf_counter() - self.t0
        todo, seen = _children(os.getpid()), set()
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            todo += _children(pid)
            st = _stat(pid)
            if st is None:
                continue
            p = self.procs.setdefault(pid, Proc(pid, st[0], seen=now))
            if st[1] > p.cpu:
                p.first_busy = now if p.first_busy is None else p.first_busy
                p.last_busy = now
            p.cpu = max(p.cpu, st[1])
            p.cpu_at.append((now, p.cpu))


def _parent_cpu() -> float:
    return time.process_time()


def timed_pass(raws: list, name: str, workers: int, cold: bool = False) -> dict:
    """One pass under the sampler, with the parent's marks (wall from the pass's start, own CPU):
    transform's setup done, its worker(s) started (warm), the last page cleaned, the end."""
    from pipeline import cleanbound, cleanpool, stages

    marks: dict[str, tuple[float, float]] = {}
    inline = [0]
    t0 = time.perf_counter()

    def mark(label: str, once: bool = False) -> None:
        if not (once and label in marks):
            marks[label] = (time.perf_counter() - t0, _parent_cpu())

    originals = (stages._cleaned, cleanbound._Worker.wait_ready, getattr(cleanpool._Feeder, "worker_started", None),
                 getattr(cleanpool, "clean", None))  # the last two: not in main's code before this branch

    def cleaned(*args, **kwargs):  # type: ignore[no-untyped-def]
        mark("setup_done")
        yield from originals[0](*args, **kwargs)
        mark("last_page")

    def wait_ready(self, timeout_s):  # type: ignore[no-untyped-def]
        ready = originals[1](self, timeout_s)
        if ready:
            mark("started", once=True)
        return ready

    def worker_started(self):  # type: ignore[no-untyped-def]
        originals[2](self)
        if self.started >= self.workers:
            mark("started", once=True)

    def inline_clean(raw):  # type: ignore[no-untyped-def]
        inline[0] += 1
        return originals[3](raw)

    stages._cleaned, cleanbound._Worker.wait_ready = cleaned, wait_ready  # type: ignore[method-assign]
    if originals[2] is not None:
        cleanpool._Feeder.worker_started, cleanpool.clean = worker_started, inline_clean  # type: ignore[method-assign]
    try:
        if cold:  # as in a fresh transform process: no language model loaded here yet
            cleanbound.release_language_model()
        with Sampler() as sampler:
            mark("start")
            timings = one_pass(raws, name, workers=workers)
            mark("end")
    finally:
        stages._cleaned, cleanbound._Worker.wait_ready = originals[:2]  # type: ignore[method-assign]
        if originals[2] is not None:
            cleanpool._Feeder.worker_started, cleanpool.clean = originals[2:]  # type: ignore[method-assign, assignment]
    return {"marks": marks, "procs": sampler.procs, "sampler_cpu": sampler.own_cpu, "timings": timings,
            "t0": t0 - sampler.t0, "inline_pages": inline[0]}


def _role(p: Proc, procs: dict[int, Proc]) -> str:
    if p.ppid == os.getpid():
        return "zygote" if any(q.ppid == p.pid for q in procs.values()) else "cleaner"
    return "worker"


def cleaner_warmup_cpu() -> float:
    """CPU-seconds a one-worker pass's cleaner (``Cleaner()``, no extractor) takes to be ready."""
    import resource

    from pipeline.cleanbound import START_TIMEOUT_S, Cleaner

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with Cleaner() as cleaner:
        cleaner.start()
        assert cleaner._worker is not None and cleaner._worker.wait_ready(START_TIMEOUT_S)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def analyse(run: dict, workers: int, label: str, cleaner_warmup: float = 0.0) -> dict:
    m, procs, off = run["marks"], run["procs"], run["t0"]

    def cpu(a: str, b: str) -> float:
        """The parent's CPU between two marks, less the sampler thread's share (spread over the pass)."""
        return m[b][1] - m[a][1] - run["sampler_cpu"] * (m[b][0] - m[a][0]) / m["end"][0]

    wall = m["end"][0]
    started = m.get("started", m["setup_done"])
    kids = []
    for p in procs.values():
        kids.append({"pid": p.pid, "role": _role(p, procs), "cpu_s": round(p.cpu, 3),
                     "started_s": round(p.seen - off, 3),
                     "first_busy_s": None if p.first_busy is None else round(p.first_busy - off, 3),
                     "last_busy_s": None if p.last_busy is None else round(p.last_busy - off, 3)})
        emit(BENCH, "timeline_process", p.cpu, "cpu_s", pass_=label, workers=workers, **kids[-1])
    emit(BENCH, "timeline_parent", cpu("start", "end"), "cpu_s", pass_=label, workers=workers,
         wall_s=round(wall, 3), marks_wall_s={k: round(v[0], 3) for k, v in m.items()},
         marks_cpu_s={k: round(v[1] - m["start"][1], 3) for k, v in m.items()}, inline_pages=run["inline_pages"],
         sampler_cpu_s=round(run["sampler_cpu"], 3),
         stages_wall_s={k: round(t.wall, 3) for k, t in run["timings"].items() if k != "summary"})
    busy = [k["cpu_s"] for k in kids if k["role"] in ("worker", "cleaner")]
    pre, post = cpu("start", "setup_done"), cpu("last_page", "end")
    if workers <= 1:  # the worker's warm-up overlaps only the parent's in-process cleaning meanwhile
        overlap = min(cleaner_warmup, started[1] - m["setup_done"][1])
        predicted = cpu("start", "end") + sum(busy) - overlap
        emit(BENCH, "timeline_one_worker", predicted, "s", pass_=label, parent_cpu_s=round(cpu("start", "end"), 3),
             worker_cpu_s=busy, worker_warmup_cpu_s=round(cleaner_warmup, 3), warmup_overlap_cpu_s=round(overlap, 3),
             note="predicted idle-machine wall: parent and worker take turns, but for the warm-up's overlap")
        return {"wall": wall, "predicted": predicted}
    warmup = sum(k["cpu_s"] for k in kids if k["role"] == "zygote")
    page_work = cpu("setup_done", "last_page") + warmup + sum(busy)
    predicted = pre + max(page_work / 2, warmup + max(busy, default=0.0)) + post
    serial_equivalent = cpu("start", "end") + sum(busy) + warmup  # the same work one process at a time
    ends = sorted(k["last_busy_s"] for k in kids if k["role"] == "worker" and k["last_busy_s"] is not None)
    emit(BENCH, "timeline_two_workers", predicted, "s", pass_=label, serial_s=round(pre + post, 3),
         serial_share=round((pre + post) / predicted, 4), parent_pre_cpu_s=round(pre, 3),
         parent_inline_cpu_s=round(cpu("setup_done", "started"), 3) if "started" in m else None,
         parent_pages_cpu_s=round(cpu("started", "last_page"), 3) if "started" in m else None,
         parent_post_cpu_s=round(post, 3), same_pass_speedup=round(serial_equivalent / predicted, 3),
         zygote_warmup_cpu_s=round(warmup, 3), workers_cpu_s=busy, workers_started_wall_s=round(started[0], 3),
         page_phase_wall_s=round(m["last_page"][0] - m["setup_done"][0], 3),
         worker_tail_idle_s=round(ends[-1] - ends[0], 3) if len(ends) > 1 else None,
         note="predicted idle-machine wall: the parent's serial CPU + the page phase's CPU (warm-up included) "
              "over 2 cores; same_pass_speedup: this pass's CPU, all on one core (one warm-up), over that")
    return {"wall": wall, "predicted": predicted, "same_pass": serial_equivalent / predicted}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", choices=("real", "generated"), default="real")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--cold-parent", action="store_true",
                    help="let go of this process's language model before each pass, as a fresh transform process")
    args = ap.parse_args(argv[1:])
    from pipeline.validate import _gx

    _gx()  # the one-off GX import: once per process, not part of a batch
    raws = _raws() if args.pages == "real" else _generated_raws(
        int(os.environ.get("BENCH_TWO_WORKER_PAGES") or scaled(1000, 4)))
    clean_only(raws[:3])  # as end_to_end.py does: this process has cleaned a page before the passes
    warm = min(cleaner_warmup_cpu() for _ in range(2))
    emit(BENCH, "cleaner_warmup_cpu", warm, "cpu_s", note="a fresh cleaner worker: interpreter, imports, warm-up clean")
    one, two = [], []
    for r in range(args.rounds):
        one.append(analyse(timed_pass(raws, f"tl-one-{r}", 1, args.cold_parent), 1, f"one-{r}", warm))
        two.append(analyse(timed_pass(raws, f"tl-two-{r}", 2, args.cold_parent), 2, f"two-{r}"))
    o, t = min(one, key=lambda x: x["wall"]), min(two, key=lambda x: x["wall"])
    cores = cores_obtained(2) / cores_obtained(1)
    emit(BENCH, "predicted_speedup", min(x["predicted"] for x in one) / min(x["predicted"] for x in two),
         "ratio", pages=len(raws), corpus=args.pages, one_pred_s=round(min(x["predicted"] for x in one), 3),
         two_pred_s=round(min(x["predicted"] for x in two), 3), clock="CPU times, idle 2-core machine")
    emit(BENCH, "predicted_speedup_same_pass", statistics.median(x["same_pass"] for x in two), "ratio",
         rounds=[round(x["same_pass"], 3) for x in two], pages=len(raws),
         corpus=args.pages, note="the two-worker pass's own CPU done one process at a time, over its predicted "
         "wall: immune to the CPU speed changing between passes (the neighbours' load changes it by up to 40 %)")
    emit(BENCH, "measured_speedup", o["wall"] / t["wall"], "ratio", pages=len(raws), corpus=args.pages,
         one_wall_s=round(o["wall"], 3), two_wall_s=round(t["wall"], 3), clock="wall",
         two_process_cores_available=round(cores, 3), uptime=os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
