"""One exception root, with transient and permanent kinds.

Only the DAG maps ``PermanentError`` to ``AirflowFailException``; transient errors are retried.
Per-item failures inside a pass (one bad feed, one bad page) are not raised at all: they become
``Rejection`` records or feed-health rows.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Root of every error the library raises on purpose."""

    transient = False


class TransientError(PipelineError):
    """May succeed if tried again later (timeouts, connection errors, 5xx, a locked warehouse)."""

    transient = True


class PermanentError(PipelineError):
    """Will fail the same way again until someone changes the input or the configuration."""


class ConfigError(PermanentError):
    """A setting or an input file is wrong."""


class FetchError(PipelineError):
    """A fetch failed. ``reason`` is short and stable (it lands in feed_health.last_error)."""

    def __init__(self, reason: str, detail: str = "", *, transient: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.transient = transient
        self.retry_after = retry_after
