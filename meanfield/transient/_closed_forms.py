r"""Closed forms of transient amplification: the mean squared norm, the average trajectory
and the large-N law of :math:`\|x(t)\|^2` (see :mod:`meanfield.transient`).

Theory only: uses ``ensembles`` (their parameters), scipy and numpy; never the simulator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from .. import _checks
from .. import ensembles as _ensembles
from .._results import AlwaysSucceeds
from ..errors import ParameterError

#: The average trajectory :math:`e^{-2t}(1 + \langle\mu^2\rangle t^2)` has a local
#: maximum for :math:`\langle\mu^2\rangle > 4` (double root of
#: :math:`\langle\mu^2\rangle t^2 - \langle\mu^2\rangle t + 1`, at :math:`t = 1/2`).
AVERAGE_LOCAL_MAX_THRESHOLD = 4.0

#: Time :math:`t_c = 1 + W_0(-2e^{-2})/2` of the peak of the average trajectory at
#: the amplification threshold (root of :math:`(1 - t)e^{2t} = 1`).
AVERAGE_AMPLIFICATION_TIME = float(1.0 + special.lambertw(-2.0 * math.exp(-2.0), 0).real / 2.0)

#: The average trajectory rises above its initial norm for
#: :math:`\langle\mu^2\rangle > e^{2t_c}/t_c = 1/(t_c(1-t_c)) \approx 6.176`.
AVERAGE_AMPLIFICATION_THRESHOLD = float(math.exp(2.0 * AVERAGE_AMPLIFICATION_TIME)
                                        / AVERAGE_AMPLIFICATION_TIME)

_METHODS = ("closed_form",)
_SERIES_X = 0.5          # below this x = r t the Bessel combinations use their power series


# ---------------------------------------------------------------------------
# the closed forms, written with exponentially scaled Bessel functions
# ---------------------------------------------------------------------------

def _ive(nu, x):
    r"""Exponentially scaled Bessel :math:`e^{-x} I_\nu(x)` for real :math:`x \ge 0` of any size.

    ``scipy.special.ive`` returns nan above :math:`x \approx 10^9`; there the
    asymptotic series :math:`(2\pi x)^{-1/2}[1 - (4\nu^2-1)/(8x) + (4\nu^2-1)(4\nu^2-9)/(2(8x)^2)]`
    is exact to double precision (relative error below :math:`10^{-24}` at :math:`x = 10^8`).
    """
    x = np.asarray(x)
    if np.iscomplexobj(x):              # the ladder series of block profiles: moderate |x|
        return special.ive(nu, x)
    x = x.astype(np.float64)
    big = x > 1e8
    xb = np.where(big, x, 1e8)
    m = 4.0 * nu * nu
    asym = (1.0 - (m - 1.0) / (8.0 * xb) + (m - 1.0) * (m - 9.0) / (2.0 * (8.0 * xb) ** 2)) \
        / np.sqrt(2.0 * np.pi * xb)
    return np.where(big, asym, special.ive(nu, np.where(big, 0.0, x)))


def _power_series(x, a, b, terms=12):
    r""":math:`\sum_{k\ge0} c_k x^{2k}` with :math:`c_0 = 1`, :math:`c_{k+1}/c_k = 1/((k+1+a)(k+1+b))`.

    ``(a, b) = (1, 1)``: :math:`(I_0(2x) - 1)/x^2 = \sum_k x^{2k}/((k+1)!)^2`;
    ``(0, 1)``: :math:`I_1(2x)/x = \sum_k x^{2k}/(k!(k+1)!)` (x < 0.5: 12 terms suffice).
    """
    x2 = x * x
    out = np.zeros_like(x)
    term = np.ones_like(x)
    for k in range(terms):
        out += term
        term = term * x2 / ((k + 1 + a) * (k + 1 + b))
    return out


def _series_or_bessel(x, a, b, large):
    """:math:`e^{-2x}` times :func:`_power_series` below ``_SERIES_X``, ``large(x)`` above."""
    x = np.asarray(x, dtype=np.float64)
    small = x < _SERIES_X
    xs = np.where(small, x, _SERIES_X)
    xl = np.where(small, 1.0, x)
    return np.where(small, np.exp(-2 * xs) * _power_series(xs, a, b), large(xl))


def _scaled_s(x):
    r""":math:`e^{-2x}(I_0(2x) - 1)/x^2`, finite at x = 0 (value 1)."""
    return _series_or_bessel(x, 1, 1, lambda xl: (_ive(0, 2 * xl) - np.exp(-2 * xl)) / (xl * xl))


def _scaled_j(x):
    r""":math:`e^{-2x} I_1(2x)/x`, finite at x = 0 (value 1)."""
    return _series_or_bessel(x, 0, 1, lambda xl: _ive(1, 2 * xl) / xl)


def _pq(t, r):
    r"""The two pieces of :math:`\mathrm E\|x(t)\|^2 = P(t) + \langle\mu^2\rangle Q(t)`.

    :math:`P = e^{-2t} I_0(2rt)`, :math:`Q = e^{-2t}(I_0(2rt) - 1)/r^2` (equal to
    :math:`t^2 e^{-2t}` at r = 0), evaluated without overflow for any t when
    r <= 1 (for r > 1 they grow like :math:`e^{2(r-1)t}` and overflow to inf).
    """
    t = np.asarray(t, dtype=np.float64)
    x = r * t
    with np.errstate(over="ignore", invalid="ignore"):   # 0 * inf: caught by _overflow_check
        grow = np.exp(2.0 * (r - 1.0) * t)
        P = _ive(0, 2.0 * x) * grow
        Q = t * t * _scaled_s(x) * grow
    return P, Q


def _dpq(t, r):
    r""":math:`dP/dt` and :math:`dQ/dt` (same scaling as :func:`_pq`)."""
    t = np.asarray(t, dtype=np.float64)
    x = r * t
    with np.errstate(over="ignore"):
        grow = np.exp(2.0 * (r - 1.0) * t)
        dP = 2.0 * grow * (r * _ive(1, 2.0 * x) - _ive(0, 2.0 * x))
        dQ = 2.0 * grow * (t * _scaled_j(x) - t * t * _scaled_s(x))
    return dP, dQ


def _ladder_block(t, alpha, M):
    r"""Ladder series :math:`e^{-2t}\sum_k \frac{t^{2k}}{(k!)^2}\,\alpha^T M^k \mathbf 1`.

    Summed in closed form through the eigendecomposition of :math:`M`,
    :math:`\alpha^T V \mathrm{diag}\,e^{-2t} I_0(2t\sqrt{\lambda_i})\, V^{-1}\mathbf 1`
    (:math:`I_0(2\sqrt z)` is entire, so the branch of the root does not matter); the
    power series itself when :math:`V` is ill-conditioned.
    """
    t = np.asarray(t, dtype=np.float64)
    lam, V = np.linalg.eig(M)
    ones = np.ones(M.shape[0])
    try:
        Vi = np.linalg.inv(V)
        cond = np.linalg.norm(V) * np.linalg.norm(Vi)
    except np.linalg.LinAlgError:
        cond = math.inf
    if cond < 1e8:
        sq = np.sqrt(lam.astype(complex))
        w = (alpha @ V) * (Vi @ ones)
        z = 2.0 * t[..., None] * sq
        with np.errstate(over="ignore", invalid="ignore"):
            factor = np.exp(2.0 * t[..., None] * (np.abs(sq.real) - 1.0))
            # |ive(0, z)| <= 1: an underflowed factor is a zero term even where scipy's
            # complex ive gives nan (|z| ~ 1e90)
            vals = np.where(factor == 0.0, 0.0, _ive(0, z) * factor)
            out = np.real(np.sum(w * vals, axis=-1))
        if not np.all(np.isfinite(out)):
            raise ParameterError(
                f"`t` is too large for the ladder series of this variance profile: "
                f"E||x(t)||^2 is not representable (overflow) at max t={float(t.max())!r}")
        return out
    rho = max(float(np.max(np.abs(lam))), 1e-300)
    x = math.sqrt(rho) * float(t.max(initial=0.0))
    kmax = int(x + 15 * math.sqrt(x) + 40)
    if kmax > 100000:
        raise ParameterError(f"`t` is too large for the ladder series of this variance profile "
                             f"(r t = {x:.3g}); got max t={float(t.max())!r}")
    coef = np.empty(kmax + 1)             # alpha^T (M/rho)^k 1
    v = ones.copy()
    for k in range(kmax + 1):
        coef[k] = alpha @ v
        v = (M @ v) / rho
    k = np.arange(kmax + 1)
    tt = t[..., None]
    logt = np.log(np.where(tt > 0, tt, 1.0))
    logterm = k * (2 * logt + math.log(rho)) - 2 * special.gammaln(k + 1) - 2 * tt
    logterm = np.where((tt == 0) & (k > 0), -np.inf, logterm)
    return np.sum(coef * np.exp(logterm), axis=-1)


def _closed_form_params(ensemble, *, need: str = "the closed form"):
    r"""(r, <mu^2>) of an ensemble with a closed form, else ParameterError."""
    if isinstance(ensemble, _ensembles.Gaussian):
        return float(ensemble.g), 0.0
    if isinstance(ensemble, _ensembles.RajanAbbott):
        if not (ensemble.balanced and ensemble.zero_row_sum):
            raise ParameterError(
                f"{need} needs a balanced Rajan-Abbott ensemble with zero row sums "
                f"(W = M + XP, M^2 = 0); got balanced={ensemble.balanced!r}, "
                f"zero_row_sum={ensemble.zero_row_sum!r}. Use mf.simulate.squared_norm(ensemble, t, "
                "n=...).mean for a finite-n estimate")
        return float(ensemble.spectral_radius), float(ensemble.mean_square_weight)
    if isinstance(ensemble, _ensembles.Ensemble):
        raise ParameterError(
            f"{need} is known for Gaussian, BlockVariance (mean squared norm only) and balanced "
            f"zero-row-sum RajanAbbott ensembles; "
            f"got `ensemble`={ensemble!r}. Use mf.simulate.squared_norm(ensemble, t, n=...).mean "
            "for a finite-n estimate")
    raise ParameterError(
        f"`ensemble` must be a meanfield.ensembles.Ensemble; got ensemble={ensemble!r} "
        f"({type(ensemble).__name__})")


def _overflow_check(value, t, r):
    """ParameterError naming `t` where E||x(t)||^2 overflows (r > 1 grows like e^{2(r-1)t})."""
    if not np.all(np.isfinite(value)):
        bad = float(np.max(np.asarray(t)[~np.isfinite(np.broadcast_to(value, np.shape(t)))]))
        raise ParameterError(
            f"`t` is too large: E||x(t)||^2 grows like e^(2(r-1)t) for r={r!r} > 1 and "
            f"overflows the float range at t={bad!r} (t must stay below about "
            f"{354.0 / max(r - 1.0, 1e-300):.4g})")


def _t_iv(t, *, ndim=None):
    return _checks.real_array("t", t, ndim=ndim, low=0.0)


def mean_squared_norm(ensemble, t, *, method: str = "closed_form", n: int | None = None,
                      n_matrices: int = 20, seed=None):
    r"""Mean squared norm :math:`\mathrm E\|x(t)\|^2` of :math:`\dot x = -x + Wx`.

    :math:`x(0)` is uniform on the unit sphere, so
    :math:`\mathrm E\|x(t)\|^2 = \frac1N \mathrm E\,\mathrm{tr}\,
    e^{(W-1)t}e^{(W-1)^Tt}` (time in units of the unit time constant).

    Parameters
    ----------
    ensemble : meanfield.ensembles.Ensemble
        The coupling ensemble of :math:`W`.
    t : array_like
        Times :math:`t \ge 0` (any shape).
    method : {"closed_form"}
        The :math:`N \to \infty` formula (Notes) for the ensembles that have one.
        The finite-``n`` Monte Carlo estimate that ``method="monte_carlo"`` gave
        lives with the simulator (theory never runs it):
        ``mf.simulate.squared_norm(ensemble, t, n=n, n_matrices=k, n_x0=1).mean``;
        ``method="monte_carlo"`` raises ParameterError saying so.
    n, n_matrices, seed
        Only for the removed Monte Carlo path: ``n`` must be left None.

    Returns
    -------
    ndarray
        Same shape as ``t``.

    Raises
    ------
    ParameterError
        For negative or non-finite ``t``, an unknown ``method``, a closed form
        asked of an ensemble without one, or a missing / superfluous ``n``.

    Notes
    -----
    Closed forms (large :math:`N`, fixed :math:`t`):

    * ``Gaussian(g, J0)``: :math:`e^{-2t} I_0(2gt)`.  The mean :math:`J_0/N`
      is rank one and contributes :math:`O(e^{2(J_0-1)t}/N)`, dropped here;
      with :math:`J_0 > 1` it dominates once :math:`t \gtrsim \ln N/(2(J_0-1))`.
    * ``RajanAbbott`` with ``balanced=True, zero_row_sum=True``:

      .. math::

          e^{-2t}\left[(1+m^2) I_0(2rt) - m^2\right]
          = e^{-2t} I_0(2rt) + \langle\mu^2\rangle\, e^{-2t}\,
            \frac{I_0(2rt) - 1}{r^2},

      :math:`r` = ``ensemble.spectral_radius``,
      :math:`\langle\mu^2\rangle` = ``ensemble.mean_square_weight``
      (the second form is used, so :math:`r = 0` gives
      :math:`e^{-2t}(1 + \langle\mu^2\rangle t^2)`).

    * ``BlockVariance(fractions, g_matrix)`` (zero mean, variance
      :math:`g_{ab}^2/N` from population :math:`b` to :math:`a`): only the
      nested (ladder) pairings survive, giving the series

      .. math::

          e^{-2t}\sum_{k\ge0}\frac{t^{2k}}{(k!)^2}\,\alpha^T M^k\mathbf 1
          = e^{-2t}\,\alpha^T I_0\big(2t\sqrt M\big)\mathbf 1,
          \qquad M_{ab} = \alpha_b g_{ab}^2

      (summed through the eigendecomposition of the K x K matrix M; equal rows
      :math:`g_{ab} = \sigma_b` give back :math:`e^{-2t}I_0(2rt)`).

    Other ensembles (``Elliptic``, ``LowRankPlusRandom``, ``RandomMode``,
    Rajan-Abbott without balance or zero row sums) have no closed form here:
    sample them with ``mf.simulate.squared_norm``.

    Evaluated with ``scipy.special.ive`` (exponentially scaled), so large
    :math:`t` neither overflows nor loses digits when :math:`r \le 1`; for
    :math:`r > 1` the norm grows like :math:`e^{2(r-1)t}`, and a ``t`` where it
    overflows the float range raises ParameterError (it is not returned as inf).
    Measured finite-:math:`N` deviation of the Rajan-Abbott form (N = 250 and
    1000): the table in the docstring of ``tests/test_transient.py``; at
    N = 1000 it is below 3 % for t <= 3 and not resolved from the matrix-to-matrix
    scatter for :math:`\langle\mu^2\rangle` = 9 and 36.

    Examples
    --------
    >>> import meanfield as mf
    >>> mean_squared_norm(mf.ensembles.Gaussian(g=0.5), [0.0, 1.0]).round(6)
    array([1.      , 0.171343])
    """
    if isinstance(method, str) and method == "monte_carlo":
        raise ParameterError(
            "`method`='monte_carlo' moved to the simulator (theory never samples): use "
            "mf.simulate.squared_norm(ensemble, t, n=n, n_matrices=n_matrices, n_x0=1, "
            "seed=seed).mean for the finite-n estimate")
    _checks.choice("method", method, _METHODS)
    if n is not None:
        raise ParameterError(f"`n` is only used by the finite-n estimate "
                             f"(mf.simulate.squared_norm); got n={n!r}")
    if isinstance(ensemble, _ensembles.BlockVariance):
        return _ladder_block(_t_iv(t), ensemble.alpha, ensemble.variance_matrix)
    r, a = _closed_form_params(ensemble)
    t = _t_iv(t)
    P, Q = _pq(t, r)
    with np.errstate(invalid="ignore", over="ignore"):
        out = P + a * Q if a else P
    _overflow_check(out, t, r)
    return out


def average_trajectory_squared_norm(ensemble, t):
    r"""Squared norm of the average trajectory, :math:`e^{-2t}(1 + \langle\mu^2\rangle t^2)`.

    The average over the random part of :math:`W` at fixed :math:`x_0` is
    :math:`\bar x(t) = e^{-t}(x_0 + tMx_0)` for the balanced Rajan-Abbott
    ensemble with zero row sums (:math:`\mathrm E (XP)^k = O(1/N)` for
    :math:`k \ge 1`, :math:`M^2 = 0`); averaging :math:`\|\bar x(t)\|^2` over
    :math:`x_0` uniform on the sphere (:math:`\mathrm E (\mu^Tx_0)^2 =
    \langle\mu^2\rangle`, :math:`\mathrm{tr} M = 0`) gives

    .. math:: \mathrm E\|\bar x(t)\|^2 = e^{-2t}\,(1 + \langle\mu^2\rangle t^2).

    For ``Gaussian`` ensembles :math:`\langle\mu^2\rangle = 0` (the mean
    :math:`J_0/N` contributes :math:`O(1/N)`).

    Parameters
    ----------
    ensemble : Gaussian or balanced zero-row-sum RajanAbbott
    t : array_like
        Times :math:`t \ge 0` (any shape).

    Returns
    -------
    ndarray, same shape as ``t``

    Notes
    -----
    It has a local maximum iff :math:`\langle\mu^2\rangle > 4`, and rises above
    1 iff :math:`\langle\mu^2\rangle > 1/(t_c(1-t_c)) \approx 6.176`,
    :math:`(1-t_c)e^{2t_c} = 1` (``AVERAGE_AMPLIFICATION_THRESHOLD``).

    Examples
    --------
    Strong balanced means (:math:`\langle\mu^2\rangle = 9`) amplify the average
    trajectory before it decays; iid couplings never do:

    >>> import meanfield as mf
    >>> ens = mf.ensembles.RajanAbbott(f=0.5, mu_e=3.0, sigma_e=0.3, sigma_i=0.3)
    >>> average_trajectory_squared_norm(ens, [0.0, 1.0, 2.0]).round(4)
    array([1.    , 1.3534, 0.6777])
    >>> average_trajectory_squared_norm(mf.ensembles.Gaussian(0.5), [0.0, 1.0]).round(4)
    array([1.    , 0.1353])
    """
    a = 0.0 if isinstance(ensemble, _ensembles.BlockVariance) else \
        _closed_form_params(ensemble, need="the average trajectory")[1]
    t = _t_iv(t)
    # e^{-2t} + exp(-2t + log(a t^2)): no overflow of a t^2 when e^{-2t} has long underflowed
    with np.errstate(divide="ignore"):
        log_at2 = np.log(a) + 2.0 * np.log(t) if a > 0 else np.full_like(t, -np.inf)
    return np.exp(-2.0 * t) + np.exp(-2.0 * t + log_at2)


# ---------------------------------------------------------------------------
# the large-N law of ||x(t)||^2
# ---------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class ChiSquareLaw(AlwaysSucceeds):
    r"""Large-:math:`N` law of :math:`\|x(t)\|^2`: :math:`A + B z^2`, :math:`z \sim \mathcal N(0,1)`.

    Attributes
    ----------
    t : float
    shift : float
        :math:`A = e^{-2t} I_0(2rt)` (the self-averaging part).
    scale : float
        :math:`B = \langle\mu^2\rangle e^{-2t}(I_0(2rt)-1)/r^2` (the projection of
        :math:`x_0` on the mean-weight direction); 0 for iid couplings, where
        the law is a point mass at :math:`A`.
    success, status, message
        Properties: a closed form cannot fail (bad input raises in
        :func:`squared_norm_law`), so ``success`` is True and ``status`` 0;
        ``message`` states the law.

    Notes
    -----
    ``to_dict()``, ``save(path)``/``ChiSquareLaw.load(path)`` and ``==`` are those of
    every result, :class:`meanfield._results.ResultMixin`.  It has no ``plot()``: its
    figure is the law drawn over samples of :math:`\|x(t)\|^2` (``pdf`` over a
    histogram of :meth:`meanfield.simulate.SquaredNormSamples.pooled`).

    Examples
    --------
    Made by :func:`squared_norm_law`:

    >>> import meanfield as mf
    >>> ens = mf.ensembles.RajanAbbott(f=0.5, mu_e=3.0, sigma_e=0.3, sigma_i=0.3)
    >>> law = squared_norm_law(ens, 1.0)
    >>> round(law.shift, 4), round(law.scale, 4)
    (0.1478, 1.2457)
    >>> round(law.mean, 4), round(law.var, 4), round(law.tail_rate, 4)
    (1.3935, 3.1035, 0.4014)
    >>> law.success, law.message
    (True, '||x(t)||^2 -> A + B z^2 at t=1: A=0.1478, B=1.246')
    """

    t: float
    shift: float
    scale: float

    @property
    def message(self) -> str:
        """The law with its parameters."""
        return f"||x(t)||^2 -> A + B z^2 at t={self.t:g}: A={self.shift:.4g}, B={self.scale:.4g}"

    @property
    def mean(self) -> float:
        """:math:`A + B` (equal to :func:`mean_squared_norm`)."""
        return self.shift + self.scale

    @property
    def var(self) -> float:
        r""":math:`2B^2` (the :math:`O(1/N)` Gaussian part is not included)."""
        return 2.0 * self.scale ** 2

    @property
    def tail_rate(self) -> float:
        r"""Rate :math:`1/(2B)` of the exponential right tail (inf when :math:`B = 0`)."""
        return math.inf if self.scale == 0 else 1.0 / (2.0 * self.scale)

    def _u(self, y):
        y = _checks.real_array("y", y)
        if self.scale == 0:
            raise ParameterError("the law is a point mass (scale B = 0); it has no density")
        return y, (y - self.shift) / self.scale

    def pdf(self, y):
        r"""Density :math:`\chi^2_1((y - A)/B)/B` (0 for :math:`y \le A`).

        Examples
        --------
        >>> import meanfield as mf
        >>> ens = mf.ensembles.RajanAbbott(f=0.5, mu_e=3.0, sigma_e=0.3, sigma_i=0.3)
        >>> squared_norm_law(ens, 1.0).pdf([0.1, 0.5, 1.0, 2.0]).round(4)
        array([0.    , 0.5229, 0.275 , 0.1249])
        """
        y, u = self._u(y)
        with np.errstate(divide="ignore"):
            return np.where(u > 0, stats.chi2.pdf(np.maximum(u, 1e-300), 1) / self.scale, 0.0)

    def sf(self, y):
        r"""Survival function :math:`P(\|x\|^2 > y) = \mathrm{erfc}(\sqrt{(y-A)/(2B)})`.

        Examples
        --------
        >>> import meanfield as mf
        >>> ens = mf.ensembles.RajanAbbott(f=0.5, mu_e=3.0, sigma_e=0.3, sigma_i=0.3)
        >>> squared_norm_law(ens, 1.0).sf([0.1, 0.5, 1.0, 2.0]).round(4)
        array([1.    , 0.5949, 0.4082, 0.2227])
        """
        y, u = self._u(y)
        return np.where(u > 0, special.erfc(np.sqrt(np.maximum(u, 0.0) / 2.0)), 1.0)


def squared_norm_law(ensemble, t: float) -> ChiSquareLaw:
    r"""Large-:math:`N` distribution of :math:`\|x(t)\|^2` over :math:`W` and :math:`x_0`.

    Parameters
    ----------
    ensemble : Gaussian or balanced zero-row-sum RajanAbbott
    t : float
        Time :math:`t \ge 0`.

    Returns
    -------
    ChiSquareLaw
        :math:`\|x(t)\|^2 \to A + B z^2` with :math:`A = e^{-2t} I_0(2rt)`,
        :math:`B = \langle\mu^2\rangle e^{-2t}(I_0(2rt) - 1)/r^2`.

    Notes
    -----
    With :math:`G = \int_0^t e^{XPs}ds`, :math:`e^{t}x(t) = e^{XPt}x_0 +
    \mathbf 1\,(\mu^TGx_0)/\sqrt N`.  The squared norm of the first term
    self-averages to :math:`I_0(2rt)`; the cross term is :math:`O(N^{-1/2})`;
    :math:`\mu^TGx_0 = (G^T\mu)\cdot x_0` is a projection of :math:`x_0` on one
    direction, Gaussian with variance :math:`\|G^T\mu\|^2/N \to
    m^2(I_0(2rt)-1)` [derived for this project].  Finite :math:`N` adds an
    :math:`O(N^{-1/2})` Gaussian spread (measured in the tests) that this law
    leaves out.

    Examples
    --------
    >>> import meanfield as mf
    >>> ens = mf.ensembles.RajanAbbott(f=0.5, mu_e=3.0, sigma_e=0.3, sigma_i=0.3)
    >>> law = squared_norm_law(ens, 1.0)
    >>> round(law.mean, 6) == round(float(mean_squared_norm(ens, 1.0)), 6)
    True
    >>> squared_norm_law(mf.ensembles.Gaussian(0.5), 1.0).scale  # iid: a point mass
    0.0
    """
    if isinstance(ensemble, _ensembles.BlockVariance):
        t = _checks.nonnegative("t", t)
        return ChiSquareLaw(t=t, shift=float(mean_squared_norm(ensemble, t)), scale=0.0)
    r, a = _closed_form_params(ensemble, need="the large-N law")
    t = _checks.nonnegative("t", t)
    P, Q = _pq(t, r)
    with np.errstate(invalid="ignore", over="ignore"):
        _overflow_check(P + a * Q, t, r)
    return ChiSquareLaw(t=t, shift=float(P), scale=float(a * Q))
