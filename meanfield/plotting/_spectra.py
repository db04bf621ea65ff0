"""Figures of sampled spectra against the theory (:mod:`meanfield.spectra`)."""

from __future__ import annotations

import numpy as np

from ._comparison import new_figure

__all__ = ["plot_spectrum_comparison", "plot_binned_density"]


def _figure(figsize):
    from matplotlib.figure import Figure
    return Figure(figsize=figsize, layout="constrained")


def _thin(values: np.ndarray, max_points: int) -> np.ndarray:
    step = max(1, int(np.ceil(values.size / max_points)))
    return values[::step]


def plot_spectrum_comparison(comparison, fig=None, *, max_points: int = 6000):
    r"""Sampled eigenvalues and CDFs against the theory of a :class:`~meanfield.spectra.SpectrumComparison`.

    Panels: (a) the eigenvalues of all seeds in the complex plane (thinned to
    ``max_points``), the boundary of the theory's support (where
    ``eigenvalue_density > 0``, solid), the circle of the spectral radius
    :math:`R` (dashed), the outlier threshold (dotted), predicted outliers
    (crosses) and the sampled outliers (open circles); (b) the radial CDF:
    theory :math:`F^{\text{th}}_n(r)` (line), the pooled empirical CDF (thin
    step) and the compared radii (points with :math:`\pm` tolerance bars);
    (c) the deviation :math:`\bar F - F^{\text{th}}` of every CDF row with
    :math:`\pm 1` standard error (thick) and :math:`\pm` tolerance (thin); failing
    rows in red; (d) if singular values were compared, their CDF.

    Parameters
    ----------
    comparison : meanfield.spectra.SpectrumComparison
    fig : matplotlib.figure.Figure, optional
        Draw into it (it should be empty); otherwise a new pyplot-free Figure.
    max_points : int
        Most eigenvalues drawn in the scatter panel.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import meanfield as mf
    >>> res = mf.spectra.compare(mf.ensembles.Gaussian(1.0, J0=2.0), n=100, seeds=[0, 1])
    >>> len(plot_spectrum_comparison(res).axes)              # or res.plot()
    4
    """
    c = comparison
    has_sv = c.singular_values.size > 0
    if fig is None:
        fig = _figure((11.0, 7.5) if has_sv else (13.0, 4.2))
    axes = fig.subplots(2, 2).ravel() if has_sv else fig.subplots(1, 3)
    ax_z, ax_cdf, ax_dev = axes[0], axes[1], axes[2]
    R = c.spectral_radius

    # (a) complex plane
    ev = _thin(c.eigenvalues.ravel(), max_points)
    ax_z.plot(ev.real, ev.imag, ".", ms=1.5, alpha=0.5, color="C0", label="samples")
    t = np.linspace(0, 2 * np.pi, 400)
    if c.support_density.size:
        rr, tt = np.meshgrid(c.support_r, c.support_theta)
        ax_z.contour(rr * np.cos(tt), rr * np.sin(tt), (c.support_density > 0).astype(float),
                     levels=[0.5], colors="k", linewidths=1.2)
        ax_z.plot([], [], "k-", lw=1.2, label="support (theory)")
    ax_z.plot(R * np.cos(t), R * np.sin(t), "k--", lw=0.8, label=f"R = {R:.3g}")
    th = c.outlier_threshold
    ax_z.plot(th * np.cos(t), th * np.sin(t), ":", color="0.5", lw=0.8, label="outlier threshold")
    if c.outliers_theory.size:
        ax_z.plot(c.outliers_theory.real, c.outliers_theory.imag, "x", color="C3", ms=9, mew=2,
                  label="outliers (theory)")
    if c.outliers_found.size:
        ax_z.plot(c.outliers_found.real, c.outliers_found.imag, "o", mfc="none", color="C1", ms=7,
                  label="outliers (samples)")
    ax_z.set_aspect("equal", adjustable="datalim")
    ax_z.set_xlabel(r"Re $\lambda$")
    ax_z.set_ylabel(r"Im $\lambda$")
    ax_z.legend(fontsize=7, loc="upper left")
    ax_z.set_title(f"{c.ensemble}, n={c.n}, {len(c.seeds)} seeds", fontsize=9)

    # (b) radial CDF
    from ..spectra import radial_cdf
    rows = c.rows
    ax_cdf.plot(c.cdf_grid, c.cdf_grid_theory, "k-", lw=1.2, label="theory")
    emp = radial_cdf(c.eigenvalues.ravel(), c.cdf_grid)
    ax_cdf.step(c.cdf_grid, emp, where="post", color="C0", lw=0.8, alpha=0.7, label="samples (pooled)")
    ecdf = [r for r in rows if r.kind == "eigenvalue_cdf"]
    ax_cdf.errorbar([r.x for r in ecdf], [r.simulation.mean for r in ecdf],
                    yerr=[r.tolerance for r in ecdf], fmt="o", color="C1", ms=4, capsize=3,
                    label=r"compared radii ($\pm$ tolerance)")
    ax_cdf.set_xlabel(r"$r$")
    ax_cdf.set_ylabel(r"fraction with $|\lambda| \leq r$")
    ax_cdf.legend(fontsize=7, loc="lower right")
    ax_cdf.set_title(f"{'passed' if c.passed else 'FAILED'}: {c.message}", fontsize=8)

    # (c) deviations
    cdf_rows = [r for r in rows if r.kind.endswith("cdf")]
    x = np.arange(len(cdf_rows))
    dev = np.array([r.deviation for r in cdf_rows])
    se = np.array([r.simulation.stderr for r in cdf_rows])
    tol = np.array([r.tolerance for r in cdf_rows])
    ok = np.array([r.passed for r in cdf_rows], dtype=bool)
    ax_dev.axhline(0.0, color="0.6", lw=0.8)
    for mask, color in ((ok, "C0"), (~ok, "C3")):
        if mask.any():
            ax_dev.errorbar(x[mask], dev[mask], yerr=tol[mask], fmt="none", ecolor=color, capsize=4,
                            lw=0.8)
            ax_dev.errorbar(x[mask], dev[mask], yerr=se[mask], fmt="o", color=color, ms=4, lw=2.5)
    ax_dev.set_xticks(x, [r.name for r in cdf_rows], rotation=60, fontsize=7)
    ax_dev.set_ylabel("samples - theory")
    ax_dev.set_title(f"error={c.error!r}, k={c.k:g}, budget={c.budget:.3g}", fontsize=8)

    # (d) singular values
    if has_sv:
        ax_sv = axes[3]
        ax_sv.plot(c.sv_grid, c.sv_grid_theory, "k-", lw=1.2, label="theory")
        sv = np.sort(c.singular_values.ravel())
        ax_sv.step(sv, np.arange(1, sv.size + 1) / sv.size, where="post", color="C0", lw=0.8,
                   alpha=0.7, label="samples (pooled)")
        srows = [r for r in rows if r.kind == "singular_cdf"]
        ax_sv.errorbar([r.x for r in srows], [r.simulation.mean for r in srows],
                       yerr=[r.tolerance for r in srows], fmt="o", color="C1", ms=4, capsize=3,
                       label=r"compared points ($\pm$ tolerance)")
        ax_sv.set_xlabel(r"singular value $s$")
        ax_sv.set_ylabel(r"fraction $\leq s$")
        ax_sv.legend(fontsize=7, loc="lower right")
    return fig


def plot_binned_density(density, ax=None, *, expected=None, label: str = "samples"):
    r"""A :class:`~meanfield.spectra.BinnedDensity` with :math:`\pm 1` binomial standard error.

    Parameters
    ----------
    density : meanfield.spectra.BinnedDensity
    ax : matplotlib Axes, optional
        Draw into it; otherwise a new pyplot-free Figure.
    expected : array_like, optional
        Theory values per bin (e.g. ``density.expected(ensemble.radial_cdf)``),
        drawn as a step line.
    label : str
        Legend label of the samples.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import meanfield as mf
    >>> d = mf.spectra.binned_density(np.array([0.5, 1.5, 1.5, 2.5]), bins=[0, 1, 2, 3],
    ...                               kind="real")
    >>> fig = plot_binned_density(d, expected=[0.25, 0.5, 0.25])
    >>> fig.axes[0].get_ylabel()
    'density per unit length'
    """
    fig, ax = new_figure(ax=ax)
    d = density
    ax.errorbar(d.centers, d.density, yerr=d.stderr, fmt="o", ms=3.5, capsize=2, label=label)
    if expected is not None:
        e = np.asarray(expected, dtype=float)
        ax.stairs(e, d.edges, color="k", lw=1.2, label="theory (bin average)")
    xlabel = {"radial": r"$|z|$", "real": r"Re $z$", "imag": r"Im $z$"}[d.kind]
    ylabel = "density per unit area" if d.kind == "radial" else "density per unit length"
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return fig
