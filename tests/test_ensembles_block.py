"""Tests of meanfield.ensembles.BlockVariance (cell-type variance profiles)."""

import numpy as np
import pytest
from scipy.integrate import quad, trapezoid
from threadpoolctl import threadpool_limits

from meanfield.ensembles import BlockVariance, Ensemble, Gaussian, RajanAbbott
from meanfield.errors import ParameterError

# Eigenvalue fractions at n = 1000: 4 binomial standard errors plus an edge budget 0.5/sqrt(n).
# Measured over seeds 0-9 for the three profiles of the sample test (radii 0.3, 0.6, 0.9 r):
# largest deviation 0.016 (bipartite), against tolerances of 0.03-0.08.  The largest modulus
# of the 3-population profile exceeded r by at most 1.4 r/sqrt(n) (budget 4 r/sqrt(n)).
EDGE = 0.5
B3 = ([0.5, 0.3, 0.2], [[1.0, 2.0, 0.3], [0.5, 1.0, 1.5], [2.0, 0.1, 0.7]])


def _frac_tol(F, n):
    return 4 * np.sqrt(F * (1 - F) / n) + EDGE / np.sqrt(n)


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(1):
        yield


@pytest.mark.parametrize("fractions, g, name", [
    ([0.5, 0.6], [[1, 1], [1, 1]], "`fractions`"),
    ([1.2, -0.2], [[1, 1], [1, 1]], "`fractions`"),
    ([], [], "`fractions`"),
    ([[0.5, 0.5]], [[1, 1], [1, 1]], "`fractions`"),
    ([0.5, 0.5], [[1, 1, 1], [1, 1, 1]], "`g_matrix`"),
    ([0.5, 0.5], [[1, -1], [1, 1]], "`g_matrix`"),
    ([0.5, 0.5], [[1, np.nan], [1, 1]], "`g_matrix`"),
    ([0.5, 0.5], "ab", "`g_matrix`"),
])
def test_bad_parameters(fractions, g, name):
    with pytest.raises(ParameterError, match=name):
        BlockVariance(fractions, g)


def test_bad_call_arguments():
    ens = BlockVariance(*B3)
    with pytest.raises(ParameterError, match="`r`"):
        ens.radial_cdf(-0.5)
    with pytest.raises(ParameterError, match="`z`"):
        ens.eigenvalue_density(np.inf)
    with pytest.raises(ParameterError, match="`n`"):
        ens.sample(0)
    with pytest.raises(ParameterError, match="`g_matrix`"):
        BlockVariance([1.0], [[0.0]]).eigenvalue_density(0.1)


def test_structure_and_seeds():
    ens = BlockVariance(*B3)
    assert isinstance(ens, Ensemble)
    assert ens.fractions == (0.5, 0.3, 0.2)  # stored as tuples: hashable, comparable
    assert ens == BlockVariance(np.array(B3[0]), np.array(B3[1])) and hash(ens) == hash(BlockVariance(*B3))
    np.testing.assert_array_equal(ens.population_sizes(10), [5, 3, 2])
    assert ens.population_sizes(7).sum() == 7
    assert np.array_equal(ens.sample(30, seed=2), ens.sample(30, seed=2))
    assert not np.array_equal(ens.sample(30, seed=2), ens.sample(30, seed=3))
    assert ens.sample(30, seed=2, dtype=np.float32).dtype == np.float32
    M = ens.variance_matrix
    assert M[0, 1] == pytest.approx(0.3 * 4.0)
    assert ens.spectral_radius == pytest.approx(np.sqrt(np.max(np.linalg.eigvals(M).real)))
    alpha, g = np.array(B3[0]), np.array(B3[1])
    assert ens.coupling_variance == pytest.approx(np.sum(alpha[:, None] * alpha[None, :] * g ** 2))
    assert ens.outliers().size == 0


def test_entry_variances_per_block():
    n = 600
    ens = BlockVariance(*B3)
    J = ens.sample(n, seed=4) * np.sqrt(n)
    edges = np.concatenate([[0], np.cumsum(ens.population_sizes(n))])
    for a in range(3):
        for b in range(3):
            x = J[edges[a]:edges[a + 1], edges[b]:edges[b + 1]].ravel()
            var = ens.g[a, b] ** 2
            assert abs(x.mean()) < 4 * np.sqrt(var / x.size)
            assert abs(x.var() - var) < 4 * var * np.sqrt(2 / x.size)


def test_equal_gains_give_the_uniform_disk():
    ens = BlockVariance([0.2, 0.5, 0.3], np.full((3, 3), 1.4))
    r = np.linspace(0, 1.6, 33)
    assert ens.spectral_radius == pytest.approx(1.4)
    np.testing.assert_allclose(ens.radial_cdf(r), Gaussian(1.4).radial_cdf(r), atol=1e-12)
    np.testing.assert_allclose(ens.eigenvalue_density(r), Gaussian(1.4).eigenvalue_density(r),
                               rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("f, se, si", [(0.8, 0.5, 1.0), (0.3, 2.0, 0.7)])
def test_column_structure_is_rajan_abbott(f, se, si):
    ra = RajanAbbott(f, 1.0, se, si)
    cols = BlockVariance([f, 1 - f], [[se, si], [se, si]])
    rows = BlockVariance([f, 1 - f], [[se, se], [si, si]])   # X^T: the same eigenvalues
    r = np.linspace(0, 1.1 * ra.spectral_radius, 50)
    assert cols.spectral_radius == pytest.approx(ra.spectral_radius, rel=1e-13)
    for ens in (cols, rows):
        np.testing.assert_allclose(ens.radial_cdf(r), ra.radial_cdf(r, form="closed"), atol=1e-10)
        d = ra.eigenvalue_density(r, form="closed")
        np.testing.assert_allclose(ens.eigenvalue_density(r), d, atol=1e-10 * d.max())
    s = np.linspace(0.05, 2.5 * max(se, si), 40)
    np.testing.assert_allclose(cols.singular_value_density(s), ra.singular_value_density(s),
                               atol=1e-7)


def test_reducible_profiles():
    # block diagonal: a mixture of two disks of radii sqrt(alpha_a) g_aa
    diag = BlockVariance([0.3, 0.7], [[2.0, 0.0], [0.0, 0.5]])
    ff = BlockVariance([0.3, 0.7], [[2.0, 0.0], [1.0, 0.5]])   # feed-forward: same eigenvalues
    r = np.linspace(0, 1.3, 27)
    mix = 0.3 * np.minimum(r ** 2 / (0.3 * 4.0), 1) + 0.7 * np.minimum(r ** 2 / (0.7 * 0.25), 1)
    np.testing.assert_allclose(diag.radial_cdf(r), mix, atol=1e-13)
    np.testing.assert_allclose(ff.radial_cdf(r), mix, atol=1e-13)
    assert ff.spectral_radius == pytest.approx(np.sqrt(1.2))
    # a population with no inputs: its eigenvalues sit at 0
    zero = BlockVariance([0.3, 0.7], [[0.0, 0.0], [1.0, 1.0]])
    assert float(zero.radial_cdf(0.0)) == pytest.approx(0.3)
    np.testing.assert_allclose(zero.radial_cdf(r), 0.3 + 0.7 * np.minimum(r ** 2 / 0.7, 1), atol=1e-13)


def test_density_integrates_to_cdf_and_bipartite_point_mass():
    ens = BlockVariance(*B3)
    R = ens.spectral_radius
    for x in (0.4 * R, 0.8 * R):
        val = quad(lambda t: 2 * np.pi * t * ens.eigenvalue_density(t), 0, x, epsabs=1e-11)[0]
        assert val == pytest.approx(float(ens.radial_cdf(x)), abs=1e-8)
    F = ens.radial_cdf(np.linspace(0, 1.01 * R, 60))
    assert np.all(np.diff(F) >= 0) and F[0] == pytest.approx(0, abs=1e-12) and F[-1] == 1.0
    # bipartite blocks of sizes 0.4 n, 0.6 n: rank <= 0.8 n, so 0.2 of the eigenvalues are 0
    bip = BlockVariance([0.4, 0.6], [[0.0, 1.5], [0.8, 0.0]])
    assert float(bip.radial_cdf(0.0)) == pytest.approx(0.2, abs=1e-10)


@pytest.mark.parametrize("fractions, g", [B3, ([0.4, 0.6], [[0.0, 1.5], [0.8, 0.0]]),
                                          ([0.1, 0.9], [[4.0, 0.3], [0.2, 0.5]])])
def test_radial_cdf_against_sampled_eigenvalues(fractions, g):
    n = 1000
    ens = BlockVariance(fractions, g)
    ev = np.abs(np.linalg.eigvals(ens.sample(n, seed=0)))
    R = ens.spectral_radius
    for frac in (0.3, 0.6, 0.9):
        F = float(ens.radial_cdf(frac * R))
        assert abs(np.mean(ev <= frac * R) - F) < _frac_tol(F, n), (frac, F)
    if fractions == B3[0]:
        assert abs(ev.max() - R) < 4 * R / np.sqrt(n)


def test_singular_values_against_samples():
    n = 1000
    ens = BlockVariance(*B3)
    x = np.linspace(1e-3, 4.5, 600)
    d = ens.singular_value_density(x)
    assert d[-1] < 1e-9  # outside the support: only the eta = 1e-10 smoothing is left
    cdf = np.concatenate([[0], np.cumsum(0.5 * (d[1:] + d[:-1]) * np.diff(x))])
    assert cdf[-1] == pytest.approx(1.0, abs=2e-3)       # trapezoid on 600 points
    sv = np.linalg.svd(ens.sample(n, seed=1), compute_uv=False)
    for s in (0.3, 0.8, 1.5):
        F = float(np.interp(s, x, cdf))
        assert abs(np.mean(sv <= s) - F) < _frac_tol(F, n) + 2e-3
    # equal gains: the quarter-circle law
    eq = BlockVariance([0.5, 0.5], np.full((2, 2), 1.2))
    s = np.array([0.1, 1.0, 2.0, 2.3])
    np.testing.assert_allclose(eq.singular_value_density(s), Gaussian(1.2).singular_value_density(s),
                               rtol=1e-8)
    assert trapezoid(eq.singular_value_density(np.linspace(0, 2.4, 200)), np.linspace(0, 2.4, 200)) \
        == pytest.approx(1.0, abs=2e-3)


def test_singular_density_returned_unconverged_newton_iterates_regression():
    # issue 7: _singular_density returned the last Newton iterates without a residual check.
    # For this profile (gains over six decades) the iteration, run in absolute units, left
    # residuals up to 1e2 and a density whose integral was 1.113 and second moment 81040
    # (3.4 % off).  Now solved in units of the singular-value scale, every residual checked.
    ens = BlockVariance([0.84, 0.16], [[0.0231, 763.6], [0.0, 5.153e-4]])
    s = np.geomspace(1e-12, 1e4, 4001)
    p = ens.singular_value_density(s)
    assert np.all(np.isfinite(p)) and np.all(p >= 0)
    # trapezoid in log s on this grid: errors 5e-5 (integral) and 2.3e-4 (second moment),
    # against 2.3e-3 at 2001 points: the square-root edges converge slowly
    assert trapezoid(p * s, np.log(s)) == pytest.approx(1.0, rel=1e-3)
    # second moment: (1/n) E tr J J^T = sum_ab alpha_a alpha_b g_ab^2
    assert trapezoid(p * s ** 3, np.log(s)) == pytest.approx(ens.coupling_variance, rel=1e-3)


def test_singular_density_residual_guard(monkeypatch):
    from meanfield.ensembles import block
    from meanfield.errors import ConvergenceError
    ens = BlockVariance([0.5, 0.5], [[0.5, 1.2], [0.3, 0.6]])
    s = np.array([0.2, 0.7, 1.5])
    good = ens.singular_value_density(s)
    monkeypatch.setattr(block, "_SV_RESIDUAL_TOL", 0.0)     # nothing counts as converged
    with pytest.raises(ConvergenceError, match="not solved at") as info:
        ens.singular_value_density(s)
    part = info.value.result
    assert isinstance(part, block.SingularValueSolve) and not part.success
    assert not part.converged.any() and np.all(np.isfinite(part.residual))
    assert np.all(part.density == 0.0)              # no value where the solve failed
    assert np.all(part.residual < 1e-12)            # (they were solved, only the bar moved)
    monkeypatch.setattr(block, "_SV_RESIDUAL_TOL", 1e-10)
    np.testing.assert_array_equal(ens.singular_value_density(s), good)


def test_feed_forward_profile_has_singular_values():
    # spectral radius 0 (nilpotent profile) but an n/2 x n/2 block of variance 1/n: half the
    # singular values follow the quarter circle of variance 1/2, density sqrt(2 - s^2)/pi
    ens = BlockVariance([0.5, 0.5], [[0.0, 1.0], [0.0, 0.0]])
    assert ens.spectral_radius == 0.0
    s = np.array([0.3, 0.6, 1.2])
    np.testing.assert_allclose(ens.singular_value_density(s), np.sqrt(2 - s ** 2) / np.pi,
                               rtol=1e-8)
