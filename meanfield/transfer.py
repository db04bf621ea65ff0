r"""Transfer functions :math:`\phi` with their derivatives and primitive.

A transfer function is a :class:`TransferFunction` holding vectorised callables
``phi``, ``dphi`` (:math:`\phi'`), ``d2phi`` (:math:`\phi''`) and ``primitive``
(:math:`\Phi`, with :math:`\Phi' = \phi` and :math:`\Phi(0) = 0`).

Named functions (``get("tanh")`` etc.):

=========== ============================== =====================================
name        :math:`\phi(x)`                 notes
=========== ============================== =====================================
``tanh``    :math:`\tanh x`                 odd, :math:`\phi'(0) = 1`, poles at :math:`\pm i\pi/2`
``erf``     :math:`\mathrm{erf}(\sqrt{\pi} x / 2)` odd, :math:`\phi'(0) = 1`, entire
``relu``    :math:`\max(x, 0)`               kink at 0; :math:`\phi'' = \delta(x)` (``d2phi`` returns 0)
``sigmoid`` :math:`1 / (1 + e^{-x})`        logistic, poles at :math:`\pm i\pi`
``linear``  :math:`x`                        :math:`\phi' = 1`
=========== ============================== =====================================

User-defined functions are built with :func:`custom`.  Missing derivatives are
computed by a Richardson-extrapolated central difference with step 1e-2 (error
about 1e-12 max|phi| for phi' and 1e-9 max|phi| for phi'' -- absolute, not
relative -- for functions smooth on that scale; measured on tanh and sigmoid in
``tests/test_transfer.py``), a missing primitive by
composite 16-point Gauss-Legendre quadrature from 0 on panels of width at most
1/2 (accuracy near machine precision for functions analytic in a strip of
half-width >= 0.1).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from .errors import ParameterError

__all__ = ["TransferFunction", "get", "custom", "NAMES"]

_SQPI2 = math.sqrt(math.pi) / 2.0


@dataclass(frozen=True)
class TransferFunction:
    r"""A transfer function :math:`\phi` and what the theory needs of it.

    Attributes
    ----------
    name : str
        Name (``"tanh"``, ``"erf"``, ... or the user's).
    phi, dphi, d2phi, primitive : callable
        Vectorised :math:`\phi`, :math:`\phi'`, :math:`\phi''`, :math:`\Phi` (with
        :math:`\Phi(0) = 0`).
    odd : bool
        Whether :math:`\phi(-x) = -\phi(x)`.
    strip : float
        Half-width of the strip around the real axis in which :math:`\phi` is
        analytic and bounded, used to choose quadrature node spacing; ``inf`` for
        entire functions of moderate growth, ``0`` for non-smooth functions.
    kinks : tuple of float
        Points where :math:`\phi` is not smooth (``(0.0,)`` for relu).
    exact_derivatives : bool
        False when derivatives or primitive were derived numerically.
    """

    name: str
    phi: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    dphi: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    d2phi: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    primitive: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    odd: bool = False
    strip: float = 1.0
    kinks: tuple = ()
    exact_derivatives: bool = True

    def __call__(self, x):
        return self.phi(x)

    @property
    def slope0(self) -> float:
        r""":math:`\phi'(0)`."""
        return float(self.dphi(np.array(0.0)))


def _logcosh(x):
    # log cosh x = log1p(2 sinh^2(x/2)) (no cancellation near 0); |x| + log1p(e^{-2|x|}) - log 2 beyond
    a = np.abs(np.asarray(x, dtype=float))
    small = np.minimum(a, 1.0)
    sh = np.sinh(0.5 * small)
    return np.where(a < 1.0, np.log1p(2.0 * sh * sh),
                    a + np.log1p(np.exp(-2.0 * a)) - math.log(2.0))


def _sech2(x):
    # 1 - tanh^2 cancels for large |x|; 4 e^{-2|x|} / (1 + e^{-2|x|})^2 does not
    e = np.exp(-2.0 * np.abs(np.asarray(x, dtype=float)))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def _tanh_d1(x):
    return _sech2(x)


def _tanh_d2(x):
    return -2.0 * np.tanh(x) * _sech2(x)


def _erf(x):
    return special.erf(_SQPI2 * np.asarray(x, dtype=float))


def _erf_d1(x):
    x = np.asarray(x, dtype=float)
    return np.exp(-0.25 * math.pi * x * x)


def _erf_d2(x):
    x = np.asarray(x, dtype=float)
    return -0.5 * math.pi * x * np.exp(-0.25 * math.pi * x * x)


def _erf_prim(x):
    x = np.asarray(x, dtype=float)
    return x * special.erf(_SQPI2 * x) + (2.0 / math.pi) * np.expm1(-0.25 * math.pi * x * x)


def _relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def _relu_d1(x):
    return (np.asarray(x, dtype=float) > 0).astype(float)


def _zeros(x):
    return np.zeros_like(np.asarray(x, dtype=float))


def _ones(x):
    return np.ones_like(np.asarray(x, dtype=float))


def _relu_prim(x):
    r = np.maximum(np.asarray(x, dtype=float), 0.0)
    return 0.5 * r * r


def _sig_d1(x):
    # s (1 - s) with 1 - s = expit(-x): no cancellation for large x
    return special.expit(x) * special.expit(-x)


def _sig_d2(x):
    # 1 - 2 s = -tanh(x / 2)
    return -special.expit(x) * special.expit(-x) * np.tanh(0.5 * np.asarray(x, dtype=float))


def _softplus(x):
    # log((1 + e^x) / 2): log1p(expm1(x) / 2) is accurate near 0 (no cancellation against log 2)
    x = np.asarray(x, dtype=float)
    lo = np.minimum(x, 1.0)
    return np.where(x < 1.0, np.log1p(0.5 * np.expm1(lo)), np.logaddexp(0.0, x) - math.log(2.0))


def _identity(x):
    return np.asarray(x, dtype=float) * 1.0


def _half_square(x):
    x = np.asarray(x, dtype=float)
    return 0.5 * x * x


_NAMED = {
    "tanh": TransferFunction("tanh", np.tanh, _tanh_d1, _tanh_d2, _logcosh,
                             odd=True, strip=math.pi / 2),
    "erf": TransferFunction("erf", _erf, _erf_d1, _erf_d2, _erf_prim, odd=True, strip=1.0),
    "relu": TransferFunction("relu", _relu, _relu_d1, _zeros, _relu_prim, odd=False,
                             strip=0.0, kinks=(0.0,)),
    "sigmoid": TransferFunction("sigmoid", special.expit, _sig_d1, _sig_d2, _softplus,
                                odd=False, strip=math.pi),
    "linear": TransferFunction("linear", _identity, _ones, _zeros, _half_square, odd=True,
                               strip=math.inf),
}

#: Names accepted by :func:`get`.
NAMES = tuple(_NAMED)


def get(phi) -> TransferFunction:
    """Return the :class:`TransferFunction` for a name or pass one through.

    Parameters
    ----------
    phi : str or TransferFunction
        One of :data:`NAMES` or a :class:`TransferFunction` (e.g. from :func:`custom`).

    Raises
    ------
    ParameterError
        For an unknown name or another type.
    """
    if isinstance(phi, TransferFunction):
        return phi
    if isinstance(phi, str):
        key = phi.strip().lower()
        if key in _NAMED:
            return _NAMED[key]
        raise ParameterError(
            f"`phi` must be one of {', '.join(map(repr, NAMES))} or a TransferFunction "
            f"from meanfield.transfer.custom; got phi={phi!r}")
    raise ParameterError(
        f"`phi` must be a name ({', '.join(map(repr, NAMES))}) or a TransferFunction; "
        f"got {type(phi).__name__}. Wrap a plain callable with meanfield.transfer.custom(f).")


# --- numerical derivatives and primitive for user functions -----------------

def _num_derivative(f, order: int, h: float = 1e-2):
    """Richardson-extrapolated central difference of order 1 or 2 (error O(h^6))."""

    def d(x):
        x = np.asarray(x, dtype=float)

        def cd(hh):
            if order == 1:
                return (f(x + hh) - f(x - hh)) / (2 * hh)
            return (f(x + hh) - 2 * f(x) + f(x - hh)) / (hh * hh)

        d1, d2, d3 = cd(h), cd(h / 2), cd(h / 4)
        r1 = (4 * d2 - d1) / 3
        r2 = (4 * d3 - d2) / 3
        return (16 * r2 - r1) / 15

    return d


_GL_X, _GL_W = np.polynomial.legendre.leggauss(16)


def _num_primitive(f, panel: float = 0.5):
    """Phi(x) = int_0^x f by composite Gauss-Legendre with panels <= ``panel``."""

    def prim(x):
        x = np.asarray(x, dtype=float)
        flat = x.reshape(-1)
        if flat.size == 0:
            return np.zeros_like(x)
        n = max(1, int(np.ceil(np.max(np.abs(flat)) / panel)))
        # panel k of element i spans [k x_i / n, (k+1) x_i / n]
        k = np.arange(n)[:, None]
        t = (k + 0.5 * (_GL_X[None, :] + 1.0)) / n          # (n, 16) in [0, 1]
        vals = f(flat[:, None, None] * t[None])              # (m, n, 16)
        out = flat * (vals @ _GL_W).sum(axis=1) / (2 * n)
        return out.reshape(x.shape)

    return prim


def custom(phi, dphi=None, d2phi=None, primitive=None, *, name: str = "custom",
           odd: bool = False, strip: float = 0.5, kinks=()) -> TransferFunction:
    r"""Build a :class:`TransferFunction` from user callables.

    Parameters
    ----------
    phi : callable
        Vectorised :math:`\phi(x)` (numpy array in, array of the same shape out).
    dphi, d2phi, primitive : callable, optional
        :math:`\phi'`, :math:`\phi''` and :math:`\Phi` with :math:`\Phi(0)=0`.  Missing
        ones are derived numerically: derivatives by Richardson-extrapolated
        central differences (step 1e-2; absolute error about 1e-12 max|phi| for
        phi' and 1e-9 max|phi| for phi''), the primitive by composite Gauss-Legendre
        quadrature (near machine precision for smooth functions).
    name : str
        Label used in results and reports.
    odd : bool
        Declare :math:`\phi` odd (enables symmetry shortcuts; checked at a few points).
    strip : float
        Half-width of the analyticity strip of :math:`\phi` (sets the quadrature
        node spacing; smaller is safer and slower).  Use 0 with ``kinks`` for a
        non-smooth function.
    kinks : sequence of float
        Points where :math:`\phi` is not smooth.

    Raises
    ------
    ParameterError
        If a callable is missing or returns non-finite or wrongly shaped values at
        test points, or if ``odd=True`` is contradicted by the values.
    """
    if not callable(phi):
        raise ParameterError(f"`phi` must be callable; got {type(phi).__name__}")
    for nm, fn in (("dphi", dphi), ("d2phi", d2phi), ("primitive", primitive)):
        if fn is not None and not callable(fn):
            raise ParameterError(f"`{nm}` must be callable or None; got {type(fn).__name__}")
    if not isinstance(name, str) or not name:
        raise ParameterError(f"`name` must be a non-empty string; got {name!r}")
    if not (isinstance(strip, (int, float)) and strip >= 0 and not math.isnan(strip)):
        raise ParameterError(f"`strip` must be a non-negative number; got strip={strip!r}")
    xs = np.linspace(-3.0, 3.0, 13)
    try:
        vals = np.asarray(phi(xs), dtype=float)
    except Exception as exc:  # noqa: BLE001 - report any failure of the user callable
        raise ParameterError(f"`phi` could not be evaluated on a numpy array: {exc}") from exc
    if vals.shape != xs.shape or not np.all(np.isfinite(vals)):
        raise ParameterError("`phi` must map a float array to a finite array of the same shape")
    if odd and not np.allclose(vals, -vals[::-1], rtol=1e-12, atol=1e-12):
        raise ParameterError("`odd=True` but phi(-x) != -phi(x)")
    exact = dphi is not None and d2phi is not None and primitive is not None
    f = phi
    d1 = dphi if dphi is not None else _num_derivative(f, 1)
    d2 = d2phi if d2phi is not None else _num_derivative(f, 2)
    pr = primitive if primitive is not None else _num_primitive(f)
    return TransferFunction(name, f, d1, d2, pr, odd=bool(odd), strip=float(strip),
                            kinks=tuple(float(k) for k in kinks), exact_derivatives=exact)
