"""Small text helpers shared by the stages."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_WS = re.compile(r"[ \t\u00a0]+")
_WORD = re.compile(r"\w+", re.UNICODE)


def strip_markup(text: str) -> str:
    """Plain text from a fragment that may hold markup: no script, no tags, entities decoded."""
    text = _SCRIPT.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _TAG.sub(" ", text)  # markup that was entity-escaped once
    return _WS.sub(" ", text).strip()


def normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_WS.sub(" ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def fingerprint(text: str) -> str:
    """Content fingerprint that survives whitespace, case and punctuation differences."""
    words = _WORD.findall(text.lower())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:24]
