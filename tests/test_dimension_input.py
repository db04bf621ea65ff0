"""Bad input to ``meanfield.dimension`` (issue 9, section 5): clear errors.

Every bad input is refused with a ParameterError whose message names the parameter (in
backquotes) and the value it got.  tests/test_dimension.py, test_dimension_data.py and
test_dimension_connectivity.py already check that most of these are refused and name the
parameter; the tests here check the value in the message as well, and cover the parameters
and paths those do not (two_lag, participation_ratio_result, participation_ratio_of and
ConnectivityFit.predict, the dtype and type variants).  The ``test_gap_*`` tests pin inputs
that gave a NaN, a bare numpy or ARPACK error or a misleading message (found by this audit,
fixed since): magnitudes near the float range are handled by scale invariance, not refused.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

import meanfield as mf
from meanfield import dimension as dim
from meanfield.errors import ParameterError


def _refused(call, name, *values):
    """Assert that call() raises ParameterError naming `name` and each of ``values``."""
    with pytest.raises(ParameterError) as info:
        call()
    msg = str(info.value)
    assert f"`{name}`" in msg, msg
    for v in values:
        assert v in msg, msg
    return msg


@pytest.fixture(scope="module")
def sol():
    return mf.dmft.solve(2.0, "tanh")


@pytest.fixture(scope="module")
def sol_map():
    return mf.dmft.solve(2.0, "tanh", dt=0.5)


@pytest.fixture(scope="module")
def fit():
    J = 2.0 * np.random.default_rng(0).standard_normal((50, 50)) / math.sqrt(50)
    return dim.from_connectivity(J)


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(1).standard_normal((200, 5))


def _sparse(n=20):
    return sp.random_array((n, n), density=0.3, rng=0)


_THEORY = {
    "participation_ratio": lambda s: dim.participation_ratio(s),
    "participation_ratio_result": lambda s: dim.participation_ratio_result(s),
    "two_lag": lambda s: dim.two_lag(s, [0.0, 1.0]),
}


# --- the four the issue names --------------------------------------------------------------

@pytest.mark.parametrize("entry", list(_THEORY))
@pytest.mark.parametrize("dt", [None, 0.5])
def test_static_solution_names_sol_and_its_state(entry, dt):
    static = mf.dmft.solve(0.5, "tanh", dt=dt)
    msg = _refused(lambda: _THEORY[entry](static), "sol", "'fixed-point'")
    assert "static state" in msg and "undefined" in msg


def test_multi_population_solution_names_sol_and_the_count():
    two = mf.dmft.solve([[2.0, 1.0], [1.0, 2.0]], "tanh", fractions=[0.5, 0.5])
    for entry in _THEORY.values():
        _refused(lambda entry=entry: entry(two), "sol", "2 populations", "one population")


def test_static_ensemble_state_names_ensemble_and_its_gain():
    _refused(lambda: dim.participation_ratio_of(mf.ensembles.Gaussian(0.5)), "ensemble",
             "g_eff=0.5", "static state")


def test_static_prediction_names_the_gain(fit):
    _refused(lambda: fit.predict(gain=0.1), "sol", f"g_eff * gain = {fit.g_eff * 0.1:.6g}",
             "static state")


@pytest.mark.parametrize("where", [(0, 0), (123, 2), (-1, -1)])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_activity_names_x(X, where, bad):
    # any block: the first, a middle one, the last sample of the last unit
    Y = X.copy()
    Y[where] = bad
    _refused(lambda: dim.from_activity(Y), "X", "NaN or inf")
    _refused(lambda: dim.from_activity(Y.astype(np.float32), blocks=4), "X", "NaN or inf")


@pytest.mark.parametrize("T, blocks", [(40, 21), (40, 40), (5, 3), (0, 10), (200, 101)])
def test_too_few_samples_per_block_names_blocks_and_counts(T, blocks):
    Y = np.random.default_rng(2).standard_normal((T, 3))
    _refused(lambda: dim.from_activity(Y, blocks=blocks), "blocks", f"blocks={blocks}",
             f"X has {T} samples", f"gives blocks of {T // blocks}")


@pytest.mark.parametrize("J, shape", [
    (np.zeros((3, 4)), "(3, 4)"),
    (np.zeros((4, 3)), "(4, 3)"),
    (np.zeros(9), "(9,)"),
    (np.zeros((3, 3, 3)), "(3, 3, 3)"),
    (sp.csr_array(np.ones((3, 4))), "(3, 4)"),
    (sp.coo_array(np.ones((5, 4))), "(5, 4)"),
])
def test_non_square_connectivity_names_j_and_its_shape(J, shape):
    _refused(lambda: dim.from_connectivity(J), "J", "square", shape)


def test_too_small_connectivity_names_j_and_its_shape():
    _refused(lambda: dim.from_connectivity(np.eye(2)), "J", "(2, 2)", "at least 3")


# --- every other public parameter ----------------------------------------------------------

@pytest.mark.parametrize("of", ["y", "PHI", None, 1, ["phi"]])
def test_of_names_its_value(sol, sol_map, fit, of):
    want = f"of={of!r}"
    _refused(lambda: dim.participation_ratio(sol, of), "of", want)
    _refused(lambda: dim.participation_ratio_result(sol_map, of), "of", want)
    _refused(lambda: dim.two_lag(sol, 0.0, of=of), "of", want)
    _refused(lambda: dim.participation_ratio_of(mf.ensembles.Gaussian(2.0), of=of), "of", want)
    _refused(lambda: fit.predict(of=of), "of", want)


@pytest.mark.parametrize("value", [-1.0, 0.0, -math.inf, math.nan, "a", True, [0.5], 1j])
def test_effective_rank_names_its_value(sol, value):
    want = f"effective_rank={value!r}"
    _refused(lambda: dim.participation_ratio(sol, effective_rank=value), "effective_rank", want)
    _refused(lambda: dim.participation_ratio_result(sol, effective_rank=value),
             "effective_rank", want)
    _refused(lambda: dim.two_lag(sol, 0.0, effective_rank=value), "effective_rank", want)


@pytest.mark.parametrize("value", [0.0, -0.5, 1.5, math.inf, math.nan, "x", True])
def test_gain_ratio_names_its_value(sol, value):
    want = f"gain_ratio={value!r}"
    _refused(lambda: dim.participation_ratio(sol, gain_ratio=value), "gain_ratio", want)
    _refused(lambda: dim.two_lag(sol, 0.0, gain_ratio=value), "gain_ratio", want)
    _refused(lambda: dim.participation_ratio_of(mf.ensembles.Gaussian(2.0), gain_ratio=value),
             "gain_ratio", want)


def test_gain_ratio_with_preactivations_names_both(sol):
    _refused(lambda: dim.participation_ratio(sol, "x", gain_ratio=0.5), "gain_ratio",
             "of='x'", "gain_ratio=0.5")


@pytest.mark.parametrize("value", ["yes", 1, 0, None, np.array([True])])
def test_zscore_names_its_value(sol, X, value):
    _refused(lambda: dim.participation_ratio(sol, zscore=value), "zscore", f"zscore={value!r}")
    _refused(lambda: dim.two_lag(sol, 0.0, zscore=value), "zscore", f"zscore={value!r}")
    _refused(lambda: dim.from_activity(X, zscore=value), "zscore", repr(value))


def test_zscore_of_a_constant_unit_names_the_unit(X):
    Y = X.copy()
    Y[:, 3] = 2.5
    _refused(lambda: dim.from_activity(Y, zscore=True), "zscore=True", "units [3]",
             "zero variance")


@pytest.mark.parametrize("value", [0.0, -1.0, 1.0, 1e-13, math.nan, "1e-8", None])
def test_rtol_names_its_value(sol, fit, value):
    want = f"rtol={value!r}"
    _refused(lambda: dim.participation_ratio(sol, rtol=value), "rtol", want)
    _refused(lambda: dim.participation_ratio_result(sol, rtol=value), "rtol", want)
    _refused(lambda: dim.participation_ratio_of(mf.ensembles.Gaussian(2.0), rtol=value),
             "rtol", want)


@pytest.mark.parametrize("value", [1, 0, "yes", None])
def test_check_names_its_value(sol, value):
    _refused(lambda: dim.participation_ratio_result(sol, check=value), "check",
             f"check={value!r}")


@pytest.mark.parametrize("value", [2, 1, 0, -3, 2.5, 5.0, "5", True, None])
def test_blocks_names_its_value(X, value):
    _refused(lambda: dim.from_activity(X, blocks=value), "blocks", f"blocks={value!r}")


@pytest.mark.parametrize("value", [0, -1, 2.5, 3.0, "3", True, 19, 25])
def test_k_names_its_value(value):
    _refused(lambda: dim.from_connectivity(_sparse(20), k=value), "k", f"k={value!r}")
    _refused(lambda: dim.from_connectivity(np.eye(20), k=value), "k", f"k={value!r}")


@pytest.mark.parametrize("value", ["x", 1.5, True, np.random.RandomState(0), [1, 2]])
def test_seed_names_its_value(value):
    _refused(lambda: dim.from_connectivity(_sparse(20), k=3, seed=value), "seed",
             f"seed={value!r}")
    _refused(lambda: dim.from_connectivity(np.eye(20), seed=value), "seed", f"seed={value!r}")


@pytest.mark.parametrize("value", ["foo", "tanh2", 3, None])
def test_phi_names_its_value(fit, value):
    want = f"phi={value!r}" if isinstance(value, str) else type(value).__name__
    _refused(lambda: dim.participation_ratio_of(mf.ensembles.Gaussian(2.0), phi=value), "phi",
             want)
    _refused(lambda: fit.predict(value), "phi", want)


@pytest.mark.parametrize("value", [0.0, -1.0, math.nan, math.inf, -math.inf, "a", True, None])
def test_gain_names_its_value(fit, value):
    _refused(lambda: fit.predict(gain=value), "gain", f"gain={value!r}")


@pytest.mark.parametrize("name, value", [("noise", -1.0), ("noise", math.nan), ("dt", 2.0),
                                         ("dt", 0.0), ("dt", 1e-5)])
def test_solver_options_passed_through_name_their_value(fit, name, value):
    kw = {name: value}
    _refused(lambda: dim.participation_ratio_of(mf.ensembles.Gaussian(2.0), **kw), name,
             f"{name}={value!r}")
    _refused(lambda: fit.predict(**kw), name, f"{name}={value!r}")


@pytest.mark.parametrize("ensemble, want", [
    ("x", "str"), (None, "NoneType"), (mf.ensembles.Elliptic(1.5, 0.3), "Elliptic"),
])
def test_ensemble_names_its_type(ensemble, want):
    _refused(lambda: dim.participation_ratio_of(ensemble), "ensemble", want)


def test_ensemble_with_overlap_names_its_value():
    ens = mf.ensembles.RandomMode(1.0, overlap=0.2, scale=2.0)
    _refused(lambda: dim.participation_ratio_of(ens), "ensemble", "overlap 0.2")


@pytest.mark.parametrize("value", [None, 0.5, "abc", np.zeros(3)])
def test_sol_of_the_wrong_type_names_its_type(value):
    for entry in _THEORY.values():
        _refused(lambda entry=entry: entry(value), "sol", "DMFTResult", type(value).__name__)


def test_heterogeneous_solution_names_delta_inf_and_input_std():
    het = mf.dmft.solve(2.0, "tanh", input_std=0.5)
    _refused(lambda: dim.participation_ratio(het), "sol", "Delta_inf=", "input_std=0.5")


@pytest.mark.parametrize("value, dtype", [("a", "<U1"), (1j, "complex128"),
                                          (np.array([object()]), "object")])
def test_lags_of_the_wrong_type_name_their_dtype(sol, value, dtype):
    _refused(lambda: dim.two_lag(sol, value), "tau1", dtype)
    _refused(lambda: dim.two_lag(sol, 0.0, value), "tau2", dtype)


@pytest.mark.parametrize("X_bad, want", [
    (np.ones(10), "shape (10,)"),
    (np.ones((3, 4, 5)), "shape (3, 4, 5)"),
    (np.ones((10, 0)), "shape (10, 0)"),
    (np.ones((40, 3), dtype=bool), "dtype bool"),
    (np.ones((40, 3), dtype=complex), "dtype complex128"),
    (np.array([["a", "b"]] * 20), "dtype <U1"),
    (None, "dtype object"),
])
def test_activity_of_the_wrong_shape_or_dtype_names_it(X_bad, want):
    _refused(lambda: dim.from_activity(X_bad), "X", want)


@pytest.mark.parametrize("J, want", [
    (np.eye(5, dtype=bool), "dtype bool"),
    (np.eye(5, dtype=complex), "dtype complex128"),
    (sp.csr_array(np.eye(5, dtype=complex)), "dtype complex128"),
    (None, "dtype object"),
])
def test_connectivity_of_the_wrong_dtype_names_it(J, want):
    _refused(lambda: dim.from_connectivity(J), "J", want)


@pytest.mark.parametrize("J", [np.full((4, 4), np.nan),
                               sp.csr_array(np.diag([1.0, np.inf, 1.0, 1.0]))])
def test_non_finite_connectivity_names_j(J):
    _refused(lambda: dim.from_connectivity(J, k=1 if sp.issparse(J) else None), "J",
             "NaN or inf")


def test_zero_dense_connectivity_names_j():
    _refused(lambda: dim.from_connectivity(np.zeros((5, 5))), "J", "zero")


# --- former gaps: a NaN, a bare library error or an unclear message (regressions) ----------

def test_gap_two_lag_shapes_that_do_not_broadcast(sol):
    _refused(lambda: dim.two_lag(sol, [0.0, 1.0, 2.0], [0.0, 1.0]), "tau1", "(3,)", "(2,)")


def test_gap_two_lag_non_finite_lag_shows_the_value(sol):
    _refused(lambda: dim.two_lag(sol, [0.0, np.nan]), "tau1", "nan")


def test_gap_two_lag_refused_lags_show_the_value(sol, sol_map):
    _refused(lambda: dim.two_lag(sol_map, 0.3), "tau1", "0.3")
    _refused(lambda: dim.two_lag(sol, 2e3), "tau1", "2000")


def test_gap_negative_seed():
    _refused(lambda: dim.from_connectivity(_sparse(20), k=3, seed=-1), "seed", "seed=-1")


def test_gap_zero_sparse_connectivity():
    _refused(lambda: dim.from_connectivity(sp.csr_array((20, 20)), k=2), "J", "zero")


@pytest.mark.parametrize("scale", [1e100, 1e200])
def test_gap_huge_connectivity_gives_nan(scale):
    J = np.random.default_rng(0).standard_normal((20, 20))
    ref = dim.from_connectivity(J)
    fit = dim.from_connectivity(scale * J)
    assert fit.pr_s == pytest.approx(ref.pr_s, rel=1e-10)
    assert fit.g_eff == pytest.approx(scale * ref.g_eff, rel=1e-10)


@pytest.mark.parametrize("scale", [1e100, 1e160])
def test_gap_huge_activity_reported_as_no_variance(X, scale):
    ref = dim.from_activity(X)
    res = dim.from_activity(scale * X)
    assert res.pr == pytest.approx(ref.pr, rel=1e-10)


def test_gap_jackknife_nan_when_blocks_are_constant(X):
    Y = np.vstack([np.ones((100, 3)), X[:100, :3]])
    try:
        res = dim.from_activity(Y, blocks=4)
    except ParameterError as exc:      # acceptable: a clear refusal naming X or blocks
        assert "`X`" in str(exc) or "`blocks`" in str(exc)
        return
    assert math.isfinite(res.stderr) and np.all(np.isfinite(res.jackknife))


@pytest.mark.parametrize("phi, gain", [("erf", 1e6), ("relu", 1.0)])
def test_gap_predict_error_names_g_not_gain(fit, phi, gain):
    _refused(lambda: fit.predict(phi, gain=gain), "gain", f"gain={gain!r}")


def test_gap_participation_ratio_of_error_names_g_not_ensemble():
    ens = mf.ensembles.RandomMode(0.5, scale=3000.0)
    _refused(lambda: dim.participation_ratio_of(ens), "ensemble", "g_eff")


def test_overlap_warning_sees_overlaps_of_alternating_sign():
    # regression: the warning looked at the mean overlap only, and overlaps of alternating
    # sign (mean ~ 0, |u.v| ~ 0.5) passed silently.  Modes l_a, r_a = s_a (0.6 l_a + 0.8 x_a)
    # with s_a = +-1: each pair overlaps by 0.6 in magnitude
    rng = np.random.default_rng(3)
    N, M = 400, 100
    L = rng.standard_normal((N, M)) / np.sqrt(N)
    signs = np.where(np.arange(M) % 2 == 0, 1.0, -1.0)
    R = signs * (0.6 * L + 0.8 * rng.standard_normal((N, M)) / np.sqrt(N))
    J = (L * (4.0 * np.exp(-2.0 * np.arange(M) / M))) @ R.T
    fit = dim.from_connectivity(J)
    assert abs(fit.overlap_mean) < 0.1
    assert "ignores left-right overlaps" in fit.message
    iid = dim.from_connectivity(rng.standard_normal((N, N)) / np.sqrt(N))
    assert "ignores" not in iid.message
