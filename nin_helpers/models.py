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

from nin_helpers.validation import check_input, check_positive_int

# (out_channels, kernel_size, stride, padding) of each NiN block, d2l's Fashion-MNIST variant.
# ``None`` as out_channels means "one channel per class": the last block emits class scores.
NIN_BLOCKS: tuple[tuple[int | None, int, int, int], ...] = (
    (96, 11, 4, 0),
    (256, 5, 1, 2),
    (384, 3, 1, 1),
    (None, 3, 1, 1),
)


class CheckedSequential(nn.Sequential):
    """A slice (``net[:3]``) is a plain ``nn.Sequential``: the input check belongs to the whole network."""

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return nn.Sequential(OrderedDict(list(self._modules.items())[idx]))
        return super().__getitem__(idx)


class NiNBlock(CheckedSequential):
    """A ``nn.Sequential`` that checks its input before running, so a student sees a clear
    message instead of a shape error from deep inside ``conv2d``."""

    def __init__(self, *layers: nn.Module, in_channels: int, kernel_size: int, padding: int):
        super().__init__(*layers)
        self.in_channels, self.kernel_size, self.padding = in_channels, kernel_size, padding

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_input(x, self.in_channels, self.kernel_size - 2 * self.padding, "this NiN block")
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


def _spatial_out(size: int, layers: nn.Module) -> int:
    """Follow one spatial side through every conv/pool layer with integer arithmetic."""
    for m in layers.modules():
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            k, s, p = (v if isinstance(v, int) else v[0] for v in (m.kernel_size, m.stride, m.padding))
            size = (size + 2 * p - k) // s + 1
            if size < 1:
                return 0
    return size


def smallest_input_size(layers: nn.Module, limit: int = 4096) -> int:
    """The smallest square input side that every conv/pool layer of ``layers`` accepts.

    >>> smallest_input_size(nin())
    67
    """
    for size in range(1, limit + 1):
        if _spatial_out(size, layers) >= 1:
            return size
    raise ValueError(f"no input side up to {limit} pixels fits this network")


class NiN(CheckedSequential):
    """NiN as a ``nn.Sequential`` whose forward first checks the input's channels and size."""

    def __init__(self, *layers: nn.Module, in_channels: int):
        super().__init__(*layers)
        self.in_channels = in_channels
        self.min_size = smallest_input_size(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_input(x, self.in_channels, self.min_size, "NiN")
        return super().forward(x)


def nin(in_channels: int = 1, num_classes: int = 10, dropout: float = 0.5) -> NiN:
    """The NiN of d2l's chapter: four NiN blocks (``NIN_BLOCKS``), max-pooling 3/2 after the first
    three, dropout before the last, then global average pooling over each class's channel.

    >>> sum(p.numel() for p in nin().parameters())
    1992166
    """
    check_positive_int("in_channels", in_channels)
    check_positive_int("num_classes", num_classes)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
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
