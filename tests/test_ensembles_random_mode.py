"""Tests of meanfield.ensembles.RandomMode (the random-mode model of Clark et al.).

Theory-vs-sample tolerances: a fraction of eigenvalues (or singular values) below a threshold
is compared with the limiting CDF within 4 binomial standard errors plus a budget of 2/n, at
thresholds away from the edge of the eigenvalue disk (<= 0.95 g, and 1.2 g), or at quantiles 5-95%
of the nonzero singular values (the measured deviations at n = 300 and 1000 were all below 2
binomial standard errors, eigenvalue counts being more rigid than binomial).  The edge layer of
the disk has width O(n^-1/2): the fraction of eigenvalues beyond g is checked against 1/sqrt(n)
(measured: 0.12-0.63/sqrt(n) on average, 0.81/sqrt(n) for the worst single sample, over five
ensembles at n = 300 and 1000; largest for the single ring, whose density jumps at the edge).
"""

import doctest

import numpy as np
import pytest
from scipy.integrate import quad
from threadpoolctl import threadpool_limits

import meanfield.ensembles.random_mode as random_mode
from meanfield.ensembles import Ensemble, Gaussian, RandomMode
from meanfield.errors import ParameterError


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # the machines are small and shared: BLAS threading makes the SVDs erratic and slow
    with threadpool_limits(1):
        yield


def _fraction_check(values, thresholds, cdf, n):
    """Empirical fractions <= thresholds against the theory CDF: 4 binomial sd + 2/n."""
    emp = np.array([np.mean(values <= t) for t in thresholds])
    sd = np.sqrt(cdf * (1 - cdf) / values.size)
    bad = np.abs(emp - cdf) > 4 * sd + 2.0 / n
    assert not np.any(bad), (thresholds[bad], emp[bad], cdf[bad])


# ---------------------------------------------------------------------------- construction
def test_defaults_and_interface():
    ens = RandomMode(0.5)
    assert isinstance(ens, Ensemble)
    assert ens.spectrum == "flat" and ens.spectrum_exponent is None and ens.overlap == 0.0
    assert RandomMode(1.0, spectrum="exponential").spectrum_exponent == 1.0
    assert ens.outliers().size == 0 and ens.outliers(10).size == 0
    assert hash(RandomMode(1.0, spectrum=lambda x: 1 + x)) is not None  # theory caches need hashing


@pytest.mark.parametrize("kwargs, name", [
    ({"n_modes_ratio": 0.0}, "`n_modes_ratio`"),
    ({"n_modes_ratio": np.nan}, "`n_modes_ratio`"),
    ({"n_modes_ratio": 1.0, "overlap": 1.5}, "`overlap`"),
    ({"n_modes_ratio": 1.0, "scale": np.inf}, "`scale`"),
    ({"n_modes_ratio": 1.0, "spectrum": "gauss"}, "`spectrum`"),
    ({"n_modes_ratio": 1.0, "spectrum": "flat", "spectrum_exponent": 1.0}, "`spectrum_exponent`"),
    ({"n_modes_ratio": 1.0, "spectrum": "power"}, "`spectrum_exponent`"),
    ({"n_modes_ratio": 1.0, "spectrum": "exponential", "spectrum_exponent": 0.0}, "`spectrum_exponent`"),
    ({"n_modes_ratio": 1.0, "spectrum": "power", "spectrum_exponent": -1.0}, "`spectrum_exponent`"),
    ({"n_modes_ratio": 1.0, "spectrum": [1.0, 2.0], "spectrum_exponent": 1.0}, "`spectrum_exponent`"),
    ({"n_modes_ratio": 1.0, "spectrum": []}, "`spectrum`"),
    ({"n_modes_ratio": 1.0, "spectrum": [[1.0, 2.0]]}, "`spectrum`"),
    ({"n_modes_ratio": 1.0, "spectrum": [1.0, np.nan]}, "`spectrum`"),
    ({"n_modes_ratio": 1.0, "spectrum": lambda x: np.log(x - 0.5)}, "`spectrum`"),
    ({"n_modes_ratio": 1.0, "spectrum": lambda x: x["a"]}, "`spectrum`"),
    ({"n_modes_ratio": 1.0, "orthogonal": "yes"}, "`orthogonal`"),
    ({"n_modes_ratio": 1.5, "orthogonal": True}, "`n_modes_ratio`"),
    ({"n_modes_ratio": 0.6, "orthogonal": True, "overlap": 0.5}, "`n_modes_ratio`"),
])
def test_bad_parameters(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        RandomMode(**kwargs)


def test_bad_sample_arguments():
    ens = RandomMode(0.5)
    for n in (0, 2.5, True):
        with pytest.raises(ParameterError, match="`n`"):
            ens.sample(n)
    with pytest.raises(ParameterError, match="`dtype`"):
        ens.sample(4, dtype=np.int32)
    with pytest.raises(ParameterError, match="`seed`"):
        ens.sample(4, seed=-2)
    # orthogonal with 0 < |rho| < 1 needs 2P <= n: P = round(0.5 * 7) = 4 > 3.5
    with pytest.raises(ParameterError, match="2P <= n"):
        RandomMode(0.5, orthogonal=True, overlap=0.3).sample(7)


# ---------------------------------------------------------------------------- the spectrum
def test_mode_spectrum_named_forms_and_rounding():
    ens = RandomMode(0.25, spectrum="exponential", spectrum_exponent=2.0, scale=3.0)
    assert ens.n_modes(10) == 3  # 2.5 rounds up
    assert RandomMode(0.5).n_modes(1) == 1 and RandomMode(0.4).n_modes(1) == 0
    x = np.arange(1, 26) / 25
    np.testing.assert_allclose(ens.mode_spectrum(100), 3.0 * np.exp(-x**2), rtol=1e-15)
    np.testing.assert_allclose(RandomMode(1.0, spectrum="power", spectrum_exponent=0.5).mode_spectrum(4),
                               [4**0.5, 2**0.5, (4 / 3)**0.5, 1.0], rtol=1e-15)
    np.testing.assert_array_equal(RandomMode(2.0).mode_spectrum(3), np.ones(6))
    np.testing.assert_allclose(RandomMode(1.0, spectrum=lambda x: 1 - x).mode_spectrum(4),
                               [0.75, 0.5, 0.25, 0.0])


def test_explicit_values_step_function():
    vals = [3.0, -1.0, 0.5]
    ens = RandomMode(0.5, spectrum=vals)
    np.testing.assert_array_equal(ens.mode_spectrum(6), vals)            # P = K: exactly the list
    np.testing.assert_array_equal(ens.mode_spectrum(12), np.repeat(vals, 2))
    assert ens.mode_moment(2) == pytest.approx(np.mean(np.square(vals)))
    assert ens.coupling_variance == pytest.approx(0.5 * np.mean(np.square(vals)))


@pytest.mark.parametrize("kwargs", [
    {"spectrum": "exponential", "spectrum_exponent": 1.0},
    {"spectrum": "exponential", "spectrum_exponent": 0.5},
    {"spectrum": "power", "spectrum_exponent": 0.2},
])
def test_mode_moments_closed_forms_against_quadrature(kwargs):
    ens = RandomMode(1.0, scale=1.3, **kwargs)
    f = RandomMode(1.0, scale=1.3, spectrum=ens._shape)  # the same spectrum as a callable
    for k in (1, 2, 4, -2):
        exact = quad(lambda x, k=k: (1.3 * ens._shape(np.array([x]))[0]) ** k, 0, 1, limit=200,
                     points=[1e-6, 1e-3])[0]
        assert ens.mode_moment(k) == pytest.approx(exact, rel=1e-7)
        # graded Gauss-Legendre: measured 2.4e-7 for the worst integrand, x^-0.8
        assert f.mode_moment(k) == pytest.approx(exact, rel=1e-6)


def test_power_law_limits():
    assert RandomMode(1.0, spectrum="power", spectrum_exponent=0.3).effective_rank_ratio == 0.0
    with pytest.raises(ParameterError, match="`spectrum_exponent`"):
        _ = RandomMode(1.0, spectrum="power", spectrum_exponent=0.6).coupling_variance
    with pytest.raises(ParameterError, match="`spectrum_exponent`"):
        RandomMode(1.0, spectrum="power", spectrum_exponent=0.3).radial_cdf(0.5)
    ens = RandomMode(2.0, spectrum="power", spectrum_exponent=0.2)
    assert ens.coupling_variance == pytest.approx(2.0 / 0.6)
    assert ens.effective_rank_ratio == pytest.approx(2.0 * (1 / 0.6) ** 2 * 0.2)


# ---------------------------------------------------------------------------- sampling
def test_same_seed_same_matrix_dtype_and_zero_modes():
    for kw in ({}, {"overlap": 0.4}, {"orthogonal": True}, {"orthogonal": True, "overlap": -0.3}):
        ens = RandomMode(0.4, spectrum="exponential", **kw)
        J = ens.sample(40, seed=5)
        assert J.shape == (40, 40) and J.dtype == np.float64
        np.testing.assert_array_equal(J, ens.sample(40, seed=5))
        assert not np.array_equal(J, ens.sample(40, seed=6))
        assert ens.sample(40, seed=5, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(RandomMode(0.01).sample(10, seed=0), np.zeros((10, 10)))


def test_rank_is_number_of_modes():
    J = RandomMode(0.3, spectrum="exponential").sample(100, seed=1)
    assert np.linalg.matrix_rank(J) == 30


def test_entry_statistics_exact_at_finite_n():
    # off-diagonal variance sum_a D_a^2 / n^2 (any rho) and diagonal mean rho sum_a D_a / n,
    # exact for Gaussian modes; per-seed estimates averaged over 30 seeds, 4 stderr
    n, seeds = 60, 30
    ens = RandomMode(0.5, spectrum="exponential", overlap=0.6)
    D = ens.mode_spectrum(n)
    off = ~np.eye(n, dtype=bool)
    var, diag = [], []
    for s in range(seeds):
        J = ens.sample(n, seed=s)
        var.append(np.mean(J[off] ** 2))
        diag.append(np.mean(np.diag(J)))
    for est, exact in ((var, np.sum(D**2) / n**2), (diag, 0.6 * np.sum(D) / n)):
        m, se = np.mean(est), np.std(est, ddof=1) / np.sqrt(seeds)
        assert abs(m - exact) < 4 * se, (m, se, exact)
    # large-n limits: coupling variance alpha <D^2> and mean rho alpha <D> (O(1/P) discretisation)
    assert np.sum(D**2) / n == pytest.approx(ens.coupling_variance, rel=3 / D.size)
    assert 0.6 * np.sum(D) / n == pytest.approx(ens.diagonal_mean, rel=3 / D.size)


def test_orthogonal_modes_singular_values_are_the_spectrum():
    n = 80
    for rho in (0.0, 0.5, -1.0):
        ens = RandomMode(0.5, spectrum="exponential", orthogonal=True, overlap=rho)
        sv = np.linalg.svd(ens.sample(n, seed=2), compute_uv=False)
        D = np.sort(np.abs(ens.mode_spectrum(n)))[::-1]
        np.testing.assert_allclose(sv[:D.size], D, atol=1e-12)
        assert np.all(sv[D.size:] < 1e-12)
    # R_eff = PR^D exactly for every sample (rho = 0)
    ens = RandomMode(0.5, spectrum="exponential", orthogonal=True)
    s2 = np.linalg.svd(ens.sample(n, seed=3), compute_uv=False) ** 2
    assert s2.sum()**2 / np.sum(s2**2) == pytest.approx(ens.effective_rank_J(n), rel=1e-10)


# ---------------------------------------------------------------------------- effective rank
def test_effective_rank_formulas():
    ens = RandomMode(0.5, spectrum="exponential")
    D = ens.mode_spectrum(200)
    assert ens.effective_rank(200) == pytest.approx(np.sum(D**2)**2 / np.sum(D**4))
    assert ens.effective_rank(10**6) / 10**6 == pytest.approx(ens.effective_rank_ratio, rel=1e-5)
    # rho = 0, x = n / PR^D: n / R_eff = x + 2; finite n: + (1 + 2x)/n - (4x^2 + 7x + 4)/n^2 + O(n^-3)
    # (the n^-3 coefficient measured here: -100, i.e. about -2 (1 + x)^3)
    for n in (200, 1600):
        x = n / ens.effective_rank(n)
        assert n / ens.effective_rank_J(n) == pytest.approx(x + 2, rel=1e-13)
        series = x + 2 + (1 + 2 * x) / n - (4 * x * x + 7 * x + 4) / n**2
        exact = n / ens.effective_rank_J(n, finite_size=True)
        assert exact == pytest.approx(series, abs=3 * (1 + x)**3 / n**3)
    # iid limit N/2 (flat, alpha -> infinity), product of two Ginibre N/3 (flat, alpha = 1)
    assert RandomMode(1.0).effective_rank_J(300) == pytest.approx(100.0, rel=1e-14)
    assert RandomMode(1e4, scale=1e-2).effective_rank_J(300) == pytest.approx(300 / (2 + 1e-4))
    with pytest.raises(ParameterError, match="`finite_size`"):
        ens.effective_rank_J(10, finite_size=1)
    with pytest.raises(ParameterError, match="overlap"):
        RandomMode(0.3, orthogonal=True, overlap=0.5).effective_rank_J(10)
    with pytest.raises(ParameterError, match="undefined"):
        RandomMode(0.01).effective_rank_J(10)
    with pytest.raises(ParameterError, match="no nonzero mode"):
        RandomMode(0.5, scale=0.0).effective_rank(10)


def _sampled_n_over_rank(ens, n, seeds):
    """Mean and stderr over seeds 0..seeds-1 of n / R_eff = n tr(JJ^T)^2 / (tr JJ^T)^2."""
    x = []
    for s in range(seeds):
        s2 = np.linalg.svd(ens.sample(n, seed=s), compute_uv=False) ** 2
        x.append(n * np.sum(s2**2) / s2.sum()**2)
    return np.mean(x), np.std(x, ddof=1) / np.sqrt(seeds)


@pytest.mark.parametrize("kwargs", [{"n_modes_ratio": 0.5, "spectrum": "exponential"},
                                    {"n_modes_ratio": 0.5, "overlap": 0.6, "spectrum": "exponential"},
                                    {"n_modes_ratio": 1.0}])  # product of two Ginibre: n/3
def test_effective_rank_of_samples(kwargs):
    # mean of n / R_eff over 40 seeds at n = 150 against the exact finite-n ratio of expectations:
    # 4 stderr + the O(n^-2) ratio bias (measured at n = 100: <= 0.02, so 0.02 (100/n)^2 here)
    n, seeds = 150, 40
    ens = RandomMode(**kwargs)
    m, se = _sampled_n_over_rank(ens, n, seeds)
    finite = n / ens.effective_rank_J(n, finite_size=True)
    limit = n / ens.effective_rank_J(n)
    assert abs(m - finite) < 4 * se + 0.02 * (100 / n) ** 2, (m, se, finite)
    assert abs(m - limit) < 4 * se + abs(finite - limit) + 0.02 * (100 / n) ** 2


# ---------------------------------------------------------------------------- spectral theory
def test_theory_needs_zero_overlap():
    ens = RandomMode(0.5, overlap=0.2)
    for call in (lambda: ens.spectral_radius, lambda: ens.radial_cdf(0.5), lambda: ens.outliers(),
                 lambda: ens.eigenvalue_density(0.1), lambda: ens.singular_value_density(0.5),
                 lambda: ens.singular_value_cdf(0.5), lambda: ens.inner_radius):
        with pytest.raises(ParameterError, match="overlap"):
            call()
    assert ens.coupling_variance == 0.5 and ens.diagonal_mean == pytest.approx(0.1)


def test_theory_rejects_bad_input():
    ens = RandomMode(0.5)
    with pytest.raises(ParameterError, match="`r`"):
        ens.radial_cdf(-1.0)
    with pytest.raises(ParameterError, match="`z`"):
        ens.eigenvalue_density(np.nan)
    with pytest.raises(ParameterError, match="`s`"):
        ens.singular_value_density([0.5, np.inf])
    with pytest.raises(ParameterError, match="point mass"):
        RandomMode(0.5, scale=0.0).radial_cdf(0.5)
    with pytest.raises(ParameterError, match="circle"):
        RandomMode(1.0, orthogonal=True).eigenvalue_density(0.5)
    with pytest.raises(ParameterError, match="closed form"):
        RandomMode(0.5, orthogonal=True, spectrum=lambda x: 1 + x).singular_value_density(1.2)


def test_radial_cdf_closed_forms_and_normalisation():
    r = np.linspace(0.0, 1.2, 13)
    # product of two Ginibre matrices (flat, alpha = 1): F = r
    np.testing.assert_allclose(RandomMode(1.0).radial_cdf(r), np.minimum(r, 1.0), atol=1e-12)
    # flat Gaussian modes: r^2 = F (alpha + F - 1) / alpha (scale^2 = 1/alpha), -> uniform disk
    a = 50.0
    F = (-(a - 1) + np.sqrt((a - 1) ** 2 + 4 * a * r**2)) / 2
    np.testing.assert_allclose(RandomMode(a, scale=a**-0.5).radial_cdf(r), np.minimum(F, 1), atol=1e-12)
    # truncated Haar (orthogonal flat, alpha < 1): F = (1 - alpha) / (1 - r^2) on r^2 <= alpha
    ens = RandomMode(0.4, orthogonal=True)
    rr = np.sqrt(0.4) * np.linspace(0, 1, 9)
    np.testing.assert_allclose(ens.radial_cdf(rr), 0.6 / (1 - rr**2), atol=1e-12)
    np.testing.assert_allclose(ens.eigenvalue_density(rr[1:-1]), 0.6 / (np.pi * (1 - rr[1:-1]**2) ** 2),
                               rtol=1e-8)
    # the density integrates to min(1, alpha) and F(0) is the point mass at 0
    for ens in (RandomMode(0.5, spectrum="exponential"), RandomMode(2.0, spectrum="exponential")):
        g = ens.spectral_radius
        mass = quad(lambda x, e=ens: 2 * np.pi * x * e.eigenvalue_density(x), 0, g, limit=200)[0]
        assert mass == pytest.approx(min(1.0, ens.n_modes_ratio), abs=1e-8)
        assert ens.radial_cdf(0.0) == pytest.approx(max(0.0, 1 - ens.n_modes_ratio), abs=1e-12)
        assert ens.radial_cdf(g) == 1.0 and ens.inner_radius == 0.0
        assert g == pytest.approx(np.sqrt(ens.coupling_variance))


def test_iid_limit_of_singular_values():
    # flat spectrum, D^2 = 1/alpha: the quarter-circle law of Ginibre, in the bulk up to O(1/alpha)
    # (measured 0.0172, 0.0046, 0.0012 for alpha = 25, 100, 400 on s <= 1.8; the edge at 2 moves
    # by O(1/alpha), so there the error is O(alpha^-1/2))
    s = np.linspace(0.05, 1.8, 30)
    qc = Gaussian(1.0).singular_value_density(s)
    err = [np.max(np.abs(RandomMode(a, scale=a**-0.5).singular_value_density(s) - qc)) for a in (25.0, 100.0)]
    assert err[1] < 0.006 and 3.5 < err[0] / err[1] < 4.5, err


def test_singular_value_cdf_normalisation():
    for ens in (RandomMode(0.5, spectrum="exponential"), RandomMode(1.0), RandomMode(2.0)):
        grid, cdf = random_mode._sv_cdf_table(ens)
        assert cdf[-1] == pytest.approx(1.0, abs=3e-4)   # trapezoid rule (measured ~1e-4)
        assert np.all(np.diff(cdf) >= 0)
    ens = RandomMode(0.5, spectrum="exponential", spectrum_exponent=2.0, orthogonal=True)
    assert ens.singular_value_cdf(0.0) == pytest.approx(0.5)
    mass = quad(ens.singular_value_density, np.exp(-1), 1.0, limit=200)[0]
    assert mass == pytest.approx(0.5, rel=1e-8)
    assert ens.singular_value_cdf(0.6) == pytest.approx(0.5 + quad(ens.singular_value_density,
                                                                   np.exp(-1), 0.6)[0], abs=1e-10)


@pytest.mark.parametrize("kwargs", [
    {"n_modes_ratio": 0.5, "spectrum": "exponential"},
    {"n_modes_ratio": 2.0, "spectrum": [1.0, 0.3]},
    {"n_modes_ratio": 1.0, "spectrum": "exponential", "orthogonal": True},
])
def test_spectra_of_samples(kwargs):
    n, seeds = 300, 2
    ens = RandomMode(**kwargs)
    sv, ev = [], []
    for s in range(seeds):
        J = ens.sample(n, seed=s)
        sv.append(np.linalg.svd(J, compute_uv=False))
        ev.append(np.abs(np.linalg.eigvals(J)))
    sv, ev = np.concatenate(sv), np.concatenate(ev)
    qs = np.quantile(sv[sv > 1e-8], [0.1, 0.3, 0.5, 0.7, 0.9])
    _fraction_check(sv, qs, ens.singular_value_cdf(qs), n)
    rs = ens.spectral_radius * np.array([0.2, 0.4, 0.6, 0.8, 0.95, 1.2])
    _fraction_check(ev, rs, ens.radial_cdf(rs), n)
    assert np.mean(ev > ens.spectral_radius) < 1.0 / np.sqrt(n)
    if ens.orthogonal:  # single ring: no eigenvalue well inside the inner radius
        assert ens.inner_radius == pytest.approx(np.sqrt(2 / (np.e**2 - 1)))
        assert np.mean(ev < 0.9 * ens.inner_radius) < 2.0 / n


def test_doctests():
    result = doctest.testmod(random_mode, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# ---------------------------------------------------------------------------- slow checks
@pytest.mark.slow
@pytest.mark.parametrize("kwargs", [
    {"n_modes_ratio": 0.5, "spectrum": "exponential"},
    {"n_modes_ratio": 2.0, "spectrum": "exponential", "spectrum_exponent": 2.0},
    {"n_modes_ratio": 1.0},
    {"n_modes_ratio": 0.3, "spectrum": "power", "spectrum_exponent": 0.2},
    {"n_modes_ratio": 0.8, "spectrum": lambda x: 1.0 / (1.0 + 4.0 * x)},
    {"n_modes_ratio": 0.6, "spectrum": "exponential", "orthogonal": True},
])
def test_spectra_of_samples_large_n(kwargs):
    n, seeds = 1000, 3
    ens = RandomMode(**kwargs)
    sv, ev = [], []
    for s in range(seeds):
        J = ens.sample(n, seed=100 + s)
        sv.append(np.linalg.svd(J, compute_uv=False))
        ev.append(np.abs(np.linalg.eigvals(J)))
    sv, ev = np.concatenate(sv), np.concatenate(ev)
    qs = np.quantile(sv[sv > 1e-8], np.linspace(0.05, 0.95, 10))
    _fraction_check(sv, qs, ens.singular_value_cdf(qs), n)
    rs = ens.spectral_radius * np.concatenate([np.linspace(0.1, 0.9, 9), [1.2]])
    _fraction_check(ev, rs, ens.radial_cdf(rs), n)
    assert np.mean(ev > ens.spectral_radius) < 1.0 / np.sqrt(n)


@pytest.mark.slow
@pytest.mark.parametrize("kwargs", [
    {"n_modes_ratio": 1.0, "spectrum": "power", "spectrum_exponent": 0.2},
    {"n_modes_ratio": 0.7, "spectrum": [1.0, -2.0, 0.5], "overlap": 0.3},
    {"n_modes_ratio": 1.0, "overlap": -1.0},
])
def test_effective_rank_of_samples_large_n(kwargs):
    n, seeds = 400, 60
    ens = RandomMode(**kwargs)
    m, se = _sampled_n_over_rank(ens, n, seeds)
    finite = n / ens.effective_rank_J(n, finite_size=True)
    assert abs(m - finite) < 4 * se + 0.02 * (100 / n) ** 2, (m, se, finite)
