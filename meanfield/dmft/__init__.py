"""Dynamic mean-field theory of random rate networks.

Public functions: :func:`solve` (stationary DMFT), :func:`fixed_point` (static
fixed point and its stability), :func:`critical_gain` (edge of chaos) and
:func:`lyapunov` (largest Lyapunov exponent from the theory);
:func:`solve_overlap` (random-mode couplings with left-right overlaps: the single-unit
process with its self-coupling kernel).
"""

from ._lyapunov import lyapunov
from ._overlap import OverlapDMFTResult, mode_kernel, solve_overlap
from ._result import DMFTResult, FixedPointResult
from ._solve import critical_gain, fixed_point, solve

__all__ = ["solve", "fixed_point", "critical_gain", "lyapunov", "DMFTResult", "FixedPointResult",
           "solve_overlap", "OverlapDMFTResult", "mode_kernel"]
