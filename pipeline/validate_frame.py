"""The frames the expectation suites run on: one row per event, and one row of batch metrics.

Derived columns (``evidence_in_article``, ``days_after_published``...) are computed here, in plain
Python, so that every suite stays a plain, reviewable GX JSON file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from pipeline.records import EventRow


@dataclass(frozen=True)
class ArticleRef:
    """What validation needs to know of an event's article."""

    text: str
    published: date | None


ROW_COLUMNS = (
    "event_id", "article_id", "article_exists", "event_type", "status", "date_precision",
    "count_qualifier", "n_parties", "party_a", "party_b", "parties_distinct", "returned_to_keys_are_parties",
    "counts_are_integers", "qualifier_has_count", "count_min", "count_max", "event_year", "days_after_published",
    "evidence", "evidence_in_article", "confidence",
)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _row(r: EventRow, articles: dict[str, ArticleRef]) -> dict:
    e = r.event
    art = articles.get(r.article_id)
    values = [v for _k, v in e.returned_to if v is not None]
    counts = [v for v in values if _is_count(v)]  # anything else fails counts_are_integers
    start, end = e.evidence_span
    after = None
    if art and art.published and e.event_date and e.status != "planned":
        after = (e.event_date - art.published).days
    parties = list(e.parties)
    return {
        "event_id": r.event_id,
        "article_id": r.article_id,
        "article_exists": art is not None,
        "event_type": e.event_type,
        "status": e.status,
        "date_precision": e.date_precision,
        "count_qualifier": e.count_qualifier,
        "n_parties": len(parties),
        "party_a": parties[0] if parties else None,
        "party_b": parties[1] if len(parties) > 1 else None,
        "parties_distinct": len(set(parties)) == len(parties),
        "returned_to_keys_are_parties": all(k in parties for k, _v in e.returned_to),
        "counts_are_integers": len(counts) == len(values),
        "qualifier_has_count": e.count_qualifier is None or bool(counts),
        "count_min": min(counts) if counts else None,
        "count_max": max(counts) if counts else None,
        "event_year": e.event_date.year if e.event_date else None,
        "days_after_published": after,
        "evidence": e.evidence,
        "evidence_in_article": bool(art and e.evidence and art.text[start:end] == e.evidence),
        "confidence": e.confidence,
    }


def rows_frame(rows: list[EventRow], articles: dict[str, ArticleRef]) -> pd.DataFrame:
    frame = pd.DataFrame([_row(r, articles) for r in rows], columns=list(ROW_COLUMNS))
    for col in ("count_min", "count_max", "event_year", "days_after_published"):
        frame[col] = frame[col].astype("Float64")
    frame["confidence"] = frame["confidence"].astype("float64")
    frame["n_parties"] = frame["n_parties"].astype("int64")
    for col in ("article_exists", "parties_distinct", "returned_to_keys_are_parties", "counts_are_integers",
                "qualifier_has_count", "evidence_in_article"):
        frame[col] = frame[col].astype("bool")
    return frame


MIN_EVENTS_FOR_SHARE = 10
MIN_DAYS_FOR_VOLUME = 3  # days of feed history before a drop in volume can be judged
MIN_DAILY_MEDIAN = 5  # below this many feed articles a day, a quiet day is not a drop


@dataclass(frozen=True)
class BatchMetrics:
    n_events: int
    n_without_count: int
    articles_last_day: int  # feed articles loaded in the 24 hours up to this run, this run's included
    previous_days: tuple[int, ...]  # feed articles a day on the days before (up to a week)
    hours_since_new_article: float | None  # None when the warehouse has never had a feed article

    def volume_ratio(self) -> float:
        """Today's feed articles against the median day of the week before; 1.0 when that says nothing."""
        history = sorted(self.previous_days)
        median = history[len(history) // 2] if history else 0
        if len(history) < MIN_DAYS_FOR_VOLUME or median < MIN_DAILY_MEDIAN:
            return 1.0
        return self.articles_last_day / median

    def frame(self) -> pd.DataFrame:
        share = self.n_without_count / self.n_events if self.n_events >= MIN_EVENTS_FOR_SHARE else 0.0
        return pd.DataFrame([{
            "share_without_count": share,
            "volume_ratio": self.volume_ratio(),
            "hours_since_new_article": self.hours_since_new_article,
        }]).astype({"hours_since_new_article": "Float64"})
