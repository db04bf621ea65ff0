r"""Cell types with block-structured variances (Aljadeff, Stern & Sharpee 2015)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.optimize
import scipy.sparse.csgraph

from .. import _checks
from .._results import ResultMixin
from ..errors import ConvergenceError, ParameterError
from ._base import Ensemble

__all__ = ["BlockVariance"]

_RESIDUAL_TOL = 1e-11
_U_MIN = 1e-14


@dataclass(frozen=True)
class BlockVariance(Ensemble):
    r"""Zero-mean Gaussian couplings whose variance depends on the cell types of both units.

    Parameters
    ----------
    fractions : sequence of float, length K
        Fractions :math:`\alpha_a > 0` of the K populations; they must sum to 1.
    g_matrix : (K, K) array_like
        Gains :math:`g_{ab} \ge 0`: an entry from a unit of population :math:`b` (column) to a
        unit of population :math:`a` (row) has variance :math:`g_{ab}^2/n`.

    Notes
    -----
    Population :math:`a` holds the units :math:`\lfloor n\sum_{c<a}\alpha_c + 1/2\rfloor`
    to :math:`\lfloor n\sum_{c\le a}\alpha_c + 1/2\rfloor - 1` (:meth:`population_sizes`).

    **Radius** (Aljadeff, Stern & Sharpee 2015): :math:`r = \sqrt{\lambda_{\max}(M)}`,
    :math:`M_{ab} = \alpha_b g_{ab}^2`.

    **Density** (hermitization; derived in this project).  For the resolvent of
    :math:`\begin{pmatrix}0 & X - z\\ (X-z)^\dagger & 0\end{pmatrix}` at :math:`i\eta`, the
    diagonal entries per population, :math:`i v_{1,a}` and :math:`i v_{2,a}`, satisfy, with
    :math:`A = \eta + M v_2`, :math:`B = \eta + M' v_1`, :math:`M'_{ab} = \alpha_b g_{ba}^2`,

    .. math:: v_{1,a} = \frac{B_a}{A_a B_a + |z|^2},\qquad v_{2,a} = \frac{A_a}{A_a B_a + |z|^2},

    and the off-diagonal block gives :math:`\partial_z \frac1n\log|\det(X - z)| =
    \frac{\bar z}{2}\sum_a \alpha_a/(A_a B_a + |z|^2)`.  Gauss's theorem on the disk then gives
    the fraction of eigenvalues inside :math:`|z|` (:math:`\eta \to 0`, :math:`u = |z|^2 < r^2`)

    .. math:: F(u) = \sum_a \alpha_a \frac{u}{A_a B_a + u},\qquad
              A = M\frac{A}{AB + u},\quad B = M'\frac{B}{AB + u}

    (products and quotients elementwise; :math:`(A, B) \to (cA, B/c)` leaves everything
    invariant), and :math:`\rho(z) = \pi^{-1} dF/du`.  The positive solution is found by
    Levenberg-Marquardt in :math:`(\log A, \log B)` with the gauge
    :math:`\sum\log A = \sum\log B`, warm-started along increasing :math:`u`;
    :math:`dF/du` by implicit differentiation.  All :math:`g_{ab}` equal gives the uniform disk;
    rows all equal (:math:`g_{ab} = \sigma_b`) gives the parametric form of
    :class:`RajanAbbott` (:math:`A_a = A`, :math:`B_a = \sigma_a^2 c`, :math:`s = u/(Ac)`).
    When :math:`M` is reducible the matrix is block-triangular up to a permutation and the
    spectrum is the union of those of its strongly connected components, each solved alone
    (a component with zero variance is a point mass at 0).  Irreducible profiles can also put
    a point mass at 0 (bipartite blocks of unequal sizes: weight :math:`|\alpha_1 - \alpha_2|`);
    there the solution degenerates at :math:`u = 0`, so :math:`u = 0` is evaluated at
    :math:`u = 10^{-14} r^2` (the right limit, up to that offset).

    References
    ----------
    J. Aljadeff, M. Stern, T. Sharpee, *Transition to chaos in random networks with cell-type-
    specific connectivity*, Phys. Rev. Lett. 114, 088101 (2015),
    doi:10.1103/PhysRevLett.114.088101.
    J. Alt, L. Erdős, T. Krüger, *Local inhomogeneous circular law*, Ann. Appl. Probab. 28, 148
    (2018), doi:10.1214/17-AAP1302 (the same equations for general variance profiles).

    Examples
    --------
    >>> ens = BlockVariance([0.5, 0.5], [[1.0, 2.0], [0.5, 1.0]])
    >>> round(ens.spectral_radius, 12)   # M = [[0.5, 2], [0.125, 0.5]], lambda_max = 1
    1.0
    >>> ens.population_sizes(11)
    array([6, 5])
    """

    fractions: tuple
    g_matrix: tuple

    def __post_init__(self):
        alpha = _checks.real_array("fractions", self.fractions, ndim=1, low=0.0, low_open=True)
        if alpha.size == 0:
            raise ParameterError("`fractions` must hold at least one population; got []")
        if abs(alpha.sum() - 1.0) > 1e-10:
            raise ParameterError(f"`fractions` must sum to 1; got sum {alpha.sum()!r}")
        k = alpha.size
        g = _checks.real_array("g_matrix", self.g_matrix, shape=(k, k), low=0.0)
        object.__setattr__(self, "fractions", tuple(float(a) for a in alpha))
        object.__setattr__(self, "g_matrix", tuple(tuple(float(x) for x in row) for row in g))

    # ------------------------------------------------------------------ structure
    @property
    def alpha(self) -> np.ndarray:
        r"""Fractions :math:`\alpha_a` as an array."""
        return np.array(self.fractions)

    @property
    def g(self) -> np.ndarray:
        r"""Gains :math:`g_{ab}` as a ``(K, K)`` array."""
        return np.array(self.g_matrix)

    @property
    def variance_matrix(self) -> np.ndarray:
        r""":math:`M_{ab} = \alpha_b g_{ab}^2`."""
        return self.g ** 2 * self.alpha[None, :]

    def population_sizes(self, n: int) -> np.ndarray:
        r"""Sizes of the populations at ``n`` units (rounded cumulative fractions).

        Examples
        --------
        >>> ens = BlockVariance([0.2, 0.3, 0.5], [[1.0] * 3] * 3)
        >>> ens.population_sizes(10), ens.population_sizes(7)
        (array([2, 3, 5]), array([1, 3, 3]))
        """
        n = _checks.integer("n", n, low=1)
        edges = np.floor(np.cumsum(self.alpha) * n + 0.5).astype(int)
        edges[-1] = n
        return np.diff(np.concatenate([[0], edges]))

    def sample(self, n: int, seed=None, dtype=np.float64) -> np.ndarray:
        r"""Draw :math:`J_{ij} \sim \mathcal N(0, g_{a(i)b(j)}^2/n)` independently.

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
            The units of population :math:`a` are the rows and columns
            :meth:`population_sizes` assigns to it, in order.

        Examples
        --------
        >>> import numpy as np
        >>> ens = BlockVariance([0.5, 0.5], [[1.0, 2.0], [0.5, 1.0]])
        >>> J = ens.sample(100, seed=0)
        >>> J.shape, np.array_equal(J, ens.sample(100, seed=0))
        ((100, 100), True)
        >>> [round(float(J[a:a + 50, b:b + 50].std() * 10), 1)   # sqrt(n Var) = g_ab
        ...  for a in (0, 50) for b in (0, 50)]
        [1.0, 2.0, 0.5, 1.0]
        """
        n, gen, dt = self._sample_iv(n, seed, dtype)
        J = gen.standard_normal((n, n), dtype=dt)
        edges = np.concatenate([[0], np.cumsum(self.population_sizes(n))])
        g = self.g / np.sqrt(n)
        for a in range(g.shape[0]):
            for b in range(g.shape[0]):
                J[edges[a]:edges[a + 1], edges[b]:edges[b + 1]] *= dt.type(g[a, b])
        return J

    @property
    def coupling_variance(self) -> float:
        r""":math:`n\,\mathrm{Var}(J_{ij})` averaged over all entries:
        :math:`\sum_{ab}\alpha_a\alpha_b g_{ab}^2`."""
        return float(self.alpha @ self.variance_matrix @ np.ones(len(self.fractions)))

    @property
    def spectral_radius(self) -> float:
        r""":math:`\sqrt{\lambda_{\max}(M)}`, :math:`M_{ab} = \alpha_b g_{ab}^2`."""
        return float(np.sqrt(max(np.max(np.abs(np.linalg.eigvals(self.variance_matrix))), 0.0)))

    def outliers(self, n: int | None = None) -> np.ndarray:
        """No outliers (zero mean): an empty array.  ``n`` is accepted and ignored.

        Examples
        --------
        >>> BlockVariance([0.5, 0.5], [[1.0, 2.0], [0.5, 1.0]]).outliers(100)
        array([], dtype=float64)
        """
        if n is not None:
            _checks.integer("n", n, low=1)
        return np.empty(0)

    # ------------------------------------------------------------------ spectral theory
    def _components(self):
        """Strongly connected components of M: list of (index array, M_C, M'_C, r_C^2)."""
        M = self.variance_matrix
        Mp = (self.g ** 2).T * self.alpha[None, :]
        ncomp, labels = scipy.sparse.csgraph.connected_components(M > 0, directed=True,
                                                                  connection="strong")
        out = []
        for c in range(ncomp):
            idx = np.flatnonzero(labels == c)
            Mc = M[np.ix_(idx, idx)]
            r2 = float(np.max(np.abs(np.linalg.eigvals(Mc)))) if Mc.any() else 0.0
            out.append((idx, Mc, Mp[np.ix_(idx, idx)], r2))
        return out

    def _radial(self, u):
        """F(u) and dF/du for an array of u = |z|^2 (point masses included in F only)."""
        u = np.asarray(u, dtype=float)
        flat = u.ravel()
        F = np.zeros(flat.shape)
        dF = np.zeros(flat.shape)
        alpha = self.alpha
        for idx, Mc, Mpc, r2 in self._components():
            w = alpha[idx]
            if r2 == 0.0:
                F += w.sum()
                continue
            Fc, dFc = _solve_component(flat, w, Mc, Mpc, r2)
            F += Fc
            dF += dFc
        return F.reshape(u.shape), dF.reshape(u.shape)

    def radial_cdf(self, r):
        r"""Fraction of eigenvalues with :math:`|z| \le r` (class Notes for the equations).

        Parameters
        ----------
        r : array_like
            Radii :math:`\ge 0`.

        Raises
        ------
        ConvergenceError
            If the hermitization equations are not solved to a residual of 1e-11.

        Examples
        --------
        Equal gains give the uniform disk, :math:`F(r) = (r/g)^2`:

        >>> import numpy as np
        >>> BlockVariance([0.5, 0.5], [[2.0, 2.0], [2.0, 2.0]]).radial_cdf([1.0, 2.0, 3.0])
        array([0.25, 1.  , 1.  ])

        Unequal gains move eigenvalues towards the edge of a disk of radius
        :attr:`spectral_radius`:

        >>> ens = BlockVariance([0.5, 0.5], [[1.0, 0.5], [0.5, 2.0]])
        >>> round(ens.spectral_radius, 6), np.round(ens.radial_cdf([0.5, 1.0, 1.5]), 6)
        (1.417866, array([0.272397, 0.738796, 1.      ]))
        """
        r = _checks.real_array("r", r, low=0.0)
        return np.minimum(self._radial(r ** 2)[0], 1.0)

    def eigenvalue_density(self, z):
        r"""Limiting eigenvalue density :math:`\rho(z) = \pi^{-1} dF/d|z|^2` (radially symmetric).

        Point masses at 0 (components with zero variance) are not included.

        Parameters
        ----------
        z : complex array_like

        Raises
        ------
        ParameterError
            If all variances are zero (the spectrum is a point mass at 0).
        ConvergenceError
            If the hermitization equations are not solved to a residual of 1e-11.

        Examples
        --------
        >>> import numpy as np
        >>> ens = BlockVariance([0.5, 0.5], [[1.0, 0.5], [0.5, 2.0]])
        >>> np.round(ens.eigenvalue_density([0.5, 1j, 2.0]), 6)   # radially symmetric
        array([0.336353, 0.089466, 0.      ])
        >>> np.round(BlockVariance([1.0], [[1.0]]).eigenvalue_density([0.5]) * np.pi, 12)
        array([1.])
        """
        z = _checks.complex_array("z", z)
        if self.spectral_radius == 0.0:
            raise ParameterError("the eigenvalue density of an all-zero `g_matrix` is a point mass "
                                 "at 0; some g_ab must be > 0 for a density")
        return self._radial(np.abs(z) ** 2)[1] / np.pi

    def singular_value_density(self, s):
        r"""Limiting density of the singular values.

        With :math:`G = (H - w)^{-1}` for :math:`H = \begin{pmatrix}0 & X\\ X^T & 0\end{pmatrix}`,
        the per-population diagonal entries solve
        :math:`g_{1,a} = -1/(w + (M g_2)_a)`, :math:`g_{2,a} = -1/(w + (M' g_1)_a)`, and
        :math:`p(s) = \pi^{-1}\,\mathrm{Im}\sum_a \alpha_a (g_{1,a} + g_{2,a})` at
        :math:`w = s + i0`.  Solved for all points at once by complex Newton steps along
        :math:`\eta = c \to 10^{-10} c` (:math:`c^2` the largest row sum of :math:`M` and
        :math:`M'`; the last value is the smoothing left in the density), and every point's residual
        :math:`\max_a |g_a (w + \dots) + 1|` is checked against 1e-10.
        Checked against the Marchenko-Pastur-type equation of :class:`RajanAbbott` for
        column-only profiles (agreement ~1e-9) and against samples.  Point masses at 0
        (rank-deficient profiles, e.g. a population with no inputs) are not separated: at
        :math:`s = 0` the value returned is then of order :math:`1/\eta`, as it is at an
        integrable singularity at 0 (e.g. feed-forward blocks); use :math:`s > 0`.

        Raises
        ------
        ParameterError
            For negative / non-finite ``s`` or an all-zero ``g_matrix``.
        ConvergenceError
            If Newton's method leaves a residual above 1e-10 at some point (seen for
            profiles whose gains span several decades); ``.result`` is a
            :class:`SingularValueSolve` whose ``converged`` flags the points solved.

        Examples
        --------
        >>> import numpy as np
        >>> ens = BlockVariance([0.5, 0.5], [[1.0, 0.5], [0.5, 2.0]])
        >>> np.round(ens.singular_value_density([0.5, 1.0, 4.0]), 6)
        array([0.607521, 0.507331, 0.      ])
        >>> iid = BlockVariance([0.5, 0.5], [[1.0, 1.0], [1.0, 1.0]])   # quarter circle
        >>> round(float(iid.singular_value_density(1.0)[()] * np.pi), 6)  # sqrt(4 - 1)
        1.732051
        """
        s = _checks.real_array("s", s, low=0.0)
        if not np.any(self.g):         # (a feed-forward profile has radius 0 but singular values)
            raise ParameterError("the singular values of an all-zero `g_matrix` are 0; "
                                 "some g_ab must be > 0 for a density")
        M = self.variance_matrix
        Mp = (self.g ** 2).T * self.alpha[None, :]
        alpha = self.alpha
        return _singular_density(s.ravel(), alpha, M, Mp).reshape(s.shape)


def _solve_component(u, w, M, Mp, r2):
    """F and dF/du of one irreducible component (weights w) for all u (1-D array)."""
    F = np.zeros(u.shape)
    dF = np.zeros(u.shape)
    k = w.size
    outside = u >= r2
    F[outside] = w.sum()
    if k == 1:
        # A B = M - u: the uniform disk of radius sqrt(M)
        ins = ~outside
        F[ins] = w[0] * u[ins] / r2
        dF[ins] = w[0] / r2
        return F, dF
    order = np.argsort(u)
    x = None
    u_prev = None
    for j in order:
        if u[j] >= r2:
            break
        # at u = 0 the positive solution can degenerate (a point mass at 0, e.g. bipartite
        # blocks of unequal sizes): evaluate the right limit at u = U_MIN r^2 instead
        uj = max(u[j], _U_MIN * r2)
        if x is None or uj != u_prev:
            x = _solve_point(uj, M, Mp, r2, x, u_prev)
            u_prev = uj
        la, lb = x[:k], x[k:]
        p = np.exp(la + lb)
        F[j] = np.sum(w * uj / (p + uj))
        dxdu = _dx_du(x, uj, M, Mp)
        dp = p * (dxdu[:k] + dxdu[k:])
        dF[j] = np.sum(w * (p - uj * dp) / (p + uj) ** 2)
    return F, dF


_XCLIP = 300.0  # |log A|, |log B| bound inside the solver (keeps A B and A / q finite)


def _residual(x, u, M, Mp):
    k = M.shape[0]
    x = np.clip(x, -_XCLIP, _XCLIP)
    a, b = np.exp(x[:k]), np.exp(x[k:])
    q = a * b + u
    r1 = 1.0 - (M @ (a / q)) / a
    r2 = 1.0 - (Mp @ (b / q)) / b
    return np.concatenate([r1, r2, [np.sum(x[:k]) - np.sum(x[k:])]])


def _jacobian(x, u, M, Mp, with_u=False):
    k = M.shape[0]
    x = np.clip(x, -_XCLIP, _XCLIP)
    a, b = np.exp(x[:k]), np.exp(x[k:])
    p = a * b
    q = p + u
    ya, yb = a / q, b / q
    uq, pq = u / q, p / q
    J = np.zeros((2 * k + 1, 2 * k))
    J[:k, :k] = np.diag((M @ ya) / a) - M * (ya * uq)[None, :] / a[:, None]
    J[:k, k:] = M * (ya * pq)[None, :] / a[:, None]
    J[k:2 * k, k:] = np.diag((Mp @ yb) / b) - Mp * (yb * uq)[None, :] / b[:, None]
    J[k:2 * k, :k] = Mp * (yb * pq)[None, :] / b[:, None]
    J[2 * k, :k] = 1.0
    J[2 * k, k:] = -1.0
    if not with_u:
        return J
    du = np.concatenate([(M @ (ya / q)) / a, (Mp @ (yb / q)) / b, [0.0]])
    return J, du


def _dx_du(x, u, M, Mp):
    J, du = _jacobian(x, u, M, Mp, with_u=True)
    return -np.linalg.lstsq(J, du, rcond=None)[0]


def _solve_point(u, M, Mp, r2, x0, u0):
    k = M.shape[0]
    guesses = []
    if x0 is not None:
        # warm start: A B scales roughly like r^2 - u near the edge
        shift = 0.25 * np.log((r2 - u) / (r2 - u0))
        guesses.append(x0 + shift)
    # cold start: the iid-like solution A = B = sqrt(r^2 - u) per population
    guesses.append(np.full(2 * k, 0.5 * np.log(r2 - u)))
    best = None
    for guess in guesses:
        sol = scipy.optimize.least_squares(_residual, guess, jac=_jacobian, args=(u, M, Mp),
                                           method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15,
                                           max_nfev=2000)
        res = float(np.max(np.abs(sol.fun)))
        if best is None or res < best[1]:
            best = (sol.x, res)
        if res < _RESIDUAL_TOL:
            return sol.x
    raise ConvergenceError(
        f"BlockVariance: the hermitization equations at |z|^2={u!r} reached a residual of "
        f"{best[1]:.1e} (> {_RESIDUAL_TOL:.0e}); the radial CDF / density there is not reliable")


#: Largest residual max|g d + 1| (dimensionless: g d = -1 at the solution) accepted from the
#: singular-value equations; converged points reach 1e-16 to 1e-11 (measured), unconverged
#: ones stay above 1e-3.
_SV_RESIDUAL_TOL = 1e-10


@dataclass(frozen=True, repr=False)
class SingularValueSolve(ResultMixin):
    r"""Partial result of :meth:`BlockVariance.singular_value_density` that failed to converge.

    Attached as ``result`` to the :class:`~meanfield.errors.ConvergenceError` it raises.

    Attributes
    ----------
    s : ndarray
        The points (flattened).
    density : ndarray
        The density from the last Newton iterate: a value only where ``converged``.
    residual : ndarray
        :math:`\max_a |g_a d_a + 1|` reached at each point (0 at an exact solution).
    converged : ndarray of bool
        ``residual <= tol``.
    tol : float
    """

    s: np.ndarray
    density: np.ndarray
    residual: np.ndarray
    converged: np.ndarray
    tol: float
    success: bool = False
    status: int = 1
    message: str = ""


def _sv_fail(x, g1, g2, alpha, residual, why):
    with np.errstate(invalid="ignore", over="ignore"):
        dens = np.sum(alpha * (g1 + g2), axis=1).imag / np.pi
    ok = residual <= _SV_RESIDUAL_TOL
    bad = np.flatnonzero(~ok)
    msg = (f"BlockVariance.singular_value_density: {why}; the singular-value equations are not "
           f"solved at {bad.size} of {x.size} points (residual up to "
           f"{np.nanmax(np.where(ok, 0.0, np.nan_to_num(residual, nan=np.inf))):.1e} > "
           f"{_SV_RESIDUAL_TOL:.0e}, first at s={float(x[bad[0]] if bad.size else x[0])!r}); profiles "
           "whose variances span many decades are the hard cases. The partial result "
           "(.result) flags them in `converged`")
    res = SingularValueSolve(s=x, density=np.where(ok, dens, 0.0), residual=residual,
                             converged=ok, tol=_SV_RESIDUAL_TOL, message=msg)
    raise ConvergenceError(msg, res)


def _singular_density(x, alpha, M, Mp):
    """Vectorised complex Newton continuation in eta for all points x (1-D) at once.

    Solved in units of the singular-value scale r = sqrt(max row sum of M and M') (x/r,
    M/r^2, eta from 1 to 1e-10), so the iteration does not depend on the overall scale of
    the gains.  (Not the spectral radius: a feed-forward profile has a small or zero one
    and large singular values.)  Every point's final
    residual max|g d + 1| is checked: ConvergenceError (partial result attached) if any is
    above ``_SV_RESIDUAL_TOL``.
    """
    k = alpha.size
    npt = x.size
    r = float(np.sqrt(max(np.max(M.sum(axis=1)), np.max(Mp.sum(axis=1)))))
    xs, Ms, Mps = x / r, M / r ** 2, Mp / r ** 2
    g1 = np.full((npt, k), 1j, dtype=complex)
    g2 = g1.copy()
    eye = np.eye(k)
    etas = np.geomspace(1.0, 1e-10, 21)
    with np.errstate(all="ignore"):
        for e, eta in enumerate(etas):
            w = (xs + 1j * eta)[:, None]
            active = np.ones(npt, dtype=bool)
            for _ in range(60 if e < etas.size - 1 else 200):
                d1 = w + g2 @ Ms.T
                d2 = w + g1 @ Mps.T
                f = np.concatenate([g1 * d1 + 1.0, g2 * d2 + 1.0], axis=1)
                J = np.empty((npt, 2 * k, 2 * k), dtype=complex)
                J[:, :k, :k] = d1[:, :, None] * eye
                J[:, :k, k:] = g1[:, :, None] * Ms[None]
                J[:, k:, :k] = g2[:, :, None] * Mps[None]
                J[:, k:, k:] = d2[:, :, None] * eye
                try:
                    step = np.linalg.solve(J[active], -f[active][:, :, None])[:, :, 0]
                except np.linalg.LinAlgError:
                    res = np.max(np.abs(f), axis=1)
                    _sv_fail(x, g1, g2, alpha, res, f"a singular Newton matrix at eta={eta:.1e} c")
                t = np.ones(step.shape[0])
                # stay on the physical branch (Im g >= 0 for Im w > 0): halve steps that leave it
                for _ in range(20):
                    n1 = g1[active] + t[:, None] * step[:, :k]
                    n2 = g2[active] + t[:, None] * step[:, k:]
                    bad = np.any(n1.imag < 0, axis=1) | np.any(n2.imag < 0, axis=1)
                    if not bad.any():
                        break
                    t[bad] *= 0.5
                g1[active], g2[active] = n1, n2
                size = np.max(np.abs(step) * t[:, None], axis=1)
                scale = 1 + np.max(np.abs(n1), axis=1) + np.max(np.abs(n2), axis=1)
                done = size < 1e-14 * scale
                idx = np.flatnonzero(active)
                active[idx[done]] = False
                if not active.any():
                    break
        d1 = w + g2 @ Ms.T
        d2 = w + g1 @ Mps.T
        res = np.max(np.abs(np.concatenate([g1 * d1 + 1.0, g2 * d2 + 1.0], axis=1)), axis=1)
    if not np.all(res <= _SV_RESIDUAL_TOL):          # also catches NaN
        _sv_fail(x, g1, g2, alpha, res, "Newton's method did not converge")
    # g is in units of 1/r: the density of s is that of s/r divided by r
    return np.sum(alpha * (g1 + g2), axis=1).imag / (np.pi * r)
