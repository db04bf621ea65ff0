r"""Frequency-domain iteration for the stationary DMFT (any number of populations).

On the lag grid :math:`\tau_k = k h`, :math:`k = 0..M-1`, with the even periodic
extension of period :math:`T_p = 2(M-1)h` (a type-I discrete cosine transform),

.. math::

    \hat\Delta_a(\omega) = G(\omega)\,\Big(\sum_b \alpha_b g_{ab}^2 \hat C_{\phi,b}(\omega)
        - \text{const}\Big) + \text{noise}, \qquad
    G(\omega) = \frac{1}{1+\omega^2} \;\text{(continuous time)}, \quad
    G(\omega) = \frac{dt^2}{|e^{i\omega dt} - (1-dt)|^2} \;\text{(Euler map, } h = dt).

The constant part :math:`\Delta_{\infty,a} = \sum_b \alpha_b g_{ab}^2
F_\phi(\Delta_{\infty,b}) + \sigma_{I,a}^2` is treated separately (the value at the
last lag), and the white-noise part is added in closed form (periodic Green's
function: :math:`\tfrac{\sigma^2}{2}\cosh(T_p/2-\tau)/\sinh(T_p/2)` in continuous
time, :math:`dt\,\sigma^2 (a^k + a^{L-k})/((1-a^2)(1-a^L))`, :math:`a = 1-dt`,
:math:`L = 2(M-1)` for the Euler map).  In continuous time with noise, the kink of the source at
:math:`\tau = 0` (from :math:`\Delta'(0^+) = -\sigma^2/2`) is carried by a
multiple of that Green's function whose response is known in closed form, so the
lag grid only resolves smooth functions.  Damped Picard iterations are followed by
Newton-Krylov polishing; a solution whose fluctuating power spectrum is
negative somewhere is rejected.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft, optimize
from scipy.sparse import linalg as sparse_linalg

from .. import gaussian as _g
from .._runtime import blas_threads
from ._bounded import _NoBoundedState, check_time


def use_mehler(tf, d0):
    """Whether F_phi is best built from its Hermite (Mehler) series: phi smooth and
    analytic in a finite strip, no closed form (relu, erf, linear), and d0 > 0."""
    return tf.strip > 0 and math.isfinite(tf.strip) and d0 > 0.0 \
        and tf.name not in ("relu", "erf", "linear")


def hermite_a2(tf, d0, mu, k):
    r"""Squared normalised Hermite coefficients :math:`a_j^2`, :math:`j \le k`, with
    :math:`a_j = \langle\phi(\mu + s z) He_j(z)\rangle / \sqrt{j!}`, :math:`s = \sqrt{\Delta_0}`.

    Mehler's formula gives :math:`F_\phi(u; \Delta_0, \mu) = \sum_j a_j^2 (u/\Delta_0)^j`
    for :math:`|u| \le \Delta_0`.
    """
    s = math.sqrt(d0)
    # trapezoid rule fine enough for phi (strip) and for He_k (wavelength ~ pi/sqrt(k))
    h = min(_g._spacing(tf, s), 0.6 * math.pi / math.sqrt(2 * k + 1))
    z, w = _g._trapezoid(h)
    f = tf.phi(mu + s * z) * w
    a = np.empty(k + 1)
    hm1 = np.zeros_like(z)
    h0 = np.ones_like(z)
    for j in range(k + 1):                  # h_j = He_j / sqrt(j!)
        a[j] = f @ h0
        h0, hm1 = (z * h0 - math.sqrt(j) * hm1) / math.sqrt(j + 1), h0
    return a * a


def _hermite_coefficients(tf, d0, mu, kmax=4000):
    """:func:`hermite_a2` with k doubled until the series for |u| <= d0 converges:
    the last terms below 1e-17 of <phi^2> = sum_j a_j^2 and the sum within 1e-11 of it."""
    total = _g._mean(tf, "phi2", mu, d0)
    k = 128
    while True:
        check_time()
        a2 = hermite_a2(tf, d0, mu, k)
        tail = total - np.sum(a2)
        if (abs(tail) <= 1e-11 * total + 1e-300 and np.all(a2[-8:] < 1e-17 * total)) \
                or k >= kmax:
            return a2, abs(tail) / max(total, 1e-300)
        k *= 2


#: Relative accuracy of a table's Mehler series (as :func:`_hermite_coefficients` asks).
_MEHLER_TOL = 1e-11


class _PairTable:
    r"""Fast F_phi(u; d0, mu) and its u-derivative for many u (Mehler series or closed form).

    When the Hermite series has not converged at :math:`|u| = \Delta_0` within ``kmax``
    terms (tanh at :math:`\Delta_0 \gtrsim 50`: the coefficients of :math:`\phi(\sqrt{\Delta_0}
    z)` decay like :math:`e^{-c\sqrt{j}/\sqrt{\Delta_0}}`), the truncated series is used only
    for :math:`|u| \le r_0\Delta_0`, where its remainder is bounded by
    :math:`r_0^{n}\,(\langle\phi^2\rangle - \sum_{j<n} a_j^2)` (all :math:`a_j^2 \ge 0`), and
    the quadrature of :func:`meanfield.gaussian.pair` beyond it (usually only lag 0).
    """

    def __init__(self, tf, d0, mu, lo):
        self.tf, self.d0, self.mu = tf, d0, mu
        self.direct = not use_mehler(tf, d0)
        self.r0 = 1.0
        if self.direct:
            return
        self.a2, self.error = _hermite_coefficients(tf, d0, mu)
        k = np.arange(len(self.a2))
        self.da2 = (k[1:] * self.a2[1:]) / d0
        if self.error > _MEHLER_TOL:
            n = len(self.a2)
            total = _g._mean(tf, "phi2", mu, d0)
            dtotal = _g._mean(tf, "dphi2", mu, d0)      # sum_j j a_j^2 / d0
            tail = max(total - float(np.sum(self.a2)), 1e-300)
            dtail = max(dtotal - float(np.sum(self.da2)), 1e-300)
            self.r0 = min(1.0, (_MEHLER_TOL * total / tail) ** (1.0 / n),
                          (_MEHLER_TOL * dtotal / dtail) ** (1.0 / (n - 1)))

    def _eval(self, u, which, coef):
        u = np.asarray(u, dtype=float)
        r = np.clip(u / self.d0, -1.0, 1.0)
        out = np.polynomial.polynomial.polyval(r, coef)
        if self.r0 < 1.0:
            far = np.abs(r) > self.r0
            if np.any(far):
                out[far] = _g._pair(self.tf, which, self.d0 * r[far], self.d0, self.mu)
        return out

    def __call__(self, u):
        if self.direct:
            return _g._pair(self.tf, "phi", u, self.d0, self.mu)
        return self._eval(u, "phi", self.a2)

    def deriv(self, u):
        if self.direct:
            return _g._pair(self.tf, "dphi", u, self.d0, self.mu)
        return self._eval(u, "dphi", self.da2)


class SpectralProblem:
    """The fixed-point map Delta -> T(Delta) on a lag grid."""

    def __init__(self, tfs, fracs, G2, J0, I0, noise, sI2, *, h, M, dt):
        self.tfs, self.fracs, self.G2, self.J0, self.I0 = tfs, fracs, G2, J0, I0
        self.noise, self.sI2 = noise, sI2
        self.P = len(fracs)
        self.h, self.M, self.dt = h, M, dt
        self.tau = h * np.arange(M)
        L = 2 * (M - 1)
        theta = np.pi * np.arange(M) / (M - 1)            # omega * h
        if dt is None:
            omega = theta / h
            self.G = 1.0 / (1.0 + omega**2)
            Tp = L * h
            with np.errstate(over="ignore"):
                green = np.cosh(Tp / 2 - self.tau) / np.sinh(Tp / 2) / 2.0 if Tp < 1400 \
                    else np.exp(-self.tau) / 2.0
            self.noise_part = noise[:, None] ** 2 * green[None, :]
            # kink removal: with noise, Delta'(0+) = -sigma^2/2 gives the source S a kink at
            # tau = 0 that the lag grid would resolve only to O(h^2).  c E (E the Green's
            # function above, E'(0+) = -1/2) carries the kink exactly; its response is
            # U = G * E = ((1+tau) e^-tau + (1+Tp-tau) e^-(Tp-tau)) / 4 (images below e^-Tp).
            t = self.tau
            self.kink = bool(np.any(noise > 0))
            self.E = green
            with np.errstate(under="ignore"):
                self.U = ((1 + t) * np.exp(-t) + (1 + Tp - t) * np.exp(-(Tp - t))) / 4.0
        else:
            self.kink = False
            a = 1.0 - dt
            self.G = dt * dt / (1.0 - 2.0 * a * np.cos(theta) + a * a)
            k = np.arange(M)
            if abs(a) < 1.0:
                green = dt * (a**k + a ** (L - k)) / ((1.0 - a * a) * (1.0 - a**L))
            else:
                green = np.zeros(M)
            self.noise_part = noise[:, None] ** 2 * green[None, :]
        self.mu = I0.copy()
        self.nfev = 0

    def means(self, d0):
        if not np.any(self.J0):
            return self.I0.copy()
        tfs, fr = self.tfs, self.fracs

        def h(m):
            check_time()
            e = np.array([_g._mean(tfs[b], "phi", m[b], d0[b]) for b in range(self.P)])
            return m - self.J0 @ (fr * e) - self.I0

        sol = optimize.root(h, self.mu, method="hybr", tol=1e-14)
        # hybr may report "no progress" at a root that is already exact to round-off
        if not np.all(np.isfinite(sol.x)) or \
                np.max(np.abs(h(sol.x))) > 1e-12 * (1.0 + np.max(np.abs(sol.x))):
            raise _NoBoundedState("no self-consistent population means")
        return sol.x

    def tables(self, delta):
        d0 = np.maximum(delta[:, 0], 0.0)
        self.mu = self.means(d0)
        return [_PairTable(self.tfs[b], d0[b], self.mu[b], float(delta[b].min()))
                for b in range(self.P)], d0

    def _filter(self, S):
        """Linear response of Delta to the source S: constant part plus G * fluctuations."""
        s_inf = S[:, -1:]
        return s_inf + fft.idct(fft.dct(S - s_inf, type=1, axis=1) * self.G[None, :],
                                type=1, axis=1)

    def apply(self, delta):
        """T(Delta): one application of the self-consistency map."""
        check_time()
        self.nfev += 1
        tabs, d0 = self.tables(delta)
        C = np.stack([tabs[b](np.clip(delta[b], -d0[b], d0[b])) for b in range(self.P)])
        S = (self.G2 * self.fracs[None, :]) @ C + self.sI2[:, None]
        if not self.kink:
            return self._filter(S) + self.noise_part, C, tabs
        fp0 = np.array([tabs[b].deriv(np.array([d0[b]]))[0] for b in range(self.P)])
        c = (self.G2 * self.fracs[None, :]) @ (fp0 * self.noise**2)    # -2 S'(0+)
        return self._kinked(S, c) + self.noise_part, C, tabs

    def _kinked(self, S, c):
        return self._filter(S - np.outer(c, self.E)) + np.outer(c, self.U)

    def linearization(self, delta):
        """Jacobian-vector product of T at Delta (Price's theorem for dF/du; the dependence
        of F on Delta0 and on the means by central differences of the table parameters)."""
        check_time()
        tabs, d0 = self.tables(delta)
        mu = self.mu.copy()
        u = np.stack([np.clip(delta[b], -d0[b], d0[b]) for b in range(self.P)])
        lo = [float(delta[b].min()) for b in range(self.P)]
        Fp = np.stack([tabs[b].deriv(u[b]) for b in range(self.P)])
        dF_dd0 = np.zeros_like(u)
        dF_dmu = np.zeros_like(u)
        dE_dmu = np.zeros(self.P)
        dE_dd0 = np.zeros(self.P)
        dfp0 = np.zeros(self.P)
        for b in range(self.P):
            tf = self.tfs[b]
            if d0[b] <= 0.0:
                continue
            # one-sided (second-order forward) differences in Delta0 at fixed u: a table
            # at Delta0 - e is defined only for |u| <= Delta0 - e, and would be evaluated
            # outside its domain at u = Delta0 (lag 0), where it saturates at its own
            # diagonal; the central difference then had the wrong sign for large g
            e = 1e-5 * d0[b]
            tp = _PairTable(tf, d0[b] + e, mu[b], lo[b])
            tp2 = _PairTable(tf, d0[b] + 2 * e, mu[b], lo[b])
            dF_dd0[b] = (4.0 * tp(u[b]) - 3.0 * tabs[b](u[b]) - tp2(u[b])) / (2 * e)
            # d/d Delta0 of F'(Delta0; Delta0): slope of the kink amplitude
            dfp0[b] = (4.0 * tp.deriv(np.array([d0[b] + e]))[0]
                       - 3.0 * tabs[b].deriv(np.array([d0[b]]))[0]
                       - tp2.deriv(np.array([d0[b] + 2 * e]))[0]) / (2 * e)
            if np.any(self.J0):
                em = 1e-5 * max(1.0, abs(mu[b]))
                dF_dmu[b] = (_PairTable(tf, d0[b], mu[b] + em, lo[b])(u[b])
                             - _PairTable(tf, d0[b], mu[b] - em, lo[b])(u[b])) / (2 * em)
                dE_dmu[b] = (_g._mean(tf, "phi", mu[b] + em, d0[b])
                             - _g._mean(tf, "phi", mu[b] - em, d0[b])) / (2 * em)
                dE_dd0[b] = (_g._mean(tf, "phi", mu[b], d0[b] + e)
                             - _g._mean(tf, "phi", mu[b], d0[b] - e)) / (2 * e)
        if np.any(self.J0):
            # mu = J0 (alpha * E phi(mu, d0)) + I0  =>  (1 - J0 alpha dE/dmu) dmu = J0 alpha dE/dd0 dd0
            A = np.eye(self.P) - self.J0 * (self.fracs * dE_dmu)[None, :]
            dmu_dd0 = np.linalg.solve(A, self.J0 * (self.fracs * dE_dd0)[None, :])
        else:
            dmu_dd0 = np.zeros((self.P, self.P))
        W = self.G2 * self.fracs[None, :]

        def jvp(v):
            dd0 = v[:, 0]
            dmu = dmu_dd0 @ dd0
            dC = Fp * v + dF_dd0 * dd0[:, None] + dF_dmu * dmu[:, None]
            if not self.kink:
                return self._filter(W @ dC)
            return self._kinked(W @ dC, W @ (dfp0 * self.noise**2 * dd0))

        return jvp

    def spectrum(self, delta):
        """Power spectrum of the fluctuating part (should be >= 0)."""
        return fft.dct(delta - delta[:, -1:], type=1, axis=1)


def solve_spectral(prob, delta_init, *, rtol, max_iter, damping=0.5):
    """Damped Picard iterations then Newton-Krylov. Returns (delta, nit, residual, ok, msg)."""
    delta = delta_init.copy()
    # residuals are relative to Delta0, with a floor for solutions that collapse to zero
    floor = 1e-12 * max(float(np.max(np.abs(delta_init[:, 0]))), 1e-300)

    def rel(new, old):
        return float(np.max(np.abs(new - old))) / max(float(np.max(np.abs(new[:, 0]))), floor)

    nit = 0
    res = math.inf
    for nit in range(1, max_iter + 1):  # noqa: B007 - nit is reported
        new, _, _ = prob.apply(delta)
        res = rel(new, delta)
        delta = (1.0 - damping) * delta + damping * new
        if res < 1e-3:
            break
        if float(np.max(np.abs(delta[:, 0]))) <= floor:
            return np.zeros_like(delta), nit, 0.0, True, "collapsed onto the trivial fixed point"
    delta, ok, msg = _newton_krylov(prob, delta, max_newton=max(1, min(30, max_iter - nit)),
                                    tol=0.1 * rtol * max(float(np.max(np.abs(delta[:, 0]))), floor))
    final = prob.apply(delta)[0]
    res = rel(final, delta)
    if res > rtol:
        ok = False
        msg = f"residual {res:.2e} above rtol={rtol:.1e}; try a larger `max_iter` or lag range"
    return delta, nit, res, ok, msg


def _newton_krylov(prob, x, *, tol, max_newton=30):
    """Newton's method for T(x) = x with GMRES on the analytic Jacobian-vector product."""
    shape = x.shape
    r = prob.apply(x)[0] - x
    for _ in range(max_newton):
        rn = float(np.max(np.abs(r)))
        if rn <= tol:
            return x, True, "converged"
        jvp = prob.linearization(x)

        def matvec(v, jvp=jvp):
            v = v.reshape(shape)
            return (jvp(v) - v).ravel()

        A = sparse_linalg.LinearOperator((r.size, r.size), dtype=float, matvec=matvec)
        # level-1 BLAS on vectors this short is fastest (and stable in time) on one thread
        with blas_threads(1):
            dx, _ = sparse_linalg.gmres(A, -r.ravel(), rtol=1e-6, atol=0.0, restart=30,
                                        maxiter=4)
        dx = dx.reshape(shape)
        step = 1.0
        for _ in range(8):              # backtracking on the max-norm residual
            xt = x + step * dx
            rt = prob.apply(xt)[0] - xt
            if float(np.max(np.abs(rt))) < rn:
                break
            step *= 0.5
        x, r = xt, rt
    rn = float(np.max(np.abs(r)))
    if rn <= tol:
        return x, True, "converged"
    return x, False, (f"Newton-Krylov polishing stopped at residual {rn:.2e} (tolerance "
                      f"{tol:.1e}); try a larger `max_iter` or a looser `rtol`")
