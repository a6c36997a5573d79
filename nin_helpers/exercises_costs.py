"""Exercise checkers for notebook 05 (where the parameters go: NiN against LeNet, AlexNet, VGG).

``nin_helpers.exercises`` registers ``COST_EXERCISES``, so students call them like any other::

    from nin_helpers.exercises import check
    check("05.vgg_fc1_params", 512 * 7 * 7 * 4096)   # not yet: the biases are missing

Every right answer is computed from the networks notebook 05 builds (``classic_models``) and its
cost formulas (``costs``, ``arithmetic``), never typed in. The networks are built on the meta
device: shapes and parameter counts without allocating VGG's half gigabyte.

>>> from nin_helpers.checking import judge
>>> judge(COST_EXERCISES[0], 400 * 120 + 120 * 84 + 84 * 10)[1]
'05.lenet_fc_params: not yet. Hint: Each output of a fully connected layer also has one bias. Count the biases too.'
"""
from __future__ import annotations

from functools import cache
from typing import Callable

import torch
from torch import nn

from nin_helpers.arithmetic import linear_params
from nin_helpers.checking import Exercise
from nin_helpers.classic_models import BIG_FCS, LENET_FCS, alexnet, lenet, nin_variant, vgg11
from nin_helpers.costs import BYTES_PER_PARAM, MB, params_by_kind
from nin_helpers.inspection import count_params
from nin_helpers.models import NIN_BLOCKS, nin

BUILDERS: dict[str, Callable[..., nn.Module]] = {
    "lenet": lenet, "alexnet": alexnet, "vgg11": vgg11, "nin": nin, "nin_variant": nin_variant}


@cache
def _net(name: str, *args) -> nn.Module:
    """A network built on the meta device, once: checkers only read its sizes."""
    with torch.device("meta"):
        if name == "vgg16":  # torchvision's ImageNet VGG-16, the notebook's reference
            import torchvision
            return torchvision.models.vgg16()
        return BUILDERS[name](*args)


def _params(name: str, *args) -> int:
    return count_params(_net(name, *args))


def _linears(name: str, *args) -> list[tuple[int, int]]:
    """``(in_features, out_features)`` of every ``nn.Linear``, in order."""
    return [(m.in_features, m.out_features) for m in _net(name, *args).modules() if isinstance(m, nn.Linear)]


def _fc(name: str, *args) -> int:
    return params_by_kind(_net(name, *args))["fully connected"]


def _chain(widths: tuple[int, ...], bias: bool = True) -> int:
    """Parameters of fully connected layers of these widths, one after the other."""
    return sum(linear_params(a, b, bias) for a, b in zip(widths, widths[1:]))


def _fc_variant(image_size: int) -> int:
    return _params("nin_variant", 2, "fc", 1, 10, image_size)


def _fc_variant_reading(image_size: int, n_flat: int) -> int:
    """The ``"fc"`` variant's count if its head read ``n_flat`` values (a wrong feature-map size)."""
    convs = params_by_kind(_net("nin_variant", 2, "fc", 1, 10, image_size))["convolution"]
    return convs + _chain((n_flat, *BIG_FCS, 10))


def _mb(n_params: int) -> float:
    return n_params * BYTES_PER_PARAM / MB


def _head_biases(image_size: int) -> int:
    return sum(n_out for _, n_out in _linears("nin_variant", 2, "fc", 1, 10, image_size))


# Hints shared by several exercises. None may contain a number that is some exercise's answer.
FC_BIAS = "Each output of a fully connected layer also has one bias. Count the biases too."
FC_RULE = "A fully connected layer from n_in to n_out values has n_in x n_out weights plus n_out biases."
FLATTEN = ("Flatten keeps every value of the last feature map: the layer's input length is "
           "channels x height x width, not just the channels or just the pixels.")
BIAS_PER_OUTPUT = "There is one bias per output, not per input."
BYTES = "Bytes = number of parameters x bytes per float32 value."
FLOAT32 = "PyTorch's default dtype is float32: 4 bytes per value, not 8."
CONV_SIZE = "Output side of a convolution or pooling: floor((n + 2p - k) / s) + 1."

COST_EXERCISES = [
    Exercise("05.lenet_fc_params", "How many parameters do the fully connected layers of d2l's LeNet "
             "(lenet(), 28 x 28 images) have together: the flattened 16-channel map -> 120 -> 84 -> 10?",
             "int", lambda: _fc("lenet"),
             FC_RULE + " Add up the three layers; the first one's input is 16 x height x width.",
             ((lambda: _chain((_linears("lenet")[0][0], *LENET_FCS, 10), bias=False), FC_BIAS),
              (lambda: linear_params(*_linears("lenet")[0]), "LeNet has three fully connected layers: add the other two."),
              (lambda: sum(linear_params(*s) for s in _linears("lenet")[:2]),
               "The classifier (84 values to the 10 classes) is a fully connected layer too."),
              (lambda: _chain((16 * 4 * 4, *LENET_FCS, 10)),
               "d2l's LeNet pads its first convolution by 2, so the 28 x 28 image keeps its size there. "
               + CONV_SIZE),
              (lambda: _params("lenet"), "That includes the two convolutions: count only the nn.Linear layers."))),
    Exercise("05.alexnet_fc1_params", "How many parameters does the first fully connected layer of d2l's "
             "AlexNet (alexnet(), 224 x 224 grey images) have? It takes the flattened last feature map "
             "(256 channels) to 4,096 values.", "int", lambda: linear_params(*_linears("alexnet")[0]),
             FC_RULE + " Follow the image size through AlexNet's convolutions and poolings first.",
             ((lambda: _chain(_linears("alexnet")[0], bias=False), FC_BIAS),
              (lambda: linear_params(256, 4096), FLATTEN),
              (lambda: linear_params(5 * 5, 4096), FLATTEN),
              (lambda: linear_params(256 * 6 * 6, 4096),
               "A 6 x 6 map is torchvision's ImageNet AlexNet (its adaptive pooling forces it); d2l's "
               "ends in a smaller one. " + CONV_SIZE),
              (lambda: _linears("alexnet")[0][0] * 4097, BIAS_PER_OUTPUT))),
    Exercise("05.vgg_fc1_params", "How many parameters does the first fully connected layer of d2l's VGG-11 "
             "(vgg11(), 224 x 224 grey images) have? Its input is the last feature map flattened: 512 "
             "channels, and 224 halved by the 2 x 2 max-pool ending each of the five VGG blocks; its "
             "output is 4,096 values.", "int", lambda: linear_params(*_linears("vgg11")[0]), FC_RULE,
             ((lambda: _chain(_linears("vgg11")[0], bias=False), FC_BIAS),
              (lambda: linear_params(7 * 7, 4096), FLATTEN),
              (lambda: linear_params(512, 4096), FLATTEN),
              (lambda: linear_params(512 * 14 * 14, 4096), "Five blocks, five poolings: halve 224 five times."),
              (lambda: _linears("vgg11")[0][0] * 4097, BIAS_PER_OUTPUT),
              (lambda: _fc("vgg11"), "That is the whole head (three layers); the question asks for the first."))),
    Exercise("05.vgg16_weight_mb", "How many megabytes (MB, 10^6 bytes) do the float32 weights of "
             "torchvision's vgg16() (ImageNet: 3 channels, 1,000 classes) take?", "float",
             lambda: _mb(_params("vgg16")), BYTES + " Then divide by 10^6 for MB.",
             ((lambda: _params("vgg16") * BYTES_PER_PARAM / 2**20,
               "You divided by 2^20 = 1,048,576: that gives MiB. A MB is 10^6 bytes."),
              (lambda: _params("vgg16") * 32 / MB, "That is megabits: a float32 value takes 32 bits, 4 bytes."),
              (lambda: _params("vgg16") / MB, "That is millions of parameters; each float32 value takes 4 bytes."),
              (lambda: 2 * _mb(_params("vgg16")), FLOAT32),
              (lambda: _mb(_params("vgg16")) / 1e3, "That is in GB; the question asks for MB."),
              (lambda: _mb(_params("vgg11")),
               "That is d2l's VGG-11 for grey images; the question is about torchvision's VGG-16.")),
             rel_tol=1e-3),
    Exercise("05.adam_step_bytes_vgg11", "Training d2l's VGG-11 (vgg11(), 224 x 224 grey images, 10 classes) "
             "with Adam in float32 keeps, for every parameter, the weight, its gradient and Adam's two "
             "moments. How many bytes is that, before any activation?", "int",
             lambda: 4 * BYTES_PER_PARAM * _params("vgg11"),
             "Count the float32 tensors kept per parameter during training, times 4 bytes each.",
             ((lambda: BYTES_PER_PARAM * _params("vgg11"), "Training also keeps a gradient and Adam's state for each weight."),
              (lambda: 2 * BYTES_PER_PARAM * _params("vgg11"), "Adam keeps two moments per parameter, besides the gradient."),
              (lambda: 3 * BYTES_PER_PARAM * _params("vgg11"), "Adam keeps two moments (first and second), not one."),
              (lambda: 8 * 4 * _params("vgg11"), FLOAT32),
              (lambda: 32 * 4 * _params("vgg11"), "That is bits; the question asks for bytes (8 bits each)."),
              (lambda: 4 * BYTES_PER_PARAM * _params("vgg16"),
               "That is torchvision's VGG-16; the question is about d2l's VGG-11."))),
    Exercise("05.fc_head_params_at_96", "How many parameters does nin_variant(2, 'fc', image_size=96) have? "
             "NiN's first three blocks, each followed by its 3 x 3, stride-2 max-pool, then flatten -> "
             "4,096 -> 4,096 -> 10.", "int", lambda: _fc_variant(96),
             "The blocks' count does not depend on the image; the head's first layer has one weight per "
             "value of the last feature map, for each of its outputs. " + CONV_SIZE,
             ((lambda: _fc_variant(224), "That is the count at 224 x 224: the last feature map is smaller "
               "at 96, so the first fully connected layer is too. " + CONV_SIZE),
              (lambda: _params("nin"), "That is NiN with global average pooling, whose count ignores the image "
               "size; the fully connected head's does not."),
              (lambda: _fc_variant_reading(96, 384 * 4 * 4),
               "The third block is followed by its max-pool too: one more floor((n - 3) / 2) + 1."),
              (lambda: _fc_variant_reading(96, 384 * 2 * 2), CONV_SIZE + " Round down at every layer."),
              (lambda: _fc_variant(96) - _head_biases(96), FC_BIAS))),
    # --- d2l 8.3 exercises that code can judge -------------------------------------------------------
    Exercise("d2l.three_1x1_params", "d2l 8.3 ex. 1: with three 1 x 1 convolutions per NiN block instead of "
             "two (nin_variant(3)), how many parameters does NiN have?", "int",
             lambda: _params("nin_variant", 3),
             "Each extra 1 x 1 convolution in a block of c channels adds a c x c weight matrix and c biases, "
             "in each of the four blocks.",
             ((lambda: _params("nin"), "That is NiN's own count, with two 1 x 1 convolutions per block."),
              (lambda: _params("nin") * 3 // 2, "The k x k convolution opening each block does not grow: "
               "only the 1 x 1 layers are added."),
              (lambda: _params("nin") + sum((c or 10) ** 2 for c, *_ in NIN_BLOCKS),
               "Each added 1 x 1 convolution has one bias per output channel too."),
              (lambda: _params("nin_variant", 1), "That removes one 1 x 1 convolution per block; the question adds one."))),
    Exercise("d2l.fc_head_params", "d2l 8.3 ex. 3: replace NiN's last block and its global average pooling "
             "by AlexNet's fully connected head, as nin_variant(2, 'fc') does at 224 x 224. How many more "
             "parameters than nin() does it have?", "int", lambda: _fc_variant(224) - _params("nin"),
             "Difference = (three NiN blocks + the head) - nin(); the head's first layer reads the "
             "flattened 384-channel map left after the third block's pooling.",
             ((lambda: _fc_variant(224), "That is the variant's total; the question asks how many more than nin()."),
              (lambda: _fc("nin_variant", 2, "fc", 1, 10, 224),
               "That is the head alone; the variant also drops NiN's last block: subtract its parameters."),
              (lambda: _fc_variant_reading(224, 384) - _params("nin"), FLATTEN),
              (lambda: _fc_variant(224) - _params("nin") - _head_biases(224), FC_BIAS))),
]
COST: dict[str, Exercise] = {ex.id: ex for ex in COST_EXERCISES}
