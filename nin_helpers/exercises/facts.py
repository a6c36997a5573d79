"""Facts about the course's networks that several notebooks' exercises compute their answers from.

Each fact is computed by the course's own code (``models``, ``classic_models``, ``inspection``,
``costs``, ``arithmetic``), never typed in, so an exercise cannot drift from the lesson. Networks
that are only counted are built on the meta device (shapes and sizes without allocating VGG's
half gigabyte); the one NiN that must run forward is a real one, built once.

>>> IMAGE_SHAPE, nin_params(), nin_params(in_channels=3) - nin_params()
((1, 1, 224, 224), 1992166, 23232)
>>> fc_chain_params((400, 120, 84, 10)) == linear_params(400, 120) + linear_params(120, 84) + linear_params(84, 10)
True
"""
from __future__ import annotations

from functools import cache
from typing import Callable

import pandas as pd
import torch
from torch import nn

from nin_helpers.arithmetic import conv2d_macs, linear_params
from nin_helpers.classic_models import BIG_FCS, alexnet, lenet, nin_variant, vgg11
from nin_helpers.costs import params_by_kind
from nin_helpers.inspection import count_params, layer_table
from nin_helpers.models import nin

IMAGE_SHAPE = (1, 1, 224, 224)  # one Fashion-MNIST image, resized as in d2l: (batch, channels, height, width)

BUILDERS: dict[str, Callable[..., nn.Module]] = {
    "lenet": lenet, "alexnet": alexnet, "vgg11": vgg11, "nin": nin, "nin_variant": nin_variant}
# nin_variant's arguments for NiN's first three blocks under AlexNet's fully connected head (d2l 8.3
# ex. 3): two 1 x 1 convolutions per block, head "fc", 1 input channel, 10 classes; the image side follows.
FC_VARIANT = ("nin_variant", 2, "fc", 1, 10)


# --- the real NiN, for what needs a forward pass (shapes, multiply-adds) ------------------------------
@cache
def nin_net() -> nn.Module:
    """One NiN, built once: exercises only read it (shapes, counts), never train it."""
    return nin().eval()


@cache
def nin_table() -> pd.DataFrame:
    """``layer_table`` of ``nin_net()`` for one ``IMAGE_SHAPE`` image."""
    return layer_table(nin_net(), IMAGE_SHAPE)


@cache
def top_level_shapes() -> tuple[tuple[int, ...], ...]:
    """The output shape of each top-level layer of NiN (``for layer in net``) for one image."""
    x, shapes = torch.zeros(IMAGE_SHAPE), []
    with torch.no_grad():
        for layer in nin_net():
            x = layer(x)
            shapes.append(tuple(x.shape))
    return tuple(shapes)


def conv_rows() -> pd.DataFrame:
    """The rows of ``nin_table()`` for NiN's 12 convolutions, in order."""
    t = nin_table()
    return t[t["type"] == "Conv2d"]


def weights_only(module: nn.Module) -> int:
    """Parameters of ``module`` without its biases (the count a student who forgot them gets)."""
    return sum(p.numel() for name, p in module.named_parameters() if not name.endswith("bias"))


def nin_macs() -> int:
    """Multiply-adds of NiN's convolutions for one ``IMAGE_SHAPE`` image, by the course's formula."""
    convs = (m for m in nin_net().modules() if isinstance(m, nn.Conv2d))
    return sum(conv2d_macs(conv.in_channels, conv.out_channels, conv.kernel_size[0], row["output shape"][2:])
               for conv, (_, row) in zip(convs, conv_rows().iterrows()))


# --- networks on the meta device, for what only needs sizes ---------------------------------------------
@cache
def meta_net(name: str, *args) -> nn.Module:
    """``BUILDERS[name](*args)`` (or torchvision's ``vgg16()`` for "vgg16") on the meta device, once."""
    with torch.device("meta"):
        if name == "vgg16":  # torchvision's ImageNet VGG-16, notebook 05's reference
            import torchvision  # only here: importing it costs a second or two
            return torchvision.models.vgg16()
        return BUILDERS[name](*args)


def params_of(name: str, *args) -> int:
    """Parameters of ``meta_net(name, *args)``."""
    return count_params(meta_net(name, *args))


def nin_params(in_channels: int = 1, num_classes: int = 10) -> int:
    """Parameters of ``nin(in_channels, num_classes)``."""
    return params_of("nin", in_channels, num_classes)


def linears(name: str, *args) -> list[tuple[int, int]]:
    """``(in_features, out_features)`` of every ``nn.Linear`` of ``meta_net(name, *args)``, in order."""
    return [(m.in_features, m.out_features) for m in meta_net(name, *args).modules() if isinstance(m, nn.Linear)]


def fc_params(name: str, *args) -> int:
    """Parameters of the fully connected layers of ``meta_net(name, *args)``."""
    return params_by_kind(meta_net(name, *args))["fully connected"]


def fc_chain_params(widths: tuple[int, ...], bias: bool = True) -> int:
    """Parameters of fully connected layers of these widths, one after the other."""
    return sum(linear_params(a, b, bias) for a, b in zip(widths, widths[1:]))


def fc_variant_params(image_size: int) -> int:
    """Parameters of the ``FC_VARIANT`` network for square images of side ``image_size``."""
    return params_of(*FC_VARIANT, image_size)


def fc_variant_params_reading(image_size: int, n_flat: int) -> int:
    """The ``FC_VARIANT`` count if its head read ``n_flat`` values (a wrong feature-map size)."""
    convs = params_by_kind(meta_net(*FC_VARIANT, image_size))["convolution"]
    return convs + fc_chain_params((n_flat, *BIG_FCS, 10))


def fc_variant_head_biases(image_size: int) -> int:
    """The biases of the ``FC_VARIANT`` head: one per output of each fully connected layer."""
    return sum(n_out for _, n_out in linears(*FC_VARIANT, image_size))
