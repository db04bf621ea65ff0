"""Save/load round trips of the result objects (.npz + JSON, no pickle)."""

from __future__ import annotations

import dataclasses
import json
import zipfile

import numpy as np
import pytest

import meanfield as mf
from meanfield.dmft import DMFTResult, FixedPointResult
from meanfield.simulate import SimulationResult


def _assert_same(a, b):
    assert type(a) is type(b)
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert isinstance(y, np.ndarray), f.name
            assert x.dtype == y.dtype and x.shape == y.shape, f.name
            assert np.array_equal(x, y), f.name
        elif isinstance(x, mf.Estimate):
            assert isinstance(y, mf.Estimate), f.name
            assert x == y, f.name
            assert type(x.mean) is type(y.mean), f.name
        elif isinstance(x, (bool, np.bool_)):
            assert isinstance(y, (bool, np.bool_)) and bool(x) == bool(y), f.name
        elif isinstance(x, (float, np.floating)):     # np.float64 comes back as float
            assert isinstance(y, (float, np.floating)), (f.name, type(y))
            assert float(x) == float(y) or (np.isnan(x) and np.isnan(y)), f.name
        else:
            assert type(x) is type(y), (f.name, type(x), type(y))
            assert x == y, f.name


def _no_pickle(path):
    with np.load(path, allow_pickle=False) as data:
        for key in data.files:
            assert data[key].dtype != object
    with zipfile.ZipFile(path) as zf:
        assert all(name.endswith(".npy") for name in zf.namelist())


@pytest.fixture(scope="module")
def dmft_results():
    return {
        "one_population": mf.dmft.solve(1.5, "tanh", noise=0.3),
        "static": mf.dmft.solve(0.5, "tanh"),
        "several_populations": mf.dmft.solve(np.array([[1.2, 0.8], [1.0, 1.5]]), "tanh",
                                             fractions=[0.4, 0.6], noise=[0.0, 0.2], dt=0.5),
    }


@pytest.mark.parametrize("kind", ["one_population", "static", "several_populations"])
def test_dmft_result_round_trip(dmft_results, kind, tmp_path):
    sol = dmft_results[kind]
    assert isinstance(sol, DMFTResult)
    path = sol.save(tmp_path / "sol.npz")
    _no_pickle(path)
    back = DMFTResult.load(path)
    _assert_same(sol, back)
    tau = np.linspace(0.0, 2.0 * float(sol.tau[-1]) + 1.0, 257)
    assert np.array_equal(sol.delta(tau), back.delta(tau))
    assert repr(sol) == repr(back)


def test_dmft_result_save_adds_suffix(dmft_results, tmp_path):
    path = dmft_results["one_population"].save(tmp_path / "sol")
    assert path.suffix == ".npz" and path.exists()
    _assert_same(dmft_results["one_population"], DMFTResult.load(path))


def test_dmft_result_json_metadata_is_plain(dmft_results, tmp_path):
    path = dmft_results["several_populations"].save(tmp_path / "multi.npz")
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["__meta__"]))
    assert meta["type"] == "DMFTResult"
    assert "delta_tau" not in meta["fields"]         # arrays are stored as arrays


@pytest.mark.parametrize("kwargs", [dict(g=0.5), dict(g=1.5), dict(g=0.8, phi="erf", J0=-0.5)])
def test_fixed_point_result_round_trip(kwargs, tmp_path):
    fp = mf.dmft.fixed_point(**kwargs)
    assert isinstance(fp, FixedPointResult)
    path = fp.save(tmp_path / "fp.npz")
    _no_pickle(path)
    _assert_same(fp, FixedPointResult.load(path))


@pytest.mark.parametrize("record_every, c_phi", [(None, False), (0, True)])
def test_simulation_result_round_trip(record_every, c_phi, tmp_path):
    J = mf.ensembles.Gaussian(g=1.5).sample(30, seed=0)
    run = mf.simulate(J, "tanh", t_max=20.0, dt=0.1, batch=2, seed=3, max_lag=1.0,
                      record_every=record_every, c_phi=c_phi)
    path = run.save(tmp_path / "run.npz")
    _no_pickle(path)
    back = SimulationResult.load(path)
    _assert_same(run, back)
    assert (back.x is None) == (record_every == 0)
    assert (back.c_phi_tau is None) == (not c_phi)


def test_simulation_result_round_trip_float32_generator_seed(tmp_path):
    J = mf.ensembles.Gaussian(g=0.5).sample(20, seed=1, dtype=np.float32)
    run = mf.simulate(J, "linear", t_max=10.0, dt=0.1, noise=0.5, batch=1, blocks=2,
                      seed=np.random.default_rng(5), dtype=np.float32, max_lag=0.5)
    path = run.save(tmp_path / "run32.npz")
    _no_pickle(path)
    back = SimulationResult.load(path)
    _assert_same(run, back)
    assert back.seed is None and back.dtype == "float32"


# --- equality and type checks of saved results ------------------------------

def test_loaded_result_equals_the_original(dmft_results, tmp_path):
    """Regression: ``loaded == sol`` raised "truth value of an array is ambiguous"."""
    for kind, sol in dmft_results.items():
        back = DMFTResult.load(sol.save(tmp_path / f"{kind}.npz"))
        assert (back == sol) is True and (back != sol) is False, kind
        assert sol == sol
    a, b = dmft_results["one_population"], dmft_results["static"]
    assert (a == b) is False and a != b
    changed = dataclasses.replace(a, delta_tau=a.delta_tau * (1 + 1e-15) + 1e-300)
    assert changed != a
    assert a != "DMFTResult" and a != None  # noqa: E711


def test_result_equality_is_nan_aware_and_shape_strict():
    from meanfield._results import values_equal

    fp = mf.dmft.fixed_point(g=0.5)
    nan_fp = dataclasses.replace(fp, residual=float("nan"))
    assert nan_fp == dataclasses.replace(fp, residual=float("nan"))
    assert nan_fp != fp
    assert values_equal(np.array([1.0, np.nan]), np.array([1.0, np.nan]))
    assert not values_equal(np.zeros(2), np.zeros((1, 2)))
    assert not values_equal(np.zeros(2), [0.0, 0.0])
    assert values_equal({"a": (1, np.ones(2))}, {"a": (1, np.ones(2))})
    assert not values_equal((1, 2), [1, 2])
    assert values_equal(np.array(["a", "b"]), np.array(["a", "b"]))


def test_results_are_not_hashable(dmft_results):
    with pytest.raises(TypeError, match="unhashable type: 'DMFTResult'"):
        hash(dmft_results["static"])


def test_load_checks_the_stored_type(dmft_results, tmp_path):
    path = dmft_results["static"].save(tmp_path / "sol.npz")
    with pytest.raises(mf.ParameterError, match="holds a saved DMFTResult, not a FixedPointResult"):
        FixedPointResult.load(path)
    fp_path = mf.dmft.fixed_point(g=0.5).save(tmp_path / "fp.npz")
    with pytest.raises(mf.ParameterError, match="holds a saved FixedPointResult, not a DMFTResult"):
        DMFTResult.load(fp_path)
    np.savez(tmp_path / "plain.npz", x=np.zeros(3))
    with pytest.raises(mf.ParameterError, match="not a saved meanfield result"):
        DMFTResult.load(tmp_path / "plain.npz")


def test_results_module_doctests():
    import doctest

    import meanfield._results as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
