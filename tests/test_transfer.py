"""Transfer functions: derivatives, primitives, custom() and its input checks."""

from __future__ import annotations

import numpy as np
import pytest

from meanfield import transfer
from meanfield.errors import ParameterError

X = np.concatenate([np.linspace(-12, 12, 97), [-800.0, -40.0, -1e-6, 0.0, 1e-6, 40.0, 800.0]])


@pytest.mark.parametrize("name", transfer.NAMES)
def test_derivatives_and_primitive_consistent(name):
    tf = transfer.get(name)
    x = np.linspace(-6, 6, 41) + 0.0123        # avoid the relu kink
    h = 1e-5
    np.testing.assert_allclose(tf.dphi(x), (tf.phi(x + h) - tf.phi(x - h)) / (2 * h), atol=1e-9)
    np.testing.assert_allclose(tf.primitive(x + h) - tf.primitive(x - h), 2 * h * tf.phi(x),
                               rtol=1e-8, atol=1e-14)
    if name != "relu":
        np.testing.assert_allclose(tf.d2phi(x), (tf.dphi(x + h) - tf.dphi(x - h)) / (2 * h), atol=1e-8)
    assert tf.primitive(np.array(0.0)) == 0.0


@pytest.mark.parametrize("name", transfer.NAMES)
def test_finite_everywhere_no_warnings(name):
    tf = transfer.get(name)
    for fn in (tf.phi, tf.dphi, tf.d2phi, tf.primitive):
        assert np.all(np.isfinite(fn(X)))


def test_tails_without_cancellation():
    # 1 - tanh^2 would return 8.2e-9 with 1e-8 relative error; sech^2 is exact to rounding
    tf = transfer.get("tanh")
    assert tf.dphi(np.array(10.0)) == pytest.approx(8.244614546626394e-09 * 1.0, rel=1e-14)
    assert tf.primitive(np.array(1e-4)) == pytest.approx(0.5e-8 - 1e-16 / 12, rel=1e-14)
    sg = transfer.get("sigmoid")
    assert sg.dphi(np.array(30.0)) == pytest.approx(np.exp(-30.0) / (1 + np.exp(-30.0)) ** 2, rel=1e-14)
    assert sg.primitive(np.array(1e-6)) == pytest.approx(0.5e-6 + 1e-12 / 8, rel=1e-14)


def test_get_errors():
    with pytest.raises(ParameterError, match="`phi`"):
        transfer.get("tahn")
    with pytest.raises(ParameterError, match="`phi`"):
        transfer.get(np.tanh)
    assert transfer.get(" TANH ") is transfer.get("tanh")


def test_custom_errors():
    with pytest.raises(ParameterError, match="`phi`"):
        transfer.custom(3.0)
    with pytest.raises(ParameterError, match="`dphi`"):
        transfer.custom(np.tanh, dphi=1.0)
    with pytest.raises(ParameterError, match="`phi`"):
        transfer.custom(lambda x: np.full_like(x, np.nan))
    with pytest.raises(ParameterError, match="`odd"):
        transfer.custom(np.exp, odd=True)
    with pytest.raises(ParameterError, match="`strip`"):
        transfer.custom(np.tanh, strip=-1.0)
    with pytest.raises(ParameterError, match="`name`"):
        transfer.custom(np.tanh, name="")


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "erf"])
def test_custom_numerical_derivatives(name):
    """Derived phi', phi'' and Phi against the exact ones (documented accuracy)."""
    tf = transfer.get(name)
    c = transfer.custom(tf.phi, strip=tf.strip)
    assert not c.exact_derivatives
    x = np.linspace(-8, 8, 161)
    np.testing.assert_allclose(c.dphi(x), tf.dphi(x), rtol=0, atol=1e-12)
    np.testing.assert_allclose(c.d2phi(x), tf.d2phi(x), rtol=0, atol=1e-9)
    np.testing.assert_allclose(c.primitive(x), tf.primitive(x), rtol=1e-14, atol=1e-15)


# --- issue 7: custom functions that exhausted memory, overflowed or jumped ---------------

def _peak_bytes(call):
    import tracemalloc
    tracemalloc.start()
    try:
        out = call()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_regression_custom_sign_exhausts_memory():
    # was 34.9 GiB in the primitive's quadrature; a jump makes numerical derivatives junk
    with pytest.raises(ParameterError, match=r"`phi` appears discontinuous near x=(-)?[0-9.e-]+ "):
        transfer.custom(lambda x: np.sign(x))
    with pytest.raises(ParameterError, match="discontinuous near x=50.3"):
        transfer.custom(lambda x: np.heaviside(x - 50.3, 0.5))
    # with its derivatives (the delta dropped) and primitive given, a step is accepted
    tf = transfer.custom(np.sign, np.zeros_like, np.zeros_like, np.abs, name="sign")
    assert tf.primitive(np.array(-2.0)) == 2.0


def test_regression_custom_softplus_overflow():
    # log1p(exp(x)) is inf beyond x = 709: was 48 GiB, now refused with the fix
    with pytest.raises(ParameterError, match="`phi` must be finite.*logaddexp"):
        transfer.custom(lambda x: np.log1p(np.exp(x)))
    sp = transfer.custom(lambda x: np.logaddexp(0.0, x))
    assert sp.primitive(np.array(1e3)) == pytest.approx(0.5e6 + np.pi ** 2 / 12, rel=1e-13)


def test_regression_custom_shifted_tanh_primitive_memory():
    # was 14.5 GB and 2 minutes inside dmft.solve: the primitive on 364749 points up to 1e5
    tf = transfer.custom(lambda x: np.tanh(x + 0.5) - np.tanh(0.5))
    x = np.random.default_rng(0).normal(size=364749) * 1e5
    (val, peak) = _peak_bytes(lambda: tf.primitive(x))
    assert peak < 30 * x.nbytes, peak          # O(size of the input), not O(size * max|x|)
    exact = (transfer.get("tanh").primitive(x + 0.5) - transfer.get("tanh").primitive(0.5)
             - np.tanh(0.5) * x)
    np.testing.assert_allclose(val, exact, rtol=1e-11, atol=1e-9)


@pytest.mark.parametrize("x", [1e3, 1e5, 1e10, 1e100, 1e300, -1e300])
def test_numerical_primitive_far_out(x):
    c = transfer.custom(np.tanh)
    assert c.primitive(np.array(x)) == pytest.approx(transfer.get("tanh").primitive(x),
                                                    rel=1e-12)


def test_numerical_primitive_edges():
    c = transfer.custom(np.tanh)
    assert c.primitive(np.array([])).shape == (0,)
    v = c.primitive(np.array([[0.0, np.nan], [np.inf, -np.inf]]))
    assert v.shape == (2, 2) and v[0, 0] == 0.0 and np.all(np.isnan(v.ravel()[1:]))


@pytest.mark.parametrize("kwargs, name", [
    (dict(strip="1"), "strip"), (dict(strip=True), "strip"), (dict(strip=np.nan), "strip"),
    (dict(odd="yes"), "odd"), (dict(odd=np.array([True, False])), "odd"),
    (dict(kinks=["a"]), "kinks"), (dict(kinks=[np.nan]), "kinks"),
    (dict(kinks=0.0), "kinks"), (dict(kinks=np.zeros(101)), "kinks"),
    (dict(kinks=[[0.0], [1.0, 2.0]]), "kinks"),
])
def test_custom_options_are_validated(kwargs, name):
    with pytest.raises(ParameterError, match=f"`{name}`"):
        transfer.custom(np.tanh, **kwargs)


def test_custom_accepts_steep_and_growing_functions():
    assert transfer.custom(lambda x: np.tanh(1e6 * x)).name == "custom"
    assert transfer.custom(lambda x: x ** 3).primitive(np.array(2.0)) == pytest.approx(4.0)
    assert transfer.custom(np.tanh, strip=np.inf, kinks=np.array([0.0])).strip == np.inf
