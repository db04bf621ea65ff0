"""Tests of meanfield.ensembles.RajanAbbott (Dale's law, E/I balance, zero row sums)."""

import numpy as np
import pytest
import scipy.sparse
from scipy.integrate import quad
from threadpoolctl import threadpool_limits

from meanfield.ensembles import Ensemble, RajanAbbott
from meanfield.errors import ParameterError

# Tolerance for sampled eigenvalue fractions (n ~ 1000): 4 binomial standard errors
# sqrt(F(1-F)/n) plus an edge budget EDGE/sqrt(n).  Measured: over seeds 0-9 at n = 1000 the
# largest |fraction - F| for the three ensembles of the sample test was 0.016 (at 0.9 r), against a
# tolerance of >= 0.054; eigenvalue counts fluctuate much less than binomially.  EDGE = 0.5 covers
# the finite-n smearing of the edge, whose width is O(1/sqrt n).  The largest modulus exceeded r by
# up to 2.7 r/sqrt(n) over the same 30 samples (Gumbel-like edge fluctuations): budget 4 r/sqrt(n).
EDGE = 0.5


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # eigvals at n = 1000 takes 0.6 s on one thread and up to 15 s with 2 contended threads
    with threadpool_limits(1):
        yield


def _frac_tol(F, n):
    return 4 * np.sqrt(F * (1 - F) / n) + EDGE / np.sqrt(n)


@pytest.mark.parametrize("kwargs, name", [
    ({"f": 0.0}, "`f`"), ({"f": 1.0}, "`f`"), ({"f": 1.5}, "`f`"), ({"f": np.nan}, "`f`"),
    ({"mu_e": -1.0}, "`mu_e`"), ({"sigma_e": -0.1}, "`sigma_e`"), ({"sigma_i": np.inf}, "`sigma_i`"),
    ({"sparsity": 0.0}, "`sparsity`"), ({"sparsity": 1.2}, "`sparsity`"),
    ({"mu_i": -1.0}, "`mu_i`"), ({"mu_i": 0.5, "balanced": False}, "`mu_i`"),
    ({"balanced": False}, "`mu_i`"), ({"balanced": 1}, "`balanced`"),
    ({"zero_row_sum": "yes"}, "`zero_row_sum`"),
])
def test_bad_parameters(kwargs, name):
    base = {"f": 0.8, "mu_e": 1.0, "sigma_e": 0.5, "sigma_i": 1.0}
    base.update(kwargs)
    with pytest.raises(ParameterError, match=name):
        RajanAbbott(**base)


def test_balance_resolution():
    ens = RajanAbbott(0.8, 1.0, 0.5, 1.0)
    assert ens.mu_i == pytest.approx(-4.0, rel=1e-14)
    assert RajanAbbott(0.8, 1.0, 0.5, 1.0, mu_i=-4.0).mu_i == ens.mu_i  # consistent value accepted
    unb = RajanAbbott(0.8, 1.0, 0.5, 1.0, balanced=False, mu_i=-2.0)
    assert unb.mu_i == -2.0
    assert ens.mean_square_weight == pytest.approx(0.8 * 1 + 0.2 * 16)
    assert RajanAbbott(0.5, 2.0, 1.0, 1.0, sparsity=0.5).mean_square_weight == pytest.approx(0.25 * 4)
    assert isinstance(ens, Ensemble)


def test_bad_call_arguments():
    ens = RajanAbbott(0.8, 1.0, 0.5, 1.0)
    with pytest.raises(ParameterError, match="`n`"):
        ens.sample(1)  # round(0.8) = 1 = n: no inhibitory column
    with pytest.raises(ParameterError, match="`form`"):
        ens.radial_cdf(0.5, form="exact")
    with pytest.raises(ParameterError, match="`r`"):
        ens.radial_cdf(-0.1)
    with pytest.raises(ParameterError, match="`z`"):
        ens.eigenvalue_density(np.nan)
    with pytest.raises(ParameterError, match="`sparse`"):
        ens.sample(10, sparse=1)
    with pytest.raises(ParameterError, match="`dtype`"):
        ens.sample(10, dtype=np.int32)
    with pytest.raises(ParameterError, match="form='parametric'"):
        RajanAbbott(0.8, 1.0, 0.0, 1.0).eigenvalue_density(0.1, form="closed")
    with pytest.raises(ParameterError, match="`n`"):
        RajanAbbott(0.8, 1.0, 0.5, 1.0, balanced=False, mu_i=-1.0).outliers()
    with pytest.raises(ParameterError, match="`n`"):
        ens.outliers(2.5)


@pytest.mark.parametrize("sparsity", [1.0, 0.3])
def test_seed_reproducible(sparsity):
    ens = RajanAbbott(0.8, 1.0, 0.5, 1.0, sparsity=sparsity)
    assert np.array_equal(ens.sample(60, seed=4), ens.sample(60, seed=4))
    assert not np.array_equal(ens.sample(60, seed=4), ens.sample(60, seed=5))
    A = ens.sample(60, seed=np.random.default_rng(2))
    B = ens.sample(60, seed=np.random.default_rng(2), sparse=True)
    assert scipy.sparse.issparse(B) and B.format == "csr"
    assert np.array_equal(A, B.toarray())
    assert ens.sample(60, seed=1, dtype=np.float32).dtype == np.float32


def _stats_ok(x, mean, var):
    """Sample mean and variance within 4 standard errors (variance SE from the 4th moment)."""
    m = x.size
    assert abs(x.mean() - mean) < 4 * np.sqrt(var / m), (x.mean(), mean)
    m4 = np.mean((x - x.mean()) ** 4)
    assert abs(x.var(ddof=1) - var) < 4 * np.sqrt((m4 - var ** 2) / m), (x.var(), var)


def test_entry_statistics_dense_without_row_constraint():
    n = 500
    ens = RajanAbbott(0.75, 1.5, 0.5, 1.2, zero_row_sum=False)
    W = ens.sample(n, seed=3) * np.sqrt(n)
    ne = ens.n_excitatory(n)
    assert ne == 375
    mu = ens.column_means(n)
    assert mu.sum() == pytest.approx(0.0, abs=1e-12)
    _stats_ok(W[:, :ne].ravel(), 1.5, 0.25)
    _stats_ok(W[:, ne:].ravel(), mu[-1], 1.44)
    # Dale's law for the means: every excitatory column mean > 0, inhibitory < 0 (the column
    # means are mu_j +- sigma_j/sqrt(n) * O(1), far from 0 here)
    assert np.all(W[:, :ne].mean(axis=0) > 0) and np.all(W[:, ne:].mean(axis=0) < 0)


def test_entry_statistics_dense_zero_row_sum():
    n = 500
    ens = RajanAbbott(0.75, 1.5, 0.5, 1.2)
    W = ens.sample(n, seed=3)
    np.testing.assert_allclose(W.sum(axis=1), 0.0, atol=1e-12)
    X = (W - ens.mean_matrix(n)) * np.sqrt(n)       # = X P: row means of X removed
    ne = ens.n_excitatory(n)
    # Var((XP)_ij) = sigma_j^2 (1 - 2/n) + r^2/n
    r2 = ens.coupling_variance
    _stats_ok(X[:, :ne].ravel(), 0.0, 0.25 * (1 - 2 / n) + r2 / n)
    _stats_ok(X[:, ne:].ravel(), 0.0, 1.44 * (1 - 2 / n) + r2 / n)


@pytest.mark.parametrize("zero_row_sum", [False, True])
def test_entry_statistics_sparse(zero_row_sum):
    n, p = 600, 0.2
    ens = RajanAbbott(0.8, 1.0, 0.5, 1.0, sparsity=p, zero_row_sum=zero_row_sum)
    S = ens.sample(n, seed=11, sparse=True)
    m = n * n
    assert abs(S.nnz / m - p) < 4 * np.sqrt(p * (1 - p) / m)
    W = S.toarray() * np.sqrt(n)
    ne = ens.n_excitatory(n)
    mu = ens.column_means(n)
    if zero_row_sum:
        np.testing.assert_allclose(np.asarray(S.sum(axis=1)).ravel(), 0.0, atol=1e-12)
        # rows with a connection keep exactly their pattern: no new nonzeros
        assert S.nnz == np.count_nonzero(W)
    else:
        # entries c (mu + sigma z): mean p mu, variance p sigma^2 + p(1-p) mu^2
        _stats_ok(W[:, :ne].ravel(), p * 1.0, ens.effective_sigma_e ** 2)
        _stats_ok(W[:, ne:].ravel(), p * mu[-1], p * 1.0 + p * (1 - p) * mu[-1] ** 2)


def test_closed_and_parametric_forms_agree():
    for f, se, si, p in [(0.8, 0.5, 1.0, 1.0), (0.3, 2.0, 0.7, 1.0), (0.5, 1.0, 3.0, 1.0),
                         (0.8, 1.0, 0.2, 0.4)]:
        ens = RajanAbbott(f, 1.0, se, si, sparsity=p)
        r = ens.spectral_radius
        x = np.linspace(0.0, 1.2 * r, 401)
        z = x * np.exp(0.3j)
        d_c = ens.eigenvalue_density(z, form="closed")
        d_p = ens.eigenvalue_density(z, form="parametric")
        assert np.max(np.abs(d_c - d_p)) < 1e-10 * np.max(d_c)
        F_c, F_p = ens.radial_cdf(x, form="closed"), ens.radial_cdf(x, form="parametric")
        assert np.max(np.abs(F_c - F_p)) < 1e-10
        assert np.all(np.diff(F_p) >= 0) and F_p[0] == 0.0 and F_p[-1] == 1.0
        # the density integrates to the CDF: F(R) = int_0^R 2 pi x rho(x) dx
        R = 0.7 * r
        val = quad(lambda t, e=ens: 2 * np.pi * t * e.eigenvalue_density(t), 0, R, epsabs=1e-12)[0]
        assert val == pytest.approx(float(ens.radial_cdf(R)), abs=1e-9)


def test_equal_variances_give_uniform_disk():
    ens = RajanAbbott(0.7, 2.0, 1.3, 1.3)
    x = np.linspace(0, 1.5, 31)
    for form in ("closed", "parametric"):
        np.testing.assert_allclose(ens.radial_cdf(x, form=form), np.minimum(x / 1.3, 1) ** 2,
                                   atol=1e-13)
        np.testing.assert_allclose(ens.eigenvalue_density(x, form=form),
                                   np.where(x < 1.3, 1 / (np.pi * 1.69), 0.0), rtol=1e-12)
    assert ens.spectral_radius == pytest.approx(1.3)


def test_zero_variance_type_is_a_point_mass():
    # sigma_e = 0 dense: the excitatory columns of X vanish, a fraction f of eigenvalues sits at 0
    ens = RajanAbbott(0.6, 1.0, 0.0, 1.0)
    assert float(ens.radial_cdf(0.0)) == pytest.approx(0.6)
    assert float(ens.radial_cdf(1e-9)) == pytest.approx(0.6, abs=1e-8)
    assert float(ens.radial_cdf(ens.spectral_radius)) == 1.0


@pytest.mark.parametrize("kwargs", [dict(f=0.8, mu_e=1.0, sigma_e=0.5, sigma_i=1.0),
                                    dict(f=0.5, mu_e=3.0, sigma_e=1.5, sigma_i=0.5),
                                    dict(f=0.8, mu_e=1.0, sigma_e=0.5, sigma_i=1.0, sparsity=0.3)])
def test_radial_cdf_against_sampled_eigenvalues(kwargs):
    n = 1000
    ens = RajanAbbott(**kwargs)
    ev = np.abs(np.linalg.eigvals(ens.sample(n, seed=0)))
    r = ens.spectral_radius
    for frac in (0.3, 0.6, 0.9):
        F = float(ens.radial_cdf(frac * r))
        assert abs(np.mean(ev <= frac * r) - F) < _frac_tol(F, n), (frac, F)
    # no outlier: the largest modulus is at the bulk edge (edge fluctuation O(n^-1/2))
    assert abs(ev.max() - r) < 4 * r / np.sqrt(n)
    assert ens.outliers().size == 0


def test_outliers_unbalanced():
    n = 600
    ens = RajanAbbott(0.5, 2.0, 1.0, 1.0, balanced=False, mu_i=-1.0)
    lam = ens.outliers(n)
    assert lam.shape == (1,)
    assert lam[0] == pytest.approx(np.sqrt(n) * 0.5, rel=1e-12)     # sqrt(n)(f mu_e + (1-f) mu_i)
    ev = np.linalg.eigvals(ens.sample(n, seed=2))
    top = ev[np.argmax(np.abs(ev))]
    # zero row sums: W 1 = lambda_1 1 exactly
    assert abs(top - lam[0]) < 1e-9 * abs(lam[0])
    assert np.sort(np.abs(ev))[-2] < 1.0 + 3 / np.sqrt(n)
    # without zero row sums: lambda_1 + O(1/sqrt(n)); a_1 / lambda_1 has sd
    # sqrt(<mu^2> r^2)/lambda_1 = 0.13 here, so 4 sd = 0.5
    free = RajanAbbott(0.5, 2.0, 1.0, 1.0, balanced=False, mu_i=-1.0, zero_row_sum=False)
    ev = np.linalg.eigvals(free.sample(n, seed=2))
    top = ev[np.argmax(np.abs(ev))]
    assert abs(top - free.outliers(n)[0]) < 4 * np.sqrt(2.5 * 1.0) / lam[0]
    # balanced without zero row sums: not provided (random outliers)
    with pytest.raises(NotImplementedError):
        RajanAbbott(0.5, 2.0, 1.0, 1.0, zero_row_sum=False).outliers(n)


def test_balanced_mean_is_nilpotent_and_powers_split():
    n = 300
    ens = RajanAbbott(0.8, 2.0, 0.5, 1.0)
    M = ens.mean_matrix(n)
    assert np.max(np.abs(M @ M)) < 1e-12 * np.max(np.abs(M)) ** 2 * n
    W = ens.sample(n, seed=5)
    R = W - M
    np.testing.assert_allclose(R.sum(axis=1), 0.0, atol=1e-12)
    W3 = W @ W @ W
    np.testing.assert_allclose(W3, R @ R @ R + M @ R @ R, atol=1e-10)


def test_singular_value_density():
    ens = RajanAbbott(0.8, 1.0, 0.5, 1.0)
    total = quad(ens.singular_value_density, 0, 2.0, limit=200, points=[1.5, 1.9])[0]
    assert total == pytest.approx(1.0, abs=1e-6)
    eq = RajanAbbott(0.5, 1.0, 1.2, 1.2)
    s = np.array([0.0, 0.3, 1.0, 2.0, 2.39, 2.5])
    np.testing.assert_allclose(eq.singular_value_density(s),
                               np.sqrt(np.maximum(4 * 1.44 - s ** 2, 0)) / (np.pi * 1.44),
                               rtol=1e-8, atol=1e-12)
    n = 800
    sv = np.linalg.svd(ens.sample(n, seed=1), compute_uv=False)
    for x in (0.2, 0.6, 1.0):
        F = quad(ens.singular_value_density, 0, x, limit=200)[0]
        assert abs(np.mean(sv <= x) - F) < _frac_tol(F, n)
