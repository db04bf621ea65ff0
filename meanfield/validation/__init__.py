r"""Statistics for meeting a theory with a finite-size simulation.

The machinery behind the repository's validation suite (``python -m validation``,
run from a checkout: its cases and measured budgets live in the repository's
``validation/`` folder), usable for any comparison of a theory value with a mean
over independent realisations (seeds).

Error model of one row
    A statistic is simulated on :math:`n` independent realisations; their mean
    :math:`\bar y` has standard error :math:`s`.  The row passes when

    .. math::

        |\bar y - \text{theory}| < t_{n-1}(1 - \alpha/2)\, s + b(N)\,\text{scale},

    with :math:`t_{n-1}` the Student-t quantile (few seeds: the standard error is
    itself estimated from :math:`n` values), :math:`\alpha` the probability that a
    correct theory fails the row by chance (:data:`ALPHA`), and :math:`b(N)` the
    relative finite-size bias budget at :math:`N` units, measured on held-out
    seeds (:func:`fit_inverse_n`).

Minimum detectable error
    The tolerance as a fraction of the scale, :func:`minimum_detectable_error`:
    a theory wrong by more than this (relative) fails the row, whatever the
    sampling luck, up to the deviation already present.  A row whose minimum
    detectable error exceeds :data:`SMOKE_LIMIT` is a *smoke* test (it can only
    catch gross errors), and is reported as such, never as a pass.
"""

from ._stats import (
    ALPHA,
    SMOKE_LIMIT,
    Extrapolation,
    FiniteSizeFit,
    extrapolate,
    fit_inverse_n,
    minimum_detectable_error,
    n_for_resolution,
    t_quantile,
    tolerance,
    verdict,
)

__all__ = ["ALPHA", "SMOKE_LIMIT", "Extrapolation", "FiniteSizeFit", "extrapolate",
           "fit_inverse_n", "minimum_detectable_error", "n_for_resolution", "t_quantile",
           "tolerance", "verdict"]
