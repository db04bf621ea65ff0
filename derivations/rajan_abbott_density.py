r"""Rajan-Abbott eigenvalue density: closed form, parametric form, and their limits.

Closed form (Rajan & Abbott 2006), :math:`u = |z|^2 < r^2`, :math:`a = \sigma_E^2`,
:math:`b = \sigma_I^2`, :math:`\gamma = 1 - b/a`, :math:`x = \gamma u/b`:

.. math:: \rho = \frac{1}{\pi b}\Big[1 - \frac{\gamma}{2} H_f(x)\Big],\quad
          H_f(x) = \frac{2f - 1 + x}{\sqrt{q(x)}} + 1,\quad q(x) = 1 + x(4f - 2 + x).

Derived here (sympy)
--------------------
1. Radial CDF: :math:`F(u) = \pi\int_0^u \rho = u/b - \tfrac12[x + \sqrt{q(x)} - 1]`
   (:math:`q' = 2(2f - 1 + x)`), checked by differentiation; :math:`F(0) = 0`,
   :math:`F(r^2) = 1` with :math:`r^2 = fa + (1-f)b` (there
   :math:`\sqrt{q} = (fa^2 + (1-f)b^2)/(ab)`).
2. Equal variances (:math:`\gamma = 0`): :math:`\rho = 1/(\pi b)`, :math:`F = u/b`, the uniform
   disk.
3. Parametric form for column types (weights :math:`w_k`, variances :math:`\sigma_k^2`), from
   the hermitization equations of the block-variance profile with :math:`g_{ab} = \sigma_b`
   (see ``meanfield.ensembles.BlockVariance``): the ansatz :math:`A_a = t`,
   :math:`B_a = \sigma_a^2`, :math:`t = u/s`, solves
   :math:`A = M A/(AB + u)`, :math:`B = M' B/(AB + u)` identically when
   :math:`u = s\sum_k w_k\sigma_k^2/(s + \sigma_k^2)` (checked for K = 3 symbolic types), and
   gives :math:`F = \sum_k w_k s/(s + \sigma_k^2)`.
4. Two types: :math:`u(s)` is a quadratic in :math:`s`; with its positive root the
   parametric :math:`F` and :math:`\rho = \pi^{-1}(dF/ds)/(du/ds)` equal the closed forms
   (exact radicals at three rational parameter points, evaluated to 40 digits: residual
   below 1e-35).

Against the library: ``RajanAbbott.radial_cdf`` / ``eigenvalue_density`` with
``form="closed"`` and ``form="parametric"`` agree with the sympy expressions and with each
other to 1e-10 on a grid; equal variances give :math:`\min(r/\sigma, 1)^2`; a three-type
column profile of ``BlockVariance`` agrees with the K = 3 parametric form.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import sympy as sp

try:
    import meanfield as mf
except ModuleNotFoundError:  # running from a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import meanfield as mf

from meanfield.ensembles._base import _column_types_radial  # noqa: E402

TOL = 1e-10


def _is_zero(expr):
    """Rational function identically zero: the expanded numerator over a common denominator."""
    num, _ = sp.fraction(sp.together(expr))
    return sp.expand(num) == 0


def closed_forms():
    u, a, b = sp.symbols("u a b", positive=True)
    f = sp.symbols("f", positive=True)
    gam = 1 - b / a
    x = gam * u / b
    q = 1 + x * (4 * f - 2 + x)
    H = (2 * f - 1 + x) / sp.sqrt(q) + 1
    rho = (1 - gam / 2 * H) / (sp.pi * b)
    F = u / b - (x + sp.sqrt(q) - 1) / 2
    return (u, a, b, f), rho, F


def derive_cdf():
    (u, a, b, f), rho, F = closed_forms()
    assert sp.simplify(sp.diff(F, u) - sp.pi * rho) == 0
    assert sp.simplify(F.subs(u, 0)) == 0
    r2 = f * a + (1 - f) * b
    # F(r^2) = 1  <=>  sqrt(q) = 2 r^2/b - x - 1 (square both sides; the right side is >= 0)
    x_r = (1 - b / a) * r2 / b
    rhs = 2 * r2 / b - x_r - 1
    assert sp.simplify(rhs ** 2 - (1 + x_r * (4 * f - 2 + x_r))) == 0
    assert sp.simplify(rhs - (f * a ** 2 + (1 - f) * b ** 2) / (a * b)) == 0   # > 0
    # equal variances: gamma = 0
    assert sp.simplify(rho.subs(a, b) - 1 / (sp.pi * b)) == 0
    assert sp.simplify(F.subs(a, b) - u / b) == 0
    return rho, F


def derive_parametric_from_hermitization():
    s = sp.symbols("s", positive=True)
    w = sp.symbols("w0:3", positive=True)
    sig2 = sp.symbols("v0:3", positive=True)
    u = s * sum(wk * vk / (s + vk) for wk, vk in zip(w, sig2))
    t = u / s
    # column-only profile: M_ab = w_b sigma_b^2, M'_ab = w_b sigma_a^2
    A = [t] * 3
    B = list(sig2)
    for c in range(3):
        rhs_A = sum(w[d] * sig2[d] * A[d] / (A[d] * B[d] + u) for d in range(3))
        rhs_B = sum(w[d] * sig2[c] * B[d] / (A[d] * B[d] + u) for d in range(3))
        assert _is_zero(rhs_A - A[c])
        assert _is_zero(rhs_B - B[c])
    F_herm = sum(w[c] * u / (A[c] * B[c] + u) for c in range(3))
    F_par = sum(wk * s / (s + vk) for wk, vk in zip(w, sig2))
    assert _is_zero(F_herm - F_par)
    return F_par


def derive_two_type_agreement():
    (u, a, b, f), rho, F = closed_forms()
    s = sp.symbols("s", positive=True)
    u_s = s * (f * a / (s + a) + (1 - f) * b / (s + b))
    F_s = f * s / (s + a) + (1 - f) * s / (s + b)
    rho_s = sp.diff(F_s, s) / sp.diff(u_s, s) / sp.pi
    # u(s) = u is the quadratic  (s + a)(s + b) u - s (f a (s + b) + (1 - f) b (s + a)) = 0
    quad = sp.expand((s + a) * (s + b) * u - s * (f * a * (s + b) + (1 - f) * b * (s + a)))
    assert sp.degree(quad, s) == 2
    worst = sp.Integer(0)
    for fv, av, bv, frac in [(sp.Rational(4, 5), sp.Rational(1, 4), 1, sp.Rational(1, 3)),
                             (sp.Rational(3, 10), 4, sp.Rational(49, 100), sp.Rational(7, 10)),
                             (sp.Rational(1, 2), 1, 9, sp.Rational(9, 10))]:
        subs = {f: fv, a: av, b: bv}
        r2 = fv * av + (1 - fv) * bv
        uv = frac * r2
        roots = [rt for rt in sp.roots(sp.Poly(quad.subs(subs).subs(u, uv), s)) if rt.is_positive]
        assert len(roots) == 1, roots
        sv = roots[0]
        assert abs(sp.N(u_s.subs(subs).subs(s, sv) - uv, 40)) < sp.Float("1e-35")
        dF = sp.N(F_s.subs(subs).subs(s, sv) - F.subs(subs).subs(u, uv), 40)
        drho = sp.N(rho_s.subs(subs).subs(s, sv) - rho.subs(subs).subs(u, uv), 40)
        worst = max(worst, abs(dF), abs(drho))
    assert worst < sp.Float("1e-35"), worst
    return F_s, u_s, worst


def check_library(rho, F):
    (u, a, b, f), _, _ = closed_forms()
    rho_np = sp.lambdify((u, a, b, f), rho, "numpy")
    F_np = sp.lambdify((u, a, b, f), F, "numpy")
    worst = 0.0
    for fv, se, si, p in [(0.8, 0.5, 1.0, 1.0), (0.3, 2.0, 0.7, 1.0), (0.5, 1.0, 3.0, 1.0),
                          (0.8, 1.0, 0.2, 0.4)]:
        ens = mf.ensembles.RajanAbbott(fv, 1.0, se, si, sparsity=p)
        av, bv = ens.effective_sigma_e ** 2, ens.effective_sigma_i ** 2
        r = np.linspace(0.0, 0.999 * ens.spectral_radius, 300)
        dens = [ens.eigenvalue_density(r, form=fm) for fm in ("closed", "parametric")]
        cdfs = [ens.radial_cdf(r, form=fm) for fm in ("closed", "parametric")]
        ref_d, ref_F = rho_np(r ** 2, av, bv, fv), F_np(r ** 2, av, bv, fv)
        scale = np.max(ref_d)
        for d in dens:
            err = np.max(np.abs(d - ref_d)) / scale
            worst = max(worst, err)
            assert err < TOL, (fv, se, si, p, err)
        for c in cdfs:
            err = np.max(np.abs(c - ref_F))
            worst = max(worst, err)
            assert err < TOL, (fv, se, si, p, err)
    # equal variances: the uniform disk
    ens = mf.ensembles.RajanAbbott(0.6, 2.0, 1.1, 1.1)
    r = np.linspace(0, 1.5, 50)
    for fm in ("closed", "parametric"):
        assert np.max(np.abs(ens.radial_cdf(r, form=fm) - np.minimum(r / 1.1, 1) ** 2)) < TOL
    # K = 3 column types: parametric form against the block-variance solver
    w, sig = np.array([0.5, 0.3, 0.2]), np.array([0.4, 1.0, 2.0])
    bv = mf.ensembles.BlockVariance(w, np.tile(sig, (3, 1)))
    rr = np.linspace(0, 1.05 * bv.spectral_radius, 60)
    Fp, dp = _column_types_radial(rr ** 2, w, sig ** 2)
    err3 = max(np.max(np.abs(bv.radial_cdf(rr) - Fp)),
               np.max(np.abs(bv.eigenvalue_density(rr) - dp)) / np.max(dp))
    assert err3 < TOL, err3
    return worst, err3


def main():
    rho, F = derive_cdf()
    print(f"closed form: rho = {rho}")
    print(f"  radial CDF F(u) = {F}: dF/du = pi rho, F(0) = 0, F(r^2) = 1; "
          "gamma = 0 gives rho = 1/(pi sigma^2), F = u/sigma^2")
    F_par = derive_parametric_from_hermitization()
    print(f"parametric form from the hermitization equations (K = 3 column types): F = {F_par}")
    _, _, worst_sym = derive_two_type_agreement()
    print(f"two types: parametric = closed at 3 rational points (40 digits): "
          f"max |diff| {float(worst_sym):.1e}")
    worst, err3 = check_library(rho, F)
    print(f"library RajanAbbott closed/parametric vs sympy (4 parameter sets incl. sparse): "
          f"max error {worst:.1e}; BlockVariance 3 column types vs parametric: {err3:.1e}")


if __name__ == "__main__":
    main()
