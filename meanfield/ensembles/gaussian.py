r"""The iid Gaussian ensemble :math:`J_{ij} \sim \mathcal N(J_0/n, g^2/n)`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _checks
from ..errors import ParameterError
from ._base import Ensemble

__all__ = ["Gaussian"]


@dataclass(frozen=True)
class Gaussian(Ensemble):
    r"""iid Gaussian couplings with mean :math:`J_0/n` and variance :math:`g^2/n`.

    Parameters
    ----------
    g : float
        Gain, :math:`g \ge 0`; the coupling variance is :math:`g^2/n`.
    J0 : float
        Mean coupling times :math:`n` (any finite real).

    Notes
    -----
    :meth:`sample` returns :math:`J = J_0/n + (g/\sqrt n) Z` with :math:`Z_{ij}`
    iid standard normal, diagonal included.  For large :math:`n` the
    eigenvalues of the random part fill the disk of radius :math:`g` uniformly
    (circular law, Girko 1984; Tao & Vu 2010, doi:10.1214/10-AOP534); the rank-one
    mean :math:`J_0 \mathbf 1 \mathbf 1^T / n` adds one real outlier at
    :math:`J_0` when :math:`|J_0| > g` (Tao 2013, doi:10.1007/s00440-011-0397-9).

    Examples
    --------
    >>> J = Gaussian(g=1.5).sample(200, seed=0)
    >>> J.shape
    (200, 200)
    """

    g: float
    J0: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "g", _checks.nonnegative("g", self.g))
        object.__setattr__(self, "J0", _checks.real("J0", self.J0))

    def sample(self, n: int, seed=None, dtype=np.float64) -> np.ndarray:
        r"""Draw :math:`J` with :math:`J_{ij} \sim \mathcal N(J_0/n, g^2/n)` iid.

        Parameters
        ----------
        n : int
            Number of units, ``n >= 1``.
        seed : None, int or numpy.random.Generator
            Source of randomness; the same seed gives the same matrix.
        dtype : numpy float dtype
            ``np.float64`` (default) or ``np.float32``.

        Returns
        -------
        ndarray, shape (n, n)

        Raises
        ------
        ParameterError
            For ``n`` not an integer >= 1, a bad seed or dtype, or a matrix larger than
            the memory limit :data:`meanfield._checks.MAX_BYTES` (4 GiB: n <= 23170 in
            float64, 32768 in float32).

        Examples
        --------
        >>> import numpy as np
        >>> J = Gaussian(g=2.0, J0=1.0).sample(200, seed=0)
        >>> J.shape, np.array_equal(J, Gaussian(g=2.0, J0=1.0).sample(200, seed=0))
        ((200, 200), True)
        >>> round(float(J.std() * np.sqrt(200)), 1)     # sqrt(n Var J_ij) = g
        2.0
        >>> abs(float(J.mean()) * 200 - 1.0) < 0.5       # n E[J_ij] = J0, up to 0.14 (1 sd)
        True
        >>> Gaussian(g=1.0).sample(3, seed=0, dtype=np.float32).dtype
        dtype('float32')
        """
        dt = _checks.float_dtype("dtype", dtype)
        # drawn directly in `dtype` and scaled in place: one matrix, no temporary
        n, gen, dt = self._sample_iv(n, seed, dt, nbytes_per_entry=dt.itemsize)
        J = gen.standard_normal((n, n), dtype=dt)
        J *= dt.type(self.g / np.sqrt(n))
        if self.J0 != 0.0:
            J += dt.type(self.J0 / n)
        return J

    @property
    def coupling_variance(self) -> float:
        r""":math:`n \,\mathrm{Var}(J_{ij}) = g^2`."""
        return self.g ** 2

    @property
    def spectral_radius(self) -> float:
        """Radius :math:`g` of the bulk (circular law) as :math:`n \\to \\infty`."""
        return self.g

    def eigenvalue_density(self, z):
        r"""Limiting eigenvalue density: :math:`1/(\pi g^2)` on :math:`|z| < g`, 0 outside.

        Parameters
        ----------
        z : complex array_like
            Points of the complex plane (any shape).

        Returns
        -------
        ndarray of float, same shape as ``z``
            Density per unit area, normalised to 1 over the plane (the outlier,
            a single eigenvalue, has zero weight as :math:`n \to \infty`).

        Raises
        ------
        ParameterError
            For non-numeric or non-finite ``z``, or ``g = 0`` (the density is a
            point mass at the origin).

        Examples
        --------
        >>> import numpy as np
        >>> Gaussian(g=2.0).eigenvalue_density([0.0, 1 + 1j, 3j]) * np.pi   # 1/g^2 inside
        array([0.25, 0.25, 0.  ])
        """
        z = _checks.complex_array("z", z)
        if self.g == 0.0:
            raise ParameterError("the eigenvalue density of g=0 is a point mass at 0; "
                                 "`g` must be > 0 for a density")
        return np.where(np.abs(z) < self.g, 1.0 / (np.pi * self.g ** 2), 0.0)

    def radial_cdf(self, r):
        r"""Fraction of eigenvalues with :math:`|z| \le r`: :math:`\min(r/g, 1)^2`.

        Parameters
        ----------
        r : array_like
            Radii, :math:`r \ge 0` (any shape).

        Returns
        -------
        ndarray, same shape as ``r``

        Examples
        --------
        >>> Gaussian(g=2.0).radial_cdf([0.0, 1.0, 2.0, 5.0])
        array([0.  , 0.25, 1.  , 1.  ])
        """
        r = _checks.real_array("r", r, low=0.0)
        if self.g == 0.0:
            return np.ones_like(r)
        return np.minimum(r / self.g, 1.0) ** 2

    def singular_value_density(self, s):
        r"""Limiting density of the singular values of the random part (quarter-circle law).

        .. math:: p(s) = \frac{\sqrt{4g^2 - s^2}}{\pi g^2}, \qquad 0 \le s \le 2g ,

        the Marchenko-Pastur law at aspect ratio 1 written for :math:`s = \sqrt{\lambda}`.
        The mean :math:`J_0` adds one large singular value (near :math:`|J_0|`
        for large :math:`|J_0|`) with zero weight as :math:`n \to \infty`.

        Raises
        ------
        ParameterError
            For ``g = 0`` (a point mass) or negative / non-finite ``s``.

        Examples
        --------
        >>> import numpy as np
        >>> p = Gaussian(g=1.0).singular_value_density([0.0, 1.0, 2.0, 3.0])
        >>> np.round(p * np.pi, 6)            # sqrt(4 - s^2) on [0, 2]
        array([2.      , 1.732051, 0.      , 0.      ])
        """
        s = _checks.real_array("s", s, low=0.0)
        if self.g == 0.0:
            raise ParameterError("the singular-value density of g=0 is a point mass at 0; "
                                 "`g` must be > 0 for a density")
        inside = s < 2 * self.g
        root = np.sqrt(np.where(inside, 4 * self.g ** 2 - s ** 2, 0.0))
        return root / (np.pi * self.g ** 2)

    def outliers(self, n: int | None = None) -> np.ndarray:
        r"""Eigenvalues outside the bulk: ``[J0]`` if :math:`|J_0| > g`, else empty.

        Parameters
        ----------
        n : int, optional
            Number of units.  Accepted for the common ensemble interface and
            validated; the prediction :math:`J_0` is the same at every ``n`` (the
            finite-n outlier fluctuates around it by :math:`O(1/\sqrt n)`).

        Examples
        --------
        >>> Gaussian(g=1.0, J0=2.0).outliers(300)
        array([2.])
        >>> Gaussian(g=1.0).outliers().size
        0
        """
        if n is not None:
            _checks.integer("n", n, low=1)
        if abs(self.J0) > self.g:
            return np.array([self.J0])
        return np.empty(0)
