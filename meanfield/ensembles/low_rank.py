r"""Low-rank structure plus iid Gaussian disorder, :math:`J = g\chi + m n^T/N` (``left``, ``right``)."""

from __future__ import annotations

import warnings
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


_DEPRECATED = {"m": "left", "n": "right", "n_perp": "right_perp"}


def _deprecated(old):
    warnings.warn(f"LowRankPlusRandom: `{old}` is deprecated and will be removed in the next "
                  f"release; use `{_DEPRECATED[old]}` (`n` means the number of units everywhere "
                  "else in meanfield)", DeprecationWarning, stacklevel=3)


@dataclass(frozen=True, eq=False, init=False)
class LowRankPlusRandom(Ensemble):
    r"""A rank-:math:`R` structure on top of an iid Gaussian bulk.

    .. math:: J = \frac{g}{\sqrt N} Z + \frac{1}{N}\sum_{a=1}^{R} m_a n_a^T ,
              \qquad Z_{ij} \sim \mathcal N(0, 1)\ \text{iid},

    in the notation of Mastrogiuseppe & Ostojic (2018), :math:`P = m n^T/N`: the *left*
    vectors :math:`m_a` (``left``, the output directions, columns of :math:`P`) and the
    *right* vectors :math:`n_a` (``right``, the input-selection directions, rows of
    :math:`P`).  ``N`` (or ``n`` in :meth:`sample`) is the number of units.

    The vectors are given in one of two ways:

    - **explicitly**: ``left`` and ``right`` arrays of shape ``(N,)`` (rank one) or ``(N, R)``
      (column :math:`a` is :math:`m_a`, resp. :math:`n_a`); :meth:`sample` then needs that ``N``;
    - **by their overlaps**: ``overlap`` (a scalar or an ``(R, R)`` array)
      :math:`O_{ab} = \mathbb E[n_a^T m_b]/N`.  For each unit :math:`i`,
      :math:`m_i \sim \mathcal N(0, I_R)` and :math:`n_i = O\,m_i + \sigma_\perp y_i` with
      :math:`y_i \sim \mathcal N(0, I_R)` independent (``right_perp`` :math:`= \sigma_\perp`).
      Then :math:`\mathbb E[n_a^T m_b]/N = O_{ab}`, :math:`|m_a|^2/N \to 1` and
      :math:`|n_a|^2/N \to (O O^T)_{aa} + \sigma_\perp^2`.  Fresh vectors are drawn for every
      sample (the same ``seed`` gives the same vectors: :meth:`sample_vectors`).

    Parameters
    ----------
    g : float
        Gain of the random part, :math:`g \ge 0`.
    left, right : array_like, optional
        Explicit vectors :math:`m` and :math:`n`, same shape ``(N,)`` or ``(N, R)``, finite.
    overlap : float or (R, R) array_like, optional
        The matrix of expected left-right overlaps :math:`O_{ab} = \mathbb E[n_a^T m_b]/N`
        (a scalar is the rank-one case, :math:`R = 1`); exclusive with ``left``/``right``.
        Its entries are unnormalised (any finite real): they are the limiting nonzero
        eigenvalues of :math:`P` and so set the outliers.  This is *not* the ``overlap`` of
        :class:`RandomMode`, which is one scalar correlation coefficient
        :math:`\rho \in [-1, 1]` between the unit-norm left and right vectors of every mode.
    right_perp : float
        :math:`\sigma_\perp \ge 0`, the part of :math:`n` independent of :math:`m` (overlap
        mode only; default 0).
    m, n, n_perp : optional, keyword only
        Deprecated names of ``left``, ``right`` and ``right_perp`` (``n`` is the number of units
        everywhere else): accepted with a ``DeprecationWarning`` for one release.

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
    >>> N = 100
    >>> explicit = LowRankPlusRandom(0.5, left=np.ones(N), right=2.0 * np.ones(N))
    >>> explicit.outliers(N)
    array([2.])
    """

    g: float
    left: np.ndarray | None = None
    right: np.ndarray | None = None
    overlap: np.ndarray | None = None
    right_perp: float = 0.0

    def __init__(self, g, left=None, right=None, overlap=None, right_perp=0.0, *, m=None, n=None,
                 n_perp=None):
        for old, new, val_old, val_new, default in (("m", "left", m, left, None),
                                                     ("n", "right", n, right, None),
                                                     ("n_perp", "right_perp", n_perp, right_perp, 0.0)):
            if val_old is not None:
                _deprecated(old)
                if val_new is not default:
                    raise ParameterError(f"give `{new}` or its deprecated name `{old}`, not both")
        object.__setattr__(self, "g", g)
        object.__setattr__(self, "left", left if m is None else m)
        object.__setattr__(self, "right", right if n is None else n)
        object.__setattr__(self, "overlap", overlap)
        object.__setattr__(self, "right_perp", right_perp if n_perp is None else n_perp)
        self._validate()

    def _validate(self):
        object.__setattr__(self, "g", _checks.nonnegative("g", self.g))
        perp = _checks.nonnegative("right_perp", self.right_perp)
        object.__setattr__(self, "right_perp", perp)
        explicit = self.left is not None or self.right is not None
        if explicit and self.overlap is not None:
            raise ParameterError("give either explicit vectors (`left`, `right`) or `overlap`, not "
                                 "both; got all three")
        if explicit:
            if self.left is None or self.right is None:
                missing = "left" if self.left is None else "right"
                raise ParameterError(f"`{missing}` is required together with the other vector; "
                                     f"got {missing}=None")
            left = _checks.real_array("left", self.left, ndim=(1, 2))
            if left.shape[0] < 1 or (left.ndim == 2 and left.shape[1] < 1):
                raise ParameterError(f"`left` must have shape (N,) or (N, R) with N, R >= 1; "
                                     f"got shape {left.shape}")
            right = _checks.real_array("right", self.right, shape=left.shape)
            if perp != 0.0:
                raise ParameterError(f"`right_perp` applies to the overlap mode only; got "
                                     f"right_perp={perp!r} with explicit vectors")
            object.__setattr__(self, "left", _frozen(left.reshape(left.shape[0], -1)))
            object.__setattr__(self, "right", _frozen(right.reshape(right.shape[0], -1)))
        elif self.overlap is None:
            raise ParameterError("give the low-rank part: explicit vectors `left` and `right`, or "
                                 "`overlap`; got neither")
        else:
            O = _checks.real_array("overlap", self.overlap, ndim=(0, 2))
            O = O.reshape(1, 1) if O.ndim == 0 else O
            if O.shape[0] != O.shape[1] or O.shape[0] < 1:
                raise ParameterError(f"`overlap` must be a scalar or a square (R, R) array; "
                                     f"got shape {O.shape}")
            object.__setattr__(self, "overlap", _frozen(O))

    # ------------------------------------------------------------------ deprecated names
    @property
    def m(self):
        """Deprecated name of :attr:`left`."""
        _deprecated("m")
        return self.left

    @property
    def n(self):
        """Deprecated name of :attr:`right` (``n`` is the number of units elsewhere)."""
        _deprecated("n")
        return self.right

    @property
    def n_perp(self):
        """Deprecated name of :attr:`right_perp`."""
        _deprecated("n_perp")
        return self.right_perp

    # ------------------------------------------------------------------ structure
    @property
    def rank(self) -> int:
        """Rank :math:`R` of the structured part.

        Examples
        --------
        >>> LowRankPlusRandom(1.0, overlap=np.eye(3)).rank
        3
        """
        return (self.left if self.overlap is None else self.overlap).shape[1]

    @property
    def size(self) -> int | None:
        """``N`` of the explicit vectors, or None in the overlap mode.

        Examples
        --------
        >>> LowRankPlusRandom(1.0, left=np.ones(7), right=np.ones(7)).size
        7
        >>> LowRankPlusRandom(1.0, overlap=2.0).size is None
        True
        """
        return None if self.left is None else self.left.shape[0]

    @property
    def overlap_matrix(self) -> np.ndarray:
        r""":math:`(n^T m)/N` for explicit vectors, else the expected overlap :math:`O`.

        Examples
        --------
        >>> LowRankPlusRandom(1.0, left=np.ones(4), right=3.0 * np.ones(4)).overlap_matrix
        array([[3.]])
        """
        if self.overlap is not None:
            return self.overlap.copy()
        with np.errstate(over="ignore", invalid="ignore"):
            O = self.right.T @ self.left / self.left.shape[0]
        if not np.all(np.isfinite(O)):
            raise ParameterError("the overlap matrix right^T left / N overflows float64: `left` and "
                                 "`right` too large (their products must stay below 1e308)")
        return O

    def _check_size(self, n):
        if self.left is not None and n != self.left.shape[0]:
            raise ParameterError(f"`n` must equal the length of the explicit vectors, "
                                 f"{self.left.shape[0]}; got n={n}")

    def sample_vectors(self, n: int, seed=None):
        r"""The vectors ``(left, right)`` = :math:`(m, n)`, each ``(N, R)``, that :meth:`sample`
        uses with this seed.

        Explicit vectors are returned as they are (no randomness is consumed).

        Parameters
        ----------
        n : int
            Number of units ``N``; must match explicit vectors.
        seed : None, int or numpy.random.Generator

        Returns
        -------
        left, right : ndarray, shape (N, R)

        Examples
        --------
        >>> left, right = LowRankPlusRandom(1.0, overlap=2.0).sample_vectors(1000, seed=0)
        >>> left.shape, bool(abs(right.T @ left / 1000 - 2.0) < 0.3)
        ((1000, 1), True)
        """
        n, gen, _ = self._sample_iv(n, seed, np.float64)
        self._check_size(n)
        return self._vectors(n, gen)

    def _vectors(self, n, gen):
        if self.overlap is None:
            return self.left, self.right
        R = self.rank
        _checks.memory("n", 3 * 8 * n * R, f"drawing ({n}, {R}) structure vectors")
        left = gen.standard_normal((n, R))
        right = left @ self.overlap.T
        if self.right_perp != 0.0:
            right += self.right_perp * gen.standard_normal((n, R))
        return left, right

    def sample(self, n: int, seed=None, dtype=np.float64) -> np.ndarray:
        r"""Draw :math:`J = gZ/\sqrt N + mn^T/N` (``left @ right.T / N``).

        The vectors are drawn first (overlap mode), then :math:`Z`; with explicit vectors the
        matrix equals ``Gaussian(g).sample(N, seed) + left @ right.T / N``.

        Parameters
        ----------
        n : int
            Number of units ``N``; must match explicit vectors.
        seed : None, int or numpy.random.Generator
        dtype : numpy float dtype
            ``np.float64`` (default) or ``np.float32``.

        Examples
        --------
        >>> J = LowRankPlusRandom(0.5, overlap=3.0).sample(300, seed=1)
        >>> bool(abs(np.linalg.eigvals(J).real.max() - 3.0) < 0.5)
        True
        """
        n, gen, dt = self._sample_iv(n, seed, dtype)
        self._check_size(n)
        left, right = self._vectors(n, gen)
        J = gen.standard_normal((n, n), dtype=dt)
        J *= dt.type(self.g / np.sqrt(n))
        with np.errstate(over="ignore"):
            P = left @ right.T / n
        if not np.all(np.isfinite(P)) or (dt == np.float32 and np.abs(P).max() > 3e38):
            raise ParameterError(f"the low-rank part m n^T/N overflows {dt.name}: `overlap` (or "
                                 "`left`, `right`, `right_perp`) too large for a sampled matrix")
        J += P.astype(dt)
        return J

    # ------------------------------------------------------------------ spectral theory
    @property
    def coupling_variance(self) -> float:
        r""":math:`N\,\mathrm{Var}(J_{ij}) = g^2` of the random part.

        Examples
        --------
        >>> LowRankPlusRandom(0.5, overlap=2.0).coupling_variance
        0.25
        """
        return self.g ** 2

    @property
    def spectral_radius(self) -> float:
        """Bulk radius :math:`g` (outliers excluded).

        Examples
        --------
        >>> LowRankPlusRandom(0.5, overlap=2.0).spectral_radius
        0.5
        """
        return self.g

    def eigenvalue_density(self, z):
        r"""Bulk density: :math:`1/(\pi g^2)` on :math:`|z| < g` (the R outliers have zero weight).

        Examples
        --------
        >>> LowRankPlusRandom(1.0, overlap=2.0).eigenvalue_density([0.5, 2.0]) * np.pi
        array([1., 0.])
        """
        return Gaussian(self.g).eigenvalue_density(z)

    def radial_cdf(self, r):
        r"""Bulk fraction inside :math:`|z| \le r`: :math:`\min(r/g, 1)^2`.

        Examples
        --------
        >>> LowRankPlusRandom(1.0, overlap=2.0).radial_cdf([0.5, 3.0])
        array([0.25, 1.  ])
        """
        return Gaussian(self.g).radial_cdf(r)

    def singular_value_density(self, s):
        r"""Quarter-circle law of the bulk, :math:`\sqrt{4g^2 - s^2}/(\pi g^2)`; the low-rank
        part adds up to :math:`R` large singular values (zero weight).

        Examples
        --------
        >>> LowRankPlusRandom(1.0, overlap=2.0).singular_value_density([0.0, 2.0]) * np.pi
        array([2., 0.])
        """
        return Gaussian(self.g).singular_value_density(s)

    def outliers(self, n: int | None = None) -> np.ndarray:
        r"""Eigenvalues of the overlap matrix with :math:`|\lambda| > g`, by decreasing modulus.

        Parameters
        ----------
        n : int, optional
            Number of units.  With explicit vectors it must equal their length ``N`` (checked;
            the answer, the eigenvalues of the realized :math:`n^T m/N`, is already the
            finite-``N`` prediction, up to :math:`O(N^{-1/2})` fluctuations from the bulk).  In
            the overlap mode it is validated and otherwise unused: no finite-``N`` correction is
            provided, the answer is the :math:`N\to\infty` limit (class Notes).

        Returns
        -------
        ndarray
            Real when all outliers are real, complex otherwise; empty when none leave the bulk.

        Examples
        --------
        >>> LowRankPlusRandom(1.0, overlap=[[1.5, -1.0], [1.0, 1.5]]).outliers(500)
        array([1.5+1.j, 1.5-1.j])
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
