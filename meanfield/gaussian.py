r"""Gaussian expectations of transfer functions.

For a Gaussian field :math:`h \sim \mathcal N(\mu, \Delta_0)` this module computes
one-point averages :math:`\langle f(h) \rangle` and the pair functions

.. math::

    F_f(\Delta; \Delta_0, \mu) = \langle f(h_1) f(h_2) \rangle, \qquad
    \begin{pmatrix} h_1 \\ h_2 \end{pmatrix} \sim
    \mathcal N\!\left(\mu, \begin{pmatrix}\Delta_0 & \Delta\\ \Delta & \Delta_0\end{pmatrix}\right),
    \quad -\Delta_0 \le \Delta \le \Delta_0,

for :math:`f = \phi` (``F_phi``), its primitive :math:`\Phi` (``F_Phi``) and
derivative :math:`\phi'` (``F_dphi``).  By Price's theorem
:math:`\partial F_f / \partial \Delta = F_{f'}`, so :math:`\partial_\Delta F_\Phi = F_\phi` and
:math:`\partial_\Delta F_\phi = F_{\phi'}`.

Calling convention
------------------
The field statistics are keyword-only and spelled the same everywhere:
``mean_phi(phi, mu=..., delta0=...)``, ``pair(phi, delta, mu=..., delta0=...,
which=...)``, ``F_phi(phi, delta, mu=..., delta0=...)``, ``expect(phi, f, mu=...,
delta0=...)``.  Earlier releases took them positionally, in different orders
(``mean_phi(phi, mu, delta0)`` but ``pair(phi, delta, delta0, mu, which)``); those
positional calls are still accepted with their old meaning, so existing code keeps
its values, but new code should name them: a positional call cannot show which
order it assumed.

Methods
-------
:math:`z, x` below are standard normal variables, :math:`s = \sqrt{\Delta_0}`; for the pair
functions :math:`a = \sqrt{\Delta_0 - |\Delta|}`, :math:`b = \sqrt{|\Delta|}` and
:math:`F_f = \langle g(z)\, g(\pm z)\rangle_z` (sign of :math:`\Delta`) with the inner average
:math:`g(z) = \langle f(\mu + a x + b z)\rangle_x`.

* Smooth functions (tanh, sigmoid, user functions without ``kinks``): the trapezoidal rule in
  the standard normal variable with node spacing :math:`h = 0.145\, d / \sigma` (capped at 0.6),
  :math:`d` the half-width ``strip`` of the analyticity strip of :math:`\phi` and :math:`\sigma`
  the standard deviation multiplying the variable (:math:`e^{-2\pi \cdot 0.9/0.145} \approx
  10^{-17}` for the discretisation error).  One-point averages truncate at :math:`|z| \le 20`
  (the mass of e.g. :math:`\phi'^2` can sit far from :math:`z = 0` at large :math:`|\mu|`).
  Pair functions use the 2-D product rule on :math:`[-9.5, 9.5]^2`, the outer spacing sized by
  :math:`\max(d, a)/b` (the inner average is :math:`f` smoothed on the scale :math:`a`), and are
  recomputed on :math:`[-20, 20]^2` when the terms on the edge of the square exceed
  :math:`10^{-14}` of the sum.  A user function declared with ``strip=0`` and no ``kinks``
  gets the largest spacing, 0.6: declare its kinks instead.
* Functions with kinks (user functions given ``kinks``): composite 16-point Gauss-Legendre
  panels of width at most 1/4 in :math:`z` with breakpoints at the kinks, on :math:`[-9.5, 9.5]`
  extended to 6 beyond every kink with :math:`|z| < 38` (a kink far in the tail can carry all
  of a tiny average); kinks with :math:`|z| \ge 38` (normal weight below :math:`10^{-313}`) are
  ignored.  The pair function nests this rule: inner averages at the outer panel nodes, whose
  breakpoints are the kinks mapped by :math:`\pm(k - \mu)/b`.
* relu: closed forms for the one-point averages (normal cdf and pdf; for
  :math:`\mu/s < -4` Laplace's continued fraction of the Mills ratio, 60 terms, so the
  cancellations of :math:`\mu P + s\, \mathrm{pdf}` never occur).
* erf: closed forms for :math:`\langle\phi\rangle`, :math:`\langle\phi'\rangle`,
  :math:`\langle\phi'^2\rangle` and :math:`\langle\Phi\rangle` (Stein's lemma, ``expm1``);
  :math:`\langle\phi^2\rangle = F_\phi(\Delta_0)`; :math:`\langle h\phi\phi'\rangle` by the
  trapezoidal rule (``strip`` 1).
* erf and relu pair functions: the Price-theorem representation
  :math:`F_f(\Delta) = \sum_{k<m} \frac{\Delta^k}{k!}\langle f^{(k)}\rangle^2 +
  \int_0^\Delta \frac{(\Delta - w)^{m-1}}{(m-1)!} F_{f^{(m)}}(w)\, dw` with an
  elementary :math:`F_{f^{(m)}}` (:math:`\phi''=\delta` for relu, a Gaussian for
  :math:`\phi'` of erf, for which :math:`F_{\phi'}` itself is closed), integrated by 96-point
  Gauss-Legendre in :math:`w = \Delta_0 \sin\theta`.  For relu at :math:`\Delta < 0` the
  expansion is about :math:`-\Delta_0` (where :math:`h_2 = 2\mu - h_1`), so that all terms are
  non-negative.
* linear: exact polynomials (Isserlis for :math:`F_\Phi`).

Accuracy
--------
Checked against 30-digit mpmath references (``tests/test_gaussian_mpmath.py`` with the stored
values of ``tests/data/gaussian_refs.json``, written by ``tools/make_gaussian_refs.py``) for
tanh, erf, relu, sigmoid, linear and a user function (softsign :math:`x/\sqrt{1+x^2}`,
``strip=1``): every one-point average on :math:`\Delta_0 \in \{10^{-6}, 10^{-3}, 0.1, 1.3, 10,
100\}`, :math:`\mu \in \{-10, -3, -0.5, 0, 0.7, 3, 10\}`, and :func:`pair` (``phi``, ``Phi``,
``dphi``) on :math:`\Delta_0 \in \{10^{-6}, 1.3, 10, 100\}` (erf, relu, linear) or
:math:`\{10^{-6}, 1.3\}` (tanh, sigmoid, softsign; at :math:`\Delta_0 = 100` only
:math:`\Delta/\Delta_0 \in \{0, \pm 1\}`), :math:`\mu \in \{-10, 0, 0.7, 10\}`,
:math:`\Delta/\Delta_0 \in \{0, \pm 0.3, \pm 0.6, \pm 0.9, \pm 1\}`, agree to :math:`10^{-10}`
relative (absolute :math:`10^{-14}` times the scale where the exact value is 0 by symmetry;
values below :math:`10^{-280}` only need to come out below it).  Measured worst relative errors
are listed in that test module.  The generic smooth and kinked paths are checked the same way
through ``custom`` copies of tanh, sigmoid and relu.  Outside this range (e.g.
:math:`\Delta_0 \gg 100`, where the trapezoidal rule is sized from ``strip`` alone) nothing is
claimed.
"""

from __future__ import annotations

import functools
import inspect
import math
from functools import lru_cache

import numpy as np
from scipy import special

from . import _checks
from . import transfer as _transfer
from .errors import ParameterError

__all__ = [
    "expect",
    "mean_phi",
    "mean_phi2",
    "mean_dphi",
    "mean_dphi2",
    "mean_x_phi_dphi",
    "mean_primitive",
    "pair",
    "F_phi",
    "F_Phi",
    "F_dphi",
]

#: Supported range of the field statistics (quadrature sizes grow with sqrt(delta0)).
_MAX_DELTA0 = 1e8
_MAX_MU = 1e8
_L = 9.5          # truncation of the standard normal variable (pair functions)
_L1 = 20.0        # wider truncation for one-point averages and widened pair rules: f phi(z)
                  # can have its mass far from z = 0 when f decays (e.g. phi'^2 of erf at
                  # |mu| = 10 peaks near z = -8.9)
_ZMAX = 38.0     # normal weight exp(-z^2/2) < 1e-313 beyond: kinks further out are ignored
_EDGE = 1e-14     # widen the pair rule when the edge terms exceed this fraction of the sum
_HMAX = 0.6       # largest trapezoid spacing (Gaussian weight alone: error ~ exp(-2 pi^2/h^2))
_SQ2PI = math.sqrt(2.0 * math.pi)
_C_ERF = math.pi / 4.0   # erf(sqrt(pi) x / 2) has phi'(x) = exp(-C x^2)
_GL16 = np.polynomial.legendre.leggauss(16)
_GL_PRICE = np.polynomial.legendre.leggauss(96)
_CF_TERMS = 60    # continued fraction of the Mills ratio for u > 4: converged to rounding


# --- quadrature rules -------------------------------------------------------

@lru_cache(maxsize=256)
def _trapezoid(h: float, L: float = _L):
    k = int(math.ceil(L / h))
    z = h * np.arange(-k, k + 1, dtype=float)
    w = h * np.exp(-0.5 * z * z) / _SQ2PI
    return z, w


def _spacing(tf, s: float) -> float:
    if s <= 0.0 or not math.isfinite(tf.strip) or tf.strip <= 0:
        return _HMAX
    return min(_HMAX, 0.145 * tf.strip / s)


@lru_cache(maxsize=256)
def _panels(breaks: tuple):
    """Composite GL nodes weighted by the normal pdf, with breakpoints at the kinks.

    The range is [-L, L], extended to 6 beyond any kink with |z| < _ZMAX so that the
    (tiny) contribution of a kink region far out in the tail keeps its relative accuracy.
    """
    inner = [b for b in breaks if abs(b) < _ZMAX]
    lo = min([-_L] + [b - 6.0 for b in inner])
    hi = max([_L] + [b + 6.0 for b in inner])
    pts = sorted({lo, hi, *inner})
    zs, ws = [], []
    xg, wg = _GL16
    for a, b in zip(pts[:-1], pts[1:]):
        n = max(1, int(math.ceil((b - a) / 0.25)))
        edges = np.linspace(a, b, n + 1)
        half = 0.5 * np.diff(edges)[:, None]
        mid = 0.5 * (edges[1:] + edges[:-1])[:, None]
        zs.append((mid + half * xg).ravel())
        ws.append((half * wg).ravel())
    z = np.concatenate(zs)
    w = np.concatenate(ws) * np.exp(-0.5 * z * z) / _SQ2PI
    return z, w


def _rule(tf, mu: float, s: float):
    """Nodes z and weights w with E f(mu + s Z) ~= sum w f(mu + s z)."""
    if tf.kinks:
        if s == 0.0:
            return np.zeros(1), np.ones(1)
        return _panels(tuple(round((k - mu) / s, 12) for k in tf.kinks))
    return _trapezoid(_spacing(tf, s), _L1)


# --- calling convention -----------------------------------------------------

def _legacy_positional(*names):
    """Accept the old positional order ``names`` for keyword-only parameters.

    The decorated function's signature (shown by ``help`` and ``inspect``) has the
    keyword-only parameters; extra positional arguments are bound to ``names`` in
    order, as the earlier positional signature did.
    """
    def decorate(fn):
        n_pos = sum(p.kind is p.POSITIONAL_OR_KEYWORD for p in inspect.signature(fn).parameters.values())

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if len(args) > n_pos:
                extra = args[n_pos:]
                if len(extra) > len(names):
                    raise TypeError(f"{fn.__name__}() takes at most {n_pos + len(names)} positional "
                                    f"arguments ({len(args)} given)")
                for name, value in zip(names, extra):
                    if name in kwargs:
                        raise TypeError(f"{fn.__name__}() got multiple values for argument {name!r}")
                    kwargs[name] = value
                args = args[:n_pos]
            return fn(*args, **kwargs)
        return wrapper
    return decorate


# --- input checks -----------------------------------------------------------

def _iv(phi, mu, delta0):
    tf = _transfer.get(phi)
    mu = _checks.real("mu", mu, low=-_MAX_MU, high=_MAX_MU)
    delta0 = _checks.real("delta0", delta0, low=0.0, high=_MAX_DELTA0)
    return tf, mu, delta0


def _iv_delta(delta, delta0):
    d = _checks.real_array("delta", delta)
    if np.any(np.abs(d) > delta0 * (1 + 1e-12)):
        raise ParameterError(
            f"`delta` must lie in [-delta0, delta0] = [{-delta0}, {delta0}]; "
            f"got values in [{d.min()}, {d.max()}]")
    return np.clip(d, -delta0, delta0)


# --- one-point averages -----------------------------------------------------

@_legacy_positional("mu", "delta0")
def expect(phi, f, *, mu: float = 0.0, delta0: float = 1.0) -> float:
    r"""Average :math:`\langle f(h) \rangle`, :math:`h \sim \mathcal N(\mu, \Delta_0)`.

    Parameters
    ----------
    phi : str or TransferFunction
        Sets the quadrature rule (analyticity strip and kinks) used for ``f``.
    f : callable
        Vectorised function of the field, usually built from ``phi``.
    mu : float
        Mean of the field (keyword; ``expect(phi, f, mu, delta0)`` is still accepted).
    delta0 : float
        Variance of the field, :math:`\Delta_0 \ge 0`.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        For an unknown ``phi``, a non-callable ``f`` or a field statistic out of range.

    Examples
    --------
    >>> import meanfield as mf
    >>> round(mf.gaussian.expect("tanh", lambda h: h * h, mu=0.0, delta0=2.0), 12)   # Delta0
    2.0
    """
    tf, mu, delta0 = _iv(phi, mu, delta0)
    if not callable(f):
        raise ParameterError(f"`f` must be callable; got {type(f).__name__}")
    return _expect(tf, f, mu, delta0)


def _expect(tf, f, mu, delta0):
    s = math.sqrt(delta0)
    z, w = _rule(tf, mu, s)
    return float(np.dot(w, f(mu + s * z)))


def _relu_moments(mu, delta0):
    """E[step], E[relu], E[relu^2] for h ~ N(mu, delta0)."""
    s = math.sqrt(delta0)
    if s == 0.0:
        r = max(mu, 0.0)
        return float(mu > 0), r, r * r
    t = mu / s
    P = special.ndtr(t)
    pdf = math.exp(-0.5 * t * t) / _SQ2PI
    if t < -4.0:
        # With u = -t: P = pdf M, M = 1/(u + T1), T_j = j/(u + T_{j+1}) (Laplace continued fraction
        # of the Mills ratio).  E(x-u)_+ = pdf M T1 and E(x-u)_+^2 = pdf M T1 T2 exactly, so the
        # cancellations in 1 - u M and M - u (1 - u M) (relative size u^2, u^4) never occur.
        u = -t
        T = 0.0
        for j in range(_CF_TERMS, 1, -1):
            T = j / (u + T)
        T2 = T
        T1 = 1.0 / (u + T2)
        M = 1.0 / (u + T1)
        m1 = s * pdf * M * T1
        m2 = delta0 * pdf * M * T1 * T2
    elif t < 0:
        # t P + pdf = pdf (1 + t R), R = P / pdf (Mills), evaluated without underflow
        R = 0.5 * special.erfcx(-t / math.sqrt(2.0)) * _SQ2PI
        m1 = s * pdf * (1.0 + t * R)
        m2 = delta0 * (P + t * m1 / s)
    else:
        m1 = mu * P + s * pdf
        m2 = (mu * mu + delta0) * P + mu * s * pdf
    return float(P), float(m1), float(m2)


def _erf_means(mu, delta0):
    """E phi, E phi', E phi'^2 for erf(sqrt(pi) h / 2)."""
    c = _C_ERF
    d1 = 1.0 + 2.0 * c * delta0
    e_phi = float(special.erf(math.sqrt(c) * mu / math.sqrt(d1)))
    e_dphi = math.exp(-c * mu * mu / d1) / math.sqrt(d1)
    d2 = 1.0 + 4.0 * c * delta0
    e_dphi2 = math.exp(-2.0 * c * mu * mu / d2) / math.sqrt(d2)
    return e_phi, e_dphi, e_dphi2


def _erf_mean_Phi(mu, delta0):
    """E Phi for erf: Phi = h phi + (2/pi)(phi' - 1), Stein E[h phi] = mu E phi + delta0 E phi'.

    E phi' - 1 is formed by expm1 (it is O(delta0 + mu^2) and would cancel for small arguments).
    """
    e_phi, e_dphi, _ = _erf_means(mu, delta0)
    c = _C_ERF
    d1 = 1.0 + 2.0 * c * delta0
    e_dphi_m1 = math.expm1(-c * mu * mu / d1 - 0.5 * math.log1p(2.0 * c * delta0))
    return mu * e_phi + delta0 * e_dphi + (2.0 / math.pi) * e_dphi_m1


_ONE_POINT_PARAMETERS = r"""
    Parameters
    ----------
    phi : str or TransferFunction
        The transfer function.
    mu : float
        Mean :math:`\mu` of the field :math:`h \sim \mathcal N(\mu, \Delta_0)`,
        :math:`|\mu| \le 10^8`.
    delta0 : float
        Variance :math:`\Delta_0`, :math:`0 \le \Delta_0 \le 10^8`.

    ``mu`` and ``delta0`` are keyword-only; the positional form ``f(phi, mu, delta0)``
    of earlier releases is still accepted with the same meaning.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        For an unknown ``phi`` or ``mu``, ``delta0`` out of range.
"""


def _one_point_doc(fn):
    head, examples = fn.__doc__.split("    Examples", 1)
    fn.__doc__ = head.rstrip() + "\n" + _ONE_POINT_PARAMETERS + "\n    Examples" + examples
    return fn


@_legacy_positional("mu", "delta0")
@_one_point_doc
def mean_phi(phi, *, mu: float = 0.0, delta0: float = 1.0) -> float:
    r""":math:`\langle \phi(h) \rangle`, :math:`h \sim \mathcal N(\mu, \Delta_0)`.

    Examples
    --------
    >>> import meanfield as mf
    >>> round(mf.gaussian.mean_phi("relu", mu=0.0, delta0=1.0), 12)     # 1/sqrt(2 pi)
    0.398942280401
    """
    tf, mu, delta0 = _iv(phi, mu, delta0)
    return _mean(tf, "phi", mu, delta0)


@_legacy_positional("mu", "delta0")
@_one_point_doc
def mean_phi2(phi, *, mu: float = 0.0, delta0: float = 1.0) -> float:
    r""":math:`\langle \phi(h)^2 \rangle`, :math:`h \sim \mathcal N(\mu, \Delta_0)`.

    Examples
    --------
    >>> import meanfield as mf
    >>> mf.gaussian.mean_phi2("relu", mu=0.0, delta0=3.0)                # Delta0 / 2
    1.5
    """
    tf, mu, delta0 = _iv(phi, mu, delta0)
    return _mean(tf, "phi2", mu, delta0)


@_legacy_positional("mu", "delta0")
@_one_point_doc
def mean_dphi(phi, *, mu: float = 0.0, delta0: float = 1.0) -> float:
    r""":math:`\langle \phi'(h) \rangle`, :math:`h \sim \mathcal N(\mu, \Delta_0)`.

    Examples
    --------
    >>> import meanfield as mf
    >>> round(mf.gaussian.mean_dphi("erf", mu=0.0, delta0=1.0), 12)     # 1/sqrt(1 + pi/2)
    0.623686242953
    """
    tf, mu, delta0 = _iv(phi, mu, delta0)
    return _mean(tf, "dphi", mu, delta0)


@_legacy_positional("mu", "delta0")
@_one_point_doc
def mean_dphi2(phi, *, mu: float = 0.0, delta0: float = 1.0) -> float:
    r""":math:`\langle \phi'(h)^2 \rangle` (sets the bulk radius :math:`g\sqrt{\langle\phi'^2\rangle}`).

    Examples
    --------
    >>> import meanfield as mf
    >>> mf.gaussian.mean_dphi2("relu", mu=0.0, delta0=2.0)               # P(h > 0)
    0.5
    """
    tf, mu, delta0 = _iv(phi, mu, delta0)
    return _mean(tf, "dphi2", mu, delta0)


@_legacy_positional("mu", "delta0")
@_one_point_doc
def mean_x_phi_dphi(phi, *, mu: float = 0.0, delta0: float = 1.0) -> float:
    r""":math:`\langle h\, \phi(h)\, \phi'(h) \rangle` with the full field :math:`h`.

    Examples
    --------
    >>> import meanfield as mf
    >>> mf.gaussian.mean_x_phi_dphi("linear", mu=1.0, delta0=2.0)        # mu^2 + Delta0
    3.0
    """
    tf, mu, delta0 = _iv(phi, mu, delta0)
    return _mean(tf, "xphidphi", mu, delta0)


@_legacy_positional("mu", "delta0")
@_one_point_doc
def mean_primitive(phi, *, mu: float = 0.0, delta0: float = 1.0) -> float:
    r""":math:`\langle \Phi(h) \rangle` with :math:`\Phi' = \phi`, :math:`\Phi(0) = 0`.

    Examples
    --------
    >>> import meanfield as mf
    >>> mf.gaussian.mean_primitive("linear", mu=1.0, delta0=2.0)         # (mu^2 + Delta0) / 2
    1.5
    """
    tf, mu, delta0 = _iv(phi, mu, delta0)
    return _mean(tf, "Phi", mu, delta0)


def _mean(tf, what, mu, delta0):
    name = tf.name if tf is _transfer._NAMED.get(tf.name) else None
    if name == "relu":
        P, m1, m2 = _relu_moments(mu, delta0)
        return {"phi": m1, "phi2": m2, "dphi": P, "dphi2": P, "xphidphi": m2,
                "Phi": 0.5 * m2}[what]
    if name == "linear":
        return {"phi": mu, "phi2": mu * mu + delta0, "dphi": 1.0, "dphi2": 1.0,
                "xphidphi": mu * mu + delta0, "Phi": 0.5 * (mu * mu + delta0)}[what]
    if name == "erf" and what in ("phi", "dphi", "dphi2", "Phi", "phi2"):
        e_phi, e_dphi, e_dphi2 = _erf_means(mu, delta0)
        if what == "phi":
            return e_phi
        if what == "dphi":
            return e_dphi
        if what == "dphi2":
            return e_dphi2
        if what == "Phi":
            return _erf_mean_Phi(mu, delta0)
        return float(_pair_price(tf, "phi", np.array([delta0]), delta0, mu)[0])
    f = {
        "phi": tf.phi,
        "phi2": lambda x: tf.phi(x) ** 2,
        "dphi": tf.dphi,
        "dphi2": lambda x: tf.dphi(x) ** 2,
        "xphidphi": lambda x: x * tf.phi(x) * tf.dphi(x),
        "Phi": tf.primitive,
    }[what]
    return _expect(tf, f, mu, delta0)


# --- pair functions ---------------------------------------------------------

_WHICH = ("phi", "Phi", "dphi")


@_legacy_positional("delta0", "mu", "which")
def pair(phi, delta, *, mu: float = 0.0, delta0: float = 1.0, which: str = "phi"):
    r"""Pair function :math:`F_f(\Delta; \Delta_0, \mu) = \langle f(h_1) f(h_2)\rangle`.

    Parameters
    ----------
    phi : str or TransferFunction
        The transfer function.
    delta : float or array_like
        Covariance :math:`\Delta` of :math:`h_1, h_2`, in :math:`[-\Delta_0, \Delta_0]`.
    mu : float
        Common mean, :math:`|\mu| \le 10^8`.
    delta0 : float
        Common variance :math:`0 \le \Delta_0 \le 10^8`.
    which : {"phi", "Phi", "dphi"}
        :math:`f = \phi`, its primitive :math:`\Phi`, or :math:`\phi'`.

    ``mu``, ``delta0`` and ``which`` are keyword-only, as in the one-point averages;
    the positional form ``pair(phi, delta, delta0, mu, which)`` of earlier releases is
    still accepted with the same meaning.

    Returns
    -------
    float or ndarray
        Same shape as ``delta``.

    Raises
    ------
    ParameterError
        For an unknown ``phi`` or ``which``, or ``delta``, ``delta0``, ``mu`` out of range.

    Notes
    -----
    For :math:`\Delta \ge 0`,
    :math:`F_f = \mathbb E_z[(\mathbb E_x f(\mu + \sqrt{\Delta_0-\Delta}\,x + \sqrt{\Delta}\,z))^2]`;
    for :math:`\Delta < 0` the second factor is evaluated at :math:`-z`.
    Price's theorem: :math:`\partial_\Delta F_\phi = F_{\phi'}`,
    :math:`\partial_\Delta F_\Phi = F_\phi`.

    Examples
    --------
    >>> import meanfield as mf
    >>> # (2/pi) arctan(D / sqrt((D0 + 2/pi)^2 - D^2)) for erf
    >>> round(mf.gaussian.pair("erf", 0.5, delta0=1.0), 12)
    0.197652367449
    >>> mf.gaussian.pair("linear", [0.0, 0.5], mu=2.0, delta0=1.0, which="dphi")
    array([1., 1.])
    """
    tf, mu, delta0 = _iv(phi, mu, delta0)
    which = _checks.choice("which", which, _WHICH)
    scalar = np.ndim(delta) == 0
    d = _iv_delta(delta, delta0)
    out = _pair(tf, which, d.reshape(-1), delta0, mu).reshape(d.shape)
    return float(out) if scalar else out


@_legacy_positional("delta0", "mu")
def F_phi(phi, delta, *, mu: float = 0.0, delta0: float = 1.0):
    r""":math:`F_\phi(\Delta) = \langle\phi(h_1)\phi(h_2)\rangle`; ``pair(..., which="phi")``.

    See :func:`pair` for the parameters (the positional form ``F_phi(phi, delta,
    delta0, mu)`` is still accepted).

    Examples
    --------
    >>> import meanfield as mf
    >>> mf.gaussian.F_phi("linear", 0.25, mu=0.5, delta0=1.0)            # mu^2 + Delta
    0.5
    """
    return pair(phi, delta, mu=mu, delta0=delta0, which="phi")


@_legacy_positional("delta0", "mu")
def F_Phi(phi, delta, *, mu: float = 0.0, delta0: float = 1.0):
    r""":math:`F_\Phi(\Delta) = \langle\Phi(h_1)\Phi(h_2)\rangle`; ``pair(..., which="Phi")``.

    See :func:`pair` for the parameters (the positional form ``F_Phi(phi, delta,
    delta0, mu)`` is still accepted).

    Examples
    --------
    >>> import meanfield as mf
    >>> mf.gaussian.F_Phi("linear", 0.5, delta0=1.0)          # (Delta0^2 + 2 Delta^2) / 4
    0.375
    """
    return pair(phi, delta, mu=mu, delta0=delta0, which="Phi")


@_legacy_positional("delta0", "mu")
def F_dphi(phi, delta, *, mu: float = 0.0, delta0: float = 1.0):
    r""":math:`F_{\phi'}(\Delta) = \langle\phi'(h_1)\phi'(h_2)\rangle`; ``pair(..., which="dphi")``.

    See :func:`pair` for the parameters (the positional form ``F_dphi(phi, delta,
    delta0, mu)`` is still accepted).

    Examples
    --------
    >>> import meanfield as mf
    >>> mf.gaussian.F_dphi("relu", 0.0, delta0=1.0)           # independent: P(h > 0)^2
    0.25
    """
    return pair(phi, delta, mu=mu, delta0=delta0, which="dphi")


def _pair(tf, which, d, delta0, mu):
    """Vectorised pair function without input checks (d is a 1-D array)."""
    name = tf.name if tf is _transfer._NAMED.get(tf.name) else None
    if name == "linear":
        m2 = mu * mu
        if which == "phi":
            return m2 + d
        if which == "dphi":
            return np.ones_like(d)
        # Phi = h^2 / 2 and E[h1^2 h2^2] = (D0 + mu^2)^2 + 2 D^2 + 4 mu^2 D (Isserlis)
        return 0.25 * ((delta0 + m2) ** 2 + 2 * d * d + 4 * m2 * d)
    if name in ("relu", "erf"):
        return _pair_price(tf, which, d, delta0, mu)
    return _pair_quad(tf, which, d, delta0, mu)


def _pair_quad(tf, which, d, delta0, mu):
    f = {"phi": tf.phi, "Phi": tf.primitive, "dphi": tf.dphi}[which]
    s = math.sqrt(delta0)
    out = np.empty_like(d)
    if s == 0.0:
        out[:] = float(f(np.array(mu))) ** 2
        return out
    if tf.kinks:
        return _pair_quad_kinked(tf, f, d, delta0, mu)
    for i, di in enumerate(d):
        a = math.sqrt(max(delta0 - abs(di), 0.0))
        b = math.sqrt(abs(di))
        if b == 0.0:
            out[i] = _expect(tf, f, mu, delta0) ** 2
            continue
        val, edge = _pair_sum(tf, f, mu, a, b, di >= 0, _L)
        if edge > _EDGE * abs(val):
            # the mass of f(h1) f(h2) lies near the edge of [-L, L]^2 (f decaying fast where
            # the Gaussian has its mass): repeat on the wider square
            val, _ = _pair_sum(tf, f, mu, a, b, di >= 0, _L1)
        out[i] = val
    return out


def _pair_sum(tf, f, mu, a, b, positive, L):
    """Trapezoid sum of the pair function on [-L, L]^2 and the size of its edge terms."""
    zi, wi = _trapezoid(_spacing(tf, a), L)
    # the inner average is f smoothed by a Gaussian of width a: analytic in a strip
    # of half-width ~ max(d, a) in the field, i.e. max(d, a) / b in z
    zo, wo = _trapezoid(min(_HMAX, 0.145 * max(tf.strip, a) / b)
                        if math.isfinite(tf.strip) else _HMAX, L)
    if a > 0:
        vals = f(mu + b * zo[:, None] + a * zi[None, :])
        inner = vals @ wi
    else:
        vals = None
        inner = f(mu + b * zo)
    # the rule is symmetric, so inner[::-1] is the inner average at -z
    other = inner if positive else inner[::-1]
    terms = wo * inner * other
    edge = max(abs(terms[0]), abs(terms[-1]))
    if vals is not None:
        col = np.abs(vals[:, [0, -1]]).max(axis=1) * wi[0]
        edge = max(edge, float(np.dot(wo, col * np.abs(other))))
    return float(terms.sum()), edge


def _pair_quad_kinked(tf, f, d, delta0, mu):
    """Pair function of a piecewise-smooth f: GL panels split at the kinks."""
    out = np.empty_like(d)
    for i, di in enumerate(d):
        a2 = max(delta0 - abs(di), 0.0)
        b = math.sqrt(abs(di))
        sign = 1.0 if di >= 0 else -1.0
        if b == 0.0:
            out[i] = _expect(tf, f, mu, a2) ** 2
            continue
        z, w = _panels(tuple(round((k - mu) / b, 12) for k in tf.kinks)
                       + tuple(round(-(k - mu) / b, 12) for k in tf.kinks))
        g1 = _expect_kinked_many(tf, f, mu + b * z, a2)
        g2 = g1 if sign > 0 else _expect_kinked_many(tf, f, mu - b * z, a2)
        out[i] = np.dot(w, g1 * g2)
    return out


def _expect_kinked_many(tf, f, means, var):
    """E f(m + sqrt(var) Z) for every m in ``means`` (f piecewise smooth, kinks ``tf.kinks``).

    The rule of :func:`_panels` for all means at once: the range [-L, L] of Z, extended to 6
    beyond every kink with |z| < _ZMAX, split at the kinks; each piece in the same number of
    GL-16 panels (the largest piece's, at most 0.25 wide), so one array holds every node.
    """
    means = np.asarray(means, float)
    s = math.sqrt(var)
    if s == 0.0:
        return np.asarray(f(means), float) * np.ones_like(means)
    t = (np.asarray(tf.kinks, float)[None, :] - means[:, None]) / s          # (M, k)
    inner = np.abs(t) < _ZMAX
    lo = np.minimum(-_L, np.where(inner, t - 6.0, np.inf).min(axis=1))
    hi = np.maximum(_L, np.where(inner, t + 6.0, -np.inf).max(axis=1))
    cuts = np.where(inner, t, lo[:, None])              # a kink far out: an empty piece
    pts = np.sort(np.concatenate([lo[:, None], cuts, hi[:, None]], axis=1), axis=1)
    length = np.diff(pts, axis=1)                                           # (M, k + 1)
    n = max(1, int(math.ceil(length.max() / 0.25)))
    xg, wg = _GL16
    half = length / (2 * n)                                                 # (M, k + 1)
    mid = pts[:, :-1, None] + (2 * np.arange(n) + 1)[None, None, :] * half[:, :, None]
    z = mid[..., None] + half[:, :, None, None] * xg                        # (M, k+1, n, 16)
    w = half[:, :, None, None] * wg * np.exp(-0.5 * z * z) / _SQ2PI
    vals = f(means[:, None, None, None] + s * z)
    return np.einsum("mkpq,mkpq->m", w, vals)


def _pair_price(tf, which, d, delta0, mu):
    """relu and erf pair functions by Price's theorem (see module notes)."""
    if delta0 == 0.0:
        val = {"phi": tf.phi, "Phi": tf.primitive, "dphi": tf.dphi}[which](np.array(mu))
        return np.full_like(d, float(val) ** 2)
    if tf.name == "relu":
        P, m1, m2 = _relu_moments(mu, delta0)
        coeffs = {"dphi": [P], "phi": [m1, P], "Phi": [0.5 * m2, m1, P]}[which]

        def kernel_weight(theta):
            # p(w) dw with p = bivariate density at (0, 0) and w = D0 sin(theta)
            if mu == 0.0:
                return np.full_like(theta, 1.0 / (2.0 * math.pi))
            with np.errstate(divide="ignore", under="ignore"):   # 1 + sin(theta) may round to 0
                return np.exp(-mu * mu / (delta0 * (1.0 + np.sin(theta)))) / (2.0 * math.pi)
    else:  # erf: F_phi'(w) in closed form
        e_phi, e_dphi, _ = _erf_means(mu, delta0)
        e_Phi = _erf_mean_Phi(mu, delta0)
        coeffs = {"dphi": [], "phi": [e_phi], "Phi": [e_Phi, e_phi]}[which]
        c = _C_ERF
        a = 1.0 + 2.0 * c * delta0

        def kernel_weight(theta):
            w = delta0 * np.sin(theta)
            with np.errstate(under="ignore"):
                val = np.exp(-2.0 * c * mu * mu / (1.0 + 2.0 * c * (delta0 + w)))
            return val / np.sqrt((a - 2 * c * w) * (a + 2 * c * w)) * delta0 * np.cos(theta)

        if which == "dphi":
            w = d
            val = np.exp(-2.0 * c * mu * mu / (1.0 + 2.0 * c * (delta0 + w)))
            return val / np.sqrt((a - 2 * c * w) * (a + 2 * c * w))
    m = len(coeffs)   # order of the remainder integral
    xg, wg = _GL_PRICE
    if tf.name == "relu":
        # Every term is >= 0 when expanding about 0 for d >= 0 and about -delta0 for d < 0
        # (relu, step and relu^2/2 are >= 0); expanding about 0 for d < 0 would cancel.
        base = np.where(d < 0, -delta0, 0.0)
        cb = np.array(_relu_anti(mu, delta0))[::-1][3 - m:] if np.any(d < 0) else None
    else:
        base = np.zeros_like(d)
    out = np.zeros_like(d)
    for k, ck in enumerate(coeffs):
        pos = ck * ck * d**k / math.factorial(k)
        if tf.name == "relu" and cb is not None:
            neg = cb[k] * (d + delta0) ** k / math.factorial(k)
            out += np.where(d < 0, neg, pos)
        else:
            out += pos
    t0 = np.arcsin(np.clip(base / delta0, -1.0, 1.0))
    t1 = np.arcsin(np.clip(d / delta0, -1.0, 1.0))
    theta = t0[:, None] + 0.5 * (t1 - t0)[:, None] * (xg[None, :] + 1.0)
    w = delta0 * np.sin(theta)
    with np.errstate(under="ignore"):
        kern = (d[:, None] - w) ** (m - 1) / math.factorial(m - 1) if m > 1 else 1.0
        integ = (kern * kernel_weight(theta)) @ wg * 0.5 * (t1 - t0)
    return out + integ


def _relu_anti(mu, delta0):
    """F_dphi, F_phi, F_Phi of relu at delta = -delta0, where h2 = 2 mu - h1.

    With t = mu / s: the integrals over |x| < t of 1, s^2 (t^2 - x^2) and
    s^4 (t^2 - x^2)^2 / 4 against the normal density (0 for t <= 0), by
    composite Gauss-Legendre (exact up to rounding for these polynomial-Gaussian integrands).
    """
    s = math.sqrt(delta0)
    t = mu / s
    if t <= 0.0:
        return 0.0, 0.0, 0.0
    tau = min(t, 12.0)
    n = max(1, int(math.ceil(2.0 * tau)))
    edges = np.linspace(-tau, tau, n + 1)
    half = 0.5 * np.diff(edges)[:, None]
    x = (0.5 * (edges[1:] + edges[:-1])[:, None] + half * _GL16[0]).ravel()
    wx = (half * _GL16[1]).ravel() * np.exp(-0.5 * x * x) / _SQ2PI
    q = (t - x) * (t + x)
    f_dphi = float(special.erf(t / math.sqrt(2.0)))
    return f_dphi, delta0 * float(wx @ q), 0.25 * delta0 * delta0 * float(wx @ (q * q))
