"""Alerts when validation fails. (Placeholder channel wiring; see issue 5 for email and webhook.)"""

from __future__ import annotations

import logging

from pipeline.settings import Settings

log = logging.getLogger(__name__)


def alert_for_run(settings: Settings, run_id: str, summary: dict) -> dict:
    failures = summary.get("validation_failures") or []
    if failures:
        log.warning("run %s: %d validation failures", run_id, len(failures))
    return {"failures": len(failures), "sent": []}
