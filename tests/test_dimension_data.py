"""Tests of meanfield.dimension.from_activity: the participation ratio of a recording.

What is checked, and against what:

* independent Gaussian samples with a known diagonal covariance (PR in closed form): over many
  independent draws, the cross-block numerator and denominator are unbiased (their means agree
  with (tr C)^2 and tr C^2 within 4 standard errors of the mean), the ratio agrees within 4
  standard errors plus its delta-method ratio bias, and the naive plug-in is biased low by the
  Wishart prediction PR/(1 + (PR + 1)/(T - 1)) (to 20 % of the bias);
* the jackknife standard error against the scatter over draws (chi-square range);
* z-scoring: invariant under rescaling units, and the PR of the correlation matrix;
* the two forms of tr(C_a C_b) (covariance and Gram) agree to 1e-12, and the naive estimate
  equals the plug-in PR of numpy's covariance;
* bad input, and a 2e4 x 1e3 recording (time and memory).
"""

from __future__ import annotations

import time
import tracemalloc
from functools import cache

import numpy as np
import pytest

from meanfield import dimension as dim
from meanfield.errors import ParameterError

#: Variances of the independent units of the unbiasedness test.
_V = np.exp(np.linspace(0.0, -2.5, 20))
_N_DRAWS, _T, _B = 1000, 400, 8


@cache
def _draws(seed):
    """(numerator, denominator, pr, stderr, naive) over independent recordings."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(_N_DRAWS):
        X = rng.standard_normal((_T, _V.size)) * np.sqrt(_V)
        r = dim.from_activity(X, blocks=_B)
        out.append((r.pr * r.trace_sq, r.trace_sq, r.pr, r.stderr, r.naive))
    return np.array(out).T


def _sem(x):
    return x.std(ddof=1) / np.sqrt(x.size)


@pytest.mark.statistical
def test_cross_block_estimate_is_unbiased_and_naive_is_biased_low():
    num, den, pr, _, naive = _draws(11)
    tr, tr2 = _V.sum(), (_V ** 2).sum()
    truth = tr ** 2 / tr2                       # 13.18
    # numerator and denominator are exactly unbiased for independent blocks: 4 standard
    # errors of the mean over 1000 draws (t_999 at 4 sigma: two-sided p ~ 7e-5)
    assert abs(num.mean() - tr ** 2) < 4 * _sem(num)
    assert abs(den.mean() - tr2) < 4 * _sem(den)
    # the ratio carries the second-order ratio bias PR (var_rel(den) - cov_rel(num, den)),
    # estimated from the same draws (measured: +0.15 %, about 2.4 standard errors)
    ratio_bias = truth * (den.var() / den.mean() ** 2
                          - np.cov(num, den)[0, 1] / (num.mean() * den.mean()))
    assert abs(ratio_bias) < 0.005 * truth
    assert abs(pr.mean() - truth - ratio_bias) < 4 * _sem(pr)
    # the naive plug-in: Wishart with n = T - 1 degrees of freedom, E tr C^2 = tr C^2 (1 + 1/n)
    # + (tr C)^2/n, so naive ~ PR/(1 + (PR + 1)/n): -3.4 % here (measured: -3.2 %).  The bias
    # is far outside the noise and within 20 % of the first-order prediction.
    predicted = truth / (1 + (truth + 1) / (_T - 1)) - truth
    bias = naive.mean() - truth
    assert bias < -20 * _sem(naive)
    assert abs(bias - predicted) < 0.2 * abs(predicted) + 4 * _sem(naive)


@pytest.mark.statistical
def test_jackknife_error_matches_scatter_over_draws():
    _, _, pr, stderr, _ = _draws(11)
    ratio = np.mean(stderr ** 2) / pr.var(ddof=1)
    # var(ddof=1) over 1000 draws: chi2_999/999, relative sd sqrt(2/999) = 0.045 (4 sigma:
    # 0.18); the mean of the jackknife variances is ~3x tighter.  The jackknife variance is
    # biased upwards (Efron & Stein 1981): allow 15 % (measured ratio 1.07-1.10 at 3 seeds).
    width = 4 * np.sqrt(2 / (_N_DRAWS - 1))
    assert 1 - width < ratio < (1 + width) * 1.15


def _scaled_low_rank(rng, T, N, K=3):
    """Samples with correlation R = (L L^T + D)/norm and unit scales s; returns X, R, s."""
    L = rng.standard_normal((N, K))
    C = L @ L.T + np.diag(rng.uniform(0.5, 2.0, N))
    sd = np.sqrt(np.diag(C))
    R = C / np.outer(sd, sd)
    s = np.exp(rng.uniform(-2.0, 2.0, N))
    X = (rng.standard_normal((T, N)) @ np.linalg.cholesky(R).T) * s + 5.0
    return X, R, s


def _pr(C):
    return np.trace(C) ** 2 / np.sum(C * C)


@pytest.mark.statistical
def test_zscore_gives_the_correlation_matrix_pr():
    rng = np.random.default_rng(5)
    X, R, s = _scaled_low_rank(rng, 20_000, 30)
    z = dim.from_activity(X, zscore=True)
    # rescaling units changes nothing with zscore (to rounding)
    z2 = dim.from_activity(X * rng.uniform(0.1, 10.0, X.shape[1]), zscore=True)
    assert abs(z2.pr - z.pr) < 1e-10 * z.pr and abs(z2.naive - z.naive) < 1e-10 * z.naive
    # the correlation matrix' PR: 4 jackknife errors plus the O(1/T) plug-in of the scales
    assert abs(z.pr - _pr(R)) < 4 * z.stderr + 3.0 * _pr(R) / 20_000
    # without zscore: the covariance s R s, which is a different number here
    raw = dim.from_activity(X)
    cov = R * np.outer(s, s)
    assert abs(raw.pr - _pr(cov)) < 4 * raw.stderr
    assert abs(_pr(cov) - _pr(R)) > 10 * (z.stderr + raw.stderr)


@pytest.mark.parametrize("zscore", [False, True])
@pytest.mark.parametrize("shape", [(90, 120), (700, 15)])
def test_gram_and_covariance_forms_agree_and_naive_is_numpy_plug_in(monkeypatch, shape, zscore):
    rng = np.random.default_rng(2)
    X, _, _ = _scaled_low_rank(rng, *shape)
    forms = {}
    for method in ("covariance", "gram"):
        monkeypatch.setattr(dim, "_activity_method", lambda T, N, B, m=method: m)
        forms[method] = dim.from_activity(X, blocks=6, zscore=zscore)
        assert forms[method].method == method
    a, b = forms["covariance"], forms["gram"]
    for name in ("pr", "stderr", "naive", "trace", "trace_sq"):
        assert abs(getattr(a, name) - getattr(b, name)) < 1e-12 * abs(getattr(a, name)), name
    np.testing.assert_allclose(a.jackknife, b.jackknife, rtol=1e-12)
    C = np.corrcoef(X, rowvar=False) if zscore else np.cov(X, rowvar=False)
    assert abs(a.naive - _pr(C)) < 1e-12 * a.naive


def test_the_cheaper_form_is_chosen():
    assert dim._activity_method(90, 120, 6) == "gram"              # T < N
    assert dim._activity_method(700, 15, 6) == "covariance"
    assert dim._activity_method(100_000, 1000, 10) == "covariance"


def test_blocks_and_dtypes():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((103, 7))
    r = dim.from_activity(X, blocks=4)
    assert r.block_sizes.tolist() == [25, 26, 26, 26] and r.block_sizes.sum() == 103
    assert r.blocks == 4 and r.n_samples == 103 and r.n_units == 7 and r.pr_per_n == r.pr / 7
    assert float(r) == r.pr and r.success and r.status == 0 and "±" in r.message
    # float32 and integer recordings are read block by block as float64
    r32 = dim.from_activity(X.astype(np.float32), blocks=4)
    assert abs(r32.pr - dim.from_activity(X.astype(np.float32).astype(float), blocks=4).pr) < 1e-12
    Xi = rng.integers(-5, 6, (60, 4))
    assert abs(dim.from_activity(Xi, blocks=3).pr
               - dim.from_activity(Xi.astype(float), blocks=3).pr) < 1e-12


@pytest.mark.parametrize("X, kwargs, match", [
    (np.ones(10), {}, "`X` must be 2-D"),
    (np.ones((3, 4, 5)), {}, "`X` must be 2-D"),
    (np.ones((10, 0)), {}, "at least one unit"),
    (np.array([["a", "b"]]), {}, "`X` must be an array of real numbers"),
    (np.ones((40, 3)) * (1 + 1j), {}, "`X` must be an array of real numbers"),
    (np.where(np.eye(40, 3) > 0, np.nan, 1.0), {}, "`X` must contain only finite"),
    (np.where(np.eye(40, 3) > 0, np.inf, 1.0), {}, "`X` must contain only finite"),
    (np.ones((40, 3)), {"blocks": 2}, "`blocks`"),
    (np.ones((40, 3)), {"blocks": 1}, "`blocks`"),
    (np.ones((40, 3)), {"blocks": 2.5}, "`blocks`"),
    (np.ones((40, 3)), {"blocks": 21}, "`blocks` leaves too few samples per block"),
    (np.ones((40, 3)), {"zscore": "yes"}, "`zscore`"),
    (np.column_stack([np.arange(40.0), np.ones(40)]), {"zscore": True},
     r"`zscore=True` needs every unit of `X` to vary; units \[1\]"),
    (np.ones((40, 3)), {}, "`X` has no variance"),
])
def test_bad_input(X, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        dim.from_activity(X, **kwargs)


@pytest.mark.statistical
def test_large_recording_in_bounded_memory_and_time():
    N, T = 1000, 20_000
    X = np.random.default_rng(3).standard_normal((T, N))   # white, identity covariance: PR = N
    tracemalloc.start()
    t0 = time.perf_counter()
    r = dim.from_activity(X)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    block = X.nbytes / r.blocks
    # two blocks, the ten N x N block covariances and their sum (measured: ~1.5 s, 110 MB)
    assert peak < 2 * block + (r.blocks + 2) * N * N * 8
    assert elapsed < 20.0
    assert abs(r.pr - N) < 4 * r.stderr
    # Wishart: naive ~ N/(1 + (N + 1)/(T - 1)) = 952, far below
    assert abs(r.naive - N / (1 + (N + 1) / (T - 1))) < 4 * r.stderr
    assert r.naive < N - 10 * r.stderr
