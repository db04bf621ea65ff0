r"""The random-mode ensemble :math:`J = \sum_{a=1}^{P} D_a\, l_a r_a^T` (Clark et al.).

A coupling matrix built like a singular-value decomposition with random modes:
``P = round(alpha n)`` rank-one modes, left and right vectors :math:`l_a, r_a` with entries of
variance :math:`1/n`, and a prescribed mode spectrum :math:`D_a`.  The theory here is the
large-``n`` limit of its singular values (free multiplicative convolution of the mode
spectrum with Marchenko-Pastur laws) and, without left-right overlap, of its eigenvalues
(Haagerup-Larsen theorem for R-diagonal matrices), plus the effective rank of the modes and
of :math:`J` (exact at finite ``n`` for Gaussian modes).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import integrate, special

from .. import _checks
from ..errors import ConvergenceError, ParameterError
from ._base import Ensemble

__all__ = ["RandomMode"]

SPECTRA = ("flat", "exponential", "power")
#: ``n_modes_ratio`` range of the large-``n`` spectral laws: the discretised mode fraction is
#: measured accurate down to alpha = 0.01 (class Notes; below it the quadrature saturates at 400
#: panels and each call grows to seconds, 10-17 s at 1e-100); upwards the flat radial law is
#: checked at alpha = 400 (derivations/random_mode_rank.py, 1e-9), and near alpha = 1e3 the
#: subordination Newton iteration of the singular values stops converging (ConvergenceError).
THEORY_ALPHA = (1e-2, 1e3)
#: ``spectrum_exponent`` range of spectrum="exponential": Gamma(1/p) and the closed-form moments
#: stay finite (Gamma(100) ~ 1e156) and the quadrature of the mode fraction resolves the drop of
#: exp(-x^p) near x = 1 (moments to 1e-7 at p = 100, measured).
EXPONENTIAL_P = (1e-2, 1e2)
_LOG_MAX = math.log(np.finfo(float).max)


def _nearest_int(x: float) -> int:
    """Nearest integer, halves rounded up (not Python's round-half-to-even)."""
    return int(math.floor(x + 0.5))


@dataclass(frozen=True)
class RandomMode(Ensemble):
    r"""Random-mode couplings :math:`J = \sum_{a=1}^{P} D_a\, l_a r_a^T`, :math:`P \approx \alpha n` modes.

    Parameters
    ----------
    n_modes_ratio : float
        :math:`\alpha = P/n > 0`, the number of modes per unit (``P`` is the nearest integer to
        :math:`\alpha n`, halves rounded up).
    spectrum : str, callable or array_like
        The mode spectrum :math:`D_a`, as a function of the mode fraction
        :math:`x_a = a/P \in (0, 1]`, :math:`a = 1, \dots, P`:

        - ``"flat"`` (default): :math:`D_a = 1`;
        - ``"exponential"``: :math:`D_a = e^{-x_a^{p}}`, :math:`p` = ``spectrum_exponent`` > 0
          (default 1), the form of Clark et al.;
        - ``"power"``: :math:`D_a = x_a^{-p} \propto a^{-p}`, :math:`p` = ``spectrum_exponent``
          :math:`\ge 0` (required); the large-``n`` coupling variance is finite for
          :math:`p < 1/2`, and the effective rank is extensive (and the spectral theory is
          provided) for :math:`p < 1/4`;
        - a callable ``f``: :math:`D_a = f(x_a)`; it is called with a float64 array of mode
          fractions in :math:`(0, 1]` and must return real, finite values of the same shape
          (or a scalar, broadcast);
        - an array of explicit values :math:`(v_1, \dots, v_K)`: the step function
          :math:`D_a = v_{\lceil a K / P \rceil}`.  At :math:`P = K` this is exactly the given
          list (:meth:`n_modes` tells the ``n`` to use); for other ``P`` each value is repeated
          or subsampled in proportion, and as :math:`n \to \infty` the modes follow the
          empirical distribution of the values.
    spectrum_exponent : float, optional
        The exponent :math:`p` of ``"exponential"`` and ``"power"``; must be omitted for the
        other forms.
    overlap : float
        Left-right overlap :math:`\rho \in [-1, 1]`: with independent :math:`x_1, x_2, z`,
        :math:`l = \sqrt{1-|\rho|}\,x_1 + \sqrt{|\rho|}\,z`,
        :math:`r = \sqrt{1-|\rho|}\,x_2 + \mathrm{sign}(\rho)\sqrt{|\rho|}\,z`, so that
        :math:`E[l\cdot r] = \rho`.  One scalar, the same for every mode: since
        :math:`E|l_a|^2 = E|r_a|^2 = 1`, it is the correlation coefficient of the left and
        right vectors of each mode (bounded by 1), and :math:`\rho \ne 0` puts the mean
        :math:`\rho\,\alpha\langle D\rangle` on the diagonal.  This is *not* the ``overlap`` of
        :class:`LowRankPlusRandom`, an unnormalised :math:`(R, R)` matrix
        :math:`O_{ab} = E[n_a^T m_b]/N` between different structure vectors, whose
        eigenvalues are outliers.
    orthogonal : bool
        ``False`` (default): :math:`x_1, x_2, z` have iid :math:`\mathcal N(0, 1/n)` entries.
        ``True``: they are Haar-distributed orthonormal frames (entries of variance
        :math:`1/n`), so that :math:`L^T L = R^T R = I_P` exactly: for :math:`\rho \in \{0,
        \pm 1\}` this needs :math:`P \le n` (:math:`\alpha \le 1`); for :math:`0 < |\rho| < 1`,
        :math:`[x_1, z]` is one orthonormal frame and :math:`x_2` an independent frame in the
        complement of :math:`z`, which needs :math:`2P \le n` (:math:`\alpha \le 1/2`).
    scale : float
        A common factor :math:`c` of all :math:`D_a` (any finite real, default 1): the coupling
        variance scales as :math:`c^2`.

    Notes
    -----
    Large-:math:`n` theory (:math:`\langle\cdot\rangle` is the average over the mode fraction,
    :math:`\langle D^k\rangle = \int_0^1 D(x)^k\,dx`, or the mean over the explicit values):

    - coupling variance :math:`g^2 = n\,\mathrm{Var}(J_{ij}) = \alpha\langle D^2\rangle`
      (:math:`i \ne j`); mean :math:`E[J] = \rho\,\alpha\langle D\rangle\, I`;
    - effective rank of the spectrum
      :math:`\mathrm{PR}^D = (\sum_a D_a^2)^2/\sum_a D_a^4
      \to \alpha n\langle D^2\rangle^2/\langle D^4\rangle`;
    - squared singular values (eigenvalues of :math:`A = JJ^T`), Gaussian modes, :math:`\rho=0`:
      the nonzero eigenvalues of :math:`A` are those of :math:`D (R^T R) D (L^T L)`, a product
      of free elements (the law of :math:`D^2` and two Marchenko-Pastur laws of ratio
      :math:`\alpha`, S-transforms :math:`1/(1+\alpha v)`); rescaled to :math:`n\times n`,

      .. math:: S_A(u) = \frac{S_{D^2}(u/\alpha)}{(\alpha + u)(1 + u)} .

      Equivalently (see :meth:`singular_value_density`) the resolvent is
      :math:`G_A(z) = 1/(\zeta h(\zeta))` where :math:`h(\zeta) = 1 - \alpha + \alpha\zeta
      G_{D^2}(\zeta)` and the subordination point :math:`\zeta \in \mathbb C^+` solves
      :math:`\zeta h(\zeta)^2 = z`.  Orthogonal modes: :math:`S_A(u) = (1+u) S_{D^2}(u/\alpha)
      / (\alpha+u)` — the singular values are exactly the :math:`|D_a|` (and zeros);
    - eigenvalues, :math:`\rho = 0`: :math:`J` is bi-orthogonally invariant, hence R-diagonal
      as :math:`n \to \infty`, and by Haagerup and Larsen the fraction :math:`F(r)` of
      eigenvalues in :math:`|z| \le r` solves :math:`S_A(F - 1) = 1/r^2` between the radii
      :math:`(\int s^{-2})^{-1/2}` and :math:`(\int s^2)^{1/2} = g`, with the point mass
      :math:`\max(0, 1-\alpha)` of :math:`A` at 0 kept at the origin.  Parametrised by
      :math:`w < 0` with :math:`v = \psi_{D^2}(w) = \langle w D^2/(1 - w D^2)\rangle`:
      :math:`F = 1 + \alpha v` and

      .. math:: r^2 = \frac{\alpha v (1 + \alpha v)}{w} \ \text{(Gaussian)}, \qquad
                r^2 = \frac{\alpha v}{w (1 + \alpha v)} \ \text{(orthogonal)} .

      The inner radius is 0 for Gaussian modes (:math:`S_A` has a pole at :math:`u = -1`:
      :math:`\int s^{-2} = \infty`, also for :math:`\alpha > 1`) and for orthogonal modes with
      :math:`\alpha < 1`; orthogonal modes with :math:`\alpha = 1` give a single ring with
      inner radius :math:`\langle D^{-2}\rangle^{-1/2}`.  There are no outliers.
    - With overlap :math:`\rho \ne 0` the matrix is not R-diagonal (its mean alone is
      :math:`\rho\alpha\langle D\rangle I`); the eigenvalue and singular-value laws are not
      provided and those methods raise :class:`~meanfield.errors.ParameterError`.  The
      effective rank of :math:`J` is provided for Gaussian modes at any :math:`\rho`
      (:meth:`effective_rank_J`).

    Modes with :math:`D_a = 0` are absent: the theory uses
    :math:`\alpha_{\rm eff} = \alpha\,\Pr(D \ne 0)` and the law of :math:`D^2` given
    :math:`D \ne 0`.  Large-``n`` laws of continuous spectra (named or callable) are computed
    with the mode fraction discretised by composite Gauss-Legendre quadrature (geometric panels
    towards :math:`x = 0`, about 550 nodes, more for :math:`\alpha < 0.05`).  Against a 10 times
    finer rule the singular-value densities agree to :math:`4\times 10^{-5}` of their maximum for
    :math:`\alpha \ge 0.1` (``"exponential"`` with p = 0.5, 1, 3; ``"power"`` with p = 0.2,
    0.24) and to :math:`6\times 10^{-3}` at :math:`\alpha = 0.01`, where the Marchenko-Pastur
    factors barely smooth the law of :math:`D^2` (measured).

    References
    ----------
    D. G. Clark, O. Marschall, A. van Meegen, A. Litwin-Kumar, *Connectivity structure and
    dynamics of nonlinear recurrent neural networks*, arXiv:2409.01969.
    U. Haagerup, F. Larsen, *Brown's spectral distribution measure for R-diagonal elements in
    finite von Neumann algebras*, J. Funct. Anal. 176, 331 (2000),
    doi:10.1006/jfan.2000.3610.
    K. Zyczkowski, H.-J. Sommers, *Truncations of random unitary matrices*,
    J. Phys. A 33, 2045 (2000), doi:10.1088/0305-4470/33/10/307.

    Examples
    --------
    >>> ens = RandomMode(0.5, spectrum="exponential", spectrum_exponent=1.0)
    >>> J = ens.sample(200, seed=0)
    >>> J.shape, ens.n_modes(200)
    ((200, 200), 100)
    >>> round(ens.coupling_variance, 6)   # alpha <D^2> = (1 - e^-2)/4
    0.216166
    >>> round(ens.effective_rank(200), 2)          # PR^D of the 100 modes
    76.16
    >>> round(ens.effective_rank_J(200), 2)        # n / (n / PR^D + 2)
    43.23
    """

    n_modes_ratio: float
    spectrum: str | Callable | tuple = "flat"
    spectrum_exponent: float | None = None
    overlap: float = 0.0
    orthogonal: bool = False
    scale: float = 1.0

    # ------------------------------------------------------------------ validation
    def __post_init__(self):
        alpha = _checks.positive("n_modes_ratio", self.n_modes_ratio)
        object.__setattr__(self, "n_modes_ratio", alpha)
        object.__setattr__(self, "overlap", _checks.real("overlap", self.overlap, low=-1.0, high=1.0))
        scale = _checks.real("scale", self.scale)
        if 0.0 < abs(scale) < _checks.TINY:
            raise ParameterError(f"`scale` must be 0 or of magnitude in [{_checks.TINY:g}, {_checks.HUGE:g}] "
                                 f"(smaller values underflow when squared); got scale={self.scale!r}")
        object.__setattr__(self, "scale", scale)
        if not isinstance(self.orthogonal, (bool, np.bool_)):
            raise ParameterError(f"`orthogonal` must be True or False; got orthogonal={self.orthogonal!r}")
        object.__setattr__(self, "orthogonal", bool(self.orthogonal))
        spec, p = self.spectrum, self.spectrum_exponent
        if isinstance(spec, str):
            _checks.choice("spectrum", spec, SPECTRA)
            if spec == "flat" and p is not None:
                raise ParameterError("`spectrum_exponent` applies only to spectrum='exponential' or "
                                     f"'power'; got spectrum_exponent={p!r} with spectrum='flat'")
            if spec == "exponential":
                p = 1.0 if p is None else _checks.real(
                    "spectrum_exponent", p, low=EXPONENTIAL_P[0], high=EXPONENTIAL_P[1],
                    allowed=f"in [{EXPONENTIAL_P[0]:g}, {EXPONENTIAL_P[1]:g}] for spectrum='exponential' "
                            "(the moments Gamma(1/p) P(1/p, k) / (p k^(1/p)) overflow outside)")
            elif spec == "power":
                if p is None:
                    raise ParameterError("spectrum='power' needs `spectrum_exponent` p >= 0 "
                                         "(D_a = (a/P)^-p); got spectrum_exponent=None")
                p = _checks.nonnegative("spectrum_exponent", p)
            object.__setattr__(self, "spectrum_exponent", p)
        elif callable(spec):
            if p is not None:
                raise ParameterError("`spectrum_exponent` applies only to spectrum='exponential' or "
                                     f"'power'; got spectrum_exponent={p!r} with a callable spectrum")
            self._call_spectrum(np.array([0.25, 0.5, 1.0]))  # fail early on a broken callable
        else:
            if p is not None:
                raise ParameterError("`spectrum_exponent` applies only to spectrum='exponential' or "
                                     f"'power'; got spectrum_exponent={p!r} with explicit values")
            try:
                vals = _checks.real_array("spectrum", spec, ndim=1)
            except ParameterError as exc:
                raise ParameterError(
                    "`spectrum` must be one of 'flat', 'exponential', 'power', a callable of the mode "
                    f"fraction or a 1-d array of finite values; got spectrum={spec!r}") from exc
            if vals.size == 0:
                raise ParameterError("`spectrum` values must not be empty; got spectrum=[]")
            top = float(np.max(np.abs(vals)))
            if 0.0 < top < _checks.TINY:
                raise ParameterError(
                    f"the largest |value| of `spectrum` must be 0 or at least {_checks.TINY:g} (its "
                    f"square underflows); got max |spectrum| = {top!r}")
            object.__setattr__(self, "spectrum", tuple(float(v) for v in vals))
        if self.orthogonal:
            limit = 0.5 if 0.0 < abs(self.overlap) < 1.0 else 1.0
            if alpha > limit:
                raise ParameterError(
                    f"`n_modes_ratio` must be <= {limit} for orthogonal=True with overlap="
                    f"{self.overlap!r} (orthonormal frames need {'2P' if limit == 0.5 else 'P'} <= n); "
                    f"got n_modes_ratio={alpha!r}")

    def _call_spectrum(self, x):
        try:
            out = self.spectrum(x)
            out = np.broadcast_to(np.asarray(out), x.shape)
        except Exception as exc:
            raise ParameterError(
                "a callable `spectrum` must accept a float64 array of mode fractions in (0, 1] and "
                f"return an array of the same shape; calling it failed: {exc!r}") from exc
        if out.dtype == object or out.dtype.kind not in "biuf":
            raise ParameterError(f"a callable `spectrum` must return real numbers; got dtype {out.dtype}")
        out = out.astype(np.float64)
        if not np.all(np.isfinite(out)):
            bad = x[~np.isfinite(out)][0]
            raise ParameterError(
                f"a callable `spectrum` must return finite values on (0, 1]; got {out[~np.isfinite(out)][0]}"
                f" at x={bad!r}")
        return out

    # ------------------------------------------------------------------ the spectrum
    def _shape(self, x: np.ndarray) -> np.ndarray:
        """D(x) / scale at mode fractions x in (0, 1]."""
        spec, p = self.spectrum, self.spectrum_exponent
        if spec == "flat":
            return np.ones_like(x)
        if spec == "exponential":
            return np.exp(-(x ** p))
        if spec == "power":
            return x ** (-p)
        if callable(spec):
            return self._call_spectrum(x)
        vals = np.asarray(spec)
        k = vals.size
        idx = np.clip(np.ceil(x * k - 1e-9 * k).astype(int) - 1, 0, k - 1)
        return vals[idx]

    def n_modes(self, n: int) -> int:
        """Number of modes :math:`P` at ``n`` units: the nearest integer to :math:`\\alpha n`.

        ``n`` is an integer in :math:`[1, 2^{53}]` (exact in floating point).

        Examples
        --------
        >>> RandomMode(0.25).n_modes(10)   # 2.5 rounds up
        3
        """
        n = _checks.integer("n", n, low=1, high=2 ** 53)
        return _nearest_int(self.n_modes_ratio * n)

    def _unit_modes(self, n: int):
        """(u, log c): the modes at ``n`` as D_a = exp(log c) u_a with max |u_a| = 1 (sign in u).

        Computed without forming D, so that no sum of powers of D over- or underflows; all zero
        modes give (zeros, -inf).  Refuses (``n``) a mode array beyond the memory limit.
        """
        P = self.n_modes(n)
        _checks.memory("n", 4 * 8 * P, f"the P={P} mode values at n={n} (and three temporaries)")
        if P == 0:
            return np.empty(0), -math.inf
        x = np.arange(1, P + 1, dtype=np.float64) / P
        spec, p = self.spectrum, self.spectrum_exponent
        if spec == "power":  # x^-p / max = (x / x_1)^-p = a^-p, in log space
            vals, top = np.exp(-p * np.log(np.arange(1, P + 1, dtype=np.float64))), p * math.log(P)
        else:
            if isinstance(spec, tuple) and P == len(spec):
                vals = np.asarray(spec, dtype=np.float64)
            else:
                vals = self._shape(x)
            m = float(np.max(np.abs(vals)))
            if m == 0.0:
                return np.zeros(P), -math.inf
            vals, top = vals / m, math.log(m)
        if self.scale == 0.0:
            return np.zeros(P), -math.inf
        return math.copysign(1.0, self.scale) * vals, math.log(abs(self.scale)) + top

    def mode_spectrum(self, n: int) -> np.ndarray:
        r"""The mode spectrum :math:`D_1, \dots, D_P` used by :meth:`sample` at ``n`` units.

        Returns
        -------
        ndarray, shape (P,)
            :math:`D_a = c\, D(a/P)` (``scale`` times the spectrum at the mode fraction).

        Raises
        ------
        ParameterError
            For a bad ``n``, ``P`` beyond the memory limit, or a largest :math:`|D_a|` beyond the
            float range (``"power"`` with :math:`P^p c` above :math:`10^{308}`).

        Examples
        --------
        >>> RandomMode(0.5, spectrum="power", spectrum_exponent=1.0).mode_spectrum(8)
        array([4.        , 2.        , 1.33333333, 1.        ])
        """
        u, logc = self._unit_modes(n)
        if logc > _LOG_MAX:
            raise ParameterError(
                f"the largest mode value |D_1| = exp({logc:.6g}) exceeds the float range at n={n}: "
                f"reduce `scale` (scale={self.scale!r}) or `spectrum_exponent` "
                f"(spectrum_exponent={self.spectrum_exponent!r})")
        if logc == -math.inf:
            return u
        if self.spectrum == "power":
            return u * math.exp(logc)
        if isinstance(self.spectrum, tuple) and u.size == len(self.spectrum):
            return self.scale * np.asarray(self.spectrum)  # exactly the given values
        return self.scale * self._shape(np.arange(1, u.size + 1, dtype=np.float64) / u.size)

    def _log_scale(self) -> float:
        """log |c| with D = c u, u the spectrum with unit scale (explicit values: max |u| = 1)."""
        if self.scale == 0.0:
            return -math.inf
        out = math.log(abs(self.scale))
        if isinstance(self.spectrum, tuple):
            m = max(abs(v) for v in self.spectrum)
            out = out + math.log(m) if m > 0 else -math.inf
        return out

    def _unit_moment(self, k: int) -> float:
        """<u^k> of the spectrum with unit scale (explicit values divided by their largest |value|)."""
        spec, p = self.spectrum, self.spectrum_exponent
        if k == 0:
            return 1.0
        if spec == "flat":
            return 1.0
        if spec == "power":
            return 1.0 / (1.0 - k * p) if k * p < 1 else math.inf
        if spec == "exponential" and k > 0:
            a = 1.0 / p  # Gamma(a) P(a, k) / (p k^a), in logs (a <= 100)
            return math.exp(special.gammaln(a) + math.log(special.gammainc(a, k)) - math.log(p)
                            - a * math.log(k))
        if isinstance(spec, tuple):
            vals = np.asarray(spec)
            m = np.max(np.abs(vals))
            if m == 0.0:
                return 0.0 if k > 0 else math.inf
            if k < 0 and np.any(vals == 0):
                return math.inf
            with np.errstate(over="ignore"):
                out = float(np.mean((vals / m) ** k))
            if not math.isfinite(out):
                raise ParameterError(f"<D^{k}> of the explicit `spectrum` values overflows the float "
                                     "range (values spanning too many decades)")
            return out
        if spec == "exponential":  # k < 0: <e^{|k| x^p}> = e^{|k|} <e^{-|k| (1 - x^p)}>
            shift = -k
            f = lambda x: math.exp(k * (1.0 - x ** p))  # noqa: E731
        else:
            shift = 0.0
            f = lambda x: self._shape(np.array([x]))[0] ** k  # noqa: E731
        # adaptive quadrature, which extrapolates integrable endpoint singularities such as x^-0.8
        with np.errstate(divide="ignore", over="ignore"):
            val, err, *info = integrate.quad(f, 0.0, 1.0, points=[1e-6, 1e-3], limit=500,
                                             epsabs=0.0, epsrel=1e-11, full_output=1)
        if not np.isfinite(val):
            return math.inf
        if err > 1e-8 * abs(val):
            raise ConvergenceError(f"<D^{k}> of the callable spectrum: quadrature did not converge "
                                   f"(value {val!r}, error estimate {err!r}); the moment may be infinite")
        if shift:
            if shift + math.log(val) > _LOG_MAX:
                raise ParameterError(f"<D^{k}> = exp({shift + math.log(val):.6g}) of spectrum="
                                     f"'exponential' overflows the float range: use a smaller |`k`|")
            return math.exp(shift) * val
        return val

    def _rescaled(self, m: float, log_factor: float, what: str) -> float:
        """m * exp(log_factor) without overflow in between; ParameterError if it is beyond floats."""
        if m == 0.0 or log_factor == -math.inf:
            return 0.0 if math.isfinite(m) else math.inf
        if not math.isfinite(m):
            return math.copysign(math.inf, m)
        lg = math.log(abs(m)) + log_factor
        if lg > _LOG_MAX:
            raise ParameterError(
                f"{what} = exp({lg:.6g}) exceeds the float range: reduce `scale` (scale={self.scale!r})"
                f" or `n_modes_ratio` (n_modes_ratio={self.n_modes_ratio!r})")
        return math.copysign(math.exp(lg), m)

    def mode_moment(self, k: int) -> float:
        r"""Large-``n`` moment :math:`\langle D^k\rangle = \int_0^1 D(x)^k\,dx` of the mode spectrum.

        Parameters
        ----------
        k : int
            An integer, :math:`|k| \le 10^6` (negative ``k`` needs :math:`D \ne 0`).

        Returns
        -------
        float
            Closed forms for the named spectra (``"exponential"``:
            :math:`\int_0^1 e^{-k x^p}dx = \Gamma(1/p)\,P(1/p, k)/(p k^{1/p})` for :math:`k > 0`,
            evaluated in logarithms; ``"power"``: :math:`1/(1 - kp)`, ``inf`` for
            :math:`kp \ge 1`), the mean for explicit values, adaptive quadrature
            (``scipy.integrate.quad``, relative error below :math:`10^{-8}`) for callables, times
            ``scale**k`` (applied in logarithms: the result underflows to 0 gracefully).

        Raises
        ------
        ParameterError
            If the moment is finite but beyond the float range (e.g. ``k = 4`` with
            ``scale = 1e100``).
        ConvergenceError
            If the quadrature for a callable does not converge (e.g. an infinite moment).

        Examples
        --------
        >>> ens = RandomMode(1.0, spectrum="power", spectrum_exponent=0.2, scale=2.0)
        >>> ens.mode_moment(2)   # 2^2 / (1 - 2 * 0.2)
        6.666666666666667
        >>> ens.mode_moment(5)   # k p >= 1: infinite
        inf
        """
        k = _checks.integer("k", k, low=-10 ** 6, high=10 ** 6)
        if k == 0:
            return 1.0
        if k < 0 and (self.scale == 0.0 or (isinstance(self.spectrum, tuple) and 0.0 in self.spectrum)):
            raise ParameterError(f"negative moments need D != 0 for every mode: `k`={k} with "
                                 f"scale={self.scale!r} and spectrum={self.spectrum!r}")
        if self.scale == 0.0:
            return 0.0
        m = self._unit_moment(k)
        sign = -1.0 if (self.scale < 0 and k % 2) else 1.0
        return sign * self._rescaled(m, k * self._log_scale(), f"<D^{k}>")

    # ------------------------------------------------------------------ sampling
    def sample(self, n: int, seed=None, dtype=np.float64) -> np.ndarray:
        r"""Draw :math:`J = \sum_{a=1}^{P} D_a\, l_a r_a^T = L\,\mathrm{diag}(D)\,R^T`.

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
            All zeros if :math:`P = 0` (:math:`\alpha n < 1/2`).

        Raises
        ------
        ParameterError
            For a bad ``n``, seed or dtype, or ``orthogonal=True`` with more modes than the
            frames can hold at this ``n`` (``P > n``, or ``2P > n`` for :math:`0<|\rho|<1`).

        Notes
        -----
        Gaussian modes: :math:`x_1, x_2, z` have iid :math:`\mathcal N(0, 1/n)` entries (only
        those with nonzero weight are drawn).  Orthogonal modes: Haar frames from the QR
        decomposition of Gaussian matrices with the signs of :math:`\mathrm{diag}(R)` fixed.

        Examples
        --------
        >>> import numpy as np
        >>> ens = RandomMode(0.25)                  # P = 25 modes at n = 100
        >>> J = ens.sample(100, seed=0)
        >>> J.shape, int(np.linalg.matrix_rank(J)), np.array_equal(J, ens.sample(100, seed=0))
        ((100, 100), 25, True)
        >>> J = RandomMode(0.25, orthogonal=True).sample(100, seed=0)
        >>> s = np.linalg.svd(J, compute_uv=False)  # exactly the |D_a| = 1, then zeros
        >>> bool(np.allclose(s[:25], 1.0)), bool(np.allclose(s[25:], 0.0))
        (True, True)
        """
        n, gen, dt = self._sample_iv(n, seed, dtype)
        P = _nearest_int(self.n_modes_ratio * n)
        if P == 0:
            return np.zeros((n, n), dtype=dt)
        # peak: the (n, P) factors (five with a partial overlap, orthogonal frames: QR workspace
        # of the same order) and the (n, n) product
        copies = 5 if 0.0 < abs(self.overlap) < 1.0 else 3
        _checks.memory("n", copies * 8 * n * P + dt.itemsize * n * n,
                       f"sampling a ({n}, {n}) {dt.name} matrix of P={P} modes "
                       f"(n_modes_ratio={self.n_modes_ratio!r}: {copies} ({n}, {P}) float64 factors)")
        D = self.mode_spectrum(n)
        rho = self.overlap
        a, b = math.sqrt(1.0 - abs(rho)), math.sqrt(abs(rho))
        sgn = 1.0 if rho >= 0 else -1.0
        if self.orthogonal:
            mixed = 0.0 < abs(rho) < 1.0
            need = 2 * P if mixed else P
            if need > n:
                raise ParameterError(
                    f"orthogonal modes need {'2P' if mixed else 'P'} <= n; got n={n} with P={P} "
                    f"(n_modes_ratio={self.n_modes_ratio!r}): use a larger or even `n`")
            if rho == 0.0:
                L = _haar_frame(gen, n, P)
                R = _haar_frame(gen, n, P)
            elif abs(rho) == 1.0:
                L = _haar_frame(gen, n, P)
                R = sgn * L
            else:
                Q = _haar_frame(gen, n, 2 * P)
                X1, Z = Q[:, :P], Q[:, P:]
                G = gen.standard_normal((n, P))
                G -= Z @ (Z.T @ G)
                X2 = _haar_frame(gen, n, P, G)
                L = a * X1 + b * Z
                R = a * X2 + sgn * b * Z
            L, R = L.astype(dt, copy=False), R.astype(dt, copy=False)
        else:
            s = dt.type(1.0 / math.sqrt(n))
            if rho == 0.0:
                L = gen.standard_normal((n, P), dtype=dt) * s
                R = gen.standard_normal((n, P), dtype=dt) * s
            elif abs(rho) == 1.0:
                L = gen.standard_normal((n, P), dtype=dt) * s
                R = L * dt.type(sgn)
            else:
                X1 = gen.standard_normal((n, P), dtype=dt)
                X2 = gen.standard_normal((n, P), dtype=dt)
                Z = gen.standard_normal((n, P), dtype=dt)
                L = (dt.type(a) * X1 + dt.type(b) * Z) * s
                R = (dt.type(a) * X2 + dt.type(sgn * b) * Z) * s
        return (L * D.astype(dt)) @ R.T

    # ------------------------------------------------------------------ second moments, ranks
    @property
    def coupling_variance(self) -> float:
        r"""Coupling variance :math:`g^2 = n\,\mathrm{Var}(J_{i \ne j}) = \alpha\langle D^2\rangle`.

        The large-``n`` limit; at finite ``n`` the off-diagonal variance is exactly
        :math:`\sum_a D_a^2/n^2` for Gaussian modes.

        Raises
        ------
        ParameterError
            If :math:`\langle D^2\rangle` is infinite (``"power"`` with :math:`p \ge 1/2`).
        """
        if self.scale == 0.0:
            return 0.0
        m2 = self._unit_moment(2)
        if not np.isfinite(m2):
            raise ParameterError(
                "the coupling variance alpha <D^2> is infinite for spectrum='power' with "
                f"`spectrum_exponent` >= 1/2; got spectrum_exponent={self.spectrum_exponent!r}")
        return self._rescaled(self.n_modes_ratio * m2, 2.0 * self._log_scale(),
                              "the coupling variance alpha <D^2>")

    @property
    def diagonal_mean(self) -> float:
        r"""Mean self-coupling: :math:`E[J] = \rho\,\alpha\langle D\rangle\, I` (:math:`n \to \infty`)."""
        if self.overlap == 0.0 or self.scale == 0.0:
            return 0.0
        m1 = self._unit_moment(1)
        if not np.isfinite(m1):
            raise ParameterError(
                "the diagonal mean rho alpha <D> is infinite for spectrum='power' with "
                f"`spectrum_exponent` >= 1; got spectrum_exponent={self.spectrum_exponent!r}")
        sign = math.copysign(1.0, self.scale * self.overlap)
        return sign * self._rescaled(abs(self.overlap) * self.n_modes_ratio * m1, self._log_scale(),
                                     "the diagonal mean rho alpha <D>")

    def effective_rank(self, n: int) -> float:
        r"""Effective rank of the mode spectrum, :math:`\mathrm{PR}^D = (\sum_a D_a^2)^2/\sum_a D_a^4`.

        Computed from :meth:`mode_spectrum` at ``n``; as :math:`n \to \infty`,
        :math:`\mathrm{PR}^D/n \to` :attr:`effective_rank_ratio`.

        Raises
        ------
        ParameterError
            If all :math:`D_a` vanish at this ``n`` (no modes, or zero spectrum).

        Examples
        --------
        >>> RandomMode(0.5).effective_rank(200)    # flat: all P = 100 modes count
        100.0
        >>> ens = RandomMode(0.5, spectrum="exponential", spectrum_exponent=1.0)
        >>> round(ens.effective_rank(200), 2), round(ens.effective_rank_ratio * 200, 2)
        (76.16, 76.16)
        """
        D, logc = self._unit_modes(n)  # PR^D does not depend on the scale: max |D| = 1 here
        if logc == -math.inf:
            raise ParameterError(f"the effective rank is undefined: no nonzero mode at n={n} "
                                 f"(P={D.size}, `scale`={self.scale!r})")
        d2 = D * D
        return float(d2.sum()) ** 2 / float(np.dot(d2, d2))

    @property
    def effective_rank_ratio(self) -> float:
        r"""Large-``n`` limit :math:`\mathrm{PR}^D/n = \alpha\langle D^2\rangle^2/\langle D^4\rangle`.

        0 when :math:`\langle D^4\rangle = \infty` (``"power"`` with :math:`p \ge 1/4`: the
        effective rank grows slower than ``n``).
        """
        if self._log_scale() == -math.inf:
            raise ParameterError(
                f"the effective rank is undefined for a zero spectrum (`scale`={self.scale!r})")
        m2, m4 = self._unit_moment(2), self._unit_moment(4)  # the ratio does not depend on the scale
        if not np.isfinite(m4):
            return 0.0
        return self.n_modes_ratio * m2 * m2 / m4

    def effective_rank_J(self, n: int, *, finite_size: bool = False) -> float:
        r"""Effective rank of :math:`J`, :math:`R_{\rm eff} = (\mathrm{tr}\,JJ^T)^2/\mathrm{tr}(JJ^T)^2`.

        Parameters
        ----------
        n : int
            Number of units.
        finite_size : bool
            ``False`` (default): the large-``n`` formula, evaluated with the mode spectrum at
            ``n``.  ``True``: the ratio of the exact finite-``n`` expectations
            :math:`E[(\mathrm{tr}\,JJ^T)^2]/E[\mathrm{tr}(JJ^T)^2]` (Gaussian modes); the mean
            of the ratio over samples differs from it by :math:`O(1/n^2)` relative.

        Returns
        -------
        float

        Raises
        ------
        ParameterError
            For ``orthogonal=True`` with :math:`\rho \ne 0` (not derived), or if :math:`J = 0`.

        Notes
        -----
        Gaussian modes, with :math:`\mu_k = \frac1P\sum_a D_a^k` and :math:`\alpha = P/n`
        (Wick's theorem; ``derivations/random_mode_rank.py``):

        .. math::
            \frac{n}{R_{\rm eff}} \to \frac{\mu_4 + 2\alpha\mu_2^2
              + 4\alpha\rho^2\mu_1\mu_3 + (4\rho^2 + 2\rho^4)\alpha^2\mu_1^2\mu_2
              + \alpha^3\rho^4\mu_1^4}{\alpha(\mu_2 + \alpha\rho^2\mu_1^2)^2},

        which for :math:`\rho = 0` is :math:`n/R_{\rm eff} = n/\mathrm{PR}^D + 2`
        (iid limit :math:`R_{\rm eff} = n/2`, product of two Ginibre matrices :math:`n/3`).  At
        finite ``n`` and :math:`\rho = 0`, with :math:`S_k = \sum_a D_a^k`,

        .. math::
            E[\mathrm{tr}(JJ^T)^2] = S_4\Big(1 + \frac2n + \frac3{n^2}\Big)
                + S_2^2\Big(\frac2n + \frac1{n^2}\Big), \qquad
            E[(\mathrm{tr}\,JJ^T)^2] = S_2^2\Big(1 + \frac2{n^2}\Big) + S_4\Big(\frac4n + \frac2{n^2}\Big),

        so that, with :math:`x = n/\mathrm{PR}^D`,
        :math:`n/R_{\rm eff} = x + 2 + (1 + 2x)/n - (4x^2 + 7x + 4)/n^2 + O(n^{-3})`.
        Orthogonal modes, :math:`\rho = 0`: the squared singular values are exactly the
        :math:`D_a^2`, so :math:`R_{\rm eff} = \mathrm{PR}^D` for every sample.

        Examples
        --------
        >>> ens = RandomMode(0.5)                  # flat: PR^D = P = 100 at n = 200
        >>> ens.effective_rank_J(200)              # n / (n / PR^D + 2) = 200 / 4
        50.0
        >>> round(ens.effective_rank_J(200, finite_size=True), 4)
        49.7
        >>> RandomMode(0.5, orthogonal=True).effective_rank_J(200)   # = PR^D
        100.0
        """
        n = _checks.integer("n", n, low=1, high=2 ** 53)
        if not isinstance(finite_size, (bool, np.bool_)):
            raise ParameterError(f"`finite_size` must be True or False; got finite_size={finite_size!r}")
        D, logc = self._unit_modes(n)  # R_eff is homogeneous of degree 0 in D: the scale drops out
        if logc == -math.inf:
            raise ParameterError(f"R_eff is undefined for J = 0 (P={D.size} modes at n={n}, "
                                 f"`scale`={self.scale!r})")
        if self.orthogonal:
            if self.overlap != 0.0:
                raise ParameterError(
                    "effective_rank_J is derived for orthogonal modes only without overlap; got "
                    f"overlap={self.overlap!r} with orthogonal=True")
            return self.effective_rank(n)
        S = [float(np.sum(D ** k)) for k in (1, 2, 3, 4)]  # S_4 >= 1: max |D| = 1
        if finite_size:
            t11, t2 = _wick_trace_moments(S, float(n), self.overlap)
            return t11 / t2
        return n / _ratio_limit(S, float(n), self.overlap)

    # ------------------------------------------------------------------ spectral theory
    def _theory_iv(self, what: str, orthogonal_ok: bool = True):
        if self.overlap != 0.0:
            raise ParameterError(
                f"the {what} is derived only without left-right overlap (R-diagonal case): "
                f"`overlap` must be 0; got overlap={self.overlap!r}")
        if self.orthogonal and not orthogonal_ok:
            raise ParameterError(f"the {what} is not provided for `orthogonal`=True")
        if self.spectrum == "power" and self.spectrum_exponent >= 0.25:
            raise ParameterError(
                f"the {what} is provided for spectrum='power' with `spectrum_exponent` < 1/4 (finite "
                f"<D^4>); got spectrum_exponent={self.spectrum_exponent!r}")
        lo, hi = THEORY_ALPHA
        alpha = self.n_modes_ratio
        if not lo <= alpha <= hi:
            raise ParameterError(
                f"the {what} (large-n law, discretised mode fraction) is provided for `n_modes_ratio` "
                f"in [{lo:g}, {hi:g}], where its accuracy is measured; got n_modes_ratio={alpha!r}")
        c = math.exp(self._log_scale()) if self._log_scale() > -math.inf else 0.0
        if c == 0.0:
            raise ParameterError(f"the {what} of J = 0 is a point mass at 0; `scale` must be nonzero "
                                 "and the spectrum not identically zero")
        d, p, alpha_eff = _d2_law(_unit_ensemble(self))
        if d.size == 0:
            raise ParameterError(f"the {what} of J = 0 is a point mass at 0; `scale` must be nonzero "
                                 "and the spectrum not identically zero")
        if alpha_eff < lo:
            raise ParameterError(
                f"the {what} is provided for an effective `n_modes_ratio` (nonzero modes only) of at "
                f"least {lo:g}; got n_modes_ratio={alpha!r} with alpha_eff={alpha_eff:.6g}")
        return d, p, alpha_eff, c

    @property
    def spectral_radius(self) -> float:
        r"""Outer radius of the eigenvalues, :math:`g = \sqrt{\alpha\langle D^2\rangle}` (:math:`\rho = 0`).

        Haagerup-Larsen: :math:`(\int s^2\,d\mu_s)^{1/2}` with :math:`\mu_s` the singular-value
        law; the same for Gaussian and orthogonal modes.

        Raises
        ------
        ParameterError
            For :math:`\rho \ne 0` (not derived) or an infinite coupling variance.
        """
        if self.overlap != 0.0:
            raise ParameterError("the spectral radius is derived only without left-right overlap: "
                                 f"`overlap` must be 0; got overlap={self.overlap!r}")
        if self.scale == 0.0:
            return 0.0
        m2 = self._unit_moment(2)
        if not np.isfinite(m2):
            raise ParameterError(
                "the spectral radius sqrt(alpha <D^2>) is infinite for spectrum='power' with "
                f"`spectrum_exponent` >= 1/2; got spectrum_exponent={self.spectrum_exponent!r}")
        return self._rescaled(math.sqrt(self.n_modes_ratio * m2), self._log_scale(),
                              "the spectral radius sqrt(alpha <D^2>)")

    @property
    def inner_radius(self) -> float:
        r"""Inner radius of the eigenvalue support, :math:`(\int s^{-2}\,d\mu_s)^{-1/2}` (:math:`\rho = 0`).

        0 except for orthogonal modes with :math:`\alpha_{\rm eff} = 1`, where :math:`JJ^T`
        has eigenvalues :math:`D_a^2` and the eigenvalues of :math:`J` form a single ring with
        inner radius :math:`\langle D^{-2}\rangle^{-1/2}`.
        """
        d, p, alpha_eff, c = self._theory_iv("inner radius")
        if self.orthogonal and alpha_eff == 1.0:
            return float(c / math.sqrt(np.dot(p, 1.0 / d)))
        return 0.0

    def outliers(self, n: int | None = None) -> np.ndarray:
        r"""Eigenvalues outside the bulk: none for :math:`\rho = 0` (an empty array).

        Each mode contributes :math:`D_a\, l_a\cdot r_a = O(D_a/\sqrt n)`, which vanishes for the
        spectra with finite :math:`\langle D^2\rangle`.

        Parameters
        ----------
        n : int, optional
            Number of units, validated (``n >= 1``) and otherwise unused: there is no outlier at
            any ``n`` for :math:`\rho = 0` (no finite-``n`` correction to provide).

        Examples
        --------
        >>> RandomMode(0.5).outliers(100)
        array([], dtype=float64)

        Raises
        ------
        ParameterError
            For :math:`\rho \ne 0`: modes with large :math:`|\rho D_a|` then produce eigenvalues
            near :math:`\rho D_a`, whose theory is not provided.
        """
        if n is not None:
            _checks.integer("n", n, low=1)
        if self.overlap != 0.0:
            raise ParameterError("outliers are derived only without left-right overlap: `overlap` "
                                 f"must be 0; got overlap={self.overlap!r}")
        return np.empty(0)

    def radial_cdf(self, r):
        r"""Fraction of eigenvalues with :math:`|z| \le r` as :math:`n \to \infty` (:math:`\rho = 0`).

        Parameters
        ----------
        r : array_like
            Radii :math:`r \ge 0` (any shape).

        Returns
        -------
        ndarray, same shape as ``r``
            :math:`F(r)`, including the point mass :math:`\max(0, 1 - \alpha_{\rm eff})` at the
            origin (:math:`F(0)`), 1 for :math:`r \ge g`.

        Raises
        ------
        ParameterError
            For negative or non-finite ``r``, :math:`\rho \ne 0`, or :math:`J = 0`.

        Notes
        -----
        Haagerup-Larsen, parametric in :math:`w < 0` (see the class Notes), inverted by
        bisection in :math:`\log(-w)` to machine precision.

        Examples
        --------
        >>> import numpy as np
        >>> ens = RandomMode(0.5)                  # half the eigenvalues sit at 0
        >>> np.round(ens.radial_cdf([0.0, 0.5, ens.spectral_radius]), 6)
        array([0.5     , 0.809017, 1.      ])
        >>> np.round(RandomMode(0.5, orthogonal=True).radial_cdf([0.5]), 6)
        array([0.666667])
        """
        r = _checks.real_array("r", r, low=0.0)
        d, p, alpha_eff, c = self._theory_iv("eigenvalue radial CDF")
        x = _unit_argument(r, c)
        F, _ = _radial(x * x, d, p, alpha_eff, self.orthogonal)
        return F

    def eigenvalue_density(self, z):
        r"""Limiting eigenvalue density of :math:`J` (per unit area), :math:`\rho = 0`.

        .. math:: \rho(z) = \frac{1}{\pi}\frac{dF}{d|z|^2}, \qquad
                  \frac{dF}{d r^2} = \frac{\alpha\,\psi'(w)}{d r^2/dw} ,

        from the parametric Haagerup-Larsen form (class Notes); radially symmetric, zero
        outside the ring :meth:`inner_radius` :math:`\le |z| \le` :attr:`spectral_radius`.

        Parameters
        ----------
        z : complex array_like
            Points of the complex plane (any shape).

        Returns
        -------
        ndarray of float, same shape as ``z``
            Density of the continuous part; it integrates to :math:`\min(1, \alpha_{\rm eff})`
            (the point mass :math:`1 - \alpha_{\rm eff}` at 0 for :math:`\alpha_{\rm eff} < 1`
            is not included).

        Raises
        ------
        ParameterError
            For non-finite ``z``, :math:`\rho \ne 0`, :math:`J = 0`, or orthogonal flat modes
            with :math:`\alpha = 1` (eigenvalues on a circle: no density).

        Examples
        --------
        >>> import numpy as np
        >>> ens = RandomMode(2.0)                  # radius sqrt(alpha <D^2>) = sqrt(2)
        >>> np.round(ens.eigenvalue_density([0.5, 0.5j, 2.0]), 6)
        array([0.225079, 0.225079, 0.      ])
        """
        z = _checks.complex_array("z", z)
        d, p, alpha_eff, c = self._theory_iv("eigenvalue density")
        if self.orthogonal and alpha_eff == 1.0 and np.ptp(d) <= 1e-14 * d.max():
            raise ParameterError("orthogonal modes with a flat |D| and `n_modes_ratio`=1 give a "
                                 "Haar-orthogonal matrix, eigenvalues on the circle |z| = |D|: no density")
        x = _unit_argument(np.abs(z), c)
        _, rho = _radial(x * x, d, p, alpha_eff, self.orthogonal)
        return _rescale_density(rho, c, 2, "z", "eigenvalue density")

    def singular_value_density(self, s):
        r"""Limiting density of the singular values of :math:`J` (:math:`\rho = 0`).

        Gaussian modes: with :math:`\lambda = s^2` and :math:`z = \lambda + i0`, solve

        .. math:: \zeta\, h(\zeta)^2 = z, \qquad
                  h(\zeta) = 1 - \alpha + \alpha\,\zeta\, G_{D^2}(\zeta), \qquad
                  G_{D^2}(\zeta) = \Big\langle \frac{1}{\zeta - D^2}\Big\rangle ,

        for the subordination point :math:`\zeta \in \mathbb C^+` (Newton's method, continued
        from :math:`\mathrm{Im}\,z` large down to :math:`10^{-12}` of the support scale); then
        :math:`G_A(z) = 1/(\zeta h)` is the resolvent of :math:`A = JJ^T` (equivalent to
        :math:`S_A(u) = S_{D^2}(u/\alpha)/((\alpha+u)(1+u))`, class Notes) and

        .. math:: p(s) = 2s\,\rho_A(s^2), \qquad
                  \rho_A(\lambda) = -\frac1\pi\,\mathrm{Im}\Big[G_A(\lambda + i0)
                  - \frac{\max(0, 1-\alpha)}{\lambda}\Big] .

        Orthogonal modes: the singular values are exactly :math:`|D_a|`, so :math:`p` is
        :math:`\alpha` times the density of :math:`|D(x)|`, :math:`x` uniform on (0, 1]; given
        in closed form for ``"exponential"`` and ``"power"`` (flat and explicit values are point
        masses, a callable has no closed form: use :meth:`singular_value_cdf`).

        Parameters
        ----------
        s : array_like
            Singular values :math:`s \ge 0` (any shape).

        Returns
        -------
        ndarray, same shape as ``s``
            Density of the continuous part; it integrates to :math:`\min(1, \alpha_{\rm eff})`.
            For :math:`\alpha_{\rm eff} < 1` the remaining mass :math:`1 - \alpha_{\rm eff}` sits
            at :math:`s = 0` (rank :math:`P < n`).  At :math:`\alpha_{\rm eff} = 1` the density
            diverges as :math:`s^{-1/3}` at 0 (values at :math:`s = 0` use :math:`s = 10^{-12}`).

        Raises
        ------
        ParameterError
            For negative or non-finite ``s``, :math:`\rho \ne 0`, :math:`J = 0`, or the point-mass
            cases above.
        ConvergenceError
            If the Newton iteration fails to reach a relative residual of :math:`10^{-10}`.

        Examples
        --------
        >>> import numpy as np
        >>> np.round(RandomMode(2.0).singular_value_density([0.5, 1.0, 5.0]), 6)
        array([0.510731, 0.385977, 0.      ])
        >>> ens = RandomMode(0.5, spectrum="exponential", spectrum_exponent=1.0, orthogonal=True)
        >>> np.round(ens.singular_value_density([0.5, 0.9]), 6)     # alpha / s on [1/e, 1]
        array([1.      , 0.555556])
        """
        s = _checks.real_array("s", s, low=0.0)
        d, p, alpha_eff, c = self._theory_iv("singular-value density")
        x = _unit_argument(s, c)
        if self.orthogonal:
            out = _unit_ensemble(self)._orthogonal_sv_density(x, alpha_eff)
        else:
            smin = 1e-12 * math.sqrt(d.max())
            ss = np.maximum(x.ravel(), smin)
            out = np.zeros(ss.shape)
            top = math.sqrt(d.max()) * (1.0 + math.sqrt(alpha_eff)) ** 2
            inside = ss < 2.0 * top  # beyond the largest singular value: 0 (no Newton at huge s)
            out[inside] = 2.0 * ss[inside] * _density_A(ss[inside] ** 2, d, p, alpha_eff)
            out = out.reshape(s.shape)
        return _rescale_density(out, c, 1, "s", "singular-value density")

    def singular_value_cdf(self, s):
        r"""Fraction of singular values :math:`\le s` as :math:`n \to \infty` (:math:`\rho = 0`).

        Includes the point mass :math:`\max(0, 1 - \alpha_{\rm eff})` at 0.  Gaussian modes: the
        density of :meth:`singular_value_density` integrated by the trapezoid rule on a graded
        grid (about 1500 nodes, cached per ensemble; accuracy about :math:`10^{-4}`, measured
        against grid refinement), interpolated linearly.  Orthogonal modes: exactly
        :math:`1 - \alpha_{\rm eff} + \alpha\,\Pr(0 < |D| \le s)` (closed form for the named
        spectra, the graded quadrature of the mode fraction for a callable).

        Parameters
        ----------
        s : array_like
            :math:`s \ge 0` (any shape).

        Returns
        -------
        ndarray, same shape as ``s``

        Examples
        --------
        >>> import numpy as np
        >>> RandomMode(0.5, orthogonal=True).singular_value_cdf([0.0, 0.5, 1.0])  # 0 or 1
        array([0.5, 0.5, 1. ])
        >>> np.round(RandomMode(0.5).singular_value_cdf([0.0, 1.0, 3.0]), 3)
        array([0.5  , 0.816, 1.   ])
        """
        s = _checks.real_array("s", s, low=0.0)
        d, p, alpha_eff, c = self._theory_iv("singular-value CDF")
        beta = max(0.0, 1.0 - alpha_eff)
        x = _unit_argument(s, c)
        if self.orthogonal:
            return _unit_ensemble(self)._orthogonal_sv_cdf(x)
        grid, cdf = _sv_cdf_table(_unit_ensemble(self))
        out = np.interp(x.ravel(), grid, cdf, right=cdf[-1])
        out = np.where(x.ravel() >= grid[-1], 1.0, out)
        return np.maximum(out, beta).reshape(s.shape)

    # ------------------------------------------------------------------ orthogonal singular values
    def _orthogonal_sv_density(self, s, alpha_eff):
        c = abs(self.scale)
        spec, p = self.spectrum, self.spectrum_exponent
        if spec == "exponential":
            # |D| = c exp(-x^p) in [c/e, c]: x = log(c/s)^(1/p), density alpha |dx/ds|
            out = np.zeros(s.shape)
            inside = (s > c / math.e) & (s < c)
            t = np.log(c / s[inside])
            out[inside] = self.n_modes_ratio * t ** (1.0 / p - 1.0) / (p * s[inside])
            return out
        if spec == "power" and p > 0:
            # |D| = c x^-p >= c: x = (c/s)^(1/p)
            out = np.zeros(s.shape)
            inside = s > c
            out[inside] = self.n_modes_ratio * (c / s[inside]) ** (1.0 / p) / (p * s[inside])
            return out
        raise ParameterError(
            "for orthogonal modes the singular values are exactly |D_a|: the density exists in closed "
            "form for `spectrum`='exponential' or 'power' (p > 0); flat spectra and explicit values are "
            "point masses, and a callable spectrum has no closed form; use singular_value_cdf")

    def _orthogonal_sv_cdf(self, s):
        """(1 - alpha) + alpha Pr(|D| <= s): zero modes and the n - P missing ones sit at 0."""
        c = abs(self.scale)
        spec, q = self.spectrum, self.spectrum_exponent
        flat = s.ravel()
        if spec == "exponential":  # |D| = c exp(-x^q) in [c/e, c]
            t = np.log(c / np.maximum(flat, 1e-300))
            frac = np.where(flat >= c, 1.0, 1.0 - np.minimum(np.maximum(t, 0.0), 1.0) ** (1.0 / q))
        elif spec == "power" and q > 0:  # |D| = c x^-q >= c
            frac = np.where(flat >= c, 1.0 - (c / np.maximum(flat, c)) ** (1.0 / q), 0.0)
        elif spec in ("flat", "power"):
            frac = (flat >= c).astype(float)
        else:
            if isinstance(spec, tuple):
                absd = np.abs(self.scale * np.asarray(spec))
            else:
                absd = np.abs(self.scale * self._shape((np.arange(2 ** 16) + 0.5) / 2 ** 16))
            frac = np.searchsorted(np.sort(absd), flat, side="right") / absd.size
        return (1.0 - self.n_modes_ratio + self.n_modes_ratio * frac).reshape(s.shape)


# ---------------------------------------------------------------------------- helpers

def _haar_frame(gen, n, k, G=None):
    """n x k matrix with Haar-distributed orthonormal columns (QR of a Gaussian, signs fixed)."""
    if G is None:
        G = gen.standard_normal((n, k))
    Q, R = np.linalg.qr(G)
    sg = np.sign(np.diag(R))
    sg[sg == 0] = 1.0
    return Q * sg


@functools.lru_cache(maxsize=32)
def _unit_ensemble(ens: RandomMode) -> RandomMode:
    """The ensemble with unit scale (explicit values divided by their largest |value|).

    The spectral laws are computed for it and rescaled by c = |scale| max|values|: radii and
    singular values by c, densities by 1/c (per unit length) or 1/c^2 (per unit area).
    """
    spec = ens.spectrum
    if isinstance(spec, tuple):
        m = max(abs(v) for v in spec)
        spec = tuple(v / m for v in spec) if m > 0 else spec
    return dataclasses.replace(ens, spectrum=spec, scale=1.0)


def _unit_argument(x, c):
    """|x| / c for the unit-scale theory, capped at 1e100 (far outside any unit support)."""
    a = np.abs(np.asarray(x))
    return np.minimum(a, 1e100 * c) / c


def _rescale_density(rho, c, power, name, what):
    """rho / c**power without overflow; ParameterError (naming ``name``) if beyond floats."""
    rho = np.asarray(rho, dtype=float)
    lc = power * math.log(c)
    if lc >= 0.0:
        return rho / math.exp(lc)
    pos = rho > 0
    if np.any(np.log(rho[pos]) - lc > _LOG_MAX):
        raise ParameterError(
            f"the {what} exceeds the float range at `{name}` so close to 0 (its unit is 1/c^{power} "
            f"with c = {c:.6g} the overall scale): evaluate it at points away from 0 or use a larger "
            f"`scale`")
    if -lc <= _LOG_MAX:
        return rho * math.exp(-lc)
    out = np.zeros(rho.shape)
    out[pos] = np.exp(np.log(rho[pos]) - lc)
    return out


@functools.lru_cache(maxsize=8)
def _quadrature_nodes(n_uniform: int):
    """Composite Gauss-Legendre nodes and weights on (0, 1).

    27 geometric panels [0, 2^-30], [2^-30, 2^-29], ..., [2^-5, 2^-4] with 16 nodes each, for
    integrable singularities at x = 0 (power laws, x^p with p < 1), then ``n_uniform`` equal
    panels on [1/16, 1] with 8 nodes each.
    """
    parts = []
    for br, m in ((np.concatenate([[0.0], 2.0 ** -np.arange(30, 3, -1)]), 16),
                  (np.linspace(1 / 16, 1, n_uniform + 1), 8)):
        xg, wg = np.polynomial.legendre.leggauss(m)
        a, b = br[:-1, None], br[1:, None]
        parts.append(((a + (b - a) * (xg + 1) / 2).ravel(), ((b - a) / 2 * wg).ravel()))
    x = np.concatenate([parts[0][0], parts[1][0]])
    w = np.concatenate([parts[0][1], parts[1][1]])
    x.flags.writeable = False
    w.flags.writeable = False
    return x, w


@functools.lru_cache(maxsize=32)
def _d2_law(ens: RandomMode):
    """Atoms (d_k = D^2 > 0, weights p_k summing to 1) and alpha_eff = alpha Pr(D != 0)."""
    alpha = ens.n_modes_ratio
    if isinstance(ens.spectrum, tuple):
        vals = ens.scale * np.asarray(ens.spectrum)
        w = np.full(vals.size, 1.0 / vals.size)
    elif ens.spectrum == "flat":
        vals, w = np.array([ens.scale]), np.ones(1)
    else:
        # finer for small alpha, where the Marchenko-Pastur factors smooth less
        x, w = _quadrature_nodes(int(np.clip(math.ceil(0.75 / alpha), 15, 400)))
        vals = ens.scale * ens._shape(x)
    d = vals * vals
    keep = d > 0
    mass = float(w[keep].sum())
    if mass == 0.0:
        return np.empty(0), np.empty(0), 0.0
    d, p = d[keep], w[keep] / mass
    alpha_eff = alpha * mass if mass < 1.0 - 1e-15 else alpha
    return d, p, alpha_eff


def _wick_trace_moments(S, n, rho):
    """Exact E[(tr JJ^T)^2] and E[tr (JJ^T)^2] for Gaussian modes (Wick; derivations/random_mode_rank.py)."""
    S1, S2, S3, S4 = S
    r2, r4 = rho * rho, rho ** 4
    t2 = ((n * n * S4 + 2 * n * S2 ** 2 + 2 * n * S4 + S2 ** 2 + 3 * S4) / n ** 2
          + r4 * (2 * n * S1 ** 2 * S2 + 4 * n * S1 * S3 + 2 * n * S4 + S1 ** 4 + 4 * S1 ** 2 * S2
                  + 4 * S1 * S3 + 3 * S2 ** 2 + 4 * S4) / n ** 3
          + 2 * r2 * (2 * n * n * S1 * S3 + 2 * n * n * S4 + 2 * n * S1 ** 2 * S2 + 4 * n * S1 * S3
                      + 2 * n * S2 ** 2 + 8 * n * S4 + S1 ** 2 * S2 + 6 * S1 * S3 + S2 ** 2
                      + 8 * S4) / n ** 3)
    t11 = ((n * n * S2 ** 2 + 4 * n * S4 + 2 * S2 ** 2 + 2 * S4) / n ** 2
           + r4 * (n * S1 ** 4 + 2 * n * S1 ** 2 * S2 + 3 * n * S2 ** 2 + 2 * n * S4 + 4 * S1 ** 2 * S2
                   + 8 * S1 * S3 + 4 * S4) / n ** 3
           + 2 * r2 * (n * n * S1 ** 2 * S2 + n * n * S2 ** 2 + 2 * n * n * S4 + 8 * n * S1 * S3
                       + 8 * n * S4 + 2 * S1 ** 2 * S2 + 4 * S1 * S3 + 2 * S2 ** 2 + 8 * S4) / n ** 3)
    return t11, t2


def _ratio_limit(S, n, rho):
    """Large-n limit of n tr(JJ^T)^2 / (tr JJ^T)^2, written with a_k = alpha mu_k = S_k / n."""
    a1, a2, a3, a4 = (s / n for s in S)
    r2 = rho * rho
    # the formula of effective_rank_J with numerator and denominator multiplied by alpha
    num = a4 + 2 * a2 * a2 + 4 * r2 * a1 * a3 + (4 * r2 + 2 * r2 * r2) * a1 * a1 * a2 + r2 * r2 * a1 ** 4
    return num / (a2 + r2 * a1 * a1) ** 2


def _psi(w, d, p):
    """psi(w) = <w d / (1 - w d)> and its derivative, for arrays w < 0 (shape (m,))."""
    wd = w[:, None] * d
    q = 1.0 / (1.0 - wd)
    return (wd * q) @ p, (d * q * q) @ p


def _radial(u, d, p, alpha, orthogonal):
    """Haagerup-Larsen F(|z|^2 = u) and density rho(u) for the D^2 law (d, p) and ratio alpha."""
    u = np.asarray(u, dtype=float)
    flat = u.ravel()
    F = np.ones(flat.shape)
    rho = np.zeros(flat.shape)
    g2 = alpha * float(np.dot(p, d))
    beta = max(0.0, 1.0 - alpha)

    def r2_of(w):
        v, _ = _psi(w, d, p)
        if orthogonal:
            return alpha * v / (w * (1.0 + alpha * v))
        return alpha * v * (1.0 + alpha * v) / w

    # bracket in y = log(-w): y_lo (w -> 0-, r^2 -> g^2), y_hi (F -> beta, r -> inner radius)
    y_lo = math.log(1e-13 / d.max())
    if not orthogonal and alpha > 1.0:
        lo, hi = math.log(1e-13 / d.max()), math.log(1e13 / d.min())
        for _ in range(200):  # psi(w*) = -1/alpha
            mid = 0.5 * (lo + hi)
            v, _ = _psi(np.array([-math.exp(mid)]), d, p)
            lo, hi = (mid, hi) if v[0] > -1.0 / alpha else (lo, mid)
        y_hi = lo
    else:
        y_hi = math.log(1e13 / d.min())
    r2_inner = float(r2_of(np.array([-math.exp(y_hi)]))[0])
    if orthogonal and alpha == 1.0:
        r2_inner = 1.0 / float(np.dot(p, 1.0 / d))
    inside = flat < g2 * (1.0 - 1e-13)  # F = 1 from the radius g on (round-off)
    if g2 - r2_inner <= 1e-14 * g2:  # a circle (orthogonal flat, alpha = 1)
        F = np.where(flat < g2, 0.0, 1.0)
        return F.reshape(u.shape), rho.reshape(u.shape)
    below = flat <= r2_inner
    F[below] = beta
    mid = inside & ~below
    if np.any(mid):
        target = flat[mid]
        lo = np.full(target.shape, y_lo)
        hi = np.full(target.shape, y_hi)
        for _ in range(100):
            c = 0.5 * (lo + hi)
            val = r2_of(-np.exp(c))
            lo = np.where(val > target, c, lo)
            hi = np.where(val > target, hi, c)
            if np.all(hi - lo < 1e-13 * np.maximum(1.0, np.abs(c))):
                break
        w = -np.exp(0.5 * (lo + hi))
        v, dv = _psi(w, d, p)
        F[mid] = 1.0 + alpha * v
        if orthogonal:
            dr2 = alpha * (dv * w - v - alpha * v * v) / (w * w * (1.0 + alpha * v) ** 2)
        else:
            dr2 = alpha * ((1.0 + 2.0 * alpha * v) * dv * w - v * (1.0 + alpha * v)) / (w * w)
        rho[mid] = alpha * dv / dr2 / np.pi
    return F.reshape(u.shape), rho.reshape(u.shape)


def _density_A(lam, d, p, alpha, gamma=0.02, tol=1e-14, maxit=50):
    """Density of the continuous part of the eigenvalues of A = J J^T at lam > 0 (Gaussian modes).

    Newton's method on zeta h(zeta)^2 = z for the subordination point zeta in C+, continued in
    Im z from the support scale down to min(1e-12 scale, 1e-8 lam) by factors ``gamma``.
    """
    lam = np.asarray(lam, dtype=float)
    top = float(d.max()) * (1.0 + math.sqrt(alpha)) ** 4
    eta_end = np.maximum(np.minimum(1e-12 * top, 1e-8 * lam), 1e-300)
    eta = np.full(lam.shape, max(top, float(lam.max(initial=0.0))))
    zeta = lam + 1j * eta
    while True:
        z = lam + 1j * eta
        act = np.arange(lam.size)
        for _ in range(maxit):
            zt = zeta[act]
            q = 1.0 / (zt[:, None] - d)
            G = q @ p
            Gp = -(q * q) @ p
            h = 1.0 - alpha + alpha * zt * G
            hp = alpha * (G + zt * Gp)
            step = (zt * h * h - z[act]) / (h * h + 2.0 * zt * h * hp)
            new = zt - step
            for _ in range(60):  # stay in the upper half plane (subordination maps C+ to C+)
                bad = new.imag < 0
                if not np.any(bad):
                    break
                step[bad] *= 0.5
                new = zt - step
            zeta[act] = new
            done = np.abs(step) <= tol * np.abs(new)
            act = act[~done]
            if act.size == 0:
                break
        if np.all(eta <= eta_end):
            break
        eta = np.maximum(eta * gamma, eta_end)
    q = 1.0 / (zeta[:, None] - d)
    h = 1.0 - alpha + alpha * zeta * (q @ p)
    res = np.abs(zeta * h * h - z) / np.maximum(np.abs(z), 1e-8 * top)  # floor: cancellation in h
    if np.any(~(res < 1e-10)):
        raise ConvergenceError(
            f"singular-value density: the subordination equation did not converge (max relative "
            f"residual {np.nanmax(res):.2e} at lambda={lam[np.nanargmax(res)]:.6g})")
    GA = 1.0 / (zeta * h)
    beta = max(0.0, 1.0 - alpha)
    atom = beta * z.conj() / (lam * lam + eta * eta)  # beta / z, removed exactly
    return np.maximum(-(GA - atom).imag / np.pi, 0.0)


@functools.lru_cache(maxsize=16)
def _sv_cdf_table(ens: RandomMode):
    """Singular-value CDF on a graded grid (trapezoid rule on the density)."""
    d, p, alpha = _d2_law(ens)
    beta = max(0.0, 1.0 - alpha)
    edge = 1.0 + math.sqrt(alpha)
    s_top = math.sqrt(d.max()) * edge ** 2
    cum = np.cumsum(p[np.argsort(d)])
    q_bulk = np.sort(d)[min(np.searchsorted(cum, 1.0 - 1e-6), d.size - 1)]
    s_bulk = min(math.sqrt(q_bulk) * edge ** 2, s_top)
    y = np.linspace(0.0, 1.0, 601)[1:]
    grid = s_bulk * y ** 3
    if s_top > 1.001 * s_bulk:
        grid = np.concatenate([grid, np.geomspace(s_bulk, s_top, 151)[1:]])
    dens = 2.0 * grid * _density_A(grid * grid, d, p, alpha)
    grid = np.concatenate([[0.0], grid])
    dens = np.concatenate([[dens[0] if alpha == 1.0 else 0.0], dens])
    if alpha == 1.0:
        # p(s) ~ c s^(-1/3) near 0: integrate the first cell exactly for that law
        dens[0] = 0.0
        first = 1.5 * dens[1] * grid[1]
        cdf = np.concatenate([[0.0], first + np.concatenate(
            [[0.0], np.cumsum(0.5 * (dens[2:] + dens[1:-1]) * np.diff(grid[1:]))])])
    else:
        cdf = np.concatenate([[0.0], np.cumsum(0.5 * (dens[1:] + dens[:-1]) * np.diff(grid))])
    cdf = beta + cdf
    grid.flags.writeable = False
    cdf.flags.writeable = False
    return grid, cdf
