r"""Energy condition of the potential method, derived and checked against meanfield.

Derivation (sympy)
------------------
The stationary autocovariance obeys Newton's equation :math:`\Delta'' = -V'(\Delta)` with
:math:`V(\Delta) = -\Delta^2/2 + g^2 F_\Phi(\Delta;\Delta_0,\mu) + \sigma_I^2\Delta`
(Sompolinsky, Crisanti & Sommers 1988; Schuecker, Goedeke & Helias 2018).  Multiplying by
:math:`\Delta'` and integrating gives the conserved energy :math:`E = \Delta'^2/2 + V(\Delta)`.
With :math:`\Delta'(0^+) = -\sigma^2/2` and :math:`\Delta'(\infty) = 0`,
:math:`E(0^+) = E(\infty)` is :math:`\sigma^4/8 + V(\Delta_0) = V(\Delta_\infty)`.  For odd
:math:`\phi`, :math:`\mu = 0`, no noise and no input spread, :math:`\Delta_\infty = 0` and the
pair function's end points :math:`F_\Phi(\Delta_0) = E[\Phi^2]`, :math:`F_\Phi(0) = E[\Phi]^2`
turn it into :math:`\Delta_0^2/2 = g^2(E[\Phi(\sqrt{\Delta_0}z)^2] - E[\Phi(\sqrt{\Delta_0}z)]^2)`.

Checks
------
* tanh (:math:`\Phi = \log\cosh`) at g = 1.5, 2, 3: an independent trapezoid quadrature of the
  reduced equation, solved by brentq, gives the library's ``sol.delta0`` to 1e-9 relative, and
  the reduced equation evaluated with ``mf.gaussian`` vanishes at ``sol.delta0`` to 1e-9.
* tanh, g = 1.5, noise 0.5: the full condition with the library's ``delta_inf``.
* tanh, g = 2, noise 0.5, input_std 0.3 (so :math:`\Delta_\infty > 0`): the full condition and
  :math:`V'(\Delta_\infty) = 0` with an independent 2-D quadrature of the pair functions.

Run as ``python derivations/energy_condition.py``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import sympy as sp
from scipy import optimize

try:
    import meanfield as mf
except ModuleNotFoundError:  # running from a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import meanfield as mf

RTOL = 1e-9


# --- symbolic part ------------------------------------------------------------

def derive_energy():
    """First integral of Delta'' = -V'(Delta) and the boundary condition it implies."""
    tau = sp.symbols("tau", real=True)
    u, p = sp.symbols("u p", real=True)          # u = Delta, p = Delta'
    sig, d0, dinf = sp.symbols("sigma Delta_0 Delta_inf", positive=True)
    D = sp.Function("Delta")(tau)
    V = sp.Function("V")
    newton = D.diff(tau, 2) + V(D).diff(tau) / D.diff(tau)      # Delta'' + V'(Delta)
    # multiply by Delta' and integrate: Delta' Delta'' dtau = p dp, V'(Delta) Delta' dtau = V'(u) du
    energy_pu = sp.integrate(p, p) + sp.integrate(V(u).diff(u), u)
    energy = energy_pu.subs({p: D.diff(tau), u: D})
    assert sp.simplify(energy.diff(tau) - D.diff(tau) * newton) == 0, energy
    # E(0+) with Delta(0) = Delta0, Delta'(0+) = -sigma^2/2; E(inf) with Delta'(inf) = 0
    e0 = energy_pu.subs({p: -sig**2 / 2, u: d0})
    einf = energy_pu.subs({p: 0, u: dinf})
    condition = sp.Eq(e0, einf)
    assert sp.simplify(condition.lhs - (sig**4 / 8 + V(d0))) == 0
    return condition, V, sig, d0, dinf


def derive_reduced():
    """Odd phi, mu = 0, no noise: Delta0^2/2 = g^2 (E[Phi^2] - E[Phi]^2)."""
    condition, V, sig, d0, dinf = derive_energy()
    g = sp.symbols("g", positive=True)
    x, z = sp.symbols("x z", real=True)
    d = sp.symbols("d", nonnegative=True)
    Phi = sp.Function("Phi")

    def pdf(v):
        return sp.exp(-v**2 / 2) / sp.sqrt(2 * sp.pi)

    inner = sp.Integral(Phi(sp.sqrt(d0 - d) * x + sp.sqrt(d) * z) * pdf(x), (x, -sp.oo, sp.oo))
    F_Phi = sp.Integral(inner**2 * pdf(z), (z, -sp.oo, sp.oo))         # E_z[(E_x Phi)^2]
    e_phi2 = sp.Integral(Phi(sp.sqrt(d0) * z) ** 2 * pdf(z), (z, -sp.oo, sp.oo))
    e_phi = sp.Integral(Phi(sp.sqrt(d0) * x) * pdf(x), (x, -sp.oo, sp.oo))
    top, bottom = F_Phi.subs(d, d0).doit(), F_Phi.subs(d, 0).doit()
    assert sp.simplify(top - e_phi2) == 0, top
    assert sp.simplify(bottom - e_phi**2) == 0, bottom

    def Vsym(dd, end):
        return -dd**2 / 2 + g**2 * end          # sigma_I = 0

    # odd phi and mu = 0: V'(0) = g^2 E[phi]^2 = 0, so Delta_inf = 0
    reduced = condition.subs(sig, 0).subs(dinf, 0)
    reduced = sp.Eq(reduced.lhs.replace(V, lambda a: Vsym(a, e_phi2)),
                    reduced.rhs.replace(V, lambda a: Vsym(a, e_phi**2)))
    target = d0**2 / 2 - g**2 * (e_phi2 - e_phi**2)
    assert sp.simplify((reduced.rhs - reduced.lhs) - target) == 0, reduced
    return condition, target


# --- independent numerics ------------------------------------------------------

_Z = np.linspace(-14.0, 14.0, 5601)             # trapezoid in z, spacing 0.005
_W = np.exp(-0.5 * _Z**2) / math.sqrt(2 * math.pi) * (_Z[1] - _Z[0])


def _logcosh(y):
    a = np.abs(y)
    return a + np.log1p(np.exp(-2.0 * a)) - math.log(2.0)


def _reduced_residual_quad(d0, g):
    y = _logcosh(math.sqrt(d0) * _Z)
    return d0 * d0 / 2 - g * g * (_W @ y**2 - (_W @ y) ** 2)


def _reduced_residual_lib(d0, g):
    e2 = mf.gaussian.F_Phi("tanh", d0, d0)
    e1 = mf.gaussian.mean_primitive("tanh", 0.0, d0)
    return d0 * d0 / 2 - g * g * (e2 - e1 * e1)


def _F_quad(f, d, d0, mu, n=1201):
    """E_z[(E_x f(mu + sqrt(d0-d) x + sqrt(d) z))^2] by a 2-D trapezoid rule (d >= 0)."""
    zz = np.linspace(-11.0, 11.0, n)
    w = np.exp(-0.5 * zz**2) / math.sqrt(2 * math.pi) * (zz[1] - zz[0])
    inner = f(mu + math.sqrt(d) * zz[:, None] + math.sqrt(max(d0 - d, 0.0)) * zz[None, :]) @ w
    return float(w @ inner**2)


def _V_quad(u, sol, which="Phi"):
    g2, sI2 = sol.g**2, sol.input_std**2
    if which == "Phi":
        return -u * u / 2 + g2 * _F_quad(_logcosh, u, sol.delta0, sol.mu) + sI2 * u
    return -u + g2 * _F_quad(np.tanh, u, sol.delta0, sol.mu) + sI2       # V'


def main():
    condition, target = derive_reduced()
    print(f"energy condition: {condition}")
    print(f"odd phi, mu = 0, no noise: 0 = {target}")
    # tanh, no noise: independent root of the reduced equation vs the library
    for g in (1.5, 2.0, 3.0):
        sol = mf.dmft.solve(g, "tanh")
        ref = optimize.brentq(_reduced_residual_quad, 0.05, 50.0, args=(g,), xtol=1e-15, rtol=1e-15)
        rel = abs(sol.delta0 / ref - 1)
        res = abs(_reduced_residual_lib(sol.delta0, g)) / (sol.delta0**2 / 2)
        print(f"tanh g={g}: delta0 lib={sol.delta0:.12f} quad={ref:.12f} rel={rel:.1e}; "
              f"reduced residual (mf.gaussian) {res:.1e}")
        assert sol.delta_inf == 0.0
        assert rel < RTOL, (g, sol.delta0, ref)
        assert res < RTOL, (g, res)
    # tanh with noise: the full condition sigma^4/8 + V(Delta0) = V(Delta_inf)
    sol = mf.dmft.solve(1.5, "tanh", noise=0.5)
    dinf = float(sol.delta_inf)

    def V_lib(u):
        return (-u * u / 2 + sol.g**2 * mf.gaussian.F_Phi("tanh", u, sol.delta0, sol.mu)
                + sol.input_std**2 * u)

    lhs, rhs = sol.noise**4 / 8 + V_lib(sol.delta0), V_lib(dinf)
    lhs_q, rhs_q = sol.noise**4 / 8 + _V_quad(sol.delta0, sol), _V_quad(dinf, sol)
    scale = sol.delta0**2
    print(f"tanh g=1.5 noise=0.5: delta0={sol.delta0:.10f} delta_inf={dinf}; "
          f"|E(0+)-E(inf)|/delta0^2 = {abs(lhs - rhs) / scale:.1e} (mf.gaussian), "
          f"{abs(lhs_q - rhs_q) / scale:.1e} (independent quadrature)")
    assert abs(lhs - rhs) < RTOL * scale
    assert abs(lhs_q - rhs_q) < RTOL * scale
    # input spread: Delta_inf > 0 is a maximum of V
    sol = mf.dmft.solve(2.0, "tanh", noise=0.5, input_std=0.3)
    dinf = float(sol.delta_inf)
    lhs_q, rhs_q = sol.noise**4 / 8 + _V_quad(sol.delta0, sol), _V_quad(dinf, sol)
    vp = _V_quad(dinf, sol, "phi")
    print(f"tanh g=2 noise=0.5 input_std=0.3 ({sol.method}): delta0={sol.delta0:.10f} "
          f"delta_inf={dinf:.10f}; |E(0+)-E(inf)|/delta0^2 = {abs(lhs_q - rhs_q) / sol.delta0**2:.1e}, "
          f"|V'(delta_inf)|/delta0 = {abs(vp) / sol.delta0:.1e}")
    assert dinf > 0
    assert abs(lhs_q - rhs_q) < RTOL * sol.delta0**2
    assert abs(vp) < RTOL * sol.delta0


if __name__ == "__main__":
    main()
