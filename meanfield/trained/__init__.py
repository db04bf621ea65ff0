r"""Networks trained to fixed points: the reservoir with output feedback.

Rivkind & Barak (2017): a random network :math:`\dot x = -x + J\phi(x) + uz + b_k` with a
readout :math:`z = w^\top\phi(x)` fed back through :math:`u`, trained so that each target
output :math:`A_k` is a fixed point.  :func:`reservoir_theory` predicts the output poles near
each attractor (a :math:`K`-th order linear ODE), the bulk of the closed-loop spectrum and
the stability of each attractor; :class:`FeedbackReservoir` trains a finite network the
same way and measures the same quantities exactly.

Layout: the theory in ``_theory`` (imports neither the simulator nor plotting), the
finite network in ``_network`` (calls :func:`meanfield.simulate` only inside
:meth:`FeedbackReservoir.simulate`), figures in ``_plots`` (matplotlib imported when a
figure is drawn).

References
----------
A. Rivkind, O. Barak, *Local dynamics in trained recurrent neural networks*, Phys. Rev.
Lett. 118, 258101 (2017), doi:10.1103/PhysRevLett.118.258101, arXiv:1511.05222.
"""

from __future__ import annotations

from ._network import FeedbackReservoir, TrainingResult
from ._theory import ReservoirTheory, reservoir_theory

__all__ = ["FeedbackReservoir", "TrainingResult", "reservoir_theory", "ReservoirTheory"]
