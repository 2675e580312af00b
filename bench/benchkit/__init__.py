"""Shared helpers of the benchmarks: JSON output, the machine, timers, peak memory, the real pages.

Every figure is one JSON line ``{"bench", "metric", "value", "unit", ...}`` on stdout. Times are
reported both as wall time and as CPU time of the process: the machine is shared, so per-core
throughput and ratios are computed from CPU time unless a figure says otherwise (``"clock"``).
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")
PAGES = Path(os.environ.get("BENCH_PAGES", ROOT.parent / "shared" / "corpora" / "pages"))


def scale() -> float:
    """``BENCH_SCALE`` (default 1): multiplies every batch and warehouse size."""
    return float(os.environ.get("BENCH_SCALE", "1") or 1)


def scaled(n: int, minimum: int = 1) -> int:
    return max(minimum, int(n * scale()))


@lru_cache(maxsize=1)
def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": ram_gb, "python": platform.python_version()}


def emit(bench: str, metric: str, value: float, unit: str, **extra: object) -> None:
    line = {"bench": bench, "metric": metric, "value": round(float(value), 4), "unit": unit, **extra}
    line.setdefault("scale", scale())
    line["load_avg_1m"] = round(os.getloadavg()[0], 2)
    line["machine"] = "{nproc}x {cpu}, {ram_gb} GB".format(**machine())
    print(json.dumps(line), flush=True)


@dataclass
class Timing:
    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def timed() -> Iterator[Timing]:
    """Wall and CPU time (this process and its finished children) of the block."""
    t = Timing()
    w0, c0 = time.perf_counter(), _cpu()
    yield t
    t.wall, t.cpu = time.perf_counter() - w0, _cpu() - c0


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def best_of(fn: Callable[[], object], rounds: int = 3) -> Timing:
    """The fastest of ``rounds`` runs (by CPU time): the least disturbed by other work."""
    best: Timing | None = None
    for _ in range(rounds):
        with timed() as t:
            fn()
        if best is None or t.cpu < best.cpu:
            best = t
    assert best is not None
    return best


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far: VmHWM, which (unlike ru_maxrss) restarts at exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(c) for t in tasks for c in (t / "children").read_text().split()]
    except OSError:
        return []


def tree_pss_mb(pid: int | None = None) -> float:
    """Proportional set size of a process and all its descendants, in MB: forked workers share pages
    copy-on-write, so PSS counts each shared page once over the tree (an RSS sum would count it again
    for every worker)."""
    todo, total = [pid or os.getpid()], 0
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
        todo += _children(p)
    return total / 1024


class TreePeak:
    """Samples ``tree_pss_mb`` every ``every`` seconds in a thread; ``peak`` is the largest sample."""

    def __init__(self, every: float = 0.1) -> None:
        import threading

        self.peak, self._every, self._stop = 0.0, every, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_pss_mb())
            self._stop.wait(self._every)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_pss_mb())


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("duckdb", "trafilatura", "great-expectations", "apache-airflow", "pyarrow", "pandas",
                 "feedparser"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "?"
    return out


@dataclass(frozen=True)
class Page:
    page_id: str
    url: str
    html: bytes
    truth: str


def real_pages(limit: int | None = None) -> list[Page]:
    """The 181 real pages of ``/work/shared/corpora/pages`` with their true article text
    (the first ``BENCH_REAL_PAGES`` of them when that is set: quick runs only)."""
    truth = json.loads((PAGES / "ground-truth.json").read_text(encoding="utf-8"))
    out = []
    limit = limit or int(os.environ.get("BENCH_REAL_PAGES", "0")) or None
    for path in sorted((PAGES / "html").glob("*.html.gz"))[:limit]:
        pid = path.name[: -len(".html.gz")]
        meta = truth.get(pid, {})
        out.append(Page(pid, meta.get("url") or f"https://bench.invalid/{pid}",
                        gzip.decompress(path.read_bytes()), meta.get("articleBody") or ""))
    return out


def run_child(script: Path, args: list[str], timeout: float = 1800) -> dict:
    """Run ``script args`` in a fresh interpreter; its last stdout line is a JSON result."""
    proc = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{script.name} {args} failed: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
