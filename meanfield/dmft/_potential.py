r"""Potential (energy) method for one population in continuous time.

The stationary autocovariance obeys Newton's equation
:math:`\ddot\Delta = -V'(\Delta)` with

.. math::

    V(\Delta) = -\tfrac12\Delta^2 + g^2 F_\Phi(\Delta;\Delta_0,\mu) + \sigma_I^2\Delta,
    \qquad \dot\Delta(0^+) = -\sigma^2/2, \qquad \Delta(\infty) = \Delta_\infty,

:math:`V'(\Delta_\infty) = 0` with :math:`V''(\Delta_\infty) < 0`, and energy
conservation gives the self-consistency
:math:`\sigma^4/8 + V(\Delta_0) = V(\Delta_\infty)`, a one-dimensional root problem
for :math:`\Delta_0` (Sompolinsky, Crisanti & Sommers 1988; Schuecker, Goedeke &
Helias 2018).  :math:`\Delta(\tau)` is then integrated from the turning point:
near it as :math:`\ddot y = -y\,W(\Delta)` with :math:`y = \Delta-\Delta_\infty`,
:math:`W = V'/y`; afterwards in the stable first-order form
:math:`\frac{d}{d\tau}\log y = -\sqrt{2R}`, :math:`R = (V(\Delta_\infty)-V(\Delta))/y^2
= -\int_0^1 v\,W(\Delta_\infty + y v)\,dv`, which follows from energy conservation.
:math:`W` is a Chebyshev interpolant of :math:`V'(\Delta)/(\Delta - \Delta_\infty)`
on :math:`[\Delta_\infty, \Delta_0]`.

Numerics (what makes ``solve(g=2)`` take about 2 ms):

* Energy: where :math:`\Delta_\infty = 0` and :math:`\phi` takes the plain trapezoidal
  rule of :mod:`meanfield.gaussian`, :math:`V(\Delta_0) - V(0)` needs only
  :math:`\mathrm{Var}\,\Phi(h)`, summed on one rule (one evaluation of :math:`\Phi`).
* Fit of W: :math:`F_\phi(u)` from the Mehler series for :math:`u \le \Delta_0/2`; above,
  the 2-D trapezoid rule of :func:`meanfield.gaussian.pair` with its spacings shrunk so
  that all nodes :math:`\mu + b z + a x` of all u lie on one lattice: :math:`\phi` is
  evaluated once and each u is a strided matrix-vector product.
* :math:`R(y)` and :math:`M(y)` (phase 1) are polynomials whose Chebyshev coefficients
  follow from those of W by fixed matrices (Gauss-Legendre in v, exact); every point where
  a series is evaluated is fixed in the scaled variables :math:`y/y_0`,
  :math:`w/w_1`, :math:`\log(y/y_0)`, so all evaluation matrices depend only on the
  degrees and are cached.  The correlation time is a Gauss-Legendre sum of the same
  series (exact in phase 1).
"""

from __future__ import annotations

import math
from functools import cache, lru_cache

import numpy as np
from numpy.polynomial.chebyshev import chebvander
from scipy import fft, optimize
from scipy.special import roots_legendre

from .. import gaussian as _g
from .. import transfer as _transfer
from ._bounded import _NoBoundedState, check_time
from ._spectral import hermite_a2, use_mehler

_SQ2PI = math.sqrt(2.0 * math.pi)
#: Largest lattice of phi values used for the batched pair quadrature (else: gaussian._pair).
_LATTICE_MAX = 200_001


# --- Chebyshev and Gauss-Legendre helpers -----------------------------------

@cache
def _gauss_legendre01(n):
    """n-point Gauss-Legendre rule on [0, 1] (exact for polynomials of degree < 2n)."""
    x, w = roots_legendre(n)
    x, w = 0.5 * (x + 1.0), 0.5 * w
    x.flags.writeable = w.flags.writeable = False
    return x, w


@cache
def _cheb_points(n):
    """The n + 1 first-kind Chebyshev points cos(pi (j + 1/2) / (n + 1)), j = 0..n."""
    x = np.cos(np.pi * (np.arange(n + 1) + 0.5) / (n + 1))
    x.flags.writeable = False
    return x


@cache
def _dct_matrix(n):
    """Matrix of the type-II discrete cosine transform taking values at
    :func:`_cheb_points` (n) to Chebyshev coefficients."""
    C = fft.dct(np.eye(n + 1), type=2, axis=0) / (n + 1)
    C[0] *= 0.5
    C.flags.writeable = False
    return C


def _cheb_coef(values):
    """Chebyshev coefficients of the interpolant through ``values`` (axis 0) taken at
    :func:`_cheb_points`."""
    return _dct_matrix(values.shape[0] - 1) @ values


def _cheb_fit(f, n, lo, hi):
    """Coefficients (in x on [-1, 1]) of the degree-n interpolant of f on [lo, hi]."""
    return _cheb_coef(f(lo + 0.5 * (hi - lo) * (_cheb_points(n) + 1.0)))


def _converged(c, k, tol):
    return np.max(np.abs(c[-k:])) < tol * np.max(np.abs(c))


def _cheb_integ(c, scl, at):
    """Antiderivative (times ``scl``) of a Chebyshev series, zero at x = ``at`` (+1 or -1)."""
    n = len(c)
    t = np.zeros(n + 1)
    t[1] = c[0]
    if n > 1:
        t[2] = c[1] / 4.0
    if n > 2:
        j = np.arange(2, n)
        t[j + 1] += c[j] / (2.0 * (j + 1))
        t[j - 1] -= c[j] / (2.0 * (j - 1))
    t *= scl
    t[0] -= np.sum(t) if at > 0 else np.sum(t[::2]) - np.sum(t[1::2])
    return t


def _cheb_der(c, scl):
    """Derivative (times ``scl``) of a Chebyshev series: d_k = sum of 2 j c_j, j > k, j - k odd."""
    n = len(c) - 1
    e = 2.0 * np.arange(1, n + 1) * c[1:]
    d = np.empty(n)
    for p in (0, 1):
        d[p::2] = np.cumsum(e[p::2][::-1])[::-1]
    d[0] *= 0.5
    return d * scl


@cache
def _energy_operators(n):
    r"""Matrices taking the Chebyshev coefficients of W (degree n, x in [-1, 1] on
    [Delta_inf, Delta0]) to those of R and of M / y0, in xi = -1 + 2 y / y0:

    R(y) = -\int_0^1 v W(\Delta_\infty + y v) dv (degree n) and
    M(y) = \int_0^1 y_v W(\Delta_\infty + y_v) dv, y_v = y + (y_0 - y) v (degree n + 1),
    both evaluated by Gauss-Legendre in v (exact) at the Chebyshev points.
    """
    gv, gw = _gauss_legendre01(n // 2 + 2)
    xi, xm = _cheb_points(n), _cheb_points(n + 1)
    A = np.zeros((n + 1, n + 1))
    B = np.zeros((n + 2, n + 1))
    for v, w in zip(gv, gw):
        A -= (w * v) * chebvander(-1.0 + (xi + 1.0) * v, n)
        x = xm + (1.0 - xm) * v
        B += (w * 0.5 * (x + 1.0))[:, None] * chebvander(x, n)
    A, B = _cheb_coef(A), _cheb_coef(B)
    A.flags.writeable = B.flags.writeable = False
    return A, B


# --- pair function for the W fit --------------------------------------------

def _smooth(tf):
    """Whether gaussian._pair / _mean use the plain trapezoidal rule for tf (no closed
    form, no kinks) with a finite, positive analyticity strip."""
    named = tf is _transfer._NAMED.get(tf.name)
    return not (named and tf.name in ("relu", "erf", "linear")) and not tf.kinks \
        and 0.0 < tf.strip < math.inf


def _trapezoid(h, L=_g._L):
    k = math.ceil(L / h)
    z = h * np.arange(-k, k + 1, dtype=float)
    return z, h * np.exp(-0.5 * z * z) / _SQ2PI


def _pair_lattice(tf, u, d0, mu):
    r"""F_phi(u; d0, mu) for 0 < u <= d0 by the rule of ``gaussian._pair`` (2-D trapezoid
    on [-9.5, 9.5]^2, outer spacing ``0.145 max(d, a) / b``, inner ``0.145 d / a``, both
    at most 0.6, :math:`a = \sqrt{d_0 - u}`, :math:`b = \sqrt u`, d the strip), with the
    spacings shrunk so that every node :math:`\mu + b z + a x` falls on one lattice
    :math:`\mu + k\delta`: phi is evaluated once on the lattice and each u costs a
    strided matrix-vector product.  Returns None when the lattice would be too large.
    Where the edge terms exceed 1e-14 of the sum, the value comes from gaussian._pair
    (which then widens its square, as it would have).
    """
    L = _g._L
    b = np.sqrt(u)
    a = np.sqrt(np.maximum(d0 - u, 0.0))
    d = tf.strip
    inner = a > 0.0
    span_o = b * np.minimum(_g._HMAX, 0.145 * np.maximum(d, a) / b)      # b * outer spacing
    span_i = np.where(inner, np.minimum(_g._HMAX * a, 0.145 * d), np.inf)  # a * inner spacing
    delta = float(min(span_o.min(), span_i.min()))
    p = np.maximum(np.floor(span_o / delta), 1.0)
    q = np.where(inner, np.maximum(np.floor(np.where(inner, span_i, 1.0) / delta), 1.0), 0.0)
    h_o = p * delta / b
    h_i = np.where(inner, q * delta / np.where(inner, a, 1.0), 1.0)
    K = np.ceil(L / h_o).astype(int)
    J = np.where(inner, np.ceil(L / h_i), 0).astype(int)
    p, q = p.astype(int), q.astype(int)
    N = int(np.max(K * p + J * q))
    if 2 * N + 1 > _LATTICE_MAX:
        return None
    lat = np.ascontiguousarray(tf.phi(mu + delta * np.arange(-N, N + 1, dtype=float)),
                               dtype=float)
    alat = np.abs(lat)
    st = lat.strides[0]
    # trapezoid weights of all u at once, zero beyond each rule's own range; for odd phi
    # and mu = 0 the inner average is odd in z: sum over z >= 0 only, doubled
    half = bool(tf.odd) and mu == 0.0
    Km, Jm = int(K.max()), int(J.max())
    k0 = 0 if half else -Km
    k = np.arange(k0, Km + 1, dtype=float)
    wo = h_o[:, None] * np.exp(-0.5 * (h_o[:, None] * k) ** 2) / _SQ2PI
    wo[np.abs(k) > K[:, None]] = 0.0
    if half:
        wo[:, 1:] *= 2.0
    j = np.arange(-Jm, Jm + 1, dtype=float)
    wi = h_i[:, None] * np.exp(-0.5 * (h_i[:, None] * j) ** 2) / _SQ2PI
    g = np.zeros_like(wo)                  # inner averages at the outer nodes
    col = np.zeros_like(wo)                # largest |phi| on the two inner edges
    for i in range(len(u)):
        Ki, Ji, pi, qi = K[i], J[i], p[i], q[i]
        lo = 0 if half else -Ki
        rows = Ki - lo + 1
        row = slice(lo - k0, Ki - k0 + 1)
        first = N + lo * pi
        if Ji == 0:
            g[i, row] = lat[first: N + Ki * pi + 1: pi]
            continue
        view = np.ndarray((rows, 2 * Ji + 1), buffer=lat, offset=(first - Ji * qi) * st,
                          strides=(pi * st, qi * st))
        g[i, row] = view @ wi[i, Jm - Ji: Jm + Ji + 1]
        col[i, row] = np.maximum(alat[first - Ji * qi:: pi][:rows],
                                 alat[first + Ji * qi:: pi][:rows])
    terms = wo * g * g
    out = terms.sum(axis=1)
    idx = np.arange(len(u))
    edge = np.abs(terms[idx, K - k0]) * np.where(half & (K > 0), 0.5, 1.0)
    if not half:
        edge = np.maximum(edge, np.abs(terms[idx, -K - k0]))
    edge = np.maximum(edge, (wo * col * np.abs(g)).sum(axis=1) * wi[idx, Jm - J])
    for i in np.flatnonzero(edge > _g._EDGE * np.abs(out)):
        out[i] = _g._pair(tf, "phi", u[i:i + 1], d0, mu)[0]
    return out


_MEHLER_TERMS = 64
_H_CAP = 0.6 * math.pi / math.sqrt(2 * _MEHLER_TERMS + 1)   # resolves He_j, j <= 64


@lru_cache(maxsize=64)
def _hermite_table(level):
    """Trapezoid nodes z on [-9.5, 9.5] with spacing _H_CAP 2^(-level/8) and the matrix
    H[j, i] = w_i He_j(z_i) / sqrt(j!), j <= 64, with w the normal weights."""
    z, w = _trapezoid(_H_CAP * 2.0 ** (-level / 8.0))
    H = np.empty((_MEHLER_TERMS + 1, len(z)))
    hm1, h0 = np.zeros_like(z), np.ones_like(z)
    for j in range(_MEHLER_TERMS + 1):               # h_j = He_j / sqrt(j!)
        H[j] = h0 * w
        h0, hm1 = (z * h0 - math.sqrt(j) * hm1) / math.sqrt(j + 1), h0
    z.flags.writeable = H.flags.writeable = False
    return z, H


def _hermite_a2(tf, d0, mu):
    """``_spectral.hermite_a2(tf, d0, mu, 64)`` (the same trapezoid rule, its spacing
    rounded down to a power of 2^(1/8) so that the Hermite table is reused)."""
    s = math.sqrt(d0)
    level = max(0, math.ceil(8.0 * math.log2(_H_CAP / min(_g._spacing(tf, s), _H_CAP)) - 1e-9))
    if 2.0 * _g._L / (_H_CAP * 2.0 ** (-level / 8.0)) > 2000:
        return hermite_a2(tf, d0, mu, _MEHLER_TERMS)
    z, H = _hermite_table(level)
    a = H @ tf.phi(mu + s * z)
    return a * a


def _pair_function(tf, d0, mu):
    """F_phi(u; d0, mu) for an array of 0 <= u <= d0: Mehler series (64 terms, remainder
    below 0.5^65 <phi^2>) where u <= d0/2, the pair quadrature elsewhere (batched on one
    lattice of phi values for smooth phi)."""
    if not use_mehler(tf, d0):
        return lambda u: _g._pair(tf, "phi", np.asarray(u, dtype=float), d0, mu)
    a2 = _hermite_a2(tf, d0, mu)
    lattice = _smooth(tf)

    def F(u):
        u = np.asarray(u, dtype=float)
        out = np.empty_like(u)
        near = np.abs(u) <= 0.5 * d0
        # sum_j a_j^2 x^j, |x| <= 1/2: the powers by a cumulative product
        X = np.empty((int(np.count_nonzero(near)), len(a2)))
        X[:, 0] = 1.0
        X[:, 1:] = (u[near] / d0)[:, None]
        out[near] = np.cumprod(X, axis=1, out=X) @ a2
        far = ~near
        if np.any(far):
            vals = _pair_lattice(tf, u[far], d0, mu) if lattice and np.all(u[far] > 0) else None
            out[far] = _g._pair(tf, "phi", u[far], d0, mu) if vals is None else vals
        return out

    return F


class _Model:
    """V, V', V'' and the mean as functions of (u, Delta0) for one population."""

    def __init__(self, tf, g, noise, J0, I0, input_std):
        self.tf, self.g2, self.noise = tf, g * g, noise
        self.J0, self.I0, self.sI2 = J0, I0, input_std**2
        self.symmetric = tf.odd and I0 == 0.0 and input_std == 0.0
        self.smooth = _smooth(tf)
        self._memo = {}            # (what, d0, ...) -> value: the root search repeats points

    def _remember(self, key, value):
        if len(self._memo) > 64:
            self._memo.clear()
        self._memo[key] = value
        return value

    def mean(self, d0):
        """Self-consistent mean mu = J0 <phi> + I0 at variance d0."""
        if self.J0 == 0.0 or self.symmetric:
            return self.I0
        key = ("mean", d0)
        if key in self._memo:
            return self._memo[key]
        return self._remember(key, self._mean(d0))

    def _mean(self, d0):
        tf, J0, I0 = self.tf, self.J0, self.I0

        def h(m):
            check_time()
            return m - J0 * _g._mean(tf, "phi", m, d0) - I0

        lo = hi = I0
        step = max(1.0, abs(J0))
        for _ in range(200):
            lo, hi = lo - step, hi + step
            if h(lo) < 0 < h(hi):
                return optimize.brentq(h, lo, hi, xtol=1e-15, rtol=1e-15)
            step *= 2.0
        raise _NoBoundedState("no bounded self-consistent mean")

    def vp(self, u, d0, mu):
        check_time()
        return -u + self.g2 * _g._pair(self.tf, "phi", np.atleast_1d(u), d0, mu) + self.sI2

    def v(self, u, d0, mu):
        check_time()
        u = np.atleast_1d(u)
        return -0.5 * u * u + self.g2 * _g._pair(self.tf, "Phi", u, d0, mu) + self.sI2 * u

    def vpp(self, u, d0, mu):
        check_time()
        return -1.0 + self.g2 * _g._pair(self.tf, "dphi", np.atleast_1d(u), d0, mu)

    def delta_inf(self, d0, mu):
        """Smallest root of V' in [0, d0] (a maximum of V), or None."""
        if self.symmetric:
            return 0.0
        key = ("delta_inf", d0, mu)
        if key in self._memo:
            return self._memo[key]
        return self._remember(key, self._delta_inf(d0, mu))

    def _delta_inf(self, d0, mu):
        v0 = float(self.vp(0.0, d0, mu)[0])
        if v0 <= 0.0:
            return 0.0
        if float(self.vpp(d0, d0, mu)[0]) <= 0.0:
            umin = d0
        elif float(self.vpp(0.0, d0, mu)[0]) >= 0.0:
            return None
        else:
            umin = optimize.brentq(lambda u: float(self.vpp(u, d0, mu)[0]), 0.0, d0,
                                   xtol=1e-14 * d0, rtol=1e-14)
        if float(self.vp(umin, d0, mu)[0]) > 0.0:
            return None
        return optimize.brentq(lambda u: float(self.vp(u, d0, mu)[0]), 0.0, umin,
                               xtol=1e-15 * d0, rtol=1e-15)

    def _var_primitive(self, d0, mu):
        """<Phi^2> - <Phi>^2 at variance d0 by the trapezoid rule of gaussian._pair on
        [-9.5, 9.5] (one evaluation of Phi), on [-20, 20] when the edge terms exceed 1e-14
        of the sum."""
        s = math.sqrt(d0)
        h = _g._spacing(self.tf, s)
        for L in (_g._L, _g._L1):
            z, w = _g._trapezoid(h, L)
            P = self.tf.primitive(mu + s * z)
            terms = w * (P - float(w @ P)) ** 2
            var = float(terms.sum())
            if max(terms[0], terms[-1]) <= _g._EDGE * var:
                break
        return var

    def energy(self, d0):
        """sigma^4/8 + V(d0) - V(d_inf), scaled by d0^2; None where undefined."""
        key = ("energy", d0)
        if key in self._memo:
            return self._memo[key]
        return self._remember(key, self._energy(d0))

    def _energy(self, d0):
        check_time()
        mu = self.mean(d0)
        di = self.delta_inf(d0, mu)
        if di is None or di >= d0:
            return None
        if di == 0.0 and self.smooth:
            # V(d0) - V(0) = -d0^2/2 + g^2 (<Phi^2> - <Phi>^2) + sI2 d0: both averages on
            # one trapezoid rule (one evaluation of Phi)
            dv = -0.5 * d0 * d0 + self.g2 * self._var_primitive(d0, mu) + self.sI2 * d0
        else:
            dv = float(self.v(d0, d0, mu)[0] - self.v(di, d0, mu)[0])
        return (self.noise**4 / 8.0 + dv) / (d0 * d0)


def solve_delta0(model, rtol, start=None):
    """Largest root Delta0 > Delta_inf of the energy condition; None when there is none.

    The roots are bracketed on a grid rising by factors of 3 from ``start`` (default
    1e-5, lower with weak noise) to 1e6.

    Returns (delta0, nfev) or (None, nfev).  Raises _NoBoundedState when the energy
    stays positive up to huge Delta0 (no bounded stationary state).
    """
    if start is None:
        start = 1e-5 if model.noise == 0 else min(1e-5, 1e-3 * model.noise**2)
    grid = np.geomspace(start, 1e6, int(np.ceil(np.log(1e6 / start) / np.log(3.0))) + 1)  # ~x3
    vals = []                                      # (d0, energy); invalid points count as +1
    nfev = 0
    negatives = 0
    for d0 in grid:
        e = model.energy(d0)
        nfev += 1
        vals.append((d0, 1.0 if e is None else e, e is not None))
        if e is None:
            continue
        negatives = negatives + 1 if e <= 0 else 0
        if negatives >= 4 and d0 > 1.0:
            break
    else:
        if vals and vals[-1][2] and vals[-1][1] > 0:
            raise _NoBoundedState("energy positive at Delta0 = 1e6")

    def f(d0):
        e = model.energy(d0)
        return 1.0 if e is None else e

    # sign changes from + to - (in increasing Delta0), largest first; a bracket whose left
    # end is invalid may hold only the jump at the edge of validity: check the root found
    brackets = [(a[0], b[0]) for a, b in zip(vals[:-1], vals[1:]) if a[1] > 0 >= b[1]]
    for lo, hi in reversed(brackets):
        d0, info = optimize.brentq(f, lo, hi, xtol=1e-16 * lo, rtol=min(rtol, 1e-12) * 0.25,
                                   maxiter=400, full_output=True, disp=False)
        nfev += info.function_calls
        e = model.energy(d0)
        if e is None or abs(e) >= 1e-9:
            continue                      # a jump at the edge of validity, not a root
        di = model.delta_inf(d0, model.mean(d0))
        if d0 - di > 1e-6 * d0:           # else: the static fixed point (Delta0 = Delta_inf)
            return d0, nfev
    return None, nfev


# --- the trajectory ---------------------------------------------------------
# Every evaluation point below is fixed in the scaled variables (eta = y / y0 in
# [0, 1], w / w1, log eta), so the Chebyshev evaluation matrices depend only on the
# degrees and are built once.

_N_W1 = 401        # output lags of phase 1 (uniform in w)
_N_S2 = 1000       # output lags of phase 2 (uniform in log y)
_TAIL = 1e-11      # the output grid ends where Delta - Delta_inf = _TAIL (Delta0 - Delta_inf)
_LOG_HALF = math.log(0.5)


def _readonly(*arrays):
    for a in arrays:
        a.flags.writeable = False
    return arrays if len(arrays) > 1 else arrays[0]


@cache
def _w_output(n):
    """Values of W and of dW/dx (x in [-1, 1] on [Delta_inf, Delta0]) at the output points
    from the coefficients of W: two (1400, n + 1) matrices."""
    xw = np.linspace(-1.0, 1.0, _N_W1)
    eta = np.concatenate([1.0 - 0.125 * (xw + 1.0) ** 2,
                          np.exp(np.linspace(_LOG_HALF, math.log(_TAIL), _N_S2 + 1)[1:])])
    V = chebvander(2.0 * eta - 1.0, n)
    D = np.zeros((n + 1, n + 1))                 # column k: derivative coefficients of T_k
    for k in range(1, n + 1):
        e = np.zeros(k + 1)
        e[k] = 1.0
        D[:k, k] = _cheb_der(e, 1.0)
    return _readonly(V, V @ D)


@cache
def _phase1_ops(n, n1):
    """M at the fit points of phase 1 (xi = 1 - (x + 1)^2 / 4), T1 at the output points
    (integration folded in) and the weights of int_0^1 (1 - w^2/2) ... for the
    correlation time, all as matrices acting on Chebyshev coefficients."""
    x = _cheb_points(n1)
    Em = chebvander(1.0 - 0.25 * (x + 1.0) ** 2, n + 1)
    gx, gw = _gauss_legendre01(n1 // 2 + 2)
    corr = (gw * (1.0 - 0.5 * gx * gx)) @ chebvander(2.0 * gx - 1.0, n1)
    Et = chebvander(np.linspace(-1.0, 1.0, _N_W1), n1 + 1)
    return _readonly(Em, corr, Et)


@cache
def _phase2_ops(n, n2):
    """R at the fit points of phase 2 (eta = exp(sigma), sigma on [log tail, log 1/2]),
    Q at the output points and the weights of int exp(sigma) q(sigma) d sigma."""
    lt = math.log(_TAIL)
    sig = lt + 0.5 * (_LOG_HALF - lt) * (_cheb_points(n2) + 1.0)
    Er = chebvander(2.0 * np.exp(sig) - 1.0, n)
    gx, gw = _gauss_legendre01(n2 // 2 + 32)
    corr = (gw * np.exp(lt + (_LOG_HALF - lt) * gx)) @ chebvander(2.0 * gx - 1.0, n2)
    sg = np.linspace(_LOG_HALF, lt, _N_S2 + 1)[1:]
    Eq = chebvander(-1.0 + 2.0 * (sg - lt) / (_LOG_HALF - lt), n2 + 1)
    return _readonly(Er, corr, Eq)


def _w_degrees(tf, d0, deg):
    """Degrees tried for the Chebyshev fit of W: deg, 2 deg, 4 deg; for phi analytic in a
    strip of half-width d the first guess is 16 + 32 sqrt(d0) / d rounded up to a multiple
    of 16 when larger (measured for tanh: the coefficients fall below 1e-14 of the largest
    at degree ~ 9 + 32 sqrt(d0) / d), then its double, never above 4 deg (as before)."""
    if 0.0 < tf.strip < math.inf:
        n0 = 16 * math.ceil((16.0 + 32.0 * math.sqrt(d0) / tf.strip) / 16.0)
        if n0 > deg:
            return (n0, min(2 * n0, 4 * deg)) if n0 < 4 * deg else (4 * deg,)
    return (deg, 2 * deg, 4 * deg)


def trajectory(model, d0, mu, dinf, *, deg=48):
    """Delta(tau) from the turning point.

    Returns (tau, delta, c_phi, c_dphi, kappa, correlation_time, check) with ``check``
    the relative mismatch of the two energy forms at the switch between the phases.
    W, R and M (below) are Chebyshev series; R and M are polynomials in y whose
    coefficients follow from those of W by fixed linear maps (:func:`_energy_operators`).
    """
    y0 = d0 - dinf
    F = _pair_function(model.tf, d0, mu)

    def wfun(u):
        return (-u + model.g2 * F(u) + model.sI2) / (u - dinf)

    for n in _w_degrees(model.tf, d0, deg):
        wc = _cheb_fit(wfun, n, dinf, d0)          # W(u), x = -1 + 2 (u - d_inf) / y0
        if _converged(wc, 4, 1e-14):
            break

    # W(d_inf) = V''(d_inf) = -kappa^2 (the value of the series at x = -1)
    kappa = math.sqrt(max(-(np.sum(wc[::2]) - np.sum(wc[1::2])), 0.0))
    sig2 = model.noise**2
    A, B = _energy_operators(n)
    # R(y) = (V(d_inf) - V(d_inf + y)) / y^2 = -int_0^1 v W(d_inf + y v) dv and
    # M(y) = int_0^1 y_v W(d_inf + y_v) dv, y_v = y + (y0 - y) v, in xi = -1 + 2 y / y0
    rc = A @ wc
    mc = y0 * (B @ wc)

    # phase 1 (y from y0 to y0/2): energy conservation gives (dy/dtau)^2 / 2 = K(y) with
    # K = sigma^4/8 + (y0 - y) M(y).  With y = y0 - w^2: dtau/dw = 2 w / sqrt(2 K), smooth
    # at the turning point w = 0.
    w1 = math.sqrt(0.5 * y0)
    for n1 in (24, 48, 96, 192):
        Em, corr1, Et = _phase1_ops(n, n1)
        m = Em @ mc
        if sig2 > 0:
            w = 0.5 * w1 * (_cheb_points(n1) + 1.0)
            p1 = 2.0 * w / np.sqrt(2.0 * np.maximum(sig2 * sig2 / 8.0 + w * w * m, 1e-300))
        else:
            p1 = 2.0 / np.sqrt(2.0 * np.maximum(m, 1e-300))
        p1 = _cheb_coef(p1)
        if _converged(p1, 3, 1e-13):
            break
    T1 = _cheb_integ(p1, 0.5 * w1, -1.0)            # tau(w), zero at w = 0
    t1 = float(np.sum(T1))
    # energy check at the switch y1 = y0 / 2 (xi = 0): both forms of K must agree
    k_a = sig2 * sig2 / 8.0 + 0.5 * y0 * float(mc[::4].sum() - mc[2::4].sum())
    check = abs(k_a - 0.25 * y0 * y0 * float(rc[::4].sum() - rc[2::4].sum())) \
        / max(y0 * y0, 1e-300)

    # phase 2: with sigma = log(y / y0), dtau/dsigma = -1/sqrt(2 R), smooth in sigma
    span = _LOG_HALF - math.log(_TAIL)
    for n2 in (32, 64, 128, 256):
        Er, corr2, Eq = _phase2_ops(n, n2)
        q = _cheb_coef(1.0 / np.sqrt(2.0 * np.maximum(Er @ rc, 1e-300)))
        if _converged(q, 3, 1e-13):
            break
    Q = _cheb_integ(q, 0.5 * span, 1.0)             # tau = t1 - Q(sigma), Q(log 1/2) = 0
    # output grid, uniform in w before the switch and in log y after it (so tau needs
    # no inversion): tau spacing ~ 0.005-0.01 near the origin, relative change of y per
    # step <= 2.5% in the tail (cubic-spline interpolation error ~ 1e-9 relative)
    w_grid = np.linspace(0.0, w1, _N_W1)
    grid = np.concatenate([Et @ T1, t1 - Eq @ Q])
    y = np.concatenate([y0 - w_grid * w_grid,
                        y0 * np.exp(np.linspace(_LOG_HALF, math.log(_TAIL), _N_S2 + 1)[1:])])
    delta = dinf + y
    # Price: F_phi = (V' + u - sI2) / g2 and F_phi' = (V'' + 1) / g2, with V' = y W
    V, Vd = _w_output(n)
    Wd = V @ wc
    dWd = (2.0 / y0) * (Vd @ wc)
    c_phi = (y * Wd + delta - model.sI2) / model.g2
    c_dphi = (1.0 + dWd * y + Wd) / model.g2
    # correlation time int_0^inf y / y0 dtau: phase 1 in w (a polynomial: Gauss-Legendre
    # is exact), phase 2 in sigma, then the exponential tail beyond the grid
    corr = w1 * float(corr1 @ p1) + span * float(corr2 @ q)
    if kappa > 0:
        corr += _TAIL / kappa
    return grid, delta, c_phi, c_dphi, kappa, corr, check
