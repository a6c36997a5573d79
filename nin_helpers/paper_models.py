"""What came after NiN (notebook 07): GoogLeNet's Inception module and MLP-Mixer's MLPs, from
config rows, so their parameters and multiply-adds can be counted and checked.

* ``Inception``: Szegedy et al., "Going deeper with convolutions" (2014), Fig. 2; the widths of
  each module are a row of its Table 1 (``INCEPTION_3A``, ``INCEPTION_3B``).
* ``mixer_mlp``: Tolstikhin et al., "MLP-Mixer" (2021), eq. (1): Linear, GELU, Linear. Its
  channel-mixing MLP is NiN's two 1×1 convolutions; its token-mixing MLP mixes pixels instead.

>>> block = Inception(INCEPTION_3A)
>>> block.out_channels, tuple(block(torch.zeros(1, 192, 28, 28)).shape)
(256, (1, 256, 28, 28))
>>> sum(p.numel() for p in mixer_mlp(196, 256).parameters())
100804
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from nin_helpers.validation import check_positive_int


class InceptionRow(NamedTuple):
    """One Inception module's widths, as in the columns of GoogLeNet's Table 1."""
    in_channels: int
    c1x1: int          # "#1×1": the 1×1 branch
    c3x3_reduce: int   # "#3×3 reduce": 1×1 convolution before the 3×3 one
    c3x3: int          # "#3×3"
    c5x5_reduce: int   # "#5×5 reduce"
    c5x5: int          # "#5×5"
    pool_proj: int     # "pool proj": 1×1 convolution after the 3×3 max-pool


# GoogLeNet Table 1: inception (3a) on 28×28×192 and (3b) on its 28×28×256 output.
INCEPTION_3A = InceptionRow(192, 64, 96, 128, 16, 32, 32)
INCEPTION_3B = InceptionRow(256, 128, 128, 192, 32, 96, 64)


def _conv_relu(c_in: int, c_out: int, k: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, k, padding=k // 2), nn.ReLU()]  # padding k // 2 keeps the size


class Inception(nn.Module):
    """Four branches side by side, outputs concatenated along the channels (GoogLeNet Fig. 2).

    ``reduce=True`` is Fig. 2b, the module GoogLeNet uses: 1×1 convolutions shrink the channels
    before the 3×3 and 5×5 convolutions and after the max-pool. ``reduce=False`` is the naive
    Fig. 2a: 1×1, 3×3 and 5×5 convolutions straight on the input, and the max-pool's
    ``in_channels`` passed through, so the output has ``c1x1 + c3x3 + c5x5 + in_channels`` channels.

    >>> Inception(INCEPTION_3A, reduce=False).out_channels
    416
    """

    def __init__(self, row: InceptionRow, reduce: bool = True):
        super().__init__()
        for name, value in row._asdict().items():
            check_positive_int(name, value)
        c_in = row.in_channels
        if reduce:
            b3 = _conv_relu(c_in, row.c3x3_reduce, 1) + _conv_relu(row.c3x3_reduce, row.c3x3, 3)
            b5 = _conv_relu(c_in, row.c5x5_reduce, 1) + _conv_relu(row.c5x5_reduce, row.c5x5, 5)
            pool = [nn.MaxPool2d(3, stride=1, padding=1), *_conv_relu(c_in, row.pool_proj, 1)]
        else:
            b3, b5 = _conv_relu(c_in, row.c3x3, 3), _conv_relu(c_in, row.c5x5, 5)
            pool = [nn.MaxPool2d(3, stride=1, padding=1)]
        self.branches = nn.ModuleList(nn.Sequential(*b) for b in
                                      (_conv_relu(c_in, row.c1x1, 1), b3, b5, pool))
        self.row, self.reduce = row, reduce
        self.out_channels = row.c1x1 + row.c3x3 + row.c5x5 + (row.pool_proj if reduce else c_in)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1] != self.row.in_channels:
            raise ValueError(f"this Inception module expects (batch, {self.row.in_channels}, height, "
                             f"width), got {tuple(x.shape)}")
        return torch.cat([branch(x) for branch in self.branches], dim=1)


class MixerRow(NamedTuple):
    """An MLP-Mixer's sizes (Tolstikhin et al., Table 1): image side, patch side, hidden size C,
    token-mixing MLP width D_S, channel-mixing MLP width D_C."""
    image_size: int
    patch: int
    channels: int
    tokens_mlp: int
    channels_mlp: int

    @property
    def tokens(self) -> int:
        """S, the number of patches ("tokens"): (image side / patch side) squared."""
        return (self.image_size // self.patch) ** 2


MIXER_S16 = MixerRow(image_size=224, patch=16, channels=512, tokens_mlp=256, channels_mlp=2048)


def mixer_mlp(dim: int, hidden: int) -> nn.Sequential:
    """Mixer's MLP (eq. 1): ``Linear(dim, hidden)``, GELU, ``Linear(hidden, dim)``, applied along
    the last axis. Channel mixing: ``dim`` = C, on each token. Token mixing: ``dim`` = S, on each
    channel after a transpose.

    >>> mixer_mlp(4, 8)(torch.zeros(2, 9, 4)).shape
    torch.Size([2, 9, 4])
    """
    check_positive_int("dim", dim)
    check_positive_int("hidden", hidden)
    return nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))
