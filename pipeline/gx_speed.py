"""One fix for Great Expectations' fixed cost per expectation, applied only while a suite runs.

GX 1.x rebuilds an expectation's ``configuration`` (a pydantic ``.dict()`` plus a new
``ExpectationConfiguration``) on every read of the property, and reads it once per kwarg it looks
up: about 5,000 rebuilds for our 46-expectation row suite, whatever the number of rows. That was
half of a validation (0.50 s of a 10-row batch; 0.24 s with this).

``configuration_memo()`` makes the property return the same object for one expectation while the
``with`` block runs, on this thread only; outside it, and on other threads, the property is GX's own.
An expectation's fields do not change while it is validated, so the value is the same one GX would
build (``tests/test_gx_speed.py`` checks every suite gives identical results either way). When the
installed GX has no such property, nothing is patched and suites run as they always did.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_state = threading.local()
_installed = False


def _install() -> bool:
    """Wrap GX's ``Expectation.configuration`` once per process. False when GX has no such property."""
    global _installed
    if _installed:
        return True
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
    _installed = True
    return True


@contextmanager
def configuration_memo(enabled: bool = True) -> Iterator[None]:
    """While the block runs, each expectation's configuration is built once (this thread only)."""
    if not enabled or not _install():
        yield
        return
    previous = getattr(_state, "memo", None)
    _state.memo = {}
    try:
        yield
    finally:
        _state.memo = previous
