r"""Empirical spectra of random matrices, and their comparison with the theory.

Tools for eigenvalues (and singular values) sampled from an ensemble of
:mod:`meanfield.ensembles` or given as matrices:

- :func:`eigenvalues`, :func:`singular_values`: spectra of one matrix, a stack, or
  one matrix per seed drawn from an ensemble (batched, memory bounded);
- :func:`radial_cdf`: the empirical fraction :math:`F_n(r) = \#\{|\lambda| \le r\}/n`;
- :func:`binned_density`: densities per unit area in annuli (or per unit length
  of the real / imaginary parts, or of singular values) with binomial error bars;
- :func:`find_outliers`: eigenvalues beyond the bulk radius by a measured margin
  (:func:`outlier_margin`);
- :func:`compare`: one call that samples an ensemble over seeds and returns a
  :class:`SpectrumComparison` (radial CDF, outliers, singular values against the
  theory, with a stated tolerance and ``.passed``, ``.table()``, ``.plot()``).

An ensemble is anything with ``sample(n, seed=None, dtype=...)``,
``spectral_radius``, ``radial_cdf(r)``, ``outliers()`` or ``outliers(n)`` and,
optionally, ``eigenvalue_density(z)`` and ``singular_value_cdf(s)`` or
``singular_value_density(s)``: the module codes to that interface, not to
particular classes.

Notes
-----
Two measured constants set the default tolerances; both come from the real
Ginibre ensemble :math:`J_{ij} \sim \mathcal N(0, 1/n)` (``Gaussian(g=1)``):

- **edge budget** (:func:`edge_budget`): the expected empirical radial CDF of a
  finite matrix differs from the circular law most at the edge :math:`r = R`, by
  :math:`-1/\sqrt{2\pi n}` for complex Ginibre (exact large-:math:`n` limit of
  Kostlan's :math:`F_n(1) = \frac1n\sum_{k=1}^{n} P(\Gamma_k \le n)`).  Measured for
  real Ginibre, :math:`\sqrt n\,(\mathrm E F_n(R) - 1)` = -0.371 ± 0.013
  (n = 200, 200 seeds), -0.382 ± 0.013 (250, 200), -0.378 ± 0.014 (500, 100),
  -0.384 ± 0.021 (1000, 40), -0.422 ± 0.038 (2000, 14): a fit :math:`c/\sqrt n`
  gives :math:`c = 0.38 \pm 0.01`.  Inside the bulk (:math:`r/R` = 0.25 ... 0.95)
  the measured :math:`\sqrt n\,(\mathrm E F_n - F)` stays below 0.1 (largest
  0.08 ± 0.03 at n = 2000, :math:`r = R/2`; real matrices have an excess of
  real eigenvalues).  The budget is :math:`b(n) = 1/\sqrt{2\pi n}`, which covers
  every radius.  The same budget is used for the singular-value CDF, where the
  measured :math:`\sqrt n\,|\mathrm E F_n - F|` of real Ginibre is at most
  0.016 ± 0.004 (n = 200 ... 2000, :math:`s/2g` = 0.2 ... 1): generous there, it
  also covers the :math:`O(1/n)` shift by singular values that low-rank parts
  move out of the bulk.
- **outlier margin** (:func:`outlier_margin`): the largest bulk eigenvalue
  modulus exceeds :math:`R` by :math:`x R/\sqrt n` with, measured,
  :math:`x` mean 0.59 / 0.68 / 0.73 / 0.87 and maximum 2.42 / 2.15 / 2.03 / 1.75 at
  n = 200 / 500 / 1000 / 2000 (2000 / 400 / 100 / 14 matrices; 99.9 % quantile
  2.06 / 2.11 / 2.02 at n = 200 / 500 / 1000).  The default margin is :math:`3/\sqrt n`.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from . import _checks
from ._results import AlwaysSucceeds
from ._runtime import blas_threads
from .errors import ParameterError
from .estimate import Estimate

__all__ = [
    "eigenvalues",
    "singular_values",
    "radial_cdf",
    "binned_density",
    "BinnedDensity",
    "find_outliers",
    "outlier_margin",
    "outlier_tolerance",
    "edge_budget",
    "compare",
    "SpectrumComparison",
    "SpectrumRow",
    "EDGE_BUDGET_C",
    "OUTLIER_MARGIN_C",
    "OUTLIER_TOL_C",
    "DEFAULT_RADII",
]

#: :math:`c` of the edge budget :math:`b(n) = c/\sqrt n` (:math:`1/\sqrt{2\pi}`).
EDGE_BUDGET_C = 1.0 / math.sqrt(2.0 * math.pi)
#: :math:`c` of the default outlier margin :math:`c/\sqrt n` (relative to the radius).
OUTLIER_MARGIN_C = 3.0
#: :math:`c` of the default outlier matching tolerance :math:`c R/\sqrt n`.
OUTLIER_TOL_C = 6.0
#: Default radii of :func:`compare`, as fractions of the spectral radius.
DEFAULT_RADII = (0.25, 0.5, 0.75, 0.9, 0.95, 1.05)
#: Default singular-value points of :func:`compare`, as fractions of the upper support edge.
DEFAULT_SV_POINTS = (0.2, 0.4, 0.6, 0.8, 0.95)
_KINDS = ("radial", "real", "imag")
_ERRORS = ("binomial", "seeds")
_MAX_BYTES = 2 ** 28


# ---------------------------------------------------------------------------
# budgets and margins (measured; see the module Notes)
# ---------------------------------------------------------------------------

def edge_budget(n: int) -> float:
    r"""Finite-size budget of the radial CDF, :math:`b(n) = 1/\sqrt{2\pi n}`.

    The largest expected deviation of the empirical radial CDF from the
    :math:`n \to \infty` law, over all radii, for the Ginibre ensemble.

    Parameters
    ----------
    n : int
        Matrix size, ``n >= 2``.

    Returns
    -------
    float

    Notes
    -----
    For complex Ginibre the squared moduli :math:`n|\lambda|^2` are distributed as
    independent :math:`\Gamma(k, 1)`, :math:`k = 1..n` (Kostlan 1992), so

    .. math:: \mathrm E F_n(r) = \frac1n\sum_{k=1}^{n} P(\Gamma_k \le n r^2/R^2),

    whose deviation from :math:`\min(r/R, 1)^2` is largest at :math:`r = R`,
    where it tends to :math:`-1/\sqrt{2\pi n}` (the Gaussian smearing of the edge
    over a width :math:`R/\sqrt{n}`).  Measured for real Ginibre: :math:`c = 0.38 \pm 0.01`
    for :math:`b = c/\sqrt n` (n = 200 ... 2000; see :mod:`meanfield.spectra`).
    Away from the edge the deviation decays like :math:`e^{-2n(1 - r/R)^2}`, so
    the budget is generous in the bulk.  Other ensembles (non-uniform density at
    the edge) may need their own measured budget: pass ``budget=`` to :func:`compare`.

    Examples
    --------
    >>> round(edge_budget(1000), 5)
    0.01262
    """
    n = _checks.integer("n", n, low=2)
    return EDGE_BUDGET_C / math.sqrt(n)


def outlier_margin(n: int) -> float:
    r"""Default relative margin :math:`3/\sqrt n` beyond the bulk radius for outliers.

    An eigenvalue counts as an outlier when :math:`|\lambda| > R\,(1 + m)`.

    Parameters
    ----------
    n : int
        Matrix size, ``n >= 2``.

    Notes
    -----
    The bulk edge of an iid matrix fluctuates on the scale :math:`R/\sqrt n`.  The
    largest modulus of real Ginibre exceeds :math:`R` by :math:`x R/\sqrt n` with
    measured maxima of :math:`x` of 2.42 (n = 200, 2000 matrices), 2.15 (500, 400),
    2.03 (1000, 100) and 1.75 (2000, 14); the 99.9 % quantile is 2.0 to 2.1.  The mean of
    :math:`x` grows slowly with :math:`n` (0.59 at n = 200, 0.87 at n = 2000), as
    the :math:`\sqrt{\log n}` centring of Rider (2003,
    doi:10.1088/0305-4470/36/12/331) predicts; extrapolating that law, a bulk
    eigenvalue passes :math:`3/\sqrt n` with probability about :math:`10^{-3}` per
    matrix at :math:`n = 10^4`.  Pass ``margin=`` for larger :math:`n` or for
    ensembles with a different edge.

    Examples
    --------
    >>> round(outlier_margin(900), 6)
    0.1
    """
    n = _checks.integer("n", n, low=2)
    return OUTLIER_MARGIN_C / math.sqrt(n)


def outlier_tolerance(n: int, radius: float) -> float:
    r"""Default distance within which a sampled outlier matches a predicted one: :math:`6R/\sqrt n`.

    Parameters
    ----------
    n : int
        Matrix size, ``n >= 2``.
    radius : float
        Bulk radius :math:`R > 0`.

    Notes
    -----
    The outlier of a rank-one perturbation :math:`\theta\, u v^T` of an iid matrix
    fluctuates by :math:`O(R/\sqrt n)`, more the closer it is to the bulk.
    Measured for ``Gaussian(g=1, J0=3)``, the standard deviation of the outlier
    is :math:`1.17/\sqrt n` (n = 300, 200 matrices) and :math:`1.13/\sqrt n`
    (n = 1000, 40), with no bias beyond the error (mean offset 0.007 ± 0.005 at
    n = 300); for ``J0=1.5`` it is :math:`1.56/\sqrt n` (n = 300, 200; largest
    offset :math:`4.26/\sqrt n`).  The tolerance :math:`6R/\sqrt n` is thus 5.1
    standard deviations at :math:`\theta = 3R` and 3.8 at :math:`\theta = 1.5R`;
    pass ``outlier_tol`` for outliers close to the bulk.

    Examples
    --------
    >>> round(outlier_tolerance(400, 1.0), 6), round(outlier_tolerance(100, 2.0), 6)
    (0.3, 1.2)
    """
    n = _checks.integer("n", n, low=2)
    radius = _checks.positive("radius", radius)
    return OUTLIER_TOL_C * radius / math.sqrt(n)


# ---------------------------------------------------------------------------
# spectra of matrices and of ensembles
# ---------------------------------------------------------------------------

def _is_ensemble(obj) -> bool:
    return callable(getattr(obj, "sample", None))


def _seeds_iv(seeds, *, ints_only=False) -> list:
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable) \
            or isinstance(seeds, np.random.Generator):
        raise ParameterError(
            "`seeds` must be a non-empty sequence of seeds (e.g. range(3) or [0]); "
            f"got seeds={seeds!r}")
    out = list(seeds)
    if not out:
        raise ParameterError("`seeds` must be a non-empty sequence of seeds; got an empty sequence")
    for s in out:
        if ints_only:
            _checks.integer("seeds", s, low=0)
        else:
            _checks.rng(s)  # validates (None, int >= 0 or Generator)
    return [int(s) if ints_only else s for s in out]


def _matrix_iv(name: str, a) -> np.ndarray:
    try:
        arr = np.asarray(a)
    except Exception as exc:
        raise ParameterError(f"`{name}` must be a square matrix or a stack of square matrices; "
                             f"got {a!r}") from exc
    if arr.dtype == object or arr.dtype.kind not in "biufc":
        raise ParameterError(f"`{name}` must be a numeric matrix; got dtype {arr.dtype}")
    if arr.ndim not in (2, 3) or arr.shape[-1] != arr.shape[-2] or arr.shape[-1] < 1:
        raise ParameterError(f"`{name}` must be a square matrix (n, n) or a stack (S, n, n); "
                             f"got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"`{name}` must contain only finite numbers (found NaN or inf)")
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    return arr


def _sample_batches(ensemble, n, seeds, dtype, max_bytes):
    """Yield stacks ``(b, n, n)`` of matrices, one per seed, at most ``max_bytes`` each."""
    itemsize = np.dtype(dtype).itemsize
    per_batch = max(1, int(max_bytes) // (n * n * itemsize))
    for start in range(0, len(seeds), per_batch):
        chunk = seeds[start:start + per_batch]
        stack = np.empty((len(chunk), n, n), dtype=dtype)
        for i, seed in enumerate(chunk):
            J = np.asarray(ensemble.sample(n, seed=seed, dtype=dtype))
            if J.shape != (n, n):
                raise ParameterError(f"`ensemble.sample({n})` must return shape ({n}, {n}); "
                                     f"got {J.shape}")
            if not np.all(np.isfinite(J)):
                raise ParameterError(f"`ensemble` sampled a matrix with non-finite entries "
                                     f"(n={n}, seed={seed!r})")
            stack[i] = J
        yield stack


def _spectra(source, n, seeds, dtype, max_bytes, *, eig=True, sv=False, threads=None):
    """Eigenvalues (S, n) complex and/or singular values (S, n) of a source."""
    if _is_ensemble(source):
        if n is None:
            raise ParameterError("`n` is required when `source` is an ensemble")
        n = _checks.integer("n", n, low=2)
        if seeds is None:
            raise ParameterError("`seeds` is required when `source` is an ensemble "
                                 "(e.g. seeds=range(3))")
        seeds = _seeds_iv(seeds)
        dtype = _checks.float_dtype("dtype", dtype)
        max_bytes = _checks.integer("max_bytes", max_bytes, low=1)
        batches = _sample_batches(source, n, seeds, dtype, max_bytes)
        single = False
    else:
        if n is not None or seeds is not None:
            raise ParameterError("`n` and `seeds` apply to an ensemble only; `source` is a matrix")
        arr = _matrix_iv("source", source)
        single = arr.ndim == 2
        batches = [arr[None] if single else arr]
    evs, svs = [], []
    with blas_threads(threads):
        for stack in batches:
            if eig:
                evs.append(np.linalg.eigvals(stack).astype(np.complex128))
            if sv:
                svs.append(np.linalg.svd(stack, compute_uv=False).astype(np.float64))
    ev = np.concatenate(evs) if eig else None
    s = np.concatenate(svs) if sv else None
    if single:
        ev = None if ev is None else ev[0]
        s = None if s is None else s[0]
    return ev, s


def eigenvalues(source, n: int | None = None, seeds=None, *, dtype=np.float64,
                max_bytes: int = _MAX_BYTES, threads: int | None = None) -> np.ndarray:
    r"""Eigenvalues of a matrix, of a stack of matrices, or of one sample per seed of an ensemble.

    Parameters
    ----------
    source : ensemble or array_like
        An ensemble (anything with ``sample(n, seed=..., dtype=...)``), a square
        matrix ``(n, n)`` or a stack ``(S, n, n)``; real or complex, finite.
    n : int, optional
        Matrix size, ``n >= 2`` (ensembles only).
    seeds : sequence, optional
        One seed per matrix (None, int >= 0 or ``numpy.random.Generator``;
        ensembles only).  The same seeds give the same eigenvalues.
    dtype : numpy float dtype
        Sampling dtype, ``np.float64`` (default) or ``np.float32`` (ensembles only).
    max_bytes : int
        Memory bound on the matrices held at once: samples are drawn and
        diagonalised in stacks of at most ``max_bytes`` (default 256 MiB; at
        least one matrix per stack).
    threads : int, optional
        Limit the BLAS/LAPACK threads (threadpoolctl); on a small shared machine
        1 is often fastest.

    Returns
    -------
    ndarray of complex128
        ``(n,)`` for one matrix, ``(S, n)`` for a stack or for ``S`` seeds (one
        spectrum per row, in LAPACK order).

    Raises
    ------
    ParameterError
        For a non-square or non-finite matrix, a missing or bad ``n`` / ``seeds``,
        an empty ``seeds``, or ``n``/``seeds`` given with a matrix.

    Examples
    --------
    >>> import numpy as np
    >>> eigenvalues(np.diag([3.0, 1.0, 2.0])).real
    array([3., 1., 2.])
    >>> from meanfield.ensembles import Gaussian
    >>> eigenvalues(Gaussian(1.0), n=50, seeds=[0, 1]).shape
    (2, 50)
    """
    return _spectra(source, n, seeds, dtype, max_bytes, eig=True, threads=threads)[0]


def singular_values(source, n: int | None = None, seeds=None, *, dtype=np.float64,
                    max_bytes: int = _MAX_BYTES, threads: int | None = None) -> np.ndarray:
    r"""Singular values of a matrix, a stack, or one sample per seed of an ensemble.

    Same parameters as :func:`eigenvalues`.

    Returns
    -------
    ndarray of float64
        ``(n,)`` or ``(S, n)``, each row in decreasing order.

    Examples
    --------
    >>> import numpy as np
    >>> singular_values(np.array([[0.0, 2.0], [-1.0, 0.0]]))
    array([2., 1.])
    """
    return _spectra(source, n, seeds, dtype, max_bytes, eig=False, sv=True, threads=threads)[1]


# ---------------------------------------------------------------------------
# empirical CDF and densities
# ---------------------------------------------------------------------------

def _values_iv(name: str, values, *, ndim=(1, 2)) -> np.ndarray:
    arr = _checks.complex_array(name, values)
    if arr.ndim not in ndim or arr.size == 0:
        want = " or ".join(f"{d}-D" for d in ndim)
        raise ParameterError(f"`{name}` must be a non-empty {want} array (one spectrum per row); "
                             f"got shape {arr.shape}")
    return arr


def radial_cdf(eigs, r):
    r"""Empirical radial CDF: the fraction of eigenvalues with :math:`|\lambda| \le r`.

    .. math:: F_n(r) = \frac{1}{n}\,\#\{i : |\lambda_i| \le r\}

    Parameters
    ----------
    eigs : array_like, shape (n,) or (S, n)
        Eigenvalues (complex or real, finite); a 2-D array holds one spectrum
        per row.
    r : array_like
        Radii :math:`r \ge 0` (any shape).

    Returns
    -------
    float or ndarray
        Shape ``eigs.shape[:-1] + r.shape`` (a float for one spectrum and a scalar ``r``).

    Raises
    ------
    ParameterError
        For negative or non-finite radii, non-finite eigenvalues, or a bad shape.

    Examples
    --------
    >>> radial_cdf([1.0, -2.0, 3j, 0.5], [0.5, 2.0, 10.0])
    array([0.25, 0.75, 1.  ])
    """
    eigs = _values_iv("eigs", eigs)
    r = _checks.real_array("r", r, low=0.0)
    mod = np.sort(np.abs(eigs), axis=-1)
    n = mod.shape[-1]
    flat = r.ravel()
    if mod.ndim == 1:
        out = np.searchsorted(mod, flat, side="right") / n
        out = out.reshape(r.shape)
    else:
        out = np.stack([np.searchsorted(row, flat, side="right") for row in mod]) / n
        out = out.reshape(mod.shape[:-1] + r.shape)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True, repr=False)
class BinnedDensity(AlwaysSucceeds):
    r"""A histogram normalised as a density, with binomial error bars.

    Attributes
    ----------
    kind : str
        ``"radial"`` (annuli :math:`r_i \le |z| < r_{i+1}`, density per unit
        area), ``"real"`` or ``"imag"`` (bins of :math:`\mathrm{Re}\,z` or
        :math:`\mathrm{Im}\,z`, density per unit length).
    edges : ndarray, shape (B + 1,)
        Bin edges (radii for ``"radial"``).
    counts : ndarray of int, shape (B,)
        Values in each bin (the last bin includes its right edge).
    measure : ndarray, shape (B,)
        Area :math:`\pi(r_{i+1}^2 - r_i^2)` or length :math:`x_{i+1} - x_i` of each bin.
    density : ndarray, shape (B,)
        :math:`p_i/\text{measure}_i` with :math:`p_i = \text{counts}_i / n_{\text{total}}`.
    stderr : ndarray, shape (B,)
        Binomial standard error :math:`\sqrt{p_i(1-p_i)/n_{\text{total}}}/\text{measure}_i`.
    n_total : int
        All values given, inside the bins or not: the density is normalised to the
        fraction of all values, so ``sum(density * measure)`` is the fraction
        that fell into the bins.
    success, status, message
        Properties: a histogram cannot fail (bad input raises in
        :func:`binned_density`), so ``success`` is True and ``status`` 0; ``message``
        says how many values fell into the bins.

    Notes
    -----
    ``to_dict()``, ``save(path)``/``BinnedDensity.load(path)`` and ``==`` are those of
    every result, :class:`meanfield._results.ResultMixin`.

    Examples
    --------
    Made by :func:`binned_density`; the circular law is uniform, :math:`1/\pi`
    per unit area inside the unit disk:

    >>> from meanfield.ensembles import Gaussian
    >>> ev = eigenvalues(Gaussian(1.0), 200, seeds=[0, 1])
    >>> d = binned_density(ev, bins=[0.0, 0.5, 1.0])
    >>> d.kind, d.n_total, d.counts.tolist()
    ('radial', 400, [102, 287])
    >>> d.density.round(3), d.stderr.round(3)
    (array([0.325, 0.305]), array([0.028, 0.01 ]))
    >>> d.success, d.message
    (True, '389 of 400 values in 2 radial bins')
    """

    kind: str
    edges: np.ndarray
    counts: np.ndarray
    measure: np.ndarray
    density: np.ndarray
    stderr: np.ndarray
    n_total: int

    _repr_fields = ("kind", "edges", "density", "stderr", "n_total")

    @property
    def message(self) -> str:
        """How many of the values fell into the bins."""
        return (f"{int(np.sum(self.counts))} of {self.n_total} values in {self.counts.size} "
                f"{self.kind} bins")

    @property
    def centers(self) -> np.ndarray:
        """Bin midpoints."""
        return 0.5 * (self.edges[1:] + self.edges[:-1])

    def expected(self, cdf: Callable) -> np.ndarray:
        r"""Bin averages of a theory density given its CDF: :math:`(F(e_{i+1}) - F(e_i))/\text{measure}_i`.

        Parameters
        ----------
        cdf : callable
            Array in, array out; for ``kind="radial"`` the fraction within
            :math:`|z| \le r` (e.g. ``ensemble.radial_cdf``), otherwise the CDF of
            the real (imaginary) part or of the values.

        Returns
        -------
        ndarray, shape (B,)

        Examples
        --------
        >>> from meanfield.ensembles import Gaussian
        >>> ens = Gaussian(1.0)
        >>> d = binned_density(eigenvalues(ens, 200, seeds=[0, 1]), bins=[0.0, 0.5, 1.0])
        >>> d.expected(ens.radial_cdf).round(4)  # 1/pi in both annuli
        array([0.3183, 0.3183])
        >>> np.abs(d.density - d.expected(ens.radial_cdf)) < 4 * d.stderr
        array([ True,  True])
        """
        F = np.asarray(cdf(self.edges), dtype=np.float64)
        if F.shape != self.edges.shape:
            raise ParameterError(f"`cdf` must return one value per edge, shape {self.edges.shape}; "
                                 f"got shape {F.shape}")
        return np.diff(F) / self.measure

    def plot(self, ax=None, **kwargs):
        """Density with error bars; see :func:`meanfield.plotting.plot_binned_density`.

        Returns the matplotlib Figure (a new pyplot-free one unless ``ax`` is given).

        Examples
        --------
        >>> d = binned_density(np.array([0.2, 0.4, 0.7, 0.9]), bins=2, kind="real")
        >>> type(d.plot()).__name__
        'Figure'
        """
        from .plotting import plot_binned_density
        return plot_binned_density(self, ax=ax, **kwargs)


#: Largest number of bins of :func:`binned_density` (memory: a few arrays of this length).
_MAX_BINS = 10 ** 6


def binned_density(values, bins=20, *, kind: str = "radial", range=None) -> BinnedDensity:
    r"""Histogram of eigenvalues (or singular values) as a density, with binomial errors.

    Parameters
    ----------
    values : array_like, shape (n,) or (S, n)
        Eigenvalues (complex) or real values such as singular values; several
        spectra (rows) are pooled.
    bins : int or array_like
        Number of bins (1 to 10**6) or increasing bin edges.  Radial edges must be >= 0.
        Bins of zero or overflowing width (or area) are refused.
    kind : {"radial", "real", "imag"}
        ``"radial"``: annuli in :math:`|z|`, density per unit area (compare with
        ``ensemble.eigenvalue_density``); ``"real"`` / ``"imag"``: 1-D density of
        the real / imaginary parts per unit length (``"real"`` for singular values).
    range : (float, float), optional
        Lower and upper edge when ``bins`` is an int; default ``(0, max|z|)``
        for ``"radial"``, ``(min, max)`` of the values otherwise.

    Returns
    -------
    BinnedDensity

    Raises
    ------
    ParameterError
        For an unknown ``kind``, bad ``bins`` / ``range``, or non-finite values.

    Notes
    -----
    With :math:`N` values pooled and :math:`c_i` of them in bin :math:`i` of
    measure :math:`|A_i|` (area :math:`\pi(r_{i+1}^2 - r_i^2)` or length),

    .. math::

        \hat\rho_i = \frac{c_i}{N |A_i|}, \qquad
        \sigma_i = \frac{\sqrt{p_i (1 - p_i)/N}}{|A_i|}, \quad p_i = c_i/N .

    The binomial error is exact for independent values.  Eigenvalues repel, and
    the count in a set is *less* variable: for a determinantal process with a
    rank-:math:`n` projection kernel (complex Ginibre) the count is a sum of
    independent Bernoulli variables whose means :math:`\mu_j \in [0, 1]` sum to
    :math:`np` over at most :math:`n` terms, so
    :math:`\mathrm{Var} = \sum_j \mu_j(1-\mu_j) \le np(1-p)` (Hough, Krishnapur,
    Peres & Virág 2006, doi:10.1214/154957806000000078).  Measured for real
    Ginibre the per-matrix standard deviation of the fraction inside
    :math:`r = 0.75R` is 0.52 (n = 200) to 0.18 (n = 2000) of the binomial one.
    The binomial error is thus a conservative bound.

    Examples
    --------
    >>> import numpy as np
    >>> d = binned_density(np.array([0.5, 1.5, 1.5, 2.5]), bins=[0, 1, 2], kind="real")
    >>> d.density, float(np.sum(d.density * d.measure))
    (array([0.25, 0.5 ]), 0.75)
    """
    kind = _checks.choice("kind", kind, _KINDS)
    vals = _values_iv("values", values)
    if kind == "radial":
        x = np.abs(vals).ravel()
    elif kind == "real":
        x = vals.real.ravel()
    else:
        x = vals.imag.ravel()
    n_total = x.size
    if isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        nb = _checks.integer("bins", bins, low=1, high=_MAX_BINS)
        if range is None:
            lo, hi = (0.0, float(x.max())) if kind == "radial" else (float(x.min()), float(x.max()))
            if hi <= lo:
                hi = lo + 1.0
        else:
            rg = _checks.real_array("range", range, shape=(2,))
            lo, hi = float(rg[0]), float(rg[1])
            if not hi > lo:
                raise ParameterError(f"`range` must be (low, high) with high > low; got range={range!r}")
        with np.errstate(over="ignore", invalid="ignore"):      # checked below
            edges = np.linspace(lo, hi, nb + 1)
    else:
        if range is not None:
            raise ParameterError("`range` applies only when `bins` is an integer")
        edges = _checks.real_array("bins", bins, ndim=1)
        if edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ParameterError("`bins` must be an int >= 1 or at least 2 strictly increasing edges; "
                                 f"got bins={bins!r}")
    if kind == "radial" and edges[0] < 0:
        raise ParameterError(f"radial bin edges must be >= 0; got lowest edge {edges[0]!r}")
    with np.errstate(over="ignore", invalid="ignore"):
        measure = np.pi * np.diff(edges ** 2) if kind == "radial" else np.diff(edges)
    if not (np.all(np.isfinite(edges)) and np.all(np.isfinite(measure)) and np.all(measure > 0)):
        who = ("bins" if not isinstance(bins, (int, np.integer)) else
               "range" if range is not None else "values")
        raise ParameterError(
            f"`{who}` gives bins whose {'areas' if kind == 'radial' else 'widths'} are zero or "
            f"overflow (edges from {edges[0]:.6g} to {edges[-1]:.6g}, {edges.size - 1} bins): "
            "values too large, or bins narrower than the floating-point resolution; pass "
            "explicit `bins` edges")
    counts, _ = np.histogram(x, bins=edges)
    p = counts / n_total
    return BinnedDensity(kind=kind, edges=edges, counts=counts, measure=measure,
                         density=p / measure, stderr=np.sqrt(p * (1 - p) / n_total) / measure,
                         n_total=int(n_total))


# ---------------------------------------------------------------------------
# outliers
# ---------------------------------------------------------------------------

def find_outliers(eigs, radius: float, *, margin: float | None = None) -> np.ndarray:
    r"""Eigenvalues beyond the bulk: :math:`|\lambda| > R\,(1 + m)`.

    Parameters
    ----------
    eigs : array_like, shape (n,)
        One spectrum (finite, ``n >= 2``).
    radius : float
        Bulk radius :math:`R > 0` (e.g. ``ensemble.spectral_radius``).
    margin : float, optional
        Relative margin :math:`m \ge 0`; default :func:`outlier_margin` of
        ``n = len(eigs)``, :math:`3/\sqrt n`, set from the measured edge
        fluctuations of Ginibre matrices (the largest bulk modulus exceeded
        :math:`R` by at most :math:`2.42 R/\sqrt n` in 2514 matrices with n = 200 ... 2000).

    Returns
    -------
    ndarray of complex128
        The outliers, by decreasing modulus (ties: increasing real, then
        imaginary part).

    Raises
    ------
    ParameterError
        For a bad ``radius`` / ``margin``, non-finite eigenvalues or fewer than 2.

    Examples
    --------
    >>> import numpy as np
    >>> from meanfield.ensembles import Gaussian
    >>> ev = eigenvalues(Gaussian(1.0, J0=3.0).sample(400, seed=0))
    >>> out = find_outliers(ev, 1.0)
    >>> out.size, bool(abs(out[0] - 3.0) < 0.3)
    (1, True)
    """
    eigs = _values_iv("eigs", eigs, ndim=(1,))
    if eigs.size < 2:
        raise ParameterError(f"`eigs` must hold at least 2 eigenvalues; got {eigs.size}")
    radius = _checks.positive("radius", radius)
    margin = outlier_margin(eigs.size) if margin is None else _checks.nonnegative("margin", margin)
    out = eigs[np.abs(eigs) > radius * (1.0 + margin)]
    order = np.lexsort((out.imag, out.real, -np.abs(out)))
    return out[order]


def _match(found: np.ndarray, predicted: np.ndarray, tol: float):
    """Pair found and predicted outliers (minimum total distance), pairs within ``tol``.

    Returns ``(pairs, spurious, unmatched)``: list of (i_found, j_pred), indices of
    unpaired found outliers, indices of unpaired predictions.
    """
    from scipy.optimize import linear_sum_assignment
    pairs = []
    if found.size and predicted.size:
        d = np.abs(found[:, None] - predicted[None, :])
        rows, cols = linear_sum_assignment(d)
        pairs = [(i, j) for i, j in zip(rows, cols) if d[i, j] <= tol]
    used_f = {i for i, _ in pairs}
    used_p = {j for _, j in pairs}
    spurious = [i for i in np.arange(found.size) if i not in used_f]
    unmatched = [j for j in np.arange(predicted.size) if j not in used_p]
    return pairs, spurious, unmatched


# ---------------------------------------------------------------------------
# the comparison
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SpectrumRow:
    r"""One statistic of a :class:`SpectrumComparison`.

    Attributes
    ----------
    name : str
        E.g. ``"F(0.75R)"``, ``"F_sv(0.4s+)"``, ``"outliers"``, ``"outlier 1 (Re)"``.
    kind : str
        ``"eigenvalue_cdf"``, ``"singular_cdf"``, ``"outlier_count"`` or ``"outlier"``.
    x : float or None
        The radius (or singular value) of a CDF row; None otherwise.
    theory : float
    simulation : Estimate or None
        Mean over the seeds that measured the row, with the standard error used
        for the test.  None for a predicted outlier found in fewer than two seeds
        (no value, or no standard error, was measured: nothing is filled in).
    tolerance : float
        The allowed :math:`|\bar y - \text{theory}|` (for outlier rows: the
        per-seed matching distance).
    passed : bool
    found : int
        Number of seeds that measured the row: all of them for CDF and count rows;
        for a predicted outlier, the seeds in which it was found.
    n_seeds : int
        Number of seeds compared.
    sample_mean : float or None
        Mean over the ``found`` seeds (None if ``found == 0``); the value of a
        row measured in one seed only, which has no standard error.

    Examples
    --------
    Rows come from :attr:`SpectrumComparison.rows` or by name:

    >>> from meanfield.ensembles import Gaussian
    >>> res = compare(Gaussian(1.0, J0=2.0), n=100, seeds=[0, 1], singular_values=False)
    >>> row = res["outlier 1 (Re)"]
    >>> row.kind, row.theory, row.found, row.passed
    ('outlier', 2.0, 2, True)
    >>> row.simulation, round(row.z, 2), round(row.tolerance, 3)
    (2.040 ± 0.074 (n=2), 0.55, 0.6)
    >>> res["F(0.5R)"].x, res["F(0.5R)"].samples_text
    (0.5, '0.240 ± 0.031 (n=2)')
    """

    name: str
    kind: str
    x: float | None
    theory: float
    simulation: Estimate | None
    tolerance: float
    passed: bool
    found: int = 0
    n_seeds: int = 0
    sample_mean: float | None = None

    @property
    def missing(self) -> int:
        """Seeds that did not measure the row (a predicted outlier not found there)."""
        return self.n_seeds - self.found

    @property
    def samples_text(self) -> str:
        """The samples column of :meth:`SpectrumComparison.table`: only measured values.

        ``"mean ± stderr (n=k)"``; ``"value (1 seed, no stderr)"``; and for a predicted
        outlier missing in some seeds, ``"not found in k of n seeds"``.
        """
        if self.simulation is not None:
            text = str(self.simulation)
        elif self.sample_mean is not None:
            text = f"{self.sample_mean:.6g} (1 seed, no stderr)"
        else:
            text = ""
        if self.missing > 0:
            miss = f"not found in {self.missing} of {self.n_seeds} seeds"
            text = f"{text}; {miss}" if text else miss
        return text or "—"

    @property
    def deviation(self) -> float:
        """``sample_mean - theory`` (nan when no seed measured the row)."""
        return math.nan if self.sample_mean is None else float(self.sample_mean) - self.theory

    @property
    def z(self) -> float:
        r"""Standard score :math:`(\bar y - \text{theory})/\text{stderr}` (inf/nan for stderr 0)."""
        return math.nan if self.simulation is None else float(self.simulation.z(self.theory))


@dataclass(frozen=True, repr=False)
class SpectrumComparison(AlwaysSucceeds):
    r"""Sampled spectra of an ensemble against its theory (result of :func:`compare`).

    Attributes
    ----------
    ensemble : str
        ``repr`` of the ensemble compared.
    n : int
        Matrix size.
    seeds : tuple of int
        One sampled matrix per seed.
    passed : bool
        Every row within its tolerance.
    message : str
        Summary, naming the failing rows.
    success, status
        Properties: ``success`` is always True and ``status`` 0 (what cannot be
        compared raises in :func:`compare`); whether the samples agree with the
        theory is ``passed``.
    k : float
        Standard errors allowed for sampling error.
    error : str
        ``"binomial"`` or ``"seeds"``: which standard error the CDF rows use.
    budget : float
        Finite-size budget :math:`b(n)` added to every CDF tolerance.
    spectral_radius : float
        The theory's bulk radius :math:`R`.
    outlier_threshold : float
        :math:`R(1 + m)`: eigenvalues beyond it count as outliers.
    outlier_tol : float
        Per-seed matching distance of a sampled to a predicted outlier.
    notes : tuple of str
        Caveats (unresolvable predicted outliers, corrections applied, ...).
    row_name, row_kind : tuple of str
    row_x, row_theory, row_theory_infinite, row_mean, row_stderr, row_tolerance : ndarray
        The rows, column by column (see :attr:`rows`); ``row_theory`` includes the
        finite-:math:`n` outlier correction, ``row_theory_infinite`` does not.
        ``row_mean`` is NaN for a predicted outlier no seed produced and
        ``row_stderr`` NaN for one found in fewer than two seeds: not measured
        (:attr:`rows` turns them into None, never into values).
    row_found : ndarray of int
        Seeds that measured each row (see :attr:`SpectrumRow.found`).
    row_stderr_binomial, row_stderr_seeds : ndarray
        Both standard errors of the CDF rows, whichever ``error`` chose (nan for
        outlier rows, and for ``row_stderr_seeds`` with one seed); their ratio
        shows how conservative the binomial error is.
    row_passed : ndarray of bool
    eigenvalues : ndarray, shape (S, n), complex
        The sampled spectra.
    singular_values : ndarray, shape (S, n) or (0, n)
        Sampled singular values (empty if not compared).
    outliers_theory : ndarray of complex
        ``ensemble.outliers(n)``.
    outliers_found : ndarray of complex
        The sampled outliers of all seeds, with ``outliers_seed`` the index of the seed.
    outliers_seed : ndarray of int
    cdf_grid, cdf_grid_theory : ndarray
        A fine radius grid and the theory CDF on it (for plots).
    sv_grid, sv_grid_theory : ndarray
        Same for the singular values (empty if not compared).
    support_r, support_theta : ndarray
        A polar grid, :math:`0 \le r \le 1.25R`, :math:`0 \le \theta \le 2\pi`.
    support_density : ndarray, shape (len(support_theta), len(support_r))
        ``ensemble.eigenvalue_density`` on the polar grid, for the support
        boundary in plots; empty if the ensemble has no density.

    Examples
    --------
    >>> from meanfield.ensembles import Gaussian
    >>> res = compare(Gaussian(1.0, J0=2.0), n=100, seeds=[0, 1], singular_values=False)
    >>> res.passed, res.message
    (True, 'all 8 rows within tolerance')
    >>> res.row_name[:3], res.spectral_radius, res.outliers_theory
    (('F(0.25R)', 'F(0.5R)', 'F(0.75R)'), 1.0, array([2.+0.j]))
    >>> res.eigenvalues.shape, res.outliers_seed.tolist()
    ((2, 100), [0, 1])

    ``to_dict()``, ``save(path)``/``SpectrumComparison.load(path)`` and ``==`` are those
    of every result (:class:`meanfield._results.ResultMixin`):

    >>> import tempfile, pathlib
    >>> path = res.save(pathlib.Path(tempfile.mkdtemp()) / "spectrum")
    >>> SpectrumComparison.load(path) == res, res.success
    (True, True)
    """

    ensemble: str
    n: int
    seeds: tuple
    passed: bool
    message: str
    k: float
    error: str
    budget: float
    spectral_radius: float
    outlier_threshold: float
    outlier_tol: float
    notes: tuple
    row_name: tuple
    row_kind: tuple
    row_x: np.ndarray
    row_theory: np.ndarray
    row_theory_infinite: np.ndarray
    row_mean: np.ndarray
    row_stderr: np.ndarray
    row_stderr_binomial: np.ndarray
    row_stderr_seeds: np.ndarray
    row_tolerance: np.ndarray
    row_passed: np.ndarray
    row_found: np.ndarray
    eigenvalues: np.ndarray = field(repr=False)
    singular_values: np.ndarray = field(repr=False)
    outliers_theory: np.ndarray = field(repr=False)
    outliers_found: np.ndarray = field(repr=False)
    outliers_seed: np.ndarray = field(repr=False)
    cdf_grid: np.ndarray = field(repr=False)
    cdf_grid_theory: np.ndarray = field(repr=False)
    sv_grid: np.ndarray = field(repr=False)
    sv_grid_theory: np.ndarray = field(repr=False)
    support_r: np.ndarray = field(repr=False)
    support_theta: np.ndarray = field(repr=False)
    support_density: np.ndarray = field(repr=False)

    @property
    def rows(self) -> tuple[SpectrumRow, ...]:
        """The statistics as :class:`SpectrumRow` objects."""
        S = len(self.seeds)

        def estimate(i):
            m, se = float(self.row_mean[i]), float(self.row_stderr[i])
            k = int(self.row_found[i])
            return Estimate(m, se, k) if k >= 1 and np.isfinite(m) and np.isfinite(se) else None

        def mean(i):
            m = float(self.row_mean[i])
            return m if int(self.row_found[i]) >= 1 and np.isfinite(m) else None

        return tuple(
            SpectrumRow(name=self.row_name[i], kind=self.row_kind[i],
                        x=float(self.row_x[i]) if np.isfinite(self.row_x[i]) else None,
                        theory=float(self.row_theory[i]), simulation=estimate(i),
                        tolerance=float(self.row_tolerance[i]), passed=bool(self.row_passed[i]),
                        found=int(self.row_found[i]), n_seeds=S, sample_mean=mean(i))
            for i in range(len(self.row_name)))

    def __getitem__(self, name: str) -> SpectrumRow:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    def failures(self) -> list[SpectrumRow]:
        """The rows outside their tolerance.

        Examples
        --------
        Half a standard error and no finite-size budget is too strict:

        >>> from meanfield.ensembles import Gaussian
        >>> res = compare(Gaussian(1.0), n=60, seeds=[0, 1], k=0.5, budget=0.0,
        ...               singular_values=False)
        >>> res.passed, [row.name for row in res.failures()]
        (False, ['F(0.25R)', 'F(0.5R)', 'F(0.75R)', 'F(0.95R)', 'F(1.05R)'])
        >>> compare(Gaussian(1.0), n=60, seeds=[0, 1], singular_values=False).failures()
        []
        """
        return [r for r in self.rows if not r.passed]

    @property
    def max_abs_z(self) -> float:
        """Largest :math:`|z|` over the CDF rows with a non-zero standard error.

        Rows whose theory is exactly 0 or 1 (e.g. ``F(1.05R)``) have a zero
        binomial error, so their z is infinite for a single stray eigenvalue
        although the edge budget covers it; they are left out.
        """
        zs = [abs(r.z) for r in self.rows if r.kind.endswith("cdf") and r.simulation is not None
              and float(r.simulation.stderr) > 0]
        return float(np.nanmax(zs)) if zs else 0.0

    def table(self) -> str:
        """Markdown table: statistic, theory, sample mean ± stderr, z, tolerance, pass.

        Examples
        --------
        >>> from meanfield.ensembles import Gaussian
        >>> res = compare(Gaussian(1.0, J0=2.0), n=100, seeds=[0, 1], singular_values=False)
        >>> print(res.table())
        | statistic | theory | samples | z | tolerance | pass |
        |---|---|---|---|---|---|
        | F(0.25R) | 0.061875 | 0.080 ± 0.017 (n=2) | +1.06 | 0.108 | pass |
        | F(0.5R) | 0.2475 | 0.240 ± 0.031 (n=2) | -0.25 | 0.162 | pass |
        | F(0.75R) | 0.556875 | 0.580 ± 0.035 (n=2) | +0.66 | 0.18 | pass |
        | F(0.9R) | 0.8019 | 0.830 ± 0.028 (n=2) | +1.00 | 0.153 | pass |
        | F(0.95R) | 0.893475 | 0.940 ± 0.022 (n=2) | +2.13 | 0.127 | pass |
        | F(1.05R) | 0.99 | 0.9800 ± 0.0070 (n=2) | -1.42 | 0.068 | pass |
        | outliers | 1 | 1 ± 0 (n=2) | — | 0 | pass |
        | outlier 1 (Re) | 2 | 2.040 ± 0.074 (n=2) | +0.55 | 0.6 | pass |
        """
        lines = ["| statistic | theory | samples | z | tolerance | pass |",
                 "|---|---|---|---|---|---|"]
        for r in self.rows:
            z = f"{r.z:+.2f}" if np.isfinite(r.z) else "—"
            lines.append(f"| {r.name} | {r.theory:.6g} | {r.samples_text} | {z} "
                         f"| {r.tolerance:.3g} "
                         f"| {'pass' if r.passed else 'FAIL'} |")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"SpectrumComparison({self.ensemble}, n={self.n}, {len(self.seeds)} seeds, "
                f"error={self.error!r}, k={self.k:g}, budget={self.budget:.3g}, "
                f"passed={self.passed})\n{self.table()}")

    def plot(self, fig=None, **kwargs):
        """Eigenvalues with the support boundary, and the radial CDF; returns the Figure.

        See :func:`meanfield.plotting.plot_spectrum_comparison`.

        Examples
        --------
        >>> from meanfield.ensembles import Gaussian
        >>> res = compare(Gaussian(1.0), n=60, seeds=[0, 1], singular_values=False)
        >>> len(res.plot().axes)  # eigenvalues, radial CDF, deviations
        3
        """
        from .plotting import plot_spectrum_comparison
        return plot_spectrum_comparison(self, fig=fig, **kwargs)


def _ensemble_iv(ensemble):
    missing = [a for a in ("sample", "spectral_radius", "radial_cdf", "outliers")
               if not hasattr(ensemble, a)]
    if missing:
        raise ParameterError(f"`ensemble` must provide sample, spectral_radius, radial_cdf and "
                             f"outliers; {type(ensemble).__name__} lacks {', '.join(missing)}")


def _predicted_outliers(ensemble, n) -> np.ndarray:
    """``ensemble.outliers(n)`` if it takes ``n``, else ``ensemble.outliers()``."""
    fn = ensemble.outliers
    try:
        inspect.signature(fn).bind(n)
        takes_n = True
    except TypeError:
        takes_n = False
    except ValueError:  # no signature available
        takes_n = False
    out = fn(n) if takes_n else fn()
    return _checks.complex_array("ensemble.outliers()", np.atleast_1d(out)).ravel()


def _theory_cdf(ensemble, r):
    F = np.asarray(ensemble.radial_cdf(r), dtype=np.float64)
    if F.shape != np.shape(r):
        raise ParameterError(f"`ensemble.radial_cdf` must return the shape of its input {np.shape(r)}; "
                             f"got {F.shape}")
    return F


def _tanh_sinh(a: np.ndarray, b: np.ndarray, h: float = 1 / 8, t_max: float = 3.0):
    """Nodes and weights of the tanh-sinh rule on each interval ``[a_i, b_i]``.

    Returns ``(x, w, owner)``, flat arrays; the rule is exact to about 1e-12 for
    integrands analytic inside the interval, including algebraic endpoint
    singularities (square-root edges, :math:`s^{-1/3}`).
    """
    t = np.arange(-t_max, t_max + h / 2, h)
    u = 0.5 * np.pi * np.sinh(t)
    y = np.tanh(u)
    wt = h * 0.5 * np.pi * np.cosh(t) / np.cosh(u) ** 2
    mid, half = 0.5 * (a + b), 0.5 * (b - a)
    x = mid[:, None] + half[:, None] * y[None, :]
    w = half[:, None] * wt[None, :]
    owner = np.broadcast_to(np.arange(a.size)[:, None], x.shape)
    inside = (x > a[:, None]) & (x < b[:, None])          # endpoints are never evaluated
    return x[inside], w[inside], owner[inside]


def _support_intervals(density, s_top, n_grid=2001):
    """Intervals of ``[0, s_top]`` where a density is positive, edges refined by bisection.

    A value counts as positive above ``1e-10`` of the maximum (numerical noise of
    iterative densities stays below it).
    """
    grid = np.linspace(0.0, s_top, n_grid)
    dens = np.asarray(density(grid), dtype=np.float64)
    if dens.shape != grid.shape or not np.all(np.isfinite(dens)) or np.any(dens < 0):
        raise ParameterError("`ensemble.singular_value_density` must return finite, non-negative "
                             "values of the shape of its input")
    if not np.any(dens > 0):
        raise ParameterError(f"`ensemble.singular_value_density` vanishes on [0, {s_top:.3g}]; "
                             "no support found")
    floor = 1e-10 * dens.max()

    def positive(x):
        return float(np.asarray(density(np.array([x])), dtype=np.float64).ravel()[0]) > floor

    def edge(lo, hi, rising):
        # bisection for the point between grid nodes lo (outside) and hi (inside), or reversed
        for _ in range(40):                                # grid step / 2^40
            mid = 0.5 * (lo + hi)
            if positive(mid) == rising:
                hi = mid
            else:
                lo = mid
        return hi if rising else lo

    pos = dens > floor
    intervals = []
    i = 0
    while i < n_grid:
        if not pos[i]:
            i += 1
            continue
        j = i
        while j + 1 < n_grid and pos[j + 1]:
            j += 1
        lo = 0.0 if i == 0 else edge(grid[i - 1], grid[i], True)
        hi = s_top if j == n_grid - 1 else edge(grid[j], grid[j + 1], False)
        intervals.append((lo, hi))
        i = j + 1
    return intervals


def _sv_cdf_quadrature(density, points, s_top, intervals=None):
    r"""CDF :math:`\int_0^s p` of a singular-value density at sorted ``points``.

    The support (intervals where :math:`p > 0`) is located on a grid and its
    edges refined by bisection; each piece between consecutive points (and
    support edges) is integrated by the tanh-sinh rule, all in one vectorised
    call of the density.  Returns ``(cdf, s_edge, total)``.
    """
    if intervals is None:
        intervals = _support_intervals(density, s_top)
    s_edge = intervals[-1][1]
    knots = np.unique(np.concatenate([[0.0], points, np.ravel(intervals)]))
    a, b = knots[:-1], knots[1:]
    mid = 0.5 * (a + b)
    keep = np.zeros(a.size, dtype=bool)
    for lo, hi in intervals:
        keep |= (mid > lo) & (mid < hi)
    pieces = np.zeros(a.size)
    if np.any(keep):
        x, w, owner = _tanh_sinh(a[keep], b[keep])
        vals = np.asarray(density(x), dtype=np.float64)
        pieces[np.nonzero(keep)[0]] = np.bincount(owner, weights=w * vals, minlength=int(keep.sum()))
    cum = np.concatenate([[0.0], np.cumsum(pieces)])
    cdf = cum[np.searchsorted(knots, points)]
    return cdf, s_edge, float(cum[-1])


def _sv_support(ensemble, s_top):
    """Upper edge :math:`s_+` of the theory's singular values, and the support intervals.

    From ``ensemble.singular_value_cdf`` when present (where it stops rising on a
    grid; intervals ``None``), otherwise from ``singular_value_density``.
    """
    cdf_fn = getattr(ensemble, "singular_value_cdf", None)
    if callable(cdf_fn):
        grid = np.linspace(0.0, s_top, 2001)
        G = np.asarray(cdf_fn(grid), dtype=np.float64)
        full = np.nonzero(G >= G[-1] - 1e-6)[0]
        return float(grid[full[0]]), None
    intervals = _support_intervals(ensemble.singular_value_density, s_top)
    return intervals[-1][1], intervals


def _sv_theory(ensemble, points, s_top, intervals, notes):
    """Theory CDF of the singular values at sorted ``points``.

    Uses ``ensemble.singular_value_cdf`` when the ensemble has it (it may carry
    point masses, e.g. at 0 for rank-deficient matrices); otherwise integrates
    ``singular_value_density`` over ``intervals`` (from :func:`_sv_support`).
    """
    cdf_fn = getattr(ensemble, "singular_value_cdf", None)
    if callable(cdf_fn):
        notes.append("singular values: theory CDF from ensemble.singular_value_cdf")
        return np.asarray(cdf_fn(points), dtype=np.float64)
    cdf, s_edge, total = _sv_cdf_quadrature(ensemble.singular_value_density, points, s_top, intervals)
    notes.append("singular values: theory CDF by tanh-sinh quadrature of "
                 "ensemble.singular_value_density")
    if abs(total - 1.0) > 1e-6:
        notes.append(f"singular_value_density integrates to {total:.9f} (not 1) on "
                     f"[0, {s_edge:.4g}]: a point mass or a normalisation error")
    return cdf


def _compare_iv(ensemble, n, seeds, radii, error, k, budget, margin, outlier_tol, sv, sv_points):
    _ensemble_iv(ensemble)
    n = _checks.integer("n", n, low=2)
    seeds = _seeds_iv(seeds, ints_only=True)
    error = _checks.choice("error", error, _ERRORS)
    if error == "seeds" and len(seeds) < 2:
        raise ParameterError(f"`error`='seeds' needs at least 2 seeds; got {len(seeds)}")
    k = _checks.nonnegative("k", k)
    R = _checks.real("ensemble.spectral_radius", ensemble.spectral_radius, low=0.0, low_open=True,
                     allowed="positive and finite (a bulk to compare with)")
    if radii is None:
        radii = np.array(DEFAULT_RADII) * R
    else:
        radii = np.sort(_checks.real_array("radii", radii, ndim=1, low=0.0))
        if radii.size == 0:
            raise ParameterError("`radii` must hold at least one radius")
    if budget is None:
        b = edge_budget(n)
    elif callable(budget):
        b = _checks.nonnegative("budget", budget(n))
    else:
        b = _checks.nonnegative("budget", budget)
    margin = outlier_margin(n) if margin is None else _checks.nonnegative("margin", margin)
    outlier_tol = outlier_tolerance(n, R) if outlier_tol is None else \
        _checks.positive("outlier_tol", outlier_tol)
    has_sv = callable(getattr(ensemble, "singular_value_density", None)) or \
        callable(getattr(ensemble, "singular_value_cdf", None))
    if sv is None:
        sv = has_sv
    elif not isinstance(sv, (bool, np.bool_)):
        raise ParameterError(f"`singular_values` must be None, True or False; got {sv!r}")
    elif sv and not has_sv:
        raise ParameterError(f"`singular_values`=True needs `ensemble.singular_value_density` (or "
                             f"`singular_value_cdf`); {type(ensemble).__name__} has neither")
    if sv_points is not None:
        if not sv:
            raise ParameterError("`sv_points` given but singular values are not compared")
        sv_points = np.sort(_checks.real_array("sv_points", sv_points, ndim=1, low=0.0))
        if sv_points.size == 0:
            raise ParameterError("`sv_points` must hold at least one point")
    return n, seeds, radii, error, k, b, margin, outlier_tol, bool(sv), sv_points, R


class _Rows:
    """The rows of a :class:`SpectrumComparison` as they are added, one list per column.

    Holds what every row kind needs: the matrix size ``n``, the number of seeds,
    and the CDF tolerance rule (``error``, ``k``, ``budget``).
    """

    _COLUMNS = ("name", "kind", "x", "theory", "theory_infinite", "mean", "stderr",
                "stderr_binomial", "stderr_seeds", "tolerance", "passed", "found")

    def __init__(self, n: int, n_seeds: int, *, error: str, k: float, budget: float):
        self.n, self.n_seeds, self.error, self.k, self.budget = n, n_seeds, error, k, budget
        self.columns = {col: [] for col in self._COLUMNS}

    def add(self, name, kind, x, theory, theory_inf, mean, se, tol, ok, se_b=math.nan,
            se_s=math.nan, found=None):
        values = (name, kind, x, theory, theory_inf, mean, se, se_b, se_s, tol, bool(ok),
                  int(self.n_seeds if found is None else found))
        for col, value in zip(self._COLUMNS, values):
            self.columns[col].append(value)

    def add_cdf(self, kind, label, x, per_seed, theory, theory_inf):
        """One row per point ``x[i]``: the seed average of ``per_seed[:, i]`` against ``theory[i]``."""
        n, S = self.n, self.n_seeds
        mean = per_seed.mean(0)
        p = np.clip(theory, 0.0, 1.0)
        se_b = np.sqrt(p * (1 - p) / (n * S))
        se_s = per_seed.std(0, ddof=1) / math.sqrt(S) if S > 1 else np.full(x.size, math.nan)
        se = se_s if self.error == "seeds" else se_b
        for i in range(x.size):
            tol = self.k * se[i] + self.budget
            self.add(label(x[i]), kind, x[i], theory[i], theory_inf[i], mean[i], se[i], tol,
                     abs(mean[i] - theory[i]) < tol, se_b[i], se_s[i])

    def all_passed(self) -> bool:
        return bool(all(self.columns["passed"]))

    def message(self) -> str:
        c, S = self.columns, self.n_seeds
        if self.all_passed():
            return f"all {len(c['passed'])} rows within tolerance"
        bad = [nm + (f" (not found in {S - f} of {S} seeds)" if kd == "outlier" and f < S else "")
               for nm, kd, f, ok in zip(c["name"], c["kind"], c["found"], c["passed"]) if not ok]
        return f"{len(bad)} of {len(c['passed'])} rows outside tolerance: {', '.join(bad)}"

    def fields(self) -> dict:
        """The ``row_*`` fields of :class:`SpectrumComparison`."""
        dtypes = {"passed": bool, "found": int}
        return {f"row_{col}": (tuple(v) if col in ("name", "kind")
                               else np.array(v, dtype=dtypes.get(col, float)))
                for col, v in self.columns.items()}


def _cdf_n(ensemble, r, predicted, n):
    """Finite-n theory CDF: the limit, with the predicted outliers put back as single eigenvalues."""
    base = _theory_cdf(ensemble, r)
    extra = (np.abs(predicted)[:, None] <= np.ravel(r)[None, :]).sum(0).reshape(np.shape(r))
    return ((n - predicted.size) * base + extra) / n


def _radial_cdf_rows(rows, notes, ensemble, ev, radii, predicted, R):
    """Rows of kind ``eigenvalue_cdf``: the sampled radial CDF at ``radii`` (item 1 of `compare`)."""
    m = predicted.size
    rows.add_cdf("eigenvalue_cdf", lambda r: f"F({r / R:.3g}R)", radii, radial_cdf(ev, radii),
                 _cdf_n(ensemble, radii, predicted, rows.n), _theory_cdf(ensemble, radii))
    if m:
        notes.append(f"theory CDF includes the {m} predicted outlier(s) as single eigenvalues "
                     f"(O({m}/n) correction)")


def _outlier_rows(rows, notes, ev, predicted, R, margin, outlier_tol):
    """The ``outlier_count`` row and one ``outlier`` row per part of each predicted outlier.

    Item 2 of `compare`.  Returns the outliers found (all seeds, concatenated) and
    the seed index of each.
    """
    S, m, n = rows.n_seeds, predicted.size, rows.n
    threshold = R * (1.0 + margin)
    resolvable = np.abs(predicted) > threshold + outlier_tol
    found_all, seed_idx = [], []
    matched = np.full((S, m), np.nan + 0j)
    counts = np.zeros(S)
    seed_ok = np.ones(S, dtype=bool)
    for s in range(S):
        found = find_outliers(ev[s], R, margin=margin)
        found_all.append(found)
        seed_idx.append(np.full(found.size, s))
        counts[s] = found.size
        pairs, spurious, unmatched = _match(found, predicted, outlier_tol)
        for i, j in pairs:
            matched[s, j] = found[i]
        if spurious or any(resolvable[j] for j in unmatched):
            seed_ok[s] = False
    n_res = int(resolvable.sum())
    cnt_se = counts.std(ddof=1) / math.sqrt(S) if S > 1 else 0.0
    rows.add("outliers", "outlier_count", math.nan, float(n_res), float(n_res), counts.mean(),
             cnt_se, 0.0, bool(seed_ok.all()))
    if m - n_res:
        notes.append(f"{m - n_res} predicted outlier(s) lie within {threshold + outlier_tol:.3g} "
                     f"(threshold + outlier_tol) and are not resolvable at n={n}: not required")
    for j in range(m):
        got = matched[:, j]
        ok = bool(np.all(np.isfinite(got))) if resolvable[j] else True
        parts = [("Re", predicted[j].real, got.real)]
        if predicted[j].imag != 0.0:
            parts.append(("Im", predicted[j].imag, got.imag))
        for part, theory, vals in parts:
            # only what was measured: the mean over the seeds that found the outlier, its
            # standard error from two or more of them, NaN (not measured) otherwise
            fin = vals[np.isfinite(vals)]
            mean = float(fin.mean()) if fin.size else math.nan
            se = float(fin.std(ddof=1) / math.sqrt(fin.size)) if fin.size > 1 else math.nan
            rows.add(f"outlier {j + 1} ({part})", "outlier", math.nan, float(theory),
                     float(theory), mean, se, outlier_tol, ok, found=fin.size)
    found = np.concatenate(found_all) if found_all else np.empty(0, complex)
    found_seed = np.concatenate(seed_idx).astype(int) if seed_idx else np.empty(0, int)
    return found, found_seed


def _singular_value_rows(rows, notes, ensemble, svals, sv_points, R):
    """Rows of kind ``singular_cdf`` (item 3 of `compare`); returns the plotting grid and its theory."""
    s_top = 2.0 * max(float(svals.max()), 2.0 * R)
    s_edge, intervals = _sv_support(ensemble, s_top)
    if sv_points is None:
        sv_points = np.array(DEFAULT_SV_POINTS) * s_edge
    sv_grid = np.linspace(0.0, 1.2 * max(float(svals.max()), float(sv_points.max()), s_edge), 61)
    both = np.concatenate([sv_points, sv_grid])
    order = np.argsort(both, kind="stable")
    cdf_sorted = _sv_theory(ensemble, both[order], s_top, intervals, notes)
    cdf_both = np.empty_like(cdf_sorted)
    cdf_both[order] = cdf_sorted
    sv_th = cdf_both[:sv_points.size]
    sv_seed = np.stack([np.searchsorted(np.sort(row), sv_points, side="right")
                        for row in svals]) / rows.n
    rows.add_cdf("singular_cdf", lambda x: f"F_sv({x / s_edge:.3g}s+)", sv_points, sv_seed,
                 sv_th, sv_th)
    notes.append(f"singular values: s+ = {s_edge:.4g} is the upper edge of the theory's support")
    return sv_grid, cdf_both[sv_points.size:]


def _cdf_plot_grid(ensemble, n, radii, predicted, R):
    """A fine radial grid for plots and its finite-n theory CDF."""
    r_top = max(1.3 * R, float(radii.max()) * 1.05)
    cdf_grid = np.linspace(0.0, r_top, 201)
    return cdf_grid, _cdf_n(ensemble, cdf_grid, predicted, n)


def _support_grid(ensemble, R, notes):
    """The eigenvalue density on a polar grid around the support (plots; empty without a density).

    A polar grid resolves circular edges exactly and needs few (costly) density calls.
    """
    support_r = np.linspace(0.0, 1.25 * R, 64)
    support_theta = np.linspace(0.0, 2 * np.pi, 97)
    support = np.empty((0, 0))
    if callable(getattr(ensemble, "eigenvalue_density", None)):
        Z = support_r[None, :] * np.exp(1j * support_theta[:, None])
        try:
            support = np.asarray(ensemble.eigenvalue_density(Z), dtype=np.float64)
        except ParameterError as exc:
            notes.append(f"no support boundary: eigenvalue_density raised: {exc}")
            support = np.empty((0, 0))
    return support_r, support_theta, support


def compare(ensemble, n: int, seeds, *, radii=None, error: str = "binomial", k: float = 4.0,
            budget: float | Callable | None = None, margin: float | None = None,
            outlier_tol: float | None = None, singular_values: bool | None = None,
            sv_points=None, dtype=np.float64, max_bytes: int = _MAX_BYTES,
            threads: int | None = None) -> SpectrumComparison:
    r"""Sample an ensemble over seeds and compare its spectrum with the theory.

    One matrix per seed; for each the eigenvalues (and singular values) are
    computed, then three kinds of statistics are matched with the theory the
    ensemble states:

    1. **Radial CDF** at each radius :math:`r`: the fraction
       :math:`F_n(r) = \#\{|\lambda| \le r\}/n`, averaged over the :math:`S` seeds,
       against

       .. math:: F^{\text{th}}_n(r) = \frac{(n - m) F_\infty(r) + \#\{k : |\theta_k| \le r\}}{n},

       the limiting ``ensemble.radial_cdf`` with the :math:`m` predicted outliers
       :math:`\theta_k` (``ensemble.outliers(n)``) put back as single eigenvalues
       (an :math:`O(m/n)` correction).
    2. **Outliers**: eigenvalues with :math:`|\lambda| > R(1 + \text{margin})`
       (:func:`find_outliers`) are paired with the predicted outliers
       (minimum total distance); a pair matches within ``outlier_tol``.  A seed
       passes if every sampled outlier matches and every predicted outlier
       with :math:`|\theta| > R(1 + \text{margin}) + \text{outlier\_tol}` is found;
       predictions closer to the bulk are not resolvable at this ``n`` and are
       only noted.
    3. **Singular values** (if the ensemble has ``singular_value_cdf`` or
       ``singular_value_density``): the fraction of singular values :math:`\le s`
       against ``singular_value_cdf(s)`` when the ensemble has it (it can carry
       point masses), otherwise against :math:`\int_0^s p` by tanh-sinh
       quadrature over the located support (exact to about :math:`10^{-10}` for
       square-root edges), at ``sv_points`` (default 0.2, 0.4, 0.6, 0.8, 0.95 of the
       upper support edge :math:`s_+`).

    A CDF row passes when

    .. math:: |\bar F - F^{\text{th}}| < k\,\sigma + b(n),

    with :math:`\sigma` the binomial standard error of the pooled fraction,
    :math:`\sqrt{F^{\text{th}}(1 - F^{\text{th}})/(nS)}` (``error="binomial"``,
    default; an upper bound for repelling eigenvalues, see
    :func:`binned_density`), or the standard error over seeds
    (``error="seeds"``; tighter but itself estimated from :math:`S` values: for
    :math:`S = 3` the :math:`4\sigma` rule alone would fail about 6 % of the rows,
    Student's t with 2 degrees of freedom; in practice the budget dominates).
    The budget :math:`b(n)` defaults to :func:`edge_budget`,
    :math:`1/\sqrt{2\pi n}`, the measured largest finite-:math:`n` deviation of
    the Ginibre radial CDF.  Both standard errors are reported
    (``row_stderr_binomial``, ``row_stderr_seeds``).

    Measured size and power of the defaults (n = 300, 3 seeds, 30 comparisons
    each, eigenvalue and singular-value rows): no row failed for ``Gaussian(1)``,
    ``Gaussian(1, J0=2)`` or ``Elliptic(1, 0.5)``, with either ``error`` (330
    CDF rows per ensemble and setting; also with 8 seeds).  Sampling :math:`g` 5 % above the theory's
    failed 5 of 5 comparisons at n = 300, 3 seeds; 2 % above failed 5 of 5 at
    n = 1000, 5 seeds (either ``error``); 2 % at n = 300 is not resolved.

    Parameters
    ----------
    ensemble : ensemble
        Anything with ``sample(n, seed=, dtype=)``, ``spectral_radius``,
        ``radial_cdf(r)`` and ``outliers()`` / ``outliers(n)``; optionally
        ``eigenvalue_density(z)`` (support boundary in plots) and
        ``singular_value_cdf(s)`` or ``singular_value_density(s)``.
    n : int
        Matrix size, ``n >= 2``.
    seeds : sequence of int
        One matrix per seed (non-empty, integers >= 0: the result records them).
    radii : array_like, optional
        Radii :math:`r \ge 0` of the CDF rows; default
        ``(0.25, 0.5, 0.75, 0.9, 0.95, 1.05) * spectral_radius``.
    error : {"binomial", "seeds"}
        Standard error of the CDF rows (see above).
    k : float
        Standard errors allowed (default 4).
    budget : float or callable, optional
        Finite-size budget :math:`b` (CDF units), or a function of ``n``; default
        :func:`edge_budget`.
    margin : float, optional
        Relative outlier margin; default :func:`outlier_margin`, :math:`3/\sqrt n`.
    outlier_tol : float, optional
        Matching distance; default :func:`outlier_tolerance`, :math:`6R/\sqrt n`.
    singular_values : bool, optional
        Compare singular values; default: when the ensemble has a CDF or density for them.
    sv_points : array_like, optional
        Singular values :math:`s \ge 0` of the singular-value CDF rows.
    dtype : numpy float dtype
        Sampling dtype (``np.float64`` default, or ``np.float32``).
    max_bytes : int
        Memory bound of the sampled matrices held at once (see :func:`eigenvalues`).
    threads : int, optional
        Limit the BLAS/LAPACK threads (threadpoolctl).

    Returns
    -------
    SpectrumComparison
        ``.passed``, ``.rows``, ``.table()``, ``.plot()``.

    Raises
    ------
    ParameterError
        For an object lacking the ensemble interface, ``n < 2``, empty or
        non-integer ``seeds``, negative radii, an unknown ``error``, bad tolerances.

    Notes
    -----
    The budget was measured for iid matrices, whose density is uniform up to a
    sharp edge.  An ensemble with a different edge (e.g. block variances) should
    be checked with its own measured ``budget``.  Outliers are found radially,
    outside the disk of radius :math:`R(1 + \text{margin})`: an outlier
    inside that disk but outside a non-circular support (an ellipse) is not
    detected.  Large singular values created by low-rank parts are not
    corrected for (each shifts the singular-value CDF by at most :math:`1/n`,
    by interlacing; the budget covers a few of them).

    Examples
    --------
    >>> from meanfield.ensembles import Gaussian
    >>> res = compare(Gaussian(1.0, J0=2.0), n=200, seeds=[0, 1])
    >>> res.passed
    True
    >>> res["outliers"].theory
    1.0
    """
    n, seeds, radii, error, k, b, margin, outlier_tol, sv, sv_points, R = _compare_iv(
        ensemble, n, seeds, radii, error, k, budget, margin, outlier_tol, singular_values, sv_points)
    ev, svals = _spectra(ensemble, n, seeds, dtype, max_bytes, eig=True, sv=sv, threads=threads)
    predicted = _predicted_outliers(ensemble, n)
    rows = _Rows(n, len(seeds), error=error, k=k, budget=b)
    notes = []
    _radial_cdf_rows(rows, notes, ensemble, ev, radii, predicted, R)
    found, found_seed = _outlier_rows(rows, notes, ev, predicted, R, margin, outlier_tol)
    if sv:
        sv_grid, sv_grid_theory = _singular_value_rows(rows, notes, ensemble, svals, sv_points, R)
    else:
        svals, sv_grid, sv_grid_theory = np.empty((0, n)), np.empty(0), np.empty(0)
    cdf_grid, cdf_grid_theory = _cdf_plot_grid(ensemble, n, radii, predicted, R)
    support_r, support_theta, support = _support_grid(ensemble, R, notes)
    return SpectrumComparison(
        ensemble=repr(ensemble), n=n, seeds=tuple(seeds), passed=rows.all_passed(),
        message=rows.message(), k=k, error=error, budget=b, spectral_radius=R,
        outlier_threshold=R * (1.0 + margin), outlier_tol=outlier_tol, notes=tuple(notes),
        **rows.fields(), eigenvalues=ev, singular_values=svals, outliers_theory=predicted,
        outliers_found=found, outliers_seed=found_seed, cdf_grid=cdf_grid,
        cdf_grid_theory=cdf_grid_theory, sv_grid=sv_grid, sv_grid_theory=sv_grid_theory,
        support_r=support_r, support_theta=support_theta, support_density=support)
