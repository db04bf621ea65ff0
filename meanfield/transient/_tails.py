r"""The right tail of the distribution of :math:`\|x(t)\|^2`: Gaussian against exponential
(see :mod:`meanfield.transient`, "The distribution").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from .. import _checks
from .._results import ResultMixin
from ..errors import ParameterError

# ---------------------------------------------------------------------------
# the right tail of the distribution
# ---------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class TailFit(ResultMixin):
    r"""Gaussian against exponential fit of a right tail (from :func:`tail_fit`).

    Attributes
    ----------
    quantile, threshold : float
        The exceedances are the samples above ``threshold`` (the ``quantile``
        of the samples), minus ``threshold``.
    n_samples, n_exceed : int
    exceedances : ndarray
    rate : float
        Exponential MLE :math:`\hat\lambda = 1/\overline{y}`.
    center, scale : float
        Gaussian tail: centre fixed at the sample mean, scale :math:`\hat\sigma`
        by maximum likelihood of the truncated density.
    loglik_exponential, loglik_gaussian : float
    aic_exponential, aic_gaussian : float
        :math:`2k - 2\log L` with one free parameter each.
    delta_aic : float
        ``aic_gaussian - aic_exponential``: positive means the exponential tail wins.
    vuong_z : float
        Vuong's statistic :math:`\sum_i d_i / (\sqrt n\, s_d)` of the pointwise
        log-likelihood ratios (exponential minus Gaussian); :math:`|z| > 2`
        is a clear preference.
    winner : str
        ``"exponential"`` or ``"gaussian"`` (by the sign of ``delta_aic``).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.random.default_rng(0).exponential(2.0, 2000)
    >>> fit = tail_fit(y)
    >>> fit.n_exceed, fit.winner, round(fit.rate, 3)
    (200, 'exponential', 0.454)
    """

    quantile: float
    threshold: float
    n_samples: int
    n_exceed: int
    exceedances: np.ndarray
    rate: float
    center: float
    scale: float
    loglik_exponential: float
    loglik_gaussian: float
    aic_exponential: float
    aic_gaussian: float
    delta_aic: float
    vuong_z: float
    winner: str
    success: bool = True
    status: int = 0
    message: str = ""

    _repr_fields = ("quantile", "threshold", "n_exceed", "rate", "center", "scale",
                    "delta_aic", "vuong_z", "winner", "success", "message")

    def exponential_pdf(self, y):
        """Fitted exponential density of the exceedances ``y >= 0``.

        Examples
        --------
        >>> import numpy as np
        >>> y = np.random.default_rng(0).exponential(2.0, 2000)
        >>> fit = tail_fit(y)
        >>> fit.exponential_pdf([5.0, 10.0]).round(5)
        array([0.04687, 0.00484])
        """
        y = np.asarray(y, dtype=float)
        return np.where(y >= 0, self.rate * np.exp(-self.rate * np.maximum(y, 0.0)), 0.0)

    def gaussian_pdf(self, y):
        """Fitted (truncated) Gaussian density of the exceedances ``y >= 0``.

        Examples
        --------
        >>> import numpy as np
        >>> y = np.random.default_rng(0).exponential(2.0, 2000)
        >>> fit = tail_fit(y)
        >>> fit.gaussian_pdf([5.0, 10.0]).round(5)
        array([0.05964, 0.00204])
        """
        y = np.asarray(y, dtype=float)
        z = (self.threshold + y - self.center) / self.scale
        z0 = (self.threshold - self.center) / self.scale
        logp = stats.norm.logpdf(z) - math.log(self.scale) - stats.norm.logsf(z0)
        return np.where(y >= 0, np.exp(logp), 0.0)

    def plot(self, ax=None, **kwargs):
        """Histogram of the exceedances (log scale) with both fitted densities.

        Examples
        --------
        >>> import numpy as np
        >>> y = np.random.default_rng(0).exponential(2.0, 2000)
        >>> fit = tail_fit(y)
        >>> type(fit.plot()).__name__
        'Figure'
        """
        from ..plotting import plot_tail
        return plot_tail(self, ax=ax, **kwargs)


def tail_fit(samples, *, quantile: float = 0.9, min_exceed: int = 30) -> TailFit:
    r"""Fit the right tail of ``samples`` with a Gaussian and with an exponential.

    Parameters
    ----------
    samples : array_like
        Samples (any shape, flattened), e.g. ``result.pooled(k)`` of
        :func:`meanfield.simulate.squared_norm`.
    quantile : float
        The threshold :math:`u` is this sample quantile, in (0, 1).
    min_exceed : int
        Minimum number of exceedances (>= 5).

    Returns
    -------
    TailFit

    Raises
    ------
    ParameterError
        For non-finite samples, a quantile outside (0, 1), too few
        exceedances, or samples with no spread.

    Notes
    -----
    Exceedances :math:`y_i = s_i - u > 0`.  Exponential:
    :math:`p(y) = \lambda e^{-\lambda y}`, :math:`\hat\lambda = 1/\bar y`.
    Gaussian: :math:`p(y) = \varphi((u+y-c)/\sigma) / (\sigma\, \bar\Phi((u-c)/\sigma))`
    with the centre :math:`c` fixed at the sample mean of *all* samples and
    :math:`\sigma` by maximum likelihood.  The centre is fixed on purpose: a
    Gaussian truncated far in its tail with a free centre tends to an
    exponential (any light tail looks exponential just above a high threshold),
    so a free-centre fit could never lose.  With one parameter each, the AIC
    difference is twice the log-likelihood ratio; ``vuong_z`` says whether it is
    larger than its sampling noise.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.random.default_rng(0).exponential(2.0, 2000)
    >>> fit = tail_fit(y)
    >>> fit.winner, round(fit.rate, 3), round(fit.threshold, 3)  # rate 1/2
    ('exponential', 0.454, 4.628)
    """
    y = _checks.real_array("samples", samples).ravel()
    quantile = _checks.real("quantile", quantile, low=0.0, high=1.0, low_open=True,
                            high_open=True)
    min_exceed = _checks.integer("min_exceed", min_exceed, low=5)
    if y.size < 2 or np.ptp(y) == 0:
        raise ParameterError(f"`samples` must hold at least 2 distinct values; got {y.size} "
                             "samples with no spread")
    u = float(np.quantile(y, quantile))
    ex = y[y > u] - u
    if ex.size < min_exceed:
        raise ParameterError(
            f"`samples` must have at least min_exceed={min_exceed} values above the "
            f"quantile={quantile} threshold; got {ex.size} (use more samples or a lower quantile)")
    m = ex.size
    rate = 1.0 / ex.mean()
    lp_exp = math.log(rate) - rate * ex
    c = float(y.mean())
    z0_base = u - c

    def lp_gauss(log_s):
        s = math.exp(log_s)
        return (stats.norm.logpdf((ex + z0_base) / s) - log_s
                - stats.norm.logsf(z0_base / s))

    sd = float(y.std())
    if not 1e-150 < sd < 1e150:
        raise ParameterError(f"`samples` must have a spread (standard deviation) in "
                             f"[1e-150, 1e150]; got {sd:.3g}: rescale the samples")
    lo, hi = math.log(sd) - 12.0, math.log(sd) + 6.0
    opt = optimize.minimize_scalar(lambda ls: -float(np.sum(lp_gauss(ls))), bounds=(lo, hi),
                                   method="bounded", options={"xatol": 1e-10})
    at_bound = min(opt.x - lo, hi - opt.x) < 1e-6
    lpg = lp_gauss(opt.x)
    ll_e, ll_g = float(lp_exp.sum()), float(lpg.sum())
    d = lp_exp - lpg
    sdd = float(d.std(ddof=1))
    vz = float(d.sum() / (math.sqrt(m) * sdd)) if sdd > 0 else math.copysign(math.inf, d.sum())
    aic_e, aic_g = 2 - 2 * ll_e, 2 - 2 * ll_g
    ok = bool(opt.success) and not at_bound
    msg = (f"{m} exceedances above the {quantile:g} quantile; "
           f"{'exponential' if aic_g > aic_e else 'gaussian'} tail preferred "
           f"(delta AIC = {aic_g - aic_e:.3g}, Vuong z = {vz:.2f})")
    if not ok:
        msg += "; the Gaussian scale fit did not converge inside its bracket"
    return TailFit(quantile=quantile, threshold=u, n_samples=int(y.size), n_exceed=int(m),
                   exceedances=ex, rate=float(rate), center=c, scale=float(math.exp(opt.x)),
                   loglik_exponential=ll_e, loglik_gaussian=ll_g, aic_exponential=aic_e,
                   aic_gaussian=aic_g, delta_aic=float(aic_g - aic_e), vuong_z=vz,
                   winner="exponential" if aic_g > aic_e else "gaussian", success=ok,
                   status=0 if ok else 1, message=msg)
