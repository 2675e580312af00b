"""The words of an alert: what failed, how many rows, the run, the SQL that shows them, the report.

A payload is ``{"subject", "text", "blocks"}``: mail uses subject and text, the webhook posts
``{"text", "blocks"}`` (Slack's Block Kit; ``text`` is the fallback other receivers show).
"""

from __future__ import annotations

MAX_LINES = 15


def _sql(query: str) -> str:
    return f'python -m pipeline query "{query}"'


def _payload(subject: str, lines: list[str], query: str, link: str | None, footer: str) -> dict:
    text = "\n".join([subject, "", *lines, "", "See them with:", "  " + _sql(query)]
                     + ([f"Report: {link}"] if link else []) + ["", footer])
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": subject[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(f"• {line}" for line in lines)[:2900]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"```{query}```"}},
    ]
    if link:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"<{link}|Validation report>"}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    return {"subject": subject, "text": text, "blocks": blocks}


def validation_message(run_id: str, summary: dict, incident_key: str, report: str | None,
                       new: tuple[str, ...]) -> dict:
    """``new``: the checks this incident is about; other failures of the run belong to open incidents."""
    failures = summary.get("validation_failures") or []
    n_rows = int(summary.get("events_quarantined") or 0)
    kind = summary.get("kind", "")
    subject = (f"[prisoner-exchange] validation failed in run {run_id}: "
               f"{n_rows} row{'s' if n_rows != 1 else ''} quarantined, {len(new)} check(s) newly failing")
    lines = []
    for f in failures[:MAX_LINES]:
        known = "" if f"{f['suite']}:{f['expectation']}" in new else " (still failing; alerted before)"
        lines.append(f"{f['suite']}: {f['expectation']} failed for "
                     f"{str(f['event_ids']) + ' rows' if f['event_ids'] else 'the batch'}; "
                     f"observed {f['observed']}{known}")
    if len(failures) > MAX_LINES:
        lines.append(f"... and {len(failures) - MAX_LINES} more (see the report)")
    query = (f"select * from quarantine where run_id = '{run_id}'" if n_rows
             else f"select summary from runs where run_id = '{run_id}'")
    from pipeline.alerts import CLEAR_AFTER_PASSING_RUNS

    loaded = "Nothing was loaded (validate command)." if kind == "validate" else "The good rows were loaded."
    footer = (f"Run {run_id} ({kind}); incident {incident_key}. {loaded} These checks will not alert again "
              f"until they have passed on {CLEAR_AFTER_PASSING_RUNS} runs in a row.")
    return _payload(subject, lines, query, report, footer)


def feeds_message(run_id: str, feeds: list[tuple], threshold: int, incident_key: str) -> dict:
    subject = f"[prisoner-exchange] {len(feeds)} feed(s) failing {threshold}+ times in a row"
    lines = [f"{url}: {n} consecutive failures; last error: {error or 'unknown'}" for url, n, error in feeds]
    query = f"select * from feed_health where consecutive_failures >= {int(threshold)}"
    footer = (f"Run {run_id}; incident {incident_key}. These feeds are polled less often now and will not "
              "alert again until they have succeeded once.")
    return _payload(subject, lines[:MAX_LINES], query, None, footer)


def task_message(run_id: str, task_id: str, error: str, incident_key: str) -> dict:
    subject = f"[prisoner-exchange] task {task_id} failed in run {run_id}"
    lines = [f"{task_id} failed after its retries: {error[:500]}",
             "the run stopped there: nothing after this task ran (no load, or no alert step)"]
    query = "select run_id, kind, status, started_at, finished_at from runs order by started_at desc limit 5"
    footer = (f"Run {run_id}; incident {incident_key}. Further failures of {task_id} will not alert again "
              "until a run completes.")
    return _payload(subject, lines, query, None, footer)
