"""NiN and its building block, as built in notebooks 02 and 03.

The network is described by a small configuration table (``NIN_BLOCKS``), in the spirit of
torchvision's ``models/vgg.py``: the builder reads the table, so there is one place that says what
NiN is and no copy-pasted layers.

>>> net = nin(in_channels=1, num_classes=10)
>>> net(torch.zeros(2, 1, 224, 224)).shape
torch.Size([2, 10])
"""
from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from nin_helpers.validation import check_input, check_module, check_number, check_positive_int

# (out_channels, kernel_size, stride, padding) of each NiN block, d2l's Fashion-MNIST variant.
# ``None`` as out_channels means "one channel per class": the last block emits class scores.
NIN_BLOCKS: tuple[tuple[int | None, int, int, int], ...] = (
    (96, 11, 4, 0),
    (256, 5, 1, 2),
    (384, 3, 1, 1),
    (None, 3, 1, 1),
)


# A classifier needs two classes at least: with one, softmax gives it probability 1 whatever the scores,
# so the loss is 0 from the first step and nothing is learnt.
ONE_CLASS = "(with one class the loss is always 0 and nothing is learnt)"


class CheckedSequential(nn.Sequential):
    """A slice (``net[:3]``) is a plain ``nn.Sequential``: the input check belongs to the whole network."""

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return nn.Sequential(OrderedDict(list(self._modules.items())[idx]))
        return super().__getitem__(idx)


def weight_dtype(module: nn.Module) -> torch.dtype | None:
    """The dtype of ``module``'s first parameter (what its inputs must match), ``None`` without any."""
    return next((p.dtype for p in module.parameters()), None)


class NiNBlock(CheckedSequential):
    """A ``nn.Sequential`` that checks its input before running, so a student sees a clear
    message instead of a shape error from deep inside ``conv2d``."""

    def __init__(self, *layers: nn.Module, in_channels: int, kernel_size: int, padding: int):
        super().__init__(*layers)
        self.in_channels, self.kernel_size, self.padding = in_channels, kernel_size, padding

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_input(x, self.in_channels, self.kernel_size - 2 * self.padding, "this NiN block", weight_dtype(self))
        return super().forward(x)


def nin_block(in_channels: int, out_channels: int, kernel_size: int,
              stride: int = 1, padding: int = 0) -> NiNBlock:
    """One k×k convolution, then two 1×1 convolutions, each followed by ReLU.

    The two 1×1 convolutions are a two-layer MLP applied at every pixel (the "network in the
    network").

    >>> nin_block(1, 96, kernel_size=11, stride=4)(torch.zeros(1, 1, 224, 224)).shape
    torch.Size([1, 96, 54, 54])
    """
    for name, value in [("in_channels", in_channels), ("out_channels", out_channels),
                        ("kernel_size", kernel_size), ("stride", stride)]:
        check_positive_int(name, value)
    check_positive_int("padding", padding, minimum=0)
    return NiNBlock(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        in_channels=in_channels, kernel_size=kernel_size, padding=padding)


def _side_out(size: int, layer: nn.Module, axis: int) -> int:
    """One spatial side after ``layer`` (a conv or pooling), along ``axis`` (0: height, 1: width), with
    torch's own rule: dilation widens the kernel to ``d(k - 1) + 1``; ``ceil_mode`` rounds up, but a
    last window must start inside the input or its left padding; ``padding="same"`` keeps the side."""
    pick = lambda v: v if isinstance(v, int) else v[axis]
    k, s = pick(layer.kernel_size), pick(layer.stride)
    d, p = pick(getattr(layer, "dilation", 1)), layer.padding
    if isinstance(p, str):  # Conv2d(padding="same" | "valid")
        if p == "same":
            return size
        p = 0
    p = pick(p)
    ceil = getattr(layer, "ceil_mode", False)
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def _spatial_out(size: int, layers: nn.Module) -> int:
    """Follow a square input of side ``size`` through every conv/pool layer, both axes (kernels and
    strides need not be square); the smaller output side, or 0 as soon as one becomes empty."""
    sides = [size, size]
    for m in layers.modules():
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            sides = [_side_out(side, m, axis) for axis, side in enumerate(sides)]
            if min(sides) < 1:
                return 0
    return min(sides)


def smallest_input_size(layers: nn.Module, limit: int = 4096) -> int:
    """The smallest square input side that every conv/pool layer of ``layers`` accepts (layers are
    followed in the order they were registered, which is the order ``nn.Sequential`` runs them).

    >>> smallest_input_size(nin())
    67
    >>> smallest_input_size(nn.Sequential(nn.Conv2d(1, 1, 3, dilation=2), nn.MaxPool2d(3, 2, ceil_mode=True)))
    6
    """
    check_module("layers", layers)
    check_positive_int("limit", limit)
    for size in range(1, limit + 1):
        if _spatial_out(size, layers) >= 1:
            return size
    raise ValueError(f"no input side up to {limit} pixels fits this network; pass a larger limit=")


class NiN(CheckedSequential):
    """NiN as a ``nn.Sequential`` whose forward first checks the input's channels and size."""

    def __init__(self, *layers: nn.Module, in_channels: int):
        super().__init__(*layers)
        self.in_channels = in_channels
        self.min_size = smallest_input_size(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_input(x, self.in_channels, self.min_size, "NiN", weight_dtype(self))
        return super().forward(x)


def nin(in_channels: int = 1, num_classes: int = 10, dropout: float = 0.5) -> NiN:
    """The NiN of d2l's chapter: four NiN blocks (``NIN_BLOCKS``), max-pooling 3/2 after the first
    three, dropout before the last, then global average pooling over each class's channel.

    >>> sum(p.numel() for p in nin().parameters())
    1992166
    """
    check_positive_int("in_channels", in_channels)
    check_positive_int("num_classes", num_classes, minimum=2, why=ONE_CLASS)
    check_number("dropout", dropout, 0, 1, high_open=True, kind="a probability")
    layers: list[nn.Module] = []
    channels = in_channels
    for i, (out_channels, kernel_size, stride, padding) in enumerate(NIN_BLOCKS):
        out_channels = num_classes if out_channels is None else out_channels
        last = i == len(NIN_BLOCKS) - 1
        if last:
            layers.append(nn.Dropout(dropout))
        layers.append(nin_block(channels, out_channels, kernel_size, stride, padding))
        if not last:
            layers.append(nn.MaxPool2d(3, stride=2))
        channels = out_channels
    # Global average pooling: one number per class channel, whatever the image size.
    layers += [nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten()]
    return NiN(*layers, in_channels=in_channels)
