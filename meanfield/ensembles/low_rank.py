r"""Low-rank structure plus iid Gaussian disorder, :math:`J = g\chi + m n^T/N`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _checks
from ..errors import ParameterError
from ._base import Ensemble
from .gaussian import Gaussian

__all__ = ["LowRankPlusRandom"]


def _frozen(arr):
    arr = np.array(arr, dtype=float)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class LowRankPlusRandom(Ensemble):
    r"""A rank-:math:`R` structure on top of an iid Gaussian bulk.

    .. math:: J = \frac{g}{\sqrt N} Z + \frac{1}{N}\sum_{a=1}^{R} m_a n_a^T ,
              \qquad Z_{ij} \sim \mathcal N(0, 1)\ \text{iid}.

    The vectors are given in one of two ways:

    - **explicitly**: ``m`` and ``n`` arrays of shape ``(N,)`` (rank one) or ``(N, R)``
      (column :math:`a` is :math:`m_a`); :meth:`sample` then needs that ``N``;
    - **by their overlaps**: ``overlap`` (a scalar or an ``(R, R)`` array)
      :math:`O_{ab} = \mathbb E[n_a^T m_b]/N`.  For each unit :math:`i`,
      :math:`m_i \sim \mathcal N(0, I_R)` and :math:`n_i = O\,m_i + \sigma_\perp y_i` with
      :math:`y_i \sim \mathcal N(0, I_R)` independent (``n_perp`` :math:`= \sigma_\perp`).
      Then :math:`\mathbb E[n_a^T m_b]/N = O_{ab}`, :math:`|m_a|^2/N \to 1` and
      :math:`|n_a|^2/N \to (O O^T)_{aa} + \sigma_\perp^2`.  Fresh vectors are drawn for every
      sample (the same ``seed`` gives the same vectors: :meth:`sample_vectors`).

    Parameters
    ----------
    g : float
        Gain of the random part, :math:`g \ge 0`.
    m, n : array_like, optional
        Explicit vectors, same shape ``(N,)`` or ``(N, R)``, finite.
    overlap : float or (R, R) array_like, optional
        Expected overlaps :math:`O_{ab}`; exclusive with ``m``/``n``.
    n_perp : float
        :math:`\sigma_\perp \ge 0`, the part of :math:`n` independent of :math:`m` (overlap
        mode only; default 0).

    Notes
    -----
    The nonzero eigenvalues of :math:`mn^T/N` are those of the :math:`R\times R` matrix
    :math:`(n^T m)/N` (:math:`[\,\cdot\,]_{ab} = n_a^T m_b/N`).  The bulk of :math:`J` is the
    circular law of radius :math:`g`; each eigenvalue :math:`\lambda` of the overlap matrix with
    :math:`|\lambda| > g` gives an outlier of :math:`J` converging to :math:`\lambda`
    (Tao 2013), with fluctuations :math:`O(N^{-1/2})` (rank one:
    :math:`\delta\lambda \approx g\,n^T Z m/(N^{3/2}\lambda)`, standard deviation
    :math:`g\sqrt{(|n|^2/N)(|m|^2/N)/N}/|\lambda|`).  Eigenvalues with :math:`|\lambda| \le g`
    are swallowed by the bulk.  With random vectors the *realized* overlap
    :math:`n^T m/N` differs from :math:`O` by :math:`O(N^{-1/2})` too (e.g. the standard
    deviation of :math:`n_a^T m_b/N` is :math:`\sqrt{(|O_{a\cdot}|^2 + O_{ab}^2 + \sigma_\perp^2)/N}`),
    so at finite ``N`` the outliers of one sample sit near the eigenvalues of its realized
    overlap, and :meth:`outliers` (the eigenvalues of :math:`O`) is their :math:`N \to \infty`
    limit.

    References
    ----------
    T. Tao, *Outliers in the spectrum of iid matrices with bounded rank perturbations*,
    Probab. Theory Relat. Fields 155, 231 (2013), doi:10.1007/s00440-011-0397-9.
    F. Mastrogiuseppe, S. Ostojic, *Linking connectivity, dynamics, and computations in low-rank
    recurrent neural networks*, Neuron 99, 609 (2018), doi:10.1016/j.neuron.2018.07.003.

    Examples
    --------
    >>> ens = LowRankPlusRandom(g=0.8, overlap=[[2.0, 0.0], [0.0, -1.5]])
    >>> ens.outliers()
    array([ 2. , -1.5])
    >>> ens.sample(200, seed=0).shape
    (200, 200)
    """

    g: float
    m: np.ndarray | None = None
    n: np.ndarray | None = None
    overlap: np.ndarray | None = None
    n_perp: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "g", _checks.nonnegative("g", self.g))
        n_perp = _checks.nonnegative("n_perp", self.n_perp)
        object.__setattr__(self, "n_perp", n_perp)
        explicit = self.m is not None or self.n is not None
        if explicit and self.overlap is not None:
            raise ParameterError("give either explicit vectors (`m`, `n`) or `overlap`, not both; "
                                 "got all three")
        if explicit:
            if self.m is None or self.n is None:
                missing = "m" if self.m is None else "n"
                raise ParameterError(f"`{missing}` is required together with the other vector; "
                                     f"got {missing}=None")
            m = _checks.real_array("m", self.m, ndim=(1, 2))
            if m.shape[0] < 1 or (m.ndim == 2 and m.shape[1] < 1):
                raise ParameterError(f"`m` must have shape (N,) or (N, R) with N, R >= 1; "
                                     f"got shape {m.shape}")
            n = _checks.real_array("n", self.n, shape=m.shape)
            if n_perp != 0.0:
                raise ParameterError(f"`n_perp` applies to the overlap mode only; got n_perp={n_perp!r} "
                                     "with explicit vectors")
            object.__setattr__(self, "m", _frozen(m.reshape(m.shape[0], -1)))
            object.__setattr__(self, "n", _frozen(n.reshape(n.shape[0], -1)))
        elif self.overlap is None:
            raise ParameterError("give the low-rank part: explicit vectors `m` and `n`, or "
                                 "`overlap`; got neither")
        else:
            O = _checks.real_array("overlap", self.overlap, ndim=(0, 2))
            O = O.reshape(1, 1) if O.ndim == 0 else O
            if O.shape[0] != O.shape[1] or O.shape[0] < 1:
                raise ParameterError(f"`overlap` must be a scalar or a square (R, R) array; "
                                     f"got shape {O.shape}")
            object.__setattr__(self, "overlap", _frozen(O))

    # ------------------------------------------------------------------ structure
    @property
    def rank(self) -> int:
        """Rank :math:`R` of the structured part."""
        return (self.m if self.overlap is None else self.overlap).shape[1]

    @property
    def size(self) -> int | None:
        """``N`` of the explicit vectors, or None in the overlap mode."""
        return None if self.m is None else self.m.shape[0]

    @property
    def overlap_matrix(self) -> np.ndarray:
        r""":math:`(n^T m)/N` for explicit vectors, else the expected overlap :math:`O`."""
        if self.overlap is not None:
            return self.overlap.copy()
        return self.n.T @ self.m / self.m.shape[0]

    def _check_size(self, n):
        if self.m is not None and n != self.m.shape[0]:
            raise ParameterError(f"`n` must equal the length of the explicit vectors, "
                                 f"{self.m.shape[0]}; got n={n}")

    def sample_vectors(self, n: int, seed=None):
        r"""The vectors :math:`m, n` (each ``(N, R)``) that :meth:`sample` uses with this seed.

        Explicit vectors are returned as they are (no randomness is consumed).
        """
        n, gen, _ = self._sample_iv(n, seed, np.float64)
        self._check_size(n)
        return self._vectors(n, gen)

    def _vectors(self, n, gen):
        if self.overlap is None:
            return self.m, self.n
        R = self.rank
        m = gen.standard_normal((n, R))
        nv = m @ self.overlap.T
        if self.n_perp != 0.0:
            nv += self.n_perp * gen.standard_normal((n, R))
        return m, nv

    def sample(self, n: int, seed=None, dtype=np.float64) -> np.ndarray:
        r"""Draw :math:`J = gZ/\sqrt N + mn^T/N`.

        The vectors are drawn first (overlap mode), then :math:`Z`; with explicit vectors the
        matrix equals ``Gaussian(g).sample(N, seed) + m @ n.T / N``.

        Parameters
        ----------
        n : int
            ``N``; must match explicit vectors.
        seed : None, int or numpy.random.Generator
        dtype : numpy float dtype
            ``np.float64`` (default) or ``np.float32``.
        """
        n, gen, dt = self._sample_iv(n, seed, dtype)
        self._check_size(n)
        m, nv = self._vectors(n, gen)
        J = gen.standard_normal((n, n), dtype=dt)
        J *= dt.type(self.g / np.sqrt(n))
        J += (m @ nv.T / n).astype(dt)
        return J

    # ------------------------------------------------------------------ spectral theory
    @property
    def coupling_variance(self) -> float:
        r""":math:`N\,\mathrm{Var}(J_{ij}) = g^2` of the random part."""
        return self.g ** 2

    @property
    def spectral_radius(self) -> float:
        """Bulk radius :math:`g` (outliers excluded)."""
        return self.g

    def eigenvalue_density(self, z):
        r"""Bulk density: :math:`1/(\pi g^2)` on :math:`|z| < g` (the R outliers have zero weight)."""
        return Gaussian(self.g).eigenvalue_density(z)

    def radial_cdf(self, r):
        r"""Bulk fraction inside :math:`|z| \le r`: :math:`\min(r/g, 1)^2`."""
        return Gaussian(self.g).radial_cdf(r)

    def singular_value_density(self, s):
        r"""Quarter-circle law of the bulk, :math:`\sqrt{4g^2 - s^2}/(\pi g^2)`; the low-rank
        part adds up to :math:`R` large singular values (zero weight)."""
        return Gaussian(self.g).singular_value_density(s)

    def outliers(self, n: int | None = None) -> np.ndarray:
        r"""Eigenvalues of the overlap matrix with :math:`|\lambda| > g`, by decreasing modulus.

        Real array when they are all real, complex otherwise.  For explicit vectors this is the
        finite-``N`` prediction (up to :math:`O(N^{-1/2})` fluctuations from the bulk); in the
        overlap mode it is the :math:`N\to\infty` limit (class Notes).  ``n`` is checked
        against explicit vectors and otherwise ignored.
        """
        if n is not None:
            n = _checks.integer("n", n, low=1)
            self._check_size(n)
        lam = np.linalg.eigvals(self.overlap_matrix)
        lam = lam[np.abs(lam) > self.g]
        lam = lam[np.argsort(-np.abs(lam), kind="stable")]
        if np.all(lam.imag == 0):
            return lam.real
        return lam
