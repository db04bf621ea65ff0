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
:math:`L = 2(M-1)` for the Euler map).  Damped Picard iterations are followed by
Newton-Krylov polishing; a solution whose fluctuating power spectrum is
negative somewhere is rejected.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft, optimize
from scipy.sparse import linalg as sparse_linalg

from .. import gaussian as _g


class _PairTable:
    """Fast F_phi(u; d0, mu) for many u: direct for closed forms, else Chebyshev."""

    def __init__(self, tf, d0, mu, lo):
        self.tf, self.d0, self.mu = tf, d0, mu
        self.direct = tf.name in ("relu", "erf", "linear") or d0 == 0.0
        if self.direct:
            return
        lo = max(min(lo, d0), -d0)
        if d0 - lo < 1e-14 * max(d0, 1e-300):
            lo = d0 - max(1e-12 * d0, 1e-300)
        self.lo = lo
        cheb = np.polynomial.Chebyshev
        for n in (32, 64, 128):
            p = cheb.interpolate(lambda u: _g._pair(tf, "phi", u, d0, mu), n, domain=[lo, d0])
            if np.max(np.abs(p.coef[-3:])) < 1e-15 * np.max(np.abs(p.coef)) + 1e-300:
                break
        self.p = p
        self.dp = p.deriv()

    def __call__(self, u):
        if self.direct:
            return _g._pair(self.tf, "phi", u, self.d0, self.mu)
        return self.p(np.clip(u, self.lo, self.d0))

    def deriv(self, u):
        if self.direct:
            return _g._pair(self.tf, "dphi", u, self.d0, self.mu)
        return self.dp(np.clip(u, self.lo, self.d0))


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
        else:
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
            e = np.array([_g._mean(tfs[b], "phi", m[b], d0[b]) for b in range(self.P)])
            return m - self.J0 @ (fr * e) - self.I0

        sol = optimize.root(h, self.mu, method="hybr", tol=1e-14)
        if not sol.success or not np.all(np.isfinite(sol.x)):
            raise OverflowError("no self-consistent population means")
        return sol.x

    def tables(self, delta):
        d0 = np.maximum(delta[:, 0], 0.0)
        self.mu = self.means(d0)
        return [_PairTable(self.tfs[b], d0[b], self.mu[b], float(delta[b].min()))
                for b in range(self.P)], d0

    def apply(self, delta):
        """T(Delta): one application of the self-consistency map."""
        self.nfev += 1
        tabs, d0 = self.tables(delta)
        C = np.stack([tabs[b](np.clip(delta[b], -d0[b], d0[b])) for b in range(self.P)])
        S = (self.G2 * self.fracs[None, :]) @ C + self.sI2[:, None]
        s_inf = S[:, -1:]
        Sc = S - s_inf
        spec = fft.dct(Sc, type=1, axis=1) * self.G[None, :]
        out = s_inf + fft.idct(spec, type=1, axis=1) + self.noise_part
        return out, C, tabs

    def spectrum(self, delta):
        """Power spectrum of the fluctuating part (should be >= 0)."""
        return fft.dct(delta - delta[:, -1:], type=1, axis=1)


def solve_spectral(prob, delta_init, *, rtol, max_iter, damping=0.5):
    """Damped Picard iterations then Newton-Krylov. Returns (delta, nit, residual, ok, msg)."""
    delta = delta_init.copy()
    nit = 0
    res = math.inf
    for nit in range(1, max_iter + 1):  # noqa: B007 - nit is reported
        new, _, _ = prob.apply(delta)
        res = float(np.max(np.abs(new - delta))) / max(float(np.max(np.abs(new[:, 0]))), 1e-300)
        delta = (1.0 - damping) * delta + damping * new
        if res < 1e-3:
            break
    delta, ok, msg = _newton_krylov(lambda d: prob.apply(d)[0] - d, delta,
                                    tol=0.1 * rtol * max(float(np.max(np.abs(delta[:, 0]))), 1e-300))
    final = prob.apply(delta)[0]
    res = float(np.max(np.abs(final - delta))) / max(float(np.max(np.abs(final[:, 0]))), 1e-300)
    if res > rtol:
        ok = False
        msg = f"residual {res:.2e} above rtol={rtol:.1e}; try a larger `max_iter` or lag range"
    return delta, nit, res, ok, msg


def _newton_krylov(F, x, *, tol, max_newton=30):
    """Newton's method with GMRES on finite-difference Jacobian-vector products."""
    shape = x.shape
    r = F(x)
    for _ in range(max_newton):
        rn = float(np.max(np.abs(r)))
        if rn <= tol:
            return x, True, "converged"
        xn = float(np.linalg.norm(x))

        def jvp(v, x=x, r=r, xn=xn):
            v = v.reshape(shape)
            vn = float(np.linalg.norm(v))
            if vn == 0.0:
                return np.zeros(v.size)
            eps = 1e-7 * (1.0 + xn) / vn
            return ((F(x + eps * v) - r) / eps).ravel()

        A = sparse_linalg.LinearOperator((r.size, r.size), matvec=jvp, dtype=float)
        dx, _ = sparse_linalg.gmres(A, -r.ravel(), rtol=1e-4, atol=0.0, restart=40, maxiter=3)
        dx = dx.reshape(shape)
        step = 1.0
        for _ in range(8):              # backtracking on the max-norm residual
            xt = x + step * dx
            rt = F(xt)
            if float(np.max(np.abs(rt))) < rn:
                break
            step *= 0.5
        x, r = xt, rt
    rn = float(np.max(np.abs(r)))
    if rn <= tol:
        return x, True, "converged"
    return x, False, (f"Newton-Krylov polishing stopped at residual {rn:.2e} (tolerance "
                      f"{tol:.1e}); try a larger `max_iter` or a looser `rtol`")
