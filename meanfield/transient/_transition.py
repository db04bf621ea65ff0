r"""The transition to amplification: peak amplification, critical lines, the critical
exponent and the phase diagram (see :mod:`meanfield.transient`, "The transition").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from .. import _checks
from .._results import ResultMixin
from .._runtime import chunks
from ..errors import ParameterError
from ._closed_forms import (
    AVERAGE_AMPLIFICATION_THRESHOLD,
    AVERAGE_LOCAL_MAX_THRESHOLD,
    _dpq,
    _pq,
)

# ---------------------------------------------------------------------------
# the transition: peak amplification, critical lines, exponent, phase diagram
# ---------------------------------------------------------------------------

_T_GRID = np.concatenate([[0.0], np.geomspace(1e-4, 200.0, 1500)])
_GOLD = (math.sqrt(5.0) - 1.0) / 2.0


def _golden(fun, lo, hi, iters=80):
    """Vectorised golden-section minimisation of fun(t) on [lo, hi] (elementwise)."""
    a, b = np.array(lo, dtype=float), np.array(hi, dtype=float)
    for _ in range(iters):
        c = b - _GOLD * (b - a)
        d = a + _GOLD * (b - a)
        left = fun(c) < fun(d)
        b = np.where(left, d, b)
        a = np.where(left, a, c)
    x = 0.5 * (a + b)
    return x, fun(x)


def _r_iv(r, *, high=None):
    r = _checks.real_array("r", r, low=0.0)
    if high is not None and np.any(r > high):
        raise ParameterError(f"`r` must be in [0, {high}] (the line ends at the edge of chaos "
                             f"r = 1; beyond it every trajectory grows); got max r={r.max()!r}")
    return r


def _a_iv(a):
    return _checks.real_array("mean_square_weight", a, low=0.0)


def _local_extremum(r, a, kind, block=2000):
    """Interior local max (kind="max") or min of F = P + aQ on t > 0.

    r, a: 1-D arrays of equal length.  Returns (t, F) with NaN where none.  The grid values
    of P and Q are computed once per distinct r; points are handled in blocks.
    """
    T = _T_GRID[1:]
    sgn = -1.0 if kind == "max" else 1.0
    ru, inv = np.unique(r, return_inverse=True)
    Pu, Qu = _pq(T[None, :], ru[:, None])
    lo = np.empty(r.size)
    hi = np.empty(r.size)
    found = np.zeros(r.size, dtype=bool)
    for sl in chunks(r.size, block):
        G = sgn * (Pu[inv[sl]] + a[sl, None] * Qu[inv[sl]])
        # interior local minima of G on the grid (strict on the left: no plateaus)
        inner = (G[:, 1:-1] < G[:, :-2]) & (G[:, 1:-1] <= G[:, 2:])
        Gi = np.where(inner, G[:, 1:-1], np.inf)
        j = np.argmin(Gi, axis=1)
        found[sl] = np.isfinite(Gi[np.arange(j.size), j])
        lo[sl] = T[j]                   # grid neighbours of the candidate T[j + 1]
        hi[sl] = T[np.minimum(j + 2, T.size - 1)]

    def fun(tt):
        p, q = _pq(tt, r)
        return sgn * (p + a * q)

    tt, g = _golden(fun, lo, hi)
    return np.where(found, tt, np.nan), np.where(found, sgn * g, np.nan)


def _psi(t, r):
    """-P'/Q': the <mu^2> at which F'(t) = 0 (inf where Q' <= 0)."""
    dp, dq = _dpq(t, r)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(dq > 0, -dp / np.where(dq > 0, dq, 1.0), np.inf)


def _max_derivative(r, a):
    """max over the t grid of F'(t) = P' + a Q'."""
    dp, dq = _dpq(_T_GRID[1:], r)
    return float(np.max(dp + a * dq))


def _saddle_node_extrema(r, a):
    """Time of the saddle node and, for each a above the line, ((t_min, F), (t_max, F))."""
    T = _T_GRID[1:]
    vals = _psi(T, r)
    j = int(np.argmin(vals))
    t_sn, _ = _golden(lambda tt: _psi(tt, r), np.array(T[max(j - 1, 0)]),
                      np.array(T[min(j + 1, T.size - 1)]))
    t_sn = float(t_sn)
    # psi is finite on an interval around t_sn; its ends
    fin = np.isfinite(vals)
    lo_end = T[j]
    while lo_end > T[0] and np.isfinite(_psi(lo_end / 1.5, r)):
        lo_end /= 1.5
    hi_end = T[j]
    k = j
    while k + 1 < T.size and fin[k + 1]:
        k += 1
    hi_end = T[k]
    out = []
    for ai in np.atleast_1d(a):
        def g(tt, ai=ai):
            return float(_psi(tt, r)) - ai
        t1 = optimize.brentq(g, lo_end, t_sn, xtol=1e-15, rtol=4 * np.finfo(float).eps)
        t2 = optimize.brentq(g, t_sn, hi_end, xtol=1e-15, rtol=4 * np.finfo(float).eps)
        p, q = _pq(np.array([t1, t2]), r)
        F = p + ai * q
        out.append(((t1, float(F[0])), (t2, float(F[1]))))
    return t_sn, out


def peak_amplification(r, mean_square_weight):
    r"""Order parameter :math:`G = \sup_{t\ge0}\mathrm E\|x(t)\|^2 - 1` and the peak time.

    For the balanced zero-row-sum Rajan-Abbott ensemble,
    :math:`F(t) = \mathrm E\|x(t)\|^2 = e^{-2t}[I_0(2rt) + \langle\mu^2\rangle
    (I_0(2rt)-1)/r^2]`, :math:`F(0) = 1`, :math:`F'(0) = -2`.  :math:`G = 0`
    when no time beats the initial norm (monotone decay, or a local maximum
    below 1); otherwise :math:`G = F(t_{\rm peak}) - 1 > 0`.  At :math:`r = 0`
    this is the order parameter of the average trajectory,
    :math:`\max_t e^{-2t}(1 + \langle\mu^2\rangle t^2) - 1`.

    Parameters
    ----------
    r : array_like
        Bulk radius :math:`r \ge 0` (``ensemble.spectral_radius``).
    mean_square_weight : array_like
        :math:`\langle\mu^2\rangle \ge 0`.  Broadcast against ``r``.

    Returns
    -------
    gain : ndarray
        :math:`G` (inf for :math:`r > 1`, where the norm grows without bound).
    t_peak : ndarray
        Time of the supremum: the interior maximum where :math:`G > 0`, 0 where
        :math:`G = 0`, inf for :math:`r > 1`.

    Notes
    -----
    A grid search over :math:`t \in (0, 400]` (1200 geometric points) refined by
    golden section (to :math:`\sim 10^{-9}` in :math:`t`, :math:`10^{-16}` in
    :math:`F`).

    Examples
    --------
    >>> import meanfield as mf
    >>> gain, t_peak = peak_amplification(0.5, 9.0)
    >>> round(float(gain), 4), round(float(t_peak), 4)
    (0.4704, 0.948)
    """
    r = _checks.real_array("r", r, low=0.0)
    a = _a_iv(mean_square_weight)
    try:
        r, a = np.broadcast_arrays(r, a)
    except ValueError:
        raise ParameterError(f"`r` (shape {np.shape(r)}) and `mean_square_weight` (shape "
                             f"{np.shape(a)}) must broadcast to one shape") from None
    shape = r.shape
    rf, af = r.ravel().astype(float), a.ravel().astype(float)
    gain = np.full(rf.size, np.inf)
    tpk = np.full(rf.size, np.inf)
    ok = rf <= 1.0
    if np.any(ok):
        tl, fl = _local_extremum(rf[ok], af[ok], "max")
        amplified = np.isfinite(fl) & (fl > 1.0)
        gain[ok] = np.where(amplified, fl - 1.0, 0.0)
        tpk[ok] = np.where(amplified, tl, 0.0)
    return gain.reshape(shape), tpk.reshape(shape)


def critical_line(r, kind: str = "amplified"):
    r"""Critical :math:`\langle\mu^2\rangle_c(r)` of the transient-amplification transition.

    Parameters
    ----------
    r : array_like
        Bulk radius, :math:`0 \le r \le 1` (the lines end at the edge of chaos).
    kind : {"amplified", "local_maximum"}
        ``"amplified"``: smallest :math:`\langle\mu^2\rangle` at which
        :math:`\mathrm E\|x(t)\|^2` exceeds its initial value 1 at some
        :math:`t > 0`,

        .. math::

            \langle\mu^2\rangle_c(r) = \min_{t>0}
            \frac{1 - e^{-2t}I_0(2rt)}{e^{-2t}(I_0(2rt)-1)/r^2}

        (:math:`F = P + \langle\mu^2\rangle Q` is linear in
        :math:`\langle\mu^2\rangle` with :math:`Q > 0`).
        ``"local_maximum"``: smallest :math:`\langle\mu^2\rangle` at which
        :math:`F` has a local maximum, :math:`\min_{t: Q'>0} (-P'/Q')`.
        At :math:`r = 0` these are the average-trajectory thresholds
        :math:`e^{2t_c}/t_c \approx 6.176` and 4.

    Returns
    -------
    ndarray, same shape as ``r``

    Examples
    --------
    >>> round(float(critical_line(0.5)), 4), round(float(critical_line(0.5, "local_maximum")), 4)
    (5.6693, 3.5525)
    """
    kind = _checks.choice("kind", kind, ("amplified", "local_maximum"))
    r = _r_iv(r, high=1.0)
    shape = r.shape
    rf = r.ravel()
    T = _T_GRID[1:]

    if kind == "amplified":
        def phi(tt, rr):
            p, q = _pq(tt, rr)
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(q > 0, (1.0 - p) / np.where(q > 0, q, 1.0), np.inf)
    else:
        phi = _psi

    vals = phi(T[None, :], rf[:, None])
    j = np.argmin(vals, axis=1)
    lo = T[np.maximum(j - 1, 0)]
    hi = T[np.minimum(j + 1, T.size - 1)]
    _, best = _golden(lambda tt: phi(tt, rf), lo, hi)
    return best.reshape(shape)


@dataclass(frozen=True, repr=False)
class ExponentFit(ResultMixin):
    r"""Exponent :math:`\beta`: :math:`O \propto (\langle\mu^2\rangle - \langle\mu^2\rangle_c)^\beta`.

    Attributes
    ----------
    kind : str
        ``"amplified"`` (:math:`O = G`, the peak gain) or ``"local_maximum"``
        (:math:`O` = height of the local maximum above the local minimum).
    r, critical : float
        Radius and critical :math:`\langle\mu^2\rangle_c(r)`.
    exponent, stderr, intercept : float
        Least-squares slope of :math:`\log O` against
        :math:`\log(\langle\mu^2\rangle - \langle\mu^2\rangle_c)`, its standard
        error, and the intercept.
    distance, order_parameter : ndarray
        The points of the fit.
    t_onset : float
        Time of the peak (``"amplified"``) or of the inflection
        (``"local_maximum"``) just above the threshold.
    below : float
        The order parameter just below the threshold (0: continuous onset).
    success, status, message
        ``success`` False (``status`` 1) when the points are not on a power law.

    Examples
    --------
    >>> fit = critical_exponent(0.5)
    >>> fit.kind, round(fit.critical, 4), round(fit.exponent, 3), fit.success
    ('amplified', 5.6693, 1.0, True)
    """

    kind: str
    r: float
    critical: float
    exponent: float
    stderr: float
    intercept: float
    distance: np.ndarray
    order_parameter: np.ndarray
    t_onset: float
    below: float
    success: bool = True
    status: int = 0
    message: str = ""

    _repr_fields = ("kind", "r", "critical", "exponent", "stderr", "t_onset", "below",
                    "success", "message")

    def plot(self, ax=None, *, title: str | None = None):
        r"""The order parameter against the distance to the threshold (log-log) with the fit.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Draw into it; otherwise a new (pyplot-free) Figure is made.
        title : str, optional
            Default: the kind, the radius and the fitted exponent.

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> fig = critical_exponent(0.5).plot()
        >>> type(fig).__name__, fig.axes[0].get_xscale(), fig.axes[0].get_yscale()
        ('Figure', 'log', 'log')
        """
        from ..plotting._transient import plot_exponent_fit
        return plot_exponent_fit(self, ax=ax, title=title)


def critical_exponent(r: float = 0.0, kind: str = "amplified", *,
                      distance=None) -> ExponentFit:
    r"""Order of the transition: fitted exponent of the order parameter near threshold.

    Parameters
    ----------
    r : float
        Bulk radius in [0, 1]; r = 0 is the average trajectory.
    kind : {"amplified", "local_maximum"}
        ``"amplified"``: :math:`G = \max_t F - 1` against
        :math:`\langle\mu^2\rangle - \langle\mu^2\rangle_c`.
        ``"local_maximum"``: the height of the new local maximum of :math:`F`
        above its local minimum, against the distance to the
        ``"local_maximum"`` line.
    distance : array_like, optional
        Relative distances :math:`\epsilon` (the fit uses
        :math:`\langle\mu^2\rangle = \langle\mu^2\rangle_c(1+\epsilon)`);
        default ``logspace(-6, -3, 7)``.

    Returns
    -------
    ExponentFit
        ``exponent`` near 1 for ``"amplified"`` (a continuous, linear onset:
        a kink, second order in the Ehrenfest sense, while the peak time jumps
        from 0 to ``t_onset``), near 3/2 for ``"local_maximum"`` (a
        saddle-node: the two extrema separate as :math:`\sqrt\epsilon`).
        ``success`` is False when the fitted slope has a relative residual
        above 1e-3 (not a power law on this range).

    Notes
    -----
    Why 1: :math:`F = P + \langle\mu^2\rangle Q` is linear in
    :math:`\langle\mu^2\rangle`; at threshold its maximum touches 1 at an
    interior :math:`t_c`, so by the envelope theorem
    :math:`G \approx Q(t_c)(\langle\mu^2\rangle - \langle\mu^2\rangle_c)`.
    Tarnowski (2020) reports a second-order transition in which the average
    trajectory becomes amplified; this function makes the statement precise
    for the order parameters defined here, it does not reproduce the paper's
    own (unavailable to us) definition.

    Examples
    --------
    >>> fit = critical_exponent(0.5)
    >>> round(fit.exponent, 3), round(fit.t_onset, 3), fit.message
    (1.0, 0.858, 'power law fitted')
    """
    kind = _checks.choice("kind", kind, ("amplified", "local_maximum"))
    r = _checks.real("r", r, low=0.0, high=1.0)
    eps = np.logspace(-6, -3, 7) if distance is None else _checks.real_array(
        "distance", distance, ndim=1, low=0.0, low_open=True)
    if eps.size < 2:
        raise ParameterError(f"`distance` must hold at least 2 values; got {eps.size}")
    ac = float(critical_line(r, kind))
    a = ac * (1.0 + eps)
    if kind == "amplified":
        O, tp = peak_amplification(np.full(a.shape, r), a)
        t_on = float(tp[0])
        below = float(peak_amplification(r, ac * (1 - eps[0]))[0])
    else:
        t_sn, ext = _saddle_node_extrema(r, a)
        O = np.array([F2 - F1 for (_, F1), (_, F2) in ext])
        t_on = t_sn
        # below the line F' < 0 for all t > 0: check on the grid around t_sn
        below = _max_derivative(r, ac * (1 - eps[0]))
        below = 0.0 if below < 0 else math.nan
    with np.errstate(divide="ignore"):
        x, y = np.log(ac * eps), np.log(O)
    good = np.isfinite(y)
    if good.sum() < 2:
        return ExponentFit(kind, r, ac, math.nan, math.nan, math.nan, ac * eps, O, t_on, below,
                           success=False, status=1,
                           message="order parameter not positive above the threshold")
    A = np.vstack([x[good], np.ones(good.sum())]).T
    coef, *_ = np.linalg.lstsq(A, y[good], rcond=None)
    resid = y[good] - A @ coef
    dof = max(1, good.sum() - 2)
    s2 = float(resid @ resid) / dof
    cov = s2 * np.linalg.inv(A.T @ A)
    se = float(math.sqrt(cov[0, 0]))
    ok = se < 1e-3 * abs(coef[0])
    return ExponentFit(kind=kind, r=r, critical=ac, exponent=float(coef[0]), stderr=se,
                       intercept=float(coef[1]), distance=ac * eps, order_parameter=O,
                       t_onset=t_on, below=below, success=bool(ok), status=0 if ok else 1,
                       message="power law fitted" if ok else "log-log points are not on a line")


#: Region codes of :class:`PhaseDiagram`.
REGIONS = {0: "monotone decay", 1: "local maximum below 1", 2: "amplified", 3: "unstable (r > 1)"}


@dataclass(frozen=True, repr=False)
class PhaseDiagram(ResultMixin):
    r"""Transient-amplification phase diagram in the :math:`(r, \langle\mu^2\rangle)` plane.

    Attributes
    ----------
    r, mean_square_weight : ndarray
        Grid axes, shapes (n_r,) and (n_a,).
    gain, t_peak : ndarray, shape (n_a, n_r)
        :func:`peak_amplification` on the grid.
    region : ndarray of int, shape (n_a, n_r)
        0 monotone decay of :math:`\mathrm E\|x\|^2`, 1 local maximum below 1,
        2 amplified (:math:`G > 0`), 3 unstable (:math:`r > 1`).
    line_r : ndarray
        Radii in [0, 1] of the critical lines.
    line_amplified, line_local_maximum : ndarray
        :func:`critical_line` (``"amplified"``, ``"local_maximum"``) on ``line_r``.
    average_amplified, average_local_maximum : float
        Thresholds of the average trajectory (horizontal lines:
        :math:`\approx 6.176` and 4).

    Examples
    --------
    >>> import numpy as np
    >>> pd = phase_diagram(np.linspace(0.0, 0.9, 4), np.linspace(0.0, 12.0, 5))
    >>> pd.gain.shape, pd.success, round(pd.average_amplified, 4)
    ((5, 4), True, 6.1766)
    """

    r: np.ndarray
    mean_square_weight: np.ndarray
    gain: np.ndarray
    t_peak: np.ndarray
    region: np.ndarray
    line_r: np.ndarray
    line_amplified: np.ndarray
    line_local_maximum: np.ndarray
    average_amplified: float
    average_local_maximum: float
    success: bool = True
    status: int = 0
    message: str = ""

    def plot(self, ax=None, **kwargs):
        """Regions, critical lines, average-trajectory thresholds and the edge of chaos r = 1.

        Examples
        --------
        >>> import numpy as np
        >>> pd = phase_diagram(np.linspace(0.0, 0.9, 4), np.linspace(0.0, 12.0, 5))
        >>> type(pd.plot()).__name__
        'Figure'
        """
        from ..plotting import plot_phase_diagram
        return plot_phase_diagram(self, ax=ax, **kwargs)


def phase_diagram(r=None, mean_square_weight=None) -> PhaseDiagram:
    r"""Regions of transient amplification of :math:`\mathrm E\|x(t)\|^2` in :math:`(r, \langle\mu^2\rangle)`.

    Parameters
    ----------
    r : array_like, 1-D, optional
        Radii :math:`\ge 0` (default ``linspace(0, 1.2, 61)``); :math:`r > 1` is
        beyond the edge of chaos (unbounded growth).
    mean_square_weight : array_like, 1-D, optional
        :math:`\langle\mu^2\rangle \ge 0` (default ``linspace(0, 12, 61)``).

    Returns
    -------
    PhaseDiagram
        With ``.plot()``.

    Notes
    -----
    For balanced, zero-row-sum Rajan-Abbott couplings the control parameters are
    the bulk radius :math:`r` and :math:`\langle\mu^2\rangle = N\langle
    \bar w_j^2\rangle`, where :math:`\bar w_j = \mu_j/\sqrt N` are the mean
    weights.  Scaling with :math:`N`: with means of order :math:`1/N` (the usual
    :math:`J_0/N`), :math:`\langle\mu^2\rangle \to 0` and there is no
    amplification at large :math:`N`; with means of order :math:`1/\sqrt N`
    (the strong, balanced scaling) the transition sits at an
    :math:`N`-independent :math:`\langle\mu^2\rangle_c(r)`; with mean weights
    held fixed as :math:`N` grows, :math:`\langle\mu^2\rangle \propto N` and any
    fixed weight crosses the line once :math:`N > \langle\mu^2\rangle_c /
    \langle\bar w^2\rangle`.  What sharpens with :math:`N` is the
    :math:`x_0`-averaged norm of one network, whose spread over networks
    shrinks with :math:`N` (measured: 9 % at N = 250, 5.6 % at N = 1000 for
    :math:`\langle\mu^2\rangle = 9`, r = 0.8, t = 2; see ``tests/test_transient.py``);
    a single trajectory
    keeps an :math:`O(1)` :math:`\chi^2_1` spread (:func:`squared_norm_law`), so
    the fraction of amplified trajectories varies smoothly.

    Examples
    --------
    >>> import numpy as np
    >>> pd = phase_diagram(np.linspace(0.0, 0.9, 4), np.linspace(0.0, 12.0, 5))
    >>> pd.region.shape, pd.line_r.shape, pd.message
    ((5, 4), (101,), '5 x 4 grid')
    """
    r = np.linspace(0.0, 1.2, 61) if r is None else _checks.real_array("r", r, ndim=1, low=0.0)
    a = (np.linspace(0.0, 12.0, 61) if mean_square_weight is None
         else _checks.real_array("mean_square_weight", mean_square_weight, ndim=1, low=0.0))
    if r.size == 0 or a.size == 0:
        raise ParameterError("`r` and `mean_square_weight` must be non-empty")
    R, A = np.meshgrid(r, a)
    gain, tpk = peak_amplification(R, A)
    line_r = np.linspace(0.0, 1.0, 101)
    la = critical_line(line_r, "amplified")
    ll = critical_line(line_r, "local_maximum")
    region = np.zeros(R.shape, dtype=int)
    inside = R <= 1.0
    a_loc = critical_line(np.clip(r, 0.0, 1.0), "local_maximum")[None, :]
    region[inside & (A >= a_loc)] = 1
    region[inside & (gain > 0)] = 2
    region[~inside] = 3
    return PhaseDiagram(r=r, mean_square_weight=a, gain=gain, t_peak=tpk, region=region,
                        line_r=line_r, line_amplified=la, line_local_maximum=ll,
                        average_amplified=AVERAGE_AMPLIFICATION_THRESHOLD,
                        average_local_maximum=AVERAGE_LOCAL_MAX_THRESHOLD,
                        message=f"{a.size} x {r.size} grid")
