"""Shared test setup: one BLAS thread, and a shift of every seed the tests use.

One BLAS thread
    On small shared machines BLAS threading makes dense eigen-decompositions and
    products erratic (a 1000 x 1000 ``eigvals`` went from 0.6 s to 15 s with two
    contended threads), so the suite runs single-threaded; tests that exercise
    threading ask for threads explicitly (nested limits override this one).

Seed shift
    A statistical assertion must hold for any realisation, not for the one seed
    it was written with (a chaotic network amplifies round-off, so another BLAS
    kernel is already another realisation).  With the environment variable
    ``MEANFIELD_TEST_SEED_SHIFT=k`` (an integer, default 0) every seed that reaches
    :func:`numpy.random.default_rng` during the tests -- the tests' own generators
    and every ``seed=`` passed to the library, which builds its generators there --
    is replaced by the entropy ``[k, seed]``: another, independent stream for each
    k, and the same stream for equal seeds (tests comparing two runs with one seed
    still see identical draws).  ``k = 0`` changes nothing; doctests (worked examples
    with printed outputs) keep their seeds.  ``.ci/run`` runs the
    suite once more with a shift; before trusting a statistical test, run it under
    several shifts::

        for k in 1 2 3 4 5; do MEANFIELD_TEST_SEED_SHIFT=$k python -m pytest -q; done
"""

import os

import numpy as np
import pytest
from threadpoolctl import threadpool_limits


def _seed_shift() -> int:
    raw = os.environ.get("MEANFIELD_TEST_SEED_SHIFT", "0").strip() or "0"
    try:
        k = int(raw)
    except ValueError:
        raise pytest.UsageError(f"MEANFIELD_TEST_SEED_SHIFT must be an integer; got {raw!r}") from None
    if k < 0:
        raise pytest.UsageError(f"MEANFIELD_TEST_SEED_SHIFT must be >= 0; got {k}")
    return k


SEED_SHIFT = _seed_shift()


#: Modules whose tests draw random numbers and assert on them (marked ``statistical``:
#: ``.ci/run`` runs them a second time under a seed shift).
STATISTICAL_MODULES = {
    "test_simulate", "test_compare", "test_spectra", "test_transient", "test_validation",
    "test_estimate", "test_results_io", "test_ensembles_gaussian", "test_ensembles_elliptic",
    "test_ensembles_block", "test_ensembles_rajan_abbott", "test_ensembles_low_rank",
    "test_ensembles_random_mode", "test_validation_stats",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in STATISTICAL_MODULES:
            item.add_marker(pytest.mark.statistical)


def pytest_report_header(config):
    return f"meanfield test seed shift: {SEED_SHIFT} (MEANFIELD_TEST_SEED_SHIFT)"


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(autouse=True)
def _shift_seeds(request):
    # doctests are worked examples with their printed outputs: they keep their seeds
    if SEED_SHIFT == 0 or "doctest" in request.node.name:
        yield
        return
    original = np.random.default_rng

    def shifted(seed=None):
        if seed is None or isinstance(seed, (np.random.Generator, np.random.BitGenerator,
                                             np.random.SeedSequence)):
            return original(seed)
        if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
            if seed < 0:       # keep numpy's own error for negative seeds
                return original(seed)
            return original([SEED_SHIFT, int(seed)])
        try:
            entropy = [int(s) for s in np.asarray(seed).ravel()]
        except (TypeError, ValueError):
            return original(seed)       # not a seed numpy accepts: numpy raises its own error
        if any(s < 0 for s in entropy) or np.asarray(seed).dtype.kind not in "iu":
            return original(seed)
        return original([SEED_SHIFT, *entropy])

    np.random.default_rng = shifted
    try:
        yield
    finally:
        np.random.default_rng = original
