"""Theory-vs-simulation validation suite of meanfield: ``python -m validation [--quick]``.

:mod:`validation.cases` defines the cases (sizes, seeds, tolerances with their
measured finite-size budgets), :mod:`validation.run` runs them and writes the
report, :mod:`validation.finite_size` measures the budgets.
"""

from .cases import CASES, Case, Size
from .run import main, run_case

__all__ = ["CASES", "Case", "Size", "main", "run_case"]
