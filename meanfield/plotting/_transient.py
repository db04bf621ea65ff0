r"""Figures of transient amplification (:mod:`meanfield.transient`)."""

from __future__ import annotations

import math

import numpy as np

from ._comparison import new_figure

__all__ = ["plot_squared_norm", "plot_phase_diagram", "plot_tail"]

_REGION_COLORS = ("#f2f2f2", "#c6dbef", "#fdae6b", "#d9d9d9")


def plot_squared_norm(samples, ensemble=None, ax=None, *, theory=None, title: str | None = None,
                      average_trajectory: bool = True):
    r"""Simulated :math:`\mathrm E\|x(t)\|^2` (mean ± stderr over matrices) against theory.

    Plotting sits above theory and simulation: given an ``ensemble`` it computes the
    closed form itself; given ``theory`` it draws the values it is handed.

    Parameters
    ----------
    samples : meanfield.simulate.SquaredNormSamples
        From :func:`meanfield.simulate.squared_norm` (``n_matrices >= 2``).
    ensemble : Ensemble, optional
        If it has a closed form, draw :func:`~meanfield.transient.mean_squared_norm`
        on a fine grid (and the average trajectory when ``average_trajectory``).
    theory : array_like, optional
        Theory values on ``samples.t`` (e.g. ``mf.transient.mean_squared_norm(ens,
        samples.t)``), drawn as a line through the sorted times.
    ax : matplotlib Axes, optional
        Draw into it; otherwise a new (pyplot-free) Figure is made.
    title : str, optional
    average_trajectory : bool
        Also draw :math:`e^{-2t}(1 + \langle\mu^2\rangle t^2)` (dashed).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import meanfield as mf
    >>> ens = mf.ensembles.Gaussian(g=0.5)
    >>> s = mf.simulate.squared_norm(ens, [0.0, 1.0, 2.0], n=20, n_matrices=2, seed=0)
    >>> type(plot_squared_norm(s, ens)).__name__
    'Figure'
    >>> th = mf.transient.mean_squared_norm(ens, s.t)
    >>> type(s.plot(theory=th)).__name__
    'Figure'
    """
    from .. import transient

    fig, ax = new_figure(ax=ax)
    t = samples.t
    est = samples.mean
    if theory is not None:
        th = np.broadcast_to(np.asarray(theory, dtype=np.float64), t.shape)
        order = np.argsort(t, kind="stable")
        ax.plot(t[order], th[order], "-", color="k", label="theory")
    if ensemble is not None:
        tt = np.linspace(0.0, float(t.max()), 400)
        ax.plot(tt, transient.mean_squared_norm(ensemble, tt), "-", color="k",
                label=r"theory $e^{-2t}[(1+m^2)I_0(2rt) - m^2]$")
        if average_trajectory:
            ax.plot(tt, transient.average_trajectory_squared_norm(ensemble, tt), "--",
                    color="0.4", label=r"average trajectory $e^{-2t}(1+\langle\mu^2\rangle t^2)$")
    ax.errorbar(t, est.mean, yerr=est.stderr, fmt="o", ms=3.5, capsize=2,
                label=f"simulation, N={samples.n}, {samples.n_matrices} matrices")
    ax.axhline(1.0, color="0.7", lw=0.8)
    ax.set_xlabel(r"time $t$ (units of $\tau$)")
    ax.set_ylabel(r"$\mathrm{E}\,\|x(t)\|^2$")
    ax.set_title(title if title is not None else samples.ensemble, fontsize=8)
    ax.legend(fontsize=8)
    return fig


def plot_phase_diagram(diagram, ax=None, *, title: str | None = None, show_gain: bool = False):
    r"""Regions and critical lines of :func:`meanfield.transient.phase_diagram`.

    Draws the regions (monotone decay, local maximum below 1, amplified,
    unstable), the critical lines :math:`\langle\mu^2\rangle_c(r)` (amplified:
    solid; local maximum: dotted), the average-trajectory thresholds (4 and
    about 6.18, dashed horizontal lines) and the edge of chaos :math:`r = 1`.
    With ``show_gain``, contours of the peak gain :math:`G` are added.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import meanfield as mf
    >>> pd = mf.transient.phase_diagram(r=[0.3, 0.6, 0.9], mean_square_weight=[1.0, 5.0, 10.0])
    >>> type(plot_phase_diagram(pd)).__name__
    'Figure'
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    from ..transient import REGIONS

    fig, ax = new_figure(ax=ax)
    r, a = diagram.r, diagram.mean_square_weight
    if r.size > 1 and a.size > 1:
        ax.pcolormesh(r, a, diagram.region, cmap=ListedColormap(_REGION_COLORS), vmin=-0.5,
                      vmax=3.5, shading="nearest")
    if show_gain and r.size > 1 and a.size > 1:
        finite = np.where(np.isfinite(diagram.gain), diagram.gain, np.nan)
        cs = ax.contour(r, a, finite, levels=[0.1, 0.5, 1, 2, 5], colors="0.3", linewidths=0.6)
        ax.clabel(cs, fontsize=6)
    ax.plot(diagram.line_r, diagram.line_amplified, "-", color="C3", lw=1.8,
            label=r"$\langle\mu^2\rangle_c(r)$: $\max_t \mathrm{E}\|x\|^2 = 1$")
    ax.plot(diagram.line_r, diagram.line_local_maximum, ":", color="C0", lw=1.8,
            label="local maximum appears")
    ax.axhline(diagram.average_amplified, color="C3", ls="--", lw=1.0,
               label=rf"average trajectory amplified ($\approx${diagram.average_amplified:.3f})")
    ax.axhline(diagram.average_local_maximum, color="C0", ls="--", lw=1.0,
               label="average trajectory local maximum (4)")
    ax.axvline(1.0, color="k", lw=1.2, label="edge of chaos $r = 1$")
    handles, labels = ax.get_legend_handles_labels()
    for code, name in REGIONS.items():
        handles.append(Patch(facecolor=_REGION_COLORS[code], edgecolor="0.5"))
        labels.append(name)
    ax.legend(handles, labels, fontsize=6.5, loc="upper right")
    ax.set_xlim(float(r.min()), float(r.max()))
    ax.set_ylim(float(a.min()), float(a.max()))
    ax.set_xlabel(r"bulk radius $r$")
    ax.set_ylabel(r"$\langle\mu^2\rangle$")
    ax.set_title(title if title is not None else
                 "transient amplification, balanced Rajan-Abbott", fontsize=9)
    return fig


def plot_tail(fit, ax=None, *, bins: int = 40, title: str | None = None):
    r"""Histogram of the exceedances of a :class:`~meanfield.transient.TailFit` (log scale)
    with the fitted exponential and Gaussian densities.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import meanfield as mf
    >>> fit = mf.transient.tail_fit(np.random.default_rng(0).exponential(size=2000))
    >>> plot_tail(fit).axes[0].get_yscale()
    'log'
    """
    fig, ax = new_figure(ax=ax)
    ex = fit.exceedances
    hist, edges = np.histogram(ex, bins=bins, density=True)
    centers = 0.5 * (edges[1:] + edges[:-1])
    keep = hist > 0
    ax.plot(centers[keep], hist[keep], "o", ms=3.5, color="k",
            label=f"samples above the {fit.quantile:g} quantile (n={fit.n_exceed})")
    yy = np.linspace(0.0, float(ex.max()), 300)
    ax.plot(yy, fit.exponential_pdf(yy), "-", color="C3",
            label=f"exponential, rate {fit.rate:.3g}")
    ax.plot(yy, fit.gaussian_pdf(yy), "--", color="C0",
            label=f"Gaussian, centre {fit.center:.3g}, scale {fit.scale:.3g}")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\|x(t)\|^2 - u$")
    ax.set_ylabel("density")
    ax.set_title(title if title is not None else
                 f"{fit.winner} tail wins: $\\Delta$AIC = {fit.delta_aic:.1f}, "
                 f"Vuong z = {fit.vuong_z:.1f}", fontsize=9)
    ax.legend(fontsize=7)
    return fig


def plot_exponent_fit(fit, ax=None, *, title=None):
    """log O against log(<mu^2> - <mu^2>_c): the points and the fitted power law."""

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
