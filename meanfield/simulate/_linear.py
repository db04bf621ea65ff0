r"""Sampler of linear dynamics: :math:`\|x(t)\|^2` for :math:`\dot x = -x + Wx`.

For each matrix :math:`W` drawn from an ensemble and each initial condition
:math:`x_0` uniform on the unit sphere, :math:`x(t) = e^{(W-1)t}x_0` (time in units of
the unit time constant), from one eigendecomposition per matrix or by stepping with
``scipy.linalg.expm`` (:func:`squared_norm`).  The reference the closed forms of
:mod:`meanfield.transient` are checked against.

Private module of :mod:`meanfield.simulate` (``mf.simulate.squared_norm``).  Like the
rate-network simulator it imports no theory: numpy and scipy's linear algebra, and the
ensemble only through its ``sample(n, seed=)`` method.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse

from .. import _checks
from .._results import ResultMixin
from .._runtime import blas_threads, chunks, progress_bar, seed_value
from ..errors import ParameterError
from ..estimate import Estimate

__all__ = ["squared_norm", "SquaredNormSamples", "SAMPLER_METHODS"]

#: Methods of :func:`squared_norm`.
SAMPLER_METHODS = ("auto", "eig", "expm")
_SIM_METHODS = SAMPLER_METHODS


def _ensemble_iv(ensemble):
    if isinstance(ensemble, type) or not callable(getattr(ensemble, "sample", None)):
        raise ParameterError(
            f"`ensemble` must be a meanfield.ensembles.Ensemble (an object with "
            f"sample(n, seed=)); got ensemble={ensemble!r} ({type(ensemble).__name__})")
    return ensemble



@dataclass(frozen=True, repr=False)
class SquaredNormSamples(ResultMixin):
    r"""Samples of :math:`\|x(t)\|^2` from :func:`squared_norm`.

    Attributes
    ----------
    t : ndarray, shape (n_t,)
    samples : ndarray, shape (n_matrices, n_x0, n_t)
        :math:`\|x(t)\|^2` for each matrix and initial condition.
    matrix_mean : ndarray, shape (n_matrices, n_t)
        Average over :math:`x_0` for each matrix: the exact
        :math:`\frac1n\|e^{(W-1)t}\|_F^2` when ``exact_average`` was set, else
        the mean of the ``n_x0`` samples.
    condition : ndarray, shape (n_matrices,)
        Frobenius condition number :math:`\|V\|_F\|V^{-1}\|_F` of the
        eigenvector matrix (NaN where the eig path was not used).
    fallback : ndarray of bool, shape (n_matrices,)
        Matrices where the eig path was rejected (ill-conditioned, or a round-off
        estimate above ``rtol``) and ``scipy.linalg.expm`` was used instead.
    error_estimate : ndarray, shape (n_matrices, n_t)
        A-priori relative round-off estimate of the eig path's values (the larger of
        the exact average's and the samples'; see :func:`squared_norm`,
        Notes), also for matrices where it exceeded ``rtol`` and expm was used
        instead; NaN where no estimate was made (method ``"expm"``, or eig rejected
        before the estimate by ``cond_max``).
    rtol : float
        The relative accuracy requested of the eig path.
    n, n_matrices, n_x0 : int
    seed : int or None
        The integer seed (None if none or a Generator was given).
    method : str
        ``"eig"`` or ``"expm"``: the method used (``"auto"`` resolved).
    exact_average : bool
    ensemble : str
        ``repr`` of the ensemble.
    success, status, message
        ``status`` 0: every value finite; 1: non-finite values (the norm
        overflowed, e.g. spectral radius > 1 at long times), ``success=False``.

    Examples
    --------
    >>> import meanfield as mf
    >>> ens = mf.ensembles.Gaussian(g=0.5)
    >>> s = mf.simulate.squared_norm(ens, [0.0, 1.0, 2.0], n=20, n_matrices=2, seed=0)
    >>> s.method, s.n_fallback, s.success
    ('expm', 0, True)
    >>> s.mean
    [1 ± 0, 0.17044 ± 0.00022, 0.04181 ± 0.00050] (n=2, shape=(3,))
    """

    t: np.ndarray
    samples: np.ndarray
    matrix_mean: np.ndarray
    condition: np.ndarray
    fallback: np.ndarray
    error_estimate: np.ndarray
    rtol: float
    n: int
    n_matrices: int
    n_x0: int
    seed: int | None
    method: str
    exact_average: bool
    ensemble: str
    success: bool = True
    status: int = 0
    message: str = ""

    _repr_fields = ("n", "n_matrices", "n_x0", "seed", "method", "exact_average", "ensemble",
                    "t", "n_fallback", "success", "message")

    @property
    def n_fallback(self) -> int:
        """Number of matrices where the eig path was rejected for expm."""
        return int(np.sum(self.fallback))

    @property
    def mean(self) -> Estimate:
        r""":math:`\mathrm E\|x(t)\|^2`: mean over matrices of ``matrix_mean``, with the
        standard error over matrices (the quenched disorder)."""
        if self.n_matrices < 2:
            raise ParameterError("a standard error over matrices needs n_matrices >= 2; "
                                 f"got n_matrices={self.n_matrices}")
        return Estimate.from_samples(self.matrix_mean, axis=0)

    @property
    def variance(self) -> np.ndarray:
        r"""Variance of :math:`\|x(t)\|^2` pooled over matrices and initial conditions."""
        flat = self.samples.reshape(-1, self.samples.shape[-1])
        return flat.var(axis=0, ddof=1)

    def pooled(self, index: int) -> np.ndarray:
        """All samples (matrices x initial conditions) at ``t[index]``, flattened.

        Examples
        --------
        >>> import meanfield as mf
        >>> ens = mf.ensembles.Gaussian(g=0.5)
        >>> s = mf.simulate.squared_norm(ens, [0.0, 1.0, 2.0], n=20, n_matrices=2, seed=0)
        >>> s.pooled(1).shape  # 2 matrices x 16 initial conditions
        (32,)
        >>> s.pooled(1).round(4)[:3]
        array([0.1615, 0.1289, 0.1504])
        """
        index = _checks.integer("index", index, low=-len(self.t), high=len(self.t) - 1)
        return self.samples[:, :, index].ravel()

    def plot(self, ensemble=None, ax=None, *, theory=None, **kwargs):
        """Simulated mean with error bars, and a theory curve if given.

        ``theory``: values of the theory on ``self.t`` (e.g.
        ``mf.transient.mean_squared_norm(ensemble, samples.t)``), drawn as a line; or
        ``ensemble``: :mod:`meanfield.plotting` (which sits above theory and simulation)
        computes the closed form on a fine grid.  Returns the Figure.

        Examples
        --------
        >>> import meanfield as mf
        >>> ens = mf.ensembles.Gaussian(g=0.5)
        >>> s = mf.simulate.squared_norm(ens, [0.0, 1.0, 2.0], n=20, n_matrices=2, seed=0)
        >>> type(s.plot(theory=mf.transient.mean_squared_norm(ens, s.t))).__name__
        'Figure'
        """
        from ..plotting import plot_squared_norm
        return plot_squared_norm(self, ensemble=ensemble, ax=ax, theory=theory, **kwargs)


def _sphere(gen, n, k):
    X = gen.standard_normal((n, k))
    X /= np.linalg.norm(X, axis=0)
    return X


#: Safety factor of the eig path's round-off estimates over their unit-constant models
#: :math:`\epsilon S(t)/F(t)` and :math:`2\epsilon S_x(t)/\|x(t)\|` (:func:`_eig_path`): the
#: measured ratio of the actual error to the unit-constant model was at most 0.9 (exact
#: average) and 0.25 (samples) over 30 Gaussian and Rajan-Abbott matrices, n = 60-500,
#: condition numbers 9e2-2e6 (reference: expm, and expm in long double at n = 120).
_ROUNDOFF_SAFETY = 4.0


def _eig_path(W, X0, t, exact_average, cond_max, max_elements, rtol):
    r"""||x(t)||^2 through W = V diag(lam) V^{-1}.

    Returns ``(result, cond, estimate)``: ``result`` is ``(samples, average)`` or None when the
    eig path is rejected (condition number above ``cond_max``, failed reconstruction, or an
    a-priori round-off estimate above ``rtol`` at some t > 0); ``estimate`` (shape (n_t,)) is
    the relative round-off estimate of the returned values (None when not computed).

    Round-off model.  With :math:`d_i = e^{(\lambda_i - 1)t}`, the exact average is the
    Hermitian form :math:`F(t) = \frac1n d^H K d`, :math:`K = (V^{-1}V^{-H}) \circ
    (V^HV)^T`.  Its terms are as large as :math:`|d_i||K_{ij}||d_j|` while their sum is
    :math:`F`: relative perturbations of order :math:`\epsilon` in the entries of
    :math:`K` (forming :math:`V^{-1}` and the two products) and in the summation change
    :math:`F` by up to :math:`\epsilon S(t)`, :math:`S(t) = \frac1n\sum_{ij}
    |d_i||K_{ij}||d_j|`.  At t = 0, :math:`S \le \|V^{-1}\|_F^2 = \kappa_F(V)^2/n`
    (unit columns of V): the error grows like the *square* of the condition number.
    A sample :math:`x(t) = V D V^{-1}x_0` sums vectors of sizes
    :math:`|d_i|(|V^{-1}||x_0|)_i`: :math:`\delta\|x\| \lesssim \epsilon S_x(t)`,
    :math:`S_x = \sum_i |d_i| (|V^{-1}||x_0|)_i` (linear in the condition number).
    Both estimates cost one more product of the size of the values themselves.
    t = 0 is exact (:math:`e^{0} = 1`): the samples are :math:`\|x_0\|^2` and the average 1.
    """
    eps = np.finfo(float).eps
    n = W.shape[0]
    lam, V = np.linalg.eig(W)
    if not np.all(np.isfinite(lam)):
        return None, math.nan, None
    try:
        Vinv = np.linalg.inv(V)
    except np.linalg.LinAlgError:
        return None, math.inf, None
    cond = float(np.linalg.norm(V) * np.linalg.norm(Vinv))
    if not math.isfinite(cond) or cond > cond_max:
        return None, cond, None
    C0 = Vinv @ X0
    # a posteriori check: V V^{-1} x0 must give back x0
    back = np.linalg.norm((V @ C0).real - X0) / np.linalg.norm(X0)
    if not back < 1e3 * eps * cond:
        return None, cond, None
    # real W: eigenpairs come in exact conjugate pairs; keep Im >= 0, weight 2 for Im > 0
    keep = lam.imag >= 0
    if 2 * np.sum(lam.imag > 0) + np.sum(lam.imag == 0) != n:
        return None, cond, None
    lk = lam[keep] - 1.0
    w = np.where(lam[keep].imag > 0, 2.0, 1.0)
    Ck = C0[keep] * w[:, None]
    Vk = V[:, keep]
    VR = np.hstack([Vk.real, -Vk.imag])           # Re(V z) = Vr zr - Vi zi
    Gk = (np.abs(Vinv) @ np.abs(X0))[keep] * w[:, None]     # for S_x
    m, k = lk.size, X0.shape[1]
    out = np.empty((k, t.size))
    sx = np.empty((k, t.size))
    per_t = max(1, max_elements // max(1, 2 * m * k))
    for sl in chunks(t.size, per_t):
        D = np.exp(np.outer(lk, t[sl]))          # (m, nt)
        Z = (D[:, :, None] * Ck[:, None, :]).reshape(m, -1)
        Xt = VR @ np.vstack([Z.real, Z.imag])    # (n, nt * k)
        out[:, sl] = np.einsum("ij,ij->j", Xt, Xt).reshape(-1, k).T
        sx[:, sl] = (np.abs(D).T @ Gk).T
    with np.errstate(divide="ignore", invalid="ignore"):
        est = np.max(np.where(sx > 0, 2.0 * eps * sx / np.sqrt(out), 0.0), axis=0)
    avg = None
    if exact_average:
        # (1/n)||V D V^{-1}||_F^2 = (1/n) sum_ij d_i conj(d_j) (V^-1 V^-H)_ij (V^H V)_ji
        K = (Vinv @ Vinv.conj().T) * (V.conj().T @ V).conj()
        Kabs = np.abs(K)
        avg = np.empty(t.size)
        s_avg = np.empty(t.size)
        per_t = max(1, max_elements // n)
        for sl in chunks(t.size, per_t):
            D = np.exp(np.outer(lam - 1.0, t[sl]))
            avg[sl] = np.einsum("it,it->t", D, K @ D.conj()).real / n
            Da = np.abs(D)
            s_avg[sl] = np.einsum("it,it->t", Da, Kabs @ Da) / n
        with np.errstate(divide="ignore", invalid="ignore"):
            est = np.maximum(est, np.where(s_avg > 0, eps * s_avg / np.abs(avg), 0.0))
    est = _ROUNDOFF_SAFETY * est
    at0 = t == 0
    out[:, at0] = np.einsum("ij,ij->j", X0, X0)[:, None]
    if exact_average:
        avg[at0] = 1.0
    est[at0] = eps
    if not np.all(est[~at0] <= rtol):           # also rejects NaN estimates (overflow)
        return None, cond, est
    return (out, avg), cond, est


def _increment_key(dt):
    # a uniform grid gives increments equal to ~1e-15: round so that they share one expm
    return float(f"{dt:.12e}")


def _n_increments(t):
    """Number of distinct positive increments of the sorted times (from 0)."""
    steps = np.diff(np.concatenate([[0.0], np.sort(t)]))
    return len({_increment_key(d) for d in steps if d > 0})


def _expm_path(W, X0, t, exact_average):
    """||x(t)||^2 by stepping with scipy.linalg.expm of the time increments."""
    n = W.shape[0]
    A = W - np.eye(n)
    order = np.argsort(t, kind="stable")
    ts = t[order]
    steps = np.diff(np.concatenate([[0.0], ts]))
    state = np.eye(n) if exact_average else X0.copy()
    cache = {}
    out = np.empty((X0.shape[1], t.size))
    avg = np.empty(t.size) if exact_average else None
    for idx, dt in zip(order, steps):
        if dt > 0:
            key = _increment_key(dt)
            E = cache.get(key)
            if E is None:
                E = cache[key] = scipy.linalg.expm(A * dt)
            state = E @ state
        if exact_average:
            xt = state @ X0
            avg[idx] = np.sum(state * state) / n
        else:
            xt = state
        out[:, idx] = np.einsum("ij,ij->j", xt, xt)
    return out, avg


def squared_norm(ensemble, t, *, n: int, n_matrices: int = 10, n_x0: int = 16,
                 seed=None, method: str = "auto", exact_average: bool = True,
                 rtol: float = 1e-8, cond_max: float = 1e10,
                 max_elements: int = 2 ** 22,
                 threads: int | None = None,
                 progress: bool = False) -> SquaredNormSamples:
    r"""Sample :math:`\|x(t)\|^2` for :math:`\dot x = -x + Wx` over matrices and initial conditions.

    For each of ``n_matrices`` matrices :math:`W` drawn from ``ensemble`` and
    ``n_x0`` initial conditions :math:`x_0` uniform on the unit sphere,
    :math:`x(t) = e^{(W-1)t}x_0` on the grid ``t``.

    The sampler uses the ensemble only through ``ensemble.sample(n, seed=generator)``
    (any object with that method will do); it knows no theory.

    Parameters
    ----------
    ensemble : meanfield.ensembles.Ensemble, or any object with ``sample(n, seed=)``
    t : array_like, 1-D
        Times :math:`t \ge 0` (any order, repeats allowed).
    n : int
        Network size, ``n >= 2``.
    n_matrices, n_x0 : int
        Number of matrices and of initial conditions per matrix (>= 1).
    seed : None, int or numpy.random.Generator
        One generator draws, for each matrix in turn, :math:`W` then its
        :math:`x_0`: the same seed gives the same numbers whatever the chunking.
    method : {"auto", "eig", "expm"}
        ``"eig"``: :math:`x(t) = V e^{(\Lambda - 1)t} V^{-1} x_0` from one
        eigendecomposition per matrix (conjugate pairs folded, so the cost per
        time is one real product of size :math:`n \times n \times n_{x_0}`).
        It falls back to ``"expm"`` for a matrix whose eigenvector condition
        number :math:`\|V\|_F\|V^{-1}\|_F` exceeds ``cond_max``, whose
        reconstruction :math:`VV^{-1}x_0` misses :math:`x_0` by more than
        :math:`10^3\,\epsilon\,\mathrm{cond}`, or whose a-priori round-off
        estimate (Notes) exceeds ``rtol`` at some :math:`t > 0`.  ``"expm"``: step through the
        sorted times with ``scipy.linalg.expm`` of the increments (the
        reference; one expm per distinct increment, :math:`n^3` per time
        when ``exact_average``).  ``"auto"`` (default) takes the cheaper of the
        two by a cost model measured at n = 500 on one BLAS thread, in units
        of one :math:`n^3` matrix product: eig + inverse 35 (+ 8 for the exact
        average), one expm 12 per distinct increment (+ 1 per time for the
        exact average).  A uniform grid without the exact average goes to
        ``"expm"`` (one expm, then one product per time: 3.5x faster than eig
        in ``benchmarks/bench_transient.py``).
    exact_average : bool
        Also compute the exact average over :math:`x_0` for each matrix,
        :math:`\frac1n\|e^{(W-1)t}\|_F^2` (eig path: one Hermitian quadratic
        form per time after two :math:`n^3` products), stored in
        ``matrix_mean``; it removes the :math:`x_0` noise from the estimate
        of the mean.
    rtol : float
        Relative accuracy requested of the eig path (> 0; default 1e-8): a matrix
        whose round-off estimate exceeds it at any time goes to ``"expm"``.  The
        sampling error of a mean over matrices is far larger (1e-3 relative or
        more), so a statistical use can loosen it to save the expm fallback.
    cond_max : float
        Condition-number limit of the eig path (> 1).
    max_elements : int
        Bound on the number of complex elements of the per-chunk work arrays
        (chunks over times).
    threads : int, optional
        Number of BLAS threads (pinned with threadpoolctl for the call); None
        leaves the setting alone.  On small shared machines 1 is often the
        fastest (eig at n = 200: 0.1 s on one thread, 0.7 s on two contended ones).
    progress : bool
        tqdm progress bar over matrices.

    Returns
    -------
    SquaredNormSamples
        ``.mean`` is the Estimate of :math:`\mathrm E\|x(t)\|^2` with the
        standard error over matrices.

    Raises
    ------
    ParameterError
        For an object without ``sample``, bad ``t`` (not 1-D, negative, non-finite, empty),
        sizes below their minimum, an unknown method, a non-positive ``rtol``
        or a bad seed.

    Notes
    -----
    Round-off of the eig path.  With :math:`d_i = e^{(\lambda_i-1)t}`, the exact
    average is the Hermitian form :math:`F(t) = \frac1n d^H K d`,
    :math:`K = (V^{-1}V^{-H})\circ(V^HV)^T`, whose terms are as large as
    :math:`|d_i||K_{ij}||d_j|` while they sum to :math:`F`.  Relative errors of
    order :math:`\epsilon` in :math:`K` (the inverse and the two products) and in
    the sum change :math:`F` by up to :math:`\epsilon S(t)`,

    .. math::

        \frac{|\delta F|}{F} \lesssim \frac{\epsilon\, S(t)}{F(t)}, \qquad
        S(t) = \frac1n\sum_{ij}|d_i||K_{ij}||d_j|, \qquad
        S(0) \le \|V^{-1}\|_F^2 = \frac{\kappa_F(V)^2}{n},

    quadratic in the condition number :math:`\kappa_F = \|V\|_F\|V^{-1}\|_F`
    (the columns of :math:`V` have unit norm).  A sample
    :math:`x(t) = VDV^{-1}x_0` has :math:`\delta\|x\| \lesssim \epsilon\sum_i
    |d_i|(|V^{-1}||x_0|)_i`, linear in :math:`\kappa`.  ``error_estimate`` is 4
    times the larger of the two relative estimates (the measured error was at most
    0.9 and 0.25 times the unit-constant models: about 30 Gaussian and Rajan-Abbott
    matrices, n = 60-500, :math:`\kappa_F` = 9e2-1e7, against expm and a
    long-double reference).  For example, a Rajan-Abbott matrix (f = 0.8,
    :math:`\langle\mu^2\rangle` = 16, n = 120) with :math:`\kappa_F = 5.3\times
    10^5` lost 7.9e-9 of the exact average at t = 0 (unit-constant model 9.1e-9;
    t = 0 is now exact) and loses 1.5e-9 at t = 0.5 (estimate 6.7e-9); one with
    :math:`\kappa_F = 9.5\times 10^6` (n = 400, :math:`\langle\mu^2\rangle` = 36)
    loses 4e-8 near t = 0 and goes to expm at the default ``rtol``; matrices of
    the validation (:math:`\langle\mu^2\rangle` = 9, n = 1000,
    :math:`\kappa_F \approx 10^6`) have estimates of 4e-9 at t = 0.5.
    t = 0 is exact: :math:`\|x_0\|^2` and 1.  The expm path's own round-off grows
    with t instead (up to 6e-12 at t = 4 for :math:`\langle\mu^2\rangle` = 36,
    n = 120, where the eig path was within 1e-13 of the long-double reference).

    Examples
    --------
    >>> import meanfield as mf
    >>> ens = mf.ensembles.Gaussian(g=0.5)
    >>> s = mf.simulate.squared_norm(ens, [0.0, 1.0, 2.0], n=20, n_matrices=2, seed=0)
    >>> s.mean  # theory: 1, 0.171343, 0.0415
    [1 ± 0, 0.17044 ± 0.00022, 0.04181 ± 0.00050] (n=2, shape=(3,))
    """
    ensemble = _ensemble_iv(ensemble)
    t = _checks.real_array("t", t, ndim=1, low=0.0)
    if t.size == 0:
        raise ParameterError("`t` must hold at least one time; got an empty array")
    n = _checks.integer("n", n, low=2)
    n_matrices = _checks.integer("n_matrices", n_matrices, low=1)
    n_x0 = _checks.integer("n_x0", n_x0, low=1)
    method = _checks.choice("method", method, _SIM_METHODS)
    if not isinstance(exact_average, (bool, np.bool_)):
        raise ParameterError(f"`exact_average` must be True or False; got {exact_average!r}")
    rtol = _checks.real("rtol", rtol, low=0.0, low_open=True)
    cond_max = _checks.real("cond_max", cond_max, low=1.0, low_open=True)
    max_elements = _checks.integer("max_elements", max_elements, low=1)
    if threads is not None:
        threads = _checks.integer("threads", threads, low=1)
    gen = _checks.rng(seed)
    n_inc = _n_increments(t)
    requested = method
    if method == "auto":
        cost_eig = 35.0 + (8.0 if exact_average else 0.0)
        cost_expm = 12.0 * n_inc + (float(t.size) if exact_average else 0.0)
        method = "expm" if cost_expm < cost_eig else "eig"

    samples = np.empty((n_matrices, n_x0, t.size))
    mmean = np.empty((n_matrices, t.size))
    cond = np.full(n_matrices, np.nan)
    fallback = np.zeros(n_matrices, dtype=bool)
    estimate = np.full((n_matrices, t.size), np.nan)
    bar = progress_bar(n_matrices, progress, "squared norm", "matrix")
    # overflow (spectral radius > 1 at long times) is reported below as non-finite values
    with blas_threads(threads), np.errstate(over="ignore", invalid="ignore"):
        for i in range(n_matrices):
            W = ensemble.sample(n, seed=gen)
            W = W.toarray() if scipy.sparse.issparse(W) else np.asarray(W, dtype=np.float64)
            X0 = _sphere(gen, n, n_x0)
            res = None
            if method == "eig":
                res, cond[i], est = _eig_path(W, X0, t, exact_average, cond_max, max_elements,
                                              rtol)
                if est is not None:
                    estimate[i] = est
            if res is None:
                fallback[i] = method == "eig"
                res = _expm_path(W, X0, t, exact_average)
            out, avg = res
            samples[i] = out
            mmean[i] = avg if exact_average else out.mean(axis=0)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    finite = bool(np.all(np.isfinite(samples)) and np.all(np.isfinite(mmean)))
    nfb = int(fallback.sum())
    msg = (f"{n_matrices} matrices x {n_x0} initial conditions at n={n}, {t.size} times "
           f"({n_inc} distinct steps); method {method!r}"
           + (" (chosen by 'auto')" if requested == "auto" else "")
           + (f"; eig rejected for {nfb} matrices (condition number above cond_max or "
              f"round-off estimate above rtol={rtol:g}; expm used)" if nfb else ""))
    if not finite:
        msg += "; non-finite squared norms (overflow): the dynamics is unstable at these times"
    return SquaredNormSamples(
        t=t, samples=samples, matrix_mean=mmean, condition=cond, fallback=fallback,
        error_estimate=estimate, rtol=rtol, n=n,
        n_matrices=n_matrices, n_x0=n_x0, seed=seed_value(seed), method=method,
        exact_average=bool(exact_average), ensemble=repr(ensemble), success=finite,
        status=0 if finite else 1, message=msg)
