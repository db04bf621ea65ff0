"""Every documented error of :func:`meanfield.dmft.solve`, and the ``check=`` switch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import meanfield as mf
from meanfield.dmft import DMFTResult, _spectral
from meanfield.errors import ConvergenceError, ParameterError

G2 = np.array([[1.2, 0.8], [1.0, 1.5]])
FR = [0.4, 0.6]


def _raises_naming(name, **kwargs):
    with pytest.raises(ParameterError) as info:
        mf.dmft.solve(**kwargs)
    assert f"`{name}`" in str(info.value), str(info.value)
    return str(info.value)


@pytest.mark.parametrize("g", [0.0, -0.5, -1e300, math.nan, math.inf, -math.inf])
def test_gain_not_positive_and_finite(g):
    msg = _raises_naming("g", g=g)
    assert "positive" in msg


@pytest.mark.parametrize("g", ["1.5", None, 1 + 1j, True, [1.5]])
def test_gain_wrong_type(g):
    _raises_naming("g", g=g)


@pytest.mark.parametrize("phi", ["softsign", "", 3, None, np.tanh])
def test_unknown_transfer_function(phi):
    msg = _raises_naming("phi", g=1.5, phi=phi)
    assert "tanh" in msg          # the message lists the known names


def test_relu_without_inhibition_diverges():
    # g^2/2 = 2 > 1: the variance of a relu network grows without bound unless a negative
    # mean coupling or input holds it back
    for kwargs in (dict(), dict(noise=0.3), dict(dt=0.5), dict(J0=0.5), dict(I0=0.2)):
        with pytest.raises(ParameterError) as info:
            mf.dmft.solve(g=2.0, phi="relu", **kwargs)
        msg = str(info.value)
        assert "relu" in msg and "negative mean coupling" in msg and "`g`" in msg


def test_relu_below_divergence_is_fine():
    sol = mf.dmft.solve(g=1.2, phi="relu")       # g^2/2 < 1: the quiescent fixed point
    assert sol.success and sol.delta0 == 0.0


def test_linear_above_one_has_no_bounded_state():
    with pytest.raises(ParameterError, match="no bounded stationary state"):
        mf.dmft.solve(g=1.5, phi="linear")


@pytest.mark.parametrize("noise", [-0.1, -1e-300, math.nan, math.inf])
def test_negative_or_nonfinite_noise(noise):
    _raises_naming("noise", g=1.5, noise=noise)


@pytest.mark.parametrize("dt", [0.0, -0.1, 1.0 + 1e-12, 2.0, math.nan, math.inf, "0.1"])
def test_dt_outside_unit_interval(dt):
    msg = _raises_naming("dt", g=1.5, dt=dt)
    assert "(0, 1]" in msg or "real number" in msg


@pytest.mark.parametrize("name, value", [("J0", math.nan), ("I0", math.inf),
                                         ("input_std", -0.1), ("J0", "0")])
def test_bad_mean_coupling_and_inputs(name, value):
    _raises_naming(name, g=1.5, **{name: value})


@pytest.mark.parametrize("name, value", [("method", "newton"), ("method", None),
                                         ("rtol", 0.0), ("rtol", 0.5), ("rtol", math.nan),
                                         ("max_iter", 0), ("max_iter", 2.5),
                                         ("max_iter", True)])
def test_bad_solver_options(name, value):
    _raises_naming(name, g=1.5, **{name: value})


def test_potential_method_with_several_populations():
    msg = _raises_naming("method", g=G2, fractions=FR, method="potential")
    assert "one population" in msg


def test_phi_list_for_one_population():
    _raises_naming("phi", g=1.5, phi=["tanh", "tanh"])


@pytest.mark.parametrize("fractions", [[0.5, 0.6], [0.3, 0.3], [1.0, 0.0], [-0.5, 1.5],
                                       [0.4, 0.6 + 1e-6]])
def test_fractions_not_summing_to_one(fractions):
    msg = _raises_naming("fractions", g=G2, fractions=fractions)
    assert "sum to 1" in msg


@pytest.mark.parametrize("fractions", [[1.0], [0.2, 0.3, 0.5], [[0.4, 0.6]], ["a", "b"],
                                       [math.nan, 0.5]])
def test_fractions_wrong_shape_or_type(fractions):
    _raises_naming("fractions", g=G2, fractions=fractions)


def test_fractions_required_with_a_matrix():
    _raises_naming("fractions", g=G2)


@pytest.mark.parametrize("g", [np.ones((2, 3)), np.ones((2, 2, 2)), np.ones(2),
                               np.array([[1.0, -0.5], [1.0, 1.0]]), np.zeros((2, 2)),
                               np.array([[1.0, math.nan], [1.0, 1.0]]), [["a", "b"], ["c", "d"]]])
def test_gain_matrix_shape_and_values(g):
    _raises_naming("g", g=g, fractions=FR)


@pytest.mark.parametrize("name, value", [("noise", [0.1, 0.2, 0.3]), ("noise", [0.1, -0.2]),
                                         ("J0", np.zeros(2)), ("J0", np.zeros((3, 3))),
                                         ("I0", np.zeros((2, 2))), ("input_std", [-1.0, 0.0])])
def test_population_parameters_shape_mismatch(name, value):
    _raises_naming(name, g=G2, fractions=FR, **{name: value})


def test_phi_list_length_mismatch():
    _raises_naming("phi", g=G2, fractions=FR, phi=["tanh", "erf", "tanh"])


# --- check=False / ConvergenceError ------------------------------------------------

@pytest.fixture
def failing_spectral(monkeypatch):
    """Make the spectral iteration report failure (as when it stops above ``rtol``)."""
    real = _spectral.solve_spectral

    def fake(prob, init, *, rtol, max_iter, **kw):
        delta, nit, res, ok, msg = real(prob, init, rtol=rtol, max_iter=max_iter, **kw)
        return delta, nit, max(res, 1e-3), False, "residual 1.00e-03 above rtol; try a larger `max_iter`"

    monkeypatch.setattr(_spectral, "solve_spectral", fake)


def test_check_false_returns_failed_result(failing_spectral):
    sol = mf.dmft.solve(g=1.5, dt=1.0, check=False)
    assert isinstance(sol, DMFTResult)
    assert sol.success is False or sol.success == False  # noqa: E712 - numpy bools allowed
    assert sol.status != 0 and sol.message
    assert "max_iter" in sol.message
    assert np.all(np.isfinite(sol.delta_tau))


def test_check_true_raises_with_partial_result(failing_spectral):
    with pytest.raises(ConvergenceError) as info:
        mf.dmft.solve(g=1.5, dt=1.0)
    res = info.value.result
    assert isinstance(res, DMFTResult) and not res.success and res.message
    assert res.message in str(info.value)


def test_check_false_several_populations(failing_spectral):
    sol = mf.dmft.solve(g=G2, fractions=FR, dt=1.0, check=False)
    assert not sol.success and sol.message and sol.n_populations == 2
    with pytest.raises(ConvergenceError) as info:
        mf.dmft.solve(g=G2, fractions=FR, dt=1.0)
    assert info.value.result is not None and not info.value.result.success


def test_check_false_on_success_is_the_same():
    a = mf.dmft.solve(g=1.5, check=False)
    b = mf.dmft.solve(g=1.5)
    assert a.success and b.success and a.delta0 == b.delta0


@pytest.mark.slow
def test_spectral_with_one_iteration_fails_genuinely():
    """max_iter=1 with the continuous-time spectral method (about a minute)."""
    sol = mf.dmft.solve(g=1.5, method="spectral", max_iter=1, check=False)
    if sol.success:
        pytest.skip("the solver converged even from one Picard step")
    assert sol.status != 0 and sol.message
    with pytest.raises(ConvergenceError) as info:
        mf.dmft.solve(g=1.5, method="spectral", max_iter=1)
    assert info.value.result is not None and not info.value.result.success
