r"""Single-unit DMFT of random-mode couplings with left-right overlaps (a self-coupling kernel).

Model (the Euler map that :func:`meanfield.simulate` integrates, step :math:`h` = ``dt``,
time in units of the single-unit time constant)

.. math::

    x_{t+1} = (1-h)\,x_t + h\,\big(J\phi(x_t)\big) + \sqrt h\,\sigma\,\xi_t, \qquad
    J = \sum_{a=1}^{P} D_a\, l_a r_a^T,

with :math:`P = \alpha N` modes whose vectors have entries of variance :math:`1/N` and
left-right correlation :math:`\rho` (:class:`~meanfield.ensembles.RandomMode`).

Derivation (for this project; ``derivations/overlap_self_coupling.py``)
------------------------------------------------------------------------
Write the input of unit :math:`i` through the mode variables
:math:`\kappa_a(t) = r_a\cdot\phi(x_t)`: :math:`h_i = \sum_a D_a l_{ai}\kappa_a`.  Let
:math:`S_k = \langle\partial\phi(x_{t+k})/\partial h_t\rangle` (:math:`k \ge 1`) be the mean
response of a unit's rate to its input, *including its own self-coupling loop*, and
:math:`S(\theta) = \sum_k S_k e^{-i\theta k}`.  Mode :math:`a` feeds every unit
:math:`j` with :math:`D_a l_{aj}\kappa_a`, which comes back through :math:`r_{aj}` with weight
:math:`\sum_j r_{aj}l_{aj} \to \rho`, so :math:`\kappa_a = \kappa^{(0)}_a / (1 - D_a\rho S)`.
The unit's own share of :math:`\kappa_a` is :math:`r_{ai}\phi_i`; summed over the modes it gives
the self-coupling, and the rest is a Gaussian field:

.. math::

    h_t = \eta_t + \sum_{k\ge0} R_k\,\phi(x_{t-k}), \qquad
    R(\theta) = \alpha\Big\langle \frac{D\rho}{1 - D\rho\, S(\theta)}\Big\rangle, \qquad
    C^\eta(\theta) = \alpha\Big\langle \frac{D^2}{|1 - D\rho\, S(\theta)|^2}\Big\rangle
    C^\phi(\theta) + \frac{\sigma^2}{h},

(:math:`\langle\cdot\rangle` over the mode spectrum, :math:`R_0 = \alpha\rho\langle D\rangle` the
O(1) mean diagonal coupling).  The single unit
:math:`x_{t+1} = (1-h)x_t + h\,h_t` is *not* Gaussian when :math:`\rho \ne 0` (the kernel acts on
:math:`\phi(x)`), and :math:`S` is the response of this non-Gaussian process, which in turn
sets :math:`R`: the self-consistent objects are :math:`C^\phi` and :math:`S`.  At
:math:`\rho = 0`: :math:`R = 0`, :math:`C^\eta = g_{\rm eff}^2 C^\phi` with
:math:`g_{\rm eff}^2 = \alpha\langle D^2\rangle`, the iid DMFT.

How it is solved
----------------
* ``rho == 0``: exactly :func:`meanfield.dmft.solve` at :math:`g_{\rm eff}` (method
  ``"gaussian"``).
* ``phi="linear"`` (any :math:`\rho`): the process is Gaussian and linear; per frequency
  :math:`S = S^x/(1 - R(S) S^x)`, :math:`S^x = h/(e^{i\theta} - (1-h))`, solved by Newton's
  method continued in :math:`\rho` from :math:`S = S^x`, and :math:`C^x = |S|^2(\sigma^2/h)/(1 - |S|^2 Q)`,
  :math:`Q = \alpha\langle D^2/|1-D\rho S|^2\rangle` (method ``"linear"``; needs noise).
* Otherwise (method ``"monte-carlo"``): the single-unit process is sampled.  Given
  :math:`(C^\phi, S)`, ``n_paths`` paths of :math:`\eta` are drawn by FFT from
  :math:`C^\eta`, the map with the memory term is iterated, :math:`C^x, C^\phi` are measured
  from the paths and :math:`S` from a tangent trajectory driven by an independent white probe
  :math:`\zeta` (:math:`S_k = E[\delta\phi_{t+k}\zeta_t]`, exact in expectation).  Each of
  ``n_chains`` independent chains starts from the quiet state when there is noise and the
  network linearised at :math:`x = 0` has a stationary state (the linear closed form with
  :math:`\phi'(0)`), from the iid solution at :math:`g_{\rm eff}` otherwise (where several
  self-consistent states coexist, the one reached from this start is returned); warm-up
  sweeps (plain substitution, a quarter of the paths) run until :math:`\Delta_0` stops drifting
  (the mean of the last two sweeps within two standard errors of the two before, at most
  ``max_iter``), then the chain averages ``n_iter`` sweeps (Robbins-Monro) and runs
  ``n_final`` sweeps at its averaged input; the values are means over the chains and their
  standard errors the spread of the chain means (so the noise of each chain's input, amplified
  by the self-consistency, is included: the error over paths at a fixed input was measured
  two times smaller than the spread over solver seeds).  ``residual`` is the mean over chains of
  :math:`C^\phi_{\rm out} - C^\phi_{\rm in}` at lag 0 relative to :math:`C^\phi(0)`, or summed
  over the lags relative to :math:`\sum_k C^\phi_k` (the zero frequency, the slowest direction
  of the iteration), whichever is larger against its standard error ``residual_stderr``;
  converged means within the Student-t 99.5% quantile (``n_chains - 1`` dof) of it.

Strong overlaps make the unit's self-excitation :math:`R(0)` large and its correlations slow
(tanh, :math:`g_{\rm eff} = 2`, :math:`D = \pm 2`, :math:`\rho = 0.6`: correlation time about
20, with a long tail); ``max_lag`` and ``t_sweep`` must grow with it, or the truncated
(tapered) spectrum loses low-frequency power and :math:`\Delta_0` comes out low: 6.87, 6.96,
7.08 (each +- 0.07) at ``max_lag`` = 120, 200, 400, against 7.16 +- 0.05 in simulations
(N = 1000, 12 networks).  The solver flags (status 2) only gross truncation (more than 5% of
:math:`C^x(0)` left over the last tenth of the lags, or more than 2% of :math:`\sum_k C^x_k` in
the last quarter, beyond 3 standard errors): the tail is too noisy to catch the 3% bias above.
**Increase** ``max_lag`` **until** :math:`\Delta_0` **stops changing** when correlations are slow.

Checked against simulations of :func:`meanfield.simulate` (Euler, dt = 0.1, N = 1000, 2800 time
units per network): at :math:`\rho = \pm 0.3` :math:`\Delta_0` = 3.170 +- 0.036 (20 networks)
against 3.118 (+- 0.010 over five solver seeds), with a finite-size excess of +4.3 +- 2.5% at
N = 500 and +1.9 +- 1.3% at N = 1000 (held-out seeds); the iid DMFT at :math:`g_{\rm eff}`
gives 1.92.  Linear :math:`\phi`: the exact covariance of finite networks
(``derivations/overlap_self_coupling.py``).

The result is a Monte Carlo estimate: it carries ``delta0_stderr`` and ``delta_tau_stderr``
(the spread of the chain means).
The spectrum of :math:`J` must not have outliers that destabilise a mode: the solver refuses
(status 2) a state with :math:`\min_\theta |1 - D\rho S(\theta)| < 0.05`.  Odd transfer
functions only (then :math:`\langle\phi\rangle = 0` and no static field arises).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import stats as _stats

from .. import _checks
from .. import transfer as _transfer
from .._results import ResultMixin
from ..errors import ConvergenceError, ParameterError

__all__ = ["solve_overlap", "OverlapDMFTResult", "mode_kernel"]

_METHODS = ("auto", "monte-carlo")
#: Smallest |1 - D rho S(theta)| accepted (a mode close to its own instability).
_MODE_MARGIN = 0.05
#: Largest |C^x| over the last tenth of the lags, relative to C^x(0), accepted as decayed.
_TAIL = 0.05
#: Largest fraction of sum_k C^x_k in the last quarter of the lags (where the spectrum is
#: tapered) accepted when it is also beyond 3 standard errors over chains.  The fraction is
#: noisy (+-2% at rho = 0, g_eff = 2, the defaults), so this catches only gross truncation: at
#: rho = 0.6 (tanh, D = +-2) max_lag = 120 left 3 +- 5% there and Delta0 came out 3-4% low
#: (6.87 +- 0.07; 6.96 at max_lag = 200, 7.08 at 400; simulation 7.16 +- 0.05) unflagged.
_TAIL_WEIGHT = 0.02
#: Steps per block of the memory convolution.
_BLOCK = 32


@dataclass(frozen=True, repr=False)
class OverlapDMFTResult(ResultMixin):
    r"""Stationary single-unit DMFT of random-mode couplings with left-right overlap.

    Attributes
    ----------
    delta0, delta0_stderr : float
        :math:`C^x(0)` (the variance of :math:`x`; its mean is 0) and its Monte Carlo standard
        error (0 for the deterministic methods).
    tau : ndarray
        Lags :math:`k\,dt`, :math:`k = 0, \dots, K`.
    delta_tau, delta_tau_stderr, c_phi_tau : ndarray
        :math:`C^x(\tau)`, its standard error, :math:`C^\phi(\tau)` on ``tau``.
    response_tau : ndarray
        :math:`S_k`, the mean response of :math:`\phi(x_{t+k})` to the input :math:`h_t`
        (per step; :math:`S_0 = 0`).
    kernel_tau : ndarray
        The self-coupling kernel :math:`R_k` (per step: the input gets
        :math:`\sum_k R_k\phi(x_{t-k})`).
    mean_dphi : float
        :math:`\langle\phi'(x)\rangle`.
    correlation_time : float
        :math:`\sum_k C^x_k\,dt / C^x_0` (trapezoid rule, lags :math:`\ge 0`).
    g_eff : float
        :math:`\sqrt{\alpha\langle D^2\rangle}`.
    n_modes_ratio, overlap, phi, dt, noise
        The parameters (``phi`` by name).
    method : str
        ``"gaussian"``, ``"linear"`` or ``"monte-carlo"``.
    success, status, message, nit, residual, residual_stderr
        0: converged; 2: not converged or refused (message says why).  ``residual``: see the
        module notes (Monte Carlo); the largest relative change of the last fixed-point
        step for ``"linear"``; that of :func:`meanfield.dmft.solve` for ``"gaussian"``.
    n_paths, t_sweep, seed
        Monte Carlo effort (paths per sweep, time per path) and the integer seed (None if none).

    Examples
    --------
    >>> import meanfield as mf
    >>> ens = mf.ensembles.RandomMode(1.0, spectrum=(0.45, -0.45), overlap=0.8)
    >>> res = mf.dmft.solve_overlap(ens, "linear", dt=0.2, noise=1.0)
    >>> res.success, res.method
    (True, 'linear')
    """

    delta0: float
    delta0_stderr: float
    tau: np.ndarray
    delta_tau: np.ndarray
    delta_tau_stderr: np.ndarray
    c_phi_tau: np.ndarray
    response_tau: np.ndarray
    kernel_tau: np.ndarray
    mean_dphi: float
    correlation_time: float
    g_eff: float
    n_modes_ratio: float
    overlap: float
    phi: str
    dt: float
    noise: float
    method: str
    success: bool
    status: int
    message: str
    nit: int
    residual: float
    residual_stderr: float
    n_paths: int = 0
    t_sweep: float = 0.0
    seed: int | None = None

    _repr_fields = ("phi", "g_eff", "n_modes_ratio", "overlap", "dt", "noise", "delta0",
                    "delta0_stderr", "mean_dphi", "correlation_time", "method", "success",
                    "message", "nit", "residual", "residual_stderr")

    @cached_property
    def _interp(self):
        return self.tau, self.delta_tau

    def delta(self, tau):
        r""":math:`C^x(\tau)` at any lags (even; linear interpolation, 0 beyond the grid).

        Examples
        --------
        >>> import meanfield as mf
        >>> ens = mf.ensembles.RandomMode(1.0, spectrum=(1.0, -1.0), scale=2.0)
        >>> res = mf.dmft.solve_overlap(ens, "tanh", dt=0.1)
        >>> bool(abs(res.delta(0.0) - res.delta0) < 1e-12)
        True
        """
        t, d = self._interp
        return np.interp(np.abs(np.asarray(tau, dtype=float)), t, d, right=0.0)

    def plot(self, ax=None, *, title=None):
        r"""Draw :math:`C^x(\tau)` with its Monte Carlo band and :math:`C^\phi(\tau)`.

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import meanfield as mf
        >>> ens = mf.ensembles.RandomMode(1.0, spectrum=(1.0, -1.0), scale=2.0)
        >>> fig = mf.dmft.solve_overlap(ens, "tanh").plot()
        >>> fig.axes[0].get_xlabel()
        'lag $\\tau$'
        """
        from matplotlib.figure import Figure
        if ax is None:
            fig = Figure(figsize=(5, 3.5))
            ax = fig.add_subplot()
        else:
            fig = ax.figure
        ax.plot(self.tau, self.delta_tau, label=r"$C^x(\tau)$")
        if np.any(self.delta_tau_stderr > 0):
            ax.fill_between(self.tau, self.delta_tau - 2 * self.delta_tau_stderr,
                            self.delta_tau + 2 * self.delta_tau_stderr, alpha=0.3, lw=0)
        ax.plot(self.tau, self.c_phi_tau, label=r"$C^\phi(\tau)$")
        ax.set_xlabel(r"lag $\tau$")
        ax.set_ylabel("autocorrelation")
        ax.legend(frameon=False)
        ax.set_title(title if title is not None else
                     rf"$g_{{\rm eff}}={self.g_eff:.3g}$, $\rho={self.overlap:.3g}$ ({self.method})")
        return fig


# --------------------------------------------------------------------------- the mode law

def _mode_law(ens):
    """Signed mode values D (zeros dropped), their weights (summing to 1) and alpha_eff."""
    from ..ensembles.random_mode import _quadrature_nodes
    alpha = ens.n_modes_ratio
    if isinstance(ens.spectrum, tuple):
        vals = ens.scale * np.asarray(ens.spectrum, dtype=float)
        w = np.full(vals.size, 1.0 / vals.size)
    elif ens.spectrum == "flat":
        vals, w = np.array([float(ens.scale)]), np.ones(1)
    else:
        x, w = _quadrature_nodes(int(np.clip(math.ceil(0.75 / alpha), 15, 400)))
        vals = ens.scale * ens._shape(x)
    keep = vals != 0.0
    mass = float(w[keep].sum())
    if mass == 0.0:
        return np.empty(0), np.empty(0), 0.0
    return vals[keep], w[keep] / mass, alpha * mass


def mode_kernel(S_theta, modes, weights, overlap, alpha):
    r"""Self-coupling kernel and noise factor of random-mode couplings with overlap.

    Parameters
    ----------
    S_theta : array_like of complex
        Mean response :math:`S(\theta)` of a unit's rate to its input, at any frequencies.
    modes, weights : array_like
        Mode values :math:`D` and their probabilities (summing to 1).
    overlap : float or array_like
        :math:`\rho` (one value, or one per mode).
    alpha : float
        Modes per unit.

    Returns
    -------
    R, Q : ndarray
        :math:`R = \alpha\langle D\rho/(1 - D\rho S)\rangle` (complex) and
        :math:`Q = \alpha\langle D^2/|1 - D\rho S|^2\rangle` (real), shapes of ``S_theta``.

    Examples
    --------
    Two modes :math:`\pm d`: :math:`R = \alpha d^2\rho^2 S/(1 - d^2\rho^2 S^2)`:

    >>> import numpy as np
    >>> R, Q = mode_kernel(np.array([0.3 + 0.1j]), [2.0, -2.0], [0.5, 0.5], 0.6, 1.0)
    >>> S = 0.3 + 0.1j
    >>> bool(np.isclose(R[0], 1.44 * S / (1 - 1.44 * S * S)))
    True
    """
    S = np.asarray(S_theta, dtype=complex)
    d = np.asarray(modes, dtype=float)
    p = np.asarray(weights, dtype=float)
    dr = d * np.broadcast_to(np.asarray(overlap, dtype=float), d.shape)
    den = 1.0 - S[..., None] * dr
    R = alpha * (dr / den) @ p
    Q = alpha * ((d * d) / (den.real ** 2 + den.imag ** 2)) @ p
    return R, Q


# --------------------------------------------------------------------------- validation

def _solve_overlap_iv(ensemble, phi, dt, noise, method, n_paths, t_sweep, max_lag, n_iter,
                      n_final, n_chains, max_iter, seed):
    from ..ensembles import RandomMode
    if not isinstance(ensemble, RandomMode):
        raise ParameterError(f"`ensemble` must be a meanfield.ensembles.RandomMode; got "
                             f"ensemble={type(ensemble).__name__}")
    if ensemble.orthogonal:
        raise ParameterError("`ensemble` must have Gaussian modes (orthogonal=False): the cavity "
                             "derivation uses independent mode entries; got orthogonal=True")
    tf = _transfer.get(phi)
    if not tf.odd:
        raise ParameterError(f"`phi` must be an odd transfer function (tanh, erf, linear, ...): "
                             f"with <phi> != 0 the modes carry a static field, not treated here; "
                             f"got phi={tf.name!r}")
    dt = _checks.real("dt", dt, low=1e-3, high=1.0, allowed="a step in [0.001, 1]")
    noise = _checks.real("noise", noise, low=0.0, high=1e3)
    method = _checks.choice("method", method, _METHODS)
    n_paths = _checks.integer("n_paths", n_paths, low=2, high=100_000)
    t_sweep = _checks.real("t_sweep", t_sweep, low=10.0, high=1e6,
                           allowed="a duration in [10, 1e6] (time units)")
    max_lag = _checks.real("max_lag", max_lag, low=1.0, high=1e3, allowed="a lag in [1, 1000]")
    n_iter = _checks.integer("n_iter", n_iter, low=1, high=10_000)
    n_final = _checks.integer("n_final", n_final, low=2, high=10_000)
    max_iter = _checks.integer("max_iter", max_iter, low=4, high=10_000)
    n_chains = _checks.integer("n_chains", n_chains, low=2, high=1000)
    K = int(math.ceil(max_lag / dt))
    steps = int(round(t_sweep / dt))
    if steps <= 4 * K:
        raise ParameterError(f"`t_sweep` must be more than four times `max_lag` (the lags are "
                             f"measured on each path); got t_sweep={t_sweep!r}, max_lag={max_lag!r}")
    _checks.memory("n_paths", 8 * 8 * n_paths * (steps + 3 * K),
                   f"the {n_paths} paths of {steps + 3 * K} steps (eight arrays)")
    d, p, alpha = _mode_law(ensemble)
    if alpha == 0.0 or not np.all(np.isfinite(d)):
        raise ParameterError(f"`ensemble` has no nonzero finite modes (scale={ensemble.scale!r})")
    g_eff = math.sqrt(alpha * float(p @ (d * d)))
    if not g_eff <= 1e3:
        raise ParameterError(f"`ensemble` has g_eff={g_eff!r}: must be at most 1000")
    if not isinstance(seed, np.random.Generator) and seed is not None:
        _checks.rng(seed)
    return dict(tf=tf, dt=dt, noise=noise, method=method, n_paths=n_paths, t_sweep=t_sweep,
                K=K, steps=steps, n_iter=n_iter, n_final=n_final, max_iter=max_iter,
                n_chains=n_chains, d=d, p=p, alpha=alpha,
                g_eff=g_eff, rho=float(ensemble.overlap))


# --------------------------------------------------------------------------- public entry point

def solve_overlap(ensemble, phi="tanh", *, dt: float = 0.1, noise: float = 0.0,
                  method: str = "auto", n_paths: int = 128, t_sweep: float = 400.0,
                  max_lag: float = 60.0, n_iter: int = 3, n_final: int = 3,
                  n_chains: int = 4, max_iter: int = 60, seed=0,
                  check: bool = True) -> OverlapDMFTResult:
    r"""Stationary single-unit DMFT of random-mode couplings with left-right overlap.

    Solves the self-consistency of the single-unit process with the self-coupling kernel
    (module notes; the Euler map of :func:`meanfield.simulate` at step ``dt``)

    .. math::

        x_{t+1} = (1-h)x_t + h\Big(\eta_t + \sum_{k\ge0} R_k\phi(x_{t-k})\Big), \quad
        R(\theta) = \alpha\Big\langle\frac{D\rho}{1 - D\rho S(\theta)}\Big\rangle, \quad
        C^\eta = \alpha\Big\langle\frac{D^2}{|1 - D\rho S|^2}\Big\rangle C^\phi + \frac{\sigma^2}{h},

    with :math:`S` the mean response of :math:`\phi(x)` to the input, measured on the same
    process.

    Parameters
    ----------
    ensemble : RandomMode
        Gaussian random modes (``orthogonal=False``) with overlap :math:`\rho` =
        ``ensemble.overlap``; :math:`g_{\rm eff}^2 = \alpha\langle D^2\rangle \le 10^6`.
    phi : str or TransferFunction
        An odd transfer function (default ``"tanh"``).
    dt : float
        Euler step :math:`h \in [10^{-3}, 1]` (default 0.1; at :math:`\rho = 0`,
        :math:`g = 2`, tanh, :math:`\Delta_0` differs from continuous time by 6e-6 relative).
    noise : float
        White-noise amplitude :math:`\sigma \ge 0` (as in :func:`meanfield.simulate`).
    method : {"auto", "monte-carlo"}
        ``"auto"``: exact Gaussian solution where it exists (:math:`\rho = 0`; linear
        :math:`\phi`), Monte Carlo otherwise; ``"monte-carlo"``: always sample (for checks).
    n_paths, t_sweep, max_lag : int, float, float
        Paths per sweep (>= 2), time per path (> 4 ``max_lag``), largest lag of the kernel and
        of the correlation functions (time units).
    n_iter, n_final, n_chains, max_iter : int
        ``n_chains`` (>= 2) independent chains, each of at most ``max_iter`` (>= 4) warm-up
        sweeps of ``n_paths // 4`` paths, ``n_iter`` averaged and ``n_final`` final sweeps of
        ``n_paths`` paths; the standard errors are those of the chain means.
    seed : None, int or numpy.random.Generator
        Randomness of the Monte Carlo (default 0: reproducible).
    check : bool
        Raise :class:`~meanfield.errors.ConvergenceError` on failure (default); if False,
        return the result with ``success=False``.

    Returns
    -------
    OverlapDMFTResult

    Raises
    ------
    ParameterError
        Bad input (the message names the parameter and value).
    ConvergenceError
        With ``check=True``: the iteration did not settle, a mode is near its instability
        (:math:`\min|1 - D\rho S| < 0.05`), the correlations have not decayed by ``max_lag``,
        or (linear :math:`\phi`) no stationary state exists.

    Notes
    -----
    Cost: about ``n_chains * (n_iter + n_final + 3) * n_paths * t_sweep / dt`` steps of a
    memory of ``max_lag / dt`` lags (the warm-up takes 8-16 quarter sweeps): 15-20 s with the
    defaults at :math:`\rho = 0.3` on a shared 2-core machine.  At :math:`\rho = 0` the result is
    :func:`meanfield.dmft.solve` at :math:`g_{\rm eff}` exactly.

    References
    ----------
    D. G. Clark, O. Marschall, A. van Meegen, A. Litwin-Kumar, *Connectivity structure and
    dynamics of nonlinear recurrent neural networks*, Phys. Rev. X 15, 041019 (2025),
    arXiv:2409.01969 (the kernel and noise spectrum, Sec. on overlaps).

    Examples
    --------
    >>> import meanfield as mf
    >>> ens = mf.ensembles.RandomMode(1.0, spectrum=(1.0, -1.0), scale=2.0)   # g_eff = 2
    >>> res = mf.dmft.solve_overlap(ens, "tanh", dt=0.1)                     # rho = 0: exact
    >>> res.method, res.delta0 == mf.dmft.solve(2.0, "tanh", dt=0.1).delta0
    ('gaussian', True)
    """
    iv = _solve_overlap_iv(ensemble, phi, dt, noise, method, n_paths, t_sweep, max_lag, n_iter,
                           n_final, n_chains, max_iter, seed)
    if iv["method"] == "auto" and iv["rho"] == 0.0:
        res = _solve_gaussian(iv)
    elif iv["method"] == "auto" and iv["tf"] is _transfer.get("linear"):
        res = _solve_linear(iv)
    else:
        res = _solve_mc(iv, seed)
    if check and not res.success:
        raise ConvergenceError(f"solve_overlap: {res.message}", res)
    return res


def _common(iv):
    return dict(g_eff=iv["g_eff"], n_modes_ratio=iv["alpha"], overlap=iv["rho"],
                phi=iv["tf"].name, dt=iv["dt"], noise=iv["noise"])


def _corr_time(c, dt):
    if c[0] <= 0:
        return 0.0
    return float((np.sum(c) - 0.5 * c[0]) * dt / c[0])


def _solve_gaussian(iv):
    from ._solve import solve
    h, K = iv["dt"], iv["K"]
    sol = solve(iv["g_eff"], iv["tf"], noise=iv["noise"], dt=h, check=False)
    k = np.arange(K + 1)
    d_tau = np.asarray(sol.delta(k * h), dtype=float)
    c_phi = np.interp(k * h, sol.tau, sol.c_phi_tau, right=sol.c_phi_tau[-1])
    md = float(sol.mean_dphi) if sol.mean_dphi is not None else float("nan")
    resp = np.where(k >= 1, md * h * (1.0 - h) ** np.maximum(k - 1, 0), 0.0)
    return OverlapDMFTResult(
        delta0=float(sol.delta0), delta0_stderr=0.0, tau=k * h, delta_tau=d_tau,
        delta_tau_stderr=np.zeros(K + 1), c_phi_tau=c_phi, response_tau=resp,
        kernel_tau=np.zeros(K + 1), mean_dphi=md, correlation_time=float(sol.correlation_time),
        method="gaussian", success=bool(sol.success), status=0 if sol.success else 2,
        message=("rho = 0: the iid DMFT at g_eff (meanfield.dmft.solve); " + sol.message),
        nit=int(sol.nit), residual=float(sol.residual), residual_stderr=0.0, **_common(iv))


# --------------------------------------------------------------------------- linear phi

def _grid(L, h):
    theta = 2.0 * np.pi * np.arange(L // 2 + 1) / L
    sx = h / (np.exp(1j * theta) - (1.0 - h))
    return theta, sx


def _solve_linear(iv, L=2 ** 14, tol=1e-13, max_iter=100):
    h, K = iv["dt"], iv["K"]
    d, p, alpha, rho = iv["d"], iv["p"], iv["alpha"], iv["rho"]
    if iv["noise"] == 0.0:
        raise ParameterError("phi='linear' needs `noise` > 0 (a linear network without noise "
                             "decays to 0 or grows without bound); got noise=0.0")
    _, sx = _grid(L, h)
    # Newton on F(S) = S (1 - R(S) S^x) - S^x per frequency, continued in the overlap from the
    # iid root S = S^x (the physical branch)
    S = sx.copy()
    change = np.inf
    nit = 0
    for frac in np.linspace(0.0, 1.0, 11)[1:]:
        r_k = rho * frac
        for _ in range(max_iter):
            nit += 1
            R, _ = mode_kernel(S, d, p, r_k, alpha)
            dr = d * r_k
            dR = alpha * ((dr * dr) / (1.0 - S[:, None] * dr) ** 2) @ p
            F = S * (1.0 - R * sx) - sx
            step = F / (1.0 - R * sx - S * dR * sx)
            S = S - step
            change = float(np.max(np.abs(step)) / np.max(np.abs(S)))
            if change < tol:
                break
    R, Q = mode_kernel(S, d, p, rho, alpha)
    margin = float(np.min(np.abs(1.0 - np.outer(S, d * rho))))
    den = 1.0 - np.abs(S) ** 2 * Q
    ok = change < tol and np.all(den > 0) and margin >= _MODE_MARGIN
    if not np.all(den > 0):
        msg = "no stationary state: 1 - |S|^2 Q <= 0 at some frequency (the linear network grows)"
    elif margin < _MODE_MARGIN:
        msg = f"a mode is near its instability: min |1 - D rho S| = {margin:.3g}"
    elif change >= tol:
        msg = f"the Newton iteration for the response did not converge (last change {change:.2e})"
    else:
        msg = "converged (closed form per frequency)"
    cx = np.abs(S) ** 2 * (iv["noise"] ** 2 / h) / np.where(den > 0, den, np.nan)
    c_lags = np.fft.irfft(cx, L)
    s_lags = np.fft.irfft(S, L)
    r_lags = np.fft.irfft(R, L)
    d_tau = c_lags[:K + 1]
    return OverlapDMFTResult(
        delta0=float(d_tau[0]), delta0_stderr=0.0, tau=np.arange(K + 1) * h, delta_tau=d_tau,
        delta_tau_stderr=np.zeros(K + 1), c_phi_tau=d_tau.copy(), response_tau=s_lags[:K + 1],
        kernel_tau=r_lags[:K + 1], mean_dphi=1.0, correlation_time=_corr_time(d_tau, h),
        method="linear", success=bool(ok), status=0 if ok else 2, message=msg, nit=nit,
        residual=change, residual_stderr=0.0, **_common(iv))


# --------------------------------------------------------------------------- Monte Carlo

def _lags_to_spectrum(c, L, taper=True):
    """Even lag sequence c_0..c_K -> its (real) spectrum on the rfft grid of length L."""
    K = c.size - 1
    if taper:
        w = np.ones(K + 1)
        m = max(K // 4, 1)
        w[K + 1 - m:] = 0.5 * (1.0 + np.cos(np.pi * np.arange(1, m + 1) / m))
        c = c * w
    full = np.zeros(L)
    full[:K + 1] = c
    full[L - K:] = c[1:][::-1]
    return np.fft.rfft(full).real


def _causal_spectrum(s, L):
    full = np.zeros(L)
    full[:s.size] = s
    return np.fft.rfft(full)


def _sweep(gen, cphi, S, iv, L, M=None):
    """One sweep of M paths (default n_paths): per-path C^x, C^phi lags, S lags, mean phi',
    and the kernel used."""
    h, K, T = iv["dt"], iv["K"], iv["steps"]
    M = iv["n_paths"] if M is None else M
    tf = iv["tf"]
    Sth = _causal_spectrum(S, L)
    R, Q = mode_kernel(Sth, iv["d"], iv["p"], iv["rho"], iv["alpha"])
    margin = float(np.min(np.abs(1.0 - np.outer(Sth, iv["d"] * iv["rho"]))))
    ceta = Q * _lags_to_spectrum(cphi, L) + iv["noise"] ** 2 / h
    ceta = np.maximum(ceta, 0.0)
    r_lags = np.fft.irfft(R, L)[:K]
    burn = K + int(math.ceil(20.0 / h))
    n = burn + T
    eta = np.fft.irfft(np.fft.rfft(gen.standard_normal((M, L)), axis=1) * np.sqrt(ceta), L,
                       axis=1)[:, :n]
    # rows 0..M-1: the paths x; rows M..2M-1: their tangents dx driven by the white probe
    drive = np.ascontiguousarray(np.concatenate([eta, gen.standard_normal((M, n))]).T)
    hist = np.zeros((2 * M, n + K))
    xs = np.empty((n, M))
    z = np.zeros(2 * M)
    # block convolution: the memory from before the current block of B steps is one matrix
    # product per block (Toeplitz matrix of the kernel), the rest is summed step by step
    B = min(_BLOCK, K)
    j = np.arange(K - 1)[:, None]
    b = np.arange(B)[None, :]
    toep = np.where(j >= b, r_lags[np.minimum(b + K - 1 - j, K - 1)], 0.0)
    a = 1.0 - h
    for t0 in range(0, n, B):
        past = hist[:, t0 + 1:t0 + K] @ toep
        for t in range(t0, min(t0 + B, n)):
            bb = t - t0
            x = z[:M]
            xs[t] = x
            hist[:M, t + K] = tf.phi(x)
            hist[M:, t + K] = tf.dphi(x) * z[M:]
            z = a * z + h * (drive[t] + past[:, bb] + hist[:, t0 + K:t + K + 1] @ r_lags[bb::-1])
    xw = xs[burn:].T
    pw = hist[:M, K + burn:]
    dpw = hist[M:, K + burn:]
    zw = drive[burn:, M:].T
    nfft = 1 << int(math.ceil(math.log2(T + K + 1)))
    norm = (T - np.arange(K + 1))
    fx = np.fft.rfft(xw, nfft, axis=1)
    fp = np.fft.rfft(pw, nfft, axis=1)
    cx = np.fft.irfft(np.abs(fx) ** 2, nfft, axis=1)[:, :K + 1] / norm
    cp = np.fft.irfft(np.abs(fp) ** 2, nfft, axis=1)[:, :K + 1] / norm
    # S_k = E[dphi_{t+k} zeta_t]
    sr = np.fft.irfft(np.fft.rfft(dpw, nfft, axis=1) * np.conj(np.fft.rfft(zw, nfft, axis=1)),
                      nfft, axis=1)[:, :K + 1] / norm
    sr[:, 0] = 0.0
    md = tf.dphi(xw).mean(axis=1)
    return cx, cp, sr, md, r_lags, margin


def _solve_mc(iv, seed):
    from ._solve import solve
    gen = _checks.rng(seed)
    int_seed = seed if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) else None
    h, K = iv["dt"], iv["K"]
    L = 1 << int(math.ceil(math.log2(iv["steps"] + 2 * K + int(math.ceil(20.0 / h)) + 1)))
    k = np.arange(K + 1)
    # start: with noise, the quiet state (the network linearised at x = 0, phi ~ phi'(0) x) if
    # that linear network has a stationary state; otherwise the iid solution at g_eff.  (From
    # the iid start the iteration did not find the quiet state of a self-inhibited network:
    # exponential spectrum, rho = -0.3, erf, noise 0.1: 0.046 +- 0.011 against 0.0184 in the
    # simulation and 0.0189 in the linearised theory.)
    start = "iid"
    s0 = iv["tf"].slope0
    lin = None
    if iv["noise"] > 0.0 and s0 != 0.0:
        lin = _solve_linear(dict(iv, d=iv["d"] * s0))
    if lin is not None and lin.success:
        start = "quiet"
        cphi0 = s0 * s0 * lin.delta_tau
        S0 = s0 * lin.response_tau
        S0[0] = 0.0
    else:
        sol = solve(iv["g_eff"], iv["tf"], noise=iv["noise"], dt=h, check=False)
        cphi0 = np.interp(k * h, sol.tau, sol.c_phi_tau, right=0.0)
        md0 = (float(sol.mean_dphi) if sol.mean_dphi is not None and np.isfinite(sol.mean_dphi)
               else 0.5)
        S0 = np.where(k >= 1, md0 * h * (1.0 - h) ** np.maximum(k - 1, 0), 0.0)
    nit = 0
    margin = np.inf
    settled_warm = True
    chains = []
    # independent chains, each from the iid start: the spread of the chain means measures the
    # whole Monte Carlo error (the noise of each chain's input, amplified by the
    # self-consistency, included); a drift common to all chains shows in the residual
    while settled_warm and len(chains) < iv["n_chains"]:
        cphi, S = cphi0, S0
        # warm-up: plain substitution with a quarter of the paths until Delta0 stops drifting
        # (the mean of the last two sweeps within 2 standard errors of the two before)
        warm = max(iv["n_paths"] // 4, 2)
        trail = []
        settled_warm = False
        for _ in range(iv["max_iter"]):
            cx, cp, sr, md, _, margin = _sweep(gen, cphi, S, iv, L, warm)
            nit += 1
            cphi, S = cp.mean(axis=0), sr.mean(axis=0)
            if margin < _MODE_MARGIN or not np.all(np.isfinite(cphi)):
                break
            trail.append((cx[:, 0].mean(), cx[:, 0].std(ddof=1) / math.sqrt(warm)))
            if len(trail) >= 4:
                (m1, e1), (m2, e2), (m3, e3), (m4, e4) = trail[-4:]
                if abs(m3 + m4 - m1 - m2) < 2.0 * math.sqrt(e1 ** 2 + e2 ** 2 + e3 ** 2 + e4 ** 2):
                    settled_warm = True
                    break
        if not settled_warm:
            break
        # averaging (Robbins-Monro: the input is the running mean of the outputs), then the
        # final sweeps at the chain's input
        for it in range(iv["n_iter"]):
            cx, cp, sr, md, _, margin = _sweep(gen, cphi, S, iv, L)
            nit += 1
            lam = 1.0 / (it + 2)
            cphi = (1 - lam) * cphi + lam * cp.mean(axis=0)
            S = (1 - lam) * S + lam * sr.mean(axis=0)
        if margin < _MODE_MARGIN or not np.all(np.isfinite(cphi)):
            settled_warm = False
            break
        outs = [_sweep(gen, cphi, S, iv, L) for _ in range(iv["n_final"])]
        nit += iv["n_final"]
        chains.append((outs, cphi))
    common = _common(iv)
    if len(chains) < iv["n_chains"]:
        nan = np.full(K + 1, np.nan)
        return OverlapDMFTResult(
            delta0=float("nan"), delta0_stderr=float("nan"), tau=k * h, delta_tau=nan,
            delta_tau_stderr=nan, c_phi_tau=nan, response_tau=S, kernel_tau=nan,
            mean_dphi=float("nan"), correlation_time=float("nan"), method="monte-carlo",
            success=False, status=2,
            message=(f"a mode is near its instability (min |1 - D rho S| = {margin:.3g} < "
                     f"{_MODE_MARGIN}): outlier eigenvalues of J, outside this theory"
                     if margin < _MODE_MARGIN else "the iteration produced non-finite values"
                     if not np.all(np.isfinite(cphi)) else
                     f"Delta0 still drifted after max_iter={iv['max_iter']} warm-up sweeps: "
                     "increase `max_iter`"),
            nit=nit, residual=float("nan"), residual_stderr=float("nan"), n_paths=iv["n_paths"],
            t_sweep=iv["t_sweep"], seed=int_seed, **common)
    nc = len(chains)

    def chain_means(i):
        return np.array([np.concatenate([o[i] for o in outs]).mean(axis=0) for outs, _ in chains])

    cx, cp, sr, md = chain_means(0), chain_means(1), chain_means(2), chain_means(3)
    n = nc * iv["n_final"] * iv["n_paths"]
    d_tau = cx.mean(axis=0)
    d_err = cx.std(axis=0, ddof=1) / math.sqrt(nc)
    cp_mean = cp.mean(axis=0)
    dev_c = cp - np.array([c_in for _, c_in in chains])
    # two summaries of output - input per chain: at lag 0, and summed over the lags (the zero
    # frequency, the slowest direction of the iteration), each relative to the same of C^phi
    summ = np.stack([dev_c[:, 0] / cp_mean[0], dev_c.sum(axis=1) / cp_mean.sum()])
    dev = np.abs(summ.mean(axis=1))
    dev_err = summ.std(axis=1, ddof=1) / math.sqrt(nc)
    j = int(np.argmax(dev / np.maximum(dev_err, 1e-300)))
    residual, residual_err = float(dev[j]), float(dev_err[j])
    t_q = float(_stats.t.ppf(0.995, nc - 1))
    tail = float(np.max(np.abs(d_tau[-max(K // 10, 1):])) / d_tau[0])
    tw = cx[:, 3 * K // 4:].sum(axis=1) / np.sum(d_tau)
    tail_weight, tail_weight_err = float(tw.mean()), float(tw.std(ddof=1) / math.sqrt(nc))
    margin = min(margin, min(o[5] for outs, _ in chains for o in outs))
    # converged: both means over chains of output - input within the Student-t 99.5% quantile
    # (nc - 1 dof) of their standard errors
    settled = bool(residual <= t_q * residual_err + 1e-12)
    if margin < _MODE_MARGIN:
        ok, msg = False, (f"a mode is near its instability (min |1 - D rho S| = {margin:.3g})")
    elif tail > _TAIL or (tail_weight > _TAIL_WEIGHT and tail_weight > 3.0 * tail_weight_err):
        ok, msg = False, (f"C^x has not decayed by max_lag={K * h:g} ({tail:.2g} of C^x(0) left "
                          f"at the end, {tail_weight:.2g} +- {tail_weight_err:.1g} of its sum in the last "
                          "quarter of the lags): increase `max_lag` (and `t_sweep`)")
    elif not settled:
        ok, msg = False, (f"the self-consistency did not settle: C^phi_out - C^phi_in = "
                          f"{residual:.2e} (relative), Monte Carlo error {residual_err:.1e}: "
                          "increase `max_iter`, `n_iter` or `n_paths`")
    else:
        ok, msg = True, (f"converged within Monte Carlo error (from the {start} state; {nc} "
                         f"chains, {n} paths of "
                         f"{iv['t_sweep']:g} in the final stages; relative residual "
                         f"{residual:.1e} +- {residual_err:.1e})")
    return OverlapDMFTResult(
        delta0=float(d_tau[0]), delta0_stderr=float(d_err[0]), tau=k * h, delta_tau=d_tau,
        delta_tau_stderr=d_err, c_phi_tau=cp_mean, response_tau=sr.mean(axis=0),
        kernel_tau=np.concatenate([chains[-1][0][-1][4], [0.0]])[:K + 1], mean_dphi=float(md.mean()),
        correlation_time=_corr_time(d_tau, h), method="monte-carlo", success=ok,
        status=0 if ok else 2, message=msg, nit=nit, residual=residual,
        residual_stderr=residual_err, n_paths=iv["n_paths"], t_sweep=iv["t_sweep"],
        seed=int_seed, **common)
