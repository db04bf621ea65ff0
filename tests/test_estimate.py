"""Tests of meanfield.estimate.Estimate."""

import json

import numpy as np
import pytest

from meanfield.errors import ParameterError
from meanfield.estimate import Estimate


def test_repr_and_str():
    e = Estimate(1.2345, 0.0012, 8)
    assert repr(e) == "1.2345 ± 0.0012 (n=8)"
    assert str(e) == repr(e)
    assert str(Estimate(-3.14159, 0.25, 4)) == "-3.14 ± 0.25 (n=4)"


def test_from_samples_matches_formula():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 3))
    e = Estimate.from_samples(x)
    np.testing.assert_allclose(e.mean, x.mean(axis=0), rtol=0, atol=1e-15)
    np.testing.assert_allclose(e.stderr, x.std(axis=0, ddof=1) / np.sqrt(12), rtol=1e-14)
    assert e.n == 12 and e.shape == (3,)
    e1 = Estimate.from_samples(x, axis=1)
    assert e1.n == 3 and e1.shape == (12,)
    s = Estimate.from_samples([1.0, 2.0, 3.0, 4.0])
    assert s.mean == 2.5 and isinstance(s.mean, float)
    assert s.stderr == pytest.approx(np.sqrt(5.0 / 3.0) / 2.0, rel=1e-15)


def test_z_and_coverage():
    assert Estimate(1.0, 0.5, 3).z(0.0) == 2.0
    # stderr is calibrated: z of the true mean over many experiments has unit variance
    rng = np.random.default_rng(1)
    zs = np.array([Estimate.from_samples(rng.normal(2.0, 3.0, size=50)).z(2.0)
                   for _ in range(2000)])
    assert abs(zs.mean()) < 4 / np.sqrt(2000)
    assert abs(zs.std() - 1.0) < 0.06


def test_indexing_iteration_equality_hash():
    e = Estimate([1.0, 2.0], [0.1, 0.2], 5)
    assert e[1] == Estimate(2.0, 0.2, 5)
    assert [x.mean for x in e] == [1.0, 2.0]
    assert len(e) == 2
    assert e != Estimate([1.0, 2.0], [0.1, 0.3], 5)
    assert hash(Estimate(1.0, 0.1, 2)) == hash(Estimate(1.0, 0.1, 2))
    with pytest.raises(TypeError):
        hash(e)
    with pytest.raises(ValueError):
        e.mean[0] = 3.0  # read-only


def test_to_dict_is_json():
    d = Estimate([1.0, 2.0], [0.1, 0.2], 5).to_dict()
    assert json.loads(json.dumps(d)) == {"mean": [1.0, 2.0], "stderr": [0.1, 0.2], "n": 5}
    assert Estimate(1.5, 0.1, 2).to_dict() == {"mean": 1.5, "stderr": 0.1, "n": 2}


def test_bad_input():
    with pytest.raises(ParameterError, match="`samples`"):
        Estimate.from_samples([1.0])
    with pytest.raises(ParameterError, match="`samples`"):
        Estimate.from_samples([1.0, np.nan])
    with pytest.raises(ParameterError, match="`stderr`"):
        Estimate(1.0, -0.1, 3)
    with pytest.raises(ParameterError, match="`stderr`"):
        Estimate([1.0, 2.0], [0.1], 3)
    with pytest.raises(ParameterError, match="`n`"):
        Estimate(1.0, 0.1, 0)
