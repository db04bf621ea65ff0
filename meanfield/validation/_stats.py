r"""Tolerances, minimum detectable errors and finite-size budgets (see the package docstring)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from .. import _checks
from ..errors import ParameterError

__all__ = ["ALPHA", "SMOKE_LIMIT", "FiniteSizeFit", "fit_inverse_n", "minimum_detectable_error",
           "n_for_resolution", "t_quantile", "tolerance", "verdict"]

#: Probability that a correct theory (with a correct budget) fails one row by chance.
ALPHA = 1e-3
#: A row whose minimum detectable error exceeds this fraction is a smoke test.
SMOKE_LIMIT = 0.10
#: p-value below which a finite-size fit is rejected by its own data.
FIT_P_MIN = 0.01


def t_quantile(n: int, alpha: float = ALPHA) -> float:
    r"""Two-sided Student-t quantile :math:`t_{n-1}(1-\alpha/2)` for a mean of ``n`` samples.

    Parameters
    ----------
    n : int
        Number of independent samples (seeds) behind the mean; ``n < 2`` gives
        ``inf`` (no standard error can be estimated from one sample).
    alpha : float
        Two-sided false-failure probability, in (0, 1).

    Examples
    --------
    >>> round(t_quantile(8), 3), round(t_quantile(4), 2), round(t_quantile(10**6), 3)
    (5.408, 12.92, 3.291)
    """
    n = _checks.integer("n", n, low=1)
    alpha = _checks.real("alpha", alpha)
    if not 0.0 < alpha < 1.0:
        raise ParameterError(f"`alpha` must lie in (0, 1); got alpha={alpha}")
    if n < 2:
        return math.inf
    from scipy.special import stdtrit
    return float(stdtrit(n - 1, 1.0 - alpha / 2.0))


def tolerance(stderr: float, n: int, *, budget: float = 0.0, scale: float = 1.0,
              alpha: float = ALPHA) -> float:
    r"""Allowed :math:`|\bar y - \text{theory}|`: :math:`t_{n-1}(1-\alpha/2)\,s + b\,|\text{scale}|`.

    Parameters
    ----------
    stderr : float
        Standard error :math:`s` of the mean over ``n`` independent realisations.
    n : int
        Number of realisations.
    budget : float
        Relative finite-size bias budget :math:`b(N)`.
    scale : float
        What the budget multiplies (usually :math:`|\text{theory}|`).
    alpha : float
        Per-row false-failure probability.

    Examples
    --------
    >>> round(tolerance(0.01, 8, budget=0.01, scale=2.0), 4)
    0.0741
    """
    stderr = _checks.real("stderr", stderr)
    budget = _checks.real("budget", budget)
    if stderr < 0 or budget < 0:
        raise ParameterError(f"`stderr` and `budget` must be >= 0; got {stderr}, {budget}")
    return t_quantile(n, alpha) * stderr + budget * abs(_checks.real("scale", scale))


def minimum_detectable_error(tol: float, scale: float) -> float:
    r"""The tolerance as a fraction of the scale: the smallest relative error a row resolves.

    Examples
    --------
    >>> minimum_detectable_error(0.05, 2.0)
    0.025
    >>> minimum_detectable_error(0.05, 0.0)
    inf
    """
    tol, scale = _checks.real("tol", tol), abs(_checks.real("scale", scale))
    return tol / scale if scale > 0 else math.inf


def verdict(deviation: float, tol: float, mde: float, smoke_limit: float = SMOKE_LIMIT) -> str:
    r"""``"FAIL"`` if :math:`|\text{deviation}| \ge` tol, else ``"smoke"`` if the minimum
    detectable error exceeds ``smoke_limit``, else ``"pass"``.

    Examples
    --------
    >>> verdict(0.01, 0.02, 0.04), verdict(0.01, 0.02, 0.3), verdict(0.03, 0.02, 0.04)
    ('pass', 'smoke', 'FAIL')
    """
    if not (abs(deviation) < tol):           # NaN deviations fail
        return "FAIL"
    return "smoke" if not (mde <= smoke_limit) else "pass"


@dataclass(frozen=True)
class FiniteSizeFit:
    r"""Weighted fit of a relative deviation to :math:`a/N`, checked against its own data.

    Attributes
    ----------
    sizes, deviation, stderr : tuple of float
        The measured relative deviations :math:`(\bar y - \text{theory})/\text{scale}`
        and their standard errors at each N.
    a, a_stderr : float
        Fitted coefficient of :math:`a/N` and its standard error.
    chi2, dof, p_value : float, int, float
        Goodness of fit; ``p_value < 0.01`` means the :math:`1/N` law is rejected
        by the data (``consistent`` is False).
    shrinks : bool
        The deviation at the largest N is smaller in magnitude than at the smallest,
        or consistent with zero (within 2 standard errors).
    budget_c : float
        The budget coefficient :math:`c` of :math:`b(N) = c/N`: :math:`|a| + 2\,\sigma_a`
        when the law fits, else the envelope :math:`\max_i N_i(|d_i| + 2 s_i)` of the
        measured points (valid only inside the measured range of N).

    Examples
    --------
    Built by :func:`fit_inverse_n`:

    >>> fit = fit_inverse_n([1000, 2000], [-0.02, -0.0105], [0.002, 0.001])
    >>> round(fit.a, 1), round(fit.a_stderr, 1), fit.dof, fit.consistent
    (-20.5, 1.4, 1, True)
    >>> round(fit.budget_c, 1)
    23.3
    """

    sizes: tuple
    deviation: tuple
    stderr: tuple
    a: float
    a_stderr: float
    chi2: float
    dof: int
    p_value: float
    shrinks: bool
    consistent: bool
    budget_c: float

    def budget(self, n: int) -> float:
        """Relative budget :math:`b(N) = c/N`.

        Examples
        --------
        >>> fit = fit_inverse_n([1000, 2000], [-0.02, -0.0105], [0.002, 0.001])
        >>> round(fit.budget(4000), 5)
        0.00583
        """
        return self.budget_c / _checks.integer("n", n, low=1)

    def describe(self) -> str:
        r"""One line: the measured points, the fitted law and the budget, with warnings.

        Examples
        --------
        >>> fit = fit_inverse_n([1000, 2000], [-0.02, -0.0105], [0.002, 0.001])
        >>> print(*fit.describe().split("; "), sep="\n")
        -2.00 ± 0.20% (N=1000), -1.05 ± 0.10% (N=2000)
        a/N fit a = -20.5 ± 1.4 (chi2 0.13/1, p = 0.72)
        c = 23.3
        >>> fit_inverse_n([1000, 2000], [-0.02, -0.03], [0.002, 0.001]).describe().split("; ")[-2:]
        ['the 1/N law is REJECTED by its data (envelope budget)', 'the deviation does NOT shrink with N']
        """
        pts = ", ".join(f"{100 * d:+.2f} ± {100 * s:.2f}% (N={n:g})"
                        for n, d, s in zip(self.sizes, self.deviation, self.stderr))
        law = (f"a/N fit a = {self.a:+.1f} ± {self.a_stderr:.1f} (chi2 {self.chi2:.2f}/{self.dof}, "
               f"p = {self.p_value:.2g})")
        flag = "" if self.consistent else "; the 1/N law is REJECTED by its data (envelope budget)"
        flag += "" if self.shrinks else "; the deviation does NOT shrink with N"
        return f"{pts}; {law}; c = {self.budget_c:.1f}{flag}"

    def to_dict(self) -> dict:
        """The fields as a plain dict (JSON-ready: floats, tuples, bools).

        Examples
        --------
        >>> d = fit_inverse_n([1000, 2000], [-0.02, -0.0105], [0.002, 0.001]).to_dict()
        >>> d["sizes"], d["consistent"]
        ((1000.0, 2000.0), True)
        """
        return asdict(self)


def fit_inverse_n(sizes, deviation, stderr) -> FiniteSizeFit:
    r"""Fit relative deviations measured at several N to :math:`a/N` (weighted least squares).

    Parameters
    ----------
    sizes : sequence of int
        At least two distinct N.
    deviation, stderr : sequence of float
        Relative deviation and its standard error at each N (stderr > 0).

    Returns
    -------
    FiniteSizeFit

    Examples
    --------
    >>> fit = fit_inverse_n([1000, 2000], [-0.02, -0.0105], [0.002, 0.001])
    >>> round(fit.a, 1), fit.consistent, fit.shrinks
    (-20.5, True, True)
    >>> fit_inverse_n([1000, 2000], [-0.02, -0.03], [0.002, 0.001]).consistent
    False
    """
    ns = _checks.real_array("sizes", sizes)
    d = _checks.real_array("deviation", deviation)
    s = _checks.real_array("stderr", stderr)
    if not (ns.ndim == d.ndim == s.ndim == 1 and ns.shape == d.shape == s.shape):
        raise ParameterError("`sizes`, `deviation`, `stderr` must be 1-D of one length; got "
                             f"shapes {ns.shape}, {d.shape}, {s.shape}")
    if len(np.unique(ns)) < 2 or np.any(ns < 1):
        raise ParameterError(f"`sizes` needs at least two distinct N >= 1; got {ns.tolist()}")
    if np.any(~(s > 0)) or not np.all(np.isfinite(d)):
        raise ParameterError("`stderr` must be positive and `deviation` finite")
    x, w = 1.0 / ns, 1.0 / s**2
    sxx = float(np.sum(w * x * x))
    a = float(np.sum(w * x * d)) / sxx
    a_se = 1.0 / math.sqrt(sxx)
    chi2 = float(np.sum(w * (d - a * x) ** 2))
    dof = len(ns) - 1
    from scipy.special import chdtrc
    p = float(chdtrc(dof, chi2))
    lo, hi = int(np.argmin(ns)), int(np.argmax(ns))
    shrinks = bool(abs(d[hi]) < abs(d[lo]) or abs(d[hi]) < 2.0 * s[hi])
    consistent = p >= FIT_P_MIN
    if consistent:
        c = abs(a) + 2.0 * a_se
    else:
        c = float(np.max(ns * (np.abs(d) + 2.0 * s)))
    return FiniteSizeFit(tuple(float(v) for v in ns), tuple(float(v) for v in d),
                         tuple(float(v) for v in s), a, a_se, chi2, dof, p, shrinks, consistent,
                         float(c))


def n_for_resolution(target: float, rel_stderr: float, n0: int, c: float, n_seeds: int,
                     alpha: float = ALPHA) -> float:
    r"""Smallest N at which a row resolves a relative error ``target``.

    Model: the relative standard error self-averages, :math:`s(N) = s_0\sqrt{N_0/N}`
    (``rel_stderr`` measured at ``n0`` with ``n_seeds`` seeds), and the budget is
    :math:`c/N`; solves :math:`t\,s(N) + c/N = \text{target}`.

    Examples
    --------
    >>> round(n_for_resolution(0.05, 0.01, 1000, 25.0, 8))
    2048
    """
    target = _checks.real("target", target)
    if not target > 0:
        raise ParameterError(f"`target` must be positive; got {target}")
    t = t_quantile(n_seeds, alpha)
    b = t * _checks.real("rel_stderr", rel_stderr) * math.sqrt(_checks.integer("n0", n0, low=1))
    c = abs(_checks.real("c", c))
    # c x^2 + b x - target = 0 with x = 1/sqrt(N)
    x = target / b if c == 0 else (-b + math.sqrt(b * b + 4.0 * c * target)) / (2.0 * c)
    return math.inf if x <= 0 else 1.0 / (x * x)
