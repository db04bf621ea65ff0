"""Tests of meanfield.ensembles.LowRankPlusRandom."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from meanfield.ensembles import Ensemble, Gaussian, LowRankPlusRandom
from meanfield.errors import ParameterError


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(1):
        yield


V = np.ones(5)


@pytest.mark.parametrize("kwargs, name", [
    ({"g": -1.0, "overlap": 1.0}, "`g`"),
    ({"g": 1.0}, "overlap"),                                   # neither vectors nor overlap
    ({"g": 1.0, "left": V}, "`right`"), ({"g": 1.0, "right": V}, "`left`"),
    ({"g": 1.0, "left": V, "right": np.ones(4)}, "`right`"),
    ({"g": 1.0, "left": V, "right": V, "overlap": 1.0}, "overlap"),
    ({"g": 1.0, "left": [np.nan] * 5, "right": V}, "`left`"),
    ({"g": 1.0, "left": np.ones((2, 2, 2)), "right": np.ones((2, 2, 2))}, "`left`"),
    ({"g": 1.0, "left": V, "right": V, "right_perp": 0.5}, "`right_perp`"),
    ({"g": 1.0, "overlap": [[1.0, 2.0]]}, "`overlap`"),
    ({"g": 1.0, "overlap": [1.0, 2.0]}, "`overlap`"),
    ({"g": 1.0, "overlap": np.inf}, "`overlap`"),
    ({"g": 1.0, "overlap": 1.0, "right_perp": -1.0}, "`right_perp`"),
])
def test_bad_parameters(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        LowRankPlusRandom(**kwargs)


def test_explicit_vectors_need_their_size():
    ens = LowRankPlusRandom(1.0, left=V, right=V)
    with pytest.raises(ParameterError, match="`n`"):
        ens.sample(6)
    with pytest.raises(ParameterError, match="`n`"):
        ens.outliers(4)
    assert ens.size == 5 and ens.rank == 1 and isinstance(ens, Ensemble)


def test_rank_one_mean_is_the_gaussian_ensemble():
    # left = 1, right = J0 1 gives J0/N on every entry: exactly Gaussian(g, J0) with the same seed
    N = 200
    ens = LowRankPlusRandom(1.3, left=np.ones(N), right=2.5 * np.ones(N))
    np.testing.assert_allclose(ens.sample(N, seed=4), Gaussian(1.3, 2.5).sample(N, seed=4),
                               rtol=0, atol=1e-15)
    np.testing.assert_array_equal(ens.outliers(), Gaussian(1.3, 2.5).outliers())


def test_seed_reproducible_and_vectors_match_sample():
    ens = LowRankPlusRandom(0.5, overlap=[[2.0, 0.3], [0.0, 1.0]], right_perp=0.7)
    assert np.array_equal(ens.sample(50, seed=1), ens.sample(50, seed=1))
    assert not np.array_equal(ens.sample(50, seed=1), ens.sample(50, seed=2))
    m, nv = ens.sample_vectors(50, seed=1)
    J = ens.sample(50, seed=1)
    # J - m n^T / N is the Gaussian bulk (variance g^2/N; sd of the sample sd ~ g/sqrt(2 N^2))
    resid = J - m @ nv.T / 50
    assert abs(resid.std() * np.sqrt(50) - 0.5) < 4 * 0.5 / np.sqrt(2 * 2500)
    assert ens.sample(50, seed=1, dtype=np.float32).dtype == np.float32


def test_overlap_statistics_of_drawn_vectors():
    N = 4000
    O = np.array([[1.5, -0.8], [0.4, 2.0]])
    s = 0.6
    ens = LowRankPlusRandom(1.0, overlap=O, right_perp=s)
    m, nv = ens.sample_vectors(N, seed=9)
    real = nv.T @ m / N
    # sd of n_a^T m_b / N: sqrt((|O_a.|^2 + O_ab^2 + s^2)/N)
    sd = np.sqrt(((O ** 2).sum(axis=1)[:, None] + O ** 2 + s ** 2) / N)
    assert np.all(np.abs(real - O) < 4 * sd)
    # |m_a|^2 / N -> 1 (sd sqrt(2/N)); |n_a|^2 / N -> (O O^T)_aa + s^2 (sd sqrt(2/N) times that)
    assert np.all(np.abs((m ** 2).mean(axis=0) - 1) < 4 * np.sqrt(2 / N))
    qn = np.diag(O @ O.T) + s ** 2
    assert np.all(np.abs((nv ** 2).mean(axis=0) - qn) < 4 * qn * np.sqrt(2 / N))


def test_outlier_rules():
    assert LowRankPlusRandom(1.0, overlap=0.8).outliers().size == 0       # inside the bulk
    out = LowRankPlusRandom(1.0, overlap=[[1.5, -1.0], [1.0, 1.5]]).outliers()
    assert np.iscomplexobj(out)
    np.testing.assert_allclose(np.sort_complex(out), [1.5 - 1j, 1.5 + 1j])
    out = LowRankPlusRandom(1.0, overlap=np.diag([0.5, -3.0, 2.0])).outliers()
    np.testing.assert_array_equal(out, [-3.0, 2.0])
    ens = LowRankPlusRandom(1.0, overlap=2.0)
    assert ens.spectral_radius == 1.0 and ens.coupling_variance == 1.0
    assert float(ens.radial_cdf(0.5)) == pytest.approx(0.25)


def _top(ev, k):
    return ev[np.argsort(-np.abs(ev))][:k]


@pytest.mark.parametrize("O", [np.diag([2.0, -1.8]), np.array([[1.5, -1.0], [1.0, 1.5]])])
def test_outliers_against_realized_overlap(O):
    # outliers ~ eig(O_real + g C / lambda), C_ab = n_a^T chi m_b / N with sd sqrt(q_na q_mb / N):
    # O is normal here, so the first-order shift has sd <= g sqrt(max q_n max q_m / N) / |lambda|.
    # Measured over seeds 0-9 at N = 1000: at most 2.3 of these sd (2.3/sqrt(N)) for both overlaps.
    N, g = 1000, 1.0
    ens = LowRankPlusRandom(g, overlap=O)
    m, nv = ens.sample_vectors(N, seed=0)
    pred = np.linalg.eigvals(nv.T @ m / N)
    ev = _top(np.linalg.eigvals(ens.sample(N, seed=0)), 3)
    qn, qm = (nv ** 2).mean(axis=0).max(), (m ** 2).mean(axis=0).max()
    for t in ev[:2]:
        lam = pred[np.argmin(np.abs(pred - t))]
        sd = g * np.sqrt(qn * qm / N) / abs(lam)
        assert abs(t - lam) < 4 * sd + 1.0 / N, (t, lam, sd)
    # and the bulk edge stays at g (the third eigenvalue by modulus)
    assert abs(abs(ev[2]) - g) < 4 * g / np.sqrt(N)


def test_rank_one_outlier_against_expected_overlap():
    # N -> infinity limit: sd of the outlier = sqrt(O^2 2/N + g^2 q_n q_m /(N O^2)),
    # q_n = O^2, q_m = 1 (realized-overlap spread plus the bulk's shift)
    N, g, O = 600, 1.0, 2.5
    ens = LowRankPlusRandom(g, overlap=O)
    sd = np.sqrt(O ** 2 * 2 / N + g ** 2 * O ** 2 / (N * O ** 2))
    for seed in (0, 1):
        top = _top(np.linalg.eigvals(ens.sample(N, seed=seed)), 1)[0]
        assert abs(top - ens.outliers()[0]) < 4 * sd


def test_explicit_vectors_outliers():
    N = 800
    rng = np.random.default_rng(3)
    m = rng.standard_normal((N, 2))
    nv = m @ np.array([[2.2, 0.0], [0.0, -1.6]]) + 0.3 * rng.standard_normal((N, 2))
    ens = LowRankPlusRandom(0.9, left=m, right=nv)
    pred = ens.outliers()
    np.testing.assert_allclose(np.sort(pred.real), np.sort(np.linalg.eigvals(nv.T @ m / N).real))
    top = _top(np.linalg.eigvals(ens.sample(N, seed=5)), 2)
    qn, qm = (nv ** 2).mean(axis=0).max(), (m ** 2).mean(axis=0).max()
    for t in top:
        lam = pred[np.argmin(np.abs(pred - t))]
        # the overlap matrix is nearly diagonal (normal up to O(N^-1/2)); first-order sd as above
        assert abs(t - lam) < 4 * 0.9 * np.sqrt(qn * qm / N) / abs(lam) + 1.0 / N


def test_deprecated_vector_names_warn_and_still_work():
    # `m=`, `n=`, `n_perp=` were renamed `left=`, `right=`, `right_perp=` (`n` is the number of
    # units everywhere else); the old names work for one release with a DeprecationWarning
    N = 6
    left, right = np.arange(1.0, N + 1), np.ones(N)
    with pytest.warns(DeprecationWarning) as record:     # one block: nested warns lose
        old = LowRankPlusRandom(0.5, m=left, n=right)    # warnings on pytest < 8
    messages = " ".join(str(w.message) for w in record)
    assert "`m` is deprecated" in messages and "`n` is deprecated" in messages
    new = LowRankPlusRandom(0.5, left=left, right=right)
    assert np.array_equal(old.sample(N, seed=2), new.sample(N, seed=2))
    with pytest.warns(DeprecationWarning, match="`n` is deprecated"):
        assert np.array_equal(old.n, new.right)
    with pytest.warns(DeprecationWarning, match="`m` is deprecated"):
        assert np.array_equal(old.m, new.left)
    with pytest.warns(DeprecationWarning, match="`n_perp` is deprecated"):
        assert LowRankPlusRandom(0.5, overlap=1.0, n_perp=0.3).right_perp == 0.3
    with pytest.warns(DeprecationWarning), pytest.raises(ParameterError, match="`left`"):
        LowRankPlusRandom(0.5, left=left, m=left, right=right)
