r"""Largest Lyapunov exponent from the stationary DMFT.

Continuous time: :math:`\lambda_{\max} = -1 + \sqrt{1 - E_0}`, with :math:`E_0` the
ground-state energy of :math:`H = -\partial_\tau^2 + 1 - g^2 C_{\phi'}(\tau)`
(Sompolinsky, Crisanti & Sommers 1988), discretised with second-order finite
differences on a uniform lag grid and Richardson-extrapolated in the spacing; when
there is no bound state, :math:`E_0` is the continuum edge :math:`1 - g^2 C_{\phi'}(\infty)`.

Euler map with step :math:`dt` (exact on the lag grid, derived for this project,
see ``derivations/lyapunov_euler.py``): the tangent second moment
:math:`Q(t,s) = \Lambda^{t+s} q(t-s)`, :math:`\Lambda = e^{\lambda dt}`, obeys
:math:`a\Lambda(-D_2 q)_k + (\Lambda - a)^2 q_k - dt^2 g^2 C_{\phi'}(k)\, q_k = 0`
with :math:`a = 1 - dt` and :math:`D_2` the unit-spacing second difference; the
largest :math:`\Lambda > a` for which the operator has a zero ground state gives
:math:`\lambda = \log\Lambda / dt`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize
from scipy.interpolate import CubicSpline
from scipy.linalg import eigh_tridiagonal

from ..errors import ParameterError
from . import _static
from ._result import DMFTResult


def _lowest(diag, off):
    return float(eigh_tridiagonal(diag, off, select="i", select_range=(0, 0),
                                  eigvals_only=True)[0])


def lyapunov(sol: DMFTResult) -> float:
    r"""Largest Lyapunov exponent (per unit time) of the DMFT solution ``sol``.

    Parameters
    ----------
    sol : DMFTResult
        A one-population result of :func:`meanfield.dmft.solve`.

    Returns
    -------
    float
        :math:`\lambda_{\max}`.  For a static fixed point, from the spectrum of
        :math:`J\,\mathrm{diag}\,\phi'` stored in the result: a disk of radius
        :math:`r = g\sqrt{\langle\phi'^2\rangle}` and the ``outliers``
        :math:`\lambda_k` (``sol.outliers``; the transfer function is not looked up
        again): continuous time :math:`-1 + \max(r, \max_k\mathrm{Re}\,
        \lambda_k)`; Euler map :math:`\log\max(|1-dt| + dt\,r,\ \max_k|1-dt+dt\,
        \lambda_k|)/dt`, the largest multiplier of :math:`1 - dt + dt\,z` over that
        spectrum.  When every unit sits at a kink of :math:`\phi` with zero variance
        (relu with no input), the exponent of the network with the one-sided slopes
        :math:`(b_+, b_-)` at the kink: :math:`s - 1` (Euler map:
        :math:`\log(1 - dt + dt\,s)/dt`), :math:`s` the growth factor of its fastest
        self-similar pattern (:math:`s = g\sqrt{(b_+^2 + b_-^2)/2}` without mean coupling).

    Raises
    ------
    ParameterError
        ``sol`` is not a one-population :class:`DMFTResult` (for a static state of several
        populations the message of the result states its largest growth exponent), or a
        static result saved by an older version without ``mean_dphi`` or ``outliers``.

    Notes
    -----
    Continuous time: :math:`\lambda_{\max} = -1 + \sqrt{1 - E_0}`, :math:`E_0` the
    lowest eigenvalue of :math:`-\partial_\tau^2 + 1 - g^2 C_{\phi'}(\tau)`.  At the
    trivial fixed point (tanh, :math:`g<1`) :math:`C_{\phi'} = 1` and
    :math:`\lambda_{\max} = g - 1`.  At a kink with zero variance the perturbation
    dynamics is not linear but positively homogeneous, so the exponent is that of its
    fastest self-similar pattern (for relu with :math:`J_0 = 0`:
    :math:`g/\sqrt 2 - 1`, where :math:`\phi'(0)` taken as 0 would give -1).

    Examples
    --------
    >>> import meanfield as mf
    >>> mf.dmft.lyapunov(mf.dmft.solve(g=0.5))        # trivial fixed point: g - 1
    -0.5
    >>> round(mf.dmft.lyapunov(mf.dmft.solve(g=2.0)), 3)   # chaos: a positive exponent
    0.112
    >>> round(mf.dmft.lyapunov(mf.dmft.solve(g=0.5, dt=0.5)), 6)   # Euler map: log(0.75) / 0.5
    -0.575364
    >>> round(mf.dmft.lyapunov(mf.dmft.solve(g=1.2, phi="relu")), 6)   # kink: g / sqrt(2) - 1
    -0.151472
    """
    if not isinstance(sol, DMFTResult):
        raise ParameterError(f"`sol` must be a DMFTResult from meanfield.dmft.solve; "
                             f"got {type(sol).__name__}")
    if np.ndim(sol.delta0) != 0:
        raise ParameterError("`sol` has several populations; the Schroedinger-operator "
                             "formula is implemented for one population only (for a static "
                             "state the result's message states its largest growth exponent)")
    if sol.method == "static":
        return _static.result_exponent(sol)
    g2 = float(sol.g) ** 2
    if sol.dt is None:
        return _continuous(sol, g2)
    return _euler(sol, g2)


def _continuous(sol, g2):
    cd = CubicSpline(sol.tau, sol.c_dphi_tau)
    c_inf = float(sol.c_dphi_tau[-1])
    kappa = math.sqrt(max(1.0 - g2 * c_inf, 1e-6))
    T = min(float(sol.tau[-1]), 40.0 + 30.0 / kappa)

    def energy(h):
        n = int(round(T / h))
        t = h * np.arange(-n, n + 1)
        v = 1.0 - g2 * np.where(np.abs(t) <= sol.tau[-1], cd(np.abs(t)), c_inf)
        diag = 2.0 / h**2 + v
        off = np.full(2 * n, -1.0 / h**2)
        return _lowest(diag, off)

    e1, e2 = energy(0.04), energy(0.02)
    e0 = (4.0 * e2 - e1) / 3.0
    # without a bound state the bottom of the spectrum is the continuum edge 1 - g^2 C'(inf)
    # (the box of half-width T only lifts the lowest level above it by ~ (pi / 2T)^2)
    e0 = min(e0, 1.0 - g2 * c_inf)
    return -1.0 + math.sqrt(max(1.0 - e0, 0.0))


def _euler(sol, g2):
    dt = float(sol.dt)
    a = 1.0 - dt
    c = np.asarray(sol.c_dphi_tau, dtype=float)
    n = len(c) - 1
    pot = dt * dt * g2 * np.concatenate([c[:0:-1], c])        # lags -n..n
    off = np.ones(2 * n)

    def f(lam):
        # lowest eigenvalue of a*lam*(-D2) - dt^2 g^2 C'  plus (lam - a)^2
        diag = a * lam * 2.0 - pot
        # bottom of the spectrum: lowest level, or the continuum edge -dt^2 g^2 C'(inf)
        low = min(_lowest(diag, -a * lam * off), -pot[-1])
        return low + (lam - a) ** 2

    lo = a + 1e-12
    hi = a + dt * (1.0 + math.sqrt(g2 * float(np.max(c))) + 1.0)
    if f(lo) >= 0:
        return math.log(lo) / dt
    while f(hi) < 0:
        hi = a + 2.0 * (hi - a)
    lam = optimize.brentq(f, lo, hi, xtol=1e-15, rtol=1e-14)
    return math.log(lam) / dt
