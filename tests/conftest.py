"""Shared test setup: one BLAS thread.

On small shared machines BLAS threading makes dense eigen-decompositions and
products erratic (a 1000 x 1000 ``eigvals`` went from 0.6 s to 15 s with two
contended threads), so the suite runs single-threaded; tests that exercise
threading ask for threads explicitly (nested limits override this one).
"""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    with threadpool_limits(limits=1):
        yield
