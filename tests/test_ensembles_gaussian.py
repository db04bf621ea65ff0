"""Tests of meanfield.ensembles.Gaussian."""

import numpy as np
import pytest

from meanfield.ensembles import Ensemble, Gaussian
from meanfield.errors import ParameterError


@pytest.mark.parametrize("g, J0", [(1.5, 0.0), (0.5, 2.0), (2.0, -1.0)])
def test_entry_statistics_within_4_stderr(g, J0):
    n = 400
    J = Gaussian(g, J0=J0).sample(n, seed=3)
    x = J.ravel()
    m = x.size
    # mean J0/n with stderr sqrt(g^2/n / m)
    assert abs(x.mean() - J0 / n) < 4 * np.sqrt(g**2 / n / m)
    # variance g^2/n; stderr of the sample variance of a Gaussian: var * sqrt(2/(m-1))
    var = g**2 / n
    assert abs(x.var(ddof=1) - var) < 4 * var * np.sqrt(2.0 / (m - 1))
    # standardized entries are Gaussian: fourth moment 3 within 4 stderr (stderr ~ sqrt(96/m))
    z = (x - J0 / n) / np.sqrt(var)
    assert abs(np.mean(z**4) - 3.0) < 4 * np.sqrt(96.0 / m)


def test_same_seed_same_matrix_and_different_seed_differs():
    G = Gaussian(1.2)
    assert np.array_equal(G.sample(50, seed=7), G.sample(50, seed=7))
    assert not np.array_equal(G.sample(50, seed=7), G.sample(50, seed=8))
    gen1, gen2 = np.random.default_rng(5), np.random.default_rng(5)
    assert np.array_equal(G.sample(10, seed=gen1), G.sample(10, seed=gen2))


def test_dtype_and_diagonal():
    J = Gaussian(1.0).sample(30, seed=0, dtype=np.float32)
    assert J.dtype == np.float32 and J.shape == (30, 30)
    assert np.all(np.diag(J) != 0.0)  # the diagonal is sampled too


def test_theory_properties():
    G = Gaussian(1.5, J0=0.5)
    assert G.coupling_variance == pytest.approx(2.25)
    assert G.spectral_radius == 1.5
    assert G.outliers().size == 0
    np.testing.assert_array_equal(Gaussian(1.0, J0=-3.0).outliers(), [-3.0])
    assert isinstance(G, Ensemble)


def test_spectral_radius_and_outlier_of_sample():
    n = 800
    ev = np.linalg.eigvals(Gaussian(1.0, J0=3.0).sample(n, seed=1))
    ev = ev[np.argsort(-np.abs(ev))]
    assert abs(ev[0] - 3.0) < 0.2  # outlier near J0 (fluctuations O(1/sqrt n))
    assert abs(np.abs(ev[1]) - 1.0) < 0.1  # bulk edge near g


@pytest.mark.parametrize("kwargs, name", [({"g": -1.0}, "`g`"), ({"g": np.inf}, "`g`"),
                                          ({"g": 1.0, "J0": np.nan}, "`J0`"),
                                          ({"g": "a"}, "`g`")])
def test_bad_parameters(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        Gaussian(**kwargs)


@pytest.mark.parametrize("n", [0, 2.5, True, -3])
def test_bad_n(n):
    with pytest.raises(ParameterError, match="`n`"):
        Gaussian(1.0).sample(n)


def test_bad_dtype_and_seed():
    with pytest.raises(ParameterError, match="`dtype`"):
        Gaussian(1.0).sample(3, dtype=np.int64)
    with pytest.raises(ParameterError, match="`seed`"):
        Gaussian(1.0).sample(3, seed=-1)


def test_base_class_is_abstract():
    with pytest.raises(TypeError):
        Ensemble()


def test_gaussian_spectral_theory_against_samples():
    # circular law and quarter-circle law at n=1000, one seed: fractions inside
    # a radius have binomial sd <= 0.016, plus an edge budget of a few 1/sqrt(n)
    ens = Gaussian(g=1.5)
    J = ens.sample(1000, seed=0)
    ev = np.abs(np.linalg.eigvals(J))
    sv = np.linalg.svd(J, compute_uv=False)
    for r in (0.5, 1.0, 1.4):
        assert abs(np.mean(ev <= r) - ens.radial_cdf(r)) < 0.03
    from scipy.integrate import quad
    for s in (0.5, 1.5, 2.5):
        assert abs(np.mean(sv <= s) - quad(ens.singular_value_density, 0, s)[0]) < 0.03
    assert ens.radial_cdf(2.0) == 1.0
    np.testing.assert_allclose(ens.eigenvalue_density([0, 1j, 2]),
                               [1 / (np.pi * 2.25)] * 2 + [0.0])
    assert quad(ens.singular_value_density, 0, 3.0)[0] == pytest.approx(1.0, abs=1e-7)


def test_gaussian_theory_rejects_bad_input():
    with pytest.raises(ParameterError, match="`r`"):
        Gaussian(1.0).radial_cdf(-1.0)
    with pytest.raises(ParameterError, match="`z`"):
        Gaussian(1.0).eigenvalue_density(np.nan)
    with pytest.raises(ParameterError, match="`g`"):
        Gaussian(0.0).eigenvalue_density(0.0)


def test_outliers_takes_n_like_every_ensemble_regression():
    # Gaussian.outliers(300) raised TypeError although the README documents outliers(n)
    import meanfield as mf
    assert mf.ensembles.Gaussian(1.0, J0=2.0).outliers(300).tolist() == [2.0]
    assert mf.ensembles.Gaussian(1.0, J0=2.0).outliers().tolist() == [2.0]
    with pytest.raises(mf.ParameterError, match="`n`"):
        mf.ensembles.Gaussian(1.0).outliers(0)
