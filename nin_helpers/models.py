"""NiN and its building block, as built in notebooks 02 and 03.

The network is described by a small configuration table (``NIN_BLOCKS``), in the spirit of
torchvision's ``models/vgg.py``: the builder reads the table, so there is one place that says what
NiN is and no copy-pasted layers. ``NIN_CIFAR10_BLOCKS`` is the paper's own CIFAR-10 network
(notebook 07), read by the more general ``nin_from_table``.

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
              stride: int = 1, padding: int = 0,
              mlp_channels: tuple[int, ...] | None = None) -> NiNBlock:
    """One k×k convolution, then two 1×1 convolutions, each followed by ReLU.

    The two 1×1 convolutions are a two-layer MLP applied at every pixel (the "network in the
    network"). ``mlp_channels`` gives the 1×1 layers' widths when they differ from
    ``out_channels`` (the paper's first block: ``(160, 96)``); any number of them. The default
    ``None`` means ``(out_channels, out_channels)``, d2l's block.

    >>> nin_block(1, 96, kernel_size=11, stride=4)(torch.zeros(1, 1, 224, 224)).shape
    torch.Size([1, 96, 54, 54])
    >>> nin_block(3, 192, kernel_size=5, padding=2, mlp_channels=(160, 96))(torch.zeros(1, 3, 32, 32)).shape
    torch.Size([1, 96, 32, 32])
    """
    for name, value in [("in_channels", in_channels), ("out_channels", out_channels),
                        ("kernel_size", kernel_size), ("stride", stride)]:
        check_positive_int(name, value)
    check_positive_int("padding", padding, minimum=0)
    widths = (out_channels, out_channels) if mlp_channels is None else tuple(mlp_channels)
    for i, width in enumerate(widths):
        check_positive_int(f"mlp_channels[{i}]", width)
    layers: list[nn.Module] = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding), nn.ReLU()]
    for c_in, c_out in zip((out_channels, *widths), widths):  # the per-pixel MLP
        layers += [nn.Conv2d(c_in, c_out, kernel_size=1), nn.ReLU()]
    return NiNBlock(*layers, in_channels=in_channels, kernel_size=kernel_size, padding=padding)


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


# The paper's CIFAR-10 network (Lin, Chen & Yan, ICLR 2014), as its authors' Caffe definition has it
# (the "NIN CIFAR-10" model of the Caffe Model Zoo, train_val.prototxt). One row per mlpconv layer:
# (k×k conv channels, kernel_size, stride, padding, widths of the 1×1 convs, pooling after the block).
# ``None`` as a width means "one channel per class"; pooling is "max", "avg" (3×3, stride 2) or None.
NinRow = tuple[int | None, int, int, int, tuple[int | None, ...], str | None]
NIN_CIFAR10_BLOCKS: tuple[NinRow, ...] = (
    (192, 5, 1, 2, (160, 96), "max"),    # conv1, cccp1, cccp2, pool1
    (192, 5, 1, 2, (192, 192), "avg"),   # conv2, cccp3, cccp4, pool2
    (192, 3, 1, 1, (192, None), None),   # conv3, cccp5, cccp6 (10 class maps), then global average pooling
)
# The NiN of the DeepLearning-500-questions table (CIFAR-100): one 3×3 convolution (no padding)
# and one 1×1 convolution per block, no pooling or dropout in between; the last block's channels
# are the 100 classes.
NIN_500Q_BLOCKS: tuple[NinRow, ...] = (
    (16, 3, 1, 0, (16,), None),
    (64, 3, 1, 0, (64,), None),
    (None, 3, 1, 0, (None,), None),
)
POOLS = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}


def nin_from_table(blocks: tuple[NinRow, ...], in_channels: int = 3, num_classes: int = 10,
                   dropout: float = 0.5, ceil_mode: bool = True) -> NiN:
    """A NiN read from a table of ``NinRow`` s: each row a ``nin_block`` with its own 1×1 widths,
    then its pooling (3×3, stride 2) and dropout (as the paper: after every pooling between
    blocks); global average pooling at the end. ``ceil_mode=True`` rounds pooled sizes up, as Caffe
    does (32 -> 16 -> 8); ``False`` is PyTorch's default, rounding down (32 -> 15 -> 7).

    >>> net = nin_from_table(((8, 3, 1, 0, (None,), None),), in_channels=1, num_classes=4)
    >>> [type(m).__name__ for m in net], net(torch.zeros(2, 1, 5, 5)).shape
    (['NiNBlock', 'AdaptiveAvgPool2d', 'Flatten'], torch.Size([2, 4]))
    """
    check_positive_int("in_channels", in_channels)
    check_positive_int("num_classes", num_classes)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
    if not blocks:
        raise ValueError("blocks must list at least one row, e.g. NIN_CIFAR10_BLOCKS")
    layers: list[nn.Module] = []
    channels = in_channels
    for conv_channels, kernel_size, stride, padding, widths, pool in blocks:
        if pool is not None and pool not in POOLS:
            raise ValueError(f"pooling must be one of {sorted(POOLS)} or None, got {pool!r}")
        conv_channels = num_classes if conv_channels is None else conv_channels
        widths = tuple(num_classes if w is None else w for w in widths)
        layers.append(nin_block(channels, conv_channels, kernel_size, stride, padding, widths))
        if pool is not None:
            layers.append(POOLS[pool](3, stride=2, ceil_mode=ceil_mode))
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
        channels = widths[-1] if widths else conv_channels
    # Caffe's definition averages the last 8×8 map with a fixed 8×8 pool: global at 32×32. Adaptive
    # pooling is the same there and stays global at any other size (7×7 for 28×28 images).
    layers += [nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten()]
    return NiN(*layers, in_channels=in_channels)


def nin_paper(in_channels: int = 3, num_classes: int = 10, dropout: float = 0.5,
              ceil_mode: bool = True) -> NiN:
    """The paper's CIFAR-10 NiN (``NIN_CIFAR10_BLOCKS``): three mlpconv layers, max- then
    average-pooling with dropout, global average pooling.

    >>> sum(p.numel() for p in nin_paper().parameters())
    966986
    >>> nin_paper(in_channels=1)(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """
    return nin_from_table(NIN_CIFAR10_BLOCKS, in_channels, num_classes, dropout, ceil_mode)
