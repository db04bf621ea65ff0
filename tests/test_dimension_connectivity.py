"""mf.dimension.from_connectivity: the random-mode fit of a coupling matrix.

Closed forms used (Gaussian entries / Gaussian modes, exact at finite N; Wick,
``derivations/random_mode_rank.py``):

* iid :math:`J_{ij}\\sim\\mathcal N(0, g^2/N)`: :math:`E\\,\\mathrm{tr}JJ^T = g^2N`,
  :math:`E\\,\\mathrm{tr}(JJ^T)^2 = g^4(2N+1)`, so :math:`\\mathrm{PR}_S \\approx N/(2N+1)`
  (0.49938 at N = 400); measured over 20 seeds at N = 400: mean 0.49944, sd 0.0017.
* random modes, :math:`\\rho = 0`: :math:`1/\\mathrm{PR}_S = x + 2 + (1+2x)/N + O(N^{-2})`,
  :math:`x = 1/(\\alpha\\mathrm{PR}_D)` (``RandomMode.effective_rank_J(n, finite_size=True)``).
  Flat spectrum, alpha = 0.5 (alpha PR_D = 0.5), N = 400: the inverted fit is biased to
  0.4969 (-0.003) and has sd 0.0058 (20 seeds); the test budget is 0.03 about the
  finite-N expectation (5 sd).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import meanfield as mf
from meanfield.errors import ParameterError

N = 400


def _iid(seed, n=N, g=1.5):
    return g * np.random.default_rng(seed).standard_normal((n, n)) / np.sqrt(n)


def _sparse(n, density, seed):
    """Sparse noise plus a rank-3 structure on the same support (variance ~ 1 + 4 per unit)."""
    rng = np.random.default_rng(seed)
    M = sp.random_array((n, n), density=density, rng=rng, data_sampler=rng.standard_normal,
                        format="coo")
    m, q = rng.standard_normal((n, 3)), rng.standard_normal((n, 3))
    data = M.data + 2.0 * np.einsum("ka,ka->k", m[M.row], q[M.col]) / np.sqrt(3)
    return sp.csr_array((data / np.sqrt(density * n), (M.row, M.col)), shape=(n, n))


@pytest.mark.statistical
def test_iid_pr_s_near_half():
    fit = mf.dimension.from_connectivity(_iid(3))
    assert fit.method == "svd" and fit.k is None and fit.singular_values.size == N
    # N/(2N+1) with 4 measured sd (0.0017)
    assert abs(fit.pr_s - N / (2 * N + 1)) < 4 * 0.0017
    assert abs(fit.g_eff - 1.5) < 0.02                    # sd of ||J||_F/sqrt(N): g/(sqrt(2) N)
    assert fit.effective_rank_ratio > 20.0 or fit.outside_model
    assert abs(fit.overlap_mean) < 4 * 0.05 / np.sqrt(N) + 4 / N   # u.v ~ N(0, 1/N) each
    assert fit.pr_s_bounds[0] == fit.pr_s_bounds[1] == fit.pr_s
    np.testing.assert_allclose(fit.frobenius_sq, np.sum(_iid(3) ** 2), rtol=1e-12)


def test_outside_model_flag_and_iid_prediction():
    J = np.linalg.qr(np.random.default_rng(0).standard_normal((50, 50)))[0] * 2.0  # s_a = 2
    fit = mf.dimension.from_connectivity(J)
    assert fit.pr_s == pytest.approx(1.0) and fit.outside_model
    assert fit.effective_rank_ratio == np.inf and "outside the random-mode model" in fit.message
    iid = mf.dimension.participation_ratio(mf.dmft.solve(2.0, "erf"))
    assert fit.predict("erf") == pytest.approx(iid, rel=1e-12)


@pytest.mark.statistical
def test_random_mode_sample_recovers_effective_rank():
    ens = mf.ensembles.RandomMode(0.5, scale=2.0)
    assert ens.effective_rank_ratio == pytest.approx(0.5)
    fit = mf.dimension.from_connectivity(ens.sample(N, seed=11))
    p = ens.effective_rank_J(N, finite_size=True) / N       # E-ratio: 1/(x + 2 + (1+2x)/N ...)
    expected = p / (1 - 2 * p)                              # 0.4969: the finite-N bias of the fit
    assert abs(fit.effective_rank_ratio - expected) < 0.03
    assert abs(fit.effective_rank_ratio - 0.5) < 0.03 + abs(expected - 0.5)
    assert abs(fit.g_eff - np.sqrt(ens.coupling_variance)) < 0.05
    # the prediction is the participation_ratio_of of the ensemble, at the fitted numbers
    theory = mf.dimension.participation_ratio_of(ens)
    assert abs(fit.predict() - theory) < 0.15 * theory
    sol = mf.dmft.solve(fit.g_eff * 1.3, "erf")
    assert fit.predict(gain=1.3, of="x") == pytest.approx(
        mf.dimension.participation_ratio(sol, "x", effective_rank=fit.effective_rank_ratio),
        rel=1e-12)


@pytest.mark.statistical
def test_large_overlap_is_flagged():
    J = _iid(5, 200) + 1.5 * np.eye(200)          # a positive diagonal aligns u_a with v_a
    fit = mf.dimension.from_connectivity(J)
    assert fit.overlap_mean > 0.1 and "ignores left-right overlaps" in fit.message


@pytest.mark.statistical
def test_sparse_truncated_agrees_with_dense_within_bounds():
    J = _sparse(1000, 0.05, 2)
    fit = mf.dimension.from_connectivity(J, k=100, seed=0)
    dense = mf.dimension.from_connectivity(J.toarray())
    assert fit.method == "svds" and fit.k == 100 and fit.singular_values.size == 100
    lo, hi = fit.pr_s_bounds
    assert lo <= dense.pr_s <= hi                                  # the guaranteed bounds
    assert abs(fit.pr_s - dense.pr_s) < 4 * fit.pr_s_stderr + 1e-12   # the Hutchinson estimate
    assert fit.g_eff == pytest.approx(dense.g_eff, rel=1e-12)     # Frobenius: exact
    np.testing.assert_allclose(fit.singular_values, dense.singular_values[:100], rtol=1e-8)
    np.testing.assert_allclose(fit.overlaps, dense.overlaps[:100], atol=1e-6)
    again = mf.dimension.from_connectivity(J, k=100, seed=0)
    assert again == fit                                           # reproducible for a seed
    truncated_dense = mf.dimension.from_connectivity(J.toarray(), k=100, seed=0)
    assert truncated_dense.method == "svds"
    assert truncated_dense.pr_s == pytest.approx(fit.pr_s, rel=1e-8)


@pytest.mark.statistical
def test_sparse_5000_truncated():
    # (speed is a benchmark matter, not a test: about 0.7 s single-threaded here)
    J = _sparse(5000, 0.01, 4)
    fit = mf.dimension.from_connectivity(J, k=100, seed=1)
    lo, hi = fit.pr_s_bounds
    assert lo <= fit.pr_s <= hi and fit.pr_s_stderr < 0.01
    assert 0.0 < fit.effective_rank_ratio < np.inf


@pytest.mark.parametrize("J, k, name", [
    (np.zeros((3, 4)), None, "`J`"),
    (np.full((4, 4), np.nan), None, "`J`"),
    (sp.csr_array(np.diag([1.0, np.inf, 1.0, 1.0])), 1, "`J`"),
    (np.zeros((4, 4)), None, "`J`"),
    (sp.random_array((20, 20), density=0.2, rng=0), 20, "`k`"),
    (sp.random_array((20, 20), density=0.2, rng=0), 19, "`k`"),
    (sp.random_array((20, 20), density=0.2, rng=0), 0, "`k`"),
    (sp.random_array((20, 20), density=0.2, rng=0), 2.5, "`k`"),
    (np.array([["a", "b"], ["c", "d"]]), None, "`J`"),
])
def test_bad_input_names_the_parameter(J, k, name):
    with pytest.raises(ParameterError, match=name):
        mf.dimension.from_connectivity(J, k=k)


def test_bad_gain():
    fit = mf.dimension.from_connectivity(_iid(0, 50))
    with pytest.raises(ParameterError, match="`gain`"):
        fit.predict(gain=-1.0)


def test_bad_seed():
    with pytest.raises(ParameterError, match="`seed`"):
        mf.dimension.from_connectivity(sp.random_array((20, 20), density=0.2, rng=0), k=3,
                                       seed="x")
