"""The configuration memo (``pipeline.gx_speed``) changes how long a suite takes, never what it finds."""

from __future__ import annotations

import threading

import pytest

from pipeline.gx_speed import configuration_memo
from pipeline.validate import load_suite_json, run_suite
from tests.test_expectations import SUITES, _violate, good_frame


def _broken_everywhere(name: str):
    """The good frame with every expectation of the suite broken at once (each on a copy, then stacked)."""
    import pandas as pd

    frame = good_frame(name)
    parts = [frame]
    for exp in load_suite_json(name)["expectations"]:
        part = _violate(frame, exp)
        if name == "event_rows":
            suffix = f"-{len(parts)}"  # ids stay unique across parts; a non-text id (a type check) stays as it is
            part["event_id"] = part["event_id"].map(lambda v, s=suffix: v + s if isinstance(v, str) else v)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("name", SUITES)
def test_same_failures_with_and_without_the_memo(name):
    suite, index = load_suite_json(name), "event_id" if name == "event_rows" else None
    frame = _broken_everywhere(name)
    plain = run_suite(suite, frame, index, memo=False)
    fast = run_suite(suite, frame, index, memo=True)
    assert plain, "the broken frame must fail something, or this compares nothing"
    assert fast == plain


def test_memo_holds_only_inside_the_block_and_on_its_thread():
    import great_expectations as gx

    suite = gx.ExpectationSuite(name="t", expectations=load_suite_json("event_rows")["expectations"][:1])
    exp = suite.expectations[0]
    assert exp.configuration is not exp.configuration  # GX builds a new one on every read
    seen_elsewhere = []
    with configuration_memo():
        assert exp.configuration is exp.configuration
        other = threading.Thread(target=lambda: seen_elsewhere.append(exp.configuration is exp.configuration))
        other.start()
        other.join()
    assert seen_elsewhere == [False]
    assert exp.configuration is not exp.configuration
    assert exp.configuration.to_json_dict() == suite.expectations[0].configuration.to_json_dict()


def test_metric_ids_inside_the_memo_are_gx_own_and_tell_apart_look_alike_kwargs():
    import numpy as np
    from great_expectations.core.id_dict import IDDict

    kwargs = [{"column": "status", "batch_id": "b"}, {"column": "status", "batch_id": "b", "row_condition": None},
              {"value_set": ["agreed", "conducted"], "mostly": 1.0}, {"value_set": ("agreed", "conducted")},
              {"min_value": 0.0}, {"min_value": -0.0}, {"min_value": 1}, {"min_value": True}, {"min_value": 1.0},
              {"n": float("nan")}, {"nested": {"a": [1, 2], "b": {"c": None}}}, {"arr": np.array([1, 2])},
              {"np": np.int64(1)}, {"only": "one"}, {}]
    plain = [IDDict(k).to_id() for k in kwargs]
    with configuration_memo():
        memo = [IDDict(k).to_id() for k in kwargs] + [IDDict(k).to_id() for k in kwargs]  # the second from the memo
        ignoring = IDDict(kwargs[1]).to_id(id_ignore_keys={"row_condition"})
    assert memo == plain + plain
    assert ignoring == IDDict(kwargs[1]).to_id(id_ignore_keys={"row_condition"})
    assert len({plain[4], plain[5]}) == 2  # 0.0 and -0.0: GX tells them apart, so must the memo
