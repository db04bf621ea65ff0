"""Figures of theory-vs-simulation comparisons (:mod:`meanfield.compare`)."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_comparison", "new_figure"]

_MAX_POINTS = 40


def new_figure(figsize=(6.0, 4.0), ax=None):
    """``(fig, ax)``: the figure of ``ax`` if one is given, else a pyplot-free
    :class:`matplotlib.figure.Figure` with one new Axes.

    Parameters
    ----------
    figsize : (float, float)
        Size in inches of a new figure.
    ax : matplotlib Axes, optional
        Draw into it instead.

    Returns
    -------
    (matplotlib.figure.Figure, matplotlib.axes.Axes)

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> type(fig).__name__, new_figure(ax=ax)[0] is fig
    ('Figure', True)
    """
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def plot_comparison(comparison, ax=None, *, title: str | None = None,
                    show_infinite: bool = True):
    r"""Theory :math:`\Delta(\tau)` over simulated points with error bars.

    Parameters
    ----------
    comparison : meanfield.compare.Comparison
    ax : matplotlib Axes, optional
        Draw into it; otherwise a new (pyplot-free) Figure is made.
    title : str, optional
    show_infinite : bool
        Also draw the plain :math:`N=\infty` theory (dashed) when the theory
        carries the finite-window correction.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import meanfield as mf
    >>> sol = mf.dmft.solve(g=0.5, phi="linear", noise=1.0, dt=0.1)
    >>> J = mf.ensembles.Gaussian(g=0.5).sample(50, seed=0)
    >>> run = mf.simulate(J, "linear", t_max=40.0, dt=0.1, noise=1.0, batch=2, seed=1,
    ...                   t_transient=5.0, max_lag=2.0)
    >>> fig = plot_comparison(mf.compare(sol, run))          # or mf.compare(sol, run).plot()
    >>> type(fig).__name__, len(fig.axes)
    ('Figure', 1)

    Notes
    -----
    The solid line is the theory as the simulator should see it in expectation
    (window-corrected :math:`\Delta(\tau) - \Delta_\infty`); the points are the
    simulated means with :math:`\pm 1` standard error, thinned to at most 40
    lags.  A Lyapunov comparison (no curve) is drawn as theory vs simulation
    points per row.
    """
    fig, ax = new_figure(ax=ax)
    if comparison.tau is None:
        names = [r.name for r in comparison.rows]
        x = np.arange(len(names))
        ax.errorbar(x, [float(r.simulation.mean) for r in comparison.rows],
                    yerr=[float(r.simulation.stderr) for r in comparison.rows], fmt="o",
                    capsize=4, label="simulation")
        ax.plot(x, [r.theory for r in comparison.rows], "k_", markersize=25, mew=2, label="theory")
        ax.set_xticks(x, names)
        ax.set_xlim(-1, len(names))
    else:
        tau = comparison.tau
        sim = comparison.simulation_curve
        step = max(1, int(np.ceil(len(tau) / _MAX_POINTS)))
        sel = np.arange(0, len(tau), step)
        labels = comparison.population_labels
        for a, lab in enumerate(labels):
            sfx = f" [{lab}]" if lab else ""
            line, = ax.plot(tau, comparison.theory_curve[a], "-", label="theory" + sfx)
            c = line.get_color()
            if show_infinite and comparison.window_corrected:
                ax.plot(tau, comparison.theory_curve_infinite[a], "--", color=c, alpha=0.6,
                        label=r"theory, $N=\infty$, no window" + sfx)
            ax.errorbar(tau[sel], sim.mean[a, sel], yerr=sim.stderr[a, sel], fmt="o", color=c,
                        ms=3.5, capsize=2, label="simulation" + sfx)
        ax.set_xlabel(r"lag $\tau$")
        ax.set_ylabel(r"$\Delta(\tau) - \Delta_\infty$")
        ax.axhline(0.0, color="0.7", lw=0.8)
    s = comparison.sol
    ax.set_title(title if title is not None else
                 f"{s.phi}, g={np.array2string(np.asarray(s.g), precision=3)}, "
                 f"max |z| = {comparison.max_abs_z:.2f}", fontsize=10)
    ax.legend(fontsize=8)
    return fig
