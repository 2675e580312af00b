"""One full pass, as the command line runs it: seeds first on a new warehouse, then the feeds.

The DAG runs the same stages as separate tasks; this module only strings them together.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline import stages
from pipeline.records import stable_id
from pipeline.settings import Settings
from pipeline.stages import Progress
from pipeline.warehouse import has_seed_run


def seed_run_id(settings: Settings) -> str:
    """Deterministic: the same seed files give the same run id, so re-seeding adds nothing."""
    files = sorted(p.name + ":" + str(p.stat().st_size) for p in settings.seeds.glob("*.txt"))
    return "seed-" + stable_id(*files, length=12)


def run_stages(settings: Settings, run_id: str, kind: str, run_after: datetime,
               feed_urls: list[str] | None = None, progress: Progress = stages._quiet) -> dict:
    started = datetime.now(UTC)
    progress(f"[{run_id}] collecting ({kind})")
    stages.collect_stage(settings, run_id, kind, feed_urls, progress)
    progress(f"[{run_id}] cleaning and extracting")
    stages.transform_stage(settings, run_id, progress, workers=settings.transform_workers)
    progress(f"[{run_id}] validating")
    stages.validate_stage(settings, run_id, now=started)
    progress(f"[{run_id}] loading")
    summary = stages.load_stage(settings, run_id, run_after, started)
    stages.alert_stage(settings, run_id, summary)
    stages.cleanup_stage(settings, run_id)
    return summary


def seed_if_new(settings: Settings, progress: Progress = stages._quiet) -> dict | None:
    if has_seed_run(settings):
        return None
    return run_stages(settings, seed_run_id(settings), "seed", datetime(2000, 1, 1, tzinfo=UTC),
                      progress=progress)


def run_pass(settings: Settings, run_id: str | None = None, run_after: datetime | None = None,
             feed_urls: list[str] | None = None, progress: Progress = stages._quiet) -> list[dict]:
    run_after = run_after or datetime.now(UTC)
    run_id = run_id or "manual-" + run_after.strftime("%Y%m%dT%H%M%S%fZ")
    out = []
    seeded = seed_if_new(settings, progress)
    if seeded:
        out.append(seeded)
    out.append(run_stages(settings, run_id, "feeds", run_after, feed_urls, progress))
    return out
