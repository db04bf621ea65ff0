r"""Tangent dynamics of the Euler map in mean field, and its continuous-time limit.

Derivation (sympy, derived for this project)
--------------------------------------------
The Euler map :math:`x_{t+1} = a x_t + dt\,(J\phi(x_t) + I) + \sqrt{dt}\,\sigma\xi_t`,
:math:`a = 1 - dt`, has the tangent map :math:`\delta x_{t+1} = a\,\delta x_t + dt\,J\phi'(x_t)
\delta x_t`, i.e. :math:`(S_t - a)\delta x_t = dt\,(J\phi'\delta x)_t` with :math:`S_t` the
unit time shift.  In mean field the field :math:`(J\phi'\delta x)_t` is Gaussian with
covariance :math:`g^2 C_{\phi'}(t-s) Q(t,s)`, so the tangent second moment
:math:`Q(t,s) = \langle\delta x_t\delta x_s\rangle` obeys

.. math:: (S_t - a)(S_s - a)\,Q = dt^2 g^2 C_{\phi'}(t-s)\,Q .

With :math:`Q = \Lambda^{t+s} q(t-s)` this becomes the lag equation used by
``meanfield/dmft/_lyapunov.py``,

.. math:: a\Lambda\,(-(q_{k+1} - 2q_k + q_{k-1})) + (\Lambda - a)^2 q_k - dt^2 g^2 C_k q_k = 0,

and with :math:`\Lambda = 1 + \lambda\,dt` (or :math:`e^{\lambda dt}`), :math:`a = 1 - dt`,
:math:`q_{k\pm1} = q(\tau \pm dt)`, divided by :math:`dt^2`, it tends as :math:`dt \to 0` to
:math:`(-\partial_\tau^2 + 1 - g^2 C_{\phi'})\,q = (1 - (1+\lambda)^2)\,q`, i.e.
:math:`\lambda = -1 + \sqrt{1 - E_0}` (Sompolinsky, Crisanti & Sommers 1988).

Check: tanh at g = 1.5, ``mf.dmft.lyapunov(mf.dmft.solve(1.5, dt=dt))`` for dt = 0.2, 0.1, 0.05
against the continuous ``mf.dmft.lyapunov(mf.dmft.solve(1.5))``: the difference is below 1e-3 at
dt = 0.05 and shrinks linearly in dt (fitted log-log slope 1 +- 0.15, successive ratios 2 +- 0.3).
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


def derive_lag_equation():
    t, s = sp.symbols("t s", integer=True)
    dt, g, Lam = sp.symbols("dt g Lambda", positive=True)
    qm, q0, qp, C = sp.symbols("q_km1 q_k q_kp1 C_k", real=True)
    a = 1 - dt
    q = sp.Function("q")

    def Q(tt, ss):
        return Lam ** (tt + ss) * q(tt - ss)

    # (S_t - a)(S_s - a) Q - dt^2 g^2 C Q  at lag k = t - s
    lhs = Q(t + 1, s + 1) - a * Q(t + 1, s) - a * Q(t, s + 1) + a**2 * Q(t, s)
    eq = sp.expand(sp.powsimp(sp.expand((lhs - dt**2 * g**2 * C * Q(t, s)) / Lam ** (t + s))))
    eq = eq.subs({q(t - s + 1): qp, q(t - s - 1): qm, q(t - s): q0})
    target = a * Lam * (-(qp - 2 * q0 + qm)) + (Lam - a) ** 2 * q0 - dt**2 * g**2 * C * q0
    assert sp.simplify(eq - target) == 0, eq
    return target, (dt, g, Lam, qm, q0, qp, C)


def derive_continuum_limit(target, syms):
    dt, g, Lam, qm, q0, qp, C = syms
    lam = sp.symbols("lambda", real=True)
    E = sp.symbols("E_0", real=True)
    d = sp.symbols("q0:5", real=True)                    # q and its first four derivatives

    def taylor(h):
        return sum(h**n / sp.factorial(n) * d[n] for n in range(5))

    limits = []
    for Lam_of_dt in (1 + lam * dt, sp.exp(lam * dt)):
        expr = target.subs({Lam: Lam_of_dt, qp: taylor(dt), qm: taylor(-dt), q0: d[0]}) / dt**2
        limits.append(sp.simplify(sp.limit(expr, dt, 0)))
    cont = -d[2] + (1 - g**2 * C) * d[0] - (1 - (1 + lam) ** 2) * d[0]
    for lim in limits:
        assert sp.simplify(lim - cont) == 0, lim
    # H q = E0 q with E0 = 1 - (1 + lambda)^2; the branch lambda > -1
    roots = sp.solve(sp.Eq(E, 1 - (1 + lam) ** 2), lam)
    lam_max = [r for r in roots if sp.simplify(r.subs(E, 0)) == 0]
    assert len(lam_max) == 1 and sp.simplify(lam_max[0] - (-1 + sp.sqrt(1 - E))) == 0
    return limits[0], lam_max[0]


def main():
    target, syms = derive_lag_equation()
    print(f"lag equation: {target} = 0")
    lim, lam_max = derive_continuum_limit(target, syms)
    print(f"dt -> 0 (divided by dt^2): {lim} = 0  =>  lambda_max = {lam_max}")
    g = 1.5
    lc = mf.dmft.lyapunov(mf.dmft.solve(g))
    dts = np.array([0.2, 0.1, 0.05])
    diffs = np.array([mf.dmft.lyapunov(mf.dmft.solve(g, dt=float(dt))) - lc for dt in dts])
    slope = float(np.polyfit(np.log(dts), np.log(np.abs(diffs)), 1)[0])
    ratios = diffs[:-1] / diffs[1:]
    print(f"tanh g={g}: continuous lambda_max = {lc:.10f}")
    for dt, dd in zip(dts, diffs):
        print(f"  dt={dt}: lambda(dt) - lambda = {dd:+.3e}  ({dd / dt:+.4f} * dt)")
    print(f"  log-log slope {slope:.3f}; successive ratios {ratios.round(3).tolist()}")
    assert abs(diffs[-1]) < 1e-3, diffs
    assert abs(slope - 1.0) < 0.15, slope
    assert np.all(np.abs(ratios - 2.0) < 0.3), ratios
    assert math.isfinite(lc) and lc > 0


if __name__ == "__main__":
    main()
