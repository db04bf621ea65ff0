r"""Dimension of activity: the participation ratio of random rate networks, from the theory.

For the equal-time covariance :math:`C^a_{ij}` across units of :math:`a \in \{x, \phi(x)\}`
(each unit's temporal mean subtracted), the participation ratio is

.. math::

    \mathrm{PR}^a = \frac{(\sum_i C^a_{ii})^2}{\sum_{ij} (C^a_{ij})^2}
    = \frac{N\, C^a(0)^2}{\Psi^a(0,0)}, \qquad
    \Psi^a(\tau_1,\tau_2) = \frac1N \sum_{ij} C^a_{ij}(\tau_1)\, C^a_{ij}(\tau_2).

It is extensive in chaotic networks; everything here is :math:`\mathrm{PR}^a/N` (a float,
never rounded).  The z-scored version is the same on the correlation matrix.

Theory (iid couplings :math:`J_{ij}\sim\mathcal N(0, g^2/N)`; Clark, Abbott & Litwin-Kumar,
PRL 131, 118401, 2023): cross-covariances are :math:`O(N^{-1/2})`, but there are :math:`N^2` of
them, and the two-site cavity gives their mean square,
:math:`\Psi^a(\tau_1,\tau_2) = C^a(\tau_1) C^a(\tau_2) + \psi^a(\tau_1,\tau_2)` with, in
frequency (measure :math:`d\omega/2\pi`, :math:`C(\omega) = \int C(\tau) e^{-i\omega\tau} d\tau`
the transform of the connected DMFT lag function, :math:`S^x(\omega) = 1/(1+i\omega)`,
:math:`S^\phi = \langle\phi'\rangle S^x`, :math:`C^{x\phi} = \langle\phi'\rangle C^x`),

.. math::

    \psi^\phi(\omega_1,\omega_2) = (M - 1)\, C^\phi_1 C^\phi_2, \qquad
    M = \frac{1}{|1 - g^2 S^\phi_1 S^\phi_2|^2},

    \psi^x(\omega_1,\omega_2) = |U|^2 C^\phi_1 C^\phi_2 + 2\,\mathrm{Re}\,U\, C^{x\phi}_1 C^{x\phi}_2,
    \qquad U = \frac{g^2 S^x_1 S^x_2}{1 - g^2 S^\phi_1 S^\phi_2}.

The Euler map :math:`x \to (1-dt)x + dt\,J\phi(x)` has the same form on the Brillouin zone with
:math:`S^x(\theta) = dt/(e^{i\theta} - (1-dt))` and the lag sequence's transform
:math:`C(\theta) = \sum_m C_m e^{-i\theta m}` (measure :math:`d\theta/2\pi`).  At :math:`dt = 1`
the activity is white and :math:`\mathrm{PR}^\phi/N = 1 - r`,
:math:`\mathrm{PR}^x/N = (1-r)/(2-r)`, :math:`r = (g\langle\phi'\rangle)^4`.

How it is computed (derived for this project; ``derivations/participation_ratio.py``)
------------------------------------------------------------------------------------------
The double integral is never done on a grid.  With :math:`\rho = g\langle\phi'\rangle < 1`,
:math:`s = S^x` and :math:`a = \rho^2 s_1 s_2`, the geometric series
:math:`M - 1 = \sum_{(k,l)\ne(0,0)} (\rho^2 s_1 s_2)^k (\rho^2\bar s_1 \bar s_2)^l` factorises,
:math:`\psi(0,0) = \sum_{(k,l)\ne 0}\rho^{2(k+l)} m_{kl}^2` with
:math:`m_{kl} = \int C\, s^k \bar s^l\, d\omega/2\pi`, and it splits into

* :math:`T_1 = 2\sum_{k\ge1}\rho^{2k}\tilde\mu_k^2`, the terms with :math:`l = 0` or :math:`k = 0`:
  :math:`\tilde\mu_k = \int C s^k\,d\omega/2\pi` is a moment of the lag function against the
  response kernel :math:`s^k` -- continuous time :math:`\int_0^\infty C(t)\, t^{k-1}e^{-t}/(k-1)!\,dt`,
  Euler map :math:`\sum_m C_m h_k(m)` with :math:`h_k` the negative-binomial kernel
  (:math:`h_k = S h_{k-1}`, a first-order recursive filter);
* :math:`T_2 = \sum_{k,l\ge1} = \int\!\!\int |a|^2 M C_1 C_2`, whose inner integral is done
  exactly (a Poisson kernel in :math:`\omega_2`): continuous time
  :math:`T_2 = \rho^4\sum_{n\ge0}\rho^{2n}\tilde\mu_{n+1}\tilde\nu_n` with :math:`\tilde\nu_n`
  the same moments of :math:`D = C * e^{-\kappa|\tau|}/2\kappa`, :math:`\kappa = \sqrt{1-\rho^2}`
  (the transform of :math:`C(\omega)/(1 - \rho^2 + \omega^2)`); the Euler map has the discrete
  analogue (:func:`_map_t2`).

The series converge like :math:`(\rho/(1+\kappa))^{2n}`; the singular ridge of :math:`M` near
onset (width :math:`1-\rho^2`) is resummed exactly by :math:`D`.  Then
:math:`\psi^\phi = T_1[C^\phi] + T_2[C^\phi]` and
:math:`\psi^x = T_2[C^\phi]/\langle\phi'\rangle^4 + T_1[C^x]`.  The moments are Gauss-Legendre sums
over the DMFT lag functions (cubic splines of the solver's grid, exponential tails with the
exact rate :math:`\kappa`); two resolutions give the error estimate.  Measured against a
brute-force double frequency integral the two agree to :math:`5\times10^{-10}` for g from 1.1 to
20, tanh and erf, x and phi (``tests/test_dimension.py``); Euler maps against the brute-force
sum over the Brillouin zone to :math:`10^{-11}`.

Random-mode couplings and gain heterogeneity (Clark, Marschall, van Meegen &
Litwin-Kumar, PRX 15, 041019, 2025; arXiv:2409.01969, Eq. 38): single units see the iid DMFT at
:math:`g_{\rm eff}`; with :math:`R = \alpha\,\mathrm{PR}_D` (``effective_rank``) and
:math:`\mathrm{PR}_G` (``gain_ratio``)

.. math::

    \Psi^\phi = \big[A + B\,|a|^2\big] M C^\phi_1 C^\phi_2,\quad
    A = 1/\mathrm{PR}_G,\ B = 1/R \ \text{(rates } G_i\phi_i\text{)};\quad
    A = 1,\ B = 1/\mathrm{PR}_G + 1/R - 1 \ \text{(z-scored)},

    \Psi^x = C^x_1 C^x_2 + (1 + 1/R)|U|^2 C^\phi_1 C^\phi_2 + 2\,\mathrm{Re}\,U\,C^{x\phi}_1 C^{x\phi}_2,

so that :math:`\int\!\!\int |a|^2 M C_1 C_2 = T_2`: every case is a combination of
:math:`C(0)^2`, :math:`T_1` and :math:`T_2`.

Where the formulas hold
-----------------------
A fluctuating one-population solution (chaotic, or driven by white noise: the noise enters
:math:`C` but not the responses) whose units are statistically identical:
:math:`\Delta_\infty = 0`.  A mean coupling :math:`J_0` with :math:`\mu` common to all units
changes the DMFT solution (used as is) but adds only a rank-one term to the covariance, an
:math:`O(1/N)` correction to :math:`\mathrm{PR}/N`.  A static mean that differs across
units (:math:`\Delta_\infty > 0`: input heterogeneity ``input_std``, or a nonzero
:math:`\langle\phi\rangle` with random couplings) gives each unit its own gain and spectrum; the
single-response cavity formulas do not apply and :class:`ParameterError` says so.  So do static
solutions (no temporal covariance: PR is 0/0) and several populations.

Population timescale: :math:`\tau_{\rm pop} = \int_0^\infty \Psi(\tau,0)\,d\tau/\Psi(0,0)`
against the single-unit :math:`\tau_c = \int_0^\infty C(\tau)\,d\tau/C(0)`, both from
zero-frequency values (continuous time; the Euler map's lag sums use the trapezoid rule, as
``DMFTResult.correlation_time`` does).  The whole two-lag function is :func:`two_lag`.

Public names: :func:`participation_ratio` (float), :func:`participation_ratio_result`
(:class:`ParticipationRatio`), :func:`participation_ratio_of` (from an ensemble),
:func:`two_lag`.  This module is theory only: it imports neither the simulator nor plotting
(``ParticipationRatio.plot`` imports matplotlib when called).

References
----------
D. G. Clark, L. F. Abbott, A. Litwin-Kumar, *Dimension of activity in random neural networks*,
Phys. Rev. Lett. 131, 118401 (2023), doi:10.1103/PhysRevLett.131.118401, arXiv:2207.12373.
D. G. Clark, O. Marschall, A. van Meegen, A. Litwin-Kumar, *Connectivity structure and dynamics of
nonlinear recurrent neural networks*, Phys. Rev. X 15, 041019 (2025), arXiv:2409.01969.
D. G. Clark, *Linear equivalence of nonlinear recurrent neural networks*, arXiv:2604.23489
(the covariance equals that of a linear network driven by the independent nonlinear residuals).

Examples
--------
>>> import meanfield as mf
>>> sol = mf.dmft.solve(2.0, "tanh")
>>> round(mf.dimension.participation_ratio(sol), 6)            # PR^phi / N
0.019741
>>> round(mf.dimension.participation_ratio(sol, of="x"), 6)
0.015915
>>> one_step = mf.dmft.solve(2.0, "tanh", dt=1.0)               # white activity: closed form
>>> r = (2.0 * one_step.mean_dphi) ** 4
>>> abs(mf.dimension.participation_ratio(one_step) - (1 - r)) < 1e-12
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.signal import lfilter
from scipy.special import eval_legendre, gammaln, roots_legendre

from . import _checks
from . import gaussian as _g
from ._results import AlwaysSucceeds as _AlwaysSucceeds
from ._results import ResultMixin
from .errors import ConvergenceError, ParameterError

__all__ = ["participation_ratio", "participation_ratio_result", "participation_ratio_of",
           "two_lag", "ParticipationRatio", "from_activity", "ActivityPR",
           "from_connectivity", "ConnectivityFit"]

#: Accepted values of ``of``.
QUANTITIES = ("phi", "x")
#: Default relative accuracy asked of PR/N (the estimate of the error reached is reported).
DEFAULT_RTOL = 1e-8
#: Relative size below which the terms of the moment series are dropped.
_SERIES_TOL = 1e-17
#: A fluctuating state whose Delta_inf exceeds this fraction of Delta_0 has static
#: heterogeneity across units (the formulas do not apply).
_HETEROGENEITY_TOL = 1e-8
#: Largest number of terms of the moment series (g<phi'> -> 1 needs ~ 20/sqrt(1 - rho^2)).
_MAX_TERMS = 20_000
#: Largest |lag| accepted by :func:`two_lag` (the lag grid costs memory and time in proportion).
_MAX_LAG = 1e3
#: Quadrature levels (nodes per panel, panel growth factor, largest panel width): the first
#: gives the value, the second the error estimate.
_LEVELS = ((12, 1.3, 1.0), (16, 1.2, 0.7))


# --------------------------------------------------------------------------- validation

def _sol_iv(sol, where: str = "sol"):
    """The checks every entry point makes on a DMFT solution; returns (rho, kappa)."""
    from .dmft import DMFTResult

    if not isinstance(sol, DMFTResult):
        raise ParameterError(f"`{where}` must be a DMFTResult of meanfield.dmft.solve; got "
                             f"{type(sol).__name__}")
    if sol.n_populations != 1:
        raise ParameterError(
            f"`{where}` has {sol.n_populations} populations: the participation-ratio theory is "
            "implemented for one population only (the two-site cavity of several populations "
            "couples their cross-covariances, not derived here)")
    if not sol.success:
        raise ParameterError(f"`{where}` is not a converged DMFT solution (status {sol.status}: "
                             f"{sol.message})")
    if sol.state not in ("chaotic", "fluctuating"):
        raise ParameterError(
            f"`{where}` is a static state ({sol.state!r}): there are no temporal fluctuations, "
            "the covariance is zero and PR = 0/0 is undefined; add `noise` for a fluctuating "
            "state or raise `g` above the onset of chaos")
    d0, dinf = float(sol.delta0), float(sol.delta_inf)
    if not (d0 > 0.0 and math.isfinite(d0)):
        raise ParameterError(f"`{where}` has no fluctuations (Delta0={d0!r})")
    if abs(dinf) > _HETEROGENEITY_TOL * d0:
        raise ParameterError(
            f"`{where}` has static heterogeneity across units (Delta_inf={dinf:.6g} > 0, from "
            f"input_std={sol.input_std!r} or a nonzero <phi> with mu={float(sol.mu):.6g}): each unit "
            "then has its own gain <phi'>_i and spectrum, and the two-site cavity formulas with "
            "one response function do not apply; PR is implemented for Delta_inf = 0 only")
    if sol.mean_dphi is None:
        raise ParameterError(f"`{where}` has no mean_dphi (saved by an older version); "
                             "solve it again")
    rho = float(sol.g) * float(sol.mean_dphi)
    if not 0.0 < rho < 1.0:
        raise ParameterError(
            f"`{where}` has g<phi'> = {rho:.6g}, outside (0, 1): the linear response of the state "
            "(1 - g^2 S1 S2)^-1 diverges and the cavity theory of the cross-covariances does "
            "not apply")
    return rho, math.sqrt((1.0 - rho) * (1.0 + rho))


def _options_iv(of, effective_rank, gain_ratio, zscore, rtol):
    of = _checks.choice("of", of, QUANTITIES)
    if effective_rank is not None:
        if isinstance(effective_rank, (float, np.floating)) and effective_rank == math.inf:
            effective_rank = None
        else:
            effective_rank = _checks.real(
                "effective_rank", effective_rank, low=0.0, low_open=True,
                allowed="None (iid couplings) or alpha PR_D, the effective rank of the coupling "
                        "modes divided by N: positive (math.inf is iid)")
    if gain_ratio is not None:
        gain_ratio = _checks.real(
            "gain_ratio", gain_ratio, low=0.0, high=1.0, low_open=True,
            allowed="None (no gain heterogeneity) or PR_G = <G^2>^2/<G^4> in (0, 1]")
        if of == "x":
            raise ParameterError(
                "`gain_ratio` applies to of='phi' only: the gain-heterogeneity forms of the theory "
                "(Clark et al. 2025) are for the rates G_i phi(x_i); got of='x' with "
                f"gain_ratio={gain_ratio!r}")
    if not isinstance(zscore, (bool, np.bool_)):
        raise ParameterError(f"`zscore` must be True or False; got zscore={zscore!r}")
    rtol = _checks.real("rtol", rtol, low=1e-12, high=0.1,
                        allowed="a relative accuracy in [1e-12, 0.1]")
    return of, effective_rank, gain_ratio, bool(zscore), rtol


def _weights(of, effective_rank, gain_ratio, zscore):
    r"""(A, B) of :math:`\Psi^\phi = A\,(C_0^2 + \psi) + B\,T_2`; for x, (1, 1/R)."""
    inv_r = 0.0 if effective_rank is None else 1.0 / effective_rank
    if of == "x" or gain_ratio is None:
        return 1.0, inv_r
    if zscore:
        return 1.0, 1.0 / gain_ratio + inv_r - 1.0
    return 1.0 / gain_ratio, inv_r


# --------------------------------------------------------------------------- lag functions

def _lag_values(sol, which):
    """Connected lag function of ``which`` on the solver's grid (mean subtracted)."""
    if which == "x":
        return np.asarray(sol.delta_tau, dtype=float) - float(sol.delta_inf)
    c = np.asarray(sol.c_phi_tau, dtype=float)
    try:
        mean = _g.mean_phi(sol.phi, mu=float(sol.mu), delta0=float(sol.delta0))
        mean2 = mean * mean
    except ParameterError:
        # a custom phi, stored by name only: C_phi(inf) = <phi>^2 = F_phi(0), from the last lag
        # by Price's theorem, F_phi(u) = F_phi(0) + <phi'>^2 u + O(u^2)
        mean2 = c[-1] - float(sol.mean_dphi) ** 2 * (float(sol.delta_tau[-1]) - float(sol.delta_inf))
    return c - mean2


def _map_tail_ratio(dt, rho):
    r"""Root :math:`r < 1` of :math:`r + 1/r = (1 + a^2 - dt^2\rho^2)/a`, :math:`a = 1 - dt`
    (0 at dt = 1): the lag sequences of the map decay as :math:`r^m`, and
    :math:`|S|^2/(1-\rho^2|S|^2) = c_K \sum_m r^{|m|} e^{-i\theta m}`."""
    a = 1.0 - dt
    if a <= 0.0:
        return 0.0
    A = 1.0 + a * a - (dt * rho) ** 2
    return (A - math.sqrt((A - 2.0 * a) * (A + 2.0 * a))) / (2.0 * a)


class _FlowLag:
    """A one-sided lag function f(t), t >= 0, of a continuous-time solution."""

    def __init__(self, sol, which, kappa):
        tau = np.asarray(sol.tau, dtype=float)
        f = _lag_values(sol, which)
        # one-sided slope at 0+: -sigma^2/2 for x (white noise); C_phi' = F_phi'(Delta) Delta'
        slope = -0.5 * float(sol.noise) ** 2
        if which == "phi":
            slope *= float(sol.c_dphi_tau[0])
        self.kappa = kappa
        self.T = float(tau[-1])
        self.fT = float(f[-1])
        self.f0 = float(f[0])
        self.spline = CubicSpline(tau, f, bc_type=((1, slope), (1, -kappa * self.fT)))

    def __call__(self, t):
        t = np.asarray(t, dtype=float)
        inside = self.spline(np.minimum(t, self.T))
        with np.errstate(under="ignore"):
            tail = self.fT * np.exp(-self.kappa * np.maximum(t - self.T, 0.0))
        return np.where(t <= self.T, inside, tail)


# --------------------------------------------------------------------------- flow numerics

@cache
def _legendre_rule(n):
    """Gauss-Legendre nodes and weights on [-1, 1] and the integration matrix
    Q[i, j] = int_{-1}^{x_i} l_j(u) du of the Lagrange basis (read-only arrays)."""
    x, w = roots_legendre(n)
    V = np.array([eval_legendre(m, x) for m in range(n)]).T
    I = np.empty((n, n))
    I[:, 0] = x + 1.0
    for m in range(1, n):
        I[:, m] = (eval_legendre(m + 1, x) - eval_legendre(m - 1, x)) / (2 * m + 1)
    Q = I @ np.linalg.inv(V)
    for arr in (x, w, Q):
        arr.setflags(write=False)
    return x, w, Q


def _flow_panels(g, t_end, growth, width):
    """Panel edges on [0, t_end]: geometric from min(0.25, 0.5/g) (C_phi bends on the scale
    ~1/g at strong coupling), at most ``width`` wide."""
    h = min(0.25, 0.5 / max(g, 1.0), width)
    edges = [0.0]
    while edges[-1] < t_end:
        edges.append(edges[-1] + h)
        h = min(h * growth, width)
    return np.asarray(edges)


def _gamma_moments(t, wf, K):
    r""":math:`\tilde\mu_k = \sum_i wf_i\, t_i^{k-1} e^{-t_i}/(k-1)!`, k = 1..K, by blocks of k
    restricted to where the Gamma kernel is above 1e-40 of its peak."""
    out = np.zeros(K)
    logt = np.log(np.maximum(t, 1e-300))
    for k0 in range(1, K + 1, 64):
        k = np.arange(k0, min(k0 + 64, K + 1), dtype=float)
        lo = max(0.0, k[0] - 1.0 - 14.0 * math.sqrt(k[0]) - 10.0)
        hi = k[-1] + 14.0 * math.sqrt(k[-1]) + 40.0
        sel = slice(np.searchsorted(t, lo), np.searchsorted(t, hi))
        with np.errstate(under="ignore"):
            G = np.exp((k[:, None] - 1.0) * logt[None, sel] - t[None, sel] - gammaln(k)[:, None])
        out[k0 - 1:k0 - 1 + k.size] = G @ wf[sel]
    return out


def _flow_poisson(edges, t, f, n, kappa, tail_f, tail_rate):
    r"""D = f * e^{-kappa|u|}/(2 kappa) at the nodes (f even), and L(kappa) = int_0^inf f e^{-kappa t}.

    Forward and backward exponential integrals, panel by panel: within a panel by the
    Legendre integration matrix (exact for the interpolating polynomial), across panels by a
    scalar recursion.  ``tail_f`` e^{-tail_rate (t - edges[-1])} continues f beyond the last panel."""
    x, w, Q = _legendre_rule(n)
    a, b = edges[:-1], edges[1:]
    h = (b - a)[:, None] / 2.0
    tp, fp = t.reshape(-1, n), f.reshape(-1, n)
    up = np.exp(kappa * (tp - a[:, None])) * fp            # e^{kappa (u - a)} f(u), <= e^{kappa h} f
    dn = np.exp(-kappa * (tp - b[:, None])) * fp           # e^{-kappa (u - b)} f(u)
    loc_f = h * (up @ Q.T)                                  # int_a^{x_i} e^{kappa(u-a)} f
    loc_b = h * (dn @ (w[None, :] - Q).T)                   # int_{x_i}^b e^{-kappa(u-b)} f
    tot_f = np.exp(-kappa * (b - a)) * (h[:, 0] * (up @ w))  # int_a^b e^{-kappa(b-u)} f
    tot_b = np.exp(-kappa * (b - a)) * (h[:, 0] * (dn @ w))  # int_a^b e^{-kappa(u-a)} f
    P = a.size
    start_f = np.empty(P)
    acc = 0.0
    decay = np.exp(-kappa * (b - a))
    for p in range(P):
        start_f[p] = acc
        acc = decay[p] * acc + tot_f[p]
    end_b = np.empty(P)
    acc = tail_f / (kappa + tail_rate)                    # int_{b_last}^inf of the tail
    for p in range(P - 1, -1, -1):
        end_b[p] = acc
        acc = decay[p] * acc + tot_b[p]
    laplace = acc                                         # int_0^inf e^{-kappa u} f(u) du
    F = np.exp(-kappa * (tp - a[:, None])) * (start_f[:, None] + loc_f)
    B = np.exp(kappa * (tp - b[:, None])) * (end_b[:, None] + loc_b)
    D = (np.exp(-kappa * tp) * laplace + F + B) / (2.0 * kappa)
    return D.ravel(), laplace


def _terms_needed(rho, kappa, ratio=None, tol=_SERIES_TOL):
    """Terms of the moment series: its ratio (rho/(1+kappa))^2 to the power K (times K) below
    ``tol``; raises when more than _MAX_TERMS are needed."""
    q = (rho / (1.0 + kappa)) ** 2 if ratio is None else ratio
    K = 8
    while q ** K * K > tol * (1.0 - q):
        K = int(K * 1.25) + 1
        if K > _MAX_TERMS:
            raise ParameterError(
                f"g<phi'> = {rho:.9g} is too close to 1 (onset of chaos): the moment series would "
                f"need more than {_MAX_TERMS} terms")
    return K


def _flow_sums(sol, rho, kappa, level, need_x):
    """T1, T2 and the Laplace values of phi (and x) at one quadrature level."""
    n, growth, width = _LEVELS[level]
    K = _terms_needed(rho, kappa)
    lags = {w: _FlowLag(sol, w, kappa) for w in (("phi", "x") if need_x else ("phi",))}
    t_end = max(46.0 / kappa + 10.0, K + 14.0 * math.sqrt(K) + 40.0)
    edges = _flow_panels(float(sol.g), t_end, growth, width)
    x, w, _ = _legendre_rule(n)
    a, b = edges[:-1], edges[1:]
    h = (b - a)[:, None] / 2.0
    t = (a[:, None] + h * (x + 1.0)).ravel()
    W = (h * w).ravel()
    eps = 1.0 - rho * rho
    out = {}
    for which, lag in lags.items():
        f = lag(t)
        mu = _gamma_moments(t, W * f, K + 1)               # mu~_1 .. mu~_{K+1}
        k = np.arange(1, K + 1)
        r2k = rho ** (2 * k)
        t1_terms = 2.0 * r2k * mu[:K] ** 2
        res = dict(c0=lag.f0, T1=float(np.sum(t1_terms)),
                   T1_tail=float(np.sum(t1_terms[-4:])),
                   L0=float(W @ f), Leps=float(W @ (f * np.exp(-eps * t))), K=K, nodes=t.size)
        if which == "phi":
            D, l_kappa = _flow_poisson(edges, t, f, n, kappa, float(lag(edges[-1])), kappa)
            nu = np.concatenate([[l_kappa / kappa], _gamma_moments(t, W * D, K - 1)])
            t2_terms = rho ** 4 * np.concatenate([[1.0], r2k[:-1]]) * mu[:K] * nu
            res.update(T2=float(np.sum(t2_terms)), T2_tail=float(np.sum(t2_terms[-4:])))
        out[which] = res
    return out


# --------------------------------------------------------------------------- map numerics

def _nb_moments(f, dt, K):
    r""":math:`\tilde\mu_k = \sum_m f_m h_k(m)`, k = 1..K, with :math:`h_1(m) = dt\,a^{m-1}`
    (m >= 1) and :math:`h_k = S h_{k-1}` (:math:`y_m = a y_{m-1} + dt\, x_{m-1}`)."""
    a = 1.0 - dt
    out = np.empty(K)
    h = np.zeros(f.size)
    h[1:] = dt * a ** np.arange(f.size - 1) if a > 0.0 else np.r_[dt, np.zeros(f.size - 2)]
    for k in range(K):
        out[k] = h @ f
        h = lfilter([0.0, dt], [1.0, -a], h)
    return out


def _map_sequence(sol, which, r, length):
    """The connected lag sequence, continued by its exact geometric tail r^m to ``length``."""
    f = _lag_values(sol, which)
    if length > f.size:
        with np.errstate(under="ignore"):
            f = np.concatenate([f, f[-1] * r ** np.arange(1, length - f.size + 1)])
    return f


def _map_t2(f, dt, rho, r, K, mu_e):
    r"""T2 of the Euler map: :math:`[dt\rho^4/(2 - dt\,\epsilon)]\,[f_0 D_0 +
    2\sum_{j\ge0}\rho^{2j}\tilde\nu_j\lambda_j]` with :math:`D = f \star c_K r^{|m|}`,
    :math:`\tilde\nu_j` its kernel moments (:math:`\tilde\nu_0 = D_0`) and
    :math:`\lambda_j = \tilde\mu_{j+1}[f_{m-1}]/dt` (``mu_e``)."""
    a = 1.0 - dt
    eps = 1.0 - rho * rho
    if a > 0.0:
        cK = dt * dt * r / (a * (1.0 - r) * (1.0 + r))
        fwd = lfilter([1.0], [1.0, -r], f)
        bwd = lfilter([1.0], [1.0, -r], f[::-1])[::-1]
        with np.errstate(under="ignore"):
            D = cK * (fwd + bwd - f + r ** np.arange(f.size) * (bwd[0] - f[0]))
    else:
        D = dt * dt / (1.0 - (dt * rho) ** 2) * f
    nu = np.concatenate([[D[0]], _nb_moments(D, dt, K)])
    lam = mu_e / dt
    terms = rho ** (2 * np.arange(K + 1)) * nu * lam
    scale = dt * rho ** 4 / (2.0 - dt * eps)
    return scale * (f[0] * D[0] + 2.0 * float(np.sum(terms))), scale * 2.0 * float(np.sum(terms[-4:]))


def _map_sums(sol, rho, kappa, need_x):
    """T1, T2 and the zero-frequency values of the Euler map (exact sums)."""
    dt = float(sol.dt)
    a = 1.0 - dt
    r = _map_tail_ratio(dt, rho)
    if r > 0.0:
        ratio = (rho * dt * r / (1.0 - a * r)) ** 2        # mu~_k ~ (dt r / (1 - a r))^k
        K = _terms_needed(rho, kappa, min(ratio, 1.0 - 1e-15))
        length = max(sol.tau.size, int(math.ceil(-46.0 / math.log(r))) + 10,
                     int(K / dt + 14.0 * math.sqrt(K) / dt) + 20)
    else:
        K = _terms_needed(rho, kappa, rho ** 4)
        length = max(sol.tau.size, K + 4)
    p0 = 1.0 - dt * (1.0 - rho * rho)
    out = {}
    for which in (("phi", "x") if need_x else ("phi",)):
        f = _map_sequence(sol, which, r, length)
        mu = _nb_moments(f, dt, K + 1)
        k = np.arange(1, K + 1)
        t1_terms = 2.0 * rho ** (2 * k) * mu[:K] ** 2
        powers = p0 ** np.arange(f.size)
        L0 = dt * (float(np.sum(f)) - 0.5 * f[0])             # trapezoid: (dt/2) C(theta=0)
        res = dict(c0=float(f[0]), T1=float(np.sum(t1_terms)), T1_tail=float(np.sum(t1_terms[-4:])),
                   L0=L0, Ld=float(powers @ f), Rd=float(powers[:-1] @ f[1:]), K=K, nodes=f.size)
        if which == "phi":
            e = np.zeros_like(f)
            e[2:] = f[1:-1]
            T2, tail = _map_t2(f, dt, rho, r, K, _nb_moments(e, dt, K + 1))
            res.update(T2=T2, T2_tail=tail)
        out[which] = res
    return out


# --------------------------------------------------------------------------- assembly

@dataclass(frozen=True)
class _Core:
    """Everything one evaluation produces (one quadrature level)."""

    c0: float
    psi0: float          # iid two-site psi^a(0,0)
    tr_c2: float         # Psi^a(0,0) with rank/gain effects: the PR denominator
    integral: float      # int_0^inf Psi^a(tau, 0) d tau
    unit_integral: float  # int_0^inf C^a(tau) d tau
    tail: float          # size of the last terms kept (truncation check)
    terms: int
    nodes: int


def _assemble(sol, sums, of, A, B, rho, kappa):
    """Combine T1, T2 and the zero-frequency values into Psi(0,0) and int Psi(tau,0)."""
    p = sums["phi"]
    eps = 1.0 - rho * rho
    g2 = float(sol.g) ** 2
    if sol.dt is None:
        # zero frequency: C(w=0) = 2 L(0); G(0) = 2 rho^2 L(eps) + rho^4 L(eps)/eps
        lp, lpe = p["L0"], p["Leps"]
        t2_zero_phi = rho ** 4 * lp * lpe / eps            # half of C(0) * rho^4 L(eps)/eps
        t1_zero = {w: 2.0 * rho * rho * s["L0"] * s["Leps"] for w, s in sums.items()}
    else:
        dt = float(sol.dt)
        p0 = 1.0 - dt * eps
        beta = dt * rho * rho
        P = (2.0 * p["Ld"] - p["c0"]) / (1.0 - p0 * p0)
        t2_zero_phi = p["L0"] * beta * beta * P
        t1_zero = {w: 2.0 * beta * s["L0"] * s["Rd"] for w, s in sums.items()}
    if of == "phi":
        c0 = p["c0"]
        psi0 = p["T1"] + p["T2"]
        tr_c2 = A * (c0 * c0 + psi0) + B * p["T2"]
        integral = A * (p["L0"] * c0 + t1_zero["phi"] + t2_zero_phi) + B * t2_zero_phi
        unit = p["L0"]
        tail = A * (p["T1_tail"] + p["T2_tail"]) + abs(B) * p["T2_tail"]
    else:
        s = sums["x"]
        c0 = s["c0"]
        scale = g2 * g2 / rho ** 4                         # g^4 / rho^4 = 1 / <phi'>^4
        psi0 = scale * p["T2"] + s["T1"]
        tr_c2 = c0 * c0 + (1.0 + B) * scale * p["T2"] + s["T1"]
        integral = s["L0"] * c0 + (1.0 + B) * scale * t2_zero_phi + t1_zero["x"]
        unit = s["L0"]
        tail = (1.0 + B) * scale * p["T2_tail"] + s["T1_tail"]
    return _Core(c0=c0, psi0=psi0, tr_c2=tr_c2, integral=integral, unit_integral=unit,
                 tail=tail, terms=p["K"], nodes=p["nodes"])


def _evaluate(sol, of, A, B, rho, kappa, level):
    need_x = of == "x"
    if sol.dt is None:
        sums = _flow_sums(sol, rho, kappa, level, need_x)
    else:
        sums = _map_sums(sol, rho, kappa, need_x)
    return _assemble(sol, sums, of, A, B, rho, kappa)


# --------------------------------------------------------------------------- two-lag function

def _lagrange4(grid0, h, n, pts):
    """Indices (m, 4) and weights (m, 4) of 4-point Lagrange interpolation on the uniform
    grid grid0 + h * arange(n) at ``pts`` (clipped to the grid)."""
    u = (np.asarray(pts, dtype=float) - grid0) / h
    i = np.clip(np.floor(u).astype(int) - 1, 0, n - 4)
    s = u - i
    w = np.stack([-(s - 1) * (s - 2) * (s - 3) / 6, s * (s - 2) * (s - 3) / 2,
                  -s * (s - 1) * (s - 3) / 2, s * (s - 1) * (s - 2) / 6], axis=-1)
    return i[:, None] + np.arange(4), w


def _etd(f, h, rate):
    r"""Causal exponential filter :math:`y(\tau) = \int_0^\infty e^{-\lambda u} f(\tau - u) du`
    of the piecewise-linear interpolant of ``f`` on a uniform grid (exact for it; O(h^2))."""
    e = math.exp(-rate * h)
    e0 = -math.expm1(-rate * h) / rate                          # int_0^h e^{-rate(h-s)} ds
    e1 = (rate * h + math.expm1(-rate * h)) / (rate * rate)     # int_0^h e^{-rate(h-s)} s ds
    w_new, w_old = e1 / h, e0 - e1 / h
    y = lfilter([w_new, w_old], [1.0, -e], f)
    return y


def _two_lag_flow(sol, which, rho, kappa, taus, h, tol):
    """The lag function on a uniform grid of spacing h covering the requested lags and its
    decay on both sides, with the interpolation tables of +-taus."""
    lag = _FlowLag(sol, which, kappa)
    K = _terms_needed(rho, kappa, tol=tol)
    t0 = 46.0 / kappa + 10.0
    tmax = max(float(np.max(np.abs(taus))) + 1.0, t0)   # D needs f on both sides
    n = int(math.ceil((t0 + tmax) / h)) + 8
    grid0 = -t0
    grid = grid0 + h * np.arange(n)
    f = lag(np.abs(grid))
    plus, minus = _lagrange4(grid0, h, n, taus), _lagrange4(grid0, h, n, -taus)
    return lag, K, grid, f, plus, minus


def _sample(y, idx):
    i, w = idx
    return np.sum(y[i] * w, axis=-1)


def _two_lag_sums_flow(sol, of, rho, kappa, t1, t2, h, tol=_SERIES_TOL):
    """(C(t1)C(t2), T1 part, T2 part of phi) of the flow, at grid spacing h."""
    taus = np.concatenate([t1, t2])
    m = t1.size
    out = {}
    for which in (("phi", "x") if of == "x" else ("phi",)):
        lag, K, grid, f, plus, minus = _two_lag_flow(sol, which, rho, kappa, taus, h, tol)
        diag = lag(np.abs(t1)) * lag(np.abs(t2))
        c = f
        t1part = np.zeros(m)
        cp, cm = [], []
        for k in range(K + 1):
            c = _etd(c, h, 1.0)                              # c_k = Gamma_{k+1} * f
            a, b = _sample(c, plus), _sample(c, minus)
            cp.append(a)
            cm.append(b)
            if k < K:
                t1part += rho ** (2 * (k + 1)) * (a[:m] * a[m:] + b[:m] * b[m:])
        res = dict(diag=diag, T1=t1part)
        if which == "phi":
            D = (_etd(f, h, kappa) + _etd(f[::-1], h, kappa)[::-1]) / (2.0 * kappa)
            t2part = np.zeros(m)
            d = D
            for k in range(K):
                a, b = _sample(d, plus), _sample(d, minus)
                t2part += 0.5 * rho ** (4 + 2 * k) * (cp[k][m:] * a[:m] + cm[k][m:] * b[:m])
                d = _etd(d, h, 1.0)
            res["T2"] = t2part
        out[which] = res
    return out


def _two_lag_sums_map(sol, of, rho, kappa, m1, m2):
    """The same for the Euler map, exact on integer lags m1, m2."""
    dt = float(sol.dt)
    a = 1.0 - dt
    r = _map_tail_ratio(dt, rho)
    if r > 0.0:
        ratio = (rho * dt * r / (1.0 - a * r)) ** 2
        K = _terms_needed(rho, kappa, min(ratio, 1.0 - 1e-15))
        m0 = max(int(math.ceil(-46.0 / math.log(r))) + 10, sol.tau.size)
    else:
        K = _terms_needed(rho, kappa, rho ** 4)
        m0 = sol.tau.size
    mmax = max(int(np.max(np.abs(np.concatenate([m1, m2])))) + 2, m0)   # D: both sides
    idx = np.arange(-m0, mmax + 1)
    pos = lambda mm: mm + m0                                      # noqa: E731
    m = m1.size
    eps = 1.0 - rho * rho
    out = {}
    for which in (("phi", "x") if of == "x" else ("phi",)):
        f1 = _map_sequence(sol, which, r, max(m0, mmax) + 2)
        f = f1[np.abs(idx)]
        diag = f1[np.abs(m1)] * f1[np.abs(m2)]
        c = f
        t1part = np.zeros(m)
        cs = []
        for k in range(K + 1):
            c = lfilter([0.0, dt], [1.0, -a], c)              # c_k = h_{k+1} * f
            cs.append(c)
            if k < K:
                t1part += rho ** (2 * (k + 1)) * (c[pos(m1)] * c[pos(m2)] + c[pos(-m1)] * c[pos(-m2)])
        res = dict(diag=diag, T1=t1part)
        if which == "phi":
            if a > 0.0:
                cK = dt * dt * r / (a * (1.0 - r) * (1.0 + r))
                fw = lfilter([1.0], [1.0, -r], f)
                bw = lfilter([1.0], [1.0, -r], f[::-1])[::-1]
                D = cK * (fw + bw - f)
            else:
                D = dt * dt / (1.0 - (dt * rho) ** 2) * f
            scale = dt * rho ** 4 / (2.0 - dt * eps)
            t2part = f1[np.abs(m2)] * D[pos(m1)]
            d = D
            for k in range(K + 1):
                lam_p = cs[k][pos(m2 + 1)] / dt - (f1[np.abs(m2)] if k == 0 else 0.0)
                lam_m = cs[k][pos(-m2 + 1)] / dt - (f1[np.abs(m2)] if k == 0 else 0.0)
                t2part += rho ** (2 * k) * (d[pos(m1)] * lam_p + d[pos(-m1)] * lam_m)
                d = lfilter([0.0, dt], [1.0, -a], d)
            res["T2"] = scale * t2part
        out[which] = res
    return out


def _combine_two_lag(sums, of, A, B, rho, sol):
    p = sums["phi"]
    if of == "phi":
        return A * (p["diag"] + p["T1"] + p["T2"]) + B * p["T2"]
    s = sums["x"]
    scale = float(sol.g) ** 4 / rho ** 4
    return s["diag"] + (1.0 + B) * scale * p["T2"] + s["T1"]


def two_lag(sol, tau1, tau2=0.0, *, of: str = "phi", effective_rank=None, gain_ratio=None,
            zscore: bool = False) -> np.ndarray:
    r"""Two-lag function :math:`\Psi^a(\tau_1,\tau_2) = \frac1N\sum_{ij} C^a_{ij}(\tau_1) C^a_{ij}(\tau_2)`.

    The mean product of the lagged covariances of all pairs of units, diagonal included, so
    that :math:`\mathrm{PR}^a/N = C^a(0)^2/\Psi^a(0,0)`; for iid couplings it is
    :math:`C^a(\tau_1) C^a(\tau_2) + \psi^a(\tau_1,\tau_2)` with the two-site cavity
    :math:`\psi^a` (the inverse transform of :math:`\psi^a(\omega_1,\omega_2)`, see the module
    docstring).  :math:`\Psi(\tau, 0)/\Psi(0,0)` is the temporal correlation of the collective
    fluctuations: the covariance structure at lag :math:`\tau` projected on the equal-time one,
    :math:`\mathrm{tr}\,C(\tau)C(0)/\mathrm{tr}\,C(0)^2`, a weighted average of the
    autocorrelations of the principal components with weights :math:`\lambda_k^2`.

    Parameters
    ----------
    sol : DMFTResult
        A fluctuating one-population solution of :func:`meanfield.dmft.solve` (as for
        :func:`participation_ratio`).
    tau1, tau2 : float or array_like
        Lags (time units of the unit time constant), broadcast together.  Euler map: multiples
        of ``sol.dt``.
    of : {"phi", "x"}
    effective_rank, gain_ratio, zscore
        As in :func:`participation_ratio`.

    Returns
    -------
    ndarray
        :math:`\Psi^a(\tau_1,\tau_2)`, shape of the broadcast lags.

    Notes
    -----
    With :math:`c_n = \Gamma_{n+1} * C` and :math:`d_n = \Gamma_n * D` (:math:`\Gamma_n` the
    kernel of :math:`S^n`, :math:`D` as in the module docstring), the series of the module
    docstring becomes
    :math:`\sum_n \rho^{2(n+1)}[c_n(\tau_1)c_n(\tau_2) + c_n(-\tau_1)c_n(-\tau_2)]` and
    :math:`\tfrac{\rho^4}2\sum_n \rho^{2n}[c_n(\tau_2)d_n(\tau_1) + c_n(-\tau_2)d_n(-\tau_1)]`
    (the Euler map: the same with its kernels, exact).  In continuous time the convolutions
    are exact exponential filters of the piecewise-linear interpolant on a uniform grid, at
    two spacings combined by Richardson extrapolation (relative error about 1e-7 at
    :math:`\tau = 0` against :func:`participation_ratio`'s quadrature, measured for g = 1.5-20).

    Examples
    --------
    >>> import numpy as np
    >>> import meanfield as mf
    >>> sol = mf.dmft.solve(2.0, "tanh")
    >>> psi = mf.dimension.two_lag(sol, [0.0, 5.0, 20.0], of="x")
    >>> [round(float(v), 4) for v in psi / psi[0]]              # collective fluctuations
    [1.0, 0.813, 0.1245]
    >>> [round(float(v), 4) for v in sol.delta([0.0, 5.0, 20.0]) / sol.delta0]   # one unit
    [1.0, 0.5375, 0.0188]
    """
    rho, kappa = _sol_iv(sol)
    of, effective_rank, gain_ratio, zscore, _ = _options_iv(of, effective_rank, gain_ratio,
                                                            zscore, DEFAULT_RTOL)
    lags = []
    for name, tau in (("tau1", tau1), ("tau2", tau2)):
        arr = _checks.real_array(name, tau, finite=False)
        bad = arr[~np.isfinite(arr)] if arr.size else arr
        if bad.size:
            raise ParameterError(f"`{name}` must contain only finite numbers; got {name}="
                                 f"{float(bad[0])!r}")
        big = arr[np.abs(arr) > _MAX_LAG]
        if big.size:
            raise ParameterError(f"`{name}` must be at most {_MAX_LAG:g} in magnitude (the "
                                 f"collective correlations have decayed long before); got "
                                 f"{name}={float(big[0]):g}")
        lags.append(arr)
    try:
        t1, t2 = np.broadcast_arrays(*lags)
    except ValueError:
        raise ParameterError(f"`tau1` and `tau2` must broadcast together; got shapes "
                             f"{lags[0].shape} and {lags[1].shape}") from None
    shape = t1.shape
    t1, t2 = t1.ravel(), t2.ravel()
    if t1.size == 0:
        return np.zeros(shape)
    A, B = _weights(of, effective_rank, gain_ratio, zscore)
    if sol.dt is not None:
        dt = float(sol.dt)
        m1, m2 = np.rint(t1 / dt), np.rint(t2 / dt)
        for name, m, t in (("tau1", m1, t1), ("tau2", m2, t2)):
            off = t[np.abs(m * dt - t) > 1e-9 * max(1.0, dt)]
            if off.size:
                raise ParameterError(f"`{name}` must hold multiples of the Euler step dt={dt!r} "
                                     f"(the map's lags are integers); got {name}="
                                     f"{float(off[0])!r}")
        sums = _two_lag_sums_map(sol, of, rho, kappa, m1.astype(int), m2.astype(int))
        return _combine_two_lag(sums, of, A, B, rho, sol).reshape(shape)
    return _two_lag_flow_values(sol, of, A, B, rho, kappa, t1, t2, accurate=True).reshape(shape)


def _two_lag_flow_values(sol, of, A, B, rho, kappa, t1, t2, accurate):
    """Psi(t1, t2) of the flow: Richardson-extrapolated from spacings h and 2h (accurate), or at
    one spacing five times coarser with the series cut at 1e-9 (about 1e-3 relative: for plots)."""
    h = min(0.02, 0.05 / max(float(sol.g), 1.0))
    if not accurate:
        return _combine_two_lag(_two_lag_sums_flow(sol, of, rho, kappa, t1, t2, 5.0 * h, 1e-9),
                                of, A, B, rho, sol)
    fine = _combine_two_lag(_two_lag_sums_flow(sol, of, rho, kappa, t1, t2, h), of, A, B, rho, sol)
    coarse = _combine_two_lag(_two_lag_sums_flow(sol, of, rho, kappa, t1, t2, 2.0 * h), of, A, B,
                              rho, sol)
    return (4.0 * fine - coarse) / 3.0


# --------------------------------------------------------------------------- result

@dataclass(frozen=True, repr=False)
class ParticipationRatio(ResultMixin):
    r"""Participation ratio :math:`\mathrm{PR}^a/N` of a DMFT solution, with what produced it.

    ``float(result)`` is :attr:`pr`.

    Attributes
    ----------
    pr : float
        :math:`\mathrm{PR}^a/N = C^a(0)^2/\Psi^a(0,0)` (never rounded).
    error : float
        Estimated absolute error of :attr:`pr`: the difference between two quadrature
        resolutions of the moments (continuous time) or the size of the last terms kept of the
        series (Euler map, whose sums are exact), whichever is larger.  It does not include the
        error of the DMFT solution itself (its ``residual``).
    of : str
        ``"phi"`` or ``"x"``.
    c0 : float
        :math:`C^a(0)`, the variance of a unit (temporal mean subtracted).
    psi0 : float
        :math:`\psi^a(0,0)`, :math:`N` times the mean square cross-covariance of the iid
        two-site cavity theory (without the random-mode or gain factors).
    tr_c2 : float
        :math:`\Psi^a(0,0) = \frac1N\mathrm{tr}\,C^2` with them: ``pr == c0**2 / tr_c2``.
    population_timescale, correlation_time : float
        :math:`\int_0^\infty\Psi^a(\tau,0)d\tau/\Psi^a(0,0)` and
        :math:`\int_0^\infty C^a(\tau)d\tau/C^a(0)` (time units of the unit time constant).
    tau, psi_tau, c_tau : ndarray
        Lags and the normalised :math:`\Psi^a(\tau,0)/\Psi^a(0,0)` and
        :math:`C^a(\tau)/C^a(0)` on them (for :meth:`plot`).
    effective_rank, gain_ratio, zscore
        :math:`\alpha\,\mathrm{PR}_D` (None: iid), :math:`\mathrm{PR}_G` (None: no gains) and
        whether the covariance was z-scored.
    rho : float
        :math:`g\langle\phi'\rangle`.
    g, phi, noise, J0, dt
        The DMFT solution's parameters.
    success, status, message, nterms, rtol
        ``status`` 0: the error estimate is within ``rtol * pr``; 2: it is not (the message
        says by how much).  ``nterms``: terms of the moment series.

    Examples
    --------
    >>> import meanfield as mf
    >>> res = mf.dimension.participation_ratio_result(mf.dmft.solve(2.0, "tanh"))
    >>> round(float(res), 6), res.success, res.error < 1e-9
    (0.019741, True, True)
    >>> res.population_timescale > res.correlation_time      # collective modes are slower
    True
    """

    pr: float
    error: float
    of: str
    c0: float
    psi0: float
    tr_c2: float
    population_timescale: float
    correlation_time: float
    tau: np.ndarray
    psi_tau: np.ndarray
    c_tau: np.ndarray
    effective_rank: float | None
    gain_ratio: float | None
    zscore: bool
    rho: float
    g: float
    phi: str
    noise: float
    J0: float
    dt: float | None
    success: bool
    status: int
    message: str
    nterms: int
    rtol: float

    _repr_fields = ("pr", "error", "of", "c0", "psi0", "tr_c2", "population_timescale",
                    "correlation_time", "effective_rank", "gain_ratio", "zscore", "rho", "g",
                    "phi", "noise", "dt", "success", "message")

    def __float__(self) -> float:
        return float(self.pr)

    def plot(self, ax=None, *, title=None):
        r"""Draw :math:`\Psi^a(\tau,0)/\Psi^a(0,0)` against :math:`C^a(\tau)/C^a(0)`, with both
        timescales marked.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Axes to draw into (default: a new pyplot-free figure).
        title : str, optional

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import meanfield as mf
        >>> fig = mf.dimension.participation_ratio_result(mf.dmft.solve(2.0)).plot()
        >>> fig.axes[0].get_xlabel()
        'lag $\\tau$'
        """
        from .plotting import new_figure

        fig, ax = new_figure(ax=ax)
        sym = r"\phi" if self.of == "phi" else "x"
        (line,) = ax.plot(self.tau, self.psi_tau,
                          label=rf"population $\Psi^{{{sym}}}(\tau,0)/\Psi^{{{sym}}}(0,0)$")
        ax.axvline(self.population_timescale, color=line.get_color(), ls="--", lw=0.8)
        (line,) = ax.plot(self.tau, self.c_tau, label=rf"single unit $C^{{{sym}}}(\tau)/C^{{{sym}}}(0)$")
        ax.axvline(self.correlation_time, color=line.get_color(), ls="--", lw=0.8)
        ax.axhline(0.0, color="k", lw=0.5)
        ax.set_xlabel(r"lag $\tau$")
        ax.set_ylabel("normalised correlation")
        ax.legend(loc="upper right")
        ax.set_title(title if title is not None else
                     rf"$\mathrm{{PR}}^{{{sym}}}/N$ = {self.pr:.4g} ({self.phi}, g = {self.g:g})")
        return fig


# --------------------------------------------------------------------------- entry points

def _compute(sol, of, effective_rank, gain_ratio, zscore, rtol):
    """(pr, error, core, status, message) for validated input."""
    rho, kappa = _sol_iv(sol)
    A, B = _weights(of, effective_rank, gain_ratio, zscore)
    if sol.dt is None:
        coarse = _evaluate(sol, of, A, B, rho, kappa, 0)
        core = _evaluate(sol, of, A, B, rho, kappa, 1)
        pr = core.c0 ** 2 / core.tr_c2
        error = abs(pr - coarse.c0 ** 2 / coarse.tr_c2)
        how = "difference of two quadrature resolutions"
    else:
        core = _evaluate(sol, of, A, B, rho, kappa, 0)
        pr = core.c0 ** 2 / core.tr_c2
        error = 0.0
        how = "exact lag sums"
    # truncation of the series and rounding of sums of ~nterms positive terms
    error = max(error, pr * (abs(core.tail) / core.tr_c2 + 1e-14 * math.sqrt(core.terms)))
    if not (math.isfinite(pr) and pr > 0.0):
        return pr, error, core, 2, f"the participation ratio came out non-positive ({pr!r})"
    if error > rtol * pr:
        return pr, error, core, 2, (
            f"estimated relative error {error / pr:.3g} ({how}) exceeds rtol={rtol:g}; the lag "
            "functions of `sol` may be too coarse (solve it with a smaller rtol)")
    return pr, error, core, 0, f"converged: estimated relative error {error / pr:.2g} ({how})"


def participation_ratio(sol, of: str = "phi", *, effective_rank=None, gain_ratio=None,
                        zscore: bool = False, rtol: float = DEFAULT_RTOL) -> float:
    r"""Participation ratio per unit, :math:`\mathrm{PR}^a/N`, of a DMFT solution.

    .. math::

        \frac{\mathrm{PR}^a}{N} = \frac{C^a(0)^2}{\Psi^a(0,0)}, \qquad
        \Psi^a(0,0) = C^a(0)^2 + \iint \psi^a(\omega_1,\omega_2)\,
        \frac{d\omega_1 d\omega_2}{(2\pi)^2}

    for iid couplings (the two-site cavity theory, non-Gaussian part included), with the
    random-mode and gain-heterogeneity factors when ``effective_rank`` or ``gain_ratio`` is
    given (module docstring).  Covariance of each unit with its temporal mean subtracted;
    frequency measure :math:`d\omega/2\pi` (Euler map: :math:`d\theta/2\pi` on the Brillouin zone).

    Parameters
    ----------
    sol : DMFTResult
        A converged one-population solution of :func:`meanfield.dmft.solve`, chaotic or driven
        by noise, in continuous time or an Euler map (``sol.dt``), whose units are
        statistically identical (:math:`\Delta_\infty = 0`).  For the random-mode model, the
        solution at :math:`g_{\rm eff} = \sqrt{\alpha r_2 \langle G^2\rangle}`.
    of : {"phi", "x"}
        The rates :math:`\phi(x_i)` or the preactivations :math:`x_i`.
    effective_rank : float, optional
        :math:`\alpha\,\mathrm{PR}_D > 0`, the effective rank of the coupling modes divided by
        :math:`N` (random-mode model); None (default) or ``math.inf``: iid couplings.
    gain_ratio : float, optional
        :math:`\mathrm{PR}_G = \langle G^2\rangle^2/\langle G^4\rangle \in (0, 1]` of single-unit
        gains :math:`\Phi_i = G_i\phi(x_i)` (``of="phi"`` only); None: no gains.
    zscore : bool
        PR of the correlation matrix (each unit normalised) instead of the covariance.  Only
        gain heterogeneity makes unit variances differ, so without ``gain_ratio`` the value is
        the same.
    rtol : float
        Relative accuracy required of the result (default 1e-8; the estimates reached are
        below 1e-10 for g from 1.05 to 20, tanh and erf).

    Returns
    -------
    float
        :math:`\mathrm{PR}^a/N`.

    Raises
    ------
    ParameterError
        Bad input; a static, multi-population or heterogeneous (:math:`\Delta_\infty > 0`)
        solution; ``gain_ratio`` with ``of="x"``.
    ConvergenceError
        The estimated error exceeds ``rtol * PR/N`` (the :class:`ParticipationRatio` is attached).

    See Also
    --------
    participation_ratio_result : the same with the error estimate, timescales and a plot.
    participation_ratio_of : from a coupling ensemble.

    Examples
    --------
    >>> import meanfield as mf
    >>> sol = mf.dmft.solve(3.0, "erf")
    >>> pr = mf.dimension.participation_ratio(sol)
    >>> round(pr, 5)
    0.04974
    >>> low = mf.dimension.participation_ratio(sol, effective_rank=0.2)   # random modes
    >>> round(low, 5), low < pr
    (0.01019, True)
    >>> mf.dimension.participation_ratio(mf.dmft.solve(0.5))
    Traceback (most recent call last):
    ...
    meanfield.errors.ParameterError: `sol` is a static state ('fixed-point'): ...
    """
    of, effective_rank, gain_ratio, zscore, rtol = _options_iv(of, effective_rank, gain_ratio,
                                                               zscore, rtol)
    pr, error, core, status, message = _compute(sol, of, effective_rank, gain_ratio, zscore, rtol)
    if status != 0:
        result = _result(sol, of, effective_rank, gain_ratio, zscore, rtol, pr, error, core,
                         status, message, curves=False)
        raise ConvergenceError(f"participation_ratio: {message}", result)
    return float(pr)


def _result(sol, of, effective_rank, gain_ratio, zscore, rtol, pr, error, core, status, message,
            curves=True):
    rho = float(sol.g) * float(sol.mean_dphi)
    t_pop = core.integral / core.tr_c2
    t_c = core.unit_integral / core.c0
    if curves:
        span = 4.0 * max(t_pop, t_c)
        if sol.dt is None:
            tau = np.linspace(0.0, span, 161)
        else:
            step = max(1, int(math.ceil(span / float(sol.dt) / 160)))
            tau = float(sol.dt) * np.arange(0, int(span / float(sol.dt)) + 1, step)
        A, B = _weights(of, effective_rank, gain_ratio, zscore)
        kappa = math.sqrt((1.0 - rho) * (1.0 + rho))
        if sol.dt is None:
            psi = _two_lag_flow_values(sol, of, A, B, rho, kappa, tau, np.zeros_like(tau),
                                       accurate=False)
        else:
            m = np.rint(tau / float(sol.dt)).astype(int)
            psi = _combine_two_lag(_two_lag_sums_map(sol, of, rho, kappa, m, np.zeros_like(m)),
                                   of, A, B, rho, sol)
        psi_tau = psi / core.tr_c2
        if sol.dt is None:
            c_tau = _FlowLag(sol, of, kappa)(tau) / core.c0
        else:
            f = _lag_values(sol, of)
            m = np.rint(tau / float(sol.dt)).astype(int)
            c_tau = np.where(m < f.size, f[np.minimum(m, f.size - 1)], 0.0) / core.c0
    else:
        tau = psi_tau = c_tau = np.zeros(0)
    return ParticipationRatio(
        pr=float(pr), error=float(error), of=of, c0=float(core.c0), psi0=float(core.psi0),
        tr_c2=float(core.tr_c2), population_timescale=float(t_pop), correlation_time=float(t_c),
        tau=tau, psi_tau=psi_tau, c_tau=c_tau, effective_rank=effective_rank,
        gain_ratio=gain_ratio, zscore=zscore, rho=rho, g=float(sol.g), phi=str(sol.phi),
        noise=float(sol.noise), J0=float(sol.J0), dt=None if sol.dt is None else float(sol.dt),
        success=status == 0, status=int(status), message=message, nterms=int(core.terms),
        rtol=float(rtol))


def participation_ratio_result(sol, of: str = "phi", *, effective_rank=None, gain_ratio=None,
                               zscore: bool = False, rtol: float = DEFAULT_RTOL,
                               check: bool = True) -> ParticipationRatio:
    r""":func:`participation_ratio` with its error estimate, the population timescale and a plot.

    Parameters
    ----------
    sol, of, effective_rank, gain_ratio, zscore, rtol
        As in :func:`participation_ratio`.
    check : bool
        If True (default) raise :class:`ConvergenceError` when the error estimate exceeds
        ``rtol * PR/N``; if False return the result with ``success=False``.

    Returns
    -------
    ParticipationRatio
        Also :math:`\tau_{\rm pop} = \int_0^\infty\Psi(\tau,0)\,d\tau/\Psi(0,0)` (from the
        zero-frequency values, exact) against the single-unit correlation time, and the curves
        :math:`\Psi(\tau,0)/\Psi(0,0)`, :math:`C(\tau)/C(0)` from :func:`two_lag`.

    Examples
    --------
    >>> import meanfield as mf
    >>> res = mf.dimension.participation_ratio_result(mf.dmft.solve(1.5, "tanh"), of="x")
    >>> round(res.pr, 6), round(res.population_timescale, 2), round(res.correlation_time, 2)
    (0.005611, 17.05, 9.45)
    """
    of, effective_rank, gain_ratio, zscore, rtol = _options_iv(of, effective_rank, gain_ratio,
                                                               zscore, rtol)
    if not isinstance(check, (bool, np.bool_)):
        raise ParameterError(f"`check` must be True or False; got check={check!r}")
    pr, error, core, status, message = _compute(sol, of, effective_rank, gain_ratio, zscore, rtol)
    result = _result(sol, of, effective_rank, gain_ratio, zscore, rtol, pr, error, core, status,
                     message, curves=status == 0)
    if check and status != 0:
        raise ConvergenceError(f"participation_ratio_result: {message}", result)
    return result


def participation_ratio_of(ensemble, phi="erf", of: str = "phi", *, noise: float = 0.0,
                           dt=None, gain_ratio=None, zscore: bool = False,
                           rtol: float = DEFAULT_RTOL) -> float:
    r""":math:`\mathrm{PR}^a/N` of a network with couplings from ``ensemble``.

    For :class:`~meanfield.ensembles.RandomMode` (Clark et al. 2025) single units see the iid
    DMFT at :math:`g_{\rm eff} = \sqrt{\alpha r_2}` (``ensemble.coupling_variance``); the
    dimension then depends on the spectrum only through :math:`g_{\rm eff}` and
    :math:`\alpha\,\mathrm{PR}_D` (``ensemble.effective_rank_ratio``).  For
    :class:`~meanfield.ensembles.Gaussian` it is the iid theory at ``(g, J0)``.

    Parameters
    ----------
    ensemble : RandomMode or Gaussian
        Random-mode couplings without left-right overlap, or iid Gaussian couplings.
    phi : str or TransferFunction
        Transfer function (default ``"erf"``, :math:`\mathrm{erf}(\sqrt\pi x/2)`, the paper's).
    of : {"phi", "x"}
    noise, dt
        Passed to :func:`meanfield.dmft.solve`.
    gain_ratio, zscore, rtol
        As in :func:`participation_ratio`; gains are taken with :math:`\langle G^2\rangle = 1`
        (fold another second moment into the ensemble's ``scale``).

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        Another ensemble; random modes with overlap (they add a self-coupling kernel to the
        single unit, which :func:`meanfield.dmft.solve_overlap` solves, and overlap terms to
        the four-point function, not implemented: see the Notes); a spectrum whose effective
        rank is sub-extensive
        (:math:`\mathrm{PR}_D/N \to 0`); a state without fluctuations.

    Examples
    --------
    The paper's spectra :math:`D_a = e^{-\beta_D a/M}` have
    :math:`\mathrm{PR}_D/M = \tanh(\beta_D)/\beta_D`:

    >>> import numpy as np
    >>> import meanfield as mf
    >>> ens = mf.ensembles.RandomMode(1.0, spectrum=lambda x: np.exp(-2.0 * x), scale=4.0)
    >>> round(ens.coupling_variance ** 0.5, 4), round(ens.effective_rank_ratio, 4)
    (1.9816, 0.482)
    >>> round(mf.dimension.participation_ratio_of(ens), 6)          # PR^phi / N
    0.008075
    >>> iid = mf.dimension.participation_ratio(mf.dmft.solve(ens.coupling_variance ** 0.5, "erf"))
    >>> round(iid, 6)                                              # same g_eff, full rank
    0.022432
    """
    from . import dmft as _dmft
    from .ensembles import Gaussian, RandomMode

    if isinstance(ensemble, RandomMode):
        if ensemble.overlap != 0.0:
            raise ParameterError(
                f"`ensemble` has left-right overlap {ensemble.overlap!r}: the overlaps add a "
                "self-coupling kernel to the single unit (solved by meanfield.dmft.solve_overlap) "
                "and new terms to the four-point function, which is not implemented here; use "
                "overlap=0")
        rank = ensemble.effective_rank_ratio
        if rank <= 0.0:
            raise ParameterError(
                "`ensemble` has a sub-extensive effective rank (PR_D/N -> 0, e.g. spectrum='power' "
                "with spectrum_exponent >= 1/4): PR/N -> 0 in that limit")
        g, J0 = math.sqrt(ensemble.coupling_variance), 0.0
    elif isinstance(ensemble, Gaussian):
        rank, g, J0 = None, float(ensemble.g), float(ensemble.J0)
    else:
        raise ParameterError(f"`ensemble` must be a RandomMode or a Gaussian ensemble; got "
                             f"{type(ensemble).__name__}")
    if not g > 0.0:
        raise ParameterError("`ensemble` has zero coupling variance: no fluctuations")
    of, _, gain_ratio, zscore, rtol = _options_iv(of, None, gain_ratio, zscore, rtol)
    try:
        sol = _dmft.solve(g, phi, noise=noise, J0=J0, dt=dt)
    except ParameterError as exc:
        if not str(exc).startswith(("`g`", "`J0`")):
            raise
        raise ParameterError(f"`ensemble` has g_eff={g:.6g}, J0={J0:g}, which the DMFT solver "
                             f"refuses ({exc})") from None
    try:
        _sol_iv(sol)
    except ParameterError as exc:
        raise ParameterError(f"the DMFT solution of `ensemble` (g_eff={g:.6g}, J0={J0:g}, "
                             f"noise={noise!r}, dt={dt!r}): {exc}") from None
    return participation_ratio(sol, of, effective_rank=rank, gain_ratio=gain_ratio, zscore=zscore,
                               rtol=rtol)


# --------------------------------------------------------------------------- from data

#: Fewest samples a block may hold (its unbiased covariance divides by ``T_a - 1``).
MIN_BLOCK_SAMPLES = 2
#: Fewest blocks: the leave-one-block-out jackknife needs two blocks left for a cross product.
MIN_BLOCKS = 3


def _from_activity_iv(X, blocks, zscore):
    try:
        X = np.asarray(X)
    except Exception:  # ragged lists and the like  # noqa: BLE001
        raise ParameterError("`X` must be a 2-D array of real numbers (time x units)") from None
    if X.dtype == object or X.dtype.kind not in "iuf":
        raise ParameterError(f"`X` must be an array of real numbers; got dtype {X.dtype}")
    if X.ndim != 2:
        raise ParameterError(f"`X` must be 2-D (time x units); got shape {X.shape}")
    if X.shape[1] < 1:
        raise ParameterError(f"`X` must have at least one unit (column); got shape {X.shape}")
    blocks = _checks.integer("blocks", blocks, low=MIN_BLOCKS)
    T = X.shape[0]
    if T // blocks < MIN_BLOCK_SAMPLES:
        raise ParameterError(
            f"`blocks` leaves too few samples per block: X has {T} samples, so blocks={blocks} "
            f"gives blocks of {T // blocks}; each needs at least {MIN_BLOCK_SAMPLES} (use fewer "
            "blocks or a longer recording)")
    if not isinstance(zscore, (bool, np.bool_)):
        raise ParameterError(f"`zscore` must be True or False; got {zscore!r}")
    return X, blocks, bool(zscore)


@dataclass(frozen=True, repr=False)
class ActivityPR(_AlwaysSucceeds):
    r"""Participation ratio of a recording, estimated across blocks, with the naive plug-in.

    ``float(result)`` is :attr:`pr`.

    Attributes
    ----------
    pr : float
        Cross-block estimate of :math:`\mathrm{PR} = (\mathrm{tr}\,C)^2/\mathrm{tr}\,C^2`
        (not divided by the number of units; :attr:`pr_per_n` is).
    stderr : float
        Leave-one-block-out jackknife standard error of :attr:`pr`.
    naive : float
        Plug-in PR of the whole-run covariance (biased low, by about
        :math:`\mathrm{PR}^2/T_{\rm eff}`; see :func:`from_activity`).
    trace, trace_sq : float
        The cross-block estimates of :math:`\mathrm{tr}\,C` (mean of the blocks' traces) and
        of :math:`\mathrm{tr}\,C^2` (mean of :math:`\mathrm{tr}\,C_aC_b`, :math:`a\ne b`);
        ``pr`` is :math:`\overline{\mathrm{tr}C_a\,\mathrm{tr}C_b}/\mathrm{trace\_sq}`.
    jackknife : ndarray, shape (blocks,)
        The leave-one-block-out values of the estimate.
    block_sizes : ndarray of int, shape (blocks,)
        Samples in each contiguous block.
    n_units, n_samples, blocks, zscore
        The recording's shape and the options used.
    method : str
        ``"covariance"`` (N x N block covariances) or ``"gram"`` (T_a x T_b block products),
        whichever costs fewer operations.
    """

    pr: float
    stderr: float
    naive: float
    trace: float
    trace_sq: float
    jackknife: np.ndarray
    block_sizes: np.ndarray
    n_units: int
    n_samples: int
    blocks: int
    zscore: bool
    method: str

    _repr_fields = ("pr", "stderr", "naive", "n_units", "n_samples", "blocks", "zscore",
                    "method")
    _dict_properties = ("pr_per_n",)

    def __float__(self) -> float:
        return float(self.pr)

    @property
    def pr_per_n(self) -> float:
        """:attr:`pr` divided by the number of units."""
        return self.pr / self.n_units

    @property
    def message(self) -> str:
        return (f"PR = {self.pr:.6g} ± {self.stderr:.2g} ({self.blocks} blocks, jackknife); "
                f"naive plug-in {self.naive:.6g}")

    def plot(self, ax=None, *, title=None):
        r"""Draw the leave-one-block-out values, with the estimate, its error and the naive PR.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Axes to draw into (default: a new pyplot-free figure).
        title : str, optional

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import numpy as np
        >>> import meanfield as mf
        >>> X = np.random.default_rng(0).standard_normal((400, 20))
        >>> fig = mf.dimension.from_activity(X, blocks=5).plot()
        >>> fig.axes[0].get_xlabel()
        'block left out'
        """
        from .plotting import new_figure

        fig, ax = new_figure(ax=ax)
        idx = np.arange(self.blocks)
        ax.bar(idx, self.jackknife, color="0.7", label="jackknife values")
        ax.axhline(self.pr, color="C0", label=f"cross-block PR = {self.pr:.4g}")
        ax.axhspan(self.pr - self.stderr, self.pr + self.stderr, color="C0", alpha=0.2,
                   label="± stderr")
        ax.axhline(self.naive, color="C3", ls="--", label=f"naive PR = {self.naive:.4g}")
        ax.set_xlabel("block left out")
        ax.set_ylabel("participation ratio")
        lo = min(self.naive, float(self.jackknife.min()), self.pr - self.stderr)
        hi = max(self.naive, float(self.jackknife.max()), self.pr + self.stderr)
        pad = 0.1 * (hi - lo) + 1e-12 * abs(hi)
        ax.set_ylim(lo - pad, hi + pad)
        ax.legend(loc="lower right")
        ax.set_title(title if title is not None else
                     f"N = {self.n_units}, T = {self.n_samples}" + (", z-scored" if self.zscore
                                                                   else ""))
        return fig


def _block(X, lo, hi, mean, scale):
    """Rows lo:hi of X as float64, minus ``mean``, divided by ``scale`` (None: not scaled)."""
    Y = np.array(X[lo:hi], dtype=np.float64)
    Y -= mean
    if scale is not None:
        Y /= scale
    return Y


def _activity_method(T, N, B):
    """``"covariance"`` or ``"gram"``: the form of tr(C_a C_b) with fewer operations."""
    cost_cov = T * N * N / 2 + B * B * N * N / 2
    cost_gram = T * T * N / 2
    return "covariance" if cost_cov <= cost_gram else "gram"


def from_activity(X, *, blocks: int = 10, zscore: bool = False) -> ActivityPR:
    r"""Participation ratio of a recording: the cross-block estimate, its jackknife error and
    the naive plug-in.

    Parameters
    ----------
    X : array_like, shape (T, N)
        Activity, time along the rows, units along the columns (any real dtype; it is read
        block by block, never copied whole).  Finite.
    blocks : int, optional
        Number :math:`B \ge 3` of contiguous blocks the time axis is split into (sizes differ
        by at most one sample; each must hold at least 2 samples).  Default 10.
    zscore : bool, optional
        Participation ratio of the correlation matrix instead of the covariance (each unit
        divided by its whole-run standard deviation).

    Returns
    -------
    ActivityPR
        ``pr`` (PR itself, and ``pr_per_n``), ``stderr``, ``naive``, ...

    Raises
    ------
    ParameterError
        ``X`` not a 2-D real array, or with NaN or infinite entries; ``blocks`` < 3 or leaving
        fewer than 2 samples in a block; ``zscore=True`` with a unit of zero variance; a
        recording without any variance.

    Notes
    -----
    With :math:`C` the equal-time covariance across units,
    :math:`\mathrm{PR} = (\mathrm{tr}\,C)^2/\mathrm{tr}\,C^2`.  The run is cut into
    :math:`B` contiguous blocks :math:`a` of :math:`T_a` samples; each block is centred on its
    own mean, :math:`Y_a = X_a - \bar X_a`, and :math:`C_a = Y_a^\top Y_a/(T_a - 1)`.  Then

    .. math::

        \widehat{(\mathrm{tr}\,C)^2} = \frac{1}{B(B-1)}\sum_{a\ne b}\mathrm{tr}\,C_a\,
        \mathrm{tr}\,C_b,\qquad
        \widehat{\mathrm{tr}\,C^2} = \frac{1}{B(B-1)}\sum_{a\ne b}\mathrm{tr}(C_aC_b),\qquad
        \mathrm{PR} = \widehat{(\mathrm{tr}\,C)^2}\big/\widehat{\mathrm{tr}\,C^2}.

    Numerator and denominator are unbiased when the blocks are independent (each
    :math:`C_a` is unbiased and :math:`E[C_aC_b] = C^2`); the ratio keeps the usual
    second-order ratio bias, :math:`O(1/B)` times the squared relative error of the
    denominator -- far below the standard error.  Per-block centring is chosen because it
    makes the blocks' covariances independent (a global mean would couple every block through
    it and bias :math:`\mathrm{tr}\,C^2` by :math:`O((\mathrm{tr}\,C)^2/T)`); its cost, for
    autocorrelated activity, is that fluctuations slower than a block are removed from each
    :math:`C_a`, a relative bias of about :math:`2\tau_c/T_a` in each mode's variance, which
    cancels in the ratio only when the modes share one timescale.  In chaotic networks they do
    not: to first order the estimate is raised by
    :math:`4(\tau_{\rm pop} - \tau_c)/T_a` relative (:math:`\tau_{\rm pop}` the timescale of
    :math:`\mathrm{tr}\,C(\tau)C(0)`, ``ParticipationRatio.population_timescale``, about twice
    :math:`\tau_c`): 12% for tanh at g = 3 with blocks of 125 time constants.  The exact
    expectation for a stationary process follows from the two-lag function
    (:func:`two_lag`); ``validation/dimension.py`` compares simulations with it.  Keep blocks
    much longer than the population timescale (it is also what makes them nearly
    independent).  With ``zscore`` the
    blocks are divided by the whole-run standard deviations (a plug-in, relative bias
    :math:`O(1/T)`).

    :math:`\mathrm{tr}(C_aC_b)` is computed either as
    :math:`\langle Y_a^\top Y_a, Y_b^\top Y_b\rangle_F` from the :math:`N\times N` block
    covariances (cost :math:`\approx TN^2/2`, holding the :math:`B` matrices) or, when that is
    dearer (:math:`T \lesssim N`), by the Gram form
    :math:`\|Y_a Y_b^\top\|_F^2/((T_a-1)(T_b-1))` (cost :math:`\approx T^2N/2`, no
    :math:`N\times N` matrix, no :math:`T\times T` one: one :math:`T_a\times T_b` product at a
    time).  Beyond ``X``, memory is two float64 blocks, plus the :math:`B` covariances in the
    covariance form (:math:`8BN^2` bytes: at most one block's size when :math:`N \le T/B^2`).

    The standard error is the leave-one-block-out jackknife,
    :math:`\sqrt{\frac{B-1}{B}\sum_i(\mathrm{PR}_{-i} - \overline{\mathrm{PR}_{-\cdot}})^2}`,
    whose own relative uncertainty is about :math:`1/\sqrt{2(B-1)}`.

    The naive estimate is the plug-in PR of the whole-run covariance (global mean, divisor
    :math:`T-1`).  Its denominator includes the sampling noise of every entry,
    :math:`E\,\mathrm{tr}\,\hat C^2 \approx \mathrm{tr}\,C^2 + (\mathrm{tr}\,C)^2/T_{\rm eff}`
    with :math:`T_{\rm eff} \approx T/(2\tau_c)` independent samples, so it is biased low:
    :math:`\mathrm{PR}_{\rm naive} \approx \mathrm{PR}/(1 + \mathrm{PR}/T_{\rm eff})`, a
    relative bias of about :math:`\mathrm{PR}\,\tau_c/T \sim N\tau_c/T` (an absolute one of
    :math:`N^2\tau_c/T` when PR is extensive).

    Examples
    --------
    Independent units with variances 1 and 4 (alternating): PR = (N 5/2)^2/(N 17/2) = N 25/34.

    >>> import numpy as np
    >>> import meanfield as mf
    >>> rng = np.random.default_rng(1)
    >>> X = rng.standard_normal((20_000, 100)) * np.tile([1.0, 2.0], 50)
    >>> res = mf.dimension.from_activity(X)
    >>> truth = 100 * 25 / 34
    >>> abs(res.pr - truth) < 4 * res.stderr, res.naive < res.pr
    (True, True)
    >>> abs(res.pr_per_n - 25 / 34) < 0.02, res.blocks, res.method
    (True, 10, 'covariance')
    >>> z = mf.dimension.from_activity(X, zscore=True)     # correlation matrix: PR close to N
    >>> abs(z.pr - 100) < 4 * z.stderr
    True
    """
    X, B, zscore = _from_activity_iv(X, blocks, zscore)
    T, N = X.shape
    edges = (np.arange(B + 1) * T) // B
    sizes = np.diff(edges)
    # pass 1: finiteness, block means, the global mean and (for zscore) the global variance
    means = np.empty((B, N))
    amax = 0.0
    for a in range(B):
        blk = np.asarray(X[edges[a]:edges[a + 1]], dtype=np.float64)
        if not np.isfinite(blk).all():
            raise ParameterError("`X` must contain only finite numbers (it has NaN or inf)")
        means[a] = blk.mean(axis=0)
        amax = max(amax, float(np.max(np.abs(blk))))
    mu = sizes @ means / T
    # PR is scale invariant: the products are formed in units of max|X| (no overflow at any
    # magnitude); trace and trace_sq are converted back
    unit = amax if amax > 0.0 else 1.0
    scale = unit
    if zscore:
        ss = np.zeros(N)
        for a in range(B):
            Y = _block(X, edges[a], edges[a + 1], mu, unit)
            ss += np.einsum("ti,ti->i", Y, Y)
        var = ss / (T - 1)
        if not np.all(var > 0.0):
            bad = np.flatnonzero(~(var > 0.0))
            raise ParameterError(
                f"`zscore=True` needs every unit of `X` to vary; units {bad[:10].tolist()}"
                f"{' ...' if bad.size > 10 else ''} have zero variance (drop them)")
        scale = np.sqrt(var) * unit
        unit = 1.0
    d = (means - mu) / scale                                         # block mean offsets
    w = (sizes - 1).astype(float)

    method = _activity_method(T, N, B)
    t = np.empty(B)              # tr C_a
    G = np.zeros((B, B))         # tr(C_a C_b), a != b
    if method == "covariance":
        covs = []
        total = np.zeros((N, N))
        for a in range(B):
            Y = _block(X, edges[a], edges[a + 1], means[a], scale)
            A = Y.T @ Y
            del Y
            t[a] = np.trace(A) / w[a]
            total += A
            total += sizes[a] * np.outer(d[a], d[a])
            A /= w[a]
            for b in range(a):
                G[a, b] = G[b, a] = np.vdot(A, covs[b])
            covs.append(A)
        del covs
        naive_sq = np.vdot(total, total) / (T - 1) ** 2
        del total
    else:
        naive_sq = 0.0
        for a in range(B):
            Ya = _block(X, edges[a], edges[a + 1], means[a], scale)
            t[a] = np.vdot(Ya, Ya) / w[a]
            for b in range(a, B):
                Yb = Ya if b == a else _block(X, edges[b], edges[b + 1], means[b], scale)
                P = Ya @ Yb.T
                if b != a:
                    G[a, b] = G[b, a] = np.vdot(P, P) / (w[a] * w[b])
                # globally centred product: P + (Y_a d_b) 1^T + 1 (Y_b d_a)^T + d_a.d_b
                P += (Ya @ d[b])[:, None]
                P += (Yb @ d[a])[None, :]
                P += d[a] @ d[b]
                naive_sq += (1.0 if b == a else 2.0) * np.vdot(P, P)
                del P
        naive_sq /= (T - 1) ** 2
    naive_tr = (t @ w + sizes @ np.einsum("ai,ai->a", d, d)) / (T - 1)

    st, st2, sG = t.sum(), t @ t, G.sum()
    if not sG > 0.0:
        raise ParameterError("`X` has no variance across blocks: the participation ratio is "
                             "undefined")
    pr = float((st * st - st2) / sG)
    loo_sq = sG - 2.0 * G.sum(axis=1)
    if not np.all(loo_sq > 0.0):
        a = int(np.flatnonzero(~(loo_sq > 0.0))[0])
        raise ParameterError(
            f"`X` varies in too few blocks for the jackknife: leaving out block {a} leaves no "
            f"variance shared across the other blocks (blocks={B}; a recording constant over "
            "whole blocks cannot give an error bar: use fewer blocks or drop the constant part)")
    loo = ((st - t) ** 2 - (st2 - t * t)) / loo_sq
    stderr = float(math.sqrt((B - 1) / B * np.sum((loo - loo.mean()) ** 2)))
    return ActivityPR(
        pr=pr, stderr=stderr, naive=float(naive_tr ** 2 / naive_sq),
        trace=float(st / B) * (unit * unit),
        trace_sq=float(sG / (B * (B - 1))) * (unit * unit) * (unit * unit),
        jackknife=loo,
        block_sizes=sizes.astype(np.int64), n_units=int(N), n_samples=int(T), blocks=int(B),
        zscore=zscore, method=method)


# --------------------------------------------------------------------------- from connectivity

#: Largest dense matrix whose full SVD :func:`from_connectivity` computes when ``k`` is None.
MAX_DENSE_SVD = 4000
#: Default number of singular values of the truncated SVD (sparse or large matrices).
DEFAULT_K = 100
#: Rademacher probes of the Hutchinson estimate of the tail's sum of s^4 (truncated SVD).
HUTCHINSON_PROBES = 64
#: Root mean square of the diagonal overlaps u_a.v_a, weighted by s_a^2 (the modes' share of
#: ||J||^2), above which the result's message warns that predict() ignores them (or
#: 4/sqrt(N), the size of random vectors' overlaps, if larger).  Not the mean: overlaps of
#: alternating sign have a mean near 0.
OVERLAP_WARN = 0.1


def _from_connectivity_iv(J, k, seed):
    import scipy.sparse as _sp

    if _sp.issparse(J):
        if J.ndim != 2 or J.shape[0] != J.shape[1]:
            raise ParameterError(f"`J` must be a square matrix; got shape {J.shape}")
        if J.dtype.kind not in "iuf":
            raise ParameterError(f"`J` must hold real numbers; got dtype {J.dtype}")
        J = _sp.csr_array(J, dtype=np.float64)
        if not np.isfinite(J.data).all():
            raise ParameterError("`J` must contain only finite numbers (it has NaN or inf)")
        sparse = True
    else:
        try:
            J = np.asarray(J)
        except Exception:  # ragged lists and the like  # noqa: BLE001
            raise ParameterError("`J` must be a square 2-D array of real numbers") from None
        if J.dtype == object or J.dtype.kind not in "iuf":
            raise ParameterError(f"`J` must be an array of real numbers; got dtype {J.dtype}")
        if J.ndim != 2 or J.shape[0] != J.shape[1]:
            raise ParameterError(f"`J` must be a square matrix; got shape {J.shape}")
        J = np.asarray(J, dtype=np.float64)
        if not np.isfinite(J).all():
            raise ParameterError("`J` must contain only finite numbers (it has NaN or inf)")
        sparse = False
    N = J.shape[0]
    if N < 3:
        raise ParameterError(f"`J` must have at least 3 units; got shape {J.shape}")
    truncated = sparse or k is not None or N > MAX_DENSE_SVD
    if k is not None:
        k = _checks.integer("k", k, low=1)
        if k >= N - 1:
            raise ParameterError(
                f"`k` must be smaller than N - 1 = {N - 1} for the truncated SVD; got k={k} "
                "(for all singular values pass a dense `J` and k=None)")
    elif truncated:
        k = min(DEFAULT_K, N - 2)
    if seed is not None and not isinstance(seed, (int, np.integer, np.random.Generator,
                                                  np.random.SeedSequence)):
        raise ParameterError(f"`seed` must be None, an int, a SeedSequence or a Generator; got "
                             f"seed={seed!r}")
    if isinstance(seed, (bool, np.bool_)):
        raise ParameterError(f"`seed` must be None, an int, a SeedSequence or a Generator; got "
                             f"seed={seed!r}")
    if isinstance(seed, (int, np.integer)) and seed < 0:
        raise ParameterError(f"`seed` must be a non-negative integer; got seed={seed!r}")
    if (J.count_nonzero() if sparse else np.count_nonzero(J)) == 0:
        raise ParameterError("`J` is zero: it has no singular-value spectrum to fit")
    return J, sparse, (k if truncated else None), seed


@dataclass(frozen=True, repr=False)
class ConnectivityFit(_AlwaysSucceeds):
    r"""Random-mode description of a coupling matrix (:func:`from_connectivity`).

    ``float(result)`` is :attr:`pr_s`.

    Attributes
    ----------
    singular_values : ndarray
        The computed singular values, descending (all ``N``, or the top ``k``).
    n_units : int
        :math:`N`.
    k : int or None
        Number of singular values of the truncated SVD (None: all, by a dense SVD).
    method : str
        ``"svd"`` (dense, all singular values) or ``"svds"`` (top ``k``,
        :func:`scipy.sparse.linalg.svds`, ARPACK, start vector from ``seed``).
    frobenius_sq : float
        :math:`\|J\|_F^2 = \sum_a s_a^2`, exact whatever ``k``.
    tail_mass : float
        :math:`\sum_{a>k} s_a^2 = \|J\|_F^2 - \sum_{a\le k} s_a^2` (0 for the full SVD).
    sum_s4 : float
        :math:`\sum_a s_a^4`: exact for the full SVD; for the truncated one the top ``k``
        exactly plus a Hutchinson estimate of the tail's (clipped into :attr:`sum_s4_bounds`).
    sum_s4_stderr : float
        Standard error of the Hutchinson estimate (0 for the full SVD).
    sum_s4_bounds : tuple of float
        Lower and upper bounds of :math:`\sum_a s_a^4` (equal for the full SVD); the upper
        bound puts the tail at the largest values allowed, :math:`s_k^2\,` ``tail_mass``.
    pr_s : float
        :math:`\mathrm{PR}_S = (\sum s^2)^2/(N\sum s^4)`, from :attr:`sum_s4`.
    pr_s_stderr : float
        Its standard error from :attr:`sum_s4_stderr` (0 for the full SVD).
    pr_s_bounds : tuple of float
        :math:`\mathrm{PR}_S` at the upper and lower bound of :math:`\sum s^4` (lower, upper).
    effective_rank_ratio : float
        :math:`\alpha\,\mathrm{PR}_D = \mathrm{PR}_S/(1 - 2\mathrm{PR}_S)`; ``inf`` when
        :math:`\mathrm{PR}_S \ge 1/2`, where the model has no solution (:attr:`outside_model`).
    outside_model : bool
        :math:`\mathrm{PR}_S \ge 1/2`.
    g_eff : float
        :math:`g_{\rm eff} = \|J\|_F/\sqrt N`.
    overlaps : ndarray
        :math:`O_{aa} = u_a\cdot v_a` of the computed singular vectors (same order as
        :attr:`singular_values`).
    overlap_mean, overlap_std : float
        Mean and standard deviation of :attr:`overlaps`.
    """

    singular_values: np.ndarray
    n_units: int
    k: int | None
    method: str
    frobenius_sq: float
    tail_mass: float
    sum_s4: float
    sum_s4_stderr: float
    sum_s4_bounds: tuple
    pr_s: float
    pr_s_stderr: float
    pr_s_bounds: tuple
    effective_rank_ratio: float
    outside_model: bool
    g_eff: float
    overlaps: np.ndarray
    overlap_mean: float
    overlap_std: float

    _repr_fields = ("pr_s", "pr_s_bounds", "effective_rank_ratio", "g_eff", "overlap_mean",
                    "n_units", "k", "method")

    def __float__(self) -> float:
        return float(self.pr_s)

    @property
    def message(self) -> str:
        parts = [f"PR_S = {self.pr_s:.6g}"]
        if self.k is not None:
            lo, hi = self.pr_s_bounds
            parts.append(f"± {self.pr_s_stderr:.2g} (top {self.k} of {self.n_units} singular "
                         "values by svds; the tail enters through the Frobenius norm: sum s^2 "
                         f"exact; its sum s^4 by a Hutchinson estimate; bounds PR_S in "
                         f"[{lo:.6g}, {hi:.6g}])")
        if self.outside_model:
            parts.append("; PR_S >= 1/2: outside the random-mode model (alpha PR_D = inf, "
                         "predictions are those of iid couplings)")
        else:
            parts.append(f"; alpha PR_D = {self.effective_rank_ratio:.6g}")
        parts.append(f"; g_eff = {self.g_eff:.6g}; mean overlap u.v = {self.overlap_mean:.3g} "
                     f"± {self.overlap_std:.2g}")
        w = self.singular_values ** 2
        rms = math.sqrt(float(w @ self.overlaps ** 2 / w.sum()))
        if rms > max(OVERLAP_WARN, 4.0 / math.sqrt(self.n_units)):
            parts.append(f" (root mean square weighted by s^2 {rms:.3g}, large: the theory "
                         "used by predict() ignores left-right overlaps)")
        return " ".join(parts).replace(" ;", ";")

    def predict(self, phi="erf", of: str = "phi", *, gain: float = 1.0, noise: float = 0.0,
                dt=None, rtol: float = DEFAULT_RTOL) -> float:
        r"""Predicted :math:`\mathrm{PR}^a/N` of :math:`(1 + d/dt)x = \mathrm{gain}\,J\phi(x)`.

        Solves the single-unit DMFT at :math:`g_{\rm eff}\cdot` ``gain`` and evaluates
        :func:`participation_ratio` with ``effective_rank`` :math:`= \alpha\,\mathrm{PR}_D`
        (None, the iid theory, when :attr:`outside_model`).  Left-right overlaps are ignored.

        Parameters
        ----------
        phi : str or TransferFunction
        of : {"phi", "x"}
        gain : float
            Positive factor multiplying ``J``.
        noise, dt
            Passed to :func:`meanfield.dmft.solve`.
        rtol : float
            As in :func:`participation_ratio`.

        Returns
        -------
        float

        Raises
        ------
        ParameterError
            ``gain`` not positive and finite; a DMFT state without chaotic fluctuations.
        """
        from . import dmft as _dmft

        gain = _checks.real("gain", gain, low=0.0, low_open=True,
                            allowed="a positive finite number")
        g = self.g_eff * gain
        try:
            sol = _dmft.solve(g, phi, noise=noise, dt=dt)
        except ParameterError as exc:
            if not str(exc).startswith("`g`"):
                raise
            raise ParameterError(f"`gain` puts the network at g_eff * gain = {g:.6g}, which the "
                                 f"DMFT solver refuses ({exc}); got gain={gain!r}") from None
        try:
            _sol_iv(sol)
        except ParameterError as exc:
            raise ParameterError(f"the DMFT solution at g_eff * gain = {g:.6g}: {exc}") from None
        rank = None if self.outside_model else float(self.effective_rank_ratio)
        return participation_ratio(sol, of, effective_rank=rank, rtol=rtol)

    def plot(self, ax=None, *, title=None):
        r"""Draw the singular values against their rank, with :math:`\mathrm{PR}_S`.

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import numpy as np
        >>> import meanfield as mf
        >>> J = np.random.default_rng(0).standard_normal((50, 50)) / np.sqrt(50)
        >>> fig = mf.dimension.from_connectivity(J).plot()
        >>> fig.axes[0].get_xlabel()
        'rank a'
        """
        from .plotting import new_figure

        fig, ax = new_figure(ax=ax)
        a = np.arange(1, self.singular_values.size + 1)
        ax.plot(a, self.singular_values, ".", color="C0", ms=3, label="singular values $s_a$")
        if self.k is not None:
            ax.axhline(math.sqrt(self.tail_mass / (self.n_units - self.k)), color="0.5", ls=":",
                       label="tail (equal values, Frobenius)")
        ax.set_xlabel("rank a")
        ax.set_ylabel("$s_a$")
        ax.legend(loc="upper right")
        ax.set_title(title if title is not None else
                     f"N = {self.n_units}: PR_S = {self.pr_s:.4g}, g_eff = {self.g_eff:.4g}")
        return fig


def from_connectivity(J, *, k: int | None = None, seed=None) -> ConnectivityFit:
    r"""Fit the random-mode description (Clark et al. 2025) to a square coupling matrix.

    Parameters
    ----------
    J : array_like or scipy.sparse matrix, shape (N, N)
        Couplings, real and finite.
    k : int, optional
        Number of top singular values to compute by a truncated SVD
        (:func:`scipy.sparse.linalg.svds`), :math:`1 \le k < N - 1`.  Default: all of them by a
        dense SVD for a dense ``J`` with :math:`N \le 4000`, else ``min(100, N - 2)``.
    seed : int, SeedSequence or Generator, optional
        Seeds the start vector of the truncated SVD (results are reproducible for a seed).

    Returns
    -------
    ConnectivityFit
        ``pr_s`` (and its bounds), ``effective_rank_ratio`` (:math:`\alpha\mathrm{PR}_D`),
        ``g_eff``, ``overlaps``; ``predict(phi, of, gain=)`` gives the PR/N of the network.

    Raises
    ------
    ParameterError
        ``J`` not square, not real, with NaN or infinite entries, or zero; ``k`` not an integer
        in :math:`[1, N-2]`; a bad ``seed``.

    Notes
    -----
    With :math:`s_a` the singular values of :math:`J`,

    .. math::

        \mathrm{PR}_S = \frac{(\sum_a s_a^2)^2}{N\sum_a s_a^4}, \qquad
        g_{\rm eff}^2 = \frac1N\sum_a s_a^2 = \frac{\|J\|_F^2}{N}, \qquad
        \alpha\,\mathrm{PR}_D = \frac{\mathrm{PR}_S}{1 - 2\,\mathrm{PR}_S},

    the last the inverse of :math:`\mathrm{PR}_S = \alpha\mathrm{PR}_D/(1 + 2\alpha\mathrm{PR}_D)`
    (Clark, Marschall, van Meegen & Litwin-Kumar, PRX 15, 041019 (2025); at finite :math:`N`,
    for Gaussian modes, :math:`1/\mathrm{PR}_S = x + 2 + (1+2x)/N + O(N^{-2})` with
    :math:`x = 1/(\alpha\mathrm{PR}_D)`, :meth:`~meanfield.ensembles.RandomMode.effective_rank_J`).
    An iid matrix has :math:`E\,\mathrm{tr}(JJ^T)^2 = g^4(2N + 1)` exactly, so
    :math:`\mathrm{PR}_S \approx N/(2N+1) \to 1/2` and :math:`\alpha\mathrm{PR}_D` is large
    (infinite in the limit).  When a sample gives :math:`\mathrm{PR}_S \ge 1/2` the model has no
    solution: :attr:`~ConnectivityFit.outside_model` is set and :math:`\alpha\mathrm{PR}_D = \infty`.

    Truncated SVD: :math:`\sum_a s_a^2 = \|J\|_F^2` is exact, so :math:`g_{\rm eff}` is; the
    :math:`m = N - k` tail values hold the mass :math:`T = \|J\|_F^2 - \sum_{a\le k}s_a^2`, each
    at most :math:`s_k^2`, so :math:`T^2/m \le \sum_{a>k}s_a^4 \le s_k^2\,T` (Cauchy-Schwarz;
    the lower bound is the tail as equal values).  Both bounds are reported as
    ``pr_s_bounds`` (guaranteed); the point value ``pr_s`` uses a Hutchinson estimate of the
    tail, :math:`\sum_{a>k}s_a^4 = \mathrm{tr}\,B^2 = E\|Bz\|^2` with
    :math:`B = J^TJ - V_kS_k^2V_k^T` and 64 Rademacher probes :math:`z` drawn from ``seed``
    (standard error ``pr_s_stderr``), clipped into the bounds.

    The overlaps :math:`O_{aa} = u_a\cdot v_a` of left and right singular vectors are reported
    but not used: the theory behind :meth:`~ConnectivityFit.predict` has none.

    Examples
    --------
    An iid Gaussian matrix: :math:`\mathrm{PR}_S` near :math:`N/(2N+1)`, :math:`g_{\rm eff}` near
    :math:`g`.

    >>> import numpy as np
    >>> import meanfield as mf
    >>> N = 400
    >>> J = 2.0 * np.random.default_rng(0).standard_normal((N, N)) / np.sqrt(N)
    >>> fit = mf.dimension.from_connectivity(J)
    >>> abs(fit.pr_s - N / (2 * N + 1)) < 0.01, abs(fit.g_eff - 2.0) < 0.02
    (True, True)
    >>> ens = mf.ensembles.RandomMode(0.5, scale=2.0)          # alpha PR_D = 0.5
    >>> fit = mf.dimension.from_connectivity(ens.sample(N, seed=1))
    >>> abs(fit.effective_rank_ratio - 0.5) < 0.1
    True
    >>> 0.0 < fit.predict("erf", gain=1.0) < 1.0
    True
    """
    J, sparse, k, seed = _from_connectivity_iv(J, k, seed)
    N = J.shape[0]
    # PR_S and the overlaps are scale invariant: work in units of max|J_ij| (no overflow of
    # sum s^4 at any magnitude), convert the dimensionful attributes back at the end
    c = float(np.max(np.abs(J.data if sparse else J)))
    J = J / c
    if k is None:
        U, s, Vt = np.linalg.svd(J)
        fro = float(np.sum(s * s))
        overlaps = np.einsum("ia,ai->a", U, Vt)
        method = "svd"
    else:
        from scipy.sparse.linalg import svds

        rng = np.random.default_rng(seed)
        U, s, Vt = svds(J, k=k, v0=rng.standard_normal(N), solver="arpack")
        order = np.argsort(s)[::-1]
        U, s, Vt = U[:, order], s[order], Vt[order]
        fro = float(np.sum(J.data ** 2)) if sparse else float(np.sum(J * J))
        overlaps = np.einsum("ia,ai->a", U, Vt)
        method = "svds"
    if not fro > 0.0:
        raise ParameterError("`J` is zero: the random-mode description is undefined")
    top2, top4 = float(np.sum(s ** 2)), float(np.sum(s ** 4))
    if k is None:
        tail = 0.0
        lo4 = hi4 = top4
    else:
        tail = max(fro - top2, 0.0)
        lo4 = top4 + tail * tail / (N - k)
        hi4 = top4 + float(s[-1]) ** 2 * tail
        # Hutchinson estimate of the tail's sum s^4 = tr(B^2), B = J^T J - V S^2 V^T
        Z = rng.choice([-1.0, 1.0], size=(N, HUTCHINSON_PROBES))
        V = Vt.T
        BZ = J.T @ (J @ Z) - V @ ((s * s)[:, None] * (Vt @ Z))
        q = np.einsum("ip,ip->p", BZ, BZ)
        est4 = top4 + float(q.mean())
        err4 = float(q.std(ddof=1) / math.sqrt(q.size))
    if k is None:
        est4, err4 = lo4, 0.0
    est4 = min(max(est4, lo4), hi4)
    pr_s = fro * fro / (N * est4)
    pr_bounds = (fro * fro / (N * hi4), fro * fro / (N * lo4))
    outside = bool(pr_s >= 0.5)
    rank = math.inf if outside else pr_s / (1.0 - 2.0 * pr_s)
    c2 = c * c
    c4 = c2 * c2        # Python floats: inf beyond the float range, the true value's magnitude
    return ConnectivityFit(
        singular_values=c * np.asarray(s, dtype=np.float64), n_units=int(N), k=k, method=method,
        frobenius_sq=fro * c2, tail_mass=float(tail) * c2, sum_s4=float(est4) * c4,
        sum_s4_stderr=err4 * c4, pr_s_stderr=float(pr_s * err4 / est4),
        sum_s4_bounds=(float(lo4) * c4, float(hi4) * c4), pr_s=float(pr_s),
        pr_s_bounds=(float(pr_bounds[0]), float(pr_bounds[1])), effective_rank_ratio=float(rank),
        outside_model=outside, g_eff=math.sqrt(fro / N) * c, overlaps=np.asarray(overlaps, float),
        overlap_mean=float(np.mean(overlaps)), overlap_std=float(np.std(overlaps)))
