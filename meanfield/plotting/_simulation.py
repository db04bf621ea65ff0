"""Figures of simulation results (``SimulationResult.plot``, ``LyapunovResult.plot``).

Imported only when a ``.plot()`` is called (the simulator imports no plotting at module
level); figures are pyplot-free (:func:`meanfield.plotting.new_figure`).
"""

from __future__ import annotations

import numpy as np

from ._comparison import new_figure

_MAX_UNITS = 8
_MAX_EXPONENTS = 6


def plot_simulation(run, ax=None, *, title=None):
    """Delta(tau) (and C_phi(tau)) with a +-1 stderr band; a failed run's trajectories."""

    fig, ax = new_figure(ax=ax)
    if not run.success:
        if run.x is not None and run.x.shape[0] > 0:
            k = min(_MAX_UNITS, run.n)
            ax.plot(run.t, run.x[:, :k, 0], lw=0.8)
            ax.set_yscale("symlog")             # the slow start and the blow-up, both visible
            ax.set_xlabel(r"time $t$ (units of the time constant)")
            ax.set_ylabel(rf"$x_i(t)$, first {k} units")
        else:
            ax.text(0.5, 0.5, "no statistics and no recorded frames", ha="center",
                    va="center", transform=ax.transAxes)
            ax.set_axis_off()
        ax.set_title(title if title is not None else
                     f"failed run (status {run.status}): {run.message.split(':')[0]}", fontsize=8)
        return fig
    curves = [(run.delta_tau, r"$\Delta(\tau)$ (connected)")]
    if run.c_phi_tau is not None:
        curves.append((run.c_phi_tau, r"$C_\phi(\tau)$"))
    for est, label in curves:
        mean, se = np.asarray(est.mean), np.asarray(est.stderr)
        (line,) = ax.plot(run.tau, mean, ".-", ms=3, label=label)
        ax.fill_between(run.tau, mean - se, mean + se, color=line.get_color(), alpha=0.25,
                        lw=0)
    ax.axhline(0.0, color="0.7", lw=0.8)
    ax.set_xlabel(r"lag $\tau$ (units of the time constant)")
    ax.set_ylabel(r"autocovariance ($\pm 1$ stderr)")
    ax.set_title(title if title is not None else
                 f"{run.phi}, N={run.n}, {run.n_samples} samples, {run.method} dt={run.dt:g}, "
                 f"noise={run.noise:g}", fontsize=8)
    ax.legend(fontsize=8)
    return fig


def plot_lyapunov(res, ax=None, *, title=None):
    """Block exponents as points; each exponent as a line with a +-1 stderr band."""

    fig, ax = new_figure(ax=ax)
    blocks = np.arange(1, res.n_blocks + 1)
    for j in range(min(res.k, _MAX_EXPONENTS)):
        (pts,) = ax.plot(blocks, res.block_exponents[:, j], "o", ms=3.5,
                         label=rf"$\lambda_{{{j + 1}}}$ = {res.exponents[j]:.4g} "
                               rf"$\pm$ {res.stderr[j]:.2g}")
        ax.axhline(res.exponents[j], color=pts.get_color(), lw=1.0)
        ax.axhspan(res.exponents[j] - res.stderr[j], res.exponents[j] + res.stderr[j],
                   color=pts.get_color(), alpha=0.2, lw=0)
    ax.axhline(0.0, color="0.5", lw=0.8, ls="--")
    ax.set_xlabel("block of counted time")
    ax.set_ylabel(r"Lyapunov exponent (per unit time)")
    ax.set_title(title if title is not None else
                 f"{res.phi}, N={res.n}, {res.method} dt={res.dt:g}, noise={res.noise:g}, "
                 f"t_counted={res.t_counted:g}", fontsize=8)
    ax.legend(fontsize=8)
    return fig
