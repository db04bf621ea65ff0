"""Figures of the trained reservoir (matplotlib is imported when a figure is drawn)."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_poles", "plot_training"]


def _figure(ax):
    from ..plotting._comparison import new_figure

    return new_figure(ax=ax)


def plot_poles(theory, ax=None, attractor=None):
    """Output poles (filled: visible outliers, open: inside the bulk) and bulk disks.

    Examples
    --------
    >>> import meanfield as mf
    >>> fig = plot_poles(mf.trained.reservoir_theory(0.8, "tanh", [1.0]))
    >>> fig.axes[0].get_xlabel()
    'Re s'
    """
    fig, ax = _figure(ax)
    which = range(theory.n_targets) if attractor is None else [int(attractor)]
    th = np.linspace(0.0, 2.0 * np.pi, 200)
    for a in which:
        color = f"C{a % 10}"
        R = theory.bulk_radius[a]
        ax.plot(-1 + R * np.cos(th), R * np.sin(th), color=color, lw=0.8)
        p, vis = theory.poles[a], theory.visible[a]
        ax.plot(p.real[vis], p.imag[vis], "o", color=color,
                label=f"A = {theory.targets[a]:.3g}" + ("" if theory.stable[a] else " (unstable)"))
        ax.plot(p.real[~vis], p.imag[~vis], "o", mfc="none", color=color)
    ax.axvline(0.0, color="k", lw=0.6)
    ax.set_xlabel("Re s")
    ax.set_ylabel("Im s")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(fontsize="small")
    ax.set_title(f"{theory.phi}, g = {theory.g:.3g}: output poles and bulk")
    return fig


def plot_training(training, ax=None):
    """Histogram of the fixed points x_k per target, from a TrainingResult.

    Examples
    --------
    >>> import meanfield as mf
    >>> fig = plot_training(mf.trained.FeedbackReservoir(100, 0.8, targets=[1.0], seed=0).training)
    >>> fig.axes[0].get_xlabel()
    'x*_i'
    """
    fig, ax = _figure(ax)
    for k, x in enumerate(training.fixed_points):
        if np.all(np.isfinite(x)):
            ax.hist(x, bins=40, histtype="step", density=True,
                    label=f"A = {training.targets[k]:.3g} (status {training.target_status[k]})")
    ax.set_xlabel("x*_i")
    ax.set_ylabel("density")
    ax.legend(fontsize="small")
    return fig
