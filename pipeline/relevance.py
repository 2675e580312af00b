"""A cheap relevance filter on a feed entry's title and summary.

It only decides which article pages are worth downloading; what it drops is counted in the run's
summary (``entries_dropped_irrelevant``), never silently lost.
"""

from __future__ import annotations

import re

# Stems, lower-case, matched anywhere in a word. Recall matters more than precision here:
# the extractor decides what is an event; this filter only spares downloads.
_STEMS = (
    # English
    "prisoner", "pow", "p.o.w", "swap", "captiv", "repatriat", "bodies", "remains of", "hostage",
    "exchange of", "exchanged", "detainee", "war dead", "fallen soldier",
    # Russian / Ukrainian
    "обмен", "обмін", "пленн", "полонен", "военнопл", "військовополон", "репатри", "тела погиб",
    "тіла загибл", "тел погиб", "тіл загибл", "заложник",
    # German, French, Spanish, Portuguese, Italian, Turkish
    "gefangen", "austausch", "prisonnier", "échange", "otage", "prisionero", "canje", "intercambio",
    "prisioneiro", "troca", "rehén", "refém", "prigionier", "scambio", "esir", "takas",
)
_PATTERN = re.compile("|".join(re.escape(s) for s in _STEMS), re.IGNORECASE)


def is_relevant(title: str, summary: str) -> bool:
    return bool(_PATTERN.search(f"{title}\n{summary}"))
