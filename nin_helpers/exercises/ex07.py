"""Exercises of notebook 07 (NiN in context: the paper's network, the 500-questions table,
Inception, MLP-Mixer, global average pooling heads).

``nin_helpers.exercises`` registers ``EXERCISES``, so students call them like any other::

    from nin_helpers.exercises import check
    check("07.inception_3b_params", None)   # no answer yet

Every right answer is computed from the networks notebook 07 builds (``models.nin_from_table``,
``paper_models``, torchvision's ``resnet50``), counted with ``count_params``, ``layer_table`` and
``FlopCounterMode``; nothing is typed in. Networks are built on the meta device: shapes and
counts without memory or initialisation time.

>>> from nin_helpers.exercises.engine import judge_answer
>>> judge_answer(BY_ID["07.mixer_token_params"], 2 * 196 * 256)[1]
'07.mixer_token_params: not yet. Hint: Each output of a Linear layer also has one bias. Count the biases too.'
"""
from __future__ import annotations

from functools import cache

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from nin_helpers.arithmetic import conv2d_macs, linear_params
from nin_helpers.exercises.engine import Exercise
from nin_helpers.inspection import count_params, layer_table
from nin_helpers.models import NIN_500Q_BLOCKS, NIN_CIFAR10_BLOCKS, NinRow, nin_from_table
from nin_helpers.paper_models import INCEPTION_3A, INCEPTION_3B, MIXER_S16, Inception, mixer_mlp

META = torch.device("meta")
# The 500-questions network with stride 2 in every 3×3 convolution (exercise 4).
STRIDE2_BLOCKS: tuple[NinRow, ...] = tuple((c, k, 2, p, w, pool) for c, k, _, p, w, pool in NIN_500Q_BLOCKS)
# The paper's network if num_classes set the whole last block, as in d2l's NiN (a typical mistake).
D2L_STYLE_LAST = NIN_CIFAR10_BLOCKS[:-1] + ((None, 3, 1, 1, (None, None), None),)


@cache
def _nin(blocks: tuple[NinRow, ...], in_channels: int, num_classes: int, ceil_mode: bool = True) -> nn.Module:
    with META:
        return nin_from_table(blocks, in_channels, num_classes, ceil_mode=ceil_mode).eval()


def _params(blocks, in_channels, num_classes) -> int:
    return count_params(_nin(blocks, in_channels, num_classes))


def _weights_only(module: nn.Module) -> int:
    return sum(p.numel() for name, p in module.named_parameters() if not name.endswith("bias"))


def _gap_input_side(blocks, in_channels: int, side: int, ceil_mode: bool) -> int:
    """Side of the map that global average pooling averages, read from notebook 03's layer table."""
    table = layer_table(_nin(blocks, in_channels, 10, ceil_mode), (1, in_channels, side, side))
    gap = table.index[table["type"] == "AdaptiveAvgPool2d"][0]
    return table.loc[gap - 1, "output shape"][-1]


def _last_conv_side(blocks, in_channels: int, side: int) -> int:
    table = layer_table(_nin(blocks, in_channels, 100), (1, in_channels, side, side))
    return table[table["type"] == "Conv2d"]["output shape"].iloc[-1][-1]


def _fold(side: int, step) -> int:
    """``side`` through the three 3×3 convolutions of the 500-questions table, one ``step`` each."""
    for _ in NIN_500Q_BLOCKS:
        side = step(side)
    return side


@cache
def _inception(row, reduce: bool = True) -> nn.Module:
    with META:
        return Inception(row, reduce)


def _macs(module: nn.Module, *shape: int) -> int:
    """Multiply-adds of one forward pass: torch's FLOP count / 2."""
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        module(torch.zeros(*shape, device=META))
    return counter.get_total_flops() // 2


def _branch5_macs(row, reduce: bool = True) -> int:
    return _macs(_inception(row, reduce).branches[2], 1, row.in_channels, 28, 28)


@cache
def _resnet50_fc() -> nn.Module:
    import torchvision
    with META:
        return torchvision.models.resnet50().fc


def _token_params(tokens: int) -> int:
    return count_params(mixer_mlp(tokens, MIXER_S16.tokens_mlp))


# Hints shared by several exercises. None may contain a number that is some exercise's answer.
NO_BIAS = "Each output channel also has one bias. Count the biases too."
FC_BIAS = "Each output of a Linear layer also has one bias. Count the biases too."
FLOPS = "That counts FLOPs (a multiply and an add each); the question asks for multiply-adds."
CONV_SIZE = "Output side of a convolution or pooling: floor((n + 2p - k) / s) + 1."

EXERCISES: list[Exercise] = [
    Exercise("07.paper_params_cifar100", "How many parameters does the paper's NiN have for CIFAR-100: "
             "nin_paper(num_classes=100), colour 32 x 32 images?", "int",
             lambda: _params(NIN_CIFAR10_BLOCKS, 3, 100),
             "Only the last 1 x 1 convolution (cccp6) has one output channel per class: recount it, "
             "weights and biases.",
             ((lambda: _params(NIN_CIFAR10_BLOCKS, 3, 10), "num_classes sets cccp6's output channels: "
               "the count changes."),
              (lambda: _params(NIN_CIFAR10_BLOCKS, 3, 10) + 90 * 192, "The added classes each bring a bias too."),
              (lambda: _weights_only(_nin(NIN_CIFAR10_BLOCKS, 3, 100)), NO_BIAS),
              (lambda: _params(D2L_STYLE_LAST, 3, 100),
               "That is d2l's scheme, where the whole last block has one channel per class. In the paper's "
               "network conv3 and cccp5 keep their 192 channels; only cccp6 has one per class."))),
    Exercise("07.floor_mode_side", "nin_paper(in_channels=1, ceil_mode=False) on one 28 x 28 Fashion-MNIST "
             "image: what is the side (in pixels) of the maps that global average pooling averages?", "int",
             lambda: _gap_input_side(NIN_CIFAR10_BLOCKS, 1, 28, ceil_mode=False),
             "The convolutions (padding 2 for 5 x 5, 1 for 3 x 3) keep the side; each of the two 3 x 3, "
             "stride-2 poolings rounds down: " + CONV_SIZE.lower(),
             ((lambda: _gap_input_side(NIN_CIFAR10_BLOCKS, 1, 28, ceil_mode=True),
               "That rounds up, as Caffe does; ceil_mode=False rounds down at each pooling."),
              (lambda: 1, "That is after the global average pooling; the question asks for the maps it averages."))),
    Exercise("07.seed_params_cifar10", "The 500-questions NiN (NIN_500Q_BLOCKS: 3 x 3 convolutions 3->16, "
             "16->64, 64->classes, each followed by a 1 x 1 convolution keeping the channels) built for "
             "CIFAR-10's 10 classes: nin_from_table(NIN_500Q_BLOCKS, 3, 10). How many parameters?", "int",
             lambda: _params(NIN_500Q_BLOCKS, 3, 10),
             "The last block's channels are the classes: its 3 x 3 convolution maps 64 channels to them "
             "and its 1 x 1 convolution maps them to themselves, each with biases.",
             ((lambda: _params(NIN_500Q_BLOCKS, 3, 100), "That is the CIFAR-100 count: the last block "
               "has one channel per class, so it shrinks."),
              (lambda: _params(NIN_500Q_BLOCKS, 3, 100) - count_params(_nin(NIN_500Q_BLOCKS, 3, 100)[2][0])
               + count_params(_nin(NIN_500Q_BLOCKS, 3, 10)[2][0]),
               "The 1 x 1 convolution of the last block changes too: classes to classes."),
              (lambda: _weights_only(_nin(NIN_500Q_BLOCKS, 3, 10)), NO_BIAS))),
    Exercise("07.seed_side_stride2", "The 500-questions NiN with stride 2 in each of its three 3 x 3 "
             "convolutions (still no padding) on a 32 x 32 image: what is the side of the last feature "
             "map?", "int", lambda: _last_conv_side(STRIDE2_BLOCKS, 3, 32),
             CONV_SIZE + " The 1 x 1 convolutions (stride 1) keep the side.",
             ((lambda: _fold(32, lambda n: n - 3 + 1),
               "n - k + 1 holds for stride 1 only: with stride s, floor((n + 2p - k) / s) + 1."),
              (lambda: _fold(32, lambda n: -(-(n - 3) // 2) + 1), "Round down (floor) the division, then add 1."),
              (lambda: _fold(32, lambda n: (n - 3 + 1) // 2),
               "Divide n + 2p - k by the stride, then add 1: (n - k + 1) / s is a different number."))),
    Exercise("07.inception_3b_params", "How many parameters does GoogLeNet's inception (3b) have (Table 1: "
             "input 256 channels; 1x1 128; 1x1 128 -> 3x3 192; 1x1 32 -> 5x5 96; 3x3 max-pool -> 1x1 64)? "
             "Inception(INCEPTION_3B)", "int", lambda: count_params(_inception(INCEPTION_3B)),
             "Add the six convolutions: k x k x c_in x c_out + c_out each; a 3 x 3 or 5 x 5 convolution's "
             "c_in is its reduction's output, the max-pool has no parameters.",
             ((lambda: _weights_only(_inception(INCEPTION_3B)), NO_BIAS),
              (lambda: count_params(_inception(INCEPTION_3B, reduce=False)),
               "That is the naive module (Fig. 2a) without reductions; in (3b) the 3 x 3 and 5 x 5 "
               "convolutions read the 1 x 1 reductions' outputs, and the pool branch has a projection."),
              (lambda: count_params(_inception(INCEPTION_3B)) - count_params(_inception(INCEPTION_3B).branches[3]),
               "The pool branch has a 1 x 1 projection with weights too."),
              (lambda: count_params(_inception(INCEPTION_3B)) - count_params(_inception(INCEPTION_3B).branches[1][0])
               - count_params(_inception(INCEPTION_3B).branches[2][0]),
               "The 1 x 1 reductions have weights and biases too."))),
    Exercise("07.inception_5x5_macs", "How many multiply-adds does the 5 x 5 branch of inception (3a) do on "
             "its 28 x 28 x 192 input: a 1 x 1 convolution 192 -> 16, then a 5 x 5 convolution 16 -> 32 "
             "(padding 2)?", "int", lambda: _branch5_macs(INCEPTION_3A),
             "Multiply-adds of a convolution: (output pixels) x (output channels) x (k x k x input "
             "channels); add the branch's two convolutions.",
             ((lambda: 2 * _branch5_macs(INCEPTION_3A), FLOPS),
              (lambda: _branch5_macs(INCEPTION_3A, reduce=False),
               "That is the 5 x 5 convolution on all input channels (the naive module); here it reads the "
               "reduction's outputs."),
              (lambda: conv2d_macs(16, 32, 5, (28, 28)), "The 1 x 1 reduction in front costs multiply-adds too."),
              (lambda: _branch5_macs(INCEPTION_3A) // (28 * 28),
               "The same weights run again at every one of the 28 x 28 positions."))),
    Exercise("07.mixer_token_params", "How many parameters does one token-mixing MLP of Mixer-S/16 have "
             "(224 x 224 images cut into 16 x 16 patches, token-mixing width D_S = 256): "
             "mixer_mlp(S, 256)?", "int", lambda: _token_params(MIXER_S16.tokens),
             "Two Linear layers, S -> D_S -> S, each n_in x n_out weights plus n_out biases; S is the number "
             "of patches.",
             ((lambda: 2 * MIXER_S16.tokens * MIXER_S16.tokens_mlp, FC_BIAS),
              (lambda: count_params(mixer_mlp(MIXER_S16.channels, MIXER_S16.channels_mlp)),
               "That is the channel-mixing MLP (C and D_C); token mixing runs along the patches."),
              (lambda: _token_params(MIXER_S16.image_size // MIXER_S16.patch),
               "S counts all patches: (image side / patch side) squared."),
              (lambda: linear_params(MIXER_S16.tokens, MIXER_S16.tokens_mlp),
               "The MLP has two Linear layers: to D_S and back."))),
    Exercise("07.gap_head_resnet50", "torchvision's resnet50 ends in global average pooling over its last "
             "feature maps (2,048 channels, 7 x 7 at 224 x 224) and one Linear layer to 1,000 classes. How "
             "many parameters does that head have?", "int", lambda: count_params(_resnet50_fc()),
             "Global average pooling has no parameters and leaves one value per channel; then one Linear "
             "layer: n_in x n_out weights plus n_out biases.",
             ((lambda: linear_params(2048 * 7 * 7, 1000),
               "Global average pooling leaves one value per channel, whatever the maps' height and width."),
              (lambda: _weights_only(_resnet50_fc()), FC_BIAS),
              (lambda: linear_params(512, 1000), "That is resnet18's head; resnet50's last maps have "
               "four times as many channels."))),
]
BY_ID: dict[str, Exercise] = {ex.id: ex for ex in EXERCISES}
