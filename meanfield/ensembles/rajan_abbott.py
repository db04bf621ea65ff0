r"""Excitatory-inhibitory couplings obeying Dale's law (Rajan & Abbott 2006)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse

from .. import _checks
from ..errors import ParameterError
from ._base import Ensemble, _column_types_radial, _column_types_singular_density

__all__ = ["RajanAbbott"]

_FORMS = ("parametric", "closed")
#: Effective variances below this fraction of r^2 are treated as 0 by the radial law (a column
#: type that narrow is a point mass at 0 at double precision).
_FLUSH = 1e-150
#: Largest ratio of the two effective variances for the closed form and the singular values
#: (their polynomial / square-root forms lose all digits beyond it).
_MAX_RATIO = 1e50
#: Smallest r^2 for a density (below it the density 1/(pi r^2) overflows).
_MIN_R2 = 1e-290
#: Below this sparsity the geometric gaps between connections may overflow int64: positions are
#: drawn as a binomial count of uniformly chosen distinct positions instead.
_TINY_P = 1e-12


def _flag(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterError(f"`{name}` must be True or False; got {name}={value!r}")
    return bool(value)


@dataclass(frozen=True)
class RajanAbbott(Ensemble):
    r"""Column-structured E/I couplings with Dale's law (Rajan & Abbott 2006).

    Column :math:`j` (presynaptic unit) is excitatory for the first
    :math:`n_E = \lfloor f n + 1/2 \rceil` columns and inhibitory for the rest.  Entries are

    .. math:: W_{ij} = c_{ij}\,\frac{\mu_j + \sigma_j z_{ij}}{\sqrt n}, \qquad
              z_{ij} \sim \mathcal N(0, 1),\quad c_{ij} \sim \mathrm{Bernoulli}(p),

    with :math:`(\mu_j, \sigma_j) = (\mu_E, \sigma_E)` or :math:`(\mu_I, \sigma_I)`
    (:math:`c_{ij} = 1` when ``sparsity`` :math:`p = 1`).  Dale's law holds for the *means*
    (:math:`\mu_E \ge 0 \ge \mu_I`); single Gaussian entries can have either sign.

    Parameters
    ----------
    f : float
        Fraction of excitatory columns, :math:`0 < f < 1`.
    mu_e : float
        Excitatory mean :math:`\mu_E \ge 0` (entries have mean :math:`\mu_E/\sqrt n`).
    sigma_e, sigma_i : float
        Standard deviations :math:`\sigma_E, \sigma_I \ge 0` (entry variance :math:`\sigma^2/n`).
    balanced : bool
        If True (default), :math:`\mu_I = -f\mu_E/(1-f)`, so that
        :math:`f\mu_E + (1-f)\mu_I = 0`.  At finite ``n`` the inhibitory mean used by
        :meth:`sample` is :math:`-n_E\mu_E/(n - n_E)`, so that the sampled mean vector sums to
        zero exactly (:meth:`column_means`).
    zero_row_sum : bool
        If True (default), the random part of every row sums to zero (below).
    sparsity : float
        Connection probability :math:`p \in (0, 1]` (default 1, dense).
    mu_i : float or None
        Inhibitory mean :math:`\mu_I \le 0`.  Required when ``balanced=False``; when
        ``balanced=True`` it may be given only if it equals :math:`-f\mu_E/(1-f)`.
        After construction ``mu_i`` holds the resolved value.

    Notes
    -----
    **Mean and zero row sums.**  The mean is rank one, :math:`p M` with
    :math:`M = \mathbf 1\mu^T/\sqrt n` (:meth:`mean_matrix`).  Balanced,
    :math:`\mu^T\mathbf 1 = 0` and :math:`M^2 = 0` (nilpotent).  Dense with ``zero_row_sum``,
    :math:`W = M + XP` with :math:`X_{ij} = \sigma_j z_{ij}/\sqrt n` and
    :math:`P = I - \mathbf 1\mathbf 1^T/n` (each row of :math:`X` has its mean removed).
    Sparse with ``zero_row_sum``, the constraint acts over existing connections only: the
    nonzero entries of row :math:`i` are shifted by a common amount so that the row sums to
    :math:`p\mu^T\mathbf 1/\sqrt n` (0 when balanced), keeping the sparsity pattern (an empty
    row, probability :math:`(1-p)^n`, stays empty).  In both cases :math:`R = W - pM`
    satisfies :math:`R\mathbf 1 = 0`, hence :math:`W\mathbf 1 = pM\mathbf 1` exactly and, when
    balanced, :math:`W^k = R^k + pM R^{k-1}` (``derivations/balanced_mean.py``).

    **Spectrum.**  Sparse entries have variance
    :math:`\sigma_{k,\mathrm{eff}}^2/n` with
    :math:`\sigma_{k,\mathrm{eff}}^2 = p\sigma_k^2 + p(1-p)\mu_k^2` (the means turn into
    variance); dense, :math:`\sigma_{k,\mathrm{eff}} = \sigma_k`.  The bulk has radius
    :math:`r^2 = f\sigma_{E,\mathrm{eff}}^2 + (1-f)\sigma_{I,\mathrm{eff}}^2` and the radially
    symmetric density (Rajan & Abbott 2006)

    .. math:: \rho(z) = \frac{1}{\pi\sigma_I^2}\Big[1 - \frac{\gamma}{2}
              H_f\big(\gamma|z|^2/\sigma_I^2\big)\Big],\qquad
              \gamma = 1 - \frac{\sigma_I^2}{\sigma_E^2},\qquad
              H_f(x) = \frac{2f - 1 + x}{\sqrt{1 + x(4f - 2 + x)}} + 1

    for :math:`|z| < r` (effective variances).  Equivalent parametric form, valid for any
    number of column types with weights :math:`w_k` and variances :math:`\sigma_k^2` (derived
    in this project from the hermitization equations of :class:`BlockVariance`): for
    :math:`s \in (0, \infty)`,

    .. math:: |z|^2 = s\sum_k \frac{w_k\sigma_k^2}{s + \sigma_k^2},\qquad
              F = \sum_k \frac{w_k s}{s + \sigma_k^2},\qquad
              \rho = \frac{1}{\pi}\frac{dF}{d|z|^2},

    with :math:`F` the fraction of eigenvalues inside :math:`|z|`; :math:`s(|z|^2)` is found by
    bisection in :math:`\log s`.  The two forms are compared in
    ``derivations/rajan_abbott_density.py``.

    References
    ----------
    K. Rajan, L. F. Abbott, *Eigenvalue spectra of random matrices for neural networks*,
    Phys. Rev. Lett. 97, 188104 (2006), doi:10.1103/PhysRevLett.97.188104.

    Examples
    --------
    >>> ens = RajanAbbott(f=0.8, mu_e=1.0, sigma_e=0.5, sigma_i=1.0)
    >>> round(ens.mu_i, 12)
    -4.0
    >>> W = ens.sample(100, seed=0)
    >>> bool(np.allclose(W.sum(axis=1), 0.0))
    True
    """

    f: float
    mu_e: float
    sigma_e: float
    sigma_i: float
    balanced: bool = True
    zero_row_sum: bool = True
    sparsity: float = 1.0
    mu_i: float | None = None

    def __post_init__(self):
        f = _checks.real("f", self.f, low=0.0, high=1.0, low_open=True, high_open=True)
        mu_e = _checks.real("mu_e", self.mu_e, low=0.0,
                            allowed="non-negative and finite (Dale's law: excitatory mean >= 0)")
        sigma_e = _checks.nonnegative("sigma_e", self.sigma_e)
        sigma_i = _checks.nonnegative("sigma_i", self.sigma_i)
        balanced = _flag("balanced", self.balanced)
        zero_row_sum = _flag("zero_row_sum", self.zero_row_sum)
        p = _checks.real("sparsity", self.sparsity, low=0.0, high=1.0, low_open=True,
                         allowed="in (0, 1]")
        if self.mu_i is None:
            if not balanced:
                raise ParameterError("`mu_i` is required when balanced=False; got mu_i=None")
            mu_i = -f * mu_e / (1.0 - f)
        else:
            mu_i = _checks.real("mu_i", self.mu_i, high=0.0,
                                allowed="non-positive and finite (Dale's law: inhibitory mean <= 0)")
            if balanced:
                want = -f * mu_e / (1.0 - f)
                if abs(mu_i - want) > 1e-12 * max(1.0, abs(want)):
                    raise ParameterError(
                        f"`mu_i` contradicts balance: balanced=True needs mu_i = -f mu_e/(1-f) = "
                        f"{want!r}; got mu_i={self.mu_i!r} (pass balanced=False for an "
                        f"unbalanced network)")
                mu_i = want
        for name, val in (("f", f), ("mu_e", mu_e), ("sigma_e", sigma_e), ("sigma_i", sigma_i),
                          ("balanced", balanced), ("zero_row_sum", zero_row_sum),
                          ("sparsity", p), ("mu_i", mu_i)):
            object.__setattr__(self, name, val)

    # ------------------------------------------------------------------ finite-n structure
    def n_excitatory(self, n: int) -> int:
        r"""Number of excitatory columns at size ``n``: :math:`\lfloor fn + 1/2\rfloor`.

        Examples
        --------
        >>> RajanAbbott(f=0.8, mu_e=1.0, sigma_e=0.5, sigma_i=1.0).n_excitatory(10)
        8
        """
        n = _checks.integer("n", n, low=1)
        return int(np.floor(self.f * n + 0.5))

    def _counts(self, n):
        n_e = self.n_excitatory(n)
        if self.balanced and not 1 <= n_e <= n - 1:
            raise ParameterError(
                f"`n` is too small for f={self.f!r}: a balanced network needs both column types, "
                f"1 <= round(f n) <= n - 1; got n={n}")
        return n_e, n - n_e

    def column_means(self, n: int) -> np.ndarray:
        r"""Column means :math:`\mu_j` (before the :math:`1/\sqrt n` and the factor :math:`p`).

        Balanced, the inhibitory entries are :math:`-n_E\mu_E/(n - n_E)` so that
        :math:`\sum_j \mu_j = 0` exactly at this ``n`` (this tends to :attr:`mu_i`).

        Examples
        --------
        >>> RajanAbbott(f=0.75, mu_e=1.0, sigma_e=0.5, sigma_i=1.0).column_means(4)
        array([ 1.,  1.,  1., -3.])
        """
        n = _checks.integer("n", n, low=1)
        _checks.memory("n", 8 * n, f"{n} column means")
        n_e, n_i = self._counts(n)
        mu_i = -n_e * self.mu_e / n_i if self.balanced else self.mu_i
        return np.concatenate([np.full(n_e, self.mu_e), np.full(n_i, mu_i)])

    def column_sigmas(self, n: int) -> np.ndarray:
        r"""Column standard deviations :math:`\sigma_j` (before :math:`1/\sqrt n`).

        Examples
        --------
        >>> RajanAbbott(f=0.5, mu_e=1.0, sigma_e=0.5, sigma_i=1.0).column_sigmas(4)
        array([0.5, 0.5, 1. , 1. ])
        """
        n = _checks.integer("n", n, low=1)
        _checks.memory("n", 8 * n, f"{n} column standard deviations")
        n_e, n_i = self._counts(n)
        return np.concatenate([np.full(n_e, self.sigma_e), np.full(n_i, self.sigma_i)])

    def mean_matrix(self, n: int) -> np.ndarray:
        r"""The mean :math:`pM = p\,\mathbf 1\mu^T/\sqrt n` (dense ``(n, n)`` array).

        Exact expectation of :meth:`sample` for dense matrices (with or without zero row sums)
        and sparse ones without; sparse with zero row sums, the expectation to :math:`O(1/n)`.

        Examples
        --------
        >>> RajanAbbott(f=0.5, mu_e=2.0, sigma_e=1.0, sigma_i=1.0).mean_matrix(4)[0]
        array([ 1.,  1., -1., -1.])
        """
        n = _checks.integer("n", n, low=1)
        _checks.memory("n", 8 * n * n, f"a ({n}, {n}) float64 matrix")
        mu = self.column_means(n)
        return np.broadcast_to(self.sparsity * mu / np.sqrt(n), (mu.size, mu.size)).copy()

    # ------------------------------------------------------------------ summary numbers
    @property
    def effective_sigma_e(self) -> float:
        r""":math:`\sigma_{E,\mathrm{eff}} = \sqrt{p\sigma_E^2 + p(1-p)\mu_E^2}`.

        Examples
        --------
        >>> RajanAbbott(f=0.5, mu_e=2.0, sigma_e=0.0, sigma_i=1.0, sparsity=0.5).effective_sigma_e
        1.0
        """
        p = self.sparsity
        return float(np.sqrt(p * self.sigma_e ** 2 + p * (1 - p) * self.mu_e ** 2))

    @property
    def effective_sigma_i(self) -> float:
        r""":math:`\sigma_{I,\mathrm{eff}} = \sqrt{p\sigma_I^2 + p(1-p)\mu_I^2}`.

        Examples
        --------
        >>> RajanAbbott(f=0.5, mu_e=2.0, sigma_e=1.0, sigma_i=0.0, sparsity=0.5).effective_sigma_i
        1.0
        """
        p = self.sparsity
        return float(np.sqrt(p * self.sigma_i ** 2 + p * (1 - p) * self.mu_i ** 2))

    @property
    def coupling_variance(self) -> float:
        r""":math:`n\,\mathrm{Var}(W_{ij})` averaged over columns:
        :math:`f\sigma_{E,\mathrm{eff}}^2 + (1-f)\sigma_{I,\mathrm{eff}}^2 = r^2`.

        Examples
        --------
        >>> RajanAbbott(f=0.5, mu_e=1.0, sigma_e=1.0, sigma_i=3.0).coupling_variance
        5.0
        """
        return self.f * self.effective_sigma_e ** 2 + (1 - self.f) * self.effective_sigma_i ** 2

    @property
    def spectral_radius(self) -> float:
        r"""Bulk radius :math:`r = \sqrt{f\sigma_{E,\mathrm{eff}}^2 + (1-f)\sigma_{I,\mathrm{eff}}^2}`.

        Examples
        --------
        >>> RajanAbbott(f=0.5, mu_e=1.0, sigma_e=1.0, sigma_i=7.0).spectral_radius
        5.0
        """
        return float(np.sqrt(self.coupling_variance))

    @property
    def mean_square_weight(self) -> float:
        r"""Mean square of the mean's columns, :math:`p^2\langle\mu^2\rangle`,
        :math:`\langle\mu^2\rangle = f\mu_E^2 + (1-f)\mu_I^2` (:math:`p = 1` dense).

        The mean matrix :math:`pM` has :math:`\|pM\|_F^2/n = p^2\langle\mu^2\rangle`.

        Examples
        --------
        >>> RajanAbbott(f=0.5, mu_e=2.0, sigma_e=1.0, sigma_i=1.0).mean_square_weight
        4.0
        """
        return self.sparsity ** 2 * (self.f * self.mu_e ** 2 + (1 - self.f) * self.mu_i ** 2)

    # ------------------------------------------------------------------ sampling
    def sample(self, n: int, seed=None, dtype=np.float64, sparse: bool = False):
        r"""Draw one matrix :math:`W` (see the class Notes for the construction).

        Parameters
        ----------
        n : int
            Number of units; balanced networks need :math:`1 \le n_E \le n-1`.
        seed : None, int or numpy.random.Generator
            Source of randomness; the same seed gives the same matrix.
        dtype : numpy float dtype
            ``np.float64`` (default) or ``np.float32``.
        sparse : bool
            Return a ``scipy.sparse.csr_matrix`` (same numbers as the dense result for the same
            seed).  Connections are Bernoulli(:math:`p`) per entry.

        Returns
        -------
        ndarray (n, n) or scipy.sparse.csr_matrix

        Examples
        --------
        >>> W = RajanAbbott(f=0.8, mu_e=1.0, sigma_e=0.5, sigma_i=1.0, sparsity=0.2).sample(
        ...     50, seed=0, sparse=True)
        >>> W.shape, bool(np.allclose(W.sum(axis=1), 0.0))
        ((50, 50), True)
        """
        n, gen, dt = self._sample_iv(n, seed, dtype)
        sparse = _flag("sparse", sparse)
        mu = self.column_means(n)
        sig = self.column_sigmas(n)
        scale = 1.0 / np.sqrt(n)
        if self.sparsity == 1.0:
            W = gen.standard_normal((n, n), dtype=dt)
            W *= (sig * scale).astype(dt)
            if self.zero_row_sum:
                W -= W.mean(axis=1, keepdims=True, dtype=np.float64).astype(dt)
            W += (mu * scale).astype(dt)
            return scipy.sparse.csr_matrix(W) if sparse else W
        rows, cols = _bernoulli_positions(n, self.sparsity, gen)
        vals = mu[cols] + sig[cols] * gen.standard_normal(cols.size)
        counts = np.bincount(rows, minlength=n)
        if self.zero_row_sum:
            target = 0.0 if self.balanced else self.sparsity * mu.sum()
            sums = np.bincount(rows, weights=vals, minlength=n)
            shift = np.zeros(n)
            has = counts > 0
            shift[has] = (sums[has] - target) / counts[has]
            vals -= shift[rows]
        vals = (vals * scale).astype(dt)
        if sparse:
            indptr = np.concatenate([[0], np.cumsum(counts)])
            return scipy.sparse.csr_matrix((vals, cols, indptr), shape=(n, n))
        W = np.zeros((n, n), dtype=dt)
        W[rows, cols] = vals
        return W

    # ------------------------------------------------------------------ spectral theory
    def _scaled_variances(self):
        """Effective variances divided by r^2 (so that f v_E + (1-f) v_I = 1), and r^2."""
        r2 = self.coupling_variance
        se2, si2 = self.effective_sigma_e ** 2 / r2, self.effective_sigma_i ** 2 / r2
        return se2, si2, r2

    def _radial(self, r, form):
        """(F, rho) at radii r, computed in units of the bulk radius (no over/underflow)."""
        form = _checks.choice("form", form, _FORMS)
        se2, si2, r2 = self._scaled_variances()
        with np.errstate(over="ignore"):
            x = np.minimum(r / np.sqrt(r2), 2.0)
        u = x * x                                  # |z|^2 / r^2; the support is u < 1
        if form == "parametric":
            w = np.array([self.f, 1 - self.f])
            v = np.array([0.0 if se2 < _FLUSH else se2, 0.0 if si2 < _FLUSH else si2])
            if np.any(v == 0.0):
                # one type is a point mass at 0: the other, of weight w_k and w_k v_k = 1 (in
                # units of r^2), fills the disk uniformly, F = w_0 + w_k u, rho = w_k/pi
                wk = float(w[v > 0].sum())
                inside = u < 1.0
                F = np.where(inside, (1.0 - wk) + wk * u, 1.0)
                return F, np.where(inside, wk / np.pi / r2, 0.0)
            F, rho = _column_types_radial(u, w, v)
            return F, rho / r2
        if se2 == 0.0 or si2 == 0.0:
            raise ParameterError(
                "`form`='closed' needs positive (effective) `sigma_e` and `sigma_i`; got "
                f"sigma_e={self.sigma_e!r}, sigma_i={self.sigma_i!r}, sparsity={self.sparsity!r}; "
                "use form='parametric'")
        self._ratio_iv("form='closed'")
        f = self.f
        gam = 1.0 - si2 / se2
        ui = np.minimum(u, 1.0)
        x = gam * ui / si2
        root = np.sqrt(1.0 + x * (4 * f - 2 + x))
        H = (2 * f - 1 + x) / root + 1.0
        rho = (1.0 - 0.5 * gam * H) / (np.pi * si2)
        F = ui / si2 - 0.5 * (x + root - 1.0)
        inside = u < 1.0
        return np.where(inside, F, 1.0), np.where(inside, rho / r2, 0.0)

    def _ratio_iv(self, what):
        se2, si2 = self.effective_sigma_e ** 2, self.effective_sigma_i ** 2
        ratio = se2 / si2
        if not 1.0 / _MAX_RATIO <= ratio <= _MAX_RATIO:
            raise ParameterError(
                f"{what} needs effective variances (`sigma_e`, `sigma_i`) within a ratio of "
                f"{_MAX_RATIO:g} of each other "
                f"(sigma_e_eff^2 / sigma_i_eff^2 in [1e-50, 1e50]); got {ratio:.3g} from "
                f"sigma_e={self.sigma_e!r}, sigma_i={self.sigma_i!r}, mu_e={self.mu_e!r}, "
                f"sparsity={self.sparsity!r}")

    def eigenvalue_density(self, z, form: str = "parametric"):
        r"""Limiting eigenvalue density of the bulk (0 for :math:`|z| \ge r`).

        Parameters
        ----------
        z : complex array_like
            Points of the complex plane (any shape).
        form : {"parametric", "closed"}
            The parametric form (any variances) or the closed form with :math:`H_f` of Rajan &
            Abbott (needs positive effective variances); they agree to rounding error.

        Returns
        -------
        ndarray of float, same shape as ``z``
            Density per unit area; it integrates to 1 minus the point mass at 0 carried by
            columns of zero effective variance.  Outliers (:meth:`outliers`) have zero weight.

        Raises
        ------
        ParameterError
            For bad ``z``, an unknown ``form``, ``form="closed"`` with a zero effective
            variance, or :math:`r = 0` (all eigenvalues at 0).

        Examples
        --------
        >>> ens = RajanAbbott(f=0.5, mu_e=1.0, sigma_e=1.0, sigma_i=1.0)
        >>> ens.eigenvalue_density([0.5, 2.0]) * np.pi
        array([1., 0.])
        """
        z = _checks.complex_array("z", z)
        self._need_bulk(density=True)
        with np.errstate(over="ignore"):
            r = np.abs(z)
        return self._radial(r, form)[1]

    def radial_cdf(self, r, form: str = "parametric"):
        r"""Fraction of eigenvalues with :math:`|z| \le r` as :math:`n \to \infty`.

        Closed form: :math:`F = u/\sigma_I^2 - \tfrac12\big[x + \sqrt{1 + x(4f-2+x)} - 1\big]`,
        :math:`u = r^2`, :math:`x = \gamma u/\sigma_I^2` (the integral of the density, since
        :math:`\int (2f-1+x)/\sqrt{1+x(4f-2+x)}\,dx = \sqrt{1+x(4f-2+x)}`); parametric:
        :math:`F = \sum_k w_k s/(s + \sigma_k^2)`.  Outliers carry zero weight.

        Parameters
        ----------
        r : array_like
            Radii :math:`\ge 0`.
        form : {"parametric", "closed"}

        Examples
        --------
        >>> ens = RajanAbbott(f=0.8, mu_e=1.0, sigma_e=0.5, sigma_i=1.0)
        >>> c = ens.radial_cdf([0.3, 0.6], form="closed")
        >>> bool(np.allclose(c, ens.radial_cdf([0.3, 0.6]))), float(ens.radial_cdf(1.0))
        (True, 1.0)
        """
        r = _checks.real_array("r", r, low=0.0)
        if self.coupling_variance == 0.0:
            _checks.choice("form", form, _FORMS)
            return np.ones_like(r)
        return self._radial(r, form)[0]

    def singular_value_density(self, s):
        r"""Limiting density of the bulk singular values of :math:`W`.

        The mean (rank one) and the projection :math:`P` are finite-rank changes, so the bulk
        is that of :math:`X = ZD/\sqrt n`, :math:`D = \mathrm{diag}(\sigma_{j,\mathrm{eff}})`:
        squared singular values with Stieltjes transform :math:`m` solving
        :math:`m^{-1} = -\lambda + f\sigma_E^2/(1+\sigma_E^2 m) + (1-f)\sigma_I^2/(1+\sigma_I^2 m)`
        (Marchenko-Pastur with column variances), :math:`p(s) = 2s\,\mathrm{Im}\,m(s^2)/\pi`.
        Equal variances give the quarter-circle law.  The mean adds one singular value
        :math:`\approx \sqrt{n\,p^2\langle\mu^2\rangle}` (zero weight).  Sparse matrices use the
        effective variances (Gaussian-equivalent bulk).

        Raises
        ------
        ParameterError
            For negative / non-finite ``s`` or a zero effective variance (point mass at 0).

        Examples
        --------
        >>> ens = RajanAbbott(f=0.5, mu_e=1.0, sigma_e=1.0, sigma_i=1.0)
        >>> (ens.singular_value_density([0.0, 2.5]) * np.pi).round(12)
        array([2., 0.])
        """
        s = _checks.real_array("s", s, low=0.0)
        se2, si2 = self.effective_sigma_e ** 2, self.effective_sigma_i ** 2
        if se2 == 0.0 or si2 == 0.0:
            raise ParameterError(
                "the singular-value density needs positive effective `sigma_e` and `sigma_i` "
                f"(otherwise a point mass at 0); got sigma_e={self.sigma_e!r}, "
                f"sigma_i={self.sigma_i!r}")
        self._ratio_iv("the singular-value density")
        self._need_bulk(density=True)
        se2, si2, r2 = self._scaled_variances()
        scale = np.sqrt(r2)
        edge = 2.0 * np.sqrt(max(se2, si2))       # support of s / r: [0, 2 max sigma / r]
        with np.errstate(over="ignore"):
            x = np.minimum(s / scale, 2.0 * edge)
        x = np.where(x < 1e-100, 0.0, x)          # p is continuous at 0; x^2 would underflow
        return _column_types_singular_density(x, [self.f, 1 - self.f], [se2, si2]) / scale

    def outliers(self, n: int | None = None) -> np.ndarray:
        r"""Eigenvalues outside the bulk.

        - ``zero_row_sum=True``: :math:`W\mathbf 1 = \lambda_1\mathbf 1` exactly, with
          :math:`\lambda_1 = p\sum_j\mu_j/\sqrt n` (:meth:`column_means` at this ``n``), and
          the rest of the spectrum is that of :math:`R = W - pM` (dense: :math:`XP`).
          Balanced, :math:`\lambda_1 = 0`: no outlier (empty array, ``n`` not needed).
          Unbalanced: ``[lambda_1]`` if :math:`|\lambda_1| > r`, which grows like
          :math:`\sqrt n\,p\,(f\mu_E + (1-f)\mu_I)`; exact at finite ``n`` (sparse: when no row is
          empty).
        - ``zero_row_sum=False``, unbalanced: the same :math:`\lambda_1`, now up to
          :math:`O(1/\sqrt n)` random corrections (:math:`z = \lambda_1 + \sum_k a_k/z^k`,
          :math:`a_k = p\mu^T X^k\mathbf 1/\sqrt n = O(1)`).
        - ``zero_row_sum=False``, balanced: not provided.  Outliers solve
          :math:`1 = \sum_{k\ge1} p\,\mu^T X^k\mathbf 1/(\sqrt n\,z^{k+1})`, whose coefficients
          stay random (variance :math:`\sim p^2\langle\mu^2\rangle r^{2k}`) as :math:`n \to \infty`:
          their number and positions are random and grow with :math:`\langle\mu^2\rangle`.

        Parameters
        ----------
        n : int, optional
            Number of units.  Unbalanced networks need it: the outlier is the finite-``n``
            value :math:`\lambda_1` (it grows like :math:`\sqrt n`; there is no
            :math:`n\to\infty` limit).  Balanced with zero row sums, it is validated and
            unused (no outlier at any ``n``).  Any ``n >= 1`` (nothing of size ``n`` is
            allocated).

        Raises
        ------
        ParameterError
            ``n`` missing or invalid where it is needed.
        NotImplementedError
            Balanced without zero row sums (see above).

        Examples
        --------
        >>> RajanAbbott(f=0.8, mu_e=1.0, sigma_e=0.5, sigma_i=1.0).outliers(100)
        array([], dtype=float64)
        >>> RajanAbbott(f=0.5, mu_e=1.0, sigma_e=1.0, sigma_i=1.0, balanced=False,
        ...             mu_i=-0.5).outliers(400)
        array([5.])
        """
        if n is not None:
            n = _checks.integer("n", n, low=1)
        if self.balanced:
            if self.zero_row_sum:
                return np.empty(0)
            raise NotImplementedError(
                "balanced RajanAbbott without zero row sums: eigenvalues leave the bulk at random "
                "positions (zeros of a random analytic function); no deterministic outliers. "
                "Use zero_row_sum=True for a spectrum without outliers.")
        if n is None:
            raise ParameterError("`n` is required for the outlier of an unbalanced network (it "
                                 "grows like sqrt(n)); got n=None")
        n_e, n_i = self._counts(n)
        # sum_j mu_j = n_E mu_E + n_I mu_I (balanced networks returned above), without
        # allocating the n column means: n may be any size here
        lam = self.sparsity * (n_e * self.mu_e + n_i * self.mu_i) / np.sqrt(n)
        if abs(lam) > self.spectral_radius:
            return np.array([lam])
        return np.empty(0)

    def _need_bulk(self, density=False):
        r2 = self.coupling_variance
        if r2 == 0.0:
            raise ParameterError("the bulk of sigma_e = sigma_i = 0 (dense) is a point mass at 0; "
                                 "`sigma_e` or `sigma_i` must be > 0 for a density")
        if density and r2 < _MIN_R2:
            raise ParameterError(
                f"the bulk radius squared r^2 = {r2:.3g} is below {_MIN_R2:g}: its density "
                f"(about 1/(pi r^2)) overflows float64; `sigma_e`, `sigma_i` or `sparsity` too "
                f"small: got sigma_e={self.sigma_e!r}, "
                f"sigma_i={self.sigma_i!r}, sparsity={self.sparsity!r}")


def _bernoulli_positions(n, p, gen):
    """Row-major positions of iid Bernoulli(p) successes in an n x n array (geometric gaps)."""
    total = n * n
    if p < _TINY_P:
        k = int(gen.binomial(total, p))
        pos = np.sort(gen.choice(total, size=k, replace=False)) if k else np.empty(0, np.int64)
        return pos // n, pos % n
    chunk = int(p * total + 6.0 * np.sqrt(p * total) + 16)
    parts = []
    last = -1
    while True:
        gaps = gen.geometric(p, size=chunk)
        pos = last + np.cumsum(gaps)
        parts.append(pos)
        last = int(pos[-1])
        if last >= total:
            break
        chunk = max(16, int(p * (total - last) + 6.0 * np.sqrt(p * (total - last)) + 16))
    pos = np.concatenate(parts)
    pos = pos[pos < total]
    return pos // n, pos % n
