r"""The elliptic ensemble: Gaussian couplings with correlated reciprocal pairs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _checks
from ..errors import ParameterError
from ._base import Ensemble

__all__ = ["Elliptic"]


@dataclass(frozen=True)
class Elliptic(Ensemble):
    r"""Gaussian couplings with :math:`\mathrm{corr}(J_{ij}, J_{ji}) = \tau`.

    Parameters
    ----------
    g : float
        Gain, :math:`g \ge 0`: off-diagonal entries have variance :math:`g^2/n`.
    tau : float
        Correlation of the pairs :math:`(J_{ij}, J_{ji})`, :math:`-1 \le \tau \le 1`
        (1: symmetric, 0: iid, -1: antisymmetric).

    Notes
    -----
    :meth:`sample` returns

    .. math:: J = \frac{g}{\sqrt n}\Big(\sqrt{\tfrac{1+\tau}{2}}\,\frac{G + G^T}{\sqrt 2}
              + \sqrt{\tfrac{1-\tau}{2}}\,\frac{G - G^T}{\sqrt 2}\Big),

    :math:`G_{ij}` iid standard normal.  Off the diagonal, :math:`\mathrm{Var}(J_{ij}) = g^2/n`
    and :math:`\mathrm{Cov}(J_{ij}, J_{ji}) = \tau g^2/n`; on the diagonal
    :math:`\mathrm{Var}(J_{ii}) = (1+\tau)g^2/n` (the GOE convention at :math:`\tau = 1`, zero
    for the antisymmetric :math:`\tau = -1`).  The diagonal does not change the limiting
    spectrum.

    For :math:`|\tau| < 1` the eigenvalues fill the ellipse with semi-axes
    :math:`a = g(1+\tau)` (real) and :math:`b = g(1-\tau)` (imaginary) uniformly, density
    :math:`1/(\pi g^2(1-\tau^2))` (Sommers, Crisanti, Sompolinsky & Stein 1988).  At
    :math:`\tau = 1` they follow the semicircle law on :math:`[-2g, 2g]`, at
    :math:`\tau = -1` on :math:`[-2ig, 2ig]` (no density in the plane: see
    :meth:`line_density`).

    References
    ----------
    H.-J. Sommers, A. Crisanti, H. Sompolinsky, Y. Stein, *Spectrum of large random asymmetric
    matrices*, Phys. Rev. Lett. 60, 1895 (1988), doi:10.1103/PhysRevLett.60.1895.

    Examples
    --------
    >>> ens = Elliptic(g=1.0, tau=0.5)
    >>> ens.semi_axes
    (1.5, 0.5)
    >>> J = ens.sample(300, seed=0)
    >>> J.shape
    (300, 300)
    """

    g: float
    tau: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "g", _checks.nonnegative("g", self.g))
        object.__setattr__(self, "tau", _checks.real("tau", self.tau, low=-1.0, high=1.0))

    def sample(self, n: int, seed=None, dtype=np.float64) -> np.ndarray:
        r"""Draw one ``(n, n)`` elliptic matrix (construction in the class Notes).

        Parameters
        ----------
        n : int
            Number of units, ``n >= 1``.
        seed : None, int or numpy.random.Generator
            Source of randomness; the same seed gives the same matrix.
        dtype : numpy float dtype
            ``np.float64`` (default) or ``np.float32``.

        Examples
        --------
        >>> J = Elliptic(g=1.0, tau=1.0).sample(50, seed=0)
        >>> bool(np.allclose(J, J.T))
        True
        """
        n, gen, dt = self._sample_iv(n, seed, dtype)
        G = gen.standard_normal((n, n), dtype=dt)
        cs = np.sqrt((1 + self.tau) / 2) / np.sqrt(2)
        ca = np.sqrt((1 - self.tau) / 2) / np.sqrt(2)
        J = (cs + ca) * G + (cs - ca) * G.T
        J *= dt.type(self.g / np.sqrt(n))
        return J.astype(dt, copy=False)

    @property
    def semi_axes(self) -> tuple[float, float]:
        r"""Semi-axes :math:`(g(1+\tau), g(1-\tau))` along the real and imaginary axes.

        Examples
        --------
        >>> Elliptic(g=2.0, tau=-0.5).semi_axes
        (1.0, 3.0)
        """
        return self.g * (1 + self.tau), self.g * (1 - self.tau)

    @property
    def coupling_variance(self) -> float:
        r""":math:`n\,\mathrm{Var}(J_{ij}) = g^2` (off-diagonal).

        Examples
        --------
        >>> Elliptic(g=2.0, tau=0.5).coupling_variance
        4.0
        """
        return self.g ** 2

    @property
    def spectral_radius(self) -> float:
        r"""Largest modulus in the support: :math:`g(1 + |\tau|)`.

        Examples
        --------
        >>> Elliptic(g=2.0, tau=-0.5).spectral_radius
        3.0
        """
        return self.g * (1 + abs(self.tau))

    def eigenvalue_density(self, z):
        r"""Uniform density :math:`1/(\pi g^2(1-\tau^2))` inside the ellipse, 0 outside.

        Parameters
        ----------
        z : complex array_like
            Points of the complex plane (any shape).

        Returns
        -------
        ndarray of float, same shape as ``z``

        Raises
        ------
        ParameterError
            For bad ``z``, ``g = 0`` (point mass) or :math:`|\tau| = 1` (eigenvalues on a line:
            use :meth:`line_density`).

        Examples
        --------
        >>> ens = Elliptic(g=1.0, tau=0.5)
        >>> ens.eigenvalue_density([0.0, 1.4, 0.6j]) * np.pi * 0.75
        array([1., 1., 0.])
        """
        z = _checks.complex_array("z", z)
        if self.g == 0.0:
            raise ParameterError("the eigenvalue density of g=0 is a point mass at 0; "
                                 "`g` must be > 0 for a density")
        if abs(self.tau) == 1.0:
            raise ParameterError(
                f"`tau` must be in (-1, 1) for a density in the plane; got tau={self.tau!r} "
                "(the eigenvalues lie on a line: use line_density)")
        a, b = self.semi_axes
        # only points in the bounding box are tested: there (z.real/a)^2 + (z.imag/b)^2 stays
        # below 1 + (b/a)^2 + (a/b)^2 <= 1e33 (|tau| < 1 - 1.1e-16), never an overflow
        box = (np.abs(z.real) < a) & (np.abs(z.imag) < b)
        zb = np.where(box, z, 0.0)
        inside = box & ((zb.real / a) ** 2 + (zb.imag / b) ** 2 < 1.0)
        return np.where(inside, 1.0 / (np.pi * a * b), 0.0)

    def line_density(self, x):
        r"""Semicircle density along the line of eigenvalues when :math:`|\tau| = 1`.

        .. math:: p(x) = \frac{\sqrt{4g^2 - x^2}}{2\pi g^2}, \qquad |x| \le 2g,

        with :math:`x` the real part (:math:`\tau = 1`) or the imaginary part
        (:math:`\tau = -1`) of the eigenvalue.

        Raises
        ------
        ParameterError
            Unless :math:`|\tau| = 1` and :math:`g > 0`, or for non-finite ``x``.

        Examples
        --------
        >>> Elliptic(g=1.0, tau=1.0).line_density([0.0, 2.0]) * np.pi
        array([1., 0.])
        """
        x = _checks.real_array("x", x)
        if abs(self.tau) != 1.0 or self.g == 0.0:
            raise ParameterError(f"line_density needs |tau| = 1 and g > 0; got tau={self.tau!r}, "
                                 f"g={self.g!r} (use eigenvalue_density for |tau| < 1)")
        return np.sqrt(np.maximum(4 * self.g ** 2 - x ** 2, 0.0)) / (2 * np.pi * self.g ** 2)

    def radial_cdf(self, r):
        r"""Fraction of eigenvalues with :math:`|z| \le r`.

        For :math:`|\tau| < 1`, the area of the disk :math:`|z| \le r` inside the ellipse
        (semi-axes :math:`A \ge B`) divided by :math:`\pi AB`: 1 for :math:`r \ge A`,
        :math:`r^2/(AB)` for :math:`r \le B`, and in between

        .. math:: F = \frac{2}{\pi}\Big[\frac{r^2}{AB}\,\theta_0
                  + \arctan\sqrt{\frac{r^2 - B^2}{A^2 - r^2}}\Big],\qquad
                  \theta_0 = \arctan\Big(\frac{B}{A}\sqrt{\frac{A^2 - r^2}{r^2 - B^2}}\Big),

        where :math:`\theta_0` is the polar angle at which the circle crosses the ellipse
        (disk sector for :math:`\theta < \theta_0`, ellipse sector
        :math:`\tfrac{AB}{2}\arctan(\tfrac AB\tan\theta)` beyond).  For :math:`|\tau| = 1`,
        the semicircle law: :math:`F = \tfrac{2}{\pi}\big[\arcsin\rho + \rho\sqrt{1-\rho^2}\big]`,
        :math:`\rho = \min(r/2g, 1)`.

        Parameters
        ----------
        r : array_like
            Radii, :math:`r \ge 0`.

        Examples
        --------
        >>> Elliptic(g=1.0, tau=0.5).radial_cdf([0.5, 1.0, 1.5]).round(4)
        array([0.3333, 0.7645, 1.    ])
        """
        r = _checks.real_array("r", r, low=0.0)
        if self.g == 0.0:
            return np.ones_like(r)
        if abs(self.tau) == 1.0:
            rho = np.minimum(r / (2 * self.g), 1.0)
            return 2 / np.pi * (np.arcsin(rho) + rho * np.sqrt(1 - rho ** 2))
        A, B = self.g * (1 + abs(self.tau)), self.g * (1 - abs(self.tau))
        rc = np.clip(r, B, A)             # radii outside [B, A] are handled below: no overflow
        between = (r > B) & (r < A)
        pa = np.sqrt(np.where(between, (A - rc) * (A + rc), 1.0))
        pb = np.sqrt(np.where(between, (rc - B) * (rc + B), 1.0))
        theta0 = np.arctan2(B * pa, A * pb)
        mid = 2 / np.pi * ((rc / A) * (rc / B) * theta0 + np.arctan2(pb, pa))
        rs = np.minimum(r, B)
        return np.where(r >= A, 1.0, np.where(r <= B, np.minimum((rs / A) * (rs / B), 1.0), mid))

    def singular_value_density(self, s):
        r"""Quarter-circle law :math:`p(s) = \sqrt{4g^2 - s^2}/(\pi g^2)` on :math:`[0, 2g]`,
        for every :math:`\tau`.

        At :math:`z = 0` the hermitization equations of the elliptic ensemble only involve
        :math:`\tau` through the off-diagonal blocks of the resolvent, which vanish, so the
        singular values follow the :math:`\tau = 0` law; at :math:`\tau = \pm 1` this is the
        law of :math:`|x|` with :math:`x` semicircular.

        Raises
        ------
        ParameterError
            For ``g = 0`` (a point mass) or negative / non-finite ``s``.

        Examples
        --------
        >>> Elliptic(g=1.0, tau=0.3).singular_value_density([0.0, 2.0]) * np.pi
        array([2., 0.])
        """
        s = _checks.real_array("s", s, low=0.0)
        if self.g == 0.0:
            raise ParameterError("the singular-value density of g=0 is a point mass at 0; "
                                 "`g` must be > 0 for a density")
        return np.sqrt(np.maximum(4 * self.g ** 2 - s ** 2, 0.0)) / (np.pi * self.g ** 2)

    def outliers(self, n: int | None = None) -> np.ndarray:
        """No outliers (there is no mean): an empty array, at every size.

        Parameters
        ----------
        n : int, optional
            Number of units, validated (``n >= 1``) and otherwise unused: there is no
            finite-``n`` outlier either (the entries have zero mean).

        Examples
        --------
        >>> Elliptic(g=1.0, tau=0.5).outliers(100)
        array([], dtype=float64)
        """
        if n is not None:
            _checks.integer("n", n, low=1)
        return np.empty(0)
