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
