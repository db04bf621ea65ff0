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
