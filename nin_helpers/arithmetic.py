"""1×1 convolution arithmetic, as worked out in notebook 01.

>>> X = torch.ones(3, 2, 2); K = torch.ones(4, 3, 1, 1)
>>> corr2d_multi_in_out_1x1(X, K).shape
torch.Size([4, 2, 2])
>>> conv2d_params(c_in=3, c_out=4, kernel_size=1), conv2d_macs(3, 4, 1, out_hw=(2, 2))
(16, 48)
"""
from __future__ import annotations

import torch

from nin_helpers.validation import check_positive_int


def corr2d_multi_in_out_1x1(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """A 1×1 cross-correlation as one matrix multiply: every pixel is a vector of ``c_i`` channels,
    and the kernel is a ``c_o × c_i`` matrix applied to each of them (d2l's version, checked).

    X: ``(c_i, h, w)``; K: ``(c_o, c_i, 1, 1)`` or ``(c_o, c_i)``. Returns ``(c_o, h, w)``.
    """
    if not isinstance(X, torch.Tensor) or X.dim() != 3:
        raise ValueError(f"X must be a tensor of shape (channels, height, width), got "
                         f"{tuple(X.shape) if isinstance(X, torch.Tensor) else type(X).__name__}")
    if not isinstance(K, torch.Tensor) or K.dim() not in (2, 4) or (K.dim() == 4 and K.shape[2:] != (1, 1)):
        raise ValueError(f"K must be a 1x1 kernel of shape (c_out, c_in, 1, 1) or (c_out, c_in), got "
                         f"{tuple(K.shape) if isinstance(K, torch.Tensor) else type(K).__name__}")
    c_i, h, w = X.shape
    c_o = K.shape[0]
    if K.shape[1] != c_i:
        raise ValueError(f"K expects {K.shape[1]} input channels but X has {c_i}; "
                         f"K must have shape ({c_o}, {c_i}, 1, 1)")
    X = X.reshape(c_i, h * w)        # one column per pixel
    K = K.reshape(c_o, c_i)          # one row per output channel
    return (K @ X).reshape(c_o, h, w)


def conv2d_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    """Output side of a convolution or pooling: ``floor((size + 2*padding - kernel) / stride) + 1``.

    >>> conv2d_output_size(224, kernel_size=11, stride=4)
    54
    """
    for name, value in [("size", size), ("kernel_size", kernel_size), ("stride", stride)]:
        check_positive_int(name, value)
    check_positive_int("padding", padding, minimum=0)
    if kernel_size > size + 2 * padding:
        raise ValueError(f"kernel_size {kernel_size} is larger than the padded input "
                         f"({size} + 2*{padding} = {size + 2 * padding}); use a smaller kernel, "
                         f"more padding or a larger input")
    return (size + 2 * padding - kernel_size) // stride + 1


def conv2d_params(c_in: int, c_out: int, kernel_size: int, bias: bool = True) -> int:
    """Weights of a conv layer: ``k*k*c_in*c_out`` plus one bias per output channel."""
    for name, value in [("c_in", c_in), ("c_out", c_out), ("kernel_size", kernel_size)]:
        check_positive_int(name, value)
    return kernel_size * kernel_size * c_in * c_out + (c_out if bias else 0)


def linear_params(n_in: int, n_out: int, bias: bool = True) -> int:
    """Weights of a fully connected layer: ``n_in*n_out`` plus one bias per output."""
    check_positive_int("n_in", n_in)
    check_positive_int("n_out", n_out)
    return n_in * n_out + (n_out if bias else 0)


def conv2d_macs(c_in: int, c_out: int, kernel_size: int, out_hw: tuple[int, int]) -> int:
    """Multiply-adds of a conv layer: each of ``h*w*c_out`` outputs sums ``k*k*c_in`` products.
    (FLOP counters such as torch's count 2 FLOPs per multiply-add.)"""
    for name, value in [("c_in", c_in), ("c_out", c_out), ("kernel_size", kernel_size)]:
        check_positive_int(name, value)
    h, w = out_hw
    check_positive_int("output height", h)
    check_positive_int("output width", w)
    return h * w * c_in * c_out * kernel_size * kernel_size
