"""Canonical URLs: the same story reached through tracking links is one article."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pipeline.records import stable_id

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "hsa_")
_TRACKING_KEYS = {"fbclid", "gclid", "dclid", "yclid", "msclkid", "igshid", "ref", "ref_src",
                  "cmpid", "ito", "at_medium", "at_campaign", "spm", "_ga", "ocid", "smid", "rss"}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no default port, tracking parameters removed."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port and parts.port not in (80, 443) else None
    netloc = f"[{host}]" if ":" in host else host
    if port:
        netloc = f"{netloc}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING_KEYS]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def article_id_for(url: str) -> str:
    """An article's id: the hash of its canonical URL (``seed://FILE`` as it is)."""
    return stable_id(canonical_url(url) if not url.startswith("seed://") else url)
