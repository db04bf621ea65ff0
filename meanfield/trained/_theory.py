r"""Mean-field theory of a reservoir with output feedback trained to fixed points.

Model (Rivkind & Barak 2017), time in units of the unit time constant:

.. math::

    \dot x = -x + J\phi(x) + u z + b_k, \qquad z = w^\top\phi(x),

:math:`J_{ij}\sim\mathcal N(0, g^2/N)`, :math:`u_i\sim\mathcal N(0,1)`, static inputs
:math:`b_{k,i} = b + \sigma_b\xi_{k,i}` (:math:`\xi_k` iid standard normal, one vector per
target).  Training clamps :math:`z = A_k`, settles the open loop to
:math:`x_k = J\phi(x_k) + uA_k + b_k`, and fits :math:`w` (minimum norm) so that
:math:`w^\top\phi(x_k) = A_k` for all :math:`k`.

Open loop (per unit, large :math:`N`): :math:`x_k = h_k + uA_k + b_k` with :math:`h_k = J\phi_k`
Gaussian, independent of :math:`u` and :math:`\xi`, and :math:`\langle h_k h_l\rangle = g^2
C_{kl}`, :math:`C_{kl} = \langle\phi(x_k)\phi(x_l)\rangle`.  So the :math:`x_k` are jointly
Gaussian with mean :math:`b` and covariance

.. math::

    Q_{kl} = g^2 C_{kl} + A_kA_l + \sigma_b^2\delta_{kl}

(diagonal: :math:`\Delta_{0,k} = \Delta_{h,k} + A_k^2 + \sigma_b^2`,
:math:`\Delta_{h,k} = g^2\langle\phi^2\rangle`, the static DMFT fixed point of
:func:`meanfield.dmft.fixed_point` with mean input :math:`b` and input standard deviation
:math:`\sqrt{A_k^2 + \sigma_b^2}`).

Closed loop at attractor :math:`a` (``derivations/trained_reservoir.py``).  Conditioning the
iid :math:`J` on the :math:`K` fields :math:`h_k = J\phi_k`, :math:`J = \tilde J P_\perp + H
Q_\phi^{-1}\Phi^\top`; outside the bulk the independent part :math:`\tilde J` drops out of
every bilinear form, and the :math:`K` projections :math:`r_l = \phi_l^\top D_a v/N` of a
closed-loop eigenvector obey :math:`(1+s)\,r = E^{(a)} C^{-1} r` with

.. math::

    E^{(a)}_{lk} = \langle\phi(x_l)\,\phi'(x_a)\,(x_k - b_k)\rangle
    = \langle\phi_l\phi'_a h_k\rangle + A_k\langle\phi_l\phi'_a u\rangle .

The output poles are the :math:`K` roots of :math:`\det[(1+s)C - E^{(a)}] = 0`, a
:math:`K`-th order linear output ODE (complex pairs allowed).  A pole is an eigenvalue of the
closed-loop Jacobian (an outlier) only if :math:`|1+s| > R_a = g\sqrt{\langle\phi'(x_a)^2
\rangle}`, the bulk radius; otherwise no eigenvalue is attached to it.  The open-loop
transfer function from the feedback to the output is

.. math::

    H_a(s) = A^\top C^{-1}\left[(1+s) - B^{(a)}C^{-1}\right]^{-1}\beta^{(a)},\quad
    B^{(a)}_{lk} = \langle\phi_l\phi'_a h_k\rangle,\quad \beta^{(a)}_l =
    \langle\phi_l\phi'_a u\rangle,

and :math:`H_a(s) = 1` at the poles.  One target: :math:`s^* = \langle(x - b)\phi\phi'
\rangle/\langle\phi^2\rangle - 1`.

The averages are bivariate Gaussian integrals (unequal variances), reduced by the
regression form of Stein's lemma, :math:`\langle f(X)\,y\rangle = \mathrm{Cov}(y, X)\,
\Sigma_X^{-1}\langle f(X)(X - m)\rangle`, to integrals of :math:`f` alone: a product rule
(the library's trapezoidal rule for smooth :math:`\phi`; closed-form inner averages and
kink-aware Gauss-Legendre panels for relu; kink-aware panels node by node for other
kinked functions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from .. import _checks
from .. import gaussian as _g
from .. import transfer as _transfer
from .._results import ResultMixin
from ..errors import ConvergenceError, ParameterError

__all__ = ["reservoir_theory", "ReservoirTheory"]

_SQRT2 = math.sqrt(2.0)
#: Relative size of the smallest eigenvalue of the Gram matrix C below which the targets
#: are treated as linearly dependent (the readout cannot tell them apart).
_GRAM_RTOL = 1e-10
#: |Re s| below this counts as a marginal (zero) pole.
_MARGINAL = 1e-9


# --- input validation -----------------------------------------------------------------------

def _targets_iv(targets, n=None) -> np.ndarray:
    A = _checks.real_array("targets", targets, ndim=(0, 1)).ravel()
    if A.size == 0:
        raise ParameterError("`targets` must hold at least one target amplitude; got []")
    if n is not None and A.size > n:
        raise ParameterError(f"`targets` must have at most n = {n} entries (K <= N: the readout "
                             f"must fit K fixed points with N weights); got K = {A.size}")
    uniq, counts = np.unique(A, return_counts=True)
    if np.any(counts > 1):
        raise ParameterError(f"`targets` must be distinct (a repeated target is the same fixed "
                             f"point twice); got targets={A.tolist()} with "
                             f"{uniq[counts > 1].tolist()} repeated")
    return A


def _model_iv(g, phi, targets, bias, input_std, n=None):
    """Validate the parameters shared by the theory and the network."""
    tf = _transfer.get(phi)
    g = _checks.positive("g", g)
    A = _targets_iv(targets, n)
    bias = _checks.real("bias", bias)
    input_std = _checks.nonnegative("input_std", input_std)
    if tf.name == "relu" and tf is _transfer.get("relu") and g >= _SQRT2 and bias >= 0:
        raise ParameterError(
            f"`g` must be < sqrt(2) = {_SQRT2:.6f} for relu units without a negative `bias`: "
            f"<relu(x)^2> >= Var(x)/2 for bias >= 0, so Delta_h = g^2 <relu^2> grows without "
            f"bound (no open-loop fixed point); got g={g!r}, bias={bias!r}")
    if input_std == 0.0 and bias == 0.0 and _is_relu(tf):
        for sign in (1.0, -1.0):
            same = A[sign * A > 0]
            if same.size > 1:
                raise ParameterError(
                    f"`targets` {same.tolist()} have the same sign, with relu and no bias or "
                    "input_std: relu is positively homogeneous, so x*(c A) = c x*(A) for c > 0 and "
                    "the phi(x*_k) are proportional (singular Gram matrix); use targets of "
                    "opposite signs, or add a `bias` or `input_std`")
    if input_std == 0.0 and bias == 0.0 and tf.odd:
        mirror = [(float(a), float(-a)) for a in A if a > 0 and np.any(A == -a)]
        if mirror:
            raise ParameterError(
                f"`targets` holds mirror pairs {mirror} with an odd phi ({tf.name!r}) and no bias "
                "or input_std: x*(-A) = -x*(A), so phi(x*(-A)) = -phi(x*(A)) and the Gram matrix "
                "of the phi(x*_k) is singular (the readout that fits +A fits -A by symmetry: "
                "train on +A alone, or add a `bias` or `input_std` to make the attractors "
                "distinct)")
        if np.any(A == 0.0):
            raise ParameterError(
                f"`targets` contains 0 with an odd phi ({tf.name!r}) and no bias or input_std: "
                "the target fixed point is x* = 0 with phi(x*) = 0, which no readout can map to "
                "an output (and for g > 1 the open loop is chaotic); drop it or add a `bias`")
    return tf, g, A, bias, input_std


# --- Gaussian averages ----------------------------------------------------------------------

def _is_relu(tf) -> bool:
    return tf is _transfer.get("relu")


def _inner(tf, mc: np.ndarray, sc: float, m: float) -> np.ndarray:
    """Conditional averages over x ~ N(mc_j, sc^2) of phi(x), phi(x)(x - m), phi'(x).

    Returns an array of shape (3, len(mc)).
    """
    if _is_relu(tf):
        if sc == 0.0:
            p1 = np.maximum(mc, 0.0)
            return np.stack([p1, p1 * (mc - m), (mc > 0).astype(float)])
        t = mc / sc
        P, p = special.ndtr(t), np.exp(-0.5 * t * t) / math.sqrt(2.0 * math.pi)
        m1 = mc * P + sc * p
        m2 = (mc * mc + sc * sc) * P + mc * sc * p
        return np.stack([m1, m2 - m * m1, P])
    if not tf.kinks:
        z, w = _g._rule(tf, 0.0, sc)
        x = mc[:, None] + sc * z[None, :]
        f = tf.phi(x)
        return np.stack([f @ w, (f * (x - m)) @ w, tf.dphi(x) @ w])
    out = np.empty((3, mc.size))
    for j, mj in enumerate(mc):           # kinks move with the conditional mean
        z, w = _g._rule(tf, float(mj), sc)
        x = mj + sc * z
        f = tf.phi(x)
        out[:, j] = (f @ w, (f * (x - m)) @ w, tf.dphi(x) @ w)
    return out


def _pair_moments(tf, m: float, v_l: float, v_a: float, q: float) -> dict:
    r"""Bivariate averages over :math:`(x_l, x_a)`, mean m, variances v_l, v_a, covariance q.

    Keys: ``phiphi`` :math:`\langle\phi_l\phi_a\rangle`, ``dd`` :math:`\langle\phi'_l
    \phi'_a\rangle`, ``t_l`` :math:`\langle\phi_l\phi'_a(x_l - m)\rangle`, ``t_a``
    :math:`\langle\phi_l\phi'_a(x_a - m)\rangle`.
    """
    s_a = math.sqrt(v_a)
    z, w = _g._rule(tf, m, s_a)
    x_a = m + s_a * z
    slope = q / s_a if s_a > 0 else 0.0
    sc = math.sqrt(max(v_l - slope * slope, 0.0))
    inner = _inner(tf, m + slope * z, sc, m)
    f_a, d_a = tf.phi(x_a), tf.dphi(x_a)
    return {"phiphi": float(np.dot(w, inner[0] * f_a)),
            "dd": float(np.dot(w, inner[2] * d_a)),
            "t_l": float(np.dot(w, inner[1] * d_a)),
            "t_a": float(np.dot(w, inner[0] * d_a * (x_a - m)))}


def _covariance(tf, g, A, bias, v, max_iter=100, rtol=1e-13):
    """Off-diagonal Q_kl = g^2 C_kl + A_k A_l by Newton (Price: dC/dQ = <phi' phi'>)."""
    K = A.size
    Q = np.diag(v).astype(float)
    nit, worst = 0, 0.0
    for k in range(K):
        for l in range(k + 1, K):
            bound = math.sqrt(v[k] * v[l])
            q = A[k] * A[l] + g * g * _g.mean_phi(tf, mu=bias, delta0=v[k]) * \
                _g.mean_phi(tf, mu=bias, delta0=v[l])
            q = float(np.clip(q, -0.999 * bound, 0.999 * bound))
            it = 0
            while it < max_iter:
                it += 1
                pm = _pair_moments(tf, bias, v[l], v[k], q)
                res = q - g * g * pm["phiphi"] - A[k] * A[l]
                slope = 1.0 - g * g * pm["dd"]
                step = res / slope if slope > 1e-3 else 0.5 * res
                q_new = float(np.clip(q - step, -(1 - 1e-12) * bound, (1 - 1e-12) * bound))
                done = abs(q_new - q) <= rtol * max(bound, 1.0)
                q = q_new
                if done:
                    break
            pm = _pair_moments(tf, bias, v[l], v[k], q)
            res = abs(q - g * g * pm["phiphi"] - A[k] * A[l]) / max(bound, 1.0)
            nit, worst = max(nit, it), max(worst, res)
            Q[k, l] = Q[l, k] = q
    return Q, nit, worst


# --- the result -----------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class ReservoirTheory(ResultMixin):
    r"""Mean-field theory of a trained feedback reservoir, per attractor.

    Index conventions: ``k, l`` run over targets; ``[a]`` is the attractor
    (the closed-loop fixed point of target ``a``).

    Attributes
    ----------
    g, phi, targets, bias, input_std
        The parameters (``phi`` by name).
    delta0 : ndarray (K,)
        :math:`\Delta_{0,k} = \mathrm{Var}(x_k)`: :math:`\Delta_{h,k} + A_k^2 + \sigma_b^2`.
    delta_h : ndarray (K,)
        :math:`\Delta_{h,k} = g^2\langle\phi(x_k)^2\rangle`, the variance of the recurrent field.
    covariance : ndarray (K, K)
        :math:`Q_{kl} = \mathrm{Cov}(x_k, x_l) = g^2 C_{kl} + A_kA_l + \sigma_b^2\delta_{kl}`.
    gram : ndarray (K, K)
        :math:`C_{kl} = \langle\phi(x_k)\phi(x_l)\rangle` (the Gram matrix of the
        :math:`\phi(x_k)` divided by :math:`N`).
    feedback_moments : ndarray (K, K, K)
        ``[a, l, k]``: :math:`E^{(a)}_{lk} = \langle\phi(x_l)\phi'(x_a)(x_k - b_k)\rangle`.
    u_moments : ndarray (K, K)
        ``[a, l]``: :math:`\beta^{(a)}_l = \langle\phi(x_l)\phi'(x_a)u\rangle`.
    mean_dphi2 : ndarray (K,)
        :math:`\langle\phi'(x_a)^2\rangle`.
    bulk_radius : ndarray (K,)
        :math:`R_a = g\sqrt{\langle\phi'(x_a)^2\rangle}` (the bulk of the Jacobian is the disk
        of this radius around :math:`-1`, in the open and in the closed loop).
    poles : ndarray (K, K) complex
        ``[a]``: the :math:`K` roots :math:`s` of :math:`\det[(1+s)C - E^{(a)}] = 0`, largest
        real part first.
    visible : ndarray (K, K) bool
        ``[a, j]``: pole ``j`` is an outlier of the Jacobian, :math:`|1 + s| > R_a`.
    stable : ndarray (K,) bool
        Attractor ``a`` is linearly stable: :math:`R_a < 1` and every visible pole has
        :math:`\mathrm{Re}\,s < 0` (an invisible pole lies inside the bulk disk).
    marginal : ndarray (K,) bool
        :math:`R_a < 1` and the largest visible real part is 0 within 1e-9 (relu without
        bias: the line attractor, :math:`s = 0`).
    open_loop_stable : ndarray (K,) bool
        The teacher-forced open loop settles to the fixed point (:math:`R_a < 1`): the
        paper's training step is possible.
    success, status, message, nit, residual
        Solver outcome: ``nit`` the largest number of Newton steps of an off-diagonal
        covariance, ``residual`` the largest relative residual of the self-consistency.

    Examples
    --------
    >>> import meanfield as mf
    >>> th = mf.trained.reservoir_theory(1.2, "relu", [1.0], bias=-0.3)
    >>> round(float(th.poles[0, 0].real), 4), th.visible[0].tolist(), th.stable.tolist()
    (0.1803, [True], [False])
    """

    g: float
    phi: str
    targets: np.ndarray
    bias: float
    input_std: float
    delta0: np.ndarray
    delta_h: np.ndarray
    covariance: np.ndarray
    gram: np.ndarray
    feedback_moments: np.ndarray
    u_moments: np.ndarray
    mean_dphi2: np.ndarray
    bulk_radius: np.ndarray
    poles: np.ndarray
    visible: np.ndarray
    stable: np.ndarray
    marginal: np.ndarray
    open_loop_stable: np.ndarray
    success: bool
    status: int
    message: str
    nit: int
    residual: float

    _repr_fields = ("g", "phi", "targets", "bias", "input_std", "delta0", "bulk_radius",
                    "poles", "visible", "stable", "success", "message")

    @property
    def n_targets(self) -> int:
        """Number of targets :math:`K`."""
        return int(self.targets.size)

    def time_constants(self, attractor: int = 0) -> np.ndarray:
        r"""Output time constants :math:`-1/\mathrm{Re}\,s` of the poles of one attractor.

        Parameters
        ----------
        attractor : int
            Index ``a`` of the target.

        Returns
        -------
        ndarray (K,)
            ``inf`` for a pole with :math:`\mathrm{Re}\,s = 0`; negative for an unstable pole.

        Examples
        --------
        >>> import meanfield as mf
        >>> th = mf.trained.reservoir_theory(0.8, "tanh", [1.0])
        >>> float(th.time_constants(0)[0]) == float(-1 / th.poles[0, 0].real)
        True
        """
        a = self._attractor_iv(attractor)
        re = self.poles[a].real
        with np.errstate(divide="ignore"):
            return np.where(re == 0, np.inf, -1.0 / np.where(re == 0, 1.0, re))

    def ode_coefficients(self, attractor: int = 0) -> np.ndarray:
        r"""Coefficients of the output ODE near attractor ``a``, highest derivative first.

        :math:`\sum_j c_j\, d^{K-j}\delta z/dt^{K-j} = 0` with :math:`c_0 = 1`: the
        characteristic polynomial :math:`\prod_j (s - s_j)` of the :math:`K` poles (real
        coefficients).  Poles that are not visible (inside the bulk) are modes of the
        mean-field output equation without a matching eigenvalue of the network.

        Examples
        --------
        >>> import meanfield as mf
        >>> th = mf.trained.reservoir_theory(0.8, "tanh", [1.0])
        >>> c = th.ode_coefficients(0)                     # dz/dt + c1 z = 0, c1 = -s*
        >>> float(c[0]), bool(abs(c[1] + th.poles[0, 0].real) < 1e-14)
        (1.0, True)
        """
        a = self._attractor_iv(attractor)
        return np.real_if_close(np.poly(self.poles[a]), tol=1e6).real.astype(float)

    def transfer(self, s, attractor: int = 0) -> np.ndarray:
        r"""Mean-field open-loop transfer function :math:`H_a(s)` from feedback to output.

        .. math::

            H_a(s) = A^\top C^{-1}\left[(1+s) - B^{(a)}C^{-1}\right]^{-1}\beta^{(a)}
            = A^\top\left[(1+s)C - B^{(a)}\right]^{-1}\beta^{(a)}

        (one :math:`K\times K` solve per ``s``) with
        :math:`B^{(a)}_{lk} = E^{(a)}_{lk} - \beta^{(a)}_l A_k`.  It describes the
        finite-:math:`N` :math:`w^\top D[(1+s) - JD]^{-1}u` outside the bulk,
        :math:`|1 + s| > R_a`; inside it the independent part of :math:`J` no longer drops out.

        Parameters
        ----------
        s : complex or array_like
            Laplace variable(s).
        attractor : int

        Returns
        -------
        ndarray (complex), the shape of ``s``

        Examples
        --------
        >>> import meanfield as mf
        >>> th = mf.trained.reservoir_theory(0.8, "tanh", [1.0])
        >>> bool(abs(th.transfer(th.poles[0, 0]) - 1) < 1e-12)      # H = 1 at the pole
        True
        """
        a = self._attractor_iv(attractor)
        s = _checks.complex_array("s", s)
        A, C = self.targets, self.gram
        E, beta = self.feedback_moments[a], self.u_moments[a]
        B = E - np.outer(beta, A)
        M = (1.0 + s.ravel())[:, None, None] * C[None] - B[None]        # (1+s) C - B
        out = np.linalg.solve(M, np.broadcast_to(beta, (M.shape[0], A.size))[..., None])[..., 0] @ A
        return out.reshape(s.shape)

    def closed_loop_transfer(self, s, attractor: int = 0) -> np.ndarray:
        r"""Closed-loop transfer :math:`T_a(s) = H_a(s)/(1 - H_a(s))` from an input to the output.

        An input :math:`\epsilon(t)` added to the fed-back output,
        :math:`\dot x = -x + J\phi(x) + u(z + \epsilon) + b_a`, moves the output by
        :math:`\delta z = T_a(s)\,\epsilon` near attractor ``a`` (linear response); its poles
        are the output poles.  :math:`|T_a(i\omega)|` is the frequency response, valid where
        :meth:`transfer` is (:math:`|1 + s| > R_a`: the whole imaginary axis when
        :math:`R_a < 1`).

        Examples
        --------
        >>> import numpy as np, meanfield as mf
        >>> th = mf.trained.reservoir_theory(0.8, "tanh", [1.0])
        >>> H = th.transfer(0.3j)
        >>> bool(np.isclose(th.closed_loop_transfer(0.3j), H / (1 - H)))
        True
        """
        H = self.transfer(s, attractor)
        with np.errstate(divide="ignore", invalid="ignore"):
            return H / (1.0 - H)

    def _attractor_iv(self, attractor):
        return _checks.integer("attractor", attractor, low=0, high=self.n_targets - 1)

    def plot(self, ax=None, *, attractor: int | None = None):
        """Poles and bulk disks in the complex plane (see ``meanfield/trained/_plots.py``).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Draw into it; otherwise a new (pyplot-free) Figure is made.
        attractor : int, optional
            Only this attractor (default: all).

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import meanfield as mf
        >>> fig = mf.trained.reservoir_theory(0.8, "tanh", [0.5, 1.0]).plot()
        >>> len(fig.axes)
        1
        """
        from ._plots import plot_poles

        return plot_poles(self, ax=ax, attractor=attractor)


# --- the theory -----------------------------------------------------------------------------

def reservoir_theory(g, phi="tanh", targets=(1.0,), *, bias=0.0, input_std=0.0,
                     check: bool = True) -> ReservoirTheory:
    r"""Mean-field output poles and stability of a feedback reservoir trained to fixed points.

    Solves the open-loop statistics of the :math:`K` teacher-forced fixed points
    :math:`x_k = J\phi(x_k) + uA_k + b_k` (jointly Gaussian per unit, mean ``bias``,
    covariance :math:`Q_{kl} = g^2\langle\phi_k\phi_l\rangle + A_kA_l +
    \sigma_b^2\delta_{kl}`), then, per attractor :math:`a`, the closed-loop bulk radius
    :math:`R_a = g\sqrt{\langle\phi'(x_a)^2\rangle}` and the :math:`K` output poles, the roots
    of

    .. math::

        \det\left[(1+s)\,C - E^{(a)}\right] = 0,\qquad C_{kl} = \langle\phi_k\phi_l\rangle,\quad
        E^{(a)}_{lk} = \langle\phi_l\,\phi'_a\,(x_k - b_k)\rangle ,

    of which those with :math:`|1+s| > R_a` are outliers of the closed-loop Jacobian
    :math:`-1 + (J + uw^\top)\,\mathrm{diag}\,\phi'(x_a)`.  One target:
    :math:`s^* = \langle(x-b)\phi\phi'\rangle/\langle\phi^2\rangle - 1`; relu with
    ``bias=0`` and ``input_std=0`` has :math:`s = 0` exactly (a line attractor).

    Parameters
    ----------
    g : float
        Gain, :math:`J_{ij}\sim\mathcal N(0, g^2/N)`, positive.
    phi : str or TransferFunction
        Transfer function (:mod:`meanfield.transfer`).
    targets : array_like (K,)
        Distinct target outputs :math:`A_k`.
    bias : float
        Constant input :math:`b` to every unit (the mean of every :math:`x_k`).
    input_std : float
        Standard deviation :math:`\sigma_b \ge 0` of the static inputs, one independent
        Gaussian vector per target.
    check : bool
        If True (default) a failed solve raises :class:`~meanfield.errors.ConvergenceError`
        (result attached); if False it is returned with ``success=False``.

    Returns
    -------
    ReservoirTheory

    Raises
    ------
    ParameterError
        Bad input; repeated targets; relu with ``g >= sqrt(2)`` and ``bias >= 0`` (no bounded
        open loop); odd ``phi`` without bias or inputs and targets ``+A, -A`` or ``0``
        (singular Gram matrix); any other linearly dependent :math:`\phi(x_k)`.
    ConvergenceError
        An off-diagonal covariance did not converge (``check=True``).

    Notes
    -----
    Derivation and checks: ``derivations/trained_reservoir.py``.  The theory is the large-N
    limit; finite-N poles scatter by :math:`O(N^{-1/2})` (measured in
    ``tests/test_trained.py``).

    References
    ----------
    A. Rivkind, O. Barak, *Local dynamics in trained recurrent neural networks*, Phys. Rev.
    Lett. 118, 258101 (2017), doi:10.1103/PhysRevLett.118.258101, arXiv:1511.05222.

    Examples
    --------
    >>> import meanfield as mf
    >>> th = mf.trained.reservoir_theory(0.8, "tanh", [1.0])
    >>> round(float(th.poles[0, 0].real), 6), bool(th.stable[0])
    (-0.584153, True)
    >>> th = mf.trained.reservoir_theory(1.2, "relu", [1.0])          # no bias: s = 0
    >>> abs(complex(th.poles[0, 0])) < 1e-12, bool(th.marginal[0])
    (True, True)
    >>> th = mf.trained.reservoir_theory(1.5, "tanh", [0.5, 1.0, 1.5])   # 3rd-order output ODE
    >>> th.poles.shape, th.stable.tolist()
    ((3, 3), [False, False, True])
    >>> th.poles[0, :2].round(4)          # attractor A = 0.5: an unstable oscillation, visible
    array([0.0347+0.1564j, 0.0347-0.1564j])
    >>> th.visible[0, :2].tolist(), round(float(th.bulk_radius[0]), 4)
    ([True, True], 0.9834)
    """
    tf, g, A, bias, input_std = _model_iv(g, phi, targets, bias, input_std)
    return _reservoir_theory(tf, g, A, bias, input_std, check)


def _open_loop_variance(tf, g, a, bias, input_std):
    from .. import dmft

    try:
        fp = dmft.fixed_point(g, tf, I0=bias, input_std=math.sqrt(a * a + input_std ** 2))
    except ParameterError as exc:
        raise ParameterError(f"no bounded open-loop fixed point for target {a!r} with g={g!r}, "
                             f"bias={bias!r}, input_std={input_std!r} ({exc})") from None
    return fp


def _reservoir_theory(tf, g, A, bias, sig, check):
    K = A.size
    fps = [_open_loop_variance(tf, g, float(a), bias, sig) for a in A]
    v = np.array([float(fp.delta0) for fp in fps])
    Q, nit, resid = _covariance(tf, g, A, bias, v)
    resid = max(resid, max(float(fp.residual) for fp in fps))
    Sh = Q - sig * sig * np.eye(K)                     # Cov(x_k - b_k, x_j)
    C = (Sh - np.outer(A, A)) / (g * g)
    ev = np.linalg.eigvalsh(C)
    if ev[0] <= _GRAM_RTOL * max(ev[-1], 1e-300):
        raise ParameterError(
            f"`targets` give linearly dependent phi(x*_k) (Gram matrix <phi_k phi_l> with "
            f"eigenvalues {ev.tolist()}): the readout cannot fit them independently; got "
            f"targets={A.tolist()}, bias={bias!r}, input_std={sig!r}")
    E = np.empty((K, K, K))
    beta = np.empty((K, K))
    d2 = np.empty(K)
    for a in range(K):
        d2[a] = _g.mean_dphi2(tf, mu=bias, delta0=v[a])
        for l in range(K):
            if l == a:
                t = _g.expect(tf, lambda x: tf.phi(x) * tf.dphi(x) * (x - bias), mu=bias,
                              delta0=v[a])
                gvec, idx = np.array([t / v[a]]), [a]
            else:
                pm = _pair_moments(tf, bias, v[l], v[a], Q[l, a])
                S = np.array([[v[l], Q[l, a]], [Q[l, a], v[a]]])
                gvec, idx = np.linalg.solve(S, [pm["t_l"], pm["t_a"]]), [l, a]
            E[a, l, :] = Sh[:, idx] @ gvec
            beta[a, l] = A[idx] @ gvec
    R = g * np.sqrt(d2)
    poles = np.empty((K, K), complex)
    for a in range(K):
        lam = np.linalg.eigvals(np.linalg.solve(C, E[a]))
        s = lam - 1.0
        poles[a] = s[np.lexsort((-s.imag, -s.real))]
    visible = np.abs(1.0 + poles) > R[:, None]
    top = np.array([max([p.real for p, vis in zip(poles[a], visible[a]) if vis], default=-np.inf)
                    for a in range(K)])
    marginal = (R < 1) & (np.abs(top) <= _MARGINAL)
    stable = (R < 1) & (top < -_MARGINAL)
    ok = bool(resid < 1e-8)
    msg = "converged" if ok else f"covariance self-consistency reached only {resid:.3g}"
    res = ReservoirTheory(
        g=g, phi=tf.name, targets=A.copy(), bias=bias, input_std=sig, delta0=v,
        delta_h=v - A * A - sig * sig, covariance=Q, gram=C, feedback_moments=E,
        u_moments=beta, mean_dphi2=d2, bulk_radius=R, poles=poles, visible=visible,
        stable=stable, marginal=marginal, open_loop_stable=R < 1, success=ok,
        status=0 if ok else 1, message=msg, nit=int(nit), residual=float(resid))
    if check and not ok:
        raise ConvergenceError(f"reservoir_theory: {msg}", res)
    return res
