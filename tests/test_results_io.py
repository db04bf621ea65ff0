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


# --- the simulator's results on the shared machinery -------------------------

DATA = __import__("pathlib").Path(__file__).parent / "data"


def test_simulation_result_reads_the_format_1_files():
    """Files written by SimulationResult.save before it moved onto ResultMixin (format 1)."""
    run = SimulationResult.load(DATA / "simulation_result_format1.npz")
    assert run.success and run.status == 0 and run.n == 6 and run.batch == 2
    assert run.x.shape == (5, 6, 2) and run.tau.shape == (6,) and run.x_mean.shape == (6, 2)
    assert isinstance(run.delta_tau, mf.Estimate) and run.delta_tau.n == 2
    assert run.delta0 == run.delta_tau[0] and run.c_phi_tau.shape == (6,)
    assert run.message == "integrated 40 steps of 6 units x 2 trajectories"
    failed = SimulationResult.load(DATA / "simulation_result_format1_failed.npz")
    assert not failed.success and failed.status == 1 and failed.delta0 is None
    assert failed.mu is None and failed.x_mean is None and failed.x.shape == (48, 3, 1)
    assert failed.message.startswith("diverged at t=24")


def test_simulation_result_format_1_round_trips_into_the_shared_format(tmp_path):
    old = SimulationResult.load(DATA / "simulation_result_format1.npz")
    path = old.save(tmp_path / "new")
    _no_pickle(path)
    with np.load(path, allow_pickle=False) as data:
        assert json.loads(str(data["__meta__"]))["type"] == "SimulationResult"
    back = SimulationResult.load(path)
    assert back == old
    _assert_same(old, back)


def test_simulation_equality_ignores_wall_time():
    J = mf.ensembles.Gaussian(g=1.2).sample(10, seed=0)
    a = mf.simulate(J, "tanh", t_max=5.0, dt=0.1, seed=2, max_lag=0.2)
    b = mf.simulate(J, "tanh", t_max=5.0, dt=0.1, seed=2, max_lag=0.2)
    assert a == b                                   # (their wall_time differs)
    assert a != mf.simulate(J, "tanh", t_max=5.0, dt=0.1, seed=3, max_lag=0.2)
    assert a != dataclasses.replace(a, delta0=mf.Estimate(a.delta0.mean + 1e-12,
                                                          a.delta0.stderr, a.delta0.n))
    lyap = mf.simulate.lyapunov(J, "tanh", 5.0, 0.1, seed=0)
    assert lyap == mf.simulate.lyapunov(J, "tanh", 5.0, 0.1, seed=0)
    assert lyap != mf.simulate.lyapunov(J, "tanh", 5.0, 0.1, seed=1)


def test_lyapunov_result_round_trip(tmp_path):
    J = mf.ensembles.Gaussian(g=1.5).sample(10, seed=0)
    res = mf.simulate.lyapunov(J, "tanh", 10.0, 0.1, k=3, seed=1)
    path = res.save(tmp_path / "lyap.npz")
    _no_pickle(path)
    back = mf.simulate.LyapunovResult.load(path)
    _assert_same(res, back)
    assert back.lambda_max == res.lambda_max
    assert res.to_dict()["lambda_max"] == res.lambda_max.to_dict()


# --- nested values: estimates, rows, results inside results ------------------

@dataclasses.dataclass(frozen=True, repr=False)
class _Nested(__import__("meanfield._results", fromlist=["ResultMixin"]).ResultMixin):
    value: object


def test_nested_values_round_trip(tmp_path):
    nested = {"estimates": (mf.Estimate(1.0, 0.5, 3), mf.Estimate([1.0, 2.0], [0.1, 0.2], 4)),
              "arrays": [np.arange(3), np.array([1 + 2j, np.nan]), np.array(["a", "b"])],
              "scalars": (np.float32(0.5), np.int64(3), np.bool_(True), 2 - 1j, -np.inf, None),
              "result": mf.dmft.fixed_point(g=0.5)}
    obj = _Nested(nested)
    from meanfield._results import load_fields
    back = _Nested(**load_fields(obj.save(tmp_path / "nested"), expected="_Nested"))
    assert back == obj
    est = back.value["estimates"]
    assert isinstance(est[1], mf.Estimate) and est[1].shape == (2,) and est[0].mean == 1.0
    assert back.value["arrays"][1].dtype == complex and back.value["scalars"][3] == 2 - 1j
    assert isinstance(back.value["result"], FixedPointResult)
    assert obj != _Nested(dict(nested, scalars=(0.5, 3, True, 2 - 1j, np.inf, None)))
    text = json.dumps(obj.to_dict())                  # JSON-ready, complex as real/imag
    assert json.loads(text)["value"]["arrays"][1]["real"][0] == 1.0


def test_unsaveable_values_are_refused(tmp_path):
    for bad in (np.array([object()]), {1: 2.0}, {"f": print}):
        with pytest.raises(TypeError, match="cannot save"):
            _Nested(bad).save(tmp_path / "bad")


def test_load_builds_only_meanfield_dataclasses(tmp_path):
    """A crafted file naming another module's type is refused, not imported and called."""
    for name in ("os:system", "collections:OrderedDict", "meanfield.transfer:get",
                 "meanfield.compare:NoSuchRow"):
        meta = {"type": "_Nested", "fields": {"value": {"__dataclass__": name, "fields": {}}}}
        np.savez(tmp_path / "crafted.npz", __meta__=np.array(json.dumps(meta)))
        from meanfield._results import load_fields
        with pytest.raises(mf.ParameterError, match=name.split(":")[0]):
            load_fields(tmp_path / "crafted.npz", expected="_Nested")
