r"""Theory against simulation: matched statistics, standard scores, a pass test.

:func:`compare` puts a stationary DMFT solution (:func:`meanfield.dmft.solve`)
next to what the finite-size simulator measured (:func:`meanfield.simulate`,
or :func:`meanfield.simulate.lyapunov`) and returns a :class:`Comparison`: one
:class:`Row` per statistic with the theory value, the simulation
:class:`~meanfield.estimate.Estimate` (mean ± standard error) and the standard
score :math:`z = (\bar y - \text{theory}) / \text{stderr}`.

The theory side is the *expected value of the simulator's estimator* given the
theory's autocovariance, so that the comparison is exact in expectation (see
:func:`expected_connected_autocovariance`): the simulator subtracts each unit's
time mean over a finite window, which biases :math:`\Delta(\tau)` low by about
:math:`2\tau_c\Delta_0/T`.  This module sits on top of both the theory and the
simulator; neither imports it.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import _checks
from ._callable import make_callable
from ._results import AlwaysSucceeds
from .dmft import DMFTResult
from .dmft import lyapunov as _dmft_lyapunov
from .errors import ParameterError
from .estimate import Estimate
from .simulate import LyapunovResult, SimulationResult, block_bounds

__all__ = ["compare", "Comparison", "Row", "StepSizeWarning", "expected_connected_autocovariance",
           "QUANTITIES"]

#: Quantities a :class:`Row` can hold.
QUANTITIES = ("mu", "delta0", "delta_tau", "c_phi_tau", "lambda_max")
_DEFAULT_N_LAGS = 8
#: Default pass criterion: standard errors allowed for sampling error.
_K = 4.0


class StepSizeWarning(UserWarning):
    """The theory and the simulation integrate with time steps that differ enough to matter.

    Issued by :func:`compare` when the first-order step-size bias
    :math:`|h_\text{sim} - h_\text{theory}|/2` exceeds ``dt_rtol`` (see there).  The fix
    is to solve the theory for the simulator's Euler map, ``solve(..., dt=run.dt)``.

    Examples
    --------
    >>> issubclass(StepSizeWarning, UserWarning)
    True
    """


# ---------------------------------------------------------------------------
# the exact expectation of the simulator's mean-subtracted estimator
# ---------------------------------------------------------------------------

def expected_connected_autocovariance(gamma, T: int, ks) -> np.ndarray:
    r"""Expected value of the window-mean-subtracted autocovariance estimator.

    For a stationary sequence :math:`y_0, \ldots, y_{T-1}` with autocovariance
    :math:`\gamma_j = \mathrm{Cov}(y_t, y_{t+j})` and window mean
    :math:`m = \frac1T\sum_t y_t`, the estimator the simulator uses,

    .. math::

        \hat\Delta(k) = \frac{1}{T-k}\sum_{t=0}^{T-k-1} (y_t - m)(y_{t+k} - m),

    has the exact expectation

    .. math::

        \mathrm{E}\,\hat\Delta(k) = \gamma_k
        - \frac{1}{T-k}\Big(\sum_{t=0}^{T-k-1} c_t + \sum_{t=k}^{T-1} c_t\Big)
        + \mathrm{Var}(m),
        \qquad c_t = \mathrm{Cov}(y_t, m) = \frac1T\sum_{s=0}^{T-1}\gamma_{|t-s|},
        \quad \mathrm{Var}(m) = \frac1T\sum_t c_t .

    For :math:`T \gg \tau_c` this is :math:`\gamma_k - 2\tau_c\gamma_0/(T h) + O(T^{-2})`
    (lag spacing :math:`h`, :math:`\tau_c = \sum_j h\gamma_j/\gamma_0`).

    Parameters
    ----------
    gamma : array_like, shape (..., T)
        :math:`\gamma_j` for :math:`j = 0, \ldots, T-1` (leading axes broadcast,
        e.g. populations).
    T : int
        Window length in samples (>= 2).
    ks : array_like of int
        Lags (in samples) at which to evaluate, ``0 <= k < T``.

    Returns
    -------
    ndarray, shape (..., len(ks))

    Examples
    --------
    >>> import numpy as np
    >>> e = expected_connected_autocovariance(np.ones(10), 10, [0, 3])   # a constant: removed
    >>> bool(np.allclose(e, 0.0))
    True
    """
    T = _checks.integer("T", T, low=2)
    g = np.asarray(gamma, dtype=np.float64)
    if g.shape[-1] != T:
        raise ParameterError(f"`gamma` must have T={T} lags on its last axis; got shape {g.shape}")
    ks = np.asarray(ks, dtype=int)
    if np.any(ks < 0) or np.any(ks >= T):
        raise ParameterError(f"`ks` must lie in [0, T-1={T - 1}]; got {ks.tolist()}")
    G = np.cumsum(g, axis=-1)                             # G[m] = sum_{j<=m} gamma_j
    t = np.arange(T)
    # sum_{s<T} gamma_|t-s| = sum_{j<=t} gamma_j + sum_{1<=j<=T-1-t} gamma_j
    c = (G[..., t] + G[..., T - 1 - t] - g[..., :1]) / T
    var_m = c.mean(axis=-1, keepdims=True)
    cs = np.concatenate([np.zeros(g.shape[:-1] + (1,)), np.cumsum(c, axis=-1)], axis=-1)
    left = cs[..., T - ks]                                # sum_{t < T-k} c_t
    right = cs[..., T:T + 1] - cs[..., ks]                # sum_{t >= k} c_t
    return g[..., ks] - (left + right) / (T - ks) + var_m


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    r"""One matched statistic.

    Attributes
    ----------
    name : str
        Label, e.g. ``"delta0"``, ``"delta(tau=2)"``, ``"mu[1]"``.
    quantity : str
        One of :data:`QUANTITIES`.
    theory : float
        The value the simulation should show in expectation: the DMFT value,
        window-corrected for ``delta0`` and ``delta_tau`` (see
        :func:`expected_connected_autocovariance`).
    theory_infinite : float
        The plain :math:`N=\infty` theory value (no window correction;
        :math:`\Delta(\tau) - \Delta_\infty` for the connected statistics).
    simulation : Estimate
        Mean ± standard error over independent samples.
    scale : float
        What a relative budget multiplies: :math:`|\text{theory}|` for scalars,
        the theory's :math:`\Delta_0` (window-corrected) for ``delta_tau`` rows.
    lag : float or None
        :math:`\tau` for lag-resolved rows.
    population : int or None
        Population index for multi-population comparisons.
    k, budget : float
        The pass criterion: :math:`k` standard errors plus the relative
        finite-size budget :math:`b` (this row's quantity's share of the
        comparison's ``budget``).
    tolerance : float
        :math:`k\,\text{stderr} + b\,\text{scale}` (a property).
    passed : bool
        :math:`|\bar y - \text{theory}| < \text{tolerance}` (a property).

    Examples
    --------
    >>> from meanfield.estimate import Estimate
    >>> row = Row("delta0", "delta0", 1.0, 1.0, Estimate(1.05, 0.01, 8), 1.0, budget=0.02)
    >>> round(row.z, 6), round(row.tolerance, 6), row.passed
    (5.0, 0.06, True)
    """

    name: str
    quantity: str
    theory: float
    theory_infinite: float
    simulation: Estimate
    scale: float
    lag: float | None = None
    population: int | None = None
    k: float = _K
    budget: float = 0.0

    @property
    def z(self) -> float:
        r"""Standard score :math:`(\bar y - \text{theory})/\text{stderr}`."""
        return float(self.simulation.z(self.theory))

    @property
    def deviation(self) -> float:
        """``simulation.mean - theory``."""
        return float(self.simulation.mean) - self.theory

    @property
    def relative_deviation(self) -> float:
        """``deviation / scale`` (nan when the scale is 0)."""
        return self.deviation / self.scale if self.scale > 0 else math.nan

    @property
    def tolerance(self) -> float:
        r"""``k * stderr + budget * scale``."""
        return self.k * float(self.simulation.stderr) + self.budget * self.scale

    @property
    def passed(self) -> bool:
        r""":math:`|\bar y - \text{theory}| < k\,\text{stderr} + b\,\text{scale}`."""
        return bool(abs(self.deviation) < self.tolerance)


def _budget_iv(budget):
    """A float or a read-only {quantity: float} mapping, checked."""
    if isinstance(budget, Mapping):
        unknown = set(budget) - set(QUANTITIES)
        if unknown:
            raise ParameterError(f"`budget` keys must be among {QUANTITIES}; got {sorted(unknown)}")
        return {q: _checks.nonnegative(f"budget[{q!r}]", v) for q, v in budget.items()}
    return _checks.nonnegative("budget", budget)


def _row_budget(budget, quantity) -> float:
    if isinstance(budget, Mapping):
        return float(budget.get(quantity, 0.0))
    return float(budget)


@dataclass(frozen=True, repr=False)
class Comparison(AlwaysSucceeds):
    r"""Theory against simulation, statistic by statistic.

    Attributes
    ----------
    rows : tuple of Row
    sol : DMFTResult
        The theory compared.
    tau : ndarray or None
        The simulation lags of the autocovariance curve (None for a Lyapunov
        comparison).
    theory_curve, theory_curve_infinite : ndarray or None
        Window-corrected and plain theory :math:`\Delta(\tau) - \Delta_\infty`
        on ``tau`` (shape ``(P, len(tau))``).
    simulation_curve : Estimate or None
        Simulated :math:`\Delta(\tau)` on ``tau`` (mean and stderr of shape ``(P, len(tau))``).
    population_labels : tuple of str
    window_corrected : bool
        Whether the theory side carries the finite-window correction.
    notes : tuple of str
        Caveats found while matching (e.g. continuous-time theory against an
        Euler simulation).
    k : float
        The pass criterion's number of standard errors (default 4).
    budget : float or dict
        The pass criterion's relative finite-size budget :math:`b(N)`: one number, or
        one per quantity (``{"delta0": 0.02, "delta_tau": 0.02}``; missing ones are 0).
    passed : bool
        Whether every row passes (a property; see :meth:`with_criterion` to judge
        the same comparison with another ``k`` or ``budget``).
    success, status, message
        Properties: ``success`` is always True and ``status`` 0 (what cannot be
        compared raises :class:`~meanfield.errors.ParameterError` in :func:`compare`);
        whether theory and simulation agree is ``passed``, and ``message`` says which
        rows fail.

    Notes
    -----
    ``to_dict()`` (the fields with ``passed``, ``max_abs_z`` and the status
    vocabulary, JSON-ready), ``save(path)``/``Comparison.load(path)`` (``.npz`` + JSON,
    with the rows and the theory ``sol`` inside) and ``==`` (field by field) are those
    of every result, :class:`meanfield._results.ResultMixin`.

    Examples
    --------
    >>> from meanfield.estimate import Estimate
    >>> rows = (Row("mu", "mu", 0.0, 0.0, Estimate(0.01, 0.01, 8), 0.0),
    ...         Row("delta0", "delta0", 1.0, 1.0, Estimate(1.03, 0.005, 8), 1.0))
    >>> cmp = Comparison(rows=rows, sol=None)
    >>> cmp.passed, [r.name for r in cmp.failures()]
    (False, ['delta0'])
    >>> cmp.success, cmp.message
    (True, '1 of 2 rows outside tolerance: delta0')
    >>> cmp.with_criterion(budget={"delta0": 0.02}).passed
    True
    >>> import tempfile, pathlib
    >>> path = cmp.save(pathlib.Path(tempfile.mkdtemp()) / "cmp")
    >>> Comparison.load(path) == cmp
    True
    """

    rows: tuple
    sol: DMFTResult = field(repr=False)
    tau: np.ndarray | None = field(default=None, repr=False)
    theory_curve: np.ndarray | None = field(default=None, repr=False)
    theory_curve_infinite: np.ndarray | None = field(default=None, repr=False)
    simulation_curve: Estimate | None = field(default=None, repr=False)
    population_labels: tuple = ()
    window_corrected: bool = True
    notes: tuple = ()
    k: float = _K
    budget: float | Mapping[str, float] = 0.0

    _dict_properties = ("passed", "max_abs_z")

    def __post_init__(self):
        k = _checks.nonnegative("k", self.k)
        budget = _budget_iv(self.budget)
        object.__setattr__(self, "k", k)
        object.__setattr__(self, "budget", budget)
        rows = tuple(dataclasses.replace(r, k=k, budget=_row_budget(budget, r.quantity))
                     for r in self.rows)
        object.__setattr__(self, "rows", rows)

    def __getitem__(self, name: str) -> Row:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    @property
    def max_abs_z(self) -> float:
        """Largest :math:`|z|` over the rows (inf if a row has zero stderr and misses)."""
        zs = [abs(r.z) for r in self.rows]
        return float(np.nanmax(zs)) if zs else 0.0

    @property
    def message(self) -> str:
        """``"all n rows within tolerance"`` or which rows fail (the stored criterion)."""
        bad = [r.name for r in self.rows if not r.passed]
        if not bad:
            return f"all {len(self.rows)} rows within tolerance"
        return f"{len(bad)} of {len(self.rows)} rows outside tolerance: {', '.join(bad)}"

    @property
    def passed(self) -> bool:
        r"""Whether every row satisfies :math:`|\bar y - \text{theory}| < k\,\text{stderr} + b\,
        \text{scale}` (the stored criterion ``k``, ``budget``)."""
        return all(r.passed for r in self.rows)

    def with_criterion(self, k: float | None = None,
                       budget: float | Mapping[str, float] | None = None) -> Comparison:
        r"""The same comparison judged with another pass criterion.

        Parameters
        ----------
        k : float, optional
            Number of standard errors allowed for sampling error (default: keep).
        budget : float or mapping, optional
            Relative finite-size bias budget :math:`b(N)` (one number, or one per
            quantity), multiplying each row's ``scale`` (default: keep).

        Returns
        -------
        Comparison
            A copy; ``self`` is unchanged.

        Examples
        --------
        >>> from meanfield.estimate import Estimate
        >>> cmp = Comparison(rows=(Row("mu", "mu", 0.0, 0.0, Estimate(0.05, 0.01, 8), 0.0),),
        ...                  sol=None)
        >>> cmp.passed, cmp.with_criterion(k=6).passed, cmp.k
        (False, True, 4.0)
        """
        return dataclasses.replace(self, k=self.k if k is None else k,
                                   budget=self.budget if budget is None else budget)

    def _judged(self, k, budget) -> Comparison:
        return self if k is None and budget is None else self.with_criterion(k, budget)

    def row_passed(self, k: float | None = None, budget=None) -> list[bool]:
        """Per-row pass flags, under the stored criterion unless ``k``/``budget`` are given.

        Examples
        --------
        >>> from meanfield.estimate import Estimate
        >>> cmp = Comparison(rows=(Row("mu", "mu", 0.0, 0.0, Estimate(0.05, 0.01, 8), 0.0),),
        ...                  sol=None)
        >>> cmp.row_passed(), cmp.row_passed(k=6)
        ([False], [True])
        """
        return [r.passed for r in self._judged(k, budget).rows]

    def failures(self, k: float | None = None, budget=None) -> list[Row]:
        """The rows that fail, under the stored criterion unless ``k``/``budget`` are given.

        Examples
        --------
        >>> from meanfield.estimate import Estimate
        >>> cmp = Comparison(rows=(Row("mu", "mu", 0.0, 0.0, Estimate(0.05, 0.01, 8), 0.0),),
        ...                  sol=None)
        >>> [r.name for r in cmp.failures()], cmp.failures(k=6)
        (['mu'], [])
        """
        return [r for r in self._judged(k, budget).rows if not r.passed]

    def table(self, k: float | None = None, budget=None) -> str:
        """Markdown table of the rows; with ``k`` or ``budget`` given, also tolerance and pass/fail.

        Examples
        --------
        >>> from meanfield.estimate import Estimate
        >>> cmp = Comparison(rows=(Row("mu", "mu", 0.0, 0.0, Estimate(0.05, 0.01, 8), 0.0),),
        ...                  sol=None)
        >>> print(cmp.table(k=6))
        | quantity | theory | theory (N=inf) | simulation | z | tolerance | pass |
        |---|---|---|---|---|---|---|
        | mu | 0 | 0 | 0.050 ± 0.010 (n=8) | +5.00 | 0.06 | pass |
        """
        judged = k is not None or budget is not None
        head = "| quantity | theory | theory (N=inf) | simulation | z |"
        sep = "|---|---|---|---|---|"
        if judged:
            head += " tolerance | pass |"
            sep += "---|---|"
        lines = [head, sep]
        for r in self._judged(k, budget).rows:
            line = (f"| {r.name} | {r.theory:.6g} | {r.theory_infinite:.6g} | {r.simulation} "
                    f"| {r.z:+.2f} |")
            if judged:
                line += f" {r.tolerance:.3g} | {'pass' if r.passed else 'FAIL'} |"
            lines.append(line)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"Comparison({len(self.rows)} rows, max |z| = {self.max_abs_z:.2f}, "
                f"window_corrected={self.window_corrected})\n{self.table()}")

    def plot(self, ax=None, **kwargs):
        """Theory curve over the simulation points with error bars; returns the Figure.

        See :func:`meanfield.plotting.plot_comparison` for the keyword arguments
        (``title``, ``show_infinite``) and an example with a simulated autocovariance.

        Examples
        --------
        >>> import meanfield as mf
        >>> from meanfield.estimate import Estimate
        >>> rows = (Row("mu", "mu", 0.0, 0.0, Estimate(0.01, 0.01, 8), 0.0),
        ...         Row("delta0", "delta0", 0.0, 0.0, Estimate(0.02, 0.01, 8), 1.0))
        >>> cmp = Comparison(rows=rows, sol=mf.dmft.solve(g=0.5))
        >>> fig = cmp.plot()               # no curve (tau is None): one point per row
        >>> type(fig).__name__, [t.get_text() for t in fig.axes[0].get_xticklabels()]
        ('Figure', ['mu', 'delta0'])
        >>> fig.axes[0].get_title()
        'tanh, g=0.5, max |z| = 2.00'
        """
        from .plotting import plot_comparison
        return plot_comparison(self, ax=ax, **kwargs)


# ---------------------------------------------------------------------------
# matching
# ---------------------------------------------------------------------------

def _theory_gamma(sol, h, T):
    """Theory Delta(j h) - Delta_inf for j < T, shape (P, T)."""
    tau = h * np.arange(T)
    d = np.atleast_2d(sol.delta(tau))
    return d - np.atleast_1d(sol.delta_inf)[:, None]


def _expected(sol, h, lengths, ks, corrected):
    """Expected estimator at sample lags ks averaged over blocks of the given lengths."""
    if not corrected:
        return _theory_gamma(sol, h, int(max(ks)) + 1)[:, ks]
    out = 0.0
    for T in np.unique(lengths):
        w = np.count_nonzero(lengths == T) / len(lengths)
        out = out + w * expected_connected_autocovariance(_theory_gamma(sol, h, int(T)), int(T), ks)
    return out


def _population_stats(run, populations, blocks):
    """Per-population mu and connected Delta(k) from the recorded frames ``run.x``."""
    x = run.x
    F = x.shape[0]
    h = run.record_every * run.dt
    L = min(int(round(run.tau[-1] / h)), F // (2 * blocks))
    bounds = block_bounds(F, blocks)                # the simulator's rule, on the frames
    mus, covs = [], []
    for b0, b1 in zip(bounds[:-1], bounds[1:]):
        y = np.asarray(x[b0:b1], dtype=np.float64)              # (T, N, batch)
        T = y.shape[0]
        m = y.mean(axis=0)
        nfft = int(2 ** math.ceil(math.log2(2 * T)))
        mu_b, cov_b = [], []
        for idx in populations:
            yc = y[:, idx] - m[idx]
            acc = np.zeros((L + 1, y.shape[2]))
            chunk = max(1, (1 << 22) // max(1, nfft * y.shape[2]))
            for i0 in range(0, len(idx), chunk):
                Y = np.fft.rfft(yc[:, i0:i0 + chunk], n=nfft, axis=0)
                r = np.fft.irfft((Y * Y.conj()).sum(axis=1), n=nfft, axis=0)[:L + 1]
                acc += r
            cov_b.append(acc / ((T - np.arange(L + 1))[:, None] * len(idx)))   # (L+1, batch)
            mu_b.append(m[idx].mean(axis=0))                                    # (batch,)
        mus.append(np.stack(mu_b, axis=-1))                   # (batch, P)
        covs.append(np.stack(cov_b, axis=0).transpose(2, 0, 1))   # (batch, P, L+1)
    mu = np.concatenate(mus, axis=0)
    cov = np.concatenate(covs, axis=0)
    lengths = np.diff(bounds)
    return h, np.arange(L + 1) * h, Estimate.from_samples(mu), Estimate.from_samples(cov), lengths


def _populations_iv(populations, sol, run):
    P = sol.n_populations
    if populations is None:
        if P > 1:
            raise ParameterError(
                f"`populations` is required for a {P}-population theory: a list of {P} index "
                "arrays (the units of each population)")
        return None
    if not isinstance(populations, Sequence) or len(populations) != P:
        raise ParameterError(f"`populations` must be a list of {P} index arrays (one per population "
                             f"of the theory); got {populations!r}")
    out = []
    for a, idx in enumerate(populations):
        arr = np.asarray(idx)
        if arr.dtype == bool:
            arr = np.flatnonzero(arr)
        if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "iu" or \
                np.any(arr < 0) or np.any(arr >= run.n):
            raise ParameterError(f"`populations[{a}]` must be a non-empty 1-D array of unit indices "
                                 f"in [0, {run.n}) or a boolean mask")
        out.append(arr)
    if run.x is None:
        raise ParameterError("`populations` needs the recorded trajectory: simulate with "
                             "record_every > 0 (run.x is None)")
    return out


def _lag_indices(lags, grid_tau):
    L = len(grid_tau) - 1
    if L == 0:
        return np.array([], dtype=int)
    h = grid_tau[1] - grid_tau[0]
    if lags is None:
        return np.unique(np.round(np.linspace(0, L, _DEFAULT_N_LAGS + 1)).astype(int))[1:]
    if isinstance(lags, str):
        if lags != "all":
            raise ParameterError(f"`lags` must be None, 'all' or an array of lags; got {lags!r}")
        return np.arange(1, L + 1)
    arr = _checks.real_array("lags", lags, ndim=1, low=0.0)
    ks = np.round(arr / h).astype(int)
    if np.any(np.abs(ks * h - arr) > 1e-6 * h) or np.any(ks > L):
        raise ParameterError(f"`lags` must lie on the simulation's lag grid (multiples of {h:g} up "
                             f"to {grid_tau[-1]:g}); got {arr.tolist()}")
    return np.unique(ks)


def _single_run(sol, run, populations, lags, corrected, c_phi):
    """(specs, sim means, sim stderrs, n, theory, theory_inf, scales, curve) for one run."""
    P = sol.n_populations
    if populations is None:
        h = run.tau[1] - run.tau[0] if len(run.tau) > 1 else run.dt * run.stat_every
        grid = run.tau
        lengths = run.block_lengths          # as the simulator split them
        mu_est = Estimate(np.atleast_1d(run.mu.mean), np.atleast_1d(run.mu.stderr), run.mu.n)
        cov = Estimate(np.atleast_2d(run.delta_tau.mean), np.atleast_2d(run.delta_tau.stderr),
                       run.delta_tau.n)
    else:
        h, grid, mu_est, cov, lengths = _population_stats(run, populations,
                                                          run.n_samples // run.batch)
    ks = _lag_indices(lags, grid)
    all_k = np.arange(len(grid))
    curve = _expected(sol, h, lengths, all_k, corrected)               # (P, L+1)
    curve_inf = _theory_gamma(sol, h, len(grid))
    mu_th = np.atleast_1d(sol.mu)
    names, quants, lag_of, pop_of, th, th_inf, sm, ss, sc = [], [], [], [], [], [], [], [], []
    for a in range(P):
        sfx = f"[{a}]" if P > 1 else ""
        for k in np.concatenate([[0], ks]).astype(int):
            q = "delta0" if k == 0 else "delta_tau"
            names.append("delta0" + sfx if k == 0 else f"delta(tau={grid[k]:g})" + sfx)
            quants.append(q)
            lag_of.append(None if k == 0 else float(grid[k]))
            pop_of.append(a if P > 1 else None)
            th.append(curve[a, k])
            th_inf.append(curve_inf[a, k])
            sm.append(cov.mean[a, k])
            ss.append(cov.stderr[a, k])
            sc.append(abs(curve[a, 0]))
        names.append("mu" + sfx)
        quants.append("mu")
        lag_of.append(None)
        pop_of.append(a if P > 1 else None)
        th.append(mu_th[a])
        th_inf.append(mu_th[a])
        sm.append(mu_est.mean[a])
        ss.append(mu_est.stderr[a])
        sc.append(abs(mu_th[a]))
        if c_phi:
            if run.c_phi_tau is None or P > 1:
                raise ParameterError("`c_phi=True` needs a one-population run simulated with "
                                     "c_phi=True")
            cphi_grid = np.interp(grid, sol.tau, np.atleast_2d(sol.c_phi_tau)[a])
            for k in np.concatenate([[0], ks]).astype(int):
                names.append(f"c_phi(tau={grid[k]:g})")
                quants.append("c_phi_tau")
                lag_of.append(float(grid[k]))
                pop_of.append(None)
                th.append(cphi_grid[k])
                th_inf.append(cphi_grid[k])
                sm.append(run.c_phi_tau.mean[k])
                ss.append(run.c_phi_tau.stderr[k])
                sc.append(abs(cphi_grid[k]))
    specs = list(zip(names, quants, lag_of, pop_of))
    return (specs, np.array(sm), np.array(ss), cov.n, np.array(th), np.array(th_inf),
            np.array(sc), (grid, curve, curve_inf, cov))


def _combine(means, stderrs, ns):
    r"""Pool R independent realisations (rows along axis 1 of the arrays)."""
    means, stderrs = np.asarray(means), np.asarray(stderrs)
    R = means.shape[0]
    mean = means.mean(axis=0)
    within = np.sqrt((stderrs ** 2).sum(axis=0)) / R
    if R == 1:
        return mean, stderrs[0], int(ns[0])
    between = means.std(axis=0, ddof=1) / math.sqrt(R)
    return mean, np.maximum(between, within), R


def _notes(sol, runs):
    notes = []
    dts = sorted({r.dt for r in runs})
    methods = sorted({r.method for r in runs})
    if sol.dt is None:
        notes.append(f"continuous-time theory against the {'/'.join(methods)} simulator at "
                     f"dt={'/'.join(f'{d:g}' for d in dts)}: step-size bias is not accounted for")
    elif any(abs(d - sol.dt) > 1e-12 for d in dts) or methods != ["euler"]:
        notes.append(f"the theory is the Euler map at dt={sol.dt:g} but the simulation used "
                     f"{'/'.join(methods)} at dt={'/'.join(f'{d:g}' for d in dts)}")
    return tuple(notes)


def _effective_step(dt, method) -> float:
    """Step whose first-order bias the integrator carries (0: none to first order)."""
    return 0.0 if dt is None or method == "rk4" else float(dt)


def _warn_step_size(sol, runs, dt_rtol):
    """StepSizeWarning when the first-order step-size bias |h_sim - h_theory|/2 > dt_rtol."""
    h_theory = _effective_step(sol.dt, "euler")
    worst = max(runs, key=lambda r: abs(_effective_step(r.dt, r.method) - h_theory))
    bias = abs(_effective_step(worst.dt, worst.method) - h_theory) / 2.0
    if bias <= dt_rtol:
        return
    theory = ("continuous-time theory (sol.dt=None)" if sol.dt is None
              else f"theory of the Euler map at sol.dt={sol.dt:g}")
    warnings.warn(
        f"{theory} against a {worst.method} simulation at dt={worst.dt:g}: the step size "
        f"changes the statistics by about {100 * bias:.0f}% (first-order estimate "
        f"|dt_sim - dt_theory|/2, above dt_rtol={dt_rtol:g}); use solve(..., dt=run.dt) "
        "(with method='euler') for a theory of the simulated map",
        StepSizeWarning, stacklevel=3)


def compare(sol: DMFTResult, run, *, lags=None, populations=None, window_correction: bool = True,
            c_phi: bool = False, k: float = _K, budget: float | Mapping[str, float] = 0.0,
            dt_rtol: float = 0.05) -> Comparison:
    r"""Match a DMFT solution with simulated statistics.

    Parameters
    ----------
    sol : DMFTResult
        Stationary theory from :func:`meanfield.dmft.solve`.  To compare with the
        Euler simulator without step-size bias use ``solve(..., dt=run.dt)``.
    run : SimulationResult, LyapunovResult, or a sequence of either
        Simulation(s).  Several runs are independent realisations (different
        couplings ``J`` and seeds, same settings): they are pooled, and the
        standard error is the larger of the spread across runs,
        :math:`s_R/\sqrt R` (which includes the quenched disorder of ``J``),
        and the within-run one, :math:`\sqrt{\sum_r \mathrm{se}_r^2}/R`.
        A single run's standard error covers only the temporal sampling noise
        for its one ``J``.
    lags : None, "all" or array_like
        Lags of the ``delta_tau`` rows, on the simulation's lag grid.  ``None``:
        8 lags evenly spread over the grid; ``"all"``: every lag.
    populations : list of index arrays, optional
        Units of each population, required when ``sol`` has several
        populations.  Per-population statistics are then computed from the
        recorded trajectory ``run.x`` (simulate with ``record_every > 0``; the
        lag grid is the recording stride), in the simulator's blocks, with the
        same estimator as the simulator.
    window_correction : bool
        If True (default) the theory side of ``delta0`` and ``delta_tau`` is the
        exact expectation of the simulator's estimator (each unit's time mean is
        subtracted over a finite block of :math:`T` samples), computed from the
        theory's :math:`\Delta(\tau)-\Delta_\infty` by
        :func:`expected_connected_autocovariance`.  If False, the plain
        :math:`N=\infty` values (biased by about :math:`-2\tau_c\Delta_0/T`).
    c_phi : bool
        Also compare :math:`C_\phi(\tau)` (runs simulated with ``c_phi=True``; this
        estimator has no mean subtraction, so no correction).
    k : float
        Pass criterion: standard errors allowed for sampling error (default 4).
    budget : float or mapping
        Pass criterion: relative finite-size bias budget :math:`b(N)`, one number or
        one per quantity (``{"delta0": 0.02, "delta_tau": 0.02}``), multiplying each
        row's ``scale`` (default 0).  :meth:`Comparison.with_criterion` judges the
        same comparison with another criterion.
    dt_rtol : float
        Relative step-size bias tolerated without a warning (default 0.05).

    Returns
    -------
    Comparison
        ``.passed`` is True when every row passes the criterion.

    Raises
    ------
    ParameterError
        For a ``sol`` that is not a DMFTResult, mixed or unknown run types, bad
        ``k``/``budget``/``dt_rtol``, or a failed run (``success=False``: a diverged
        run has no statistics), named as ``run`` or ``run[i]``.

    Warns
    -----
    StepSizeWarning
        When the theory's time step and the simulation's differ enough to matter:
        the first-order estimate of the relative bias, :math:`|h_\text{sim} -
        h_\text{theory}|/2`, exceeds ``dt_rtol``, with :math:`h` the step of an
        Euler (or exponential-Euler) integration and :math:`h = 0` for the
        continuous-time theory (``sol.dt=None``) or an RK4 simulation.  The
        estimate is exact to first order for a linear unit with time constant 1,
        whose stationary variance under the Euler map is :math:`1/(1 - h/2)` times
        the continuous one; e.g. a continuous-time theory against an Euler
        simulation at ``dt=0.5`` warns (about 25%), at ``dt=0.1`` it does not
        (5%, noted in ``notes``).  Use ``solve(..., dt=run.dt)``.

    Notes
    -----
    Rows: ``delta0`` (:math:`\Delta_0 - \Delta_\infty`, the temporal variance of a
    unit, since the simulator removes each unit's time mean: :math:`\Delta_\infty`
    is the quenched variance of the unit means), ``delta(tau=...)``
    (:math:`\Delta(\tau) - \Delta_\infty`), ``mu``; with a Lyapunov run, the single
    row ``lambda_max`` against :func:`meanfield.dmft.lyapunov`.  Several
    populations: the same rows per population, suffixed ``[a]``.

    The pass test of :meth:`Comparison.passed` is
    :math:`|\bar y - \text{theory}| < k\,\text{stderr} + b(N)\,\text{scale}`
    with :math:`b(N)` a relative finite-size budget.

    Examples
    --------
    >>> import meanfield as mf
    >>> from meanfield.compare import compare
    >>> sol = mf.dmft.solve(g=0.5, phi="linear", noise=1.0, dt=0.1)
    >>> J = mf.ensembles.Gaussian(g=0.5).sample(200, seed=0)
    >>> run = mf.simulate(J, "linear", t_max=200.0, dt=0.1, noise=1.0, batch=4, seed=1,
    ...                   t_transient=20.0, max_lag=4.0)
    >>> cmp = compare(sol, run, k=4, budget=0.05)
    >>> cmp.passed
    True
    >>> cmp.with_criterion(budget=0.0).k, cmp["delta0"].quantity
    (4.0, 'delta0')
    """
    if not isinstance(sol, DMFTResult):
        raise ParameterError(f"`sol` must be a DMFTResult from meanfield.dmft.solve; got "
                             f"{type(sol).__name__}")
    k = _checks.nonnegative("k", k)
    budget = _budget_iv(budget)
    dt_rtol = _checks.nonnegative("dt_rtol", dt_rtol)
    runs = list(run) if isinstance(run, (list, tuple)) else [run]
    if not runs:
        raise ParameterError("`run` must be a simulation result or a non-empty sequence of them")
    kinds = {type(r) for r in runs}
    if len(kinds) != 1 or not kinds <= {SimulationResult, LyapunovResult}:
        raise ParameterError("`run` must be SimulationResult(s) from meanfield.simulate or "
                             "LyapunovResult(s) from meanfield.simulate.lyapunov, not mixed; got "
                             f"{sorted(k.__name__ for k in kinds)}")
    for i, r in enumerate(runs):
        if not getattr(r, "success", True):
            which = "`run`" if len(runs) == 1 else f"`run[{i}]`"
            raise ParameterError(
                f"{which} failed (success=False, status={r.status}) and carries no statistics "
                f"to compare: {r.message}")
    notes = _notes(sol, runs)
    _warn_step_size(sol, runs, dt_rtol)
    if kinds == {LyapunovResult}:
        lam = float(_dmft_lyapunov(sol))
        mean, se, n = _combine([[r.lambda_max.mean] for r in runs],
                               [[r.lambda_max.stderr] for r in runs],
                               [r.lambda_max.n for r in runs])
        row = Row("lambda_max", "lambda_max", lam, lam, Estimate(mean[0], se[0], n), abs(lam))
        return Comparison(rows=(row,), sol=sol, notes=notes, k=k, budget=budget)

    pops = [_populations_iv(populations, sol, r) for r in runs]
    parts = [_single_run(sol, r, p, lags, window_correction, c_phi) for r, p in zip(runs, pops)]
    specs = parts[0][0]
    if any(p[0] != specs for p in parts[1:]):
        raise ParameterError("the runs must share the lag grid and settings to be pooled")
    mean, se, n = _combine([p[1] for p in parts], [p[2] for p in parts], [p[3] for p in parts])
    th = np.mean([p[4] for p in parts], axis=0)
    th_inf = np.mean([p[5] for p in parts], axis=0)
    scale = np.mean([p[6] for p in parts], axis=0)
    rows = tuple(Row(name, q, float(t), float(ti), Estimate(float(m), float(s), n), float(c), lag, a)
                 for (name, q, lag, a), t, ti, m, s, c in zip(specs, th, th_inf, mean, se, scale))
    grid = parts[0][7][0]
    cm, cs, cn = _combine([p[7][3].mean for p in parts], [p[7][3].stderr for p in parts],
                          [p[7][3].n for p in parts])
    P = sol.n_populations
    labels = tuple(str(a) for a in range(P)) if P > 1 else ("",)
    return Comparison(rows=rows, sol=sol, tau=np.asarray(grid),
                      theory_curve=np.mean([p[7][1] for p in parts], axis=0),
                      theory_curve_infinite=parts[0][7][2],
                      simulation_curve=Estimate(cm, cs, cn), population_labels=labels,
                      window_corrected=bool(window_correction), notes=notes, k=k,
                      budget=budget)


# mf.compare(sol, run) calls compare(); meanfield.compare.Row etc. stay reachable
make_callable(__name__, "compare")
