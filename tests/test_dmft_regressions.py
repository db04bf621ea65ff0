"""Regression tests of the DMFT bugs of issue 7, each named after the bug it pins."""

from __future__ import annotations

import pytest

import meanfield as mf
from meanfield.dmft import _potential, _static
from meanfield.errors import ParameterError

# --- OverflowError was the private signal for "no bounded state" --------------------

def test_genuine_overflow_is_not_reported_as_no_bounded_state(monkeypatch):
    # OverflowError was caught as "no bounded stationary state": a real overflow inside
    # the static solve became a ParameterError about the parameters
    def overflow(*args, **kwargs):
        raise OverflowError("math range error")

    monkeypatch.setattr(_static, "static_delta0", overflow)
    with pytest.raises(OverflowError, match="math range error"):
        mf.dmft.fixed_point(0.5, "tanh")
    monkeypatch.setattr(_potential, "solve_delta0", overflow)
    with pytest.raises(OverflowError, match="math range error"):
        mf.dmft.solve(2.0, "tanh")


def test_no_bounded_state_is_still_a_parameter_error():
    with pytest.raises(ParameterError, match="no bounded stationary state"):
        mf.dmft.solve(1.5, "linear")
