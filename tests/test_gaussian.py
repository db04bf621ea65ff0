r"""Gaussian averages: closed forms, Price's theorem, symmetries, input errors, properties.

The 30-digit mpmath comparison over the whole allowed range is in ``test_gaussian_mpmath.py``;
this file checks the identities that tie the functions together.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _functions import softsign
from hypothesis import given, settings
from hypothesis import strategies as st

import meanfield.gaussian as G
from meanfield.errors import ParameterError

NAMED = ["tanh", "erf", "relu", "sigmoid", "linear"]




# --- closed forms ----------------------------------------------------------------------------

@pytest.mark.parametrize("delta0", [1e-6, 0.01, 0.5, 1.0, 7.0, 100.0])
def test_erf_closed_forms(delta0):
    rho = np.array([-1.0, -0.7, -0.2, 0.0, 0.3, 0.8, 0.99, 1.0])
    d = rho * delta0
    c = delta0 + 2 / math.pi
    exact = (2 / math.pi) * np.arctan(d / np.sqrt(c * c - d * d))
    got = G.F_phi("erf", d, delta0)
    np.testing.assert_allclose(got, exact, rtol=1e-12, atol=1e-15 * max(1.0, delta0))
    assert G.mean_dphi("erf", 0.0, delta0) == pytest.approx(
        1 / math.sqrt(1 + math.pi * delta0 / 2), rel=1e-14)
    assert G.mean_phi("erf", 0.0, delta0) == 0.0


@pytest.mark.parametrize("q", [1e-6, 0.3, 1.0, 50.0])
def test_relu_closed_forms(q):
    rho = np.array([-1.0, -0.6, -0.1, 0.0, 0.25, 0.9, 1.0])
    acos = np.arccos(rho)
    f_phi = q / (2 * math.pi) * (np.sqrt(1 - rho * rho) + rho * (math.pi - acos))
    f_dphi = (math.pi - acos) / (2 * math.pi)
    np.testing.assert_allclose(G.F_phi("relu", rho * q, q), f_phi, rtol=1e-12, atol=1e-16 * q)
    np.testing.assert_allclose(G.F_dphi("relu", rho * q, q), f_dphi, rtol=1e-12, atol=1e-16)
    assert G.mean_phi2("relu", 0.0, q) == pytest.approx(q / 2, rel=1e-14)


@pytest.mark.parametrize("mu", [-2.0, 0.0, 1.5])
def test_linear_closed_forms(mu):
    d0 = 2.5
    d = np.array([-2.5, -1.0, 0.5, 2.5])
    np.testing.assert_allclose(G.F_phi("linear", d, d0, mu), mu * mu + d, rtol=1e-14)
    np.testing.assert_allclose(G.F_dphi("linear", d, d0, mu), 1.0)
    assert G.mean_x_phi_dphi("linear", mu, d0) == pytest.approx(mu * mu + d0, rel=1e-14)


# --- Price's theorem -------------------------------------------------------------------------

def _phis():
    return [*NAMED, softsign()]


def _id(p):
    return p if isinstance(p, str) else p.name


@pytest.mark.parametrize("phi", _phis(), ids=_id)
@pytest.mark.parametrize(("mu", "delta0"), [(0.0, 1.0), (0.7, 0.3), (-1.5, 4.0)])
def test_price_theorem(phi, mu, delta0):
    r""":math:`\partial_\Delta F_\Phi = F_\phi`, :math:`\partial_\Delta F_\phi = F_{\phi'}`.

    Fourth-order central differences with step h = 1e-3 delta0: truncation ~ h^4 F^(5),
    rounding ~ 1e-16 F / h, both below 1e-8 relative here.
    """
    h = 1e-3 * delta0
    for frac in (-0.5, 0.2, 0.7):
        d = frac * delta0
        pts = d + h * np.array([-2.0, -1.0, 1.0, 2.0])
        for f, df in (("Phi", "phi"), ("phi", "dphi")):
            v = G.pair(phi, pts, delta0, mu, f)
            deriv = (v[0] - 8 * v[1] + 8 * v[2] - v[3]) / (12 * h)
            ref = G.pair(phi, d, delta0, mu, df)
            scale = max(abs(ref), 1e-3 * max(1.0, delta0))
            assert abs(deriv - ref) <= 1e-7 * scale, (f, frac, deriv, ref)


# --- consistency between pair and one-point functions ------------------------------------------

@pytest.mark.parametrize("phi", _phis(), ids=_id)
@pytest.mark.parametrize(("mu", "delta0"), [(0.0, 1e-6), (0.7, 1.3), (-3.0, 10.0), (10.0, 100.0)])
def test_pair_endpoints(phi, mu, delta0):
    rt = 1e-12
    assert G.F_phi(phi, delta0, delta0, mu) == pytest.approx(G.mean_phi2(phi, mu, delta0), rel=rt)
    assert G.F_dphi(phi, delta0, delta0, mu) == pytest.approx(
        G.mean_dphi2(phi, mu, delta0), rel=rt)
    m = G.mean_phi(phi, mu, delta0)
    assert G.F_phi(phi, 0.0, delta0, mu) == pytest.approx(m * m, rel=rt, abs=1e-300)
    md = G.mean_dphi(phi, mu, delta0)
    assert G.F_dphi(phi, 0.0, delta0, mu) == pytest.approx(md * md, rel=rt, abs=1e-300)
    mp_ = G.mean_primitive(phi, mu, delta0)
    assert G.F_Phi(phi, 0.0, delta0, mu) == pytest.approx(mp_ * mp_, rel=rt, abs=1e-300)


@pytest.mark.parametrize("phi", ["tanh", "erf", "linear", softsign()], ids=_id)
@pytest.mark.parametrize("delta0", [1e-6, 1.0, 30.0])
def test_odd_symmetry(phi, delta0):
    d = np.array([0.1, 0.5, 0.95, 1.0]) * delta0
    plus = G.F_phi(phi, d, delta0, 0.0)
    minus = G.F_phi(phi, -d, delta0, 0.0)
    np.testing.assert_allclose(minus, -plus, rtol=1e-12)
    assert abs(G.mean_phi(phi, 0.0, delta0)) <= 1e-14 * max(1.0, delta0)
    assert abs(G.F_phi(phi, 0.0, delta0, 0.0)) <= 1e-14 * max(1.0, delta0)


def test_shapes():
    d = np.array([[0.1, -0.2], [0.3, 0.0]])
    assert G.pair("tanh", d, 1.0).shape == (2, 2)
    assert isinstance(G.pair("tanh", 0.2, 1.0), float)
    assert G.expect("tanh", lambda x: x * x, 0.0, 2.0) == pytest.approx(2.0, rel=1e-14)


# --- input errors ------------------------------------------------------------------------------

@pytest.mark.parametrize(("call", "param"), [
    (lambda: G.mean_phi("nope", 0.0, 1.0), "phi"),
    (lambda: G.mean_phi(42, 0.0, 1.0), "phi"),
    (lambda: G.mean_phi2("tanh", 0.0, -1.0), "delta0"),
    (lambda: G.mean_dphi("tanh", 0.0, float("nan")), "delta0"),
    (lambda: G.mean_dphi2("tanh", 0.0, float("inf")), "delta0"),
    (lambda: G.mean_primitive("tanh", float("nan"), 1.0), "mu"),
    (lambda: G.mean_x_phi_dphi("tanh", float("inf"), 1.0), "mu"),
    (lambda: G.pair("tanh", 1.5, 1.0), "delta"),
    (lambda: G.pair("tanh", -1.01, 1.0), "delta"),
    (lambda: G.pair("tanh", [0.1, float("nan")], 1.0), "delta"),
    (lambda: G.pair("tanh", 0.5, -1.0), "delta0"),
    (lambda: G.pair("tanh", 0.5, 1.0, float("nan")), "mu"),
    (lambda: G.pair("tanh", 0.5, 1.0, 0.0, "psi"), "which"),
    (lambda: G.pair("tanh", 0.5, 1.0, 0.0, 3), "which"),
    (lambda: G.expect("tanh", 3.0), "f"),
    (lambda: G.expect("tanh", "x**2"), "f"),
])
def test_bad_input_names_parameter(call, param):
    with pytest.raises(ParameterError, match=f"`{param}`"):
        call()


# --- properties --------------------------------------------------------------------------------

@pytest.mark.parametrize("phi", NAMED)
@settings(max_examples=30, deadline=None)
@given(mu=st.floats(-10.0, 10.0), delta0=st.floats(1e-6, 100.0), frac=st.floats(-1.0, 1.0))
def test_pair_properties(phi, mu, delta0, frac):
    d = frac * delta0
    m2 = G.mean_phi2(phi, mu, delta0)
    md2 = G.mean_dphi2(phi, mu, delta0)
    vals = [G.pair(phi, d, delta0, mu, w) for w in ("phi", "Phi", "dphi")]
    assert all(math.isfinite(v) for v in vals)
    assert abs(vals[0]) <= m2 * (1 + 1e-12) + 1e-300            # Cauchy-Schwarz
    assert abs(vals[2]) <= md2 * (1 + 1e-12) + 1e-300
    assert G.F_dphi(phi, delta0, delta0, mu) == pytest.approx(md2, rel=1e-12, abs=1e-300)


# --- one calling convention (issue 7: mean_phi(phi, mu, delta0) vs pair(phi, delta, delta0, mu))

ONE_POINT = ["mean_phi", "mean_phi2", "mean_dphi", "mean_dphi2", "mean_x_phi_dphi",
             "mean_primitive"]
PAIRS = ["pair", "F_phi", "F_Phi", "F_dphi"]


@pytest.mark.parametrize("name", ONE_POINT + PAIRS + ["expect"])
def test_field_statistics_are_keyword_only_and_named_alike(name):
    import inspect

    params = inspect.signature(getattr(G, name)).parameters
    kw = [p for p, v in params.items() if v.kind is v.KEYWORD_ONLY]
    assert kw[:2] == ["mu", "delta0"]
    assert params["mu"].default == 0.0 and params["delta0"].default == 1.0


@pytest.mark.parametrize("name", ONE_POINT)
def test_one_point_legacy_positional_order_keeps_its_meaning(name):
    f = getattr(G, name)
    assert f("tanh", 0.4, 1.7) == f("tanh", mu=0.4, delta0=1.7)
    assert f("tanh", 0.4, delta0=1.7) == f("tanh", delta0=1.7, mu=0.4)
    with pytest.raises(TypeError, match="multiple values for argument 'mu'"):
        f("tanh", 0.4, mu=0.4)
    with pytest.raises(TypeError, match="at most 3 positional"):
        f("tanh", 0.4, 1.7, 2.0)


@pytest.mark.parametrize("name", PAIRS)
def test_pair_legacy_positional_order_keeps_its_meaning(name):
    f = getattr(G, name)
    # the old positional order was (delta, delta0, mu): it must not be read as (mu, delta0)
    assert f("tanh", 0.3, 1.7, 0.4) == f("tanh", 0.3, mu=0.4, delta0=1.7)
    assert f("tanh", 0.3, 1.7, mu=0.4) == f("tanh", 0.3, delta0=1.7, mu=0.4)
    with pytest.raises(TypeError, match="multiple values for argument 'delta0'"):
        f("tanh", 0.3, 1.7, delta0=1.7)


def test_pair_which_keyword_and_legacy_position():
    assert G.pair("tanh", 0.3, 1.7, 0.4, "dphi") == G.pair("tanh", 0.3, mu=0.4, delta0=1.7,
                                                           which="dphi")
    assert G.F_dphi("tanh", 0.3, mu=0.4, delta0=1.7) == G.pair("tanh", 0.3, mu=0.4, delta0=1.7,
                                                               which="dphi")
    with pytest.raises(TypeError, match="at most 5 positional"):
        G.pair("tanh", 0.3, 1.7, 0.4, "dphi", 0)


def test_pair_at_zero_lag_is_the_one_point_average_in_keyword_form():
    kw = dict(mu=0.7, delta0=1.3)
    assert G.F_phi("erf", 1.3, **kw) == pytest.approx(G.mean_phi2("erf", **kw), rel=1e-12)
    assert G.F_phi("erf", 0.0, **kw) == pytest.approx(G.mean_phi("erf", **kw) ** 2, rel=1e-12)
