r"""Linear transfer function with white noise: closed-form autocovariance, continuous and Euler.

Continuous time (sympy)
-----------------------
For :math:`\phi(x) = x`, :math:`g < 1`, :math:`J_0 = 0`, the stationary DMFT equation is
:math:`(1 - \partial_\tau^2)\Delta = g^2\Delta + \sigma^2\delta(\tau)`.  Derived twice: by the
Fourier transform, :math:`\hat\Delta(\omega) = \sigma^2/(\kappa^2 + \omega^2)`,
:math:`\kappa = \sqrt{1-g^2}`, inverted with ``sympy.inverse_fourier_transform``; and by solving
:math:`\Delta'' = \kappa^2\Delta` for :math:`\tau > 0` (``dsolve``), keeping the decaying branch
and matching the jump :math:`\Delta'(0^+) - \Delta'(0^-) = -\sigma^2`.  Both give
:math:`\Delta(\tau) = \sigma^2 e^{-\kappa|\tau|}/(2\kappa)`.

Euler map (sympy, derived for this project)
-------------------------------------------
:math:`x_{k+1} = a x_k + dt\,\eta_k + \sqrt{dt}\,\sigma\xi_k`, :math:`a = 1 - dt`,
:math:`\langle\eta_k\eta_l\rangle = g^2\Delta_{k-l}`.  Applying :math:`(S - a)` on both times,
:math:`|e^{i\theta} - a|^2\hat\Delta = dt^2 g^2\hat\Delta + dt\,\sigma^2`, so
:math:`\hat\Delta(\theta) = dt\,\sigma^2/(1 - 2a\cos\theta + a^2 - dt^2 g^2)`.  The denominator
factorises as :math:`(a/r)(1 - re^{i\theta})(1 - re^{-i\theta})` with :math:`r` the root of
:math:`a r^2 - (1 + a^2 - dt^2 g^2) r + a = 0` inside the unit circle, and the residue at
:math:`z = r` of the contour integral gives
:math:`\Delta_k = dt\,\sigma^2\, r^{|k|+1} / (a (1 - r^2))`.

Checks: ``mf.dmft.solve(g, "linear", noise=sigma).delta(tau)`` and
``mf.dmft.solve(g, "linear", noise=sigma, dt=dt).delta_tau[:6]`` for g in (0.3, 0.8),
sigma in (0.5, 1.0), dt in (0.1, 0.5), to 1e-8 relative.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import sympy as sp

try:
    import meanfield as mf
except ModuleNotFoundError:  # running from a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import meanfield as mf

RTOL = 1e-8


def derive_continuous():
    tau = sp.symbols("tau", positive=True)
    t = sp.symbols("t", real=True)
    k = sp.symbols("k", real=True)
    g = sp.symbols("g", positive=True)
    sig = sp.symbols("sigma", positive=True)
    kap = sp.symbols("kappa", positive=True)             # kappa = sqrt(1 - g^2), g < 1
    # Fourier: sympy's convention is f(t) = int F(k) e^{2 pi i k t} dk, i.e. omega = 2 pi k
    spec = sig**2 / (kap**2 + (2 * sp.pi * k) ** 2)
    d_fourier = sp.inverse_fourier_transform(spec, k, t)
    # direct: Delta'' = kappa^2 Delta for tau > 0, decaying; jump of Delta' at 0 is -sigma^2
    D = sp.Function("Delta")
    ode = sp.Eq(D(tau).diff(tau, 2), kap**2 * D(tau))
    general = sp.dsolve(ode).rhs
    consts = sorted(general.free_symbols - {tau, kap}, key=str)
    growing = [c for c in consts if sp.limit(general.subs({c2: (1 if c2 == c else 0)
                                                            for c2 in consts}), tau, sp.oo) == sp.oo]
    decaying = general.subs({c: 0 for c in growing})
    (A,) = decaying.free_symbols - {tau, kap}
    jump = sp.Eq(2 * decaying.diff(tau).subs(tau, 0), -sig**2)   # Delta even: Delta'(0-) = -Delta'(0+)
    d_direct = decaying.subs(A, sp.solve(jump, A)[0])
    closed = sig**2 * sp.exp(-kap * tau) / (2 * kap)
    assert sp.simplify(d_direct - closed) == 0, d_direct
    assert sp.simplify(d_fourier.subs(t, tau) - closed) == 0, d_fourier
    # the closed form solves the equation away from 0 and is even
    assert sp.simplify(kap**2 * closed - closed.diff(tau, 2)) == 0
    return closed.subs(kap, sp.sqrt(1 - g**2)), (g, sig, tau)


def derive_euler():
    g, sig, dt = sp.symbols("g sigma dt", positive=True)
    th = sp.symbols("theta", real=True)
    z, r = sp.symbols("z r", positive=True)
    kk = sp.symbols("k", integer=True, nonnegative=True)
    a = 1 - dt
    den = 1 - 2 * a * sp.cos(th) + a**2 - dt**2 * g**2
    # |e^{i theta} - a|^2 = 1 - 2 a cos(theta) + a^2
    assert sp.simplify(sp.expand_complex((sp.exp(sp.I * th) - a) * (sp.exp(-sp.I * th) - a)) - (
        1 - 2 * a * sp.cos(th) + a**2)) == 0
    B = (1 + a**2 - dt**2 * g**2) / a
    r_in = (B - sp.sqrt(B**2 - 4)) / 2                   # root of r + 1/r = B with r < 1
    assert sp.simplify(sp.radsimp(r_in + 1 / r_in - B)) == 0
    # factorisation of the denominator: (a/r)(1 - r e^{it})(1 - r e^{-it}) - den = a (r + 1/r - B)
    fact = (a / r) * (1 - r * sp.exp(sp.I * th)) * (1 - r * sp.exp(-sp.I * th))
    diff = sp.expand(sp.expand_complex(fact - den).rewrite(sp.cos))
    assert sp.simplify(diff - a * (r + 1 / r - B)) == 0, diff
    # Delta_k = (1/2pi) int e^{ik theta} dt sigma^2/den dtheta = (1/2 pi i) oint z^(k-1) ... dz
    integrand = z**kk * dt * sig**2 * r / (a * (1 - r * z) * (z - r))   # fact with z = e^{i theta}, / (i z)
    assert sp.simplify(integrand.subs(z, sp.exp(sp.I * th)) * sp.I * sp.exp(sp.I * th)
                       - sp.I * sp.exp(sp.I * kk * th) * dt * sig**2 / fact) == 0
    res = sp.residue(integrand, z, r)                     # only pole inside |z| = 1 for k >= 0
    delta_k = sp.simplify(res)
    expected = dt * sig**2 * r ** (kk + 1) / (a * (1 - r**2))
    assert sp.simplify(delta_k - expected) == 0, delta_k
    return expected.subs(r, r_in), (g, sig, dt, kk), den


def main():
    closed, (g_s, sig_s, tau_s) = derive_continuous()
    print(f"continuous: Delta(tau) = {closed}")
    f_cont = sp.lambdify((g_s, sig_s, tau_s), closed, "numpy")
    taus = np.array([0.0, 0.37, 1.0, 2.5, 7.0, 15.0])
    worst = 0.0
    for g in (0.3, 0.8):
        for sigma in (0.5, 1.0):
            sol = mf.dmft.solve(g, "linear", noise=sigma)
            ref = f_cont(g, sigma, taus)
            err = float(np.max(np.abs(sol.delta(taus) / ref - 1)))
            worst = max(worst, err)
            assert err < RTOL, (g, sigma, sol.delta(taus), ref)
            assert abs(sol.delta0 / ref[0] - 1) < RTOL
    print(f"  library delta(tau), tau in {taus.tolist()}: max rel. error {worst:.1e}")

    dk, (g_s, sig_s, dt_s, k_s), den = derive_euler()
    print(f"Euler map: Delta_k = {dk}")
    f_disc = sp.lambdify((g_s, sig_s, dt_s, k_s), dk, "numpy")
    f_den = sp.lambdify((g_s, dt_s, sp.Symbol("theta", real=True)), den, "numpy")
    ks = np.arange(6)
    worst = 0.0
    for g in (0.3, 0.8):
        for sigma in (0.5, 1.0):
            for dt in (0.1, 0.5):
                ref = f_disc(g, sigma, dt, ks)
                # the closed form is the inverse transform of the spectrum (numerical check)
                th = 2 * math.pi * np.arange(4096) / 4096
                spec = dt * sigma**2 / f_den(g, dt, th)
                inv = np.real(np.fft.ifft(spec))[:6]
                assert np.allclose(inv, ref, rtol=1e-12, atol=0), (inv, ref)
                sol = mf.dmft.solve(g, "linear", noise=sigma, dt=dt)
                err = float(np.max(np.abs(sol.delta_tau[:6] / ref - 1)))
                worst = max(worst, err)
                assert err < RTOL, (g, sigma, dt, sol.delta_tau[:6], ref)
    print(f"  library delta_tau[0:6] (dt = 0.1, 0.5): max rel. error {worst:.1e}")


if __name__ == "__main__":
    main()
