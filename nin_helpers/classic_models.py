"""LeNet, AlexNet and VGG-11 as d2l builds them for Fashion-MNIST, and NiN variants for ablations
(notebook 05).

Each network is a config table read by one small builder, as in torchvision's ``models/vgg.py``.
The classic networks end in flatten + fully connected layers, so the first fully connected layer's
size depends on the image size: the builders take ``image_size`` and work it out (d2l uses
``nn.LazyLinear`` for this; explicit sizes keep parameter counts visible before any forward pass).

>>> sum(p.numel() for p in lenet().parameters())
61706
>>> net = nin_variant(num_1x1=0, head="gap")
>>> net(torch.zeros(1, 1, 224, 224)).shape
torch.Size([1, 10])
"""
from __future__ import annotations

import copy

import torch
from torch import nn

from nin_helpers.models import NIN_BLOCKS, ONE_CLASS, CheckedSequential, NiN, NiNBlock, weight_dtype
from nin_helpers.validation import check_input, check_number, check_positive_int

# LeNet-5 (d2l 7.6): (out_channels, kernel_size, padding) per conv, each followed by sigmoid and
# 2×2 average pooling; then the fully connected widths before the classifier.
LENET_CONVS: tuple[tuple[int, int, int], ...] = ((6, 5, 2), (16, 5, 0))
LENET_FCS: tuple[int, ...] = (120, 84)

# AlexNet (d2l 8.1): (out_channels, kernel_size, stride, padding, max-pool 3/2 after it).
ALEXNET_CONVS: tuple[tuple[int, int, int, int, bool], ...] = (
    (96, 11, 4, 1, True), (256, 5, 1, 2, True),
    (384, 3, 1, 1, False), (384, 3, 1, 1, False), (256, 3, 1, 1, True))

# VGG-11 (d2l 8.2): (number of 3×3 convolutions, out_channels) per VGG block, each block ending in
# 2×2 max pooling. AlexNet and VGG share the same head widths.
VGG11_ARCH: tuple[tuple[int, int], ...] = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
BIG_FCS: tuple[int, ...] = (4096, 4096)

HEADS = ("gap", "fc")


class ClassicNet(CheckedSequential):
    """A ``nn.Sequential`` with a flatten + fully connected head, built for one image size: its
    forward says so plainly instead of failing with a matrix-shape error inside the first
    ``nn.Linear``. A slice (``net[:3]``) is a plain ``nn.Sequential``, as for ``NiN``."""

    def __init__(self, *layers: nn.Module, in_channels: int, image_size: int, name: str):
        super().__init__(*layers)
        self.in_channels, self.image_size, self.name = in_channels, image_size, name

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_input(x, self.in_channels, self.image_size, self.name, weight_dtype(self))
        if tuple(x.shape[-2:]) != (self.image_size, self.image_size):
            raise ValueError(f"{self.name} was built for {self.image_size}x{self.image_size} inputs "
                             f"(its fully connected head has a fixed size), got "
                             f"{x.shape[-2]}x{x.shape[-1]}; build it with "
                             f"image_size={x.shape[-1]} or resize the images")
        return super().forward(x)


def _check_common(in_channels: int, num_classes: int, image_size: int) -> None:
    check_positive_int("in_channels", in_channels)
    check_positive_int("num_classes", num_classes, minimum=2, why=ONE_CLASS)
    check_positive_int("image_size", image_size)


def _flat_features(features: list[nn.Module], in_channels: int, image_size: int, name: str) -> int:
    """Length of the flattened feature map, found by a forward pass on the meta device (shapes
    only, no arithmetic), so every table above stays the single source of truth."""
    body = copy.deepcopy(nn.Sequential(*features)).to("meta")  # a copy: .to() moves in place
    try:
        out = body(torch.zeros(1, in_channels, image_size, image_size, device="meta"))
    except RuntimeError as err:  # a kernel larger than what is left of the image
        raise ValueError(f"{name} cannot take {image_size}x{image_size} inputs: the feature map "
                         f"shrinks to nothing ({err}); use a larger image_size") from None
    return out.numel()


def mlp_head(n_in: int, hidden: tuple[int, ...], num_classes: int,
             activation: type[nn.Module] = nn.ReLU, dropout: float = 0.5) -> list[nn.Module]:
    """Flatten, then fully connected layers of widths ``hidden`` (each with ``activation`` and,
    when ``dropout`` > 0, dropout), then the classifier.

    >>> [type(m).__name__ for m in mlp_head(400, (120,), 10, nn.Sigmoid, dropout=0)]
    ['Flatten', 'Linear', 'Sigmoid', 'Linear']
    """
    layers: list[nn.Module] = [nn.Flatten()]
    for width in hidden:
        layers += [nn.Linear(n_in, width), activation()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        n_in = width
    return layers + [nn.Linear(n_in, num_classes)]


def lenet(in_channels: int = 1, num_classes: int = 10, image_size: int = 28) -> ClassicNet:
    """LeNet-5 as in d2l: sigmoid activations and average pooling (``LENET_CONVS``/``LENET_FCS``)."""
    _check_common(in_channels, num_classes, image_size)
    features: list[nn.Module] = []
    channels = in_channels
    for out_channels, kernel_size, padding in LENET_CONVS:
        features += [nn.Conv2d(channels, out_channels, kernel_size, padding=padding), nn.Sigmoid(),
                     nn.AvgPool2d(kernel_size=2, stride=2)]
        channels = out_channels
    n_flat = _flat_features(features, in_channels, image_size, "LeNet")
    head = mlp_head(n_flat, LENET_FCS, num_classes, nn.Sigmoid, dropout=0.0)
    return ClassicNet(*features, *head, in_channels=in_channels, image_size=image_size, name="LeNet")


def alexnet(in_channels: int = 1, num_classes: int = 10, image_size: int = 224) -> ClassicNet:
    """AlexNet as in d2l (``ALEXNET_CONVS``, then two 4096-wide layers with dropout)."""
    _check_common(in_channels, num_classes, image_size)
    features: list[nn.Module] = []
    channels = in_channels
    for out_channels, kernel_size, stride, padding, pool in ALEXNET_CONVS:
        features += [nn.Conv2d(channels, out_channels, kernel_size, stride, padding), nn.ReLU()]
        if pool:
            features.append(nn.MaxPool2d(kernel_size=3, stride=2))
        channels = out_channels
    n_flat = _flat_features(features, in_channels, image_size, "AlexNet")
    head = mlp_head(n_flat, BIG_FCS, num_classes)
    return ClassicNet(*features, *head, in_channels=in_channels, image_size=image_size,
                      name="AlexNet")


def vgg_block(num_convs: int, in_channels: int, out_channels: int) -> nn.Sequential:
    """``num_convs`` 3×3 convolutions (padding 1, so the size is kept), then 2×2 max pooling.

    >>> vgg_block(2, 1, 64)(torch.zeros(1, 1, 32, 32)).shape
    torch.Size([1, 64, 16, 16])
    """
    check_positive_int("num_convs", num_convs)
    layers: list[nn.Module] = []
    for _ in range(num_convs):
        layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1), nn.ReLU()]
        in_channels = out_channels
    return nn.Sequential(*layers, nn.MaxPool2d(kernel_size=2, stride=2))


def vgg(arch: tuple[tuple[int, int], ...] = VGG11_ARCH, in_channels: int = 1,
        num_classes: int = 10, image_size: int = 224) -> ClassicNet:
    """VGG as in d2l: one ``vgg_block`` per ``(num_convs, out_channels)`` row of ``arch``, then
    two 4096-wide layers with dropout. The default ``arch`` is VGG-11."""
    _check_common(in_channels, num_classes, image_size)
    if not arch:
        raise ValueError("arch must list at least one (num_convs, out_channels) block, e.g. VGG11_ARCH")
    features: list[nn.Module] = []
    channels = in_channels
    for num_convs, out_channels in arch:
        features.append(vgg_block(num_convs, channels, out_channels))
        channels = out_channels
    n_flat = _flat_features(features, in_channels, image_size, "VGG")
    head = mlp_head(n_flat, BIG_FCS, num_classes)
    return ClassicNet(*features, *head, in_channels=in_channels, image_size=image_size, name="VGG")


def vgg11(in_channels: int = 1, num_classes: int = 10, image_size: int = 224) -> ClassicNet:
    """VGG-11 for Fashion-MNIST (d2l's ``VGG(arch=((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)))``)."""
    return vgg(VGG11_ARCH, in_channels, num_classes, image_size)


def nin_variant(num_1x1: int = 2, head: str = "gap", in_channels: int = 1, num_classes: int = 10,
                image_size: int = 224, dropout: float = 0.5) -> nn.Sequential:
    """NiN with ``num_1x1`` 1×1 convolutions per block (``nin()`` has 2) and one of two heads:

    - ``"gap"``: NiN's own: the last block emits one channel per class, global average pooling
      turns each channel into a score. ``nin_variant(2, "gap")`` builds exactly ``nin()``.
    - ``"fc"``: the last NiN block and the pooling replaced by AlexNet's head (flatten, two
      4096-wide layers with dropout, classifier), built for ``image_size``.
    """
    check_positive_int("num_1x1", num_1x1, minimum=0)
    _check_common(in_channels, num_classes, image_size)
    if not isinstance(head, str) or head not in HEADS:
        raise ValueError(f"head must be one of {HEADS}, got {head!r}")
    check_number("dropout", dropout, 0, 1, high_open=True, kind="a probability")
    layers: list[nn.Module] = []
    channels = in_channels
    blocks = NIN_BLOCKS if head == "gap" else NIN_BLOCKS[:-1]
    for i, (out_channels, kernel_size, stride, padding) in enumerate(blocks):
        out_channels = num_classes if out_channels is None else out_channels
        last = head == "gap" and i == len(blocks) - 1
        if last:
            layers.append(nn.Dropout(dropout))
        block = [nn.Conv2d(channels, out_channels, kernel_size, stride, padding), nn.ReLU()]
        for _ in range(num_1x1):  # the per-pixel MLP: this is what the ablation varies
            block += [nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU()]
        layers.append(NiNBlock(*block, in_channels=channels, kernel_size=kernel_size, padding=padding))
        if not last:
            layers.append(nn.MaxPool2d(3, stride=2))
        channels = out_channels
    if head == "gap":
        layers += [nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten()]
        return NiN(*layers, in_channels=in_channels)
    n_flat = _flat_features(layers, in_channels, image_size, "NiN with a fully connected head")
    layers += mlp_head(n_flat, BIG_FCS, num_classes, dropout=dropout)
    return ClassicNet(*layers, in_channels=in_channels, image_size=image_size,
                      name="NiN with a fully connected head")
