"""The textbook formulas the tests check the course's code against, written once and kept apart
from ``nin_helpers`` on purpose: a bug in the package cannot hide behind itself.

>>> conv(3, 64, 128), fc(400, 120), side(224, 11, 4)
(73856, 48120, 54)
"""


def conv(k: int, c_in: int, c_out: int) -> int:
    """Parameters of a k x k convolution: one k x k x c_in kernel and one bias per output channel."""
    return k * k * c_in * c_out + c_out


def fc(n_in: int, n_out: int) -> int:
    """Parameters of a fully connected layer: the weight matrix and one bias per output."""
    return n_in * n_out + n_out


def side(n: int, k: int, s: int = 1, p: int = 0) -> int:
    """Output side of a convolution or pooling: floor((n + 2p - k) / s) + 1."""
    return (n + 2 * p - k) // s + 1
