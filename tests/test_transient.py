"""Tests of meanfield.transient: closed forms, limits, sampling, the transition, tails.

Finite-N deviation of the closed form (measured with ``mf.simulate.squared_norm``, exact
x0-average, seed 12345, one BLAS thread; balanced zero-row-sum Rajan-Abbott, f = 0.5,
sigma_E = sigma_I = 0.8 so r = 0.8, unless stated).  Relative deviation sim/theory - 1 ± stderr
over matrices (300 matrices at N = 250, 40 at N = 1000):

==================  ======  ===============  ===============  ===============
ensemble            N       t = 1            t = 3            t = 5
==================  ======  ===============  ===============  ===============
<mu^2> = 0          250     +0.07 ± 0.04 %   +0.86 ± 0.21 %   +2.6 ± 0.5 %
<mu^2> = 0          1000    +0.01 ± 0.03 %   +0.29 ± 0.13 %   +0.84 ± 0.27 %
<mu^2> = 9          250     -0.2 ± 0.2 %     +0.3 ± 0.9 %     +2.7 ± 1.7 %
<mu^2> = 9          1000    +0.6 ± 0.4 %     +2.5 ± 1.5 %     +4.8 ± 2.8 %
<mu^2> = 36         250     -0.3 ± 0.3 %     +0.2 ± 0.9 %     +2.8 ± 1.8 %
<mu^2> = 36         1000    +0.7 ± 0.4 %     +2.6 ± 1.6 %     +5.0 ± 3.0 %
f=0.8, se=0.5,      250     -0.3 ± 0.3 %     -0.1 ± 1.0 %     +2.0 ± 1.9 %
si=1, <mu^2> = 16   1000    +0.3 ± 0.4 %     +2.2 ± 1.3 %     +5.2 ± 2.4 %
BlockVariance,      250     +0.17 ± 0.05 %   +0.94 ± 0.19 %   (t = 2: +0.50 ± 0.11 %)
g=[[.5,1.2],[.3,.6]]        (150 matrices)
==================  ======  ===============  ===============  ===============

The only deviation resolved (> 3 stderr) is the iid bulk's: positive, growing with t
(finite-N eigenvalues beyond r), shrinking about like 1/N (x3 from N = 250 to 1000).  With
mean weights no deviation is resolved at either N; relative to the theory it does not grow with
<mu^2> (the 9 and 36 rows share their random parts: same seed), so the absolute deviation
grows like the mean, i.e. like 1 + m^2.  The theory sheet's "within about 4 % at N = 1000 for
<mu^2> up to 36" holds for t <= 3 (point estimates up to +5 % ± 3 % at t = 5).  What dominates
is the scatter of the x0-averaged norm from matrix to matrix: 9 % (t = 2) to 29 % (t = 5) at
N = 250 for <mu^2> >= 9, 5.6 % to 18 % at N = 1000 (ratio 1.6 ± 0.2; N^(-1/2) would give 2),
against 2-8 % and 0.5-1.7 % at <mu^2> = 0.  The fast tests use the budget B_REL * theory at
N = 200 for t <= 3 (the largest N = 250 |bias| for t <= 3, 0.9 %, scaled by 250/200 and rounded
up) on top of 4 stderr.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from scipy import stats
from threadpoolctl import threadpool_limits

import meanfield as mf
from meanfield import simulate as sim
from meanfield import transient as tr
from meanfield.errors import ParameterError

RA = mf.ensembles.RajanAbbott
GA = mf.ensembles.Gaussian

#: relative finite-N budget for t <= 3 at N = 200 (measured at N = 250: |bias| <= 0.9 %
#: for t <= 3, scaled by 250/200 and rounded up)
B_REL = 0.012


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # eig at n = 200 takes 0.1 s on one thread and ~0.7 s with 2 contended threads
    with threadpool_limits(1):
        yield


# ---------------------------------------------------------------------------
# closed forms and their limits
# ---------------------------------------------------------------------------

def test_mu_zero_reduces_to_iid():
    t = np.linspace(0, 20, 41)
    for s in (0.3, 0.8, 1.0):
        ra = RA(0.5, 0.0, s, s)
        np.testing.assert_allclose(tr.mean_squared_norm(ra, t),
                                   tr.mean_squared_norm(GA(s), t), rtol=1e-14)
    # unequal variances: only r^2 = f se^2 + (1-f) si^2 enters
    ra = RA(0.8, 0.0, 0.5, 1.0)
    np.testing.assert_allclose(tr.mean_squared_norm(ra, t),
                               tr.mean_squared_norm(GA(math.sqrt(0.4)), t), rtol=1e-14)


def test_zero_variance_is_the_average_trajectory():
    ens = RA(0.5, 2.0, 0.0, 0.0)                    # r = 0: F = e^{-2t}(1 + <mu^2> t^2)
    t = np.linspace(0, 10, 21)
    np.testing.assert_allclose(tr.mean_squared_norm(ens, t),
                               np.exp(-2 * t) * (1 + 4.0 * t ** 2), rtol=1e-14)
    np.testing.assert_allclose(tr.average_trajectory_squared_norm(ens, t),
                               tr.mean_squared_norm(ens, t), rtol=1e-14)


@pytest.mark.parametrize("f, mu_e, se, si", [(0.5, 3.0, 0.8, 0.8), (0.8, 1.0, 0.5, 1.2),
                                             (0.2, 0.3, 1.0, 0.1)])
def test_closed_form_against_mpmath(f, mu_e, se, si):
    ens = RA(f, mu_e, se, si)
    r, a = ens.spectral_radius, ens.mean_square_weight
    m2 = a / r ** 2
    t = np.array([0.0, 1e-6, 0.01, 0.3, 1.0, 4.0, 30.0, 300.0])
    lib = tr.mean_squared_norm(ens, t)
    mpmath.mp.dps = 40
    for tj, lj in zip(t, lib):
        T = mpmath.mpf(tj)
        ref = mpmath.exp(-2 * T) * ((1 + m2) * mpmath.besseli(0, 2 * r * T) - m2)
        assert abs(lj / float(ref) - 1) < 1e-13, (tj, lj, ref)


def test_small_t_series():
    # F = 1 - 2t + (2 + r^2 + a) t^2 - (2/3)(2 + 3 r^2 + 3 a) t^3 + O(t^4)
    ens = RA(0.5, 2.0, 0.6, 0.9)
    r2, a = ens.spectral_radius ** 2, ens.mean_square_weight
    ts = np.array([1e-2, 5e-3, 2.5e-3, 1.25e-3])
    F = tr.mean_squared_norm(ens, ts)
    series = 1 - 2 * ts + (2 + r2 + a) * ts ** 2 - (2 / 3) * (2 + 3 * r2 + 3 * a) * ts ** 3
    err = np.abs(F - series)
    slope = np.polyfit(np.log(ts), np.log(err), 1)[0]
    assert abs(slope - 4.0) < 0.1          # the remainder is O(t^4)


def test_large_t_asymptotics():
    # e^{-2t} I_0(2rt) ~ e^{2(r-1)t} / sqrt(4 pi r t) (1 + 1/(16 r t) + 9/(512 (r t)^2))
    for r, t in ((1.0, 1e4), (1.0, 1e6), (0.8, 300.0)):
        x = r * t
        asym = math.exp(2 * (r - 1) * t) / math.sqrt(4 * math.pi * x) * (
            1 + 1 / (16 * x) + 9 / (512 * x ** 2))
        val = float(tr.mean_squared_norm(GA(r), t))
        assert abs(val / asym - 1) < 5 * 75 / (8192 * x ** 3) + 1e-13
    # Rajan-Abbott at the edge of chaos: (1 + m^2) times the iid tail, m^2 e^{-2t} negligible
    ens = RA(0.5, 2.0, 1.0, 1.0)
    t = 1e5
    iid = float(tr.mean_squared_norm(GA(1.0), t))
    assert abs(float(tr.mean_squared_norm(ens, t)) / ((1 + 4.0) * iid) - 1) < 1e-12


def test_r_above_one_grows_and_an_overflow_is_refused_regression():
    # issue 7 section 5: the overflow was returned as inf, a value it is not
    assert tr.mean_squared_norm(GA(1.5), [10.0, 700.0])[0] > 1e3
    with pytest.raises(ParameterError, match="`t` is too large.*t=10000.0"):
        tr.mean_squared_norm(GA(1.5), [10.0, 1e4])
    with pytest.raises(ParameterError, match="`t`"):
        tr.squared_norm_law(RA(0.8, 0.0, 0.5, 50.0), 50.0)
    with pytest.raises(ParameterError, match="`t`"):
        tr.mean_squared_norm(BV([0.5, 0.5], [[2.0, 1.0], [1.0, 2.0]]), [1e4])
    # the ladder series of a tiny profile at t = 1e100 was nan (scipy's complex ive)
    assert tr.mean_squared_norm(BV([0.5, 0.5], [[0.0, 1e-8], [1e-8, 0.0]]), [1e100])[0] == 0.0


def test_gaussian_mean_weight_ignored_at_large_n():
    t = np.linspace(0, 3, 7)
    np.testing.assert_array_equal(tr.mean_squared_norm(GA(0.7, J0=0.5), t),
                                  tr.mean_squared_norm(GA(0.7), t))
    np.testing.assert_allclose(tr.average_trajectory_squared_norm(GA(0.7, J0=0.5), t),
                               np.exp(-2 * t))


def test_sparse_closed_form_uses_effective_parameters():
    ens = RA(0.5, 2.0, 0.6, 0.6, sparsity=0.5)
    r, a = ens.spectral_radius, ens.mean_square_weight
    assert a == pytest.approx(0.25 * 4.0)
    t = np.array([0.5, 2.0])
    ref = np.exp(-2 * t) * ((1 + a / r ** 2) * np.i0(2 * r * t) - a / r ** 2)
    np.testing.assert_allclose(tr.mean_squared_norm(ens, t), ref, rtol=1e-12)


BV = mf.ensembles.BlockVariance


def _ladder_power_series(ens, t, kmax=200):
    """e^{-2t} sum_k t^{2k}/(k!)^2 alpha^T M^k 1, term by term."""
    M, alpha = ens.variance_matrix, ens.alpha
    out = []
    for tj in np.atleast_1d(t):
        v, s = np.ones(len(alpha)), 0.0
        for k in range(kmax):
            s += math.exp(2 * k * math.log(tj) - 2 * math.lgamma(k + 1) - 2 * tj) * (alpha @ v) \
                if tj > 0 else (alpha @ v if k == 0 else 0.0)
            v = M @ v
        out.append(s)
    return np.array(out)


@pytest.mark.parametrize("alpha, g", [([0.5, 0.5], [[1.0, 2.0], [0.5, 1.0]]),
                                      ([0.3, 0.7], [[0.8, 0.2], [0.9, 0.4]]),
                                      ([0.5, 0.5], [[0.0, 1.0], [1.0, 0.0]]),      # bipartite
                                      ([0.5, 0.5], [[1.0, 1.0], [0.0, 1.0]])],     # defective M
                         ids=["asym", "weak", "bipartite", "defective"])
def test_block_variance_ladder_series(alpha, g):
    ens = BV(alpha, g)
    t = np.array([0.0, 0.3, 1.0, 3.0, 8.0])
    np.testing.assert_allclose(tr.mean_squared_norm(ens, t), _ladder_power_series(ens, t),
                               rtol=1e-12)
    np.testing.assert_allclose(tr.average_trajectory_squared_norm(ens, t), np.exp(-2 * t))
    assert tr.squared_norm_law(ens, 1.0).scale == 0.0


def test_block_variance_equal_rows_is_iid():
    ens = BV([0.4, 0.6], [[0.5, 0.7], [0.5, 0.7]])
    t = np.linspace(0, 30, 31)
    np.testing.assert_allclose(tr.mean_squared_norm(ens, t),
                               tr.mean_squared_norm(GA(ens.spectral_radius), t), rtol=1e-12)


def test_law_moments():
    ens = RA(0.5, 3.0, 0.8, 0.8)
    law = tr.squared_norm_law(ens, 1.5)
    assert law.mean == pytest.approx(float(tr.mean_squared_norm(ens, 1.5)), rel=1e-14)
    assert law.var == pytest.approx(2 * law.scale ** 2)
    # the density is minus the derivative of the survival function
    y = law.shift + law.scale * np.array([0.01, 0.5, 2.0, 10.0])
    h = 1e-6 * law.scale
    np.testing.assert_allclose(law.pdf(y), (law.sf(y - h) - law.sf(y + h)) / (2 * h), rtol=1e-6)
    assert float(law.sf(law.shift)) == 1.0 and float(law.pdf(law.shift - 1.0)) == 0.0
    assert law.tail_rate == pytest.approx(1 / (2 * law.scale))
    iid = tr.squared_norm_law(GA(0.8), 1.5)
    assert iid.scale == 0.0 and iid.var == 0.0 and iid.tail_rate == math.inf
    with pytest.raises(ParameterError, match="point mass"):
        iid.pdf([0.2])


# ---------------------------------------------------------------------------
# sampling: the eig path, the expm path, reproducibility, theory vs simulation
# ---------------------------------------------------------------------------

T_UNSORTED = np.array([2.0, 0.0, 0.5, 0.5, 4.0, 1.0])


EPS = np.finfo(float).eps


def _expm_roundoff(res):
    """Relative round-off of the expm path: eps * kappa_F(V) * (1 + t).

    Measured against a long-double Taylor reference (n = 120, the matrices of the test
    below and two more, t <= 4): at most 0.26 times this model (6.4e-12 at t = 4 for
    kappa_F = 2.2e4, <mu^2> = 36); it grows with t, unlike the eig path's.
    """
    return EPS * res.condition[:, None] * (1.0 + res.t)


@pytest.mark.parametrize("ens", [GA(0.9), RA(0.5, 6.0, 0.8, 0.8), RA(0.8, 2.0, 0.5, 1.0)],
                         ids=["gaussian", "ra_mu36", "ra_f08"])
def test_eig_path_matches_expm(ens):
    # The tolerance is the error model, per matrix and time: the eig path's own a-priori
    # estimate (error_estimate, ~ eps S(t)/F(t), up to eps kappa_F^2 / n: see
    # mf.simulate.squared_norm, Notes) plus the expm path's round-off eps kappa_F (1 + t).
    # rtol=1e-6 keeps every matrix on the eig path so that the comparison is made.
    kw = dict(n=120, n_matrices=2, n_x0=3, seed=4)
    a = sim.squared_norm(ens, T_UNSORTED, method="eig", rtol=1e-6, **kw)
    b = sim.squared_norm(ens, T_UNSORTED, method="expm", **kw)
    assert a.n_fallback == 0 and b.n_fallback == 0
    assert a.method == "eig" and b.method == "expm"
    tol = a.error_estimate + _expm_roundoff(a)
    assert np.all(np.abs(a.matrix_mean / b.matrix_mean - 1) <= tol)
    assert np.all(np.abs(a.samples / b.samples - 1) <= tol[:, None, :])
    # t = 0 is exact: the unit initial norm, and 1 for the x0-average
    np.testing.assert_array_equal(a.matrix_mean[:, 1], 1.0)
    np.testing.assert_allclose(a.samples[..., 1], 1.0, rtol=kw["n"] * EPS)   # |x0|^2: a sum of n squares
    np.testing.assert_array_equal(a.samples[..., 2], a.samples[..., 3])
    if ens.mean_square_weight if isinstance(ens, RA) else 0:
        assert np.nanmin(a.condition) > 1e3     # strongly non-normal: the check is not vacuous
        # and the estimate is not vacuous either: the error reaches a tenth of it.  How sharp a
        # round-off bound is varies from matrix to matrix (over 16 seed shifts the largest
        # |eig/expm - 1| / estimate ranged 0.07-1.5 here, 0.4-5.6 for the mu_E = 6 ensemble), so
        # this is checked on the pinned matrices of seed 4 (0.45 and 2.5), not on shifted ones.
        pa, pb = (sim.squared_norm(ens, T_UNSORTED, method=m, n=120, n_matrices=2, n_x0=3,
                                   seed=np.random.Generator(np.random.PCG64(4)), **extra)
                  for m, extra in (("eig", dict(rtol=1e-6)), ("expm", {})))
        dev = np.abs(pa.matrix_mean / pb.matrix_mean - 1)[:, T_UNSORTED > 0]
        assert np.max(dev / pa.error_estimate[:, T_UNSORTED > 0]) > 0.1


def test_eig_average_without_accuracy_guard_regression():
    # issue 7: the exact x0-average of the eig path lost 7.9e-9 at t = 0 (0.99999999209) for
    # this Rajan-Abbott matrix (kappa_F = 5.3e5, n = 120), 4.4e-6 at kappa_F = 3e7, with no
    # guard.  t = 0 is now exact, the loss at t > 0 is estimated, and a requested rtol below
    # the estimate sends the matrix to expm.
    # The matrices are pinned (a regression on known ill-conditioned matrices, not a statistical
    # claim): generators built directly, so the test seed shift of conftest.py leaves them alone.
    def pinned(seed):
        return np.random.Generator(np.random.PCG64(seed))   # the stream of default_rng(seed)

    ens = RA(0.8, 2.0, 0.5, 1.0)
    t = np.array([0.0, 0.5, 1.0])
    kw = dict(n=120, n_matrices=2, n_x0=3)
    ref = sim.squared_norm(ens, t, method="expm", seed=pinned(4), **kw)
    loose = sim.squared_norm(ens, t, method="eig", rtol=1e-6, seed=pinned(4), **kw)
    assert np.all(loose.matrix_mean[:, 0] == 1.0)
    assert loose.error_estimate[1, 1] > 1e-9          # the ill-conditioned matrix
    strict = sim.squared_norm(ens, t, method="eig", rtol=1e-9, seed=pinned(4), **kw)
    assert strict.fallback[1] and "rtol=1e-09" in strict.message
    np.testing.assert_array_equal(strict.matrix_mean[1], ref.matrix_mean[1])
    # kappa_F ~ 1e7 (n = 400, <mu^2> = 36): the default rtol (1e-8) rejects the eig path
    big = dict(n=400, n_matrices=1, n_x0=1)
    t = np.array([0.05, 0.5])
    dflt = sim.squared_norm(RA(0.5, 6.0, 0.8, 0.8), t, method="eig", seed=pinned(1), **big)
    assert dflt.fallback[0] and dflt.condition[0] > 1e6
    assert np.max(dflt.error_estimate) > 1e-8
    kept = sim.squared_norm(RA(0.5, 6.0, 0.8, 0.8), t, method="eig", rtol=1e-5, seed=pinned(1),
                            **big)
    dev = np.abs(kept.matrix_mean / dflt.matrix_mean - 1)
    assert np.all(dev <= kept.error_estimate + _expm_roundoff(kept)) and np.max(dev) > 1e-9


def test_auto_method_choice():
    ens = GA(0.8)
    kw = dict(n=30, n_matrices=2, n_x0=2, seed=0)
    uniform = np.linspace(0, 5, 50)
    assert sim.squared_norm(ens, uniform, exact_average=False, **kw).method == "expm"
    assert sim.squared_norm(ens, uniform, exact_average=True, **kw).method == "eig"
    assert sim.squared_norm(ens, uniform[:20], exact_average=True, **kw).method == "expm"
    assert sim.squared_norm(ens, np.geomspace(0.1, 5, 10), exact_average=False,
                                    **kw).method == "eig"


def test_fallback_on_ill_conditioning():
    ens = RA(0.5, 3.0, 0.8, 0.8)
    kw = dict(n=80, n_matrices=2, n_x0=2, seed=1)
    a = sim.squared_norm(ens, [0.5, 1.0], method="eig", cond_max=10.0, **kw)
    b = sim.squared_norm(ens, [0.5, 1.0], method="expm", **kw)
    assert a.fallback.all() and a.success
    np.testing.assert_array_equal(a.samples, b.samples)


def test_reproducible_and_chunk_invariant():
    ens = RA(0.5, 2.0, 0.7, 0.7)
    t = np.linspace(0, 3, 7)
    a = sim.squared_norm(ens, t, n=60, n_matrices=3, n_x0=4, seed=11, method="eig")
    b = sim.squared_norm(ens, t, n=60, n_matrices=3, n_x0=4, seed=11, method="eig",
                                 max_elements=50)
    c = sim.squared_norm(ens, t, n=60, n_matrices=3, n_x0=4, seed=12, method="eig")
    d = sim.squared_norm(ens, t, n=60, n_matrices=3, n_x0=4, method="eig",
                                 seed=np.random.default_rng(11))
    np.testing.assert_allclose(a.samples, b.samples, rtol=1e-12)
    # chunking changes only the BLAS blocking of the exact x0 average: the two differ by
    # round-off, bounded by the eig path's own relative error estimates (1e-13 to 2e-11
    # measured against 5e-12 to 1e-9 estimated, seeds 11, 1011, 2011)
    rel = np.abs(a.matrix_mean / b.matrix_mean - 1.0)
    assert np.all(rel <= a.error_estimate + b.error_estimate + 4 * np.finfo(float).eps)
    assert not np.allclose(a.samples[:, :, 1:], c.samples[:, :, 1:])
    np.testing.assert_array_equal(a.samples, d.samples)
    assert a.seed == 11 and d.seed is None
    # the exact x0 average is the mean of many x0 samples
    big = sim.squared_norm(ens, t, n=60, n_matrices=1, n_x0=4000, seed=3)
    se = big.samples[0].std(axis=0, ddof=1) / math.sqrt(4000)
    assert np.all(np.abs(big.samples[0].mean(axis=0) - big.matrix_mean[0]) < 4 * se + 1e-12)


@pytest.mark.parametrize("ens", [GA(0.8), RA(0.5, 2.0, 0.8, 0.8), RA(0.8, 1.0, 0.5, 1.0),
                                 BV([0.5, 0.5], [[0.5, 1.2], [0.3, 0.6]])],
                         ids=["gaussian", "ra_mu4", "ra_f08_mu4", "block"])
def test_theory_against_simulation_n200(ens):
    t = np.array([0.5, 1.0, 2.0, 3.0])
    res = sim.squared_norm(ens, t, n=200, n_matrices=8, n_x0=2, seed=2024)
    est = res.mean
    th = tr.mean_squared_norm(ens, t)
    assert np.all(np.abs(est.mean - th) < 4 * est.stderr + B_REL * th), (est, th)


def test_finite_n_estimate_lives_in_the_simulator():
    # an ensemble without a closed form: Rajan-Abbott without zero row sums
    ens = RA(0.5, 2.0, 0.8, 0.8, zero_row_sum=False)
    with pytest.raises(ParameterError, match="zero_row_sum"):
        tr.mean_squared_norm(ens, [1.0])
    # the theory no longer samples: method='monte_carlo' says where the estimate went
    with pytest.raises(ParameterError, match="mf.simulate.squared_norm"):
        tr.mean_squared_norm(ens, [1.0], method="monte_carlo", n=80)
    est = sim.squared_norm(ens, [0.5, 1.0, 2.0, 3.0], n=80, n_matrices=3, n_x0=1, seed=0).mean
    assert est.shape == (4,) and est.n == 3 and np.all(est.stderr > 0)
    # for an ensemble with a closed form the Monte Carlo estimate agrees with it
    ens = RA(0.5, 2.0, 0.8, 0.8)
    est = sim.squared_norm(ens, [1.0, 2.0], n=200, n_matrices=6, n_x0=1, seed=5).mean
    th = tr.mean_squared_norm(ens, [1.0, 2.0])
    assert np.all(np.abs(est.mean - th) < 4 * est.stderr + B_REL * th)


def test_average_trajectory_is_one_plus_t_m():
    # E_X e^{(W-1)t} x0 = e^{-t}(x0 + t M x0) at fixed x0 (mean over matrices)
    import scipy.linalg
    ens = RA(0.5, 3.0, 0.6, 0.6)
    n, nm, t = 80, 400, 1.0
    gen = np.random.default_rng(7)
    x0 = gen.standard_normal(n)
    x0 /= np.linalg.norm(x0)
    xs = np.array([scipy.linalg.expm((ens.sample(n, seed=gen) - np.eye(n)) * t) @ x0
                   for _ in range(nm)])
    M = ens.mean_matrix(n)
    want = math.exp(-t) * (x0 + t * M @ x0)
    noise = np.sum(xs.var(axis=0, ddof=1)) / nm          # E||mean - want||^2 if unbiased
    miss = np.sum((xs.mean(axis=0) - want) ** 2)
    assert miss < noise * (1 + 4 * math.sqrt(2 / n)) + 0.02 * np.sum(want ** 2)
    # the M x0 term is resolved: dropping it misses by far more than the noise
    assert np.sum((xs.mean(axis=0) - math.exp(-t) * x0) ** 2) > 20 * noise


def test_law_against_samples():
    # survival function of ||x(t)||^2 at large N: erfc(sqrt((y - A)/(2B)))
    ens = RA(0.5, 3.0, 0.8, 0.8)
    res = sim.squared_norm(ens, [1.0], n=200, n_matrices=10, n_x0=300, seed=8,
                                   exact_average=False)
    law = tr.squared_norm_law(ens, 1.0)
    for y in (law.mean, law.mean + 2 * math.sqrt(law.var)):
        frac = (res.samples[:, :, 0] > y).mean(axis=1)          # per matrix
        se = frac.std(ddof=1) / math.sqrt(frac.size)
        # budget: the N = 200 Gaussian part and the scatter of B over matrices shift sf by ~0.02
        assert abs(frac.mean() - float(law.sf(y))) < 4 * se + 0.02, (y, frac.mean(), law.sf(y))
    # the variance 2 B^2 of the law (pooled over matrices and x0)
    v = res.variance[0]
    assert abs(v / law.var - 1) < 0.35        # chi^2_1 samples: variance of the variance is large


def test_sharpening_with_n():
    # the x0-averaged norm of one matrix self-averages: its spread over matrices shrinks with N
    ens = RA(0.5, 3.0, 0.8, 0.8)
    spread = []
    for n in (60, 240):
        res = sim.squared_norm(ens, [1.5], n=n, n_matrices=48, n_x0=1, seed=n)
        spread.append(res.matrix_mean[:, 0].std(ddof=1))
    # ~ N^{-1/2}: a factor 2 expected (measured 1.96, range 1.34-2.75 over 12 seed sets).  The
    # ratio of two 48-sample standard deviations is the true ratio times sqrt(F(47, 47)), whose
    # 99.9% two-sided band is [0.62, 1.61]: [1.1, 3.5] holds for a true ratio of 1.8-2.2, and a
    # spread that did not shrink (ratio 1) fails.  (With 12 matrices the band was [0.37, 2.7]:
    # the old bounds [1.2, 3.5] failed under seed shift 9.)
    assert 1.1 < spread[0] / spread[1] < 3.5


# ---------------------------------------------------------------------------
# the transition
# ---------------------------------------------------------------------------

def test_average_trajectory_thresholds():
    tc = tr.AVERAGE_AMPLIFICATION_TIME
    assert abs((1 - tc) * math.exp(2 * tc) - 1) < 1e-14
    assert tr.AVERAGE_AMPLIFICATION_THRESHOLD == pytest.approx(1 / (tc * (1 - tc)), rel=1e-14)
    assert tr.AVERAGE_AMPLIFICATION_THRESHOLD == pytest.approx(6.176554609483, abs=1e-11)
    assert float(tr.critical_line(0.0)) == pytest.approx(tr.AVERAGE_AMPLIFICATION_THRESHOLD,
                                                         abs=1e-10)
    assert float(tr.critical_line(0.0, "local_maximum")) == pytest.approx(4.0, abs=1e-10)
    # just above / below: the average trajectory crosses 1 or not
    t = np.linspace(0.01, 3, 3000)
    a = tr.AVERAGE_AMPLIFICATION_THRESHOLD
    assert np.max(np.exp(-2 * t) * (1 + a * 1.001 * t ** 2)) > 1
    assert np.max(np.exp(-2 * t) * (1 + a * 0.999 * t ** 2)) < 1


def test_critical_lines_against_brute_force():
    r = np.array([0.0, 0.3, 0.7, 1.0])
    ac = tr.critical_line(r)
    al = tr.critical_line(r, "local_maximum")
    assert np.all(np.diff(ac) < 0) and np.all(np.diff(al) < 0) and np.all(al < ac)
    t = np.linspace(1e-3, 20, 20001)
    for ri, ai, li in zip(r, ac, al):
        ens = RA(0.5, 1.0, ri, ri)       # mu only sets <mu^2>; rescale through m^2 below
        P, Q = (tr.mean_squared_norm(RA(0.5, 0.0, ri, ri), t),
                tr.mean_squared_norm(ens, t) - tr.mean_squared_norm(RA(0.5, 0.0, ri, ri), t))
        Q = Q / ens.mean_square_weight
        for fac, above in ((1.001, True), (0.999, False)):
            F = P + fac * ai * Q
            assert (F.max() > 1) == above, (ri, fac)
            dF = np.diff(P + fac * li * Q)
            assert (np.any(dF > 0)) == above, (ri, fac)


def test_peak_amplification():
    g, tp = tr.peak_amplification([0.0, 0.0, 0.5, 1.2], [5.0, 9.0, 9.0, 1.0])
    assert g[0] == 0 and tp[0] == 0
    assert g[1] > 0 and g[2] > g[1]                  # the bulk adds to the mean weights
    assert np.isinf(g[3]) and np.isinf(tp[3])
    # r = 0: the maximum of e^{-2t}(1 + 9 t^2), at the larger root of 9t^2 - 9t + 1 = 0
    t_star = (1 + math.sqrt(1 - 4 / 9)) / 2
    assert tp[1] == pytest.approx(t_star, abs=1e-7)
    assert g[1] == pytest.approx(math.exp(-2 * t_star) * (1 + 9 * t_star ** 2) - 1, rel=1e-12)
    # agrees with a dense grid of the closed form
    ens = RA(0.5, 3.0, 0.5, 0.5)
    t = np.linspace(0, 10, 200001)
    F = tr.mean_squared_norm(ens, t)
    g2, tp2 = tr.peak_amplification(ens.spectral_radius, ens.mean_square_weight)
    assert float(g2) == pytest.approx(F.max() - 1, abs=1e-9)
    assert float(tp2) == pytest.approx(t[F.argmax()], abs=1e-4)


@pytest.mark.parametrize("r", [0.0, 0.6, 1.0])
def test_order_of_the_transition(r):
    amp = tr.critical_exponent(r, "amplified")
    assert amp.success and abs(amp.exponent - 1.0) < 1e-3
    assert amp.below == 0.0 and amp.t_onset > 0.5        # continuous G, jumping peak time
    loc = tr.critical_exponent(r, "local_maximum")
    assert loc.success and abs(loc.exponent - 1.5) < 1e-3
    if r == 0.0:
        assert amp.t_onset == pytest.approx(tr.AVERAGE_AMPLIFICATION_TIME, abs=1e-6)
        assert loc.t_onset == pytest.approx(0.5, abs=1e-6)


def test_phase_diagram_regions_and_plot(tmp_path):
    d = tr.phase_diagram(r=np.linspace(0, 1.2, 13), mean_square_weight=np.linspace(0, 10, 11))
    assert d.region.shape == (11, 13)
    assert np.all(d.region[:, d.r > 1] == 3)
    r0 = d.r == 0
    col = d.region[:, r0].ravel()
    a = d.mean_square_weight
    np.testing.assert_array_equal(col[a < 4], 0)
    np.testing.assert_array_equal(col[(a > 4) & (a < 6.17)], 1)
    np.testing.assert_array_equal(col[a > 6.18], 2)
    assert np.all((d.gain > 0) == (d.region >= 2))
    fig = d.plot(show_gain=True)
    ax = fig.axes[0]
    assert len(ax.lines) >= 5                       # 2 critical lines, 2 thresholds, r = 1
    assert any(np.allclose(line.get_xdata(), 1.0) for line in ax.lines)
    d2 = tr.PhaseDiagram.load(d.save(tmp_path / "pd"))
    np.testing.assert_array_equal(d2.region, d.region)


# ---------------------------------------------------------------------------
# tails
# ---------------------------------------------------------------------------

def test_tail_fit_synthetic():
    gen = np.random.default_rng(0)
    g = tr.tail_fit(gen.standard_normal(20000) * 2 + 5)
    assert g.winner == "gaussian" and g.vuong_z < -2 and g.success
    assert g.scale == pytest.approx(2.0, rel=0.1)
    e = tr.tail_fit(gen.exponential(3.0, 20000) + 1)
    assert e.winner == "exponential" and e.vuong_z > 2
    assert e.rate == pytest.approx(1 / 3.0, rel=0.1)
    ex = np.linspace(0, 5, 11)
    assert np.all(e.exponential_pdf(ex) > 0) and np.all(g.gaussian_pdf(ex) > 0)


def test_tail_crossover_gaussian_to_exponential():
    # N = 150, t = 0.5, 6 matrices x 3000 x0, exceedances above the 0.8 quantile (3600).
    # <mu^2> = 0: ||x||^2 = x0^T Q x0 is a sum of many small pieces (Gaussian tail);
    # <mu^2> = 9: the chi^2_1 term B z^2 dominates (exponential tail, rate ~ 1/(2B)).
    # Measured over seeds 0-7: Vuong z in [-5.1, -2.6] and [8.5, 10.1] (at N = 200 with 8 x 2000:
    # [-5.4, -2.1] and [5.9, 10.8]).  The crossover already happens at <mu^2> ~ 0.1 here (B
    # comparable with the O(N^-1/2) Gaussian width): z = +2.5 to +5.6 at <mu^2> = 0.09.
    fits = {}
    for mu_e in (0.0, 3.0):
        ens = RA(0.5, mu_e, 0.8, 0.8)
        res = sim.squared_norm(ens, [0.5], n=150, n_matrices=6, n_x0=3000, seed=0,
                                       exact_average=False)
        fits[mu_e] = tr.tail_fit(res.pooled(0), quantile=0.8)
    assert fits[0.0].winner == "gaussian" and fits[0.0].vuong_z < -1.5
    assert fits[3.0].winner == "exponential" and fits[3.0].vuong_z > 4
    rate = tr.squared_norm_law(RA(0.5, 3.0, 0.8, 0.8), 0.5).tail_rate
    # exceedances of chi^2_1 decay a bit faster than e^{-y/(2B)} (the y^(-1/2) prefactor)
    assert rate < fits[3.0].rate < 2.0 * rate


# ---------------------------------------------------------------------------
# input validation, results
# ---------------------------------------------------------------------------

def test_bad_input():
    ens = RA(0.5, 2.0, 0.8, 0.8)
    with pytest.raises(ParameterError, match="`t`"):
        tr.mean_squared_norm(ens, [-1.0])
    with pytest.raises(ParameterError, match="`t`"):
        tr.mean_squared_norm(ens, [np.nan])
    with pytest.raises(ParameterError, match="`ensemble`"):
        tr.mean_squared_norm("rajan", [1.0])
    with pytest.raises(ParameterError, match="balanced"):
        tr.mean_squared_norm(RA(0.5, 2.0, 0.8, 0.8, balanced=False, mu_i=-1.0), [1.0])
    with pytest.raises(ParameterError, match="`method`"):
        tr.mean_squared_norm(ens, [1.0], method="series")
    with pytest.raises(ParameterError, match="`method`"):
        tr.mean_squared_norm(ens, [1.0], method="monte_carlo")
    with pytest.raises(ParameterError, match="`n`"):
        tr.mean_squared_norm(ens, [1.0], n=100)
    with pytest.raises(ParameterError, match="`t`"):
        sim.squared_norm(ens, [[1.0]], n=10)
    with pytest.raises(ParameterError, match="`t`"):
        sim.squared_norm(ens, [], n=10)
    with pytest.raises(ParameterError, match="`n`"):
        sim.squared_norm(ens, [1.0], n=1)
    with pytest.raises(ParameterError, match="`n_matrices`"):
        sim.squared_norm(ens, [1.0], n=10, n_matrices=0)
    with pytest.raises(ParameterError, match="`n_x0`"):
        sim.squared_norm(ens, [1.0], n=10, n_x0=0)
    with pytest.raises(ParameterError, match="`method`"):
        sim.squared_norm(ens, [1.0], n=10, method="rk4")
    with pytest.raises(ParameterError, match="`seed`"):
        sim.squared_norm(ens, [1.0], n=10, seed=-3)
    with pytest.raises(ParameterError, match="`cond_max`"):
        sim.squared_norm(ens, [1.0], n=10, cond_max=0.5)
    with pytest.raises(ParameterError, match="`rtol`"):
        sim.squared_norm(ens, [1.0], n=10, rtol=0.0)
    with pytest.raises(ParameterError, match="`r`"):
        tr.critical_line(1.5)
    with pytest.raises(ParameterError, match="`kind`"):
        tr.critical_line(0.5, kind="chaos")
    with pytest.raises(ParameterError, match="`mean_square_weight`"):
        tr.peak_amplification(0.5, -1.0)
    with pytest.raises(ParameterError, match="`quantile`"):
        tr.tail_fit(np.arange(100.0), quantile=1.0)
    with pytest.raises(ParameterError, match="min_exceed"):
        tr.tail_fit(np.arange(100.0), quantile=0.9)
    with pytest.raises(ParameterError, match="`samples`"):
        tr.tail_fit(np.ones(100))
    one = sim.squared_norm(ens, [1.0], n=20, n_matrices=1, seed=0)
    with pytest.raises(ParameterError, match="n_matrices >= 2"):
        _ = one.mean


def test_result_io_and_repr(tmp_path):
    ens = RA(0.5, 2.0, 0.8, 0.8)
    res = sim.squared_norm(ens, [0.5, 1.0], n=30, n_matrices=2, n_x0=2, seed=0)
    back = sim.SquaredNormSamples.load(res.save(tmp_path / "s"))
    np.testing.assert_array_equal(back.samples, res.samples)
    assert back.seed == 0 and back.ensemble == res.ensemble
    text = repr(res)
    assert "n=30" in text and "n_fallback=0" in text
    fig = res.plot(ens)
    assert len(fig.axes[0].lines) >= 2
    # the theory handed in (the sampler itself knows none)
    fig = res.plot(theory=tr.mean_squared_norm(ens, res.t))
    assert len(fig.axes[0].lines) >= 2
    fit = tr.tail_fit(stats.expon.rvs(size=500, random_state=1))
    assert fit.plot().axes[0].get_yscale() == "log"


@pytest.mark.slow
def test_finite_n_deviation_shrinks():
    """The measurement behind the module docstring's table (several minutes)."""
    t = np.array([1.0, 2.0, 3.0])
    ens = RA(0.5, 6.0, 0.8, 0.8)
    dev, se = {}, {}
    for n, nm in ((250, 300), (1000, 40)):
        est = sim.squared_norm(ens, t, n=n, n_matrices=nm, n_x0=1, seed=12345).mean
        th = tr.mean_squared_norm(ens, t)
        dev[n], se[n] = est.mean / th - 1, est.stderr / th
    # N = 1000: within 4 stderr plus the N = 250 bias scaled by 1/4
    assert np.all(np.abs(dev[1000]) < 4 * se[1000] + np.abs(dev[250]) / 4 + 0.002)
    # and within the 4 % of the theory sheet (t <= 3)
    assert np.all(np.abs(dev[1000]) < 0.04)


def test_doctests():
    import doctest

    from meanfield.simulate import _linear
    from meanfield.transient import _closed_forms, _tails, _transition
    attempted = 0
    for module in (tr, _closed_forms, _transition, _tails, _linear):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted >= 2


# ---------------------------------------------------------------------------
# properties: bad and extreme input gives ParameterError / ConvergenceError, never NaN
# ---------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from meanfield.errors import ConvergenceError  # noqa: E402

_PROP = settings(deadline=None, max_examples=40, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])
_EXTREME = st.sampled_from([0.0, 1e-300, 1e-8, 0.5, 1.0, 1.0 + 1e-12, 2.0, 50.0, 1e4, 1e9, 1e100,
                            -1.0, math.nan, math.inf])
_TIMES = st.one_of(_EXTREME, st.lists(st.one_of(_EXTREME, st.floats(0, 20)), min_size=0,
                                      max_size=4))


def _ensembles(a, b):
    """Ensembles with a closed form, parameters from the extreme set (may be refused)."""
    return [lambda: GA(a), lambda: RA(0.5, b, a, a), lambda: RA(0.8, a, 0.5, b),
            lambda: BV([0.5, 0.5], [[a, b], [b, a]])]


def _finite(x):
    return bool(np.all(np.isfinite(np.asarray(x, dtype=float))))


@_PROP
@given(a=_EXTREME, b=_EXTREME, t=_TIMES)
def test_closed_forms_are_finite_or_refuse(a, b, t):
    for make in _ensembles(a, b):
        try:
            ens = make()
        except ParameterError:
            continue
        for fn in (tr.mean_squared_norm, tr.average_trajectory_squared_norm,
                   tr.squared_norm_law):
            try:
                out = fn(ens, t)
            except (ParameterError, ConvergenceError):
                continue
            if isinstance(out, tr.ChiSquareLaw):
                assert _finite([out.t, out.shift, out.scale]), out
            else:
                assert _finite(out) and np.all(np.asarray(out) >= 0), (ens, t, out)


@settings(deadline=None, max_examples=15, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(a=_EXTREME, t=_TIMES, method=st.sampled_from(["auto", "eig", "expm"]),
       rtol=st.sampled_from([1e-8, 1e-300, 1.0]))
def test_simulate_squared_norm_is_finite_or_refuses(a, t, method, rtol):
    for make in (lambda: GA(a), lambda: RA(0.5, a, 0.8, 0.8)):
        try:
            ens = make()
            res = sim.squared_norm(ens, t, n=12, n_matrices=2, n_x0=2, seed=0,
                                   method=method, rtol=rtol)
        except (ParameterError, ConvergenceError):
            continue
        if res.success:
            assert _finite(res.samples) and _finite(res.matrix_mean)
            assert _finite(res.mean.mean) and _finite(res.mean.stderr)
        else:
            assert "non-finite" in res.message


@_PROP
@given(r=st.one_of(_EXTREME, st.lists(_EXTREME, max_size=3)),
       a=st.one_of(_EXTREME, st.lists(_EXTREME, max_size=3)))
def test_transition_functions_are_finite_or_refuse(r, a):
    try:
        gain, tpk = tr.peak_amplification(r, a)
    except (ParameterError, ConvergenceError):
        pass
    else:
        rr = np.broadcast_to(np.asarray(r, dtype=float), gain.shape)
        # r > 1: the norm grows without bound, the supremum is infinite (documented)
        assert _finite(gain[rr <= 1]) and _finite(tpk[rr <= 1])
        assert np.all(np.isinf(gain[rr > 1]))
    for kind in ("amplified", "local_maximum"):
        try:
            out = tr.critical_line(r, kind)
        except (ParameterError, ConvergenceError):
            continue
        assert _finite(out)


@settings(deadline=None, max_examples=25, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(samples=st.one_of(st.lists(_EXTREME, max_size=5),
                         st.builds(lambda s, k: list(np.random.default_rng(k).exponential(s, 200)),
                                   st.sampled_from([1e-300, 1e-8, 1.0, 1e100, 1e300]),
                                   st.integers(0, 3))),
       quantile=st.sampled_from([0.5, 0.9, 0.0, 1.0, math.nan]))
def test_tail_fit_is_finite_or_refuses(samples, quantile):
    try:
        fit = tr.tail_fit(samples, quantile=quantile)
    except (ParameterError, ConvergenceError):
        return
    vals = [fit.threshold, fit.rate, fit.center, fit.scale, fit.loglik_exponential,
            fit.loglik_gaussian, fit.delta_aic]
    if fit.success:
        assert _finite(vals) and _finite(fit.exceedances), fit
