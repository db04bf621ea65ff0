"""Result objects of the DMFT solvers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy.interpolate import CubicSpline

from .._results import ResultMixin

__all__ = ["DMFTResult", "FixedPointResult"]


@dataclass(frozen=True, repr=False)
class DMFTResult(ResultMixin):
    r"""Stationary solution of the dynamic mean-field theory.

    The field :math:`x` of a unit is Gaussian with mean ``mu`` and connected
    autocovariance :math:`\Delta(\tau)` (``delta_tau`` on the lag grid ``tau``;
    any lag through :meth:`delta`).  Several populations: every per-population
    field is an array with the population as first axis.

    Attributes
    ----------
    delta0, delta_inf, mu : float or ndarray
        :math:`\Delta(0)`, :math:`\Delta(\infty)` and the mean of :math:`x`.
    tau : ndarray
        Non-negative lags (time units of the single-unit time constant).
    delta_tau, c_phi_tau, c_dphi_tau : ndarray
        :math:`\Delta(\tau)`, :math:`C_\phi(\tau)=\langle\phi\phi\rangle` (full, not
        connected) and :math:`C_{\phi'}(\tau)` on ``tau``.
    decay_rate : float or ndarray
        Rate :math:`\kappa` of the exponential approach
        :math:`\Delta(\tau)-\Delta_\infty \propto e^{-\kappa\tau}` beyond the grid.
    correlation_time : float or ndarray
        :math:`\int_0^\infty (\Delta(\tau)-\Delta_\infty)/(\Delta_0-\Delta_\infty)\,d\tau`;
        0 for a static fixed point (no temporal fluctuations).
    state : str
        ``"chaotic"`` (self-sustained fluctuations without noise), ``"fluctuating"``
        (with noise; whether the dynamics is chaotic is told by the sign of
        :func:`meanfield.dmft.lyapunov`) or ``"fixed-point"`` (static solution).
    mean_dphi : float or ndarray or None
        :math:`\langle\phi'(x)\rangle` over the stationary distribution of the field
        (per population).  ``None`` only in results saved before it existed.
    outliers : ndarray or None
        Static fixed point: the outlier eigenvalues of :math:`J\,\mathrm{diag}\,\phi'(x)`
        (complex, largest real part first; empty when the whole spectrum is in the bulk
        disk), which :func:`meanfield.dmft.lyapunov` needs with the bulk radius.  They are
        the eigenvalues, outside the disk, of the Jacobian of the static map
        :math:`(\mu, \Delta) \mapsto (J_0\langle\phi\rangle + I_0,\
        g^2\langle\phi^2\rangle + \sigma_I^2)`, which reduces to the mean-mode eigenvalue
        :math:`J_0\langle\phi'\rangle` without a mean.  ``None`` for fluctuating states,
        at a kink (below) and in results saved before it existed.
    kink_slopes : tuple or None
        Static fixed point with zero variance whose units all sit at a kink of
        :math:`\phi` (relu at :math:`\mu = 0`): the one-sided slopes
        :math:`(b_+, b_-)` there, which set the growth of perturbations (several
        populations: one entry per population, ``None`` for those not at a kink).
        ``None`` otherwise.
    success, status, message, nit, residual
        Convergence report (``message`` says more); ``residual`` is the largest
        violation of the self-consistency equations reached, relative to
        :math:`\Delta_0`.

        ======  =======  ============================================================
        status  success  meaning
        ======  =======  ============================================================
        0       True     converged (a static fixed point: linearly stable, or at a
                         kink where the message says what was assessed)
        2       False    the solver stopped short of the tolerance or rejected its
                         solution (non-physical root, lag range too short)
        3       True     the fluctuating (spectral) solve failed without noise and
                         the linearly stable static fixed point was returned instead;
                         the message says whether the energy method confirmed that no
                         chaotic solution exists (continuous time) or not (Euler map:
                         chaos can coexist below the local instability)
        4       False    the only self-consistent solution found is a static fixed
                         point that is linearly unstable (for the Euler map: a
                         multiplier of modulus above 1), so it is not the state the
                         network settles in
        5       False    the CPU-time budget ``max_time`` ran out; every value is NaN,
                         ``state`` is ``"unknown"`` and ``method`` ``"none"``
        ======  =======  ============================================================
    method : str
        ``"potential"``, ``"spectral"`` or ``"static"``.
    g, phi, noise, J0, I0, input_std, dt, fractions
        The parameters that produced the result (``phi`` by name).

    Examples
    --------
    >>> import meanfield as mf
    >>> res = mf.dmft.solve(0.5, noise=0.1)
    >>> res.success, res.status, res.state
    (True, 0, 'fluctuating')
    >>> round(res.delta0, 5), round(res.delta_inf, 5)
    (0.00576, 0.0)
    >>> res.to_dict()["phi"]
    'tanh'
    """

    delta0: float | np.ndarray
    delta_inf: float | np.ndarray
    mu: float | np.ndarray
    tau: np.ndarray
    delta_tau: np.ndarray
    c_phi_tau: np.ndarray
    c_dphi_tau: np.ndarray
    decay_rate: float | np.ndarray
    correlation_time: float | np.ndarray
    state: str
    success: bool
    status: int
    message: str
    nit: int
    residual: float
    method: str
    g: float | np.ndarray
    phi: str
    noise: float | np.ndarray = 0.0
    J0: float | np.ndarray = 0.0
    I0: float | np.ndarray = 0.0
    input_std: float | np.ndarray = 0.0
    dt: float | None = None
    fractions: np.ndarray | None = field(default=None)
    mean_dphi: float | np.ndarray | None = None
    outliers: np.ndarray | None = None
    kink_slopes: tuple | None = None

    _repr_fields = ("phi", "g", "noise", "J0", "I0", "input_std", "dt", "delta0", "delta_inf",
                    "mu", "correlation_time", "state", "method", "success", "message", "nit",
                    "residual")

    @property
    def n_populations(self) -> int:
        return 1 if np.ndim(self.delta0) == 0 else int(np.shape(self.delta0)[0])

    @cached_property
    def _spline(self):
        return CubicSpline(self.tau, np.atleast_2d(self.delta_tau), axis=1, bc_type="not-a-knot")

    def delta(self, tau):
        r"""Autocovariance :math:`\Delta(\tau)` at any lags (even in :math:`\tau`).

        Inside the lag grid by cubic-spline interpolation of ``delta_tau``
        (for ``dt`` set, the theory is defined at multiples of ``dt``); beyond it
        by the exponential tail
        :math:`\Delta_\infty + (\Delta(\tau_{\max}) - \Delta_\infty) e^{-\kappa(\tau - \tau_{\max})}`.

        Returns
        -------
        ndarray
            Shape of ``tau`` for one population, ``(P,) + shape(tau)`` for ``P``.

        Examples
        --------
        >>> import meanfield as mf
        >>> res = mf.dmft.solve(0.5, noise=0.1)
        >>> [round(float(v), 5) for v in res.delta([0.0, 1.0, -1.0, 2.0])]
        [0.00576, 0.00242, 0.00242, 0.00102]
        """
        t = np.abs(np.asarray(tau, dtype=float))
        dtau = np.atleast_2d(self.delta_tau)
        tmax = self.tau[-1]
        inside = self._spline(np.minimum(t, tmax))
        dinf = np.atleast_1d(self.delta_inf).reshape((-1,) + (1,) * t.ndim)
        kappa = np.atleast_1d(self.decay_rate).reshape((-1,) + (1,) * t.ndim)
        last = dtau[:, -1].reshape((-1,) + (1,) * t.ndim)
        with np.errstate(over="ignore", under="ignore"):
            tail = dinf + (last - dinf) * np.exp(-kappa * (t - tmax))
        out = np.where(t <= tmax, inside, tail)
        return out[0] if np.ndim(self.delta0) == 0 else out

    def plot(self, ax=None, *, title=None):
        r"""Draw :math:`\Delta(\tau)` (one curve per population) and :math:`\Delta_\infty`.

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
        >>> fig = mf.dmft.solve(2.0, "tanh").plot()
        >>> fig.axes[0].get_xlabel()
        'lag $\\tau$'
        """
        from ..plotting._dmft import plot_dmft
        return plot_dmft(self, ax=ax, title=title)


@dataclass(frozen=True, repr=False)
class FixedPointResult(ResultMixin):
    r"""Static mean-field fixed point and its linear stability.

    The fixed point has :math:`\Delta_0 = g^2\langle\phi^2\rangle + \sigma_I^2` and
    :math:`\mu = J_0\langle\phi\rangle + I_0`.  The Jacobian
    :math:`-1 + J\,\mathrm{diag}(\phi'(x))` has a bulk of radius
    :math:`r = g\sqrt{\langle\phi'^2\rangle}` centred at :math:`-1`, and outliers at
    :math:`-1 + \lambda` for the eigenvalues :math:`\lambda` of

    .. math::

        \begin{pmatrix} J_0\langle\phi'\rangle & \tfrac12 J_0\langle\phi''\rangle \\
        2g^2\langle\phi\phi'\rangle & g^2\langle\phi'^2 + \phi\phi''\rangle \end{pmatrix}

    (the Jacobian of the static map in :math:`(\mu, \Delta_0)`) that lie outside the bulk,
    :math:`|\lambda| > r`; without a mean this is the mean-mode eigenvalue
    :math:`J_0\langle\phi'\rangle` (see ``meanfield/dmft/_static.py``).

    Attributes
    ----------
    delta0, mu : float or ndarray
        Variance (across units) and mean of the fixed point.
    bulk_radius : float
        :math:`r`; the bulk is stable when :math:`r < 1`.  At a kink with
        :math:`\Delta_0 = 0` (below): the growth factor :math:`s` of perturbations.
    outlier : float or complex or None
        The outlier eigenvalue of :math:`J\,\mathrm{diag}(\phi')` with the largest real
        part (complex, with positive imaginary part, for a complex pair; ``None`` if
        there is none).
    max_real_eigenvalue : float
        Largest real part of the Jacobian spectrum (bulk edge or outlier).
    stable : bool
        ``max_real_eigenvalue < 0``.
    outliers : ndarray or None
        All outlier eigenvalues (complex, largest real part first).

    Notes
    -----
    When :math:`\Delta_0 = 0` and :math:`\mu` sits at a kink of :math:`\phi` (relu with
    no input), there is no Jacobian: small perturbations follow the positively
    homogeneous network with the one-sided slopes :math:`(b_+, b_-)` of :math:`\phi` at
    :math:`\mu`, whose fastest self-similar pattern grows as :math:`e^{(s-1)t}`
    (:math:`s = g\sqrt{(b_+^2 + b_-^2)/2}` without mean coupling; in general
    ``meanfield/dmft/_bounded.py``).  Then ``bulk_radius`` is :math:`s`,
    ``max_real_eigenvalue`` is :math:`s - 1`, ``outlier`` is ``None`` and the message
    says so.

    Examples
    --------
    >>> import meanfield as mf
    >>> fp = mf.dmft.fixed_point(0.5, I0=0.3)
    >>> round(fp.delta0, 5), round(fp.mu, 5), round(fp.bulk_radius, 4)
    (0.02543, 0.3, 0.451)
    >>> fp.stable, fp.success, fp.outlier is None
    (True, True, True)
    """

    delta0: float | np.ndarray
    mu: float | np.ndarray
    bulk_radius: float
    outlier: float | None
    max_real_eigenvalue: float
    stable: bool
    success: bool
    status: int
    message: str
    nit: int
    residual: float
    g: float | np.ndarray
    phi: str
    J0: float | np.ndarray = 0.0
    I0: float | np.ndarray = 0.0
    input_std: float | np.ndarray = 0.0
    fractions: np.ndarray | None = None
    outliers: np.ndarray | None = None

    def plot(self, ax=None, *, title=None):
        r"""Draw the Jacobian's spectrum: the bulk disk around -1, the outliers, Re = 0.

        The Jacobian :math:`-1 + J\,\mathrm{diag}(\phi'(x^*))` of the fixed point has
        a bulk disk of radius ``bulk_radius`` centred at -1 and the ``outliers``
        (shifted by -1); the state is linearly stable when everything lies left of
        :math:`\mathrm{Re} = 0`.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        title : str, optional

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import meanfield as mf
        >>> fig = mf.dmft.fixed_point(0.5, J0=2.0, I0=0.2).plot()
        >>> fig.axes[0].get_xlabel()
        'Re $\\lambda$'
        """
        from ..plotting._dmft import plot_fixed_point
        return plot_fixed_point(self, ax=ax, title=title)
