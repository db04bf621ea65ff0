"""Matplotlib figures for meanfield results.

No pyplot state is created at import: figures are built with
:class:`matplotlib.figure.Figure` (so they work with any backend, and nothing is
shown or kept alive by pyplot unless the caller passes an ``ax`` from pyplot).

One private module per topic (``_comparison``, ...); the public names are
re-exported here.
"""

from ._comparison import new_figure, plot_comparison
from ._spectra import plot_binned_density, plot_spectrum_comparison
from ._transient import plot_phase_diagram, plot_squared_norm, plot_tail

__all__ = ["new_figure", "plot_comparison", "plot_spectrum_comparison", "plot_binned_density",
           "plot_squared_norm", "plot_phase_diagram", "plot_tail"]
