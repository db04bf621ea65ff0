"""Random coupling matrices: each ensemble samples itself and knows its theory.

Every ensemble is a frozen dataclass deriving from :class:`Ensemble`, with
``sample(n, seed=None, dtype=np.float64)`` returning an ``(n, n)`` coupling matrix
and properties describing the large-``n`` spectrum.
"""

from ._base import Ensemble
from .block import BlockVariance
from .elliptic import Elliptic
from .gaussian import Gaussian
from .low_rank import LowRankPlusRandom
from .rajan_abbott import RajanAbbott
from .random_mode import RandomMode

__all__ = ["BlockVariance", "Ensemble", "Elliptic", "Gaussian", "LowRankPlusRandom", "RajanAbbott",
           "RandomMode"]
