r"""Transient amplification in linear random networks (non-normal dynamics).

The dynamics is linear, :math:`\dot x = -x + W x` (time in units of the unit time
constant), started from :math:`x(0)` uniform on the unit sphere, so that
:math:`x(t) = e^{(W-1)t} x(0)` and

.. math::

    \mathrm E\,\|x(t)\|^2 = \frac1N\,\mathrm E\,\mathrm{tr}\,
    e^{(W-1)t}\, e^{(W-1)^T t} .

All eigenvalues of :math:`W - 1` may have negative real parts while
:math:`\|x(t)\|^2` still grows for a while: the non-normal (transient)
amplification studied by Tarnowski (2020) in the Rajan-Abbott ensemble of
excitatory/inhibitory networks.

Theory (large :math:`N`, derived for this project; see
``derivations/transient_series.py``)
-----------------------------------------------------------------------------
*iid couplings* of variance :math:`r^2/N`: only the nested ("ladder") pairings
of :math:`\frac1N\mathrm{tr}\,W^k W^{T\,l}` survive, giving
:math:`r^{2k}\delta_{kl}` and

.. math:: \mathrm E\|x(t)\|^2 = e^{-2t} I_0(2rt).

*Balanced Rajan-Abbott with zero row sums*, :math:`W = M + XP` with
:math:`M = \mathbf 1\mu^T/\sqrt N` (:math:`\mu^T\mathbf 1 = 0`, so
:math:`M^2 = 0`) and :math:`P = 1 - \mathbf 1\mathbf 1^T/N` (so
:math:`XP\,M = 0`): :math:`W^k = (XP)^k + M (XP)^{k-1}` and

.. math::

    \mathrm E\|x(t)\|^2 = e^{-2t}\left[(1+m^2) I_0(2rt) - m^2\right],
    \qquad m^2 = \langle\mu^2\rangle / r^2,

with :math:`r^2 = f\sigma_E^2 + (1-f)\sigma_I^2` and
:math:`\langle\mu^2\rangle = f\mu_E^2 + (1-f)\mu_I^2`.  The mean weights
amplify like extra variance without moving a single eigenvalue.

*The average trajectory* (over the random part, fixed :math:`x_0`) is
:math:`\bar x(t) = e^{-t}(x_0 + t M x_0)`, and over :math:`x_0`,
:math:`\mathrm E\|\bar x(t)\|^2 = e^{-2t}(1 + \langle\mu^2\rangle t^2)`.

*The distribution*: :math:`\mu^T G x_0` (with :math:`G = \int_0^t e^{XPs}ds`)
is a projection of :math:`x_0` on one fixed direction, so it stays an
:math:`O(1)` Gaussian variable as :math:`N \to \infty`, while the rest
self-averages.  Hence, at large :math:`N`,

.. math::

    \|x(t)\|^2 \to A(t) + B(t)\, z^2, \quad z \sim \mathcal N(0,1),\quad
    A = e^{-2t} I_0(2rt),\quad B = e^{-2t} m^2 \left[I_0(2rt) - 1\right],

a shifted, scaled :math:`\chi^2_1` law: mean :math:`A + B`, variance
:math:`2B^2`, exponential right tail of rate :math:`1/(2B)`.  At finite
:math:`N` a Gaussian part of width :math:`O(N^{-1/2})` is added; the tail is
Gaussian while :math:`B` is below that width and exponential above it
(:func:`tail_fit` measures which wins).

*Variance profiles* (``BlockVariance``): the ladder series
:math:`e^{-2t}\sum_k t^{2k}\alpha^T M^k\mathbf 1/(k!)^2`,
:math:`M_{ab} = \alpha_b g_{ab}^2`.

The transition
--------------
Tarnowski (2020; we had only the abstract) reports a second-order transition
from weak or no amplification to strong amplification, in which the average
trajectory is amplified.  Here the statement is made precise for
:math:`F(t) = \mathrm E\|x(t)\|^2` (:math:`F(0) = 1`, :math:`F'(0) = -2`):
the order parameter is :math:`G = \max_t F - 1` (0 when nothing beats the
initial norm) and the critical line :math:`\langle\mu^2\rangle_c(r)`
(:func:`critical_line`) runs from :math:`e^{2t_c}/t_c \approx 6.177` at
:math:`r = 0` (the average trajectory's own threshold) down to about 3.881 at
the edge of chaos :math:`r = 1`; a local maximum (below 1) appears earlier, on
a second line from 4 down to about 1.983.  :math:`G` rises linearly (fitted
exponent 1, :func:`critical_exponent`): continuous, with a jump of
:math:`dG/d\langle\mu^2\rangle` -- second order in the Ehrenfest sense --
while the time of the peak jumps from 0 to a finite :math:`t_c(r)`.  The
local maximum's height grows with exponent 3/2 (a saddle-node).  For
:math:`r < 1` the average trajectory is amplified exactly when
:math:`\langle\mu^2\rangle > 6.177`, above the line of the mean squared norm:
between the two lines the mean squared norm is amplified by the fluctuations
while the average trajectory is not.  Whether this matches the paper's own
order parameter we cannot tell from the abstract.

Public names
------------
:func:`mean_squared_norm`, :func:`average_trajectory_squared_norm`,
:func:`squared_norm_law` (:class:`ChiSquareLaw`), :func:`simulate_squared_norm`
(:class:`SquaredNormSamples`), :func:`peak_amplification`,
:func:`critical_line`, :func:`critical_exponent` (:class:`ExponentFit`),
:func:`phase_diagram` (:class:`PhaseDiagram`), :func:`tail_fit`
(:class:`TailFit`), :data:`REGIONS`, and the constants
:data:`AVERAGE_LOCAL_MAX_THRESHOLD` (= 4), :data:`AVERAGE_AMPLIFICATION_TIME`
and :data:`AVERAGE_AMPLIFICATION_THRESHOLD` (about 6.177).

References
----------
W. Tarnowski, *Transient amplification in balanced neural networks* (2020),
arXiv:2011.08215.  K. Rajan, L. F. Abbott, *Eigenvalue spectra of random
matrices for neural networks*, Phys. Rev. Lett. 97, 188104 (2006),
doi:10.1103/PhysRevLett.97.188104.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse
from scipy import optimize, special, stats

from . import _checks
from . import ensembles as _ensembles
from ._results import ResultMixin
from .errors import ParameterError
from .estimate import Estimate

__all__ = [
    "mean_squared_norm",
    "average_trajectory_squared_norm",
    "squared_norm_law",
    "ChiSquareLaw",
    "simulate_squared_norm",
    "SquaredNormSamples",
    "peak_amplification",
    "critical_line",
    "critical_exponent",
    "ExponentFit",
    "phase_diagram",
    "PhaseDiagram",
    "tail_fit",
    "TailFit",
    "AVERAGE_LOCAL_MAX_THRESHOLD",
    "AVERAGE_AMPLIFICATION_THRESHOLD",
    "AVERAGE_AMPLIFICATION_TIME",
    "REGIONS",
]

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

_METHODS = ("closed_form", "monte_carlo")
_SIM_METHODS = ("auto", "eig", "expm")
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
    with np.errstate(over="ignore"):
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
                f"zero_row_sum={ensemble.zero_row_sum!r}. Use method='monte_carlo' with `n` "
                "for a finite-n estimate")
        return float(ensemble.spectral_radius), float(ensemble.mean_square_weight)
    if isinstance(ensemble, _ensembles.Ensemble):
        raise ParameterError(
            f"{need} is known for Gaussian, BlockVariance (mean squared norm only) and balanced "
            f"zero-row-sum RajanAbbott ensembles; "
            f"got `ensemble`={ensemble!r}. Use method='monte_carlo' with `n` for a "
            "finite-n estimate")
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


def _ensemble_iv(ensemble):
    if not isinstance(ensemble, _ensembles.Ensemble):
        raise ParameterError(
            f"`ensemble` must be a meanfield.ensembles.Ensemble; got ensemble={ensemble!r} "
            f"({type(ensemble).__name__})")
    return ensemble


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
    method : {"closed_form", "monte_carlo"}
        ``"closed_form"``: the :math:`N \to \infty` formula (Notes) for the
        ensembles that have one.  ``"monte_carlo"``: a finite-``n`` estimate for
        any ensemble, the average over ``n_matrices`` sampled matrices of the
        exact :math:`x_0`-average :math:`\frac1n\|e^{(W-1)t}\|_F^2` (see
        :func:`simulate_squared_norm`); it is *not* the :math:`N\to\infty` limit.
    n, n_matrices, seed
        Size, number of matrices (>= 2) and seed of the Monte Carlo path (``n``
        is required there and must be left None for the closed form).

    Returns
    -------
    ndarray (closed form) or Estimate (monte_carlo)
        Same shape as ``t``.  The Estimate's standard error is over matrices.

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
    use ``method="monte_carlo"``.

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
    method = _checks.choice("method", method, _METHODS)
    if method == "closed_form":
        if n is not None:
            raise ParameterError(f"`n` is only used with method='monte_carlo'; got n={n!r}")
        if isinstance(ensemble, _ensembles.BlockVariance):
            return _ladder_block(_t_iv(t), ensemble.alpha, ensemble.variance_matrix)
        r, a = _closed_form_params(ensemble)
        t = _t_iv(t)
        P, Q = _pq(t, r)
        with np.errstate(invalid="ignore", over="ignore"):
            out = P + a * Q if a else P
        _overflow_check(out, t, r)
        return out
    ensemble = _ensemble_iv(ensemble)
    if n is None:
        raise ParameterError("`n` (the network size) is required with method='monte_carlo'; "
                             "got n=None")
    t = _t_iv(t)
    n_matrices = _checks.integer("n_matrices", n_matrices, low=2)
    res = simulate_squared_norm(ensemble, t.ravel(), n=n, n_matrices=n_matrices, n_x0=1,
                                seed=seed, exact_average=True)
    est = res.mean
    return Estimate(est.mean.reshape(t.shape), est.stderr.reshape(t.shape), est.n)


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
    """
    a = 0.0 if isinstance(ensemble, _ensembles.BlockVariance) else \
        _closed_form_params(ensemble, need="the average trajectory")[1]
    t = _t_iv(t)
    return np.exp(-2.0 * t) * (1.0 + a * t * t)


# ---------------------------------------------------------------------------
# the large-N law of ||x(t)||^2
# ---------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class ChiSquareLaw(ResultMixin):
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
    """

    t: float
    shift: float
    scale: float

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
        r"""Density :math:`\chi^2_1((y - A)/B)/B` (0 for :math:`y \le A`)."""
        y, u = self._u(y)
        with np.errstate(divide="ignore"):
            return np.where(u > 0, stats.chi2.pdf(np.maximum(u, 1e-300), 1) / self.scale, 0.0)

    def sf(self, y):
        r"""Survival function :math:`P(\|x\|^2 > y) = \mathrm{erfc}(\sqrt{(y-A)/(2B)})`."""
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


# ---------------------------------------------------------------------------
# sampling ||x(t)||^2: eigendecomposition, expm fallback
# ---------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class SquaredNormSamples(ResultMixin):
    r"""Samples of :math:`\|x(t)\|^2` from :func:`simulate_squared_norm`.

    Attributes
    ----------
    t : ndarray, shape (n_t,)
    samples : ndarray, shape (n_matrices, n_x0, n_t)
        :math:`\|x(t)\|^2` for each matrix and initial condition.
    matrix_mean : ndarray, shape (n_matrices, n_t)
        Average over :math:`x_0` for each matrix: the exact
        :math:`\frac1n\|e^{(W-1)t}\|_F^2` when ``exact_average`` was set, else
        the mean of the ``n_x0`` samples.
    condition : ndarray, shape (n_matrices,)
        Frobenius condition number :math:`\|V\|_F\|V^{-1}\|_F` of the
        eigenvector matrix (NaN where the eig path was not used).
    fallback : ndarray of bool, shape (n_matrices,)
        Matrices where the eig path was rejected (ill-conditioned, or a round-off
        estimate above ``rtol``) and ``scipy.linalg.expm`` was used instead.
    error_estimate : ndarray, shape (n_matrices, n_t)
        A-priori relative round-off estimate of the eig path's values (the larger of
        the exact average's and the samples'; see :func:`simulate_squared_norm`,
        Notes), also for matrices where it exceeded ``rtol`` and expm was used
        instead; NaN where no estimate was made (method ``"expm"``, or eig rejected
        before the estimate by ``cond_max``).
    rtol : float
        The relative accuracy requested of the eig path.
    n, n_matrices, n_x0 : int
    seed : int or None
        The integer seed (None if none or a Generator was given).
    method : str
        ``"eig"`` or ``"expm"``: the method used (``"auto"`` resolved).
    exact_average : bool
    ensemble : str
        ``repr`` of the ensemble.
    success, status, message
        ``status`` 0: every value finite; 1: non-finite values (the norm
        overflowed, e.g. spectral radius > 1 at long times), ``success=False``.
    """

    t: np.ndarray
    samples: np.ndarray
    matrix_mean: np.ndarray
    condition: np.ndarray
    fallback: np.ndarray
    error_estimate: np.ndarray
    rtol: float
    n: int
    n_matrices: int
    n_x0: int
    seed: int | None
    method: str
    exact_average: bool
    ensemble: str
    success: bool = True
    status: int = 0
    message: str = ""

    _repr_fields = ("n", "n_matrices", "n_x0", "seed", "method", "exact_average", "ensemble",
                    "t", "n_fallback", "success", "message")

    @property
    def n_fallback(self) -> int:
        """Number of matrices where the eig path was rejected for expm."""
        return int(np.sum(self.fallback))

    @property
    def mean(self) -> Estimate:
        r""":math:`\mathrm E\|x(t)\|^2`: mean over matrices of ``matrix_mean``, with the
        standard error over matrices (the quenched disorder)."""
        if self.n_matrices < 2:
            raise ParameterError("a standard error over matrices needs n_matrices >= 2; "
                                 f"got n_matrices={self.n_matrices}")
        return Estimate.from_samples(self.matrix_mean, axis=0)

    @property
    def variance(self) -> np.ndarray:
        r"""Variance of :math:`\|x(t)\|^2` pooled over matrices and initial conditions."""
        flat = self.samples.reshape(-1, self.samples.shape[-1])
        return flat.var(axis=0, ddof=1)

    def pooled(self, index: int) -> np.ndarray:
        """All samples (matrices x initial conditions) at ``t[index]``, flattened."""
        index = _checks.integer("index", index, low=-len(self.t), high=len(self.t) - 1)
        return self.samples[:, :, index].ravel()

    def plot(self, ensemble=None, ax=None, **kwargs):
        """Simulated mean with error bars, and the theory of ``ensemble`` if given."""
        from .plotting import plot_squared_norm
        return plot_squared_norm(self, ensemble=ensemble, ax=ax, **kwargs)


def _threads(threads):
    if threads is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=threads, user_api="blas")


def _sphere(gen, n, k):
    X = gen.standard_normal((n, k))
    X /= np.linalg.norm(X, axis=0)
    return X


def _chunks(total, size):
    for s in range(0, total, size):
        yield slice(s, min(total, s + size))


#: Safety factor of the eig path's round-off estimates over their unit-constant models
#: :math:`\epsilon S(t)/F(t)` and :math:`2\epsilon S_x(t)/\|x(t)\|` (:func:`_eig_path`): the
#: measured ratio of the actual error to the unit-constant model was at most 0.9 (exact
#: average) and 0.25 (samples) over 30 Gaussian and Rajan-Abbott matrices, n = 60-500,
#: condition numbers 9e2-2e6 (reference: expm, and expm in long double at n = 120).
_ROUNDOFF_SAFETY = 4.0


def _eig_path(W, X0, t, exact_average, cond_max, max_elements, rtol):
    r"""||x(t)||^2 through W = V diag(lam) V^{-1}.

    Returns ``(result, cond, estimate)``: ``result`` is ``(samples, average)`` or None when the
    eig path is rejected (condition number above ``cond_max``, failed reconstruction, or an
    a-priori round-off estimate above ``rtol`` at some t > 0); ``estimate`` (shape (n_t,)) is
    the relative round-off estimate of the returned values (None when not computed).

    Round-off model.  With :math:`d_i = e^{(\lambda_i - 1)t}`, the exact average is the
    Hermitian form :math:`F(t) = \frac1n d^H K d`, :math:`K = (V^{-1}V^{-H}) \circ
    (V^HV)^T`.  Its terms are as large as :math:`|d_i||K_{ij}||d_j|` while their sum is
    :math:`F`: relative perturbations of order :math:`\epsilon` in the entries of
    :math:`K` (forming :math:`V^{-1}` and the two products) and in the summation change
    :math:`F` by up to :math:`\epsilon S(t)`, :math:`S(t) = \frac1n\sum_{ij}
    |d_i||K_{ij}||d_j|`.  At t = 0, :math:`S \le \|V^{-1}\|_F^2 = \kappa_F(V)^2/n`
    (unit columns of V): the error grows like the *square* of the condition number.
    A sample :math:`x(t) = V D V^{-1}x_0` sums vectors of sizes
    :math:`|d_i|(|V^{-1}||x_0|)_i`: :math:`\delta\|x\| \lesssim \epsilon S_x(t)`,
    :math:`S_x = \sum_i |d_i| (|V^{-1}||x_0|)_i` (linear in the condition number).
    Both estimates cost one more product of the size of the values themselves.
    t = 0 is exact (:math:`e^{0} = 1`): the samples are :math:`\|x_0\|^2` and the average 1.
    """
    eps = np.finfo(float).eps
    n = W.shape[0]
    lam, V = np.linalg.eig(W)
    if not np.all(np.isfinite(lam)):
        return None, math.nan, None
    try:
        Vinv = np.linalg.inv(V)
    except np.linalg.LinAlgError:
        return None, math.inf, None
    cond = float(np.linalg.norm(V) * np.linalg.norm(Vinv))
    if not math.isfinite(cond) or cond > cond_max:
        return None, cond, None
    C0 = Vinv @ X0
    # a posteriori check: V V^{-1} x0 must give back x0
    back = np.linalg.norm((V @ C0).real - X0) / np.linalg.norm(X0)
    if not back < 1e3 * eps * cond:
        return None, cond, None
    # real W: eigenpairs come in exact conjugate pairs; keep Im >= 0, weight 2 for Im > 0
    keep = lam.imag >= 0
    if 2 * np.sum(lam.imag > 0) + np.sum(lam.imag == 0) != n:
        return None, cond, None
    lk = lam[keep] - 1.0
    w = np.where(lam[keep].imag > 0, 2.0, 1.0)
    Ck = C0[keep] * w[:, None]
    Vk = V[:, keep]
    VR = np.hstack([Vk.real, -Vk.imag])           # Re(V z) = Vr zr - Vi zi
    Gk = (np.abs(Vinv) @ np.abs(X0))[keep] * w[:, None]     # for S_x
    m, k = lk.size, X0.shape[1]
    out = np.empty((k, t.size))
    sx = np.empty((k, t.size))
    per_t = max(1, max_elements // max(1, 2 * m * k))
    for sl in _chunks(t.size, per_t):
        D = np.exp(np.outer(lk, t[sl]))          # (m, nt)
        Z = (D[:, :, None] * Ck[:, None, :]).reshape(m, -1)
        Xt = VR @ np.vstack([Z.real, Z.imag])    # (n, nt * k)
        out[:, sl] = np.einsum("ij,ij->j", Xt, Xt).reshape(-1, k).T
        sx[:, sl] = (np.abs(D).T @ Gk).T
    with np.errstate(divide="ignore", invalid="ignore"):
        est = np.max(np.where(sx > 0, 2.0 * eps * sx / np.sqrt(out), 0.0), axis=0)
    avg = None
    if exact_average:
        # (1/n)||V D V^{-1}||_F^2 = (1/n) sum_ij d_i conj(d_j) (V^-1 V^-H)_ij (V^H V)_ji
        K = (Vinv @ Vinv.conj().T) * (V.conj().T @ V).conj()
        Kabs = np.abs(K)
        avg = np.empty(t.size)
        s_avg = np.empty(t.size)
        per_t = max(1, max_elements // n)
        for sl in _chunks(t.size, per_t):
            D = np.exp(np.outer(lam - 1.0, t[sl]))
            avg[sl] = np.einsum("it,it->t", D, K @ D.conj()).real / n
            Da = np.abs(D)
            s_avg[sl] = np.einsum("it,it->t", Da, Kabs @ Da) / n
        with np.errstate(divide="ignore", invalid="ignore"):
            est = np.maximum(est, np.where(s_avg > 0, eps * s_avg / np.abs(avg), 0.0))
    est = _ROUNDOFF_SAFETY * est
    at0 = t == 0
    out[:, at0] = np.einsum("ij,ij->j", X0, X0)[:, None]
    if exact_average:
        avg[at0] = 1.0
    est[at0] = eps
    if not np.all(est[~at0] <= rtol):           # also rejects NaN estimates (overflow)
        return None, cond, est
    return (out, avg), cond, est


def _increment_key(dt):
    # a uniform grid gives increments equal to ~1e-15: round so that they share one expm
    return float(f"{dt:.12e}")


def _n_increments(t):
    """Number of distinct positive increments of the sorted times (from 0)."""
    steps = np.diff(np.concatenate([[0.0], np.sort(t)]))
    return len({_increment_key(d) for d in steps if d > 0})


def _expm_path(W, X0, t, exact_average):
    """||x(t)||^2 by stepping with scipy.linalg.expm of the time increments."""
    n = W.shape[0]
    A = W - np.eye(n)
    order = np.argsort(t, kind="stable")
    ts = t[order]
    steps = np.diff(np.concatenate([[0.0], ts]))
    state = np.eye(n) if exact_average else X0.copy()
    cache = {}
    out = np.empty((X0.shape[1], t.size))
    avg = np.empty(t.size) if exact_average else None
    for idx, dt in zip(order, steps):
        if dt > 0:
            key = _increment_key(dt)
            E = cache.get(key)
            if E is None:
                E = cache[key] = scipy.linalg.expm(A * dt)
            state = E @ state
        if exact_average:
            xt = state @ X0
            avg[idx] = np.sum(state * state) / n
        else:
            xt = state
        out[:, idx] = np.einsum("ij,ij->j", xt, xt)
    return out, avg


def simulate_squared_norm(ensemble, t, *, n: int, n_matrices: int = 10, n_x0: int = 16,
                          seed=None, method: str = "auto", exact_average: bool = True,
                          rtol: float = 1e-8, cond_max: float = 1e10,
                          max_elements: int = 2 ** 22,
                          threads: int | None = None,
                          progress: bool = False) -> SquaredNormSamples:
    r"""Sample :math:`\|x(t)\|^2` for :math:`\dot x = -x + Wx` over matrices and initial conditions.

    For each of ``n_matrices`` matrices :math:`W` drawn from ``ensemble`` and
    ``n_x0`` initial conditions :math:`x_0` uniform on the unit sphere,
    :math:`x(t) = e^{(W-1)t}x_0` on the grid ``t``.

    Parameters
    ----------
    ensemble : meanfield.ensembles.Ensemble
    t : array_like, 1-D
        Times :math:`t \ge 0` (any order, repeats allowed).
    n : int
        Network size, ``n >= 2``.
    n_matrices, n_x0 : int
        Number of matrices and of initial conditions per matrix (>= 1).
    seed : None, int or numpy.random.Generator
        One generator draws, for each matrix in turn, :math:`W` then its
        :math:`x_0`: the same seed gives the same numbers whatever the chunking.
    method : {"auto", "eig", "expm"}
        ``"eig"``: :math:`x(t) = V e^{(\Lambda - 1)t} V^{-1} x_0` from one
        eigendecomposition per matrix (conjugate pairs folded, so the cost per
        time is one real product of size :math:`n \times n \times n_{x_0}`).
        It falls back to ``"expm"`` for a matrix whose eigenvector condition
        number :math:`\|V\|_F\|V^{-1}\|_F` exceeds ``cond_max``, whose
        reconstruction :math:`VV^{-1}x_0` misses :math:`x_0` by more than
        :math:`10^3\,\epsilon\,\mathrm{cond}`, or whose a-priori round-off
        estimate (Notes) exceeds ``rtol`` at some :math:`t > 0`.  ``"expm"``: step through the
        sorted times with ``scipy.linalg.expm`` of the increments (the
        reference; one expm per distinct increment, :math:`n^3` per time
        when ``exact_average``).  ``"auto"`` (default) takes the cheaper of the
        two by a cost model measured at n = 500 on one BLAS thread, in units
        of one :math:`n^3` matrix product: eig + inverse 35 (+ 8 for the exact
        average), one expm 12 per distinct increment (+ 1 per time for the
        exact average).  A uniform grid without the exact average goes to
        ``"expm"`` (one expm, then one product per time: 3.5x faster than eig
        in ``benchmarks/bench_transient.py``).
    exact_average : bool
        Also compute the exact average over :math:`x_0` for each matrix,
        :math:`\frac1n\|e^{(W-1)t}\|_F^2` (eig path: one Hermitian quadratic
        form per time after two :math:`n^3` products), stored in
        ``matrix_mean``; it removes the :math:`x_0` noise from the estimate
        of the mean.
    rtol : float
        Relative accuracy requested of the eig path (> 0; default 1e-8): a matrix
        whose round-off estimate exceeds it at any time goes to ``"expm"``.  The
        sampling error of a mean over matrices is far larger (1e-3 relative or
        more), so a statistical use can loosen it to save the expm fallback.
    cond_max : float
        Condition-number limit of the eig path (> 1).
    max_elements : int
        Bound on the number of complex elements of the per-chunk work arrays
        (chunks over times).
    threads : int, optional
        Number of BLAS threads (pinned with threadpoolctl for the call); None
        leaves the setting alone.  On small shared machines 1 is often the
        fastest (eig at n = 200: 0.1 s on one thread, 0.7 s on two contended ones).
    progress : bool
        tqdm progress bar over matrices.

    Returns
    -------
    SquaredNormSamples
        ``.mean`` is the Estimate of :math:`\mathrm E\|x(t)\|^2` with the
        standard error over matrices.

    Raises
    ------
    ParameterError
        For a non-ensemble, bad ``t`` (not 1-D, negative, non-finite, empty),
        sizes below their minimum, an unknown method, a non-positive ``rtol``
        or a bad seed.

    Notes
    -----
    Round-off of the eig path.  With :math:`d_i = e^{(\lambda_i-1)t}`, the exact
    average is the Hermitian form :math:`F(t) = \frac1n d^H K d`,
    :math:`K = (V^{-1}V^{-H})\circ(V^HV)^T`, whose terms are as large as
    :math:`|d_i||K_{ij}||d_j|` while they sum to :math:`F`.  Relative errors of
    order :math:`\epsilon` in :math:`K` (the inverse and the two products) and in
    the sum change :math:`F` by up to :math:`\epsilon S(t)`,

    .. math::

        \frac{|\delta F|}{F} \lesssim \frac{\epsilon\, S(t)}{F(t)}, \qquad
        S(t) = \frac1n\sum_{ij}|d_i||K_{ij}||d_j|, \qquad
        S(0) \le \|V^{-1}\|_F^2 = \frac{\kappa_F(V)^2}{n},

    quadratic in the condition number :math:`\kappa_F = \|V\|_F\|V^{-1}\|_F`
    (the columns of :math:`V` have unit norm).  A sample
    :math:`x(t) = VDV^{-1}x_0` has :math:`\delta\|x\| \lesssim \epsilon\sum_i
    |d_i|(|V^{-1}||x_0|)_i`, linear in :math:`\kappa`.  ``error_estimate`` is 4
    times the larger of the two relative estimates (the measured error was at most
    0.9 and 0.25 times the unit-constant models: about 30 Gaussian and Rajan-Abbott
    matrices, n = 60-500, :math:`\kappa_F` = 9e2-1e7, against expm and a
    long-double reference).  For example, a Rajan-Abbott matrix (f = 0.8,
    :math:`\langle\mu^2\rangle` = 16, n = 120) with :math:`\kappa_F = 5.3\times
    10^5` lost 7.9e-9 of the exact average at t = 0 (unit-constant model 9.1e-9;
    t = 0 is now exact) and loses 1.5e-9 at t = 0.5 (estimate 6.7e-9); one with
    :math:`\kappa_F = 9.5\times 10^6` (n = 400, :math:`\langle\mu^2\rangle` = 36)
    loses 4e-8 near t = 0 and goes to expm at the default ``rtol``; matrices of
    the validation (:math:`\langle\mu^2\rangle` = 9, n = 1000,
    :math:`\kappa_F \approx 10^6`) have estimates of 4e-9 at t = 0.5.
    t = 0 is exact: :math:`\|x_0\|^2` and 1.  The expm path's own round-off grows
    with t instead (up to 6e-12 at t = 4 for :math:`\langle\mu^2\rangle` = 36,
    n = 120, where the eig path was within 1e-13 of the long-double reference).
    """
    ensemble = _ensemble_iv(ensemble)
    t = _t_iv(t, ndim=1)
    if t.size == 0:
        raise ParameterError("`t` must hold at least one time; got an empty array")
    n = _checks.integer("n", n, low=2)
    n_matrices = _checks.integer("n_matrices", n_matrices, low=1)
    n_x0 = _checks.integer("n_x0", n_x0, low=1)
    method = _checks.choice("method", method, _SIM_METHODS)
    if not isinstance(exact_average, (bool, np.bool_)):
        raise ParameterError(f"`exact_average` must be True or False; got {exact_average!r}")
    rtol = _checks.real("rtol", rtol, low=0.0, low_open=True)
    cond_max = _checks.real("cond_max", cond_max, low=1.0, low_open=True)
    max_elements = _checks.integer("max_elements", max_elements, low=1)
    if threads is not None:
        threads = _checks.integer("threads", threads, low=1)
    gen = _checks.rng(seed)
    seed_value = None if seed is None or isinstance(seed, np.random.Generator) else int(seed)
    n_inc = _n_increments(t)
    requested = method
    if method == "auto":
        cost_eig = 35.0 + (8.0 if exact_average else 0.0)
        cost_expm = 12.0 * n_inc + (float(t.size) if exact_average else 0.0)
        method = "expm" if cost_expm < cost_eig else "eig"

    samples = np.empty((n_matrices, n_x0, t.size))
    mmean = np.empty((n_matrices, t.size))
    cond = np.full(n_matrices, np.nan)
    fallback = np.zeros(n_matrices, dtype=bool)
    estimate = np.full((n_matrices, t.size), np.nan)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=n_matrices, desc="squared norm", unit="matrix")
    with _threads(threads):
        for i in range(n_matrices):
            W = ensemble.sample(n, seed=gen)
            W = W.toarray() if scipy.sparse.issparse(W) else np.asarray(W, dtype=np.float64)
            X0 = _sphere(gen, n, n_x0)
            res = None
            if method == "eig":
                res, cond[i], est = _eig_path(W, X0, t, exact_average, cond_max, max_elements,
                                              rtol)
                if est is not None:
                    estimate[i] = est
            if res is None:
                fallback[i] = method == "eig"
                res = _expm_path(W, X0, t, exact_average)
            out, avg = res
            samples[i] = out
            mmean[i] = avg if exact_average else out.mean(axis=0)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    finite = bool(np.all(np.isfinite(samples)) and np.all(np.isfinite(mmean)))
    nfb = int(fallback.sum())
    msg = (f"{n_matrices} matrices x {n_x0} initial conditions at n={n}, {t.size} times "
           f"({n_inc} distinct steps); method {method!r}"
           + (" (chosen by 'auto')" if requested == "auto" else "")
           + (f"; eig rejected for {nfb} matrices (condition number above cond_max or "
              f"round-off estimate above rtol={rtol:g}; expm used)" if nfb else ""))
    if not finite:
        msg += "; non-finite squared norms (overflow): the dynamics is unstable at these times"
    return SquaredNormSamples(
        t=t, samples=samples, matrix_mean=mmean, condition=cond, fallback=fallback,
        error_estimate=estimate, rtol=rtol, n=n,
        n_matrices=n_matrices, n_x0=n_x0, seed=seed_value, method=method,
        exact_average=bool(exact_average), ensemble=repr(ensemble), success=finite,
        status=0 if finite else 1, message=msg)


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
    for sl in _chunks(r.size, block):
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
    """
    r = _checks.real_array("r", r, low=0.0)
    a = _a_iv(mean_square_weight)
    r, a = np.broadcast_arrays(r, a)
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
        """Regions, critical lines, average-trajectory thresholds and the edge of chaos r = 1."""
        from .plotting import plot_phase_diagram
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
        """Fitted exponential density of the exceedances ``y >= 0``."""
        y = np.asarray(y, dtype=float)
        return np.where(y >= 0, self.rate * np.exp(-self.rate * np.maximum(y, 0.0)), 0.0)

    def gaussian_pdf(self, y):
        """Fitted (truncated) Gaussian density of the exceedances ``y >= 0``."""
        y = np.asarray(y, dtype=float)
        z = (self.threshold + y - self.center) / self.scale
        z0 = (self.threshold - self.center) / self.scale
        logp = stats.norm.logpdf(z) - math.log(self.scale) - stats.norm.logsf(z0)
        return np.where(y >= 0, np.exp(logp), 0.0)

    def plot(self, ax=None, **kwargs):
        """Histogram of the exceedances (log scale) with both fitted densities."""
        from .plotting import plot_tail
        return plot_tail(self, ax=ax, **kwargs)


def tail_fit(samples, *, quantile: float = 0.9, min_exceed: int = 30) -> TailFit:
    r"""Fit the right tail of ``samples`` with a Gaussian and with an exponential.

    Parameters
    ----------
    samples : array_like
        Samples (any shape, flattened), e.g. ``result.pooled(k)`` of
        :func:`simulate_squared_norm`.
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

