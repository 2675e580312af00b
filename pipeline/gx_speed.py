"""Two fixes for Great Expectations' fixed cost per expectation, applied only while a suite runs.

- GX 1.x rebuilds an expectation's ``configuration`` (a pydantic ``.dict()`` plus a new
  ``ExpectationConfiguration``) on every read of the property, and reads it once per kwarg it looks
  up: about 5,000 rebuilds for our 46-expectation row suite, whatever the number of rows. That was
  half of a validation (0.50 s of a 10-row batch; 0.24 s with this).
- Every metric GX plans (about 2,000 for that suite) gets an id from its domain and value kwargs
  (``IDDict.to_id``: the kwargs made JSON-serializable with numpy type checks on every value, dumped,
  hashed), and most of them repeat the same few kwargs. While the block runs, an id is computed once
  per distinct kwargs: kwargs of plain values only (str, int, float, bool, None, and lists, tuples and
  str-keyed dicts of them) are keyed by their exact values and types; any other kwargs go to GX as always.

``configuration_memo()`` does both while the ``with`` block runs, on this thread only; outside it, and
on other threads, GX's own code runs. An expectation's fields do not change while it is validated and
an id is a function of the kwargs' values, so the values are the ones GX would compute
(``tests/test_gx_speed.py`` checks every suite gives identical results either way). When the installed
GX has no such property or method, that one is not patched and suites run as they always did.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_state = threading.local()
_installed = False


def _install() -> bool:
    """Wrap GX's ``Expectation.configuration`` and ``IDDict.to_id`` once per process. False when GX has
    no such property (then neither is wrapped)."""
    global _installed
    if _installed:
        return True
    from great_expectations.core.id_dict import IDDict
    from great_expectations.expectations.expectation import Expectation

    original = Expectation.__dict__.get("configuration")
    if not isinstance(original, property) or original.fget is None:
        return False
    build = original.fget

    def configuration(self: Any) -> Any:
        memo = getattr(_state, "memo", None)
        if memo is None:
            return build(self)
        hit = memo.get(id(self))
        if hit is None or hit[0] is not self:  # the id of a collected object may come back
            hit = memo[id(self)] = (self, build(self))
        return hit[1]

    Expectation.configuration = property(configuration, doc=original.__doc__)  # type: ignore[method-assign,assignment]
    to_id = IDDict.__dict__.get("to_id")
    if callable(to_id):
        IDDict.to_id = _memo_to_id(to_id)  # type: ignore[method-assign]
    _installed = True
    return True


class _NotPlain(Exception):
    pass


_PLAIN = (str, int, float, bool, type(None))


def _key(value: Any) -> Any:
    """``value`` as a hashable key that tells apart every value and type (plain values only)."""
    kind = type(value)
    if kind is float:
        return kind, repr(value)  # -0.0 and 0.0 are equal, their JSON (and GX's id) is not
    if kind in _PLAIN:
        return kind, value
    if kind is list or kind is tuple:
        return kind, tuple(_key(v) for v in value)
    if isinstance(value, dict) and all(type(k) is str for k in value):
        return dict, tuple(sorted((k, _key(v)) for k, v in value.items()))
    raise _NotPlain


def _memo_to_id(to_id: Any) -> Any:
    def memo_to_id(self: Any, id_keys: Any = None, id_ignore_keys: Any = None) -> Any:
        ids = getattr(_state, "ids", None)
        if ids is None:
            return to_id(self, id_keys, id_ignore_keys)
        try:
            key = (type(self), _key(dict(self)), None if id_keys is None else tuple(sorted(id_keys)),
                   None if id_ignore_keys is None else tuple(sorted(id_ignore_keys)))
        except (_NotPlain, TypeError):
            return to_id(self, id_keys, id_ignore_keys)
        hit = ids.get(key)
        if hit is None:
            hit = ids[key] = to_id(self, id_keys, id_ignore_keys)
        return hit

    return memo_to_id


@contextmanager
def configuration_memo(enabled: bool = True) -> Iterator[None]:
    """While the block runs, each expectation's configuration is built once, and each metric id once per
    distinct kwargs (this thread only)."""
    if not enabled or not _install():
        yield
        return
    previous = getattr(_state, "memo", None), getattr(_state, "ids", None)
    _state.memo, _state.ids = {}, {}
    try:
        yield
    finally:
        _state.memo, _state.ids = previous
