"""Figures of DMFT results (``DMFTResult.plot``, ``FixedPointResult.plot``).

Imported only when a ``.plot()`` is called (``meanfield.dmft`` imports no plotting at
module level); figures are pyplot-free (:func:`meanfield.plotting.new_figure`).
"""

from __future__ import annotations

import numpy as np

from ._comparison import new_figure


def plot_dmft(sol, ax=None, *, title=None):
    """Delta(tau) per population, with Delta_inf dashed and the state in the title."""
    fig, ax = new_figure(ax=ax)
    tau = np.asarray(sol.tau, dtype=float)
    curves = np.atleast_2d(sol.delta_tau)
    dinf = np.atleast_1d(sol.delta_inf)
    for p, curve in enumerate(curves):
        label = r"$\Delta(\tau)$" if len(curves) == 1 else rf"$\Delta_{p}(\tau)$"
        (line,) = ax.plot(tau, curve, label=label)
        if np.isfinite(dinf[p]) and dinf[p] != 0.0:
            ax.axhline(dinf[p], color=line.get_color(), ls="--", lw=0.8)
    ax.set_xlabel(r"lag $\tau$")
    ax.set_ylabel("autocovariance")
    ax.legend(loc="upper right")
    gains = np.atleast_1d(sol.g)
    g_text = f"{float(gains[0]):g}" if gains.size == 1 else "matrix"
    ax.set_title(title if title is not None else
                 f"DMFT: {sol.phi}, g = {g_text}, {sol.state} ({sol.method})")
    return fig


def plot_fixed_point(fp, ax=None, *, title=None):
    """The Jacobian's bulk disk around -1, its outliers, and the stability line Re = 0."""
    fig, ax = new_figure(ax=ax)
    theta = np.linspace(0.0, 2.0 * np.pi, 256)
    r = float(fp.bulk_radius)
    ax.fill(-1.0 + r * np.cos(theta), r * np.sin(theta), alpha=0.25, label="bulk")
    out = fp.outliers if fp.outliers is not None else (
        [] if fp.outlier is None else [fp.outlier])
    out = np.asarray(out, dtype=complex).ravel() - 1.0
    if out.size:
        ax.plot(out.real, out.imag, "o", color="C3", label="outliers")
    ax.axvline(0.0, color="k", lw=0.8, ls="--", label="Re = 0")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel(r"Re $\lambda$")
    ax.set_ylabel(r"Im $\lambda$")
    ax.legend(loc="upper left")
    ax.set_title(title if title is not None else
                 f"fixed point: {fp.phi}, {'stable' if fp.stable else 'unstable'}")
    return fig
