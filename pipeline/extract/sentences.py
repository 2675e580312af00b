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
# _BOUNDARY for a whole text at once: its "\s+" never crosses a line end, and the punctuation it looks
# behind for is read as its first character (a literal start lets ``re`` skip ahead; group 1 and the
# match's end are unchanged, and no match can hold the punctuation the next one starts with)
_LINE_BOUNDARY = re.compile(_BOUNDARY.pattern.replace(r")\s+(?=", r")[^\S\n]+(?=").replace("(?<=[.!?…])", "[.!?…]"))
_ABBREV = re.compile(
    r"(?:\b(?:mr|mrs|ms|dr|st|gen|lt|col|maj|sgt|capt|gov|sen|rep|no|vs|jan|feb|mar|apr|jun|jul|aug|sep|sept"
    r"|oct|nov|dec|inc|corp|co|jr|sr|u\.s|u\.n|u\.k|e\.g|i\.e|approx|ca|ст|г|им|т\.е|т\.д)|\b[A-ZА-Я])\.$",
    re.IGNORECASE,
)
# _ABBREV read as data: the words it names and the single letters of its [A-ZА-Я] (case-insensitive)
_ABBREVS = frozenset(w.replace("\\.", ".") for w in
                     _ABBREV.pattern[len(r"(?:\b(?:"):_ABBREV.pattern.index(r")|\b[A-Z")].split("|"))
_TAILS = frozenset(w[-2:] for w in _ABBREVS if len(w) >= 2)
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzабвгдежзийклмнопрстуфхцчшщъыьэюя")
_ODD = re.compile("[\u0130\u0131\u017f\u1c80-\u1c88\u212a\u212b\u1e9e]")  # as guard._ODD
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
    stop = end if stop < 0 else stop
    out: list[Sentence] = []
    _split_line(text, start, stop, 0, out, list(_LINE_BOUNDARY.finditer(text, start, stop)), 0)
    return out


def split(text: str, end: int | None = None) -> list[Sentence]:
    """Sentences of ``text[:end]``: lines first, then sentence punctuation inside a line."""
    limit = len(text) if end is None else end
    out: list[Sentence] = []
    pos = 0
    line_no = 0
    # One scan for the whole text: _LINE_BOUNDARY never crosses a line end, so its matches are those of
    # _BOUNDARY line by line (its lookbehind sees the "\n" before a line where the line alone has nothing).
    bounds = list(_LINE_BOUNDARY.finditer(text, 0, limit))
    i = 0
    while pos < limit:
        nl = text.find("\n", pos, limit)
        stop = limit if nl < 0 else nl
        i = _split_line(text, pos, stop, line_no, out, bounds, i)
        line_no += 1
        pos = stop + 1
    return out


def _split_line(text: str, start: int, stop: int, line_no: int, out: list[Sentence],
                bounds: list[re.Match[str]], i: int) -> int:
    """Cut the line ``text[start:stop]`` at ``bounds[i:]`` (the ones inside it); the index of the next line's."""
    seg_start = start
    while i < len(bounds) and bounds[i].start() < stop:
        m = bounds[i]
        i += 1
        cut = m.end(1)
        if text[cut - 1] == "." and _ends_in_abbrev(text[max(seg_start, cut - 8):cut]):
            continue
        if cut - start <= _HEAD and _HEAD_DIGIT.search(text, start, cut):
            continue  # "21 сентября 2022 года. Украина вернула ...", "СТАМБУЛ, 23 июля. /ТАСС/. ...": one sentence
        _add(text, seg_start, cut, line_no, out)
        seg_start = m.end()
    _add(text, seg_start, stop, line_no, out)
    return i


_new = object.__new__


def _add(text: str, start: int, stop: int, line_no: int, out: list[Sentence]) -> None:
    seg = text[start:stop]
    body = seg.strip()  # str.strip drops exactly the characters str.isspace() is true for
    if len(body) >= 3:
        start += len(seg) - len(seg.lstrip())
        sent = _new(Sentence)  # the frozen dataclass's __init__ sets five fields one by one: 3x slower
        sent.__dict__.update(index=len(out), start=start, end=start + len(body), text=body, line=line_no)
        out.append(sent)


def _ends_in_abbrev(w: str) -> bool:
    """``_ABBREV.search(w)`` for a piece ``w`` ending in ".", without trying its 40 words at every offset."""
    if not w.isascii() and _ODD.search(w) is not None:  # case-insensitive letters lower() does not map
        return _ABBREV.search(w) is not None
    n = len(w) - 1
    if n < 1 or w[n] != ".":
        return _ABBREV.search(w) is not None
    low = w.lower()
    if n >= 2 and low[n - 2:n] not in _TAILS and (w[n - 2].isalnum() or w[n - 2] == "_"):
        return False  # "said.": ends in no abbreviation's last two letters, and is no lone letter
    for p in range(n - 1, max(n - 7, -1), -1):  # the word before "." is low[p:n], "\b" before it
        if p > 0 and (w[p - 1].isalnum() or w[p - 1] == "_"):
            continue
        tok = low[p:n]
        if tok in _ABBREVS or (n - p == 1 and tok in _LETTERS):
            return True
    return False
