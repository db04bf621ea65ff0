r"""The iid Gaussian ensemble :math:`J_{ij} \sim \mathcal N(J_0/n, g^2/n)`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _checks
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
            For ``n`` not an integer >= 1, a bad seed or dtype.
        """
        n, gen, dt = self._sample_iv(n, seed, dtype)
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

    def outliers(self) -> np.ndarray:
        r"""Eigenvalues outside the bulk: ``[J0]`` if :math:`|J_0| > g`, else empty."""
        if abs(self.J0) > self.g:
            return np.array([self.J0])
        return np.empty(0)
