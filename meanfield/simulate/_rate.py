r"""The finite-size simulator of random rate networks (:func:`simulate`, :func:`lyapunov`).

Integrates

.. math::

    \dot x_i = -x_i + \sum_j J_{ij}\,\phi(x_j) + I_i(t) + \sigma\,\xi_i(t),
    \qquad \langle \xi_i(t)\xi_j(s)\rangle = \delta_{ij}\,\delta(t-s),

time in units of the single-unit time constant, for a batch of trajectories at
once (state ``X`` of shape ``(N, batch)``, one ``J @ phi(X)`` product per step),
with running statistics (mean, variance, autocovariance by FFT) accumulated on
the fly so that long runs need bounded memory, and the largest Lyapunov
exponents of the same discrete map by the QR method (:func:`lyapunov`).

Private module of :mod:`meanfield.simulate`, which re-exports its public names and
is callable: ``meanfield.simulate(J, ...)`` is :func:`simulate`, and
``meanfield.simulate.lyapunov(...)`` is :func:`lyapunov`.

This module imports no theory (``gaussian``, ``dmft``): it is the independent
reference the theory is checked against.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import fft as sfft

from .. import _checks, transfer
from .._results import ResultMixin
from .._runtime import blas_threads, progress_bar, seed_value
from ..errors import DivergenceError, ParameterError
from ..estimate import Estimate

__all__ = ["simulate", "lyapunov", "SimulationResult", "LyapunovResult", "DivergenceError",
           "METHODS", "block_bounds"]

#: Integration schemes accepted by :func:`simulate`.
METHODS = ("euler", "exp-euler", "rk4")
_LYAP_METHODS = ("euler", "exp-euler")
_MAX_FRAMES = 2000
_RECORD_BYTES = 2 ** 28          # default bound on the recorded trajectory (256 MiB)
_STAT_BYTES = 2 ** 27            # default bound on the autocovariance buffers (128 MiB)
_MAX_LAGS = 512                  # default bound on the number of lags
#: Default divergence bound, as a multiple of the state's natural scale (see :func:`simulate`).
DIVERGENCE_FACTOR = 1e10
#: Largest divergence bound: squares and sums of squares of states below it stay finite.
_MAX_STATE_CAP = 1e150
#: Steps between two divergence checks (a max and a min over the state: O(N batch)).
_CHECK_EVERY = 16
#: Result status codes of :class:`SimulationResult`.
STATUS_OK, STATUS_DIVERGED, STATUS_STATS_OVERFLOW = 0, 1, 2


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class SimulationResult(ResultMixin):
    r"""Output of :func:`simulate`.

    Attributes
    ----------
    n, batch : int
        Number of units :math:`N` and of trajectories.
    dt, t_max, t_transient, noise : float
        Step, total time (``n_steps * dt``), discarded transient, noise
        amplitude :math:`\sigma`.
    method, phi, dtype : str
        Integration scheme, transfer-function name, floating type.
    seed : int or None
        The integer seed (None if none or a Generator was given).
    n_steps, record_every, stat_every : int
        Steps taken; stride (in steps) of the recorded frames and of the samples
        entering the statistics.
    t : ndarray, shape (n_frames,)
        Times of the recorded frames (``t_transient`` onwards).
    x : ndarray, shape (n_frames, N, batch), or None
        Recorded states (None when ``record_every=0``).
    x_final : ndarray, shape (N, batch)
        State at ``t_max`` (to continue a run).
    x_mean : ndarray, shape (N, batch)
        Time mean of each unit in each trajectory after the transient.
    mu : Estimate
        Population mean :math:`\mu = \langle x_i(t)\rangle_{i,t}`.
    delta0 : Estimate
        :math:`\Delta_0 = \Delta(0)`, the temporal variance of :math:`x_i`
        averaged over units.
    tau : ndarray, shape (n_lags,)
        Lags :math:`0, s\,dt, 2 s\,dt, \ldots` (``s = stat_every``).
    delta_tau : Estimate
        Array-valued estimate of the connected autocovariance
        :math:`\Delta(\tau)` on ``tau`` (``delta_tau.mean``, ``delta_tau.stderr``,
        ``delta_tau[k]`` a scalar Estimate).
    c_phi_tau : Estimate or None
        Full (not connected) correlation
        :math:`C_\phi(\tau) = \langle\phi(x_i(t))\phi(x_i(t+\tau))\rangle` when
        requested with ``c_phi=True``.
    n_samples : int
        Independent samples behind each Estimate (``batch * blocks``; 0 if failed).
    wall_time : float
        Seconds spent integrating (a measurement of the machine: ``==`` ignores it,
        so that two runs with the same seed compare equal).
    max_state : float
        The divergence bound the run was checked against (see :func:`simulate`).
    success : bool
        False if the run diverged.
    status : int
        0 (success), 1 (the state left ``[-max_state, max_state]`` or became
        non-finite: diverged), 2 (the statistics overflowed or exceed the range an
        Estimate holds).
    message : str
        A summary; for a failed run where and why it failed ("diverged at t=...").

    Notes
    -----
    A failed run (``success=False``, returned with ``check=False`` or attached to the
    :class:`~meanfield.errors.DivergenceError` as ``result``) carries no statistics:
    ``mu``, ``delta0``, ``delta_tau``, ``c_phi_tau`` and ``x_mean`` are None; ``x``,
    ``t`` hold the frames recorded before the failure, ``x_final`` the state when it
    was detected and ``n_steps`` the steps taken.

    ``to_dict()``, ``save(path)``, ``==`` and the type check of :meth:`load` are those
    of every result (:class:`meanfield._results.ResultMixin`); :meth:`load` also reads
    the files that earlier versions wrote with their own layout (format 1).

    Examples
    --------
    >>> import numpy as np
    >>> import meanfield as mf
    >>> run = mf.simulate(np.zeros((10, 10)), "linear", 20.0, 0.1, noise=1.0, batch=4, seed=0)
    >>> run.success, run.status, run.delta0
    (True, 0, 0.466 ± 0.019 (n=4))
    >>> run == mf.simulate(np.zeros((10, 10)), "linear", 20.0, 0.1, noise=1.0, batch=4, seed=0)
    True
    """

    n: int
    batch: int
    dt: float
    t_max: float
    t_transient: float
    noise: float
    method: str
    phi: str
    dtype: str
    seed: int | None
    n_steps: int
    record_every: int
    stat_every: int
    t: np.ndarray = field(repr=False)
    x: np.ndarray | None = field(repr=False)
    x_final: np.ndarray = field(repr=False)
    x_mean: np.ndarray | None = field(repr=False)
    mu: Estimate | None
    delta0: Estimate | None
    tau: np.ndarray = field(repr=False)
    delta_tau: Estimate | None = field(repr=False)
    c_phi_tau: Estimate | None = field(repr=False)
    n_samples: int
    wall_time: float = field(compare=False)
    max_state: float = math.inf
    success: bool = True
    status: int = 0
    message: str = ""

    def __repr__(self) -> str:
        rec = "none" if self.x is None else f"{self.x.shape[0]} frames every {self.record_every}"
        head = (f"SimulationResult(n={self.n}, batch={self.batch}, phi={self.phi!r}, "
                f"method={self.method!r}, dt={self.dt:g}, t_max={self.t_max:g}, "
                f"t_transient={self.t_transient:g}, noise={self.noise:g}, seed={self.seed},\n")
        if not self.success:
            return (head + f"  success=False, status={self.status}, no statistics: "
                    f"{self.message},\n  recorded: {rec}, wall_time={self.wall_time:.3g} s)")
        return (head + f"  mu={self.mu}, delta0={self.delta0},\n"
                f"  delta_tau on {self.tau.size} lags up to {self.tau[-1]:g}, "
                f"recorded: {rec}, wall_time={self.wall_time:.3g} s)")

    @property
    def block_lengths(self) -> np.ndarray:
        """Samples (strides of ``stat_every`` steps) in each statistics block, as split by the run.

        One entry per block (``n_samples // batch`` blocks); empty for a failed run.
        """
        if not self.success:
            return np.zeros(0, dtype=int)
        n_trans = int(round(self.t_transient / self.dt))
        n_samp = (self.n_steps - n_trans) // self.stat_every + 1
        return np.diff(block_bounds(n_samp, self.n_samples // self.batch))

    def _check(self):
        """Raise DivergenceError (with this result attached) unless the run succeeded."""
        if not self.success:
            raise DivergenceError(self.message + " (pass check=False to get the failed "
                                  "result instead of this error)", result=self)
        return self

    @classmethod
    def load(cls, path) -> SimulationResult:
        """Read a result written by :meth:`save` (also the format-1 files of earlier versions).

        Parameters
        ----------
        path : str or Path
            A ``.npz`` file written by ``SimulationResult.save``.

        Returns
        -------
        SimulationResult

        Raises
        ------
        ParameterError
            If ``path`` holds no saved result, or one of another type.

        Examples
        --------
        >>> import numpy as np
        >>> import meanfield as mf
        >>> run = mf.simulate(np.zeros((10, 10)), "linear", 20.0, 0.1, noise=1.0, batch=4, seed=0)
        >>> import tempfile, pathlib
        >>> path = run.save(pathlib.Path(tempfile.mkdtemp()) / "run")
        >>> path.name
        'run.npz'
        >>> loaded = mf.simulate.SimulationResult.load(path)
        >>> loaded.success, loaded.delta0, loaded == run
        (True, 0.466 ± 0.019 (n=4), True)
        """
        with np.load(Path(path), allow_pickle=False) as data:
            meta = json.loads(str(data["__meta__"])) if "__meta__" in data.files else None
            if (isinstance(meta, dict) and "type" not in meta
                    and meta.get("format_version") == _LEGACY_FORMAT):
                return cls(**_legacy_fields(data, meta))
        return super().load(path)

    def plot(self, ax=None, *, title: str | None = None):
        r"""The simulated autocovariance :math:`\Delta(\tau)` with its standard error band.

        With ``c_phi_tau`` recorded, :math:`C_\phi(\tau)` is drawn too.  A failed run
        (no statistics) shows the recorded trajectories of up to 8 units of the first
        trajectory up to the failure, or only its message when nothing was recorded.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Draw into it; otherwise a new (pyplot-free) Figure is made.
        title : str, optional
            Default: the run's settings (or its failure message).

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import numpy as np
        >>> import meanfield as mf
        >>> run = mf.simulate(np.zeros((10, 10)), "linear", 20.0, 0.1, noise=1.0, batch=4,
        ...                   seed=0, max_lag=2.0)
        >>> fig = run.plot()
        >>> type(fig).__name__, fig.axes[0].get_xlabel()
        ('Figure', 'lag $\\tau$ (units of the time constant)')
        """
        from ..plotting._simulation import plot_simulation
        return plot_simulation(self, ax=ax, title=title)


#: The layout of ``SimulationResult.save`` before the shared result format (arrays
#: under their field names, estimates as ``<name>__mean``/``<name>__stderr``).
_LEGACY_FORMAT = 1
_LEGACY_ARRAYS = ("t", "x", "x_final", "x_mean", "tau")


def _legacy_fields(data, meta) -> dict:
    """The fields of a format-1 SimulationResult file."""
    kw = {k: v for k, v in meta.items() if k not in ("format_version", "estimates")}
    if isinstance(kw.get("max_state"), str):       # inf was stored as a string
        kw["max_state"] = float(kw["max_state"])
    for name in _LEGACY_ARRAYS:
        kw[name] = data[name] if name in data.files else None
    for name, n in meta.get("estimates", {}).items():
        kw[name] = None if n is None else Estimate(data[f"{name}__mean"],
                                                   data[f"{name}__stderr"], n)
    return kw


@dataclass(frozen=True, repr=False)
class LyapunovResult(ResultMixin):
    r"""Output of :func:`lyapunov`.

    Attributes
    ----------
    exponents : ndarray, shape (k,)
        Largest ``k`` Lyapunov exponents (per unit time), descending.
    stderr : ndarray, shape (k,)
        Standard errors from the spread of the ``n_blocks`` block estimates.
    block_exponents : ndarray, shape (n_blocks, k)
        Exponents measured on consecutive blocks of the counted time.
    n, k, n_blocks, qr_every : int
    dt, t_max, t_transient, t_warmup, t_counted, noise : float
    method, phi : str
    seed : int or None
    wall_time : float
        Seconds spent integrating (``==`` ignores it).
    success, status, message
        ``success`` is always True: a run that diverges raises
        :class:`~meanfield.errors.DivergenceError`.

    Notes
    -----
    ``to_dict()`` holds the fields and ``lambda_max``; ``save``, ``load`` and ``==``
    are those of every result (:class:`meanfield._results.ResultMixin`).

    Examples
    --------
    >>> import numpy as np
    >>> import meanfield as mf
    >>> res = mf.simulate.lyapunov(np.zeros((5, 5)), "tanh", 10.0, 0.1, seed=0)
    >>> round(float(res.lambda_max.mean), 4), res.k, res.n  # log(0.9)/0.1
    (-1.0536, 1, 5)
    >>> res.to_dict()["lambda_max"]["n"]
    10
    """

    exponents: np.ndarray
    stderr: np.ndarray
    block_exponents: np.ndarray = field(repr=False)
    n: int
    k: int
    n_blocks: int
    qr_every: int
    dt: float
    t_max: float
    t_transient: float
    t_warmup: float
    t_counted: float
    noise: float
    method: str
    phi: str
    seed: int | None
    wall_time: float = field(compare=False)
    success: bool = True
    status: int = 0
    message: str = ""

    _dict_properties = ("lambda_max",)

    @property
    def lambda_max(self) -> Estimate:
        """The largest exponent as an :class:`Estimate` over the blocks."""
        return Estimate(self.exponents[0], self.stderr[0], self.n_blocks)

    def __repr__(self) -> str:
        return (f"LyapunovResult(lambda_max={self.lambda_max}, k={self.k}, n={self.n}, "
                f"phi={self.phi!r}, method={self.method!r}, dt={self.dt:g}, "
                f"t_counted={self.t_counted:g}, noise={self.noise:g}, seed={self.seed})")

    def plot(self, ax=None, *, title: str | None = None):
        r"""The exponents measured on each block of counted time, with their mean ± stderr.

        One series per exponent (at most the 6 largest): the block values as points,
        the overall exponent as a line with a band of :math:`\pm 1` standard error.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Draw into it; otherwise a new (pyplot-free) Figure is made.
        title : str, optional
            Default: the run's settings and :math:`\lambda_\max`.

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import numpy as np
        >>> import meanfield as mf
        >>> res = mf.simulate.lyapunov(np.zeros((5, 5)), "tanh", 10.0, 0.1, k=2, seed=0)
        >>> fig = res.plot()
        >>> type(fig).__name__, fig.axes[0].get_xlabel()
        ('Figure', 'block of counted time')
        """
        from ..plotting._simulation import plot_lyapunov
        return plot_lyapunov(self, ax=ax, title=title)

# ---------------------------------------------------------------------------
# running autocovariance
# ---------------------------------------------------------------------------

class _Autocov:
    r"""Streaming autocovariance of ``(N, batch)`` samples over lags ``0..L``.

    Accumulates, per trajectory, ``raw[k] = sum_i sum_t y_i(t) y_i(t+k)`` exactly
    (all pairs, across block boundaries) by FFT over blocks of ``B`` origins
    joined to the next ``L`` samples, plus the per-unit sums and the first and
    last ``L`` samples needed to subtract each unit's time mean exactly at the end.
    """

    def __init__(self, L, shape, dtype, connected):
        self.L = L
        self.B = max(L, 32)
        self.connected = connected
        self.buf = np.empty((self.B + L,) + shape, dtype=dtype)
        self.head = np.empty((L,) + shape, dtype=dtype) if connected else None
        self.c = 0                       # samples in buf
        self.T = 0                       # samples pushed
        self.sum = np.zeros(shape)       # float64 per-unit sums
        self.raw = np.zeros((L + 1, shape[1]))
        self.ref = None

    def push(self, y):
        if self.connected:
            if self.ref is None:         # subtract a per-unit reference: no cancellation
                self.ref = y.astype(np.float64)
            np.subtract(y, self.ref, out=self.buf[self.c], casting="unsafe")
            if self.T < self.L:
                self.head[self.T] = self.buf[self.c]
        else:
            self.buf[self.c] = y
        self.sum += self.buf[self.c]
        self.c += 1
        self.T += 1
        if self.c == self.B + self.L:
            self._process(self.B, self.c)
            self.buf[:self.L] = self.buf[self.B:self.c]
            self.c = self.L

    def _process(self, n_orig, n_ext):
        L = self.L
        if L == 0:                       # lag 0 only: a sum of squares, no FFT
            y = self.buf[:n_orig].astype(np.float64)
            self.raw[0] += np.einsum("tib,tib->b", y, y)
            return
        nfft = sfft.next_fast_len(n_orig + L + 1, real=True)
        n_units = self.buf.shape[1]
        chunk = max(1, (1 << 22) // max(1, nfft * self.buf.shape[2]))
        acc = 0.0
        for i0 in range(0, n_units, chunk):
            e = self.buf[:n_ext, i0:i0 + chunk].astype(np.float64)
            E = sfft.rfft(e, n=nfft, axis=0)
            A = sfft.rfft(e[:n_orig], n=nfft, axis=0)
            acc = acc + np.einsum("fib,fib->fb", A.conj(), E)
        self.raw += sfft.irfft(acc, n=nfft, axis=0)[:L + 1]

    def finish(self):
        """Per-trajectory (batch,) autocovariance on lags 0..L and per-unit means."""
        self._process(self.c, self.c)
        T, L = self.T, self.L
        k = np.arange(L + 1)
        n_k = (T - k).astype(np.float64)
        n_units = self.sum.shape[0]
        m = self.sum / T                                    # (N, batch)
        if not self.connected:
            return self.raw / (n_k[:, None] * n_units), m
        # sum_{t<T-k} y_t = S - tail_k,  sum_{t>=k} y_t = S - head_k (per unit)
        last = self.buf[self.c - L:self.c].astype(np.float64) if L else None
        head_cum = np.zeros((L + 1,) + m.shape)
        tail_cum = np.zeros((L + 1,) + m.shape)
        if L:
            head_cum[1:] = np.cumsum(self.head.astype(np.float64), axis=0)
            tail_cum[1:] = np.cumsum(last[::-1], axis=0)
        S = self.sum
        cross = np.einsum("ib,kib->kb", m, 2 * S[None] - head_cum - tail_cum)
        quad = n_k[:, None] * np.einsum("ib,ib->b", m, m)[None]
        cov = (self.raw - cross + quad) / (n_k[:, None] * n_units)
        return cov, m + self.ref


# ---------------------------------------------------------------------------
# input validation
# ---------------------------------------------------------------------------

def _coupling_iv(J):
    try:
        arr = np.asarray(J)
    except Exception:  # ragged lists and the like  # noqa: BLE001
        raise ParameterError("`J` must be a square (N, N) matrix of real numbers; got a "
                             "ragged sequence") from None
    if arr.dtype.kind == "f" and arr.ndim == 2 and arr.dtype.itemsize >= 4:
        # no float64 copy of a float32 J (float16 is widened by real_array below)
        if not np.all(np.isfinite(arr)):
            raise ParameterError("`J` must contain only finite numbers")
        if arr.size and float(np.max(np.abs(arr))) > _checks.HUGE:
            raise ParameterError(f"`J` must be at most {_checks.HUGE:g} in magnitude; got "
                                 f"max |J| = {float(np.max(np.abs(arr)))!r}")
        J = arr
    else:
        J = _checks.real_array("J", J, ndim=2)
    if J.shape[0] != J.shape[1] or J.shape[0] == 0:
        raise ParameterError(f"`J` must be a square (N, N) matrix with N >= 1; got shape {J.shape}")
    return J


def _inputs_iv(inputs, n, dtype):
    """Return (constant array or None, callable or None)."""
    if inputs is None:
        return None, None
    if callable(inputs):
        try:
            v = np.asarray(inputs(0.0))
        except Exception as exc:  # noqa: BLE001 - report any failure of the user callable
            raise ParameterError(f"`inputs` could not be evaluated at t=0: {exc}") from exc
        if v.shape not in ((n,), ()) or v.dtype.kind not in "biuf" or not np.all(np.isfinite(v)):
            raise ParameterError(
                f"`inputs` must be a callable t -> finite array of shape ({n},); "
                f"got shape {v.shape} at t=0")

        def f(t):
            val = np.asarray(inputs(t), dtype=dtype)
            return val.reshape(-1, 1) if val.ndim == 1 else val
        return None, f
    arr = _checks.real_array("inputs", inputs)
    if arr.ndim == 0:
        return np.full((n, 1), arr, dtype=dtype), None
    if arr.shape != (n,):
        raise ParameterError(
            f"`inputs` must be None, a scalar, an array of shape ({n},) or a callable; "
            f"got shape {arr.shape}")
    return arr.astype(dtype).reshape(n, 1), None


def _x0_iv(x0, n, batch, gen, dtype):
    if x0 is None:
        return gen.standard_normal((n, batch)).astype(dtype)
    x0 = _checks.real_array("x0", x0)
    if x0.shape == (n,):
        x0 = np.repeat(x0[:, None], batch, axis=1)
    elif x0.shape != (n, batch):
        raise ParameterError(
            f"`x0` must have shape ({n},) or ({n}, {batch}) (N, batch); got shape {x0.shape}")
    return np.ascontiguousarray(x0, dtype=dtype)


def _time_iv(t_max, dt, method, max_steps=None):
    t_max = _checks.positive("t_max", t_max)
    dt = _checks.positive("dt", dt)
    max_steps = _checks.MAX_STEPS if max_steps is None else \
        _checks.integer("max_steps", max_steps, low=1)
    if t_max / dt >= max_steps + 0.5:          # before round(): 1e50 steps is not an int64
        raise ParameterError(
            f"`t_max` / `dt` = {t_max!r} / {dt!r} asks for {t_max / dt:.3g} steps, more than "
            f"max_steps={max_steps} (the stated bound on a run's length; about 17 us per step "
            "for a small network); use a larger `dt`, a shorter `t_max`, or raise `max_steps`")
    if method == "euler" and dt > 1.0:
        raise ParameterError(
            f"`dt` must be <= 1 with method='euler'; got dt={dt!r}. The Euler map "
            "x <- (1-dt) x + ... flips the sign of the leak for dt > 1 (its decay factor "
            "1-dt < 0), so it no longer approximates the flow; use a smaller dt or "
            "method='exp-euler'")
    n_steps = int(round(t_max / dt))
    if n_steps < 1:
        raise ParameterError(f"`t_max` must be at least one step dt={dt!r}; got t_max={t_max!r}")
    return t_max, dt, n_steps


def _max_abs_rows(J):
    """max_i sum_j |J_ij| (the infinity norm) without an (N, N) temporary."""
    out = 0.0
    rows = max(1, (1 << 20) // max(1, J.shape[1]))
    for i in range(0, J.shape[0], rows):
        out = max(out, float(np.abs(J[i:i + rows]).sum(axis=1, dtype=np.float64).max()))
    return out


def _max_state_iv(max_state, J, x0, const_in, fun_in, noise):
    """The divergence bound: given, or DIVERGENCE_FACTOR times the state's natural scale."""
    if max_state is not None:
        return _checks.positive("max_state", max_state)
    scale = 1.0 + _max_abs_rows(J) + float(np.max(np.abs(x0))) + noise
    if const_in is not None:
        scale += float(np.max(np.abs(const_in)))
    elif fun_in is not None:
        scale += float(np.max(np.abs(fun_in(0.0))))
    return min(DIVERGENCE_FACTOR * scale, _MAX_STATE_CAP)


def block_bounds(n_samples: int, blocks: int) -> np.ndarray:
    """Boundaries of the ``blocks`` statistics blocks of ``n_samples`` samples.

    The one rule by which :func:`simulate` splits the samples entering its statistics
    (and :mod:`meanfield.compare` the recorded frames): ``blocks + 1`` integer
    boundaries from 0 to ``n_samples``, as even as integers allow.

    Examples
    --------
    >>> block_bounds(10, 3).tolist()
    [0, 3, 6, 10]
    """
    return np.linspace(0, n_samples, blocks + 1).astype(int)


def _diverged(X, bound):
    """True if some entry of X is beyond +-bound or not a number (two passes, no temporary)."""
    return not (X.max() <= bound and X.min() >= -bound)


def _stat_every(max_lag, dt, per_lag_bytes):
    """Smallest stride s whose lag count round(max_lag / (s dt)) is <= 512 and whose
    buffers (per_lag_bytes per lag) fit in _STAT_BYTES; found in O(1) steps."""
    l_max = min(_MAX_LAGS, _STAT_BYTES // max(1, per_lag_bytes))
    # round(y) <= l_max  <=  y < l_max + 0.5, with y = max_lag / (s dt) decreasing in s
    s = max(1, math.floor(max_lag / (dt * (l_max + 0.5))) - 2)
    for _ in range(8):
        if round(max_lag / (s * dt)) <= l_max:
            return s
        s += 1
    return max(s, math.floor(max_lag / (dt * (l_max + 0.5))) + 1)


def _simulate_iv(J, phi, t_max, dt, x0, noise, inputs, batch, method, record_every,
                 t_transient, max_lag, stat_every, blocks, seed, dtype, threads, c_phi=False,
                 max_steps=None, max_state=None):
    J = _coupling_iv(J)
    n = J.shape[0]
    tf = transfer.get(phi)
    method = _checks.choice("method", method, METHODS)
    t_max, dt, n_steps = _time_iv(t_max, dt, method, max_steps)
    noise = _checks.nonnegative("noise", noise)
    if noise > 0 and method == "rk4":
        raise ParameterError(
            f"`noise` must be 0 with method='rk4' (a deterministic scheme); got noise={noise!r}. "
            "Use method='euler' or 'exp-euler' for noisy dynamics")
    batch = _checks.integer("batch", batch, low=1)
    dtype = _checks.float_dtype("dtype", dtype)
    if not isinstance(c_phi, (bool, np.bool_)):
        raise ParameterError(f"`c_phi` must be True or False; got c_phi={c_phi!r}")
    # the state-sized arrays: x0 (drawn in float64), X, the step's H and noise Z, and the
    # five RK4 stages; checked before anything of that size is made
    n_state = 4 + (5 if method == "rk4" else 0)
    nb = n * batch
    _checks.memory("batch", nb * (8 + n_state * dtype.itemsize)
                   + (n * n * dtype.itemsize if J.dtype != dtype else 0),
                   f"the state of {n} units x {batch} trajectories")
    gen = _checks.rng(seed)
    t_transient = _checks.nonnegative("t_transient", t_transient)
    n_trans = int(round(t_transient / dt))
    if n_trans >= n_steps:
        raise ParameterError(
            f"`t_transient` must be smaller than t_max={t_max!r}; got t_transient={t_transient!r}")
    n_post = n_steps - n_trans                      # steps after the transient
    if blocks is None:
        blocks = min(8, max(2, (n_post + 1) // 2)) if batch == 1 else 1
    blocks = _checks.integer("blocks", blocks, low=1)
    if batch * blocks < 2:
        raise ParameterError(
            f"`blocks` must be >= 2 when batch == 1 (standard errors need two samples); "
            f"got blocks={blocks}")
    if threads is not None:
        threads = _checks.integer("threads", threads, low=1)
    itemsize = dtype.itemsize
    if record_every is None:
        per_frame = n * batch * itemsize
        max_frames = max(1, min(_MAX_FRAMES, _RECORD_BYTES // per_frame))
        record_every = max(1, math.ceil((n_post + 1) / max_frames))
    else:
        record_every = _checks.integer("record_every", record_every, low=0)
    t_stat = n_post * dt
    if max_lag is None:
        max_lag = min(20.0, t_stat / (10 * blocks))
    max_lag = _checks.nonnegative("max_lag", max_lag)
    if stat_every is None:
        stat_every = _stat_every(max_lag, dt, 3 * n * batch * itemsize)
    else:
        stat_every = _checks.integer("stat_every", stat_every, low=1)
    L = int(round(max_lag / (stat_every * dt)))
    const_in, fun_in = _inputs_iv(inputs, n, dtype)
    x0 = _x0_iv(x0, n, batch, gen, dtype)
    n_samp = n_post // stat_every + 1
    if n_samp // blocks < L + 2:
        bad = "max_lag" if L > 0 else "t_max"
        raise ParameterError(
            f"`{bad}` must leave statistics blocks longer than max_lag: got "
            f"max_lag={max_lag!r} and blocks of (t_max - t_transient) / blocks = "
            f"{t_stat / blocks:g} (t_max={t_max!r}, t_transient={t_transient!r}, "
            f"blocks={blocks})")
    # recorded frames and the autocovariance buffers (per accumulator: B + 2L samples of
    # the state, 3L + 5 float64 per-unit sums in finish(); two with c_phi)
    n_frames = (n_post // record_every + 1) if record_every else 0
    frame_bytes = n_frames * nb * itemsize
    stat_bytes = (2 if c_phi else 1) * nb * ((max(L, 32) + 2 * L) * itemsize + (3 * L + 5) * 8)
    name = "record_every" if frame_bytes >= stat_bytes else "max_lag"
    _checks.memory(name, frame_bytes + stat_bytes,
                   f"{n_frames} recorded frames ({_checks._bytes(frame_bytes)}) and the "
                   f"statistics over {L + 1} lags ({_checks._bytes(stat_bytes)}) of {n} units "
                   f"x {batch} trajectories")
    max_state = _max_state_iv(max_state, J, x0, const_in, fun_in, noise)
    return dict(J=np.ascontiguousarray(J, dtype=dtype), tf=tf, t_max=n_steps * dt, dt=dt,
                n_steps=n_steps, n_trans=n_trans, noise=noise, batch=batch, method=method,
                record_every=record_every, stat_every=stat_every, L=L, blocks=blocks,
                gen=gen, dtype=dtype, threads=threads, const_in=const_in, fun_in=fun_in,
                x0=x0, seed=seed_value(seed), t_transient=n_trans * dt, max_state=max_state,
                c_phi=bool(c_phi))



# ---------------------------------------------------------------------------
# the integrator
# ---------------------------------------------------------------------------

def _stepper(J, phi, dt, noise, method, const_in, fun_in, gen, dtype, shape):
    """Return ``step(X, t)`` advancing X in place by one step of ``method``."""
    H = np.empty(shape, dtype=dtype)
    Z = np.empty(shape, dtype=dtype) if noise > 0 else None

    def drive(X, t, out):
        P = phi(X)
        if P.dtype != dtype:
            P = P.astype(dtype)
        np.matmul(J, P, out=out)
        if const_in is not None:
            out += const_in
        elif fun_in is not None:
            out += fun_in(t)
        return out

    if method == "euler":
        a, b = dtype.type(1.0 - dt), dtype.type(dt)
        s = dtype.type(math.sqrt(dt) * noise)
    elif method == "exp-euler":
        a, b = dtype.type(math.exp(-dt)), dtype.type(-math.expm1(-dt))
        s = dtype.type(noise * math.sqrt(-math.expm1(-2.0 * dt) / 2.0))
    else:
        K = [np.empty(shape, dtype=dtype) for _ in range(4)]
        Y = np.empty(shape, dtype=dtype)
        h, h2, h6 = dtype.type(dt), dtype.type(dt / 2), dtype.type(dt / 6)

        def f(X, t, out):
            drive(X, t, out)
            out -= X
            return out

        def step_rk4(X, t):
            k0, k1, k2, k3 = K
            f(X, t, k0)
            np.multiply(k0, h2, out=Y)
            np.add(Y, X, out=Y)
            f(Y, t + dt / 2, k1)
            np.multiply(k1, h2, out=Y)
            np.add(Y, X, out=Y)
            f(Y, t + dt / 2, k2)
            np.multiply(k2, h, out=Y)
            np.add(Y, X, out=Y)
            f(Y, t + dt, k3)
            np.add(k1, k2, out=k1)
            np.multiply(k1, 2, out=k1)
            np.add(k0, k1, out=k0)
            np.add(k0, k3, out=k0)
            np.multiply(k0, h6, out=k0)
            np.add(X, k0, out=X)

        return step_rk4

    def step(X, t):
        drive(X, t, H)
        np.multiply(H, b, out=H)
        np.multiply(X, a, out=X)
        np.add(X, H, out=X)
        if Z is not None:
            gen.standard_normal(out=Z, dtype=dtype)
            np.multiply(Z, s, out=Z)
            np.add(X, Z, out=X)

    return step


def simulate(J, phi, t_max: float, dt: float, *, x0=None,
             noise: float = 0.0, inputs=None, batch: int = 1, method: str = "euler",
             record_every: int | None = None, t_transient: float = 0.0,
             max_lag: float | None = None, stat_every: int | None = None,
             blocks: int | None = None, c_phi: bool = False, seed=None,
             dtype=np.float64, progress: bool = False,
             threads: int | None = None, max_steps: int | None = None,
             max_state: float | None = None, check: bool = True) -> SimulationResult:
    r"""Simulate a rate network and accumulate its stationary statistics.

    Parameters
    ----------
    J : array_like, shape (N, N)
        Coupling matrix (finite reals).
    phi : str or TransferFunction
        Transfer function :math:`\phi` (see :mod:`meanfield.transfer`).
    t_max : float
        Total simulated time (> 0), rounded to ``n_steps = round(t_max / dt)`` steps.
    dt : float
        Time step (> 0; <= 1 for ``method="euler"``).
    x0 : array_like, shape (N,) or (N, batch), optional
        Initial state; default iid :math:`\mathcal N(0, 1)` entries from ``seed``.
    noise : float
        White-noise amplitude :math:`\sigma \ge 0`.
    inputs : None, float, array_like of shape (N,), or callable
        External input :math:`I`: a constant (scalar or per unit) or a function
        ``t -> array (N,)`` (evaluated at the start of each step, and at the
        RK4 stages).
    batch : int
        Number of trajectories integrated together (>= 1).
    method : {"euler", "exp-euler", "rk4"}
        Integration scheme (see Notes).
    record_every : int, optional
        Store every k-th state after the transient; 0 stores none.  Default: the
        smallest k giving at most 2000 frames and at most 256 MiB.
    t_transient : float
        Time discarded before recording and statistics (< ``t_max``).
    max_lag : float, optional
        Largest lag (time units) of the autocovariance.  Default
        ``min(20, (t_max - t_transient) / (10 * blocks))``.
    stat_every : int, optional
        Stride (steps) of the samples entering the statistics; the lag grid is
        ``tau = k * stat_every * dt``.  Default 1, increased until the lag count is
        <= 512 and the buffers (about ``3 * n_lags * N * batch`` numbers) fit in
        128 MiB.
    blocks : int, optional
        Consecutive time blocks per trajectory treated as independent samples for
        the standard errors.  Default 8 if ``batch == 1`` else 1 (each trajectory
        is one sample).
    c_phi : bool
        Also accumulate :math:`C_\phi(\tau)` (doubles the statistics memory).
    seed : None, int or numpy.random.Generator
        Randomness for ``x0`` and the noise; the same seed gives bit-identical
        results (with the same BLAS and thread count).
    dtype : {np.float64, np.float32}
        Floating type of the state and of ``J`` during the run (statistics are
        accumulated in float64).
    progress : bool
        Show a tqdm progress bar.
    threads : int, optional
        Limit the BLAS threads during the run (threadpoolctl).
    max_steps : int, optional
        Largest number of steps ``round(t_max / dt)`` accepted; default
        :data:`meanfield._checks.MAX_STEPS` (1e6, about 17 s for a small network).
    max_state : float, optional
        Divergence bound: the run fails as soon as some :math:`|x_i|` exceeds it (or
        becomes non-finite), checked every 16 steps.  Default
        ``min(1e10 * s, 1e150)`` with the natural scale
        :math:`s = 1 + \max_i\sum_j|J_{ij}| + \max|x_0| + \max|I(0)| + \sigma`: with
        :math:`|\phi| \le 1` the state stays below about :math:`s`, so a state
        1e10 times larger is one growing without bound (e.g. relu with
        :math:`g > \sqrt 2`), and its statistics would be meaningless.
    check : bool
        If True (default) a failed run raises :class:`DivergenceError` with the
        failed result attached; if False it is returned with ``success=False``.

    Returns
    -------
    SimulationResult

    Raises
    ------
    ParameterError
        For invalid input (the message names the parameter), including runs longer
        than ``max_steps`` and arrays beyond the memory limit
        :data:`meanfield._checks.MAX_BYTES` (4 GiB).
    DivergenceError
        With ``check=True``, if the state leaves ``[-max_state, max_state]`` or becomes
        non-finite ("diverged at t=..."), or the statistics overflow.  A
        :class:`~meanfield.errors.ConvergenceError`; ``.result`` is the failed result.

    Notes
    -----
    The model is :math:`\dot x = -x + J\phi(x) + I(t) + \sigma\xi(t)` with
    :math:`\langle\xi_i(t)\xi_j(s)\rangle = \delta_{ij}\delta(t-s)`.  With
    :math:`\xi^n` iid standard normal, the schemes are exactly

    - ``"euler"``: :math:`x^{n+1} = (1-dt)\,x^n + dt\,(J\phi(x^n) + I(t_n)) + \sqrt{dt}\,\sigma\,\xi^n`
      (the map whose discrete-time DMFT the theory offers);
    - ``"exp-euler"``: :math:`x^{n+1} = e^{-dt} x^n + (1-e^{-dt})(J\phi(x^n) + I(t_n))
      + \sigma\sqrt{(1-e^{-2dt})/2}\,\xi^n` (exact for the leak and the noise);
    - ``"rk4"``: classical Runge-Kutta 4 (deterministic only).

    Statistics use the samples :math:`y_i(t)` taken every ``stat_every`` steps
    from ``t_transient`` on.  In each block of :math:`T` samples of each
    trajectory, with :math:`m_i` the block time mean of unit :math:`i`,

    .. math::

        \Delta(k) = \frac{1}{N (T-k)} \sum_{i=1}^N \sum_{t=0}^{T-k-1}
        (y_i(t) - m_i)(y_i(t+k) - m_i),

    computed exactly (all pairs) by zero-padded FFTs over blocks of the
    stream; :math:`\mu = \frac1N\sum_i m_i`, :math:`\Delta_0 = \Delta(0)`.
    Each (trajectory, block) is one sample; the Estimates are means over
    samples with the standard error of the mean.  The connected estimator is
    biased low by about :math:`2\Delta_0\tau_c/(T\,dt\,s)` (mean subtraction);
    keep blocks much longer than the correlation time :math:`\tau_c`.

    Examples
    --------
    >>> import numpy as np
    >>> import meanfield.simulate as sim
    >>> J = np.zeros((10, 10))
    >>> run = sim(J, "linear", t_max=20.0, dt=0.1, noise=1.0, batch=4, seed=0)
    >>> run.delta_tau.shape == run.tau.shape
    True
    """
    p = _simulate_iv(J, phi, t_max, dt, x0, noise, inputs, batch, method, record_every,
                     t_transient, max_lag, stat_every, blocks, seed, dtype, threads, c_phi,
                     max_steps, max_state)
    if not isinstance(check, (bool, np.bool_)):
        raise ParameterError(f"`check` must be True or False; got check={check!r}")
    c_phi = p["c_phi"]
    max_state = p["max_state"]
    J, tf, dt, dtype = p["J"], p["tf"], p["dt"], p["dtype"]
    n, batch = J.shape[0], p["batch"]
    n_steps, n_trans, k_rec, s_stat = p["n_steps"], p["n_trans"], p["record_every"], \
        p["stat_every"]
    L, blocks = p["L"], p["blocks"]
    shape = (n, batch)
    X = p["x0"].copy()
    step = _stepper(J, tf.phi, dt, p["noise"], p["method"], p["const_in"], p["fun_in"],
                    p["gen"], dtype, shape)

    n_post = n_steps - n_trans
    n_frames = n_post // k_rec + 1 if k_rec else 0
    frames = np.empty((n_frames, n, batch), dtype=dtype) if n_frames else None
    n_samp = n_post // s_stat + 1
    bounds = block_bounds(n_samp, blocks)

    def new_acc():
        a = _Autocov(L, shape, dtype, connected=True)
        b = _Autocov(L, shape, dtype, connected=False) if c_phi else None
        return a, b

    acc, acc_phi = new_acc()
    cov_samples, phi_samples, mean_blocks = [], [], []
    i_samp, i_frame, i_block = 0, 0, 0
    diverged_at = None
    bar = progress_bar(n_steps, progress, "simulate", "step")
    bar_every = max(1, n_steps // 200)
    t0 = time.perf_counter()
    with blas_threads(p["threads"]), np.errstate(over="ignore", invalid="ignore"):
        for it in range(n_steps + 1):
            if it:
                step(X, (it - 1) * dt)
                if (it % _CHECK_EVERY == 0 or it == n_steps) and _diverged(X, max_state):
                    diverged_at = it
                    break
                if bar is not None and (it % bar_every == 0 or it == n_steps):
                    bar.update(it - bar.n)
            j = it - n_trans
            if j < 0:
                continue
            if k_rec and j % k_rec == 0:
                frames[i_frame] = X
                i_frame += 1
            if j % s_stat == 0:
                acc.push(X)
                if acc_phi is not None:
                    acc_phi.push(tf.phi(X))
                i_samp += 1
                if i_samp == bounds[i_block + 1]:
                    cov, m = acc.finish()
                    cov_samples.append(cov.T)
                    mean_blocks.append((m, bounds[i_block + 1] - bounds[i_block]))
                    if acc_phi is not None:
                        phi_samples.append(acc_phi.finish()[0].T)
                    i_block += 1
                    if i_block < blocks:
                        acc, acc_phi = new_acc()
    wall = time.perf_counter() - t0
    if bar is not None:
        bar.close()

    common = dict(n=n, batch=batch, dt=dt, t_max=p["t_max"], t_transient=p["t_transient"],
                  noise=p["noise"], method=p["method"], phi=tf.name, dtype=dtype.name,
                  seed=p["seed"], record_every=k_rec, stat_every=s_stat,
                  tau=np.arange(L + 1) * s_stat * dt, wall_time=wall, max_state=max_state)

    def failed(status, message, steps):
        return SimulationResult(
            **common, n_steps=steps, t=(n_trans + k_rec * np.arange(i_frame)) * dt,
            x=None if frames is None else frames[:i_frame], x_final=X, x_mean=None, mu=None,
            delta0=None, delta_tau=None, c_phi_tau=None, n_samples=0, success=False,
            status=status, message=message)

    if diverged_at is not None:
        with np.errstate(invalid="ignore"):
            top = float(np.max(np.abs(X)))
        res = failed(STATUS_DIVERGED,
                     f"diverged at t={diverged_at * dt:g} (step {diverged_at}): max |x_i| = "
                     f"{top:.3g} exceeds max_state={max_state:.3g}; the dynamics has no bounded "
                     "state for these parameters (e.g. relu or linear with a coupling gain above "
                     "the edge of stability) or `dt` is too large", diverged_at)
        return res._check() if check else res
    cov_samples = np.concatenate(cov_samples, axis=0)          # (blocks*batch, L+1)
    mu_samples = np.concatenate([m.mean(axis=0) for m, _ in mean_blocks])
    stats = [cov_samples, mu_samples] + ([np.concatenate(phi_samples, axis=0)] if c_phi else [])
    if not all(np.all(np.isfinite(a)) and np.max(np.abs(a)) <= _checks.HUGE for a in stats):
        res = failed(STATUS_STATS_OVERFLOW,
                     f"the statistics overflowed: the state stayed below max_state={max_state:.3g} "
                     f"but its moments exceed {_checks.HUGE:g} (scale the couplings, inputs or "
                     "initial state down)", n_steps)
        return res._check() if check else res
    x_mean = sum(m * w for m, w in mean_blocks) / n_samp
    delta_tau = Estimate.from_samples(cov_samples)
    c_phi_tau = Estimate.from_samples(stats[2]) if c_phi else None
    return SimulationResult(
        **common, n_steps=n_steps, t=(n_trans + k_rec * np.arange(n_frames)) * dt, x=frames,
        x_final=X, x_mean=x_mean, mu=Estimate.from_samples(mu_samples), delta0=delta_tau[0],
        delta_tau=delta_tau, c_phi_tau=c_phi_tau, n_samples=batch * blocks, success=True,
        status=STATUS_OK,
        message=f"integrated {n_steps} steps of {n} units x {batch} trajectories")


# ---------------------------------------------------------------------------
# Lyapunov exponents
# ---------------------------------------------------------------------------

def _positive_qr(Q):
    Q, R = np.linalg.qr(Q)
    d = np.diag(R)
    sign = np.where(d < 0, -1.0, 1.0)
    return Q * sign, np.abs(d)


def lyapunov(J, phi, t_max: float, dt: float, *, k: int = 1, x0=None,
             t_transient: float = 0.0, t_warmup: float | None = None, noise: float = 0.0,
             inputs=None, qr_every: int = 1, n_blocks: int = 10, method: str = "euler",
             seed=None, progress: bool = False,
             threads: int | None = None, max_steps: int | None = None,
             max_state: float | None = None) -> LyapunovResult:
    r"""Largest Lyapunov exponents of the simulated map by the QR (Benettin) method.

    Parameters
    ----------
    J : array_like, shape (N, N)
        Coupling matrix.
    phi : str or TransferFunction
        Transfer function.
    t_max : float
        Total time: transient, then warm-up, then counted time.
    dt : float
        Step (> 0; <= 1 for Euler).
    k : int
        Number of exponents, ``1 <= k <= N``.
    x0 : array_like, shape (N,), optional
        Initial state; default iid :math:`\mathcal N(0, 1)`.
    t_transient : float
        Time the trajectory runs before the tangent vectors start.
    t_warmup : float, optional
        Time the tangent vectors evolve and are re-orthonormalised without being
        counted (they align with the most unstable directions).  Default
        ``0.1 * t_max``.
    noise, inputs
        As in :func:`simulate`; the same noise realisation drives the
        trajectory, the tangent map does not depend on it.
    qr_every : int
        Steps between re-orthonormalisations (>= 1).
    n_blocks : int
        Blocks of counted time for the standard error (>= 2).
    method : {"euler", "exp-euler"}
        The map whose tangent dynamics is followed.
    seed : None, int or numpy.random.Generator
        Randomness for ``x0``, the initial tangent vectors (in that order) and
        the noise.
    progress : bool
        tqdm progress bar.
    threads : int, optional
        Limit the BLAS threads (threadpoolctl).
    max_steps, max_state
        As in :func:`simulate` (bound on the number of steps; divergence bound).

    Returns
    -------
    LyapunovResult

    Raises
    ------
    ParameterError
        For invalid input, runs longer than ``max_steps`` or arrays beyond
        :data:`meanfield._checks.MAX_BYTES`.
    DivergenceError
        If the state leaves ``[-max_state, max_state]`` or the state or tangent
        vectors become non-finite (a :class:`~meanfield.errors.ConvergenceError`).

    Notes
    -----
    The trajectory follows the map of :func:`simulate`; the tangent vectors
    :math:`Q \in \mathbb R^{N\times k}` follow its Jacobian at the current state,

    .. math::

        Q \leftarrow a\,Q + b\,J\,(\phi'(x^n) \odot Q),

    with :math:`(a, b) = (1-dt, dt)` for Euler and :math:`(e^{-dt}, 1-e^{-dt})`
    for exp-Euler.  Every ``qr_every`` steps :math:`Q = \tilde Q R` with
    :math:`R_{ii} > 0` (signs flipped), and :math:`Q \leftarrow \tilde Q`; after the
    warm-up the exponents are :math:`\lambda_j = \sum \log R_{jj} / t_\mathrm{counted}`
    (Benettin et al. 1980, doi:10.1007/BF02128236).  For a linear network
    (``phi="linear"``) with Euler they are :math:`\log|1 - dt + dt\,\lambda_j(J)|/dt`
    for the eigenvalues of largest modulus of :math:`(1-dt) + dt\,J`.

    Examples
    --------
    >>> import numpy as np
    >>> import meanfield.simulate as sim
    >>> res = sim.lyapunov(np.zeros((5, 5)), "tanh", t_max=10.0, dt=0.1, seed=0)
    >>> bool(abs(res.exponents[0] - np.log(0.9) / 0.1) < 1e-12)
    True
    """
    J = _coupling_iv(J)
    n = J.shape[0]
    tf = transfer.get(phi)
    method = _checks.choice("method", method, _LYAP_METHODS)
    t_max, dt, n_steps = _time_iv(t_max, dt, method, max_steps)
    k = _checks.integer("k", k, low=1, high=n)
    # a float64 copy of J, and the tangent vectors with their QR temporaries
    _checks.memory("k", (n * n if J.dtype != np.float64 else 0) * 8 + 6 * n * k * 8,
                   f"{k} tangent vectors of {n} units")
    J = np.ascontiguousarray(J, dtype=np.float64)
    noise = _checks.nonnegative("noise", noise)
    qr_every = _checks.integer("qr_every", qr_every, low=1)
    n_blocks = _checks.integer("n_blocks", n_blocks, low=2)
    t_transient = _checks.nonnegative("t_transient", t_transient)
    t_warmup = 0.1 * t_max if t_warmup is None else _checks.nonnegative("t_warmup", t_warmup)
    if threads is not None:
        threads = _checks.integer("threads", threads, low=1)
    gen = _checks.rng(seed)
    n_trans = int(round(t_transient / dt))
    n_warm = int(round(t_warmup / dt / qr_every)) * qr_every
    n_count = ((n_steps - n_trans - n_warm) // qr_every) * qr_every
    n_intervals = n_count // qr_every
    if n_intervals < n_blocks:
        raise ParameterError(
            f"`t_max` must leave at least n_blocks={n_blocks} QR intervals of counted time "
            f"after t_transient={t_transient!r} and t_warmup={t_warmup!r}; got t_max={t_max!r}")
    const_in, fun_in = _inputs_iv(inputs, n, np.dtype(np.float64))
    x = _x0_iv(x0, n, 1, gen, np.dtype(np.float64))
    max_state = _max_state_iv(max_state, J, x, const_in, fun_in, noise)
    Q, _ = np.linalg.qr(gen.standard_normal((n, k)))
    step = _stepper(J, tf.phi, dt, noise, "euler" if method == "euler" else "exp-euler",
                    const_in, fun_in, gen, np.dtype(np.float64), (n, 1))
    a, b = (1.0 - dt, dt) if method == "euler" else (math.exp(-dt), -math.expm1(-dt))

    block_of = (np.arange(n_intervals) * n_blocks) // n_intervals
    block_sum = np.zeros((n_blocks, k))
    block_time = np.bincount(block_of, minlength=n_blocks) * qr_every * dt
    total = n_trans + n_warm + n_count
    bar = progress_bar(total, progress, "lyapunov", "step")
    bar_every = max(1, total // 200)
    t0 = time.perf_counter()
    with blas_threads(threads), np.errstate(over="ignore", invalid="ignore"):
        for it in range(total):
            if it >= n_trans:
                D = tf.dphi(x[:, 0])[:, None]
                Q = a * Q + b * (J @ (D * Q))
            step(x, it * dt)
            j = it + 1 - n_trans
            if (it + 1) % _CHECK_EVERY == 0 and _diverged(x, max_state):
                raise DivergenceError(
                    f"diverged at t={(it + 1) * dt:g} (step {it + 1}): max |x_i| = "
                    f"{float(np.max(np.abs(x))):.3g} exceeds max_state={max_state:.3g}; the "
                    "dynamics has no bounded state for these parameters or `dt` is too large")
            if j > 0 and j % qr_every == 0:
                if not (np.all(np.isfinite(Q)) and np.all(np.isfinite(x))):
                    raise DivergenceError(
                        f"the state or tangent vectors became non-finite at t={(it + 1) * dt:g}; "
                        "reduce `qr_every` or `dt`, or check that the dynamics is bounded")
                Q, r = _positive_qr(Q)
                if j > n_warm:
                    block_sum[block_of[(j - n_warm) // qr_every - 1]] += np.log(r)
            if bar is not None and ((it + 1) % bar_every == 0 or it + 1 == total):
                bar.update(it + 1 - bar.n)
    wall = time.perf_counter() - t0
    if bar is not None:
        bar.close()
    t_counted = n_count * dt
    exponents = block_sum.sum(axis=0) / t_counted
    block_exp = block_sum / block_time[:, None]
    stderr = block_exp.std(axis=0, ddof=1) / math.sqrt(n_blocks)
    return LyapunovResult(
        exponents=exponents, stderr=stderr, block_exponents=block_exp, n=n, k=k,
        n_blocks=n_blocks, qr_every=qr_every, dt=dt, t_max=n_steps * dt,
        t_transient=n_trans * dt, t_warmup=n_warm * dt, t_counted=t_counted, noise=noise,
        method=method, phi=tf.name, seed=seed_value(seed), wall_time=wall, success=True,
        status=0, message=f"{n_intervals} QR steps over t={t_counted:g}")

