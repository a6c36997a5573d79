"""Argument and input checks that turn a deep torch shape error into a sentence a student can act on.

>>> check_positive_int("in_channels", 0)
Traceback (most recent call last):
...
ValueError: in_channels must be a whole number >= 1, got 0
"""
from __future__ import annotations

import numbers

import torch


def check_positive_int(name: str, value: object, minimum: int = 1) -> None:
    """Raise ``ValueError`` unless ``value`` is a whole number (not a bool; numpy integers count) of at
    least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")


def check_input(x: object, in_channels: int, min_size: int, what: str) -> None:
    """Check that ``x`` is a batch of images ``(N, C, H, W)`` with the channels and size ``what`` needs."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{what} expects a torch.Tensor of shape (batch, {in_channels}, height, width), "
                        f"got {type(x).__name__}")
    if x.dim() != 4:
        hint = " (add a batch dimension with x.unsqueeze(0))" if x.dim() == 3 else ""
        raise ValueError(f"{what} expects a 4-D batch (batch, channels, height, width), "
                         f"got shape {tuple(x.shape)}{hint}")
    if x.shape[1] != in_channels:
        raise ValueError(f"{what} was built for {in_channels} input channel(s) but got {x.shape[1]} "
                         f"(shape {tuple(x.shape)}); build it with in_channels={x.shape[1]} or convert "
                         f"the images")
    height, width = x.shape[-2:]
    if min(height, width) < min_size:
        raise ValueError(f"{what} needs inputs of at least {min_size}x{min_size} pixels, got "
                         f"{height}x{width}; resize the images (e.g. transforms.Resize({max(min_size, 224)}))")
