"""Cut page chrome and split the text into sentences with character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A line that starts the page's tail: everything after it is navigation, related stories, comments.
_CHROME = re.compile(
    r"^[ \t#*•\-–]*(?:related articles|related stories|related news|related|hashtags|tags|read more|read also"
    r"|also read|more from|more on this|most viewed.*|most read|comments?|\d+ comments|no comments yet.*"
    r"|share this(?: article)?|recommended|trending|see also|you may also like|top stories|back to the top"
    r"|читайте также|смотрите также|похожие новости|новости по теме|по теме|читайте також|дивіться також"
    r"|новини за темою|mehr zum thema|lesen sie auch|das könnte sie auch interessieren|à lire aussi|lire aussi"
    r"|sur le même sujet|leer más|lea también|noticias relacionadas|leia também|veja também|saiba mais)"
    r"\s*:?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_BOUNDARY = re.compile(r"(?<=[.!?…])([\"'»”’)\]]*)\s+(?=[\"'«“(\[]?[A-ZА-ЯЁІЇЄҐÀ-ÖØ-Þ0-9])")
_ABBREV = re.compile(
    r"(?:\b(?:mr|mrs|ms|dr|st|gen|lt|col|maj|sgt|capt|gov|sen|rep|no|vs|jan|feb|mar|apr|jun|jul|aug|sep|sept"
    r"|oct|nov|dec|inc|corp|co|jr|sr|u\.s|u\.n|u\.k|e\.g|i\.e|approx|ca|ст|г|им|т\.е|т\.д)|\b[A-ZА-Я])\.$",
    re.IGNORECASE,
)
_MIN_BODY = 200
_HEAD = 40  # a line's short dated head ("3 January 2024.", "MOSCOW, Oct 23.") stays with the sentence it heads
_HEAD_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    line: int


def body_end(text: str) -> int:
    """Offset where the article body ends: the first chrome line after the opening, else len(text)."""
    floor = min(_MIN_BODY, len(text) // 3)
    pos = 0  # as _CHROME.finditer would go, but only tried at line starts (where its "^" can match)
    while pos <= len(text):
        m = _CHROME.match(text, pos)
        if m is not None and m.start() >= floor:
            return m.start()
        nl = text.find("\n", m.end() if m is not None else pos)
        if nl < 0:
            break
        pos = nl + 1
    return len(text)


def line_sentences(text: str, at: int, end: int) -> list[Sentence]:
    """The sentences of the line holding offset ``at`` (as :func:`split` cuts them; indices from 0)."""
    start = text.rfind("\n", 0, at) + 1
    stop = text.find("\n", at, end)
    out: list[Sentence] = []
    _split_line(text, start, end if stop < 0 else stop, 0, out)
    return out


def split(text: str, end: int | None = None) -> list[Sentence]:
    """Sentences of ``text[:end]``: lines first, then sentence punctuation inside a line."""
    limit = len(text) if end is None else end
    out: list[Sentence] = []
    pos = 0
    line_no = 0
    while pos < limit:
        nl = text.find("\n", pos, limit)
        stop = limit if nl < 0 else nl
        _split_line(text, pos, stop, line_no, out)
        line_no += 1
        pos = stop + 1
    return out


def _split_line(text: str, start: int, stop: int, line_no: int, out: list[Sentence]) -> None:
    seg_start = start
    line = text[start:stop]
    for m in _BOUNDARY.finditer(line):
        cut = start + m.end(1)
        if text[cut - 1] == "." and _ABBREV.search(text[max(seg_start, cut - 8):cut]):  # it ends in "\.$"
            continue
        if cut - start <= _HEAD and _HEAD_DIGIT.search(text, start, cut):
            continue  # "21 сентября 2022 года. Украина вернула ...", "СТАМБУЛ, 23 июля. /ТАСС/. ...": one sentence
        _add(text, seg_start, cut, line_no, out)
        seg_start = start + m.end()
    _add(text, seg_start, stop, line_no, out)


_new = object.__new__


def _add(text: str, start: int, stop: int, line_no: int, out: list[Sentence]) -> None:
    seg = text[start:stop]
    body = seg.strip()  # str.strip drops exactly the characters str.isspace() is true for
    if len(body) >= 3:
        start += len(seg) - len(seg.lstrip())
        sent = _new(Sentence)  # the frozen dataclass's __init__ sets five fields one by one: 3x slower
        sent.__dict__.update(index=len(out), start=start, end=start + len(body), text=body, line=line_no)
        out.append(sent)
