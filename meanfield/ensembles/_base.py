"""Base class shared by the random-matrix ensembles."""

from __future__ import annotations

import abc

import numpy as np

from .. import _checks

__all__ = ["Ensemble", "MAX_N"]

#: Largest matrix size a sampler accepts (a dense float64 matrix of this size is 80 GB);
#: below it, the memory limit :data:`meanfield._checks.MAX_BYTES` decides.
MAX_N = 100_000
#: Float64 matrices of the sampled size a sampler may hold at once by default (the
#: matrix and one temporary), counted against :data:`meanfield._checks.MAX_BYTES`.
_SAMPLE_COPIES = 2


class Ensemble(abc.ABC):
    """A distribution of ``(n, n)`` coupling matrices.

    Subclasses implement :meth:`sample`; they should also expose what the theory
    knows of the spectrum (``spectral_radius``, ``outliers()``, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from meanfield.ensembles import Gaussian, RandomMode
    >>> isinstance(Gaussian(g=1.0), Ensemble), isinstance(RandomMode(0.5), Ensemble)
    (True, True)

    A minimal ensemble only needs :meth:`sample`:

    >>> class Identity(Ensemble):
    ...     def sample(self, n, seed=None, dtype=np.float64):
    ...         return np.eye(n, dtype=dtype)
    >>> Identity().sample(2)
    array([[1., 0.],
           [0., 1.]])
    """

    @abc.abstractmethod
    def sample(self, n: int, seed=None, dtype=np.float64) -> np.ndarray:
        """Draw one ``(n, n)`` matrix.

        Parameters
        ----------
        n : int
            Number of units, ``n >= 1``.
        seed : None, int or numpy.random.Generator
            Source of randomness (the global numpy state is never used).
        dtype : numpy float dtype
            ``np.float64`` or ``np.float32``.

        Returns
        -------
        ndarray, shape (n, n)

        Examples
        --------
        >>> import numpy as np
        >>> from meanfield.ensembles import Gaussian
        >>> ens = Gaussian(g=1.0)
        >>> J = ens.sample(100, seed=0)
        >>> J.shape, J.dtype, ens.sample(10, seed=0, dtype=np.float32).dtype
        ((100, 100), dtype('float64'), dtype('float32'))
        >>> np.array_equal(J, ens.sample(100, seed=0))     # same seed, same matrix
        True
        >>> np.array_equal(J, ens.sample(100, seed=1))
        False
        """

    @staticmethod
    def _sample_iv(n, seed, dtype, nbytes_per_entry=None):
        """Validate ``n``, ``seed``, ``dtype``; refuse a matrix beyond the memory limit.

        ``nbytes_per_entry`` is the memory the sampler needs per matrix entry at its peak
        (default: two float64 matrices, the result and one temporary).
        """
        n = _checks.integer("n", n, low=1, high=MAX_N)
        dt = _checks.float_dtype("dtype", dtype)
        per = _SAMPLE_COPIES * 8 if nbytes_per_entry is None else nbytes_per_entry
        _checks.memory("n", per * n * n, f"sampling a ({n}, {n}) {dt.name} matrix")
        gen = _checks.rng(seed)
        return n, gen, dt


# ---------------------------------------------------------------------------
# Shared theory helpers (private; used by several ensembles)
# ---------------------------------------------------------------------------

def _merge_types(weights, variances):
    """Merge column types with equal variance (lowers polynomial degrees)."""
    w = np.asarray(weights, dtype=float)
    v = np.asarray(variances, dtype=float)
    uniq = np.unique(v)
    return np.array([w[v == x].sum() for x in uniq]), uniq


def _column_types_radial(u, weights, variances):
    r"""Radial CDF and density of a matrix whose column types have variances ``variances``.

    Parametric form: for :math:`s \in (0, \infty)`,

    .. math:: |z|^2 = s \sum_k \frac{w_k \sigma_k^2}{s + \sigma_k^2}, \qquad
              F = \sum_k \frac{w_k s}{s + \sigma_k^2}, \qquad
              \rho = \frac{1}{\pi}\frac{dF}{d|z|^2}
              = \frac{1}{\pi}\frac{\sum_k w_k\sigma_k^2/(s+\sigma_k^2)^2}
                                {\sum_k w_k\sigma_k^4/(s+\sigma_k^2)^2} .

    Parameters
    ----------
    u : ndarray
        :math:`|z|^2 \ge 0`.
    weights, variances : sequences
        Fractions :math:`w_k` (sum 1) and variances :math:`\sigma_k^2 \ge 0` (``n`` times the
        entry variance) of the column types.

    Returns
    -------
    F, rho : ndarrays shaped like ``u``
        ``F`` includes the point mass :math:`\sum_{\sigma_k = 0} w_k` at the origin;
        ``rho`` is the density of the continuous part (0 for :math:`|z|^2 \ge r^2`).

    Notes
    -----
    :math:`s(u)` is found by bisection in :math:`\log s` inside the bracket
    :math:`u \le s \le u\,\sigma_{\max}^2/(r^2 - u)` (from :math:`\sigma_k^2/(s+\sigma_k^2) \le 1` and
    :math:`\ge \sigma_k^2/(s + \sigma_{\max}^2)`), then refined by two Newton steps.
    """
    w, v = _merge_types(weights, variances)
    u = np.asarray(u, dtype=float)
    r2 = float(np.dot(w, v))
    F = np.ones(u.shape)
    rho = np.zeros(u.shape)
    if r2 == 0.0:
        return F, rho
    pos = v > 0
    inside = u < r2
    zero = inside & (u == 0.0)
    F[zero] = w[~pos].sum()
    rho[zero] = np.sum(w[pos] / v[pos]) / np.sum(w[pos]) / np.pi
    mid = inside & (u > 0.0)
    if np.any(mid):
        uu = u[mid][:, None]
        lo = np.log(uu[:, 0])
        hi = np.log(uu[:, 0] * v.max() / (r2 - uu[:, 0]))
        for _ in range(200):
            c = 0.5 * (lo + hi)
            if np.all(hi - lo <= 1e-15 * np.maximum(1.0, np.abs(c))):
                break
            s = np.exp(c)[:, None]
            val = s[:, 0] * np.sum(w * v / (s + v), axis=1) - uu[:, 0]
            lo = np.where(val < 0, c, lo)
            hi = np.where(val < 0, hi, c)
        s = np.exp(0.5 * (lo + hi))[:, None]
        # the derivative terms only over types with v > 0: for v = 0 they vanish, and at tiny s
        # (s + 0)**2 underflows to 0, making w v^2 / (s + v)^2 the NaN 0/0
        wp, vp = w[pos], v[pos]
        for _ in range(2):
            val = s[:, 0] * np.sum(wp * vp / (s + vp), axis=1) - uu[:, 0]
            der = np.sum(wp * vp ** 2 / (s + vp) ** 2, axis=1)
            s = np.maximum(s - (val / der)[:, None], 0.5 * s)
        F[mid] = np.sum(w * s / (s + v), axis=1)
        rho[mid] = (np.sum(wp * vp / (s + vp) ** 2, axis=1)
                    / np.sum(wp * vp ** 2 / (s + vp) ** 2, axis=1) / np.pi)
    return F, rho


def _column_types_singular_density(x, weights, variances):
    r"""Density of the singular values of ``X = Z D / sqrt(n)`` (``D`` diagonal column scales).

    The squared singular values have the Stieltjes transform :math:`m(\lambda)` solving
    (Marchenko-Pastur / Silverstein equation at aspect ratio 1)

    .. math:: m = \Big(-\lambda + \sum_k \frac{w_k \sigma_k^2}{1 + \sigma_k^2 m}\Big)^{-1},

    a polynomial of degree ``K+1`` in ``m``; the root with positive imaginary part gives
    :math:`p_{\lambda}(\lambda) = \mathrm{Im}\, m/\pi`, and :math:`p(x) = 2x\,p_\lambda(x^2)`.
    At :math:`x = 0` the limit :math:`p(0) = (2/\pi)\sqrt{\sum_k w_k/\sigma_k^2}` is used.
    All variances must be positive.
    """
    w, v = _merge_types(weights, variances)
    x = np.asarray(x, dtype=float)
    out = np.zeros(x.shape)
    P = np.polynomial.Polynomial
    prod = P([1.0])
    for vk in v:
        prod = prod * P([1.0, vk])
    partial = P([0.0])
    for k, vk in enumerate(v):
        term = P([w[k] * vk])
        for j, vj in enumerate(v):
            if j != k:
                term = term * P([1.0, vj])
        partial = partial + term
    mpoly = P([0.0, 1.0])
    edge = 4.0 * v.max()  # squared singular values stay below (2 sigma_max)^2
    flat = x.ravel()
    res = out.ravel()
    for i, xi in enumerate(flat):
        lam = xi * xi
        if xi == 0.0:
            res[i] = 2.0 / np.pi * np.sqrt(np.sum(w / v))
            continue
        if lam >= edge:
            continue
        poly = mpoly * (P([-lam]) * prod + partial) - prod
        roots = poly.roots()
        im = roots.imag.max()
        scale = max(1.0, float(np.abs(roots).max()))
        if im > 1e-9 * scale:
            res[i] = 2.0 * xi * im / np.pi
    return res.reshape(x.shape)
