r"""A finite reservoir with output feedback, trained to fixed points as in Rivkind & Barak.

The network is :math:`\dot x = -x + J\phi(x) + uz + b_k`, :math:`z = w^\top\phi(x)`, with
:math:`J` from :class:`meanfield.ensembles.Gaussian`, :math:`u_i\sim\mathcal N(0,1)` and
static inputs :math:`b_k = b + \sigma_b\xi_k`.  Training: teacher forcing :math:`z = A_k`,
settle the open loop to :math:`x_k = J\phi(x_k) + uA_k + b_k` (damped iteration of the
dynamics, then Newton), and solve :math:`w^\top\phi(x_k) = A_k` by least squares.  The
closed loop is the rank-:math:`K` update :math:`J + uw^\top` (rank one in :math:`u`), which
:meth:`FeedbackReservoir.simulate` hands to :func:`meanfield.simulate`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from .. import _checks
from .._results import ResultMixin
from ..ensembles import Gaussian
from ..errors import ConvergenceError, ParameterError
from ._theory import _GRAM_RTOL, _model_iv, _reservoir_theory

__all__ = ["FeedbackReservoir", "TrainingResult"]

READOUTS = ("min-norm", "ridge")
_STATUS = {0: "settled", 1: "did not settle (Newton found an unstable open-loop fixed point)",
           2: "no fixed point found"}


@dataclass(frozen=True, repr=False)
class TrainingResult(ResultMixin):
    r"""Outcome of training a :class:`FeedbackReservoir`, one entry per target.

    Attributes
    ----------
    targets : ndarray (K,)
        Target outputs :math:`A_k`.
    fixed_points : ndarray (K, N)
        Open-loop fixed points :math:`x_k` (NaN for a target with status 2).
    target_status : ndarray (K,) int
        0: the teacher-forced open loop settled (damped dynamics, then Newton); 1: it did
        not settle within ``max_iter`` steps (chaos not suppressed by the input) but Newton
        found a fixed point, which is used (the open loop is unstable there); 2: no fixed
        point found, the target is left out of the readout.
    target_messages : tuple of str
        What happened to each target.
    residual : ndarray (K,)
        :math:`\max_i|-x_i + (J\phi(x))_i + u_iA_k + b_{k,i}|` reached.
    nit : ndarray (K,)
        Relaxation steps plus Newton steps per target.
    w : ndarray (N,)
        The trained readout.
    readout_error : ndarray (K,)
        :math:`w^\top\phi(x_k) - A_k` (rounding for ``min-norm``; the ridge bias otherwise).
    readout, ridge
        The readout rule and its regularisation.
    success : bool
        Every target settled (status 0).
    status : int
        The largest target status.
    message : str
        Summary.

    Examples
    --------
    >>> import meanfield as mf
    >>> net = mf.trained.FeedbackReservoir(200, 0.8, "tanh", targets=[1.0], seed=0)
    >>> tr = net.training
    >>> tr.success, tr.target_status.tolist(), bool(abs(tr.readout_error[0]) < 1e-10)
    (True, [0], True)
    """

    targets: np.ndarray
    fixed_points: np.ndarray
    target_status: np.ndarray
    target_messages: tuple
    residual: np.ndarray
    nit: np.ndarray
    w: np.ndarray
    readout_error: np.ndarray
    readout: str
    ridge: float
    success: bool
    status: int
    message: str

    _repr_fields = ("targets", "target_status", "residual", "readout_error", "readout",
                    "success", "message")

    def plot(self, ax=None):
        """Histogram of the fixed points :math:`x_{k,i}` per target.

        Parameters
        ----------
        ax : matplotlib Axes, optional

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import meanfield as mf
        >>> fig = mf.trained.FeedbackReservoir(100, 0.8, targets=[1.0], seed=0).training.plot()
        >>> len(fig.axes)
        1
        """
        from ._plots import plot_training

        return plot_training(self, ax=ax)


def _settle(J, tf, c, x0, *, tol, max_iter, deadline, damping=0.5, newton_steps=30):
    """Fixed point of x = J phi(x) + c: damped relaxation, then Newton. -> (x, status, res, nit, msg)"""
    x = x0.copy()
    n = x.size

    def resid(y):
        return J @ tf.phi(y) + c - y

    r = resid(x)
    nit = 0
    settled = False
    while nit < max_iter:
        nit += 1
        x = x + damping * r
        r = resid(x)
        err = float(np.max(np.abs(r)))
        if not np.isfinite(err):
            break
        if err < 1e-6:
            settled = True
            break
        if time.perf_counter() > deadline:
            break
    if not np.all(np.isfinite(x)):
        x = x0.copy()
        r = resid(x)
    eye = np.eye(n)
    k = 0
    while k < newton_steps:
        k += 1
        err = float(np.max(np.abs(r)))
        if err < tol or time.perf_counter() > deadline:
            break
        jac = J * tf.dphi(x)[None, :] - eye
        try:
            step = np.linalg.solve(jac, -r)
        except np.linalg.LinAlgError:
            break
        t = 1.0                                   # backtracking on the residual norm
        while t > 1e-4:
            y = x + t * step
            ry = resid(y)
            if np.all(np.isfinite(ry)) and np.linalg.norm(ry) < np.linalg.norm(r):
                break
            t *= 0.5
        x, r = y, ry
    err = float(np.max(np.abs(r))) if np.all(np.isfinite(r)) else math.inf
    found = err < tol
    if settled and found:
        return x, 0, err, nit + k, f"settled in {nit} relaxation and {k} Newton steps"
    if found:
        return x, 1, err, nit + k, (
            f"the open loop did not settle in {nit} damped steps (chaos not suppressed by the "
            f"feedback input); Newton found a fixed point (residual {err:.2g}), unstable in the "
            "open loop, which is used for the readout")
    why = "time budget ran out" if time.perf_counter() > deadline else "no convergence"
    return np.full(n, np.nan), 2, err, nit + k, (
        f"no fixed point found ({why}; residual {err:.2g} after {nit} damped and {k} Newton "
        "steps); the target is left out of the readout")


class FeedbackReservoir:
    r"""A random reservoir with output feedback, trained so that each target is a fixed point.

    .. math::

        \dot x = -x + J\phi(x) + u z + b_k,\qquad z = w^\top\phi(x),

    time in units of the unit time constant; :math:`J_{ij}\sim\mathcal N(0, g^2/n)`
    (:class:`meanfield.ensembles.Gaussian`), :math:`u_i\sim\mathcal N(0, 1)`, and static
    inputs :math:`b_k = b\,\mathbf 1 + \sigma_b\xi_k` (:math:`\xi_k` iid standard normal, one
    vector per target; the network sits at attractor :math:`k` while :math:`b_k` is applied).

    Training, as Rivkind & Barak: clamp :math:`z = A_k`, let the open loop settle to
    :math:`x_k = J\phi(x_k) + uA_k + b_k` (damped relaxation of the dynamics, then Newton to
    ``tol``), then choose :math:`w` so that :math:`w^\top\phi(x_k) = A_k` for every
    :math:`k`: the minimum-norm solution :math:`w = \Phi(\Phi^\top\Phi)^{+}A` or ridge
    :math:`w = \Phi(\Phi^\top\Phi + \lambda I)^{-1}A`, :math:`\Phi = [\phi(x_1),\ldots,
    \phi(x_K)]`.  Closing the loop makes each :math:`x_k` a fixed point (exactly with
    ``min-norm``).

    Parameters
    ----------
    n : int
        Number of units :math:`N \ge K`.
    g : float
        Gain, positive.
    phi : str or TransferFunction
    targets : array_like (K,)
        Distinct target outputs :math:`A_k`.
    bias : float
        Constant input :math:`b` to every unit.
    input_std : float
        :math:`\sigma_b \ge 0`, standard deviation of the per-target static inputs.
    readout : {"min-norm", "ridge"}
    ridge : float
        :math:`\lambda \ge 0` added to :math:`\Phi^\top\Phi` (whose entries are
        :math:`O(N)`), only with ``readout="ridge"``.
    seed : None, int or numpy.random.Generator
        Draws :math:`J`, then :math:`u`, then the :math:`\xi_k`.
    tol : float
        Residual (max norm) the fixed points are solved to.
    max_iter : int
        Damped relaxation steps (step 1/2 of the unit time constant) before a target counts
        as not settled.
    max_time : float
        Wall-clock budget in seconds per target.
    check : bool
        If True (default) a target without a fixed point (status 2) raises
        :class:`~meanfield.errors.ConvergenceError` with the :class:`TrainingResult` attached;
        with False the network is built and ``training`` reports it.  A target that did not
        settle but has a fixed point (status 1) never raises: it is reported.

    Attributes
    ----------
    J : ndarray (n, n)
    u : ndarray (n,)
    inputs : ndarray (K, n)
        :math:`b_k`.
    w : ndarray (n,)
    training : TrainingResult
    fixed_points : ndarray (K, n)

    Raises
    ------
    ParameterError
        Bad input (named); more targets than units; repeated targets; relu with
        ``g >= sqrt(2)`` and ``bias >= 0``; ``ridge < 0``; linearly dependent
        :math:`\phi(x_k)` (e.g. odd :math:`\phi`, no bias or inputs, targets :math:`\pm A`).
    ConvergenceError
        ``check=True`` and a target has no fixed point.

    References
    ----------
    A. Rivkind, O. Barak, Phys. Rev. Lett. 118, 258101 (2017), arXiv:1511.05222.

    Examples
    --------
    >>> import meanfield as mf
    >>> net = mf.trained.FeedbackReservoir(300, 0.8, "tanh", targets=[0.5, 1.0], seed=1)
    >>> net.w.shape, net.training.success
    ((300,), True)
    >>> [round(float(z), 12) for z in net.output(net.fixed_points)]   # the targets
    [0.5, 1.0]
    """

    def __init__(self, n, g, phi="tanh", *, targets, bias=0.0, input_std=0.0,
                 readout: str = "min-norm", ridge: float = 0.0, seed=None, tol: float = 1e-10,
                 max_iter: int = 5000, max_time: float = 60.0, check: bool = True):
        n = _checks.integer("n", n, low=1)
        tf, g, A, bias, input_std = _model_iv(g, phi, targets, bias, input_std, n=n)
        readout = _checks.choice("readout", readout, READOUTS)
        ridge = _checks.real("ridge", ridge, low=0.0, allowed="a non-negative finite number")
        if readout == "min-norm" and ridge != 0.0:
            raise ParameterError(f"`ridge` is used only with readout='ridge'; got ridge={ridge!r} "
                                 "with readout='min-norm'")
        tol = _checks.positive("tol", tol)
        max_iter = _checks.integer("max_iter", max_iter, low=1)
        max_time = _checks.positive("max_time", max_time)
        _checks.memory("n", 8 * 4 * n * n, f"the ({n}, {n}) coupling matrix and Jacobians")
        rng = _checks.rng(seed)
        self.n, self.g, self.tf, self.targets = n, g, tf, A
        self.bias, self.input_std, self.readout, self.ridge = bias, input_std, readout, ridge
        self.J = Gaussian(g=g).sample(n, seed=rng)
        self.u = rng.standard_normal(n)
        K = A.size
        self.inputs = bias + (input_std * rng.standard_normal((K, n)) if input_std > 0
                              else np.zeros((K, n)))
        self._decomp = {}
        self.training = self._train(tol, max_iter, max_time)
        if check and self.training.status == 2:
            raise ConvergenceError(f"FeedbackReservoir: {self.training.message}", self.training)

    # -- training ---------------------------------------------------------------------------
    def _train(self, tol, max_iter, max_time):
        A, K, n = self.targets, self.targets.size, self.n
        X = np.empty((K, n))
        status = np.zeros(K, int)
        res, nit, msgs = np.empty(K), np.zeros(K, int), []
        for k in range(K):
            c = self.u * A[k] + self.inputs[k]
            X[k], status[k], res[k], nit[k], m = _settle(
                self.J, self.tf, c, c, tol=tol, max_iter=max_iter,
                deadline=time.perf_counter() + max_time)
            msgs.append(f"target {float(A[k])!r}: {m}")
        used = status < 2
        w = np.zeros(n)
        if np.any(used):
            Phi = self.tf.phi(X[used]).T                    # (n, K_used)
            sv = np.linalg.svd(Phi, compute_uv=False)
            if sv[-1] <= math.sqrt(_GRAM_RTOL) * sv[0]:
                raise ParameterError(
                    f"`targets` give linearly dependent phi(x*_k) (singular values of "
                    f"[phi(x*_k)]: {sv.tolist()}): the readout cannot fit them independently; "
                    f"got targets={A[used].tolist()} with phi={self.tf.name!r}, "
                    f"bias={self.bias!r}, input_std={self.input_std!r}")
            if self.readout == "min-norm":
                w = np.linalg.lstsq(Phi.T, A[used], rcond=None)[0]
            else:
                G = Phi.T @ Phi + self.ridge * np.eye(Phi.shape[1])
                w = Phi @ np.linalg.solve(G, A[used])
        with np.errstate(invalid="ignore"):
            err = self.tf.phi(X) @ w - A
        top = int(status.max())
        if top == 0:
            msg = f"all {K} targets settled; readout {self.readout}"
        else:
            bad = [f"{float(A[k])!r} ({_STATUS[int(status[k])]})" for k in range(K) if status[k]]
            msg = f"{sum(status > 0)} of {K} targets failed to settle: " + ", ".join(bad)
        return TrainingResult(
            targets=A.copy(), fixed_points=X, target_status=status, target_messages=tuple(msgs),
            residual=res, nit=nit, w=w, readout_error=err, readout=self.readout,
            ridge=self.ridge, success=top == 0, status=top, message=msg)

    # -- what training produced --------------------------------------------------------------
    @property
    def w(self) -> np.ndarray:
        """The trained readout :math:`w` (n,)."""
        return self.training.w

    @property
    def fixed_points(self) -> np.ndarray:
        """The trained fixed points :math:`x_k` (K, n)."""
        return self.training.fixed_points

    @property
    def n_targets(self) -> int:
        """:math:`K`."""
        return int(self.targets.size)

    def closed_loop_matrix(self) -> np.ndarray:
        r"""The closed-loop coupling :math:`J + uw^\top` (n, n).

        Examples
        --------
        >>> import numpy as np, meanfield as mf
        >>> net = mf.trained.FeedbackReservoir(100, 0.8, targets=[1.0], seed=0)
        >>> int(np.linalg.matrix_rank(net.closed_loop_matrix() - net.J))
        1
        """
        return self.J + np.outer(self.u, self.w)

    def output(self, x) -> np.ndarray:
        r"""The output :math:`z = w^\top\phi(x)` of a state (n,) or states (..., n).

        Examples
        --------
        >>> import meanfield as mf
        >>> net = mf.trained.FeedbackReservoir(100, 0.8, targets=[1.0], seed=0)
        >>> round(float(net.output(net.fixed_points[0])), 12)
        1.0
        """
        return self.tf.phi(np.asarray(x, float)) @ self.w

    def _a(self, attractor):
        a = _checks.integer("attractor", attractor, low=0, high=self.n_targets - 1)
        if self.training.target_status[a] == 2:
            raise ParameterError(f"`attractor` {a} has no fixed point (target "
                                 f"{float(self.targets[a])!r}: {_STATUS[2]})")
        return a

    def jacobian(self, attractor: int = 0) -> np.ndarray:
        r"""Closed-loop Jacobian :math:`-I + (J + uw^\top)\,\mathrm{diag}\,\phi'(x_a)` (n, n).

        Examples
        --------
        >>> import meanfield as mf
        >>> net = mf.trained.FeedbackReservoir(100, 0.8, targets=[1.0], seed=0)
        >>> net.jacobian(0).shape
        (100, 100)
        """
        a = self._a(attractor)
        D = self.tf.dphi(self.fixed_points[a])
        return self.closed_loop_matrix() * D[None, :] - np.eye(self.n)

    def eigenvalues(self, attractor: int = 0) -> np.ndarray:
        r"""Eigenvalues of the closed-loop Jacobian at attractor ``a``, largest real part first.

        Computed once per attractor (cached; a copy is returned).

        Examples
        --------
        >>> import meanfield as mf
        >>> net = mf.trained.FeedbackReservoir(200, 0.8, targets=[1.0], seed=0)
        >>> bool(net.eigenvalues(0)[0].real < 0)          # a stable attractor
        True
        """
        a = self._a(attractor)
        key = (a, "eigvals")
        if key not in self._decomp:          # cached: outliers() and the validation reuse it
            ev = np.linalg.eigvals(self.jacobian(a))
            self._decomp[key] = ev[np.lexsort((-ev.imag, -ev.real))]
        return self._decomp[key].copy()

    def outliers(self, attractor: int = 0, radius=None) -> np.ndarray:
        r"""Eigenvalues :math:`s` of the Jacobian with :math:`|1 + s| >` ``radius``.

        Parameters
        ----------
        attractor : int
        radius : float, optional
            Default: the empirical bulk radius :math:`g\sqrt{\overline{\phi'(x_a)^2}}`
            times 1.05 (a margin for the finite-N edge).

        Notes
        -----
        A threshold cannot separate an outlier from the bulk when :math:`|1 + s|` is within
        a few :math:`N^{-1/2}` of the radius: the finite-N edge scatters by that much, so a
        bulk eigenvalue can pass the threshold while an outlier near the edge does not.  To
        match a predicted pole, take the eigenvalue nearest to it (:meth:`eigenvalues`).

        Examples
        --------
        >>> import meanfield as mf
        >>> net = mf.trained.FeedbackReservoir(300, 1.2, "relu", targets=[1.0], seed=0)
        >>> bool(abs(net.outliers(0)[0]) < 1e-8)          # relu, no bias: the zero mode
        True
        """
        a = self._a(attractor)
        if radius is None:
            radius = 1.05 * self.bulk_radius(a)
        radius = _checks.nonnegative("radius", radius)
        ev = self.eigenvalues(a)
        return ev[np.abs(1.0 + ev) > radius]

    def bulk_radius(self, attractor: int = 0) -> float:
        r"""Empirical bulk radius :math:`g\sqrt{N^{-1}\sum_i\phi'(x_{a,i})^2}`.

        Examples
        --------
        >>> import meanfield as mf
        >>> net = mf.trained.FeedbackReservoir(100, 1.2, "relu", targets=[1.0], seed=0)
        >>> 0.7 < net.bulk_radius(0) < 1.0
        True
        """
        a = self._a(attractor)
        return float(self.g * np.sqrt(np.mean(self.tf.dphi(self.fixed_points[a]) ** 2)))

    def _decomposition(self, a, method):
        key = (a, method)
        if key not in self._decomp:
            D = self.tf.dphi(self.fixed_points[a])
            M = self.J * D[None, :]
            left = self.w * D
            if method == "eig":
                lam, V = scipy.linalg.eig(M, overwrite_a=True, check_finite=False)
                self._decomp[key] = (lam, left @ V, scipy.linalg.solve(V, self.u.astype(complex)))
            else:
                T, Z = scipy.linalg.schur(M.astype(complex), output="complex")
                self._decomp[key] = (T, left @ Z, Z.conj().T @ self.u)
        return self._decomp[key]

    def transfer(self, s, attractor: int = 0, *, method: str = "eig") -> np.ndarray:
        r"""Exact finite-N open-loop transfer :math:`H_N(s) = w^\top D[(1+s)I - JD]^{-1}u`.

        :math:`D = \mathrm{diag}\,\phi'(x_a)`.  The closed loop has a pole where
        :math:`H_N(s) = 1` (matrix determinant lemma).  One decomposition of :math:`JD` per
        attractor (cached), then each ``s`` costs :math:`O(N)` (``method="eig"``:
        :math:`JD = V\Lambda V^{-1}`) or :math:`O(N^2)` (``method="schur"``: a triangular
        solve with the complex Schur form, backward stable also where :math:`V` is
        ill-conditioned).

        Parameters
        ----------
        s : complex or array_like
        attractor : int
        method : {"eig", "schur"}

        Returns
        -------
        ndarray (complex), the shape of ``s``

        Examples
        --------
        >>> import numpy as np, meanfield as mf
        >>> net = mf.trained.FeedbackReservoir(150, 0.8, targets=[1.0], seed=0)
        >>> s = np.array([0.5, 1j])
        >>> D = net.tf.dphi(net.fixed_points[0])
        >>> dense = [net.w * D @ np.linalg.solve((1 + z) * np.eye(150) - net.J * D, net.u)
        ...          for z in s]
        >>> bool(np.allclose(net.transfer(s), dense, rtol=1e-9))
        True
        >>> bool(np.allclose(net.transfer(s, method="schur"), dense, rtol=1e-12))
        True
        """
        a = self._a(attractor)
        method = _checks.choice("method", method, ("eig", "schur"))
        s = _checks.complex_array("s", s)
        z = 1.0 + s.ravel()
        if method == "eig":
            lam, lv, rv = self._decomposition(a, method)
            out = np.array([np.sum(lv * rv / (zj - lam)) for zj in z])
        else:
            T, lv, rv = self._decomposition(a, method)
            eye = np.eye(self.n)
            out = np.array([lv @ scipy.linalg.solve_triangular(zj * eye - T, rv)
                            for zj in z])
        return out.reshape(s.shape)

    def closed_loop_transfer(self, s, attractor: int = 0, *, method: str = "eig") -> np.ndarray:
        r"""Exact finite-N closed-loop transfer :math:`T_N = H_N/(1 - H_N)`.

        The output's linear response to an input :math:`\epsilon` added to the fed-back
        output (along :math:`u`), :math:`\delta z = T_N(s)\,\epsilon`
        (:meth:`transfer` gives :math:`H_N`; by the Sherman-Morrison formula
        :math:`w^\top D[(1+s) - (J + uw^\top)D]^{-1}u = H_N/(1 - H_N)`).

        Examples
        --------
        >>> import numpy as np, meanfield as mf
        >>> net = mf.trained.FeedbackReservoir(150, 0.8, targets=[1.0], seed=0)
        >>> D = net.tf.dphi(net.fixed_points[0])
        >>> M = 1.2j * np.eye(150) + np.eye(150) - net.closed_loop_matrix() * D
        >>> dense = net.w * D @ np.linalg.solve(M, net.u)
        >>> bool(np.isclose(net.closed_loop_transfer(1.2j), dense, rtol=1e-9))
        True
        """
        H = self.transfer(s, attractor, method=method)
        with np.errstate(divide="ignore", invalid="ignore"):
            return H / (1.0 - H)

    # -- theory and simulation ---------------------------------------------------------------
    def theory(self, *, check: bool = True):
        r"""The mean-field prediction for these parameters (:func:`reservoir_theory`).

        Examples
        --------
        >>> import meanfield as mf
        >>> net = mf.trained.FeedbackReservoir(100, 0.8, targets=[1.0], seed=0)
        >>> net.theory().poles.shape
        (1, 1)
        """
        return _reservoir_theory(self.tf, self.g, self.targets, self.bias, self.input_std,
                                 check)

    def simulate(self, attractor: int = 0, t_max: float = 50.0, dt: float = 0.05, *,
                 x0=None, kick: float = 0.0, inputs=None, seed=None, **kwargs):
        r"""Run the closed loop with :func:`meanfield.simulate`.

        Integrates :math:`\dot x = -x + (J + uw^\top)\phi(x) + b_a + I(t)` (the closed loop
        as a coupling matrix; no separate integrator), starting from the fixed point
        :math:`x_a` plus ``kick`` times a random unit-norm-per-unit perturbation (or from
        ``x0``).

        Parameters
        ----------
        attractor : int
            Whose static input :math:`b_a` is applied and whose fixed point starts the run.
        t_max, dt : float
            As in :func:`meanfield.simulate`.
        x0 : array_like (n,) or (n, batch), optional
            Initial state (overrides the fixed point and ``kick``).
        kick : float
            Standard deviation of an iid Gaussian perturbation of :math:`x_a` per unit.
        inputs : None, array_like (n,) or callable
            Extra input :math:`I(t)` added to :math:`b_a` (e.g. a small sinusoid).
        seed : None, int or Generator
            Randomness for the kick (and the simulator's noise).
        **kwargs
            Passed to :func:`meanfield.simulate` (``method``, ``record_every``, ``noise``,
            ``batch``, ...).

        Returns
        -------
        meanfield.simulate.SimulationResult
            The output is ``net.output(res.x.transpose(0, 2, 1))`` on the recorded frames.

        Examples
        --------
        >>> import meanfield as mf
        >>> net = mf.trained.FeedbackReservoir(200, 0.8, targets=[1.0], seed=0)
        >>> res = net.simulate(0, t_max=20.0, dt=0.1, kick=0.05, seed=1, record_every=10)
        >>> z = net.output(res.x[:, :, 0])                  # (frames,)
        >>> bool(abs(z[-1] - 1.0) < 1e-3)                   # back at the target
        True
        """
        from .. import simulate as _simulate

        a = self._a(attractor)
        kick = _checks.nonnegative("kick", kick)
        rng = _checks.rng(seed)
        if x0 is None:
            x0 = self.fixed_points[a] + kick * rng.standard_normal(self.n)
        b = self.inputs[a]
        if inputs is None:
            drive = b
        elif callable(inputs):
            def drive(t, _f=inputs, _b=b):
                return _b + np.asarray(_f(t), float)
        else:
            drive = b + _checks.real_array("inputs", inputs, shape=(self.n,))
        return _simulate(self.closed_loop_matrix(), self.tf, t_max, dt, x0=x0, inputs=drive,
                         seed=rng, **kwargs)

    def __repr__(self) -> str:
        return (f"FeedbackReservoir(n={self.n}, g={self.g!r}, phi={self.tf.name!r}, "
                f"targets={self.targets.tolist()}, bias={self.bias!r}, "
                f"input_std={self.input_std!r}, readout={self.readout!r}, "
                f"training={self.training.message!r})")
