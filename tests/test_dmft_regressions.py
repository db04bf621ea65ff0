"""Regression tests of the DMFT bugs of issues 7 and 9, each named after the bug it pins."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import integrate, optimize, special

import meanfield as mf
from meanfield.dmft import DMFTResult, _potential, _spectral, _static
from meanfield.errors import ConvergenceError, ParameterError

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


# --- lyapunov looked the transfer function up again by name --------------------------

def test_lyapunov_of_custom_transfer_function_is_not_looked_up_by_name():
    # a custom copy of tanh gave -0.557 where "tanh" gave -0.206: lyapunov re-resolved phi
    # by name and swallowed the ParameterError (dropping the mean-mode eigenvalue); a
    # custom function *named* "relu" would have used the built-in relu.  The value itself
    # is now -0.2568: the outlier is the eigenvalue of the static map's Jacobian in
    # (mu, Delta), 0.7432, not J0 <phi'> = 0.7938 (derivations/static_outliers.py; sampled
    # N = 1500 networks give 0.740-0.746, tests/test_dmft_static_regressions.py)
    kw = dict(J0=0.9, I0=0.05)
    ref = mf.dmft.lyapunov(mf.dmft.solve(0.5, "tanh", **kw))
    assert ref == pytest.approx(-0.25676, abs=1e-4)
    for name in ("custom", "relu"):
        tf = mf.transfer.custom(np.tanh, name=name, odd=True, strip=math.pi / 2)
        sol = mf.dmft.solve(0.5, tf, **kw)
        assert sol.method == "static" and sol.phi == name
        assert mf.dmft.lyapunov(sol) == pytest.approx(ref, rel=1e-9)
    # what the exponent needs is in the result: J0 <phi'> is the mean-mode eigenvalue
    sol = mf.dmft.solve(0.5, "tanh", **kw)
    z, w = np.polynomial.hermite_e.hermegauss(80)
    dphi = 1.0 - np.tanh(sol.mu + math.sqrt(sol.delta0) * z) ** 2
    assert sol.mean_dphi == pytest.approx(w @ dphi / math.sqrt(2 * math.pi), rel=1e-12)


def test_lyapunov_never_swallows_a_missing_mean_mode(tmp_path):
    sol = mf.dmft.solve(0.5, "tanh", J0=0.9, I0=0.05)
    old = dataclasses.replace(sol, mean_dphi=None)     # as saved before the field existed
    with pytest.raises(ParameterError, match="mean_dphi"):
        mf.dmft.lyapunov(old)
    loaded = DMFTResult.load(sol.save(tmp_path / "static.npz"))
    assert loaded.mean_dphi == sol.mean_dphi
    assert mf.dmft.lyapunov(loaded) == mf.dmft.lyapunov(sol)


# --- the Euler-map exponent of a static state took the largest real part ----------------

def test_euler_static_exponent_uses_largest_multiplier_not_real_part():
    # solve(0.3, "tanh", J0=-1.5, dt=1.0) reported success, a stable fixed point and
    # lambda = -1.20; the mean-mode multiplier is 1 - dt + dt J0 <phi'> = -1.5: unstable
    sol = mf.dmft.solve(0.3, "tanh", J0=-1.5, dt=1.0, check=False)
    assert not sol.success and sol.status == 4 and "unstable" in sol.message
    assert mf.dmft.lyapunov(sol) == pytest.approx(math.log(1.5), rel=1e-12)
    with pytest.raises(ConvergenceError, match="linearly unstable"):
        mf.dmft.solve(0.3, "tanh", J0=-1.5, dt=1.0)
    # stable, dt = 0.5 (trivial fixed point, <phi'> = <phi'^2> = 1): the disk |z| <= 0.3
    # gives |1 - dt| + dt r = 0.65, the outlier |1 - dt + dt J0| = 0.25 (J0 = -1.5) or
    # 0.75 (J0 = -2.5): the larger multiplier wins
    for J0, m in ((-1.5, 0.65), (-2.5, 0.75)):
        sol = mf.dmft.solve(0.3, "tanh", J0=J0, dt=0.5)
        assert sol.success and sol.status == 0 and sol.delta0 == 0.0
        assert mf.dmft.lyapunov(sol) == pytest.approx(math.log(m) / 0.5, rel=1e-12)


@pytest.fixture
def failing_spectral(monkeypatch):
    """Make the spectral iteration report failure (as when it stops above ``rtol``)."""
    real = _spectral.solve_spectral

    def fake(prob, init, *, rtol, max_iter, **kw):
        delta, nit, res, ok, msg = real(prob, init, rtol=rtol, max_iter=max_iter, **kw)
        return delta, nit, max(res, 1e-3), False, "residual 1.00e-03 above rtol"

    monkeypatch.setattr(_spectral, "solve_spectral", fake)


def test_spectral_fallback_uses_the_euler_multiplier(failing_spectral):
    # the fallback to the static fixed point after a failed spectral solve must use the
    # Euler multiplier: this fixed point is stable in continuous time, not for dt = 1
    sol = mf.dmft.solve(0.3, "tanh", J0=-1.5, dt=1.0, check=False)
    assert not sol.success and sol.status != 0 and sol.status != 3


# --- a failed spectral solve silently returned the static fixed point as status 0 -------

@pytest.fixture
def unconverged_spectral(monkeypatch):
    """Make the spectral iteration stop unconverged, away from any solution (it returns
    its initial guess), as it did just below the onset before the Jacobian fix of issue 9."""

    def fake(prob, init, *, rtol, max_iter, **kw):
        return init.copy(), 1, 1e-3, False, "residual 1.00e-03 above rtol"

    monkeypatch.setattr(_spectral, "solve_spectral", fake)


def test_spectral_solve_just_below_onset_now_converges_to_the_fixed_point():
    # with the correct Newton Jacobian (issue 9) the spectral solve of the case below
    # converges: its fluctuations die out and the static fixed point comes back, status 0
    kw = dict(J0=-0.2, I0=0.1)
    fp = mf.dmft.fixed_point(1.118, "tanh", **kw)
    sol = mf.dmft.solve(1.118, "tanh", dt=0.1, **kw)
    assert sol.success and sol.status == 0 and sol.method == "static"
    assert sol.delta0 == pytest.approx(fp.delta0, rel=1e-12)


def test_spectral_failure_fallback_has_its_own_status(unconverged_spectral):
    # just below the onset with J0, I0 the spectral solve did not converge; the result
    # was the static fixed point with success=True, status=0 and nothing to tell
    kw = dict(J0=-0.2, I0=0.1)
    fp = mf.dmft.fixed_point(1.118, "tanh", **kw)
    sol = mf.dmft.solve(1.118, "tanh", dt=0.1, **kw)
    assert sol.success and sol.status == 3 and sol.state == "fixed-point"
    assert "spectral solve failed" in sol.message and "not confirmed" in sol.message
    assert sol.delta0 == pytest.approx(fp.delta0, rel=1e-10)
    # continuous time: the energy method confirms that no chaotic solution coexists
    sol = mf.dmft.solve(1.118, "tanh", method="spectral", **kw)
    assert sol.success and sol.status == 3 and "confirmed: the energy method" in sol.message
    # the default continuous-time solve needs no fallback
    assert mf.dmft.solve(1.118, "tanh", **kw).status == 0


def test_static_state_just_above_onset_is_not_returned_as_stable():
    # above the onset the static point is unstable; near it Delta0 ~ g - 1 lies below the
    # energy method's default grid, which is then extended down
    for g in (1.0 + 1e-8, 1.0 + 1e-6):
        sol = mf.dmft.solve(g, "tanh")
        assert sol.method == "potential" and sol.delta0 == pytest.approx(g - 1.0, rel=1e-3)


# --- unbounded networks were reported as a quiescent fixed point -------------------------

def test_relu_with_inhibition_but_unbounded_growth_is_not_a_fixed_point():
    # solve(g=2, phi='relu', J0=-1) returned Delta0 = 0 and lambda = -1 with success=True,
    # while the network diverges (N = 1000: Delta0 ~ 1e24): the self-similar growing state
    # (s z = J0 E relu(h), s^2 = g^2 E relu(h)^2, h ~ N(z, 1)) has s = 1.149 > 1
    for dt in (None, 0.5):
        with pytest.raises(ParameterError, match="no bounded stationary state") as info:
            mf.dmft.solve(2.0, "relu", J0=-1.0, dt=dt, check=False)
        assert "s = 1.149" in str(info.value)


def test_unbounded_custom_softplus_is_not_a_fixed_point():
    # shifted softplus (phi(0) = 0, phi'(0) = 1/2, slope 1 at +inf), g = 3 returned
    # success=True with Delta0 = 0
    sp = mf.transfer.custom(lambda x: np.logaddexp(0.0, x) - math.log(2.0), name="softplus0")
    with pytest.raises(ParameterError, match="no bounded stationary state"):
        mf.dmft.solve(3.0, sp)
    sol = mf.dmft.solve(0.5, sp)                       # r = g/2 < 1 and s = g/sqrt(2) < 1
    assert sol.success and sol.delta0 == 0.0


def test_homogeneous_growth_closed_forms():
    from meanfield.dmft._bounded import homogeneous_growth
    for g, J0 in ((0.5, 0.0), (1.5, 0.7), (0.5, 3.0), (0.5, -3.0)):
        # linear network: disk of radius g and the outlier J0
        assert homogeneous_growth(1.0, 1.0, g, J0) == pytest.approx(max(g, J0), rel=1e-10)
    for g in (1.0, 1.2, 2.0):            # relu without mean coupling: E relu(h)^2 = 1/2
        assert homogeneous_growth(1.0, 0.0, g, 0.0) == pytest.approx(g / math.sqrt(2), rel=1e-12)
    assert homogeneous_growth(0.0, 0.0, 2.0, -1.0) == 0.0
    # relu, g = 2, J0 = -1: z = J0 F1(z) / s with s = g sqrt(F2(z)), closed forms of F1, F2
    s = homogeneous_growth(1.0, 0.0, 2.0, -1.0)
    from scipy.optimize import brentq
    from scipy.stats import norm

    def f1(z):
        return z * norm.cdf(z) + norm.pdf(z)

    def f2(z):
        return (1 + z * z) * norm.cdf(z) + z * norm.pdf(z)

    z = brentq(lambda z: 2.0 * z * math.sqrt(f2(z)) + f1(z), -3.0, 0.0, xtol=1e-15)
    assert s == pytest.approx(2.0 * math.sqrt(f2(z)), rel=1e-10)


def test_bounded_relu_states_are_unchanged():
    # the validation case relu_inhibitory and the quiescent states stay as they were
    sol = mf.dmft.solve(3.0, "relu", J0=-10.0, I0=1.0, dt=0.1)
    assert sol.success and sol.delta0 == pytest.approx(4.044159293635833, rel=1e-8)
    sol = mf.dmft.solve(3.0, "relu", J0=-10.0, I0=1.0)
    assert sol.success and sol.delta0 == pytest.approx(4.044433327773815, rel=1e-8)
    for g, kw in ((1.2, {}), (2.0, dict(I0=-1.0)), (1.3, dict(J0=-1.0))):
        sol = mf.dmft.solve(g, "relu", **kw)
        assert sol.success and sol.status == 0 and sol.delta0 == 0.0


# --- steps that allocate terabytes, solver paths that never return ------------------------

@pytest.mark.parametrize("dt", [1e-10, 1e-5, 1e-3])
def test_tiny_dt_is_refused_not_allocated(dt):
    # solve(2.0, dt=1e-10) raised MemoryError, dt=1e-5 hung: the lag grid is bounded
    with pytest.raises(ParameterError, match=r"`dt`.*no smaller than 0\.0038.*65537 lags"):
        mf.dmft.solve(2.0, dt=dt)


def test_never_returning_solves_stop_at_the_time_budget():
    # solve(2.0, custom(np.tanh, kinks=[0.0])), critical_gain('sigmoid', J0=1000) and two
    # populations with noise=[0, 1000] ran for minutes; every solve now has a CPU budget
    tf = mf.transfer.custom(np.tanh, kinks=[0.0])
    sol = mf.dmft.solve(2.0, tf, max_time=0.05, check=False)
    assert not sol.success and sol.status == 5 and "max_time" in sol.message
    with pytest.raises(ConvergenceError, match="max_time"):
        mf.dmft.solve(2.0, tf, max_time=0.05)
    with pytest.raises(ConvergenceError, match="max_time"):
        mf.dmft.critical_gain(phi="sigmoid", J0=1000.0, max_time=0.05)
    sol = mf.dmft.solve([[1.5, 1.0], [1.0, 1.5]], "tanh", fractions=[0.5, 0.5],
                        noise=[0.0, 1000.0], max_time=0.05, check=False)
    assert sol.status == 5 and sol.n_populations == 2
    with pytest.raises(ParameterError, match="max_time"):
        mf.dmft.solve(2.0, max_time=0.0)


def test_critical_gain_unstable_mean_mode_is_a_parameter_error_regression():
    # critical_gain(J0=2) leaked scipy's "f(a) and f(b) must have different signs": the mean
    # mode J0 <phi'> = 2 is unstable at every g, so there is no onset to find
    with pytest.raises(mf.ParameterError, match="already unstable as g -> 0"):
        mf.dmft.critical_gain(J0=2.0)


def test_critical_gain_names_the_gain_it_reached_regression():
    # critical_gain("relu") said "got g=2.0", a value the user never passed
    with pytest.raises(mf.ParameterError, match="the search for the onset reached g=2"):
        mf.dmft.critical_gain("relu")


# --- issue 9: the Euler map with dt = 1 failed for g >= 3 --------------------------------
# solve(3, "tanh", dt=1.0) raised "Newton-Krylov polishing stopped at residual 3.61e-10
# (tolerance 6.3e-11)".  Cause: the Newton-Krylov Jacobian differentiated the pair
# function in Delta0 by a central difference whose lower table (variance Delta0 - e) was
# evaluated at lag 0, u = Delta0, outside its domain |u| <= Delta0 - e, where the tables
# saturate: dT(Delta)(0)/dDelta0 came out 1.138 instead of 0.171 (erf, g = 3), so the
# Newton step pointed the wrong way once the Picard stage handed over.  Second cause (tanh,
# g >= 10): the Mehler series of the pair table stopped at 4097 terms without converging at
# u = Delta0 (tail 3e-6 of <phi^2> at g = 20), so a "converged" solve was 3e-6 off.

_PHI = {"tanh": np.tanh, "erf": lambda x: special.erf(0.5 * math.sqrt(math.pi) * x)}


def _mean_phi2_quad(f, delta0):
    """<phi(h)^2>, h ~ N(0, Delta0), by adaptive quadrature (independent of the library)."""
    s = math.sqrt(delta0)
    val, _ = integrate.quad(lambda z: f(s * z) ** 2 * math.exp(-0.5 * z * z), 0.0, np.inf,
                            epsabs=0.0, epsrel=1e-13, limit=200)
    return 2.0 * val / math.sqrt(2.0 * math.pi)


def _white_delta0(phi, g):
    """The dt = 1 closed form: Delta0 = g^2 <phi^2>_Delta0 (the scalar fixed point)."""
    f = _PHI[phi]
    return optimize.brentq(lambda d: d - g * g * _mean_phi2_quad(f, d), 1e-6, g * g,
                           xtol=1e-14, rtol=1e-15)


def test_transfer_functions_of_the_closed_form_are_the_library_ones():
    x = np.linspace(-3.0, 3.0, 13)
    for name, f in _PHI.items():
        np.testing.assert_allclose(mf.transfer.get(name).phi(x), f(x), rtol=1e-15, atol=0)


@pytest.mark.parametrize("g", [3.0, 20.0])
@pytest.mark.parametrize("phi", ["tanh", "erf"])
def test_newton_jacobian_in_delta0_uses_no_table_outside_its_domain(phi, g):
    # the Jacobian-vector product of the Euler map along Delta0 against a central difference
    # of the map itself (lags m >= 1 are zero at dt = 1: only lag 0 moves).  Newton solves
    # (J - 1) dx = -r: the entry J - 1 must be right to well under its size (erf, g = 3:
    # it was +0.138 for -0.829)
    M = 129
    d0 = _white_delta0(phi, g)
    prob = _spectral.SpectralProblem([mf.transfer.get(phi)], np.ones(1), np.array([[g * g]]),
                                     np.zeros((1, 1)), np.zeros(1), np.zeros(1), np.zeros(1),
                                     h=1.0, M=M, dt=1.0)
    delta = np.zeros((1, M))
    delta[0, 0] = d0
    v = np.zeros((1, M))
    v[0, 0] = 1.0
    jvp = prob.linearization(delta)(v)
    e = 1e-6 * d0
    fd = (prob.apply(delta + e * v)[0] - prob.apply(delta - e * v)[0]) / (2 * e)
    assert abs(jvp[0, 0] - fd[0, 0]) < 1e-2 * abs(1.0 - fd[0, 0])
    assert np.max(np.abs(jvp[0, 1:])) < 1e-14


def test_truncated_mehler_table_is_exact_at_lag_zero():
    # tanh at Delta0 = 383.7 (g = 20, dt = 1): the truncated series gave <phi^2> 3e-6 low
    tf = mf.transfer.get("tanh")
    d0 = 383.7
    tab = _spectral._PairTable(tf, d0, 0.0, 0.0)
    assert tab.r0 < 1.0                                   # the series did not converge
    ref = _mean_phi2_quad(np.tanh, d0)
    assert tab(np.array([d0]))[0] == pytest.approx(ref, rel=1e-12)
    assert tab(np.array([-d0]))[0] == pytest.approx(-ref, rel=1e-12)       # odd phi
    # inside r0 the truncated series and the quadrature of gaussian.pair agree
    u = d0 * np.array([0.0, 0.3, -0.6, 0.9, tab.r0])
    np.testing.assert_allclose(tab(u), mf.gaussian.pair(tf, u, delta0=d0),
                               rtol=1e-10, atol=1e-14)          # F(0) = <phi>^2 = 0
    np.testing.assert_allclose(tab.deriv(u), mf.gaussian.pair(tf, u, delta0=d0, which="dphi"),
                               rtol=1e-9, atol=1e-14)


# tanh at g >= 5 costs 2-5 s a solve (a Mehler table of 4097 terms per map application):
# the slow suite; both causes are pinned in the fast suite by the two tests above
_SLOW_TANH = pytest.mark.slow


@pytest.mark.parametrize("phi, g", [("erf", 3.0), ("erf", 5.0), ("erf", 10.0), ("erf", 20.0),
                                    ("tanh", 3.0),
                                    pytest.param("tanh", 5.0, marks=_SLOW_TANH),
                                    pytest.param("tanh", 10.0, marks=_SLOW_TANH),
                                    pytest.param("tanh", 20.0, marks=_SLOW_TANH)])
def test_euler_map_dt1_large_gain_reaches_white_closed_form(phi, g):
    # at dt = 1 the map x -> J phi(x) makes the activity white: Delta(0) = g^2 <phi^2>,
    # Delta(m) = 0 for m >= 1
    ref = _white_delta0(phi, g)
    sol = mf.dmft.solve(g, phi, dt=1.0)
    assert sol.success and sol.status == 0 and sol.state == "chaotic"
    assert sol.residual <= 1e-10
    assert abs(sol.delta0 - ref) <= 1e-10 * ref        # the solver's rtol, in units of ref
    assert np.max(np.abs(sol.delta_tau[1:])) <= 1e-12 * ref
    assert abs(sol.delta_inf) <= 1e-12 * ref


@pytest.mark.parametrize("phi", ["erf", pytest.param("tanh", marks=_SLOW_TANH)])
def test_euler_map_dt_half_at_g20_converges(phi):
    # solve(20, dt=0.5) failed (erf: residual 8.7e-4; tanh: out of the 20 s budget)
    g, dt = 20.0, 0.5
    sol = mf.dmft.solve(g, phi, dt=dt)
    assert sol.success and sol.status == 0 and sol.state == "chaotic"
    d, a = sol.delta_tau, 1.0 - dt
    # sane: decays monotonically to 0 (odd phi, no input); with x = dt sum_k a^k eta_{t-k},
    # 0 <= C_phi(m) <= C_phi(0) bounds Delta0 by the white value dt/(2-dt) g^2 <phi^2> below
    # and by g^2 <phi^2> above, itself below the dt = 1 fixed point
    assert np.all(np.diff(d[:40]) < 0) and abs(sol.delta_inf) < 1e-10 * sol.delta0
    p2 = g * g * _mean_phi2_quad(_PHI[phi], sol.delta0)
    assert dt / (2 - dt) * p2 < sol.delta0 < p2 < _white_delta0(phi, g)
    # the Euler map's second-order relation, lag by lag, with F_phi from gaussian.pair:
    # (1 + a^2) D(m) - a (D(m+1) + D(m-1)) = dt^2 g^2 F_phi(D(m); D0), D(-1) = D(1)
    m = np.array([0, 1, 2, 5, 10])
    left = (1 + a * a) * d[m] - a * (d[m + 1] + d[np.abs(m - 1)])
    right = dt * dt * g * g * mf.gaussian.pair(phi, d[m], delta0=sol.delta0)
    np.testing.assert_allclose(left, right, rtol=1e-8, atol=1e-9 * sol.delta0)
