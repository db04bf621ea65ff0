"""Stationary DMFT: analytic limits, method cross-checks, scaling laws."""

import json
import math
from pathlib import Path

import mpmath
import numpy as np
import pytest
from _functions import softsign
from scipy.interpolate import CubicSpline

import meanfield as mf
from meanfield import gaussian as G
from meanfield.dmft import _potential
from meanfield.errors import ParameterError


def test_trivial_fixed_point_below_transition():
    sol = mf.dmft.solve(0.7, "tanh")
    assert sol.delta0 == 0.0 and sol.state == "fixed-point" and sol.method == "static"
    assert sol.success and sol.correlation_time == 0.0
    np.testing.assert_array_equal(sol.delta([0.0, 1.0, 100.0]), 0.0)
    assert mf.dmft.lyapunov(sol) == pytest.approx(0.7 - 1.0, abs=1e-14)


@pytest.mark.parametrize("dt", [0.1, 0.5])
def test_trivial_fixed_point_lyapunov_euler(dt):
    sol = mf.dmft.solve(0.6, "tanh", dt=dt)
    assert sol.delta0 == 0.0
    assert mf.dmft.lyapunov(sol) == pytest.approx(math.log(1 - dt + dt * 0.6) / dt, rel=1e-12)


def test_static_fixed_point_with_quenched_input():
    g, s_i = 0.8, 0.6
    sol = mf.dmft.solve(g, "tanh", input_std=s_i, I0=0.2)
    assert sol.state == "fixed-point"
    rhs = g**2 * G.mean_phi2("tanh", sol.mu, sol.delta0) + s_i**2
    assert sol.delta0 == pytest.approx(rhs, rel=1e-12)
    fp = mf.dmft.fixed_point(g, "tanh", input_std=s_i, I0=0.2)
    assert fp.delta0 == pytest.approx(sol.delta0, rel=1e-12)
    assert fp.bulk_radius == pytest.approx(g * math.sqrt(G.mean_dphi2("tanh", fp.mu, fp.delta0)))
    assert fp.stable and fp.max_real_eigenvalue == pytest.approx(-1 + fp.bulk_radius)


@pytest.mark.parametrize("g,sigma", [(0.3, 0.5), (0.8, 1.0), (0.95, 0.2)])
def test_linear_noise_closed_form(g, sigma):
    sol = mf.dmft.solve(g, "linear", noise=sigma)
    k = math.sqrt(1 - g * g)
    tau = np.array([0.0, 0.1, 0.7, 2.0, 5.0, 20.0])
    exact = sigma**2 * np.exp(-k * tau) / (2 * k)
    np.testing.assert_allclose(sol.delta(tau), exact, rtol=1e-9, atol=1e-12 * exact[0])
    assert sol.correlation_time == pytest.approx(1 / k, rel=1e-8)
    assert sol.decay_rate == pytest.approx(k, rel=1e-10)


def test_linear_noise_euler_closed_form():
    # Euler map: Delta_hat = dt sigma^2 / (1 - 2 a cos + a^2 - dt^2 g^2); roots r, 1/r of
    # a r^2 - (1 + a^2 - dt^2 g^2) r + a = 0 give Delta_k = dt sigma^2 r^k / (a (1/r - r))
    g, sigma, dt = 0.6, 0.7, 0.3
    a = 1 - dt
    b = 1 + a * a - dt * dt * g * g
    r = (b - math.sqrt(b * b - 4 * a * a)) / (2 * a)
    sol = mf.dmft.solve(g, "linear", noise=sigma, dt=dt)
    k = np.arange(6)
    exact = dt * sigma**2 * r**k / (a * (1 / r - r))
    np.testing.assert_allclose(sol.delta_tau[:6], exact, rtol=1e-9)


@pytest.mark.parametrize("g", [1.5])
def test_potential_and_spectral_agree(g):
    p = mf.dmft.solve(g, "tanh")
    s = mf.dmft.solve(g, "tanh", method="spectral")
    assert p.method == "potential" and s.method == "spectral"
    assert s.delta0 == pytest.approx(p.delta0, rel=1e-8)
    tau = np.linspace(0, 30, 61)
    np.testing.assert_allclose(s.delta(tau), p.delta(tau), rtol=0, atol=1e-8 * p.delta0)
    assert s.correlation_time == pytest.approx(p.correlation_time, rel=1e-7)
    assert mf.dmft.lyapunov(s) == pytest.approx(mf.dmft.lyapunov(p), rel=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("g", [1.2, 2.0, 3.0])
def test_potential_and_spectral_agree_slow(g):
    test_potential_and_spectral_agree(g)


@pytest.mark.parametrize("kw", [dict(g=1.5, noise=0.5), dict(g=0.8, noise=1.0),
                                dict(g=2.0, noise=0.5, input_std=0.3)])
def test_noise_potential_and_spectral_agree(kw):
    # the spectral path removes the kink of Delta at tau = 0 analytically (else O(h^2) ~ 2e-5)
    p = mf.dmft.solve(phi="tanh", **kw)
    s = mf.dmft.solve(phi="tanh", method="spectral", **kw)
    assert s.delta0 == pytest.approx(p.delta0, rel=1e-8)
    tau = np.linspace(0, 20, 41)
    np.testing.assert_allclose(s.delta(tau), p.delta(tau), rtol=0, atol=1e-8 * p.delta0)


def test_noise_slope_at_origin():
    # Delta'(0+) = -sigma^2 / 2
    sigma = 0.8
    sol = mf.dmft.solve(1.3, "tanh", noise=sigma)
    h = 1e-4
    slope = (sol.delta(h) - sol.delta(0.0)) / h
    assert slope == pytest.approx(-sigma**2 / 2, rel=1e-3)


def test_energy_condition_reduced_form():
    # odd phi, no mean, no noise: Delta0^2 / 2 = g^2 (E Phi^2 - (E Phi)^2)
    for g in (1.3, 2.0):
        d0 = mf.dmft.solve(g, "tanh").delta0
        var_phi = G.F_Phi("tanh", d0, d0) - G.mean_primitive("tanh", 0.0, d0) ** 2
        assert d0**2 / 2 == pytest.approx(g**2 * var_phi, rel=1e-10)


def test_erf_closed_form_matches_quadrature_path():
    erf = mf.transfer.get("erf")
    quad_erf = mf.transfer.custom(erf.phi, erf.dphi, erf.d2phi, erf.primitive, name="erf-q",
                                  odd=True, strip=1.0)
    a = mf.dmft.solve(1.7, erf)
    b = mf.dmft.solve(1.7, quad_erf)
    assert b.delta0 == pytest.approx(a.delta0, rel=1e-9)
    np.testing.assert_allclose(b.delta([0.5, 2, 8]), a.delta([0.5, 2, 8]), rtol=1e-8)


def test_linear_scaling_near_transition():
    eps = np.array([0.005, 0.01, 0.02])
    d0 = np.array([mf.dmft.solve(1 + e, "tanh").delta0 for e in eps])
    slope = np.polyfit(np.log(eps), np.log(d0), 1)[0]
    assert slope == pytest.approx(1.0, abs=0.03)
    # correlation time diverges as g -> 1+
    tc = [mf.dmft.solve(1 + e, "tanh").correlation_time for e in eps]
    assert tc[0] > tc[1] > tc[2] > 10


def test_critical_gain():
    assert mf.dmft.critical_gain("tanh") == pytest.approx(1.0, abs=1e-9)
    assert mf.dmft.critical_gain("erf") == pytest.approx(1.0, abs=1e-9)
    steep = mf.transfer.custom(lambda x: np.tanh(2 * x), lambda x: 2 / np.cosh(2 * x) ** 2,
                               name="tanh2x", odd=True, strip=math.pi / 4)
    assert mf.dmft.critical_gain(steep) == pytest.approx(0.5, abs=1e-8)


def test_lyapunov_sign_and_onset():
    lam = [mf.dmft.lyapunov(mf.dmft.solve(g, "tanh")) for g in (1.1, 1.5, 2.0)]
    assert 0 < lam[0] < lam[1] < lam[2] < 1


def test_euler_theory_converges_to_continuous():
    # Delta(tau) of the Euler map approaches the continuous theory at first order in dt;
    # Delta0 happens to converge at second order (measured: -5.3e-6, -1.2e-6, -2.8e-7)
    ref = mf.dmft.solve(1.5, "tanh")
    dts = np.array([0.2, 0.1, 0.05])
    sols = [mf.dmft.solve(1.5, "tanh", dt=dt) for dt in dts]
    err_lag = np.array([abs(s.delta(1.0) - ref.delta(1.0)) for s in sols])
    err_0 = np.array([abs(s.delta0 - ref.delta0) for s in sols])
    assert np.polyfit(np.log(dts), np.log(err_lag), 1)[0] == pytest.approx(1.0, abs=0.15)
    assert np.polyfit(np.log(dts), np.log(err_0), 1)[0] == pytest.approx(2.0, abs=0.2)


def test_two_identical_populations_reduce_to_one():
    g = 1.6
    one = mf.dmft.solve(g, "tanh")
    two = mf.dmft.solve(np.full((2, 2), g), "tanh", fractions=[0.3, 0.7])
    np.testing.assert_allclose(two.delta0, one.delta0, rtol=1e-7)
    np.testing.assert_allclose(two.delta([1.0, 4.0]), np.tile(one.delta([1.0, 4.0]), (2, 1)),
                               atol=1e-7)


def test_relu_needs_inhibition():
    with pytest.raises(ParameterError, match="relu"):
        mf.dmft.solve(2.0, "relu")
    sol = mf.dmft.solve(2.0, "relu", J0=-3.0, I0=1.0)
    assert sol.success and sol.mu < 1.0 and sol.delta0 > sol.delta_inf > 0
    # self-consistent mean
    assert sol.mu == pytest.approx(-3.0 * G.mean_phi("relu", sol.mu, sol.delta0) + 1.0, rel=1e-10)


def test_mean_coupling_self_consistency_tanh():
    sol = mf.dmft.solve(1.8, "tanh", J0=0.5, I0=0.3)
    assert sol.mu == pytest.approx(0.5 * G.mean_phi("tanh", sol.mu, sol.delta0) + 0.3, rel=1e-10)
    # Delta_inf satisfies V'(Delta_inf) = 0
    c_inf = G.F_phi("tanh", sol.delta_inf, sol.delta0, sol.mu)
    assert sol.delta_inf == pytest.approx(1.8**2 * c_inf, rel=1e-9)


def test_delta_callable_is_even_and_has_tail():
    sol = mf.dmft.solve(2.0, "tanh")
    t = np.array([0.3, 5.0, 1e3])
    np.testing.assert_array_equal(sol.delta(-t), sol.delta(t))
    assert sol.delta(1e3) == pytest.approx(sol.delta_inf, abs=1e-12)
    assert sol.delta(np.zeros((2, 3))).shape == (2, 3)


def test_convergence_error_is_raised_and_partial_result_attached():
    with pytest.raises(mf.ConvergenceError) as info:
        mf.dmft.solve(1.5, "tanh", method="spectral", max_iter=1, rtol=1e-14)
    assert info.value.result is not None and not info.value.result.success
    res = mf.dmft.solve(1.5, "tanh", method="spectral", max_iter=1, rtol=1e-14, check=False)
    assert not res.success and res.message
    # regression: a failed Newton solve used to extend the lag range three times (each
    # larger grid slower; 90 s here) before giving up, and then report the non-physical
    # spectrum of the unconverged iterate instead of the solver's own message
    assert "max_iter" in res.message or "iteration" in res.message, res.message


# --- numerics of the potential method ------------------------------------------

_REFS = Path(__file__).parent / "data" / "gaussian_refs.json"


def _smooth_tfs():
    return {"tanh": mf.transfer.get("tanh"), "sigmoid": mf.transfer.get("sigmoid"),
            "softsign": softsign()}


def test_lattice_pair_quadrature_against_mpmath():
    # the W fit evaluates F_phi(u) for u > Delta0/2 on one lattice of phi values; against
    # every stored 30-digit reference with u/Delta0 in {0.6, 0.9, 0.99, 1} (Delta0 from 1e-6
    # to 100, mu from -10 to 10): measured worst 1.9e-15 relative (tanh, mu=-10, Delta0=100)
    tfs = _smooth_tfs()
    recs = [r for r in json.loads(_REFS.read_text())["pair"]
            if r["name"] in tfs and r["which"] == "phi" and r["fraction"] >= 0.6]
    assert len(recs) == 168
    got = np.array([_potential._pair_lattice(tfs[r["name"]], np.array([r["delta"]]),
                                             r["delta0"], r["mu"])[0] for r in recs])
    ref = np.array([float(mpmath.mpf(r["value"])) for r in recs])
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=0)


def test_energy_variance_of_primitive_against_mpmath():
    # the energy uses Var Phi(h) = <Phi^2> - <Phi>^2 (one trapezoid rule); reference: the
    # stored 30-digit <Phi^2> (pair at Delta = Delta0) and <Phi>, subtracted at 40 digits.
    # The energy compares g^2 Var Phi with Delta0^2/2, so the tolerance is relative to
    # max(Var, Delta0^2): a variance far below Delta0^2 (sigmoid at mu = -10, Phi nearly
    # constant at -0.69) cannot beat the rounding of Phi (measured 2.2e-10 relative, 5e-13
    # of Delta0^2); elsewhere measured below 1e-13 relative.
    tfs = _smooth_tfs()
    data = json.loads(_REFS.read_text())
    means = {(r["name"], r["mu"], r["delta0"]): r["value"] for r in data["mean"]
             if r["what"] == "Phi"}
    n = 0
    with mpmath.workdps(40):
        for r in data["pair"]:
            if r["name"] in tfs and r["which"] == "Phi" and r["fraction"] == 1.0:
                ref = float(mpmath.mpf(r["value"])
                            - mpmath.mpf(means[r["name"], r["mu"], r["delta0"]]) ** 2)
                model = _potential._Model(tfs[r["name"]], 1.0, 0.0, 0.0, 0.0, 0.0)
                got = model._var_primitive(r["delta0"], r["mu"])
                assert abs(got - ref) <= 1e-10 * max(ref, r["delta0"] ** 2), r
                n += 1
    assert n == 48


def test_chebyshev_energy_operators_are_exact():
    # R(y) = -int_0^1 v W(y v) dv and M(y) = int_0^1 y_v W(y_v) dv, y_v = y + (1 - y) v, as
    # Chebyshev series from those of W (y0 = 1, Delta_inf = 0), against Gauss-Legendre
    # sums of 200 nodes (exact for these degrees) at random points
    rng = np.random.default_rng(5)
    cheb = np.polynomial.chebyshev
    x, w = np.polynomial.legendre.leggauss(200)
    v, w = 0.5 * (x + 1), 0.5 * w
    for n in (48, 64, 96):
        wc = rng.normal(size=n + 1) * 0.8 ** np.arange(n + 1)
        A, B = _potential._energy_operators(n)
        y = rng.uniform(0, 1, 7)
        r_direct = np.array([-(w * v) @ cheb.chebval(2 * yy * v - 1, wc) for yy in y])
        yv = y[:, None] + (1 - y[:, None]) * v
        m_direct = ((yv * cheb.chebval(2 * yv - 1, wc)) * w).sum(axis=1)
        np.testing.assert_allclose(cheb.chebval(2 * y - 1, A @ wc), r_direct, rtol=0, atol=1e-14)
        np.testing.assert_allclose(cheb.chebval(2 * y - 1, B @ wc), m_direct, rtol=0, atol=1e-14)
    c = rng.normal(size=30)
    integ = _potential._cheb_integ(c, 0.7, -1.0)
    np.testing.assert_allclose(integ, cheb.chebint(c, lbnd=-1, scl=0.7), atol=1e-15)
    np.testing.assert_allclose(_potential._cheb_der(c, 0.3), cheb.chebder(c, scl=0.3), atol=1e-13)
    vals = rng.normal(size=41)
    coef = _potential._cheb_coef(vals)
    np.testing.assert_allclose(cheb.chebval(_potential._cheb_points(40), coef), vals, atol=1e-14)


@pytest.mark.parametrize("phi,kw", [("tanh", dict(g=2.0)), ("tanh", dict(g=5.0)),
                                    ("sigmoid", dict(g=2.0, noise=0.3)),
                                    ("tanh", dict(g=2.0, J0=0.5, I0=0.3))])
def test_potential_pair_functions_along_the_trajectory(phi, kw):
    # c_phi and c_dphi come from the Chebyshev fit of W (Price's theorem); they must be
    # F_phi and F_phi' at Delta(tau).  Measured worst: 7e-16 and 2.9e-9 (sigmoid, at tau = 0,
    # relative to max C_phi'); tolerances 1e-13 and 1e-8.  The correlation time equals the
    # cubic-spline integral of the returned Delta(tau) plus the exponential tail (measured
    # agreement 2.6e-10 relative, the spline's own error).
    sol = mf.dmft.solve(phi=phi, **kw)
    assert sol.method == "potential"
    tf = mf.transfer.get(phi)
    i = np.arange(0, len(sol.tau), 9)
    f = G._pair(tf, "phi", sol.delta_tau[i], sol.delta0, sol.mu)
    fd = G._pair(tf, "dphi", sol.delta_tau[i], sol.delta0, sol.mu)
    np.testing.assert_allclose(sol.c_phi_tau[i], f, rtol=0, atol=1e-13 * np.max(f))
    np.testing.assert_allclose(sol.c_dphi_tau[i], fd, rtol=0, atol=1e-8 * np.max(fd))
    y = (sol.delta_tau - sol.delta_inf) / (sol.delta0 - sol.delta_inf)
    corr = CubicSpline(sol.tau, y).integrate(0, sol.tau[-1]) + y[-1] / sol.decay_rate
    assert sol.correlation_time == pytest.approx(corr, rel=3e-9)


def test_stable_fixed_point_below_onset_with_mean_coupling_regression():
    # regression: just below the onset (fixed-point edge -0.013) with a mean coupling and an
    # input, the Euler-map spectral solve did not converge and raised ConvergenceError,
    # although the stationary state is the (stable) static fixed point that the
    # continuous-time solve returns
    kw = dict(J0=-0.2, I0=0.1)
    fp = mf.dmft.fixed_point(1.118, "tanh", **kw)
    assert fp.stable and -0.02 < fp.max_real_eigenvalue < 0
    for dt in (0.1, None):
        sol = mf.dmft.solve(1.118, "tanh", dt=dt, **kw)
        assert sol.success and sol.state == "fixed-point"
        assert sol.delta0 == pytest.approx(fp.delta0, rel=1e-10)
        assert sol.mu == pytest.approx(fp.mu, rel=1e-10)
