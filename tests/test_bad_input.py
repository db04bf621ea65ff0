"""Bad input that used to overflow, allocate terabytes, hang or fail deep inside numpy.

Issue 7, section 5: each class of bad input is refused up front with a ParameterError
naming the parameter (sizes and step counts against the stated limits
``meanfield._checks.MAX_BYTES`` and ``MAX_STEPS``; odd numeric types in the shared
validators), and each test is named after the reproducer it pins.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import meanfield as mf
from meanfield import _checks
from meanfield.errors import ParameterError


def _refused(call, *names):
    with pytest.raises(ParameterError) as info:
        call()
    msg = str(info.value)
    assert any(f"`{n}`" in msg for n in names), msg
    return msg


# --- sizes and steps --------------------------------------------------------------------

def test_regression_simulate_tiny_dt_hangs():
    t0 = time.perf_counter()
    msg = _refused(lambda: mf.simulate(np.zeros((3, 3)), "tanh", 1.0, 1e-100, seed=0),
                   "t_max", "dt")
    assert "max_steps" in msg and time.perf_counter() - t0 < 1.0


def test_regression_simulate_huge_t_max_ufunc_type_error():
    msg = _refused(lambda: mf.simulate(np.zeros((3, 3)), "tanh", 1e50, 0.1, seed=0),
                   "t_max", "dt")
    assert "1e+51 steps" in msg


def test_step_limit_is_stated_and_can_be_raised():
    J = np.zeros((2, 2))
    n = _checks.MAX_STEPS
    _refused(lambda: mf.simulate(J, "tanh", 0.1 * (n + 10), 0.1, seed=0), "t_max")
    _refused(lambda: mf.simulate(J, "tanh", 2.0, 0.1, seed=0, max_steps=10), "t_max")
    run = mf.simulate(J, "tanh", 2.0, 0.1, seed=0, max_steps=20, max_lag=0.0)
    assert run.n_steps == 20
    _refused(lambda: mf.simulate.lyapunov(J, "tanh", 1e40, 0.1, seed=0), "t_max")
    for bad in (0, -1, 1.5, "10", True):
        _refused(lambda b=bad: mf.simulate(J, "tanh", 2.0, 0.1, max_steps=b), "max_steps")


def test_regression_gaussian_sample_memory_error():
    msg = _refused(lambda: mf.ensembles.Gaussian(1.0).sample(100000), "n")
    assert "74.5 GiB" in msg and "4 GiB" in msg and "MAX_BYTES" in msg


@pytest.mark.parametrize("name", ["Gaussian", "Elliptic"])
def test_every_sampler_checks_memory(name, monkeypatch):
    ens = {"Gaussian": lambda: mf.ensembles.Gaussian(1.0),
           "Elliptic": lambda: mf.ensembles.Elliptic(1.0, 0.5)}[name]()
    monkeypatch.setattr(_checks, "MAX_BYTES", 8 * 10 * 10)      # the limit is read at call time
    _refused(lambda: ens.sample(50, seed=0), "n")
    assert ens.sample(5, seed=0).shape == (5, 5)


@pytest.mark.parametrize("kwargs, name", [
    (dict(batch=10 ** 9), "batch"),
    (dict(batch=10 ** 30), "batch"),
    (dict(record_every=1, batch=2000, t_max=5e4), "record_every"),
    (dict(max_lag=5e3, stat_every=1, batch=2000, t_max=9e4), "max_lag"),
])
def test_simulate_memory_is_checked(kwargs, name):
    kw = dict(t_max=10.0, dt=0.1, seed=0)
    kw.update(kwargs)
    t0 = time.perf_counter()
    msg = _refused(lambda: mf.simulate(np.zeros((3, 3)), "tanh", **kw), name)
    assert "MAX_BYTES" in msg and time.perf_counter() - t0 < 2.0


def test_simulate_default_stat_every_is_found_in_constant_time():
    # was a loop incrementing stat_every one by one (1e9 iterations here)
    t0 = time.perf_counter()
    _refused(lambda: mf.simulate(np.zeros((2, 2)), "tanh", 1e5, 0.1, max_lag=1e9, seed=0),
             "max_lag")
    assert time.perf_counter() - t0 < 1.0


def test_stat_every_helper_matches_the_linear_search():
    from meanfield.simulate._rate import _stat_every

    def linear(max_lag, dt, per):
        s = 1
        while True:
            L = int(round(max_lag / (s * dt)))
            if L <= 512 and L * per <= 2 ** 27:
                return s
            s += 1

    rng = np.random.default_rng(0)
    for _ in range(300):
        max_lag = float(rng.choice([0.0, 1.0, 20.0, 51.25, 100.0, 1e3]) * rng.uniform(0.5, 2))
        dt = float(rng.choice([1e-3, 0.01, 0.05, 0.1, 0.5]))
        per = int(rng.choice([24, 24000, 2_400_000, 24_000_000]))
        assert _stat_every(max_lag, dt, per) == linear(max_lag, dt, per), (max_lag, dt, per)
    for max_lag in (51.2, 51.25, 51.3, 25.6):       # exact ties of round() (to even)
        assert _stat_every(max_lag, 0.1, 24) == linear(max_lag, 0.1, 24)


# --- odd numbers in the shared validators ----------------------------------------------

ODD_SCALARS = [np.timedelta64(1, "s"), np.datetime64("2020-01-01"), 1 + 0j, np.complex128(1),
               True, np.bool_(True), "1.0", b"1", None, [1.0], 10 ** 400, -(10 ** 400),
               np.array([1.0]), np.array(True), object()]


@pytest.mark.parametrize("value", ODD_SCALARS, ids=repr)
def test_real_refuses_odd_scalars(value):
    _refused(lambda: _checks.real("x", value), "x")
    _refused(lambda: _checks.positive("x", value), "x")


@pytest.mark.parametrize("value", [np.timedelta64(3), np.datetime64("2020"), True, np.bool_(1),
                                   3.0, np.float16(3), "3", 1 + 0j, None],
                         ids=repr)
def test_integer_refuses_odd_scalars(value):
    _refused(lambda: _checks.integer("n", value), "n")


def test_integer_huge_value_message_is_short():
    msg = _refused(lambda: _checks.integer("n", 10 ** 400, high=10), "n")
    assert len(msg) < 200


def test_float16_and_float32_are_widened():
    assert _checks.real("x", np.float16(1.5)) == 1.5
    assert type(_checks.real("x", np.float32(0.1))) is float
    assert _checks.real("x", np.array(2, dtype=np.int8)) == 2.0
    arr = _checks.real_array("a", np.ones(3, dtype=np.float16))
    assert arr.dtype == np.float64


@pytest.mark.parametrize("value", [
    [[1.0, 2.0], [3.0]],                         # ragged
    [1.0, [2.0]],
    ["a", "b"],
    [10 ** 400],                                 # object dtype
    np.array([True, False]),
    np.array([1 + 1j]),
    np.array([1, 2], dtype="timedelta64[s]"),
    np.array(["2020-01-01"], dtype="datetime64[D]"),
    None,
], ids=repr)
def test_real_array_refuses_odd_arrays(value):
    _refused(lambda: _checks.real_array("a", value), "a")


@pytest.mark.parametrize("call, name", [
    (lambda v: mf.simulate(np.zeros((2, 2)), "tanh", v, 0.1), "t_max"),
    (lambda v: mf.simulate(np.zeros((2, 2)), "tanh", 2.0, v), "dt"),
    (lambda v: mf.simulate(np.zeros((2, 2)), "tanh", 2.0, 0.1, noise=v), "noise"),
    (lambda v: mf.simulate(np.zeros((2, 2)), "tanh", 2.0, 0.1, batch=v), "batch"),
    (lambda v: mf.simulate(np.zeros((2, 2)), "tanh", 2.0, 0.1, max_state=v), "max_state"),
    (lambda v: mf.ensembles.Gaussian(v), "g"),
    (lambda v: mf.ensembles.Gaussian(1.0, J0=v), "J0"),
    (lambda v: mf.ensembles.Gaussian(1.0).sample(v), "n"),
])
@pytest.mark.parametrize("value", [np.timedelta64(1), np.datetime64("2020"), 1j, True,
                                   10 ** 400, "2", [[1], [1, 2]]], ids=repr)
def test_entry_points_refuse_odd_scalars(call, name, value):
    _refused(lambda: call(value), name)


@pytest.mark.parametrize("J", [[[1.0, 2.0], [3.0]], [[True, False], [False, True]],
                               np.eye(2, dtype=np.complex64), [["1", "2"], ["3", "4"]],
                               np.full((2, 2), 1e200), np.array([[1, 2], [3, 4]],
                                                               dtype="timedelta64[s]")],
                         ids=lambda J: type(J).__name__)
def test_simulate_refuses_odd_couplings(J):
    _refused(lambda: mf.simulate(J, "tanh", 2.0, 0.1, seed=0), "J")
    _refused(lambda: mf.simulate.lyapunov(J, "tanh", 2.0, 0.1, seed=0), "J")


def test_simulate_accepts_float16_coupling():
    run = mf.simulate(np.eye(3, dtype=np.float16) * 0.5, "tanh", 5.0, 0.1, seed=0)
    assert run.success and np.isfinite(run.delta0.mean)
