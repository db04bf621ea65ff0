r"""Largest Lyapunov exponent at the trivial fixed point, continuous time and Euler map.

Continuous time (sympy)
-----------------------
At the trivial fixed point of tanh (:math:`g < 1`, no noise) :math:`x \equiv 0`, so
:math:`C_{\phi'}(\tau) = \phi'(0)^2 = 1` and :math:`H = -\partial_\tau^2 + 1 - g^2`.  Its plane
waves :math:`e^{ik\tau}` have energies :math:`k^2 + 1 - g^2`; the bottom of the spectrum is
:math:`E_0 = 1 - g^2` (k = 0), and :math:`\lambda_{\max} = -1 + \sqrt{1 - E_0} = g - 1`
(Sompolinsky, Crisanti & Sommers 1988).  The same holds for a linear network with white noise
(:math:`C_{\phi'} \equiv 1` whatever the noise), which exercises the Schroedinger-operator path
of ``mf.dmft.lyapunov`` rather than its static-fixed-point branch.

Euler map (sympy, derived for this project)
-------------------------------------------
The lag equation of ``meanfield/dmft/_lyapunov.py`` (see ``lyapunov_euler.py``),
:math:`a\Lambda(-D_2 q)_k + (\Lambda - a)^2 q_k - dt^2 g^2 C_{\phi'}(k) q_k = 0`, has for
:math:`C_{\phi'} = 1` the plane waves :math:`q_k = e^{ik\theta}` with eigenvalue
:math:`2a\Lambda(1-\cos\theta) + (\Lambda-a)^2 - dt^2 g^2`, lowest at :math:`\theta = 0`; it
vanishes at :math:`\Lambda = a + dt\,g`, so :math:`\lambda = \log(1 - dt + dt\,g)/dt`, which
tends to :math:`g - 1` as :math:`dt \to 0`.

Checks: ``mf.dmft.lyapunov(mf.dmft.solve(g))`` for g = 0.3, 0.7 (1e-10);
``mf.dmft.lyapunov(mf.dmft.solve(g, dt=dt))`` for dt = 0.1, 0.5 (1e-10);
``mf.dmft.lyapunov(mf.dmft.solve(g, "linear", noise=0.5))`` = g - 1 (1e-6).
"""

from __future__ import annotations

import sys
from pathlib import Path

import sympy as sp

try:
    import meanfield as mf
except ModuleNotFoundError:  # running from a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import meanfield as mf

TOL = 1e-10
TOL_LINEAR = 1e-6     # Schroedinger-operator path (finite-difference, Richardson-extrapolated)


def derive_continuous():
    g = sp.symbols("g", positive=True)
    k, tau = sp.symbols("k tau", real=True)
    q = sp.exp(sp.I * k * tau)
    Hq = -q.diff(tau, 2) + (1 - g**2 * 1) * q           # C_phi' = phi'(0)^2 = 1
    energy = sp.simplify(Hq / q)
    assert sp.simplify(energy - (k**2 + 1 - g**2)) == 0
    E0 = sp.minimum(energy, k, sp.S.Reals)
    assert sp.simplify(E0 - (1 - g**2)) == 0
    lam = sp.simplify(-1 + sp.sqrt(1 - E0))
    assert sp.simplify(lam - (g - 1)) == 0
    return lam, g


def derive_euler():
    g, dt, Lam = sp.symbols("g dt Lambda", positive=True)
    th = sp.symbols("theta", real=True)
    kk = sp.symbols("k", integer=True)
    a = 1 - dt
    q = sp.exp(sp.I * kk * th)

    def shift(s):
        return q.subs(kk, kk + s)

    op = a * Lam * (-(shift(1) - 2 * q + shift(-1))) + (Lam - a) ** 2 * q - dt**2 * g**2 * 1 * q
    eig = sp.simplify(sp.expand_complex(sp.simplify(op / q)).rewrite(sp.cos))
    eig = sp.simplify(eig)
    assert sp.simplify(eig - (2 * a * Lam * (1 - sp.cos(th)) + (Lam - a) ** 2 - dt**2 * g**2)) == 0
    # a Lambda > 0 (dt < 1, Lambda > a > 0): lowest at theta = 0
    bottom = eig.subs(th, 0)
    roots = sp.solve(sp.Eq(bottom, 0), Lam)
    Lmax = max(roots, key=lambda r: r.subs({g: sp.Rational(1, 2), dt: sp.Rational(1, 10)}))
    assert sp.simplify(Lmax - (a + dt * g)) == 0
    lam = sp.log(Lmax) / dt
    assert sp.simplify(sp.limit(lam, dt, 0) - (g - 1)) == 0
    return lam, (g, dt)


def main():
    lam_c, g_s = derive_continuous()
    lam_e, (g_e, dt_e) = derive_euler()
    print(f"continuous: lambda_max = {lam_c};  Euler map: lambda = {lam_e}")
    f_c = sp.lambdify(g_s, lam_c)
    f_e = sp.lambdify((g_e, dt_e), lam_e)
    for g in (0.3, 0.7):
        lib = mf.dmft.lyapunov(mf.dmft.solve(g))
        err = abs(lib - f_c(g))
        print(f"g={g}: lambda lib={lib:.15f} theory={f_c(g):.15f} |diff|={err:.1e}")
        assert err < TOL, (g, lib)
        for dt in (0.1, 0.5):
            lib = mf.dmft.lyapunov(mf.dmft.solve(g, dt=dt))
            err = abs(lib - f_e(g, dt))
            print(f"  Euler dt={dt}: lib={lib:.15f} theory={f_e(g, dt):.15f} |diff|={err:.1e}")
            assert err < TOL, (g, dt, lib)
        lib = mf.dmft.lyapunov(mf.dmft.solve(g, "linear", noise=0.5))
        err = abs(lib - f_c(g))
        print(f"  linear, noise 0.5: lib={lib:.12f} theory={f_c(g):.12f} |diff|={err:.1e}")
        assert err < TOL_LINEAR, (g, lib)


if __name__ == "__main__":
    main()
