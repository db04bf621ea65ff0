"""Property tests of the random-matrix and transient entry points on bad and edge input.

Same contract as ``tests/test_properties.py``: every call either works and returns
finite numbers, or raises :class:`~meanfield.errors.ParameterError` naming a
parameter in backticks (``ConvergenceError`` where a solver documents it; the
ensembles document ``NotImplementedError`` for outliers with no theory).  Never
another exception, a NaN or a hang.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import meanfield as mf
from meanfield.errors import ConvergenceError, ParameterError

SETTINGS = settings(deadline=None, max_examples=20, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

BAD_OR_EDGE = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, -1.0, 0.0, -0.0, 1e-300, 1e300, 2.0, 0.5,
                     "1", None, 1 + 1j, [1.0, 2.0]]),
    st.floats(-3.0, 3.0))

ENSEMBLES = {
    "Gaussian": lambda a, b: mf.ensembles.Gaussian(a, J0=b),
    "Elliptic": lambda a, b: mf.ensembles.Elliptic(a, b),
    "RajanAbbott": lambda a, b: mf.ensembles.RajanAbbott(f=b, mu_e=1.0, sigma_e=a, sigma_i=1.0),
    "RajanAbbott_sparse": lambda a, b: mf.ensembles.RajanAbbott(f=0.8, mu_e=a, sigma_e=1.0,
                                                                sigma_i=1.0, sparsity=b),
    "BlockVariance": lambda a, b: mf.ensembles.BlockVariance((b, 1 - b) if isinstance(b, float)
                                                             else b, ((a, 1.0), (1.0, a))),
    "LowRankPlusRandom": lambda a, b: mf.ensembles.LowRankPlusRandom(a, overlap=[[b]]),
    "RandomMode": lambda a, b: mf.ensembles.RandomMode(a, spectrum="exponential", overlap=b),
}


def _finite(x):
    arr = np.asarray(x)
    return arr.dtype == object or bool(np.all(np.isfinite(arr)))


def _parameter_error_named(exc):
    assert isinstance(exc, ParameterError), f"{type(exc).__name__}: {exc}"
    assert "`" in str(exc), f"message names no parameter: {exc}"


@pytest.mark.parametrize("name", sorted(ENSEMBLES))
@SETTINGS
@given(a=BAD_OR_EDGE, b=BAD_OR_EDGE)
def test_ensemble_constructor_and_theory(name, a, b):
    try:
        ens = ENSEMBLES[name](a, b)
    except ParameterError as exc:
        _parameter_error_named(exc)
        return
    except Exception as exc:  # noqa: BLE001 - the property under test
        pytest.fail(f"{name}({a!r}, {b!r}) raised {type(exc).__name__}: {exc}")
    # a valid ensemble: its theory either works (finite) or refuses with ParameterError
    for call in (lambda: ens.spectral_radius, lambda: ens.coupling_variance,
                 lambda: ens.radial_cdf([0.0, 0.5, 2.0]),
                 lambda: ens.eigenvalue_density([0.1, 0.3j]),
                 lambda: ens.outliers(50)):
        try:
            out = call()
        except (ParameterError, ConvergenceError) as exc:
            if isinstance(exc, ParameterError):
                _parameter_error_named(exc)
            continue
        except NotImplementedError:
            continue                   # documented: outliers with no theory
        except TypeError:
            out = ens.outliers()       # ensembles whose outliers take no n
        assert _finite(out), (name, a, b, out)


@pytest.mark.parametrize("name", sorted(ENSEMBLES))
@pytest.mark.parametrize("n", [0, -3, 2.5, "10", None, 10**12])
def test_sample_bad_sizes(name, n):
    ens = ENSEMBLES[name](1.0, 0.5)
    with pytest.raises(ParameterError, match="`n`"):
        ens.sample(n, seed=0)


@pytest.mark.parametrize("name", sorted(ENSEMBLES))
def test_sample_same_seed_same_matrix(name):
    ens = ENSEMBLES[name](1.0, 0.5)
    a, b = ens.sample(40, seed=3), ens.sample(40, seed=3)
    assert np.array_equal(np.asarray(a), np.asarray(b)) and np.all(np.isfinite(a))


@SETTINGS
@given(t=st.one_of(BAD_OR_EDGE, st.lists(BAD_OR_EDGE, min_size=1, max_size=3)))
def test_mean_squared_norm_bad_times(t):
    ens = mf.ensembles.RajanAbbott(f=0.8, mu_e=1.0, sigma_e=0.8, sigma_i=0.8)
    try:
        out = mf.transient.mean_squared_norm(ens, t)
    except ParameterError as exc:
        _parameter_error_named(exc)
        return
    assert _finite(out) and np.all(np.asarray(out) >= 0)


@pytest.mark.parametrize("kwargs, name", [
    (dict(n=1), "`n`"), (dict(n=20, n_matrices=0), "`n_matrices`"),
    (dict(n=20, n_x0=-1), "`n_x0`"), (dict(n=20, method="qr"), "`method`"),
    (dict(n=20, seed=-1), "`seed`")])
def test_simulate_squared_norm_errors(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        mf.simulate.squared_norm(mf.ensembles.Gaussian(0.5), [1.0], **kwargs)


@pytest.mark.parametrize("kwargs, name", [
    (dict(n=1, seeds=[0]), "`n`"), (dict(n=20, seeds=[]), "`seeds`"),
    (dict(n=20, seeds=[0], radii=[-1.0]), "`radii`"), (dict(n=20, seeds=[0], error="x"), "`error`"),
    (dict(n=20, seeds=[0], k=math.nan), "`k`")])
def test_spectra_compare_errors(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        mf.spectra.compare(mf.ensembles.Gaussian(1.0), **kwargs)


def test_spectra_compare_rejects_non_ensembles():
    with pytest.raises(ParameterError, match="`ensemble`"):
        mf.spectra.compare(np.eye(3), n=10, seeds=[0])


def test_squared_norm_at_huge_times_regression():
    # scipy.special.ive returns nan above x ~ 1e9: E||x(t)||^2 was nan for t >= 1e9 (edge of
    # chaos r = 1, where it decays like 1/sqrt(4 pi t)) and for t = 1e100 (any r)
    t = np.array([1e9, 1e10, 1e50, 1e100])
    out = mf.transient.mean_squared_norm(mf.ensembles.Gaussian(1.0), t)
    np.testing.assert_allclose(out, 1.0 / np.sqrt(4 * np.pi * t), rtol=1e-9)
    ra = mf.ensembles.RajanAbbott(f=0.8, mu_e=1.0, sigma_e=0.8, sigma_i=0.8)
    assert np.all(mf.transient.mean_squared_norm(ra, t) == 0.0)


@pytest.mark.parametrize("value", [1e101, -1e101, 1e-101])
def test_gains_outside_the_representable_range_are_rejected(value):
    with pytest.raises(ParameterError, match="`g`"):
        mf.ensembles.Gaussian(value)


# ---------------------------------------------------------------------------- extreme parameters
# Extreme but allowed parameters (|x| <= 1e100, non-zero gains >= 1e-100, tau near +-1, f near
# 0 or 1, tiny sparsity): every theory method either refuses (ParameterError naming a
# parameter, ConvergenceError, NotImplementedError where documented) or returns finite numbers,
# and raises no warning (pytest runs with filterwarnings=error: an overflow warning fails).
EXTREME = st.sampled_from([0.0, 1e-100, 1e-50, 1e-8, 0.3, 1.0, 7.0, 1e8, 1e50, 1e100])
NEAR_UNIT = st.sampled_from([1e-100, 1e-16, 1e-8, 0.2, 0.5, 0.8, 1 - 1e-8, 1 - 1e-16])
TAU = st.sampled_from([-1.0, -1 + 1e-16, -1 + 1e-8, -0.5, 0.0, 0.5, 1 - 1e-8, 1 - 1e-16, 1.0])
EXTREME_ENSEMBLES = {
    "Elliptic": st.builds(lambda g, tau: mf.ensembles.Elliptic(g, tau), EXTREME, TAU),
    "LowRankPlusRandom": st.builds(
        lambda g, o, s, p: mf.ensembles.LowRankPlusRandom(g, overlap=[[o, s * o], [0.0, -o]],
                                                          right_perp=p),
        EXTREME, EXTREME, st.sampled_from([1.0, -1e-100, 1e100]), EXTREME),
    "RajanAbbott": st.builds(
        lambda f, mu, se, si, p, bal: mf.ensembles.RajanAbbott(
            f, mu, se, si, sparsity=p, balanced=bal, mu_i=None if bal else -mu),
        NEAR_UNIT, EXTREME, EXTREME, EXTREME, st.sampled_from([1.0, 0.5, 1e-8, 1e-100]),
        st.booleans()),
    "RandomMode": st.builds(
        lambda a, spec, p, c, orth: mf.ensembles.RandomMode(
            a, spectrum=spec, spectrum_exponent=None if spec == "flat" else p, scale=c,
            orthogonal=orth),
        st.sampled_from([1e-100, 1e-3, 1e-2, 1.0, 1e100]),
        st.sampled_from(["flat", "power"]),
        st.sampled_from([0.0, 1e-100, 1e-2, 0.2, 1.0, 1e2, 1e100]),
        st.sampled_from([0.0, 1e-100, -1e-50, 1.0, -7.0, 1e50, 1e100]), st.booleans()),
}
RADII = [0.0, 1e-200, 1e-100, 1e-30, 0.3, 1.0, 3.0, 1e30, 1e100]


def _theory_calls(ens):
    pts = np.array(RADII)
    try:
        scale = ens.spectral_radius if np.isfinite(ens.spectral_radius) else 1.0
    except ParameterError:  # checked with the other calls below
        scale = 1.0
    pts = np.concatenate([pts, scale * np.array([0.0, 0.5, 0.999, 1.0, 1.001, 2.0])])
    pts = pts[pts <= 1e100]
    return [lambda: ens.spectral_radius, lambda: ens.coupling_variance,
            lambda: ens.radial_cdf(pts), lambda: ens.eigenvalue_density(pts * np.exp(0.3j)),
            lambda: ens.eigenvalue_density([1e300 + 1e300j]),
            lambda: ens.singular_value_density(pts), lambda: getattr(ens, "singular_value_cdf",
                                                                       ens.radial_cdf)(pts),
            lambda: ens.outliers(), lambda: ens.outliers(50), lambda: ens.outliers(10 ** 12)]


def _random_mode_calls(ens):
    def moment(k):  # documented: inf exactly when the integral diverges (power law, k p >= 1)
        out = ens.mode_moment(k)
        if ens.spectrum == "power" and k * ens.spectrum_exponent >= 1 and ens.scale != 0:
            assert abs(out) == math.inf, (ens, k, out)  # sign of scale**k
            return 0.0
        return out
    return [lambda k=k: moment(k) for k in (-2, 1, 2, 4)] + [
        lambda: ens.effective_rank_ratio, lambda: ens.diagonal_mean, lambda: ens.inner_radius,
        lambda: ens.effective_rank(50), lambda: ens.effective_rank_J(50),
        lambda: ens.effective_rank_J(50, finite_size=True), lambda: ens.mode_spectrum(50),
        lambda: ens.sample(300, seed=0)]


def _check_extreme(ens):
    extra = _random_mode_calls(ens) if isinstance(ens, mf.ensembles.RandomMode) else []
    for call in _theory_calls(ens) + extra:
        try:
            out = call()
        except (ParameterError, ConvergenceError, NotImplementedError) as exc:
            if isinstance(exc, ParameterError):
                _parameter_error_named(exc)
            continue
        assert _finite(out), (ens, out)


def _draw_and_check(name, data):
    try:
        ens = data.draw(EXTREME_ENSEMBLES[name])
    except ParameterError as exc:
        _parameter_error_named(exc)
        return
    _check_extreme(ens)


@pytest.mark.parametrize("name", sorted(EXTREME_ENSEMBLES))
@settings(deadline=None, max_examples=40, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_extreme_parameters_give_finite_theory_or_refuse(name, data):
    _draw_and_check(name, data)


@pytest.mark.parametrize("ens", [
    mf.ensembles.Elliptic(1.0, 0.5),
    mf.ensembles.LowRankPlusRandom(1.0, overlap=2.0),
    mf.ensembles.LowRankPlusRandom(1.0, left=np.ones(50), right=2 * np.ones(50)),
    mf.ensembles.RajanAbbott(0.8, 1.0, 0.5, 1.0),
    mf.ensembles.RajanAbbott(0.5, 1.0, 1.0, 1.0, balanced=False, mu_i=-0.5),
    mf.ensembles.RandomMode(0.5, spectrum="exponential"),
], ids=lambda e: type(e).__name__)
def test_outliers_take_n_none_or_int(ens):
    # every ensemble has outliers(n=None): n is the number of units, validated the same way
    # (an integer >= 1), whether or not the prediction depends on it
    need_n = isinstance(ens, mf.ensembles.RajanAbbott) and not ens.balanced
    if need_n:
        with pytest.raises(ParameterError, match="`n`"):
            ens.outliers()
    else:
        assert np.all(np.isfinite(ens.outliers()))
    out = ens.outliers(50)
    assert np.all(np.isfinite(out)) and out.ndim == 1
    assert np.array_equal(ens.outliers(n=50), out)
    for bad in (0, -1, 2.5, "50", True):
        with pytest.raises(ParameterError, match="`n`"):
            ens.outliers(bad)


def test_column_types_radial_zero_variance_type_at_tiny_radius_regression():
    # a zero-variance column type at |z|^2 ~ 1e-200: w v^2 / (s + v)^2 was 0/0 (NaN and a
    # RuntimeWarning) once (s + 0)^2 underflowed; the derivative sums now skip types with v = 0
    from meanfield.ensembles._base import _column_types_radial
    F, rho = _column_types_radial(np.array([1e-200, 1e-170, 0.3]), [0.5, 0.5], [0.0, 1.0])
    # closed form for variances (0, 1), weights 1/2: F = 1/2 + u, rho = 1/pi below r^2 = 1/2
    np.testing.assert_allclose(F, [0.5, 0.5, 0.8], rtol=1e-12)
    np.testing.assert_allclose(rho, np.full(3, 1 / np.pi), rtol=1e-12)
    ra = mf.ensembles.RajanAbbott(0.5, 1.0, 0.0, 1.0)  # sigma_e = 0: the same column types
    np.testing.assert_allclose(ra.radial_cdf([1e-100, 1e-90]), 0.5, rtol=1e-12)
    assert np.all(np.isfinite(ra.eigenvalue_density([1e-100, 1e-90])))
