"""Tests of meanfield.ensembles.Elliptic."""

import numpy as np
import pytest
from scipy.integrate import quad
from threadpoolctl import threadpool_limits

from meanfield.ensembles import Elliptic, Ensemble, Gaussian
from meanfield.errors import ParameterError

# Eigenvalue fractions at n = 1000: 4 binomial standard errors plus an edge budget 0.5/sqrt(n)
# (finite-n smearing of the edge).  Measured over seeds 0-9 (tau = 0.5, -0.6, 1; radii 0.4-1.6):
# the largest deviation of a fraction was 0.013; the tolerance is 0.016 where F = 1, 0.04-0.08
# elsewhere.
EDGE = 0.5


def _frac_tol(F, n):
    return 4 * np.sqrt(F * (1 - F) / n) + EDGE / np.sqrt(n)


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(1):
        yield


@pytest.mark.parametrize("kwargs, name", [({"g": -1.0}, "`g`"), ({"g": np.nan}, "`g`"),
                                          ({"g": 1.0, "tau": 1.5}, "`tau`"),
                                          ({"g": 1.0, "tau": -1.01}, "`tau`"),
                                          ({"g": 1.0, "tau": "a"}, "`tau`")])
def test_bad_parameters(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        Elliptic(**kwargs)


def test_bad_call_arguments():
    with pytest.raises(ParameterError, match="`tau`"):
        Elliptic(1.0, 1.0).eigenvalue_density(0.5)
    with pytest.raises(ParameterError, match="`g`"):
        Elliptic(0.0, 0.5).eigenvalue_density(0.5)
    with pytest.raises(ParameterError, match="line_density"):
        Elliptic(1.0, 0.5).line_density(0.5)
    with pytest.raises(ParameterError, match="`r`"):
        Elliptic(1.0, 0.5).radial_cdf([-1.0])
    with pytest.raises(ParameterError, match="`n`"):
        Elliptic(1.0, 0.5).sample(0)
    with pytest.raises(ParameterError, match="`seed`"):
        Elliptic(1.0, 0.5).sample(3, seed=-2)


def test_seed_reproducible_and_dtype():
    ens = Elliptic(1.3, 0.4)
    assert np.array_equal(ens.sample(40, seed=1), ens.sample(40, seed=1))
    assert not np.array_equal(ens.sample(40, seed=1), ens.sample(40, seed=2))
    assert ens.sample(40, seed=1, dtype=np.float32).dtype == np.float32
    assert isinstance(ens, Ensemble)


@pytest.mark.parametrize("tau", [0.6, 0.0, -0.4, 1.0, -1.0])
def test_entry_statistics(tau):
    n, g = 400, 1.5
    J = Elliptic(g, tau).sample(n, seed=7) * np.sqrt(n) / g
    iu = np.triu_indices(n, 1)
    x, y = J[iu], J.T[iu]
    m = x.size
    assert abs(x.mean()) < 4 / np.sqrt(m)
    assert abs(x.var() - 1) < 4 * np.sqrt(2 / m)
    # sample correlation: standard error (1 - tau^2)/sqrt(m) for bivariate Gaussians
    if abs(tau) < 1:
        corr = np.corrcoef(x, y)[0, 1]
        assert abs(corr - tau) < 4 * (1 - tau ** 2) / np.sqrt(m) + 1e-12
    else:
        np.testing.assert_allclose(y, tau * x, atol=1e-12)
    d = np.diag(J)
    if tau == -1.0:
        assert np.all(d == 0)
    else:
        var = 1 + tau
        assert abs(d.var() - var) < 4 * var * np.sqrt(2 / n)


def test_radial_cdf_limits_and_geometry():
    # tau = 0: the circular law of Gaussian(g)
    r = np.linspace(0, 2.0, 41)
    np.testing.assert_allclose(Elliptic(1.3, 0.0).radial_cdf(r), Gaussian(1.3).radial_cdf(r),
                               atol=1e-15)
    # continuity at r = B and r = A, symmetry in tau, monotone, and tau -> 1 approaches the semicircle
    ens = Elliptic(1.0, 0.5)
    A, B = ens.semi_axes
    for edge in (A, B):
        lo, hi = ens.radial_cdf([edge * (1 - 1e-9), edge * (1 + 1e-9)])
        assert abs(hi - lo) < 1e-7
    np.testing.assert_allclose(Elliptic(1.0, -0.5).radial_cdf(r), ens.radial_cdf(r), atol=1e-15)
    assert np.all(np.diff(ens.radial_cdf(r)) >= 0)
    np.testing.assert_allclose(Elliptic(1.0, 1 - 1e-7).radial_cdf(r), Elliptic(1.0, 1.0).radial_cdf(r),
                               atol=1e-3)
    # against a direct quadrature of the uniform density over the disk (polar coordinates)
    for R in (0.4, 0.9, 1.2, 1.45):
        area = quad(lambda th, R=R: 0.5 * min(R, A * B / np.hypot(B * np.cos(th), A * np.sin(th))) ** 2,
                    0, np.pi / 2, limit=500, epsabs=1e-13, epsrel=1e-13)[0] * 4
        assert float(ens.radial_cdf(R)) == pytest.approx(area / (np.pi * A * B), abs=1e-9)
    # the semicircle CDF and its line density agree
    sc = Elliptic(1.0, 1.0)
    for R in (0.5, 1.5):
        assert float(sc.radial_cdf(R)) == pytest.approx(2 * quad(sc.line_density, 0, R)[0], abs=1e-10)
    assert float(sc.radial_cdf(2.0)) == 1.0


def test_density_inside_ellipse():
    ens = Elliptic(2.0, 0.25)
    a, b = ens.semi_axes
    assert (a, b) == (2.5, 1.5)
    dens = ens.eigenvalue_density([0, 2.4, 2.6, 1.4j, 1.6j])
    np.testing.assert_allclose(dens, [1 / (np.pi * a * b)] * 2 + [0] + [1 / (np.pi * a * b), 0])
    assert ens.spectral_radius == 2.5 and ens.coupling_variance == 4.0
    assert ens.outliers().size == 0


@pytest.mark.parametrize("tau", [0.5, -0.6, 1.0])
def test_against_sampled_eigenvalues(tau):
    n, g = 1000, 1.0
    ens = Elliptic(g, tau)
    ev = np.linalg.eigvals(ens.sample(n, seed=0))
    for R in (0.4, 0.8, 1.2, 1.6):
        F = float(ens.radial_cdf(R))
        assert abs(np.mean(np.abs(ev) <= R) - F) < _frac_tol(F, n), (R, F)
    # orientation: the real parts of a uniform ellipse have the semicircle marginal on [-a, a]
    a, b = ens.semi_axes
    along, across = (ev.real, ev.imag) if tau >= 0 else (ev.imag, ev.real)
    big = max(a, b)
    for x in (0.3, 0.7):
        F = 2 / np.pi * (np.arcsin(x) + x * np.sqrt(1 - x ** 2))
        assert abs(np.mean(np.abs(along) <= x * big) - F) < _frac_tol(F, n)
    assert np.max(np.abs(across)) < min(a, b) + 4 / np.sqrt(n) if abs(tau) < 1 else \
        np.max(np.abs(across)) < 1e-8


@pytest.mark.parametrize("tau", [0.0, 0.7, -1.0])
def test_singular_values_quarter_circle(tau):
    n = 800
    ens = Elliptic(1.2, tau)
    assert quad(ens.singular_value_density, 0, 2.4)[0] == pytest.approx(1.0, abs=1e-8)
    sv = np.linalg.svd(ens.sample(n, seed=3), compute_uv=False)
    for s in (0.4, 1.0, 1.8):
        F = quad(ens.singular_value_density, 0, s)[0]
        assert abs(np.mean(sv <= s) - F) < _frac_tol(F, n)
