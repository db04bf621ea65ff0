"""meanfield.validation statistics: the 1/N extrapolation and the finite-size fit's power law."""

import math

import numpy as np
import pytest

from meanfield.errors import ParameterError
from meanfield.validation import extrapolate, fit_inverse_n


def test_extrapolation_matches_weighted_polyfit():
    # a second method: numpy's weighted least squares with the unscaled covariance
    rng = np.random.default_rng(5)
    n = np.array([500.0, 1000.0, 2000.0, 4000.0])
    s = rng.uniform(0.005, 0.02, n.size)
    y = 0.3 - 40.0 / n + s * rng.standard_normal(n.size)
    ex = extrapolate(n, y, s, [8] * 4)
    coef, cov = np.polyfit(1.0 / n, y, 1, w=1.0 / s, cov="unscaled")
    assert ex.value == pytest.approx(coef[1], rel=1e-12)
    assert ex.slope == pytest.approx(coef[0], rel=1e-12)
    assert ex.value_stderr == pytest.approx(math.sqrt(cov[1, 1]), rel=1e-10)
    assert ex.slope_stderr == pytest.approx(math.sqrt(cov[0, 0]), rel=1e-10)
    assert ex.fit_dof == 2 and 0.0 <= ex.p_value <= 1.0


def test_extrapolation_exponent_and_bad_input():
    n = np.array([1000.0, 4000.0, 16000.0])
    ex = extrapolate(n, 2.0 + 3.0 / np.sqrt(n), [0.01] * 3, [4] * 3, exponent=0.5)
    assert ex.value == pytest.approx(2.0, abs=1e-12) and ex.slope == pytest.approx(3.0)
    two = extrapolate([1000, 2000], [1.0, 1.1], [0.1, 0.1], [5, 5])
    assert two.fit_dof == 0 and math.isnan(two.p_value) and not two.consistent
    with pytest.raises(ParameterError, match="n_seeds"):
        extrapolate([1000, 2000], [1.0, 1.1], [0.1, 0.1], [1, 5])
    with pytest.raises(ParameterError, match="sizes"):
        extrapolate([1000, 1000], [1.0, 1.1], [0.1, 0.1], [5, 5])
    with pytest.raises(ParameterError, match="exponent"):
        extrapolate([1000, 2000], [1.0, 1.1], [0.1, 0.1], [5, 5], exponent=0.0)


def test_extrapolation_test_has_its_stated_size():
    """A correct theory fails the intercept test with probability alpha.

    Each trial draws 8 seeds at N = 1000, 2000, 4000 from y ~ N(1 - 120/N, sd(N)),
    with seed-to-seed spread sd(N) shrinking as N^-1/2 as a Lyapunov exponent's
    does, estimates the standard errors from those seeds (so the Student-t /
    Welch-Satterthwaite degrees of freedom matter) and tests the intercept at
    alpha = 0.05.  Error model: over 4000 trials the failure count is binomial,
    sd = sqrt(4000 * 0.05 * 0.95) = 13.8; a 4.5 sd band is [138, 262].  Measured:
    175-183 (seeds 11, 12); the Welch-Satterthwaite degrees of freedom gave
    253-269 (too many failures: the weights use the estimated errors) and normal
    quantiles 351-371.
    """
    rng = np.random.default_rng(11)
    sizes = np.array([1000, 2000, 4000])
    trials, seeds, fails = 4000, 8, 0
    for _ in range(trials):
        means, ses = [], []
        for n in sizes:
            v = 1.0 - 120.0 / n + 0.05 * math.sqrt(1000.0 / n) * rng.standard_normal(seeds)
            means.append(v.mean())
            ses.append(v.std(ddof=1) / math.sqrt(seeds))
        ex = extrapolate(sizes, means, ses, [seeds] * 3)
        fails += abs(ex.value - 1.0) >= ex.tolerance(alpha=0.05)
    assert 138 <= fails <= 262, fails


def test_extrapolation_detects_a_5_percent_error_when_resolved():
    # the same design with a theory 5% off: its tolerance (alpha = 1e-3) must be below 5%
    sizes, seeds = np.array([1000, 2000, 4000]), 16
    rng = np.random.default_rng(3)
    means, ses = [], []
    for n in sizes:
        v = 1.0 - 120.0 / n + 0.03 * math.sqrt(1000.0 / n) * rng.standard_normal(seeds)
        means.append(v.mean())
        ses.append(v.std(ddof=1) / math.sqrt(seeds))
    ex = extrapolate(sizes, means, ses, [seeds] * 3)
    assert abs(ex.value - 1.0) < ex.tolerance()
    assert abs(ex.value - 1.05) >= ex.tolerance() and abs(ex.value - 0.95) >= ex.tolerance()


def test_fit_power_law_exponent():
    n = np.array([1000.0, 2000.0, 4000.0])
    fit = fit_inverse_n(n, 0.4 / np.sqrt(n), [1e-4] * 3, exponent=0.5)
    assert fit.a == pytest.approx(0.4) and fit.consistent and fit.exponent == 0.5
    assert fit.budget(250) == pytest.approx(fit.budget_c / math.sqrt(250))
    # the same data read as 1/N reject that law
    assert not fit_inverse_n(n, 0.4 / np.sqrt(n), [1e-4] * 3).consistent
