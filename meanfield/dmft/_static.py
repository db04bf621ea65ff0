r"""Static mean-field fixed points and their linear stability (one or several populations).

The static state of population :math:`a` (fraction :math:`\alpha_a`) has every unit at
:math:`x_i = \mu_a + \sqrt{\Delta_a} z_i` with

.. math::

    \mu_a = \sum_b J_{0,ab}\,\alpha_b \langle\phi\rangle_b + I_{0,a}, \qquad
    \Delta_a = \sum_b g_{ab}^2\,\alpha_b \langle\phi^2\rangle_b + \sigma_{I,a}^2,

averages over :math:`h \sim \mathcal N(\mu_b, \Delta_b)` (the conventions of the spectral
solver, ``_spectral.py``).

**Spectrum of the Jacobian** :math:`-1 + J\,\mathrm{diag}\,\phi'(x)` (derived for this
project; ``derivations/static_outliers.py``, and checked against sampled networks in
``tests/test_dmft_static_regressions.py``).  The bulk is the disk
:math:`|z| \le r`, :math:`r^2 = \rho(M)`, :math:`M_{ab} = g_{ab}^2 \alpha_b
\langle\phi'^2\rangle_b` (the block-variance radius with the column scaling
:math:`\phi'`).  Outliers: a cavity argument for :math:`w = (\lambda - Z D)^{-1} u`
(:math:`Z` the random part, :math:`D = \mathrm{diag}\,\phi'(x)`, which is correlated with
:math:`Z` through the fixed point) gives :math:`\lambda w_i = c_a + \xi_i` with
:math:`\xi_i` Gaussian and correlated with the field of unit :math:`i`; closing the
equations for :math:`A_b = \langle\phi' w\rangle_b` and :math:`B_b = \langle\phi\phi'
w\rangle_b` with Stein's lemma shows that the outliers are the eigenvalues, outside the
disk, of the Jacobian of the static map :math:`(\mu, \Delta) \mapsto (J_0\alpha\langle\phi
\rangle + I_0,\ g^2\alpha\langle\phi^2\rangle + \sigma_I^2)`:

.. math::

    \mathcal J = \begin{pmatrix}
        J_{0,ab}\alpha_b\langle\phi'\rangle_b & \tfrac12 J_{0,ab}\alpha_b\langle\phi''\rangle_b \\
        2 g_{ab}^2\alpha_b\langle\phi\phi'\rangle_b &
        g_{ab}^2\alpha_b\langle\phi'^2 + \phi\phi''\rangle_b
    \end{pmatrix}.

Without a mean (:math:`\langle\phi''\rangle = \langle\phi\phi'\rangle = 0`) the mean-mode
block :math:`J_{0,ab}\alpha_b\langle\phi'\rangle_b` alone gives them; with a mean, the
mean mode moves the variance and back, which shifts the outlier (tanh, g = 0.5,
:math:`J_0 = 2`, :math:`I_0 = 0.2`: 0.1318 here and 0.1290-0.1319 in sampled networks of
1500 units, where :math:`J_0\langle\phi'\rangle = 0.1671`).  :math:`\langle\phi''\rangle`
and :math:`\langle\phi'^2 + \phi\phi''\rangle` are the derivatives of
:math:`2\langle\phi\rangle` and :math:`\langle\phi^2\rangle` in :math:`\Delta`; for
functions with kinks they are taken in Stein's form
:math:`\langle\phi'(h)(h-\mu)\rangle/\Delta`, which needs no :math:`\phi''`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import optimize

from .. import gaussian as _g
from ..errors import ParameterError
from ._bounded import _NoBoundedState, check_time, homogeneous_growth, local_slopes


def static_delta0(model, rtol=1e-13):
    """Smallest root of Delta0 = g^2 <phi^2> + sI^2 with the self-consistent mean.

    Returns (delta0, mu, nfev).  Raises _NoBoundedState if none exists below 1e12.
    """
    g2, sI2 = model.g2, model.sI2

    def h(d0):
        check_time()
        mu = model.mean(d0)
        return d0 - g2 * _g._mean(model.tf, "phi2", mu, d0) - sI2

    h0 = h(0.0)
    if h0 >= 0.0:
        return 0.0, model.mean(0.0), 1
    lo, hi, nfev = 0.0, 1e-6, 1
    while True:
        nfev += 1
        if h(hi) > 0.0:
            break
        lo, hi = hi, hi * 4.0
        if hi > 1e12:
            raise _NoBoundedState("no bounded static fixed point")
    d0, info = optimize.brentq(h, lo, hi, xtol=1e-300, rtol=rtol, full_output=True)
    return d0, model.mean(d0), nfev + info.function_calls


# --- Gaussian averages of the static state and of its linearisation ---------------------

class Moments(NamedTuple):
    """Averages over h ~ N(mu, d0) (one population)."""

    phi: float          # <phi>
    phi2: float         # <phi^2>
    dphi: float         # <phi'>
    dphi2: float        # <phi'^2>
    dphi_dd: float      # d<phi>/d d0 = <phi''>/2
    phidphi: float      # <phi phi'> = d<phi^2>/d mu / 2
    dphi2_dd: float     # d<phi^2>/d d0 = <phi'^2 + phi phi''>


def moments(tf, mu, d0):
    r"""The averages of :class:`Moments`.  The :math:`\Delta`-derivatives use
    :math:`\phi''` for smooth functions and Stein's form
    :math:`\langle f'(h)(h-\mu)\rangle/\Delta = \langle f''\rangle` for functions with kinks
    (``kinks`` declared or ``strip == 0``); at :math:`\Delta = 0` on a kink they are NaN
    (the linearisation does not exist there)."""
    check_time()
    phi = _g._mean(tf, "phi", mu, d0)
    phi2 = _g._mean(tf, "phi2", mu, d0)
    dphi = _g._mean(tf, "dphi", mu, d0)
    dphi2 = _g._mean(tf, "dphi2", mu, d0)
    phidphi = _g._expect(tf, lambda x: tf.phi(x) * tf.dphi(x), mu, d0)
    kinked = bool(tf.kinks) or tf.strip == 0.0
    if d0 > 0.0 and kinked:
        dphi_dd = _g._expect(tf, lambda x: tf.dphi(x) * (x - mu), mu, d0) / (2.0 * d0)
        dphi2_dd = _g._expect(tf, lambda x: tf.phi(x) * tf.dphi(x) * (x - mu), mu, d0) / d0
    elif d0 == 0.0 and local_slopes(tf, mu) is not None:
        dphi_dd = dphi2_dd = math.nan
    else:
        dphi_dd = 0.5 * _g._expect(tf, tf.d2phi, mu, d0)
        dphi2_dd = _g._expect(tf, lambda x: tf.dphi(x) ** 2 + tf.phi(x) * tf.d2phi(x), mu, d0)
    return Moments(phi, phi2, dphi, dphi2, dphi_dd, phidphi, dphi2_dd)


def map_jacobian(K, W, mom):
    r"""Jacobian :math:`\mathcal J` of the static map in :math:`(\mu_a, \Delta_a)`.

    ``K`` is :math:`J_{0,ab}\alpha_b`, ``W`` is :math:`g_{ab}^2\alpha_b`, ``mom`` a list of
    :class:`Moments` per population."""
    col = np.array([[m.dphi, m.dphi_dd, 2.0 * m.phidphi, m.dphi2_dd] for m in mom]).T
    return np.block([[K * col[0], K * col[1]], [W * col[2], W * col[3]]])


def spectrum(K, W, mom):
    r"""Bulk radius and outliers of :math:`J\,\mathrm{diag}\,\phi'(x)` at a static state.

    Returns ``(r, outliers)``: :math:`r = \sqrt{\rho(W \langle\phi'^2\rangle)}` and the
    eigenvalues of :func:`map_jacobian` of modulus above :math:`r` (complex array, largest
    real part first; empty when there is none)."""
    d2 = np.array([m.dphi2 for m in mom])
    r = math.sqrt(max(float(np.max(np.abs(np.linalg.eigvals(W * d2[None, :])))), 0.0))
    jac = map_jacobian(K, W, mom)
    if not np.all(np.isfinite(jac)):
        raise ValueError("the static map has no Jacobian here (a kink at zero variance)")
    ev = np.linalg.eigvals(jac)
    ev = ev[np.abs(ev) > r * (1.0 + 1e-9) + 1e-12]
    ev = ev[np.lexsort((-ev.imag, -ev.real))].astype(complex)
    return r, ev


def growth_exponent(r, outliers, dt):
    r"""Largest growth exponent of perturbations of a static state (per unit time).

    The Jacobian :math:`J\,\mathrm{diag}\,\phi'(x)` has its bulk in the disk
    :math:`|z| \le r` and the ``outliers`` :math:`\lambda_k` (see :func:`spectrum`).
    Continuous time: :math:`-1 + \max(r, \max_k \mathrm{Re}\,\lambda_k)` (largest real
    part).  Euler map with step ``dt``: :math:`\log(m)/dt` with the largest multiplier
    :math:`m = \max(|1-dt| + dt\,r,\ \max_k |1 - dt + dt\,\lambda_k|)` of
    :math:`1 - dt + dt\,z` (the first term is the maximum over the disk);
    :math:`-\infty` when :math:`m = 0` (every perturbation vanishes in one step).
    """
    out = np.asarray(outliers, dtype=complex)
    if dt is None:
        return -1.0 + max([r] + [float(z.real) for z in out])
    m = max([abs(1.0 - dt) + dt * r] + [abs(1.0 - dt + dt * z) for z in out])
    return math.log(m) / dt if m > 0.0 else -math.inf


def kink_exponent(slopes, g, J0, dt):
    r"""Growth exponent of perturbations of a static state with zero variance whose units
    all sit at a kink of :math:`\phi` (one population).

    To first order the perturbation obeys the positively homogeneous network with
    :math:`\phi_h(\delta) = b_+\max(\delta, 0) + b_-\min(\delta, 0)` (``slopes`` =
    :math:`(b_+, b_-)`, the one-sided slopes at the kink); its fastest self-similar pattern
    grows by the factor :math:`s` of :func:`._bounded.homogeneous_growth`
    (:math:`s = g\sqrt{(b_+^2 + b_-^2)/2}` without mean coupling), i.e.
    :math:`e^{(s-1)t}` in continuous time and :math:`(1 - dt + dt\,s)^{t/dt}` for the Euler map.
    """
    s = homogeneous_growth(slopes[0], slopes[1], g, J0)
    if dt is None:
        return s - 1.0
    m = abs(1.0 - dt + dt * s)
    return math.log(m) / dt if m > 0.0 else -math.inf


def single_spectrum(tf, g, J0, mu, d0):
    """:func:`spectrum` for one population (``(r, outliers)``)."""
    return spectrum(np.array([[J0]]), np.array([[g * g]]), [moments(tf, mu, d0)])


def result_exponent(sol):
    """Largest growth exponent of perturbations of a static :class:`DMFTResult` (its own
    ``dt``), from what the result stores: the bulk radius from ``g``, ``fractions`` and
    :math:`\\langle\\phi'^2\\rangle` (``c_dphi_tau``), the ``outliers``, or the one-sided
    slopes at a kink.  Raises ParameterError when the result cannot tell."""
    multi = np.ndim(sol.delta0) != 0
    if sol.kink_slopes is not None:
        if multi:
            at = [a for a, k in enumerate(sol.kink_slopes) if k is not None]
            raise ParameterError(
                f"`sol` is a static state of several populations in which every unit of "
                f"population(s) {at} sits at a kink of phi with zero variance; the growth of "
                f"perturbations there is set by the one-sided slopes {[sol.kink_slopes[a] for a in at]} "
                f"(a positively homogeneous, not a linear, network) and is implemented for one "
                f"population only")
        return kink_exponent(sol.kink_slopes, float(sol.g), float(sol.J0), sol.dt)
    if sol.mean_dphi is None and np.any(np.asarray(sol.J0) != 0.0):
        raise ParameterError(
            "`sol` has no `mean_dphi` (<phi'> at the fixed point, needed for the mean-mode "
            "eigenvalue J0 <phi'>): it was saved by an older version; solve again")
    if sol.outliers is None:
        raise ParameterError(
            "`sol` has no `outliers` (the outlier eigenvalues of J diag(phi') at the fixed "
            "point): it was saved by an older version; solve again")
    if multi:
        fr = np.asarray(sol.fractions, dtype=float)
        W = np.asarray(sol.g, dtype=float) ** 2 * fr[None, :]
        d2 = np.asarray(sol.c_dphi_tau, dtype=float)[:, 0]
        r = math.sqrt(float(np.max(np.abs(np.linalg.eigvals(W * d2[None, :])))))
    else:
        r = math.sqrt(float(sol.g) ** 2 * float(sol.c_dphi_tau[0]))
    return growth_exponent(r, sol.outliers, sol.dt)


# --- several populations -----------------------------------------------------------------

def _means(tfs, fr, J0, I0, d0, mu0, *, flow=False):
    """Self-consistent means mu_a = sum_b J0_ab f_b <phi>_b + I0_a at variances d0 (None if
    the root search fails).

    ``flow=True`` (the first solve, from the input): follow the mean dynamics
    dmu/dt = -mu + J0 f <phi> + I0 from ``mu0`` to the stable root it reaches before
    polishing with hybr (where the mean equation has several roots, that is the one the
    network's mean settles in; hybr alone may land on an unstable middle root), and hybr
    from ``mu0`` when the flow does not settle (an oscillating mean).  Otherwise hybr from
    ``mu0`` (continuation), with the flow as fallback."""
    if not np.any(J0):
        return I0.copy()
    P = len(fr)

    def e(m, what):
        return np.array([_g._mean(tfs[b], what, m[b], d0[b]) for b in range(P)])

    def h(m):
        check_time()
        return m - J0 @ (fr * e(m, "phi")) - I0

    def ok(m):
        return np.all(np.isfinite(m)) and \
            np.max(np.abs(h(m))) <= 1e-12 * (1.0 + np.max(np.abs(m)))

    def follow(m):
        m = np.array(m, dtype=float)
        for _ in range(3000):
            # Euler step of the flow, short enough for its linearisation
            step = 1.0 / (1.0 + np.linalg.norm(J0 * (fr * e(m, "dphi"))[None, :], 2))
            new = m - step * h(m)
            if not np.all(np.isfinite(new)) or np.max(np.abs(new)) > 1e8:
                return None
            done = np.max(np.abs(new - m)) <= 1e-7 * step * (1.0 + np.max(np.abs(m)))
            m = new
            if done:
                break
        return m

    with np.errstate(all="ignore"):
        starts = ["flow", "hybr"] if flow else ["hybr", "flow"]
        for how in starts:
            m = mu0 if how == "hybr" else follow(mu0)
            if m is None:
                continue
            x = optimize.root(h, m, method="hybr", tol=1e-14).x
            if ok(x):
                return x
    return None


def static_populations(tfs, fr, G2, J0, I0, sI2, *, rtol=1e-13, max_picard=400, max_newton=40):
    r"""Static state of several populations (see the module docstring), or None.

    Iterates :math:`\Delta \to g^2\alpha\langle\phi^2\rangle + \sigma_I^2` from
    :math:`\Delta = \sigma_I^2` with the means solved at each step (the branch continued
    from the uncoupled state, as the smallest root of one population), then polishes
    :math:`(\mu, \Delta)` by Newton's method with the Jacobian :math:`1 - \mathcal J`.
    Returns ``(delta, mu, nit, residual, moments)``, ``residual`` the largest violation of
    the two equations relative to :math:`\max(1, \Delta)`; None when the iteration leaves
    the range of the Gaussian integrals or Newton's method does not converge.
    """
    P = len(fr)
    K, W = J0 * fr[None, :], G2 * fr[None, :]
    delta, mu = sI2.astype(float).copy(), I0.astype(float).copy()

    def step(mu, delta):
        m = [moments(tfs[b], mu[b], delta[b]) for b in range(P)]
        new_mu = K @ np.array([x.phi for x in m]) + I0
        new_delta = W @ np.array([x.phi2 for x in m]) + sI2
        return m, new_mu, new_delta

    nit = 0
    for nit in range(1, max_picard + 1):  # noqa: B007 - nit is reported
        mu = _means(tfs, fr, J0, I0, delta, mu, flow=nit == 1)
        if mu is None:
            return None
        new = W @ np.array([_g._mean(tfs[b], "phi2", mu[b], delta[b]) for b in range(P)]) + sI2
        if not np.all(np.isfinite(new)) or np.max(new) > 1e8:
            return None
        change = float(np.max(np.abs(new - delta)))
        delta = new
        if change <= 1e-10 * max(1.0, float(np.max(delta))):
            break
    scale = max(1.0, float(np.max(delta)))
    for _ in range(max_newton):
        m, new_mu, new_delta = step(mu, delta)
        F = np.concatenate([mu - new_mu, delta - new_delta])
        res = float(np.max(np.abs(F))) / scale
        if res <= rtol:
            return delta, mu, nit, res, m
        jac = map_jacobian(K, W, m)
        if not np.all(np.isfinite(jac)):
            return None
        try:
            dx = np.linalg.solve(np.eye(2 * P) - jac, -F)
        except np.linalg.LinAlgError:
            return None
        t = 1.0
        for _ in range(30):
            mu_t, d_t = mu + t * dx[:P], np.maximum(delta + t * dx[P:], 0.0)
            _, nm, nd = step(mu_t, d_t)
            if float(np.max(np.abs(np.concatenate([mu_t - nm, d_t - nd])))) < float(np.max(np.abs(F))):
                break
            t *= 0.5
        else:
            return None
        mu, delta = mu_t, d_t
        nit += 1
    return None
