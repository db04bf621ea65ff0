"""Figure of :class:`~meanfield.transient.ExponentFit` (imported by its ``.plot()`` only).

Pyplot-free (:func:`meanfield.plotting.new_figure`); this package imports neither
matplotlib nor :mod:`meanfield.plotting` until a figure is asked for.
"""

from __future__ import annotations

import math

import numpy as np


def plot_exponent_fit(fit, ax=None, *, title=None):
    """log O against log(<mu^2> - <mu^2>_c): the points and the fitted power law."""
    from ..plotting import new_figure

    fig, ax = new_figure(ax=ax)
    d = np.asarray(fit.distance, dtype=np.float64)
    o = np.asarray(fit.order_parameter, dtype=np.float64)
    good = np.isfinite(o) & (o > 0) & (d > 0)
    ax.plot(d[good], o[good], "o", ms=4, label="order parameter")
    if math.isfinite(fit.exponent) and math.isfinite(fit.intercept) and good.any():
        dd = np.geomspace(d[good].min(), d[good].max(), 50)
        ax.plot(dd, np.exp(fit.intercept) * dd ** fit.exponent, "-", color="k", lw=1,
                label=rf"fit, exponent {fit.exponent:.4g} $\pm$ {fit.stderr:.1g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\langle\mu^2\rangle - \langle\mu^2\rangle_c$")
    ax.set_ylabel("gain above 1" if fit.kind == "amplified" else "local maximum above minimum")
    ax.set_title(title if title is not None else
                 f"{fit.kind}, r={fit.r:g}: critical <mu^2> = {fit.critical:.5g}"
                 + ("" if fit.success else f" ({fit.message})"), fontsize=8)
    ax.legend(fontsize=8)
    return fig
