"""Test transfer functions shared by several test files."""

import numpy as np

from meanfield import transfer


def softsign():
    """The custom test function x / sqrt(1 + x^2) with exact derivatives and primitive.

    Its tails approach +-1 only algebraically, which tests the quadrature cut-offs.
    """
    return transfer.custom(
        lambda x: x / np.sqrt(1 + x * x),
        lambda x: (1 + x * x) ** -1.5,
        lambda x: -3 * x * (1 + x * x) ** -2.5,
        lambda x: x * x / (np.sqrt(1 + x * x) + 1),
        name="softsign", odd=True, strip=1.0)
