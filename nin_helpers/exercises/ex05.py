"""Exercises of notebook 05 (where the parameters go: NiN against LeNet, AlexNet, VGG).

``nin_helpers.exercises`` registers ``EXERCISES``, so students call them like any other::

    from nin_helpers.exercises import check
    check("05.vgg_fc1_params", 512 * 7 * 7 * 4096)   # not yet: the biases are missing

Every right answer is computed from the networks notebook 05 builds (``classic_models``) and its
cost formulas (``costs``, ``arithmetic``), never typed in; ``facts`` builds the networks on the
meta device.

>>> from nin_helpers.exercises.engine import judge_answer
>>> judge_answer(EXERCISES[0], 400 * 120 + 120 * 84 + 84 * 10)[1]
'05.lenet_fc_params: not yet. Hint: Each output of a fully connected layer also has one bias. Count the biases too.'
"""
from __future__ import annotations

from nin_helpers.arithmetic import linear_params
from nin_helpers.classic_models import LENET_FCS
from nin_helpers.costs import BYTES_PER_PARAM, MB
from nin_helpers.exercises.engine import Exercise
from nin_helpers.exercises.facts import (
    fc_chain_params,
    fc_params,
    fc_variant_head_biases,
    fc_variant_params,
    fc_variant_params_reading,
    linears,
    nin_params,
    params_of,
)
from nin_helpers.exercises.hints import (
    BIAS_PER_OUTPUT,
    BYTES,
    CONV_SIZE,
    FC_BIAS,
    FC_RULE,
    FLATTEN,
    FLOAT32,
    TRAINING_BYTES,
)


def _mb(n_params: int) -> float:
    return n_params * BYTES_PER_PARAM / MB


EXERCISES: list[Exercise] = [
    Exercise("05.lenet_fc_params", "How many parameters do the fully connected layers of d2l's LeNet "
             "(lenet(), 28 x 28 images) have together: the flattened 16-channel map -> 120 -> 84 -> 10?",
             "int", lambda: fc_params("lenet"),
             FC_RULE + " Add up the three layers; the first one's input is 16 x height x width.",
             ((lambda: fc_chain_params((linears("lenet")[0][0], *LENET_FCS, 10), bias=False), FC_BIAS),
              (lambda: linear_params(*linears("lenet")[0]),
               "LeNet has three fully connected layers: add the other two."),
              (lambda: sum(linear_params(*s) for s in linears("lenet")[:2]),
               "The classifier (84 values to the 10 classes) is a fully connected layer too."),
              (lambda: fc_chain_params((16 * 4 * 4, *LENET_FCS, 10)),
               "d2l's LeNet pads its first convolution by 2, so the 28 x 28 image keeps its size there. "
               + CONV_SIZE),
              (lambda: params_of("lenet"), "That includes the two convolutions: count only the nn.Linear layers."))),
    Exercise("05.alexnet_fc1_params", "How many parameters does the first fully connected layer of d2l's "
             "AlexNet (alexnet(), 224 x 224 grey images) have? It takes the flattened last feature map "
             "(256 channels) to 4,096 values.", "int", lambda: linear_params(*linears("alexnet")[0]),
             FC_RULE + " Follow the image size through AlexNet's convolutions and poolings first.",
             ((lambda: fc_chain_params(linears("alexnet")[0], bias=False), FC_BIAS),
              (lambda: linear_params(256, 4096), FLATTEN),
              (lambda: linear_params(5 * 5, 4096), FLATTEN),
              (lambda: linear_params(256 * 6 * 6, 4096),
               "A 6 x 6 map is torchvision's ImageNet AlexNet (its adaptive pooling forces it); d2l's "
               "ends in a smaller one. " + CONV_SIZE),
              (lambda: linears("alexnet")[0][0] * 4097, BIAS_PER_OUTPUT))),
    Exercise("05.vgg_fc1_params", "How many parameters does the first fully connected layer of d2l's VGG-11 "
             "(vgg11(), 224 x 224 grey images) have? Its input is the last feature map flattened: 512 "
             "channels, and 224 halved by the 2 x 2 max-pool ending each of the five VGG blocks; its "
             "output is 4,096 values.", "int", lambda: linear_params(*linears("vgg11")[0]), FC_RULE,
             ((lambda: fc_chain_params(linears("vgg11")[0], bias=False), FC_BIAS),
              (lambda: linear_params(7 * 7, 4096), FLATTEN),
              (lambda: linear_params(512, 4096), FLATTEN),
              (lambda: linear_params(512 * 14 * 14, 4096), "Five blocks, five poolings: halve 224 five times."),
              (lambda: linears("vgg11")[0][0] * 4097, BIAS_PER_OUTPUT),
              (lambda: fc_params("vgg11"), "That is the whole head (three layers); the question asks for the first."))),
    Exercise("05.vgg16_weight_mb", "How many megabytes (MB, 10^6 bytes) do the float32 weights of "
             "torchvision's vgg16() (ImageNet: 3 channels, 1,000 classes) take? Give it to three significant "
             "figures.", "float",
             lambda: _mb(params_of("vgg16")), BYTES + " Then divide by 10^6 for MB.",
             ((lambda: params_of("vgg16") * BYTES_PER_PARAM / 2**20,
               "You divided by 2^20 = 1,048,576: that gives MiB. A MB is 10^6 bytes."),
              (lambda: params_of("vgg16") * 32 / MB, "That is megabits: a float32 value takes 32 bits, 4 bytes."),
              (lambda: params_of("vgg16") / MB, "That is millions of parameters; each float32 value takes 4 bytes."),
              (lambda: 2 * _mb(params_of("vgg16")), FLOAT32),
              (lambda: _mb(params_of("vgg16")) / 1e3, "That is in GB; the question asks for MB."),
              (lambda: _mb(params_of("vgg11")),
               "That is d2l's VGG-11 for grey images; the question is about torchvision's VGG-16."))),
    Exercise("05.adam_step_bytes_vgg11", "Training d2l's VGG-11 (vgg11(), 224 x 224 grey images, 10 classes) "
             "with Adam in float32 keeps, for every parameter, the weight, its gradient and Adam's two "
             "moments. How many bytes is that, before any activation?", "int",
             lambda: 4 * BYTES_PER_PARAM * params_of("vgg11"), TRAINING_BYTES,
             ((lambda: BYTES_PER_PARAM * params_of("vgg11"),
               "Training also keeps a gradient and Adam's state for each weight."),
              (lambda: 2 * BYTES_PER_PARAM * params_of("vgg11"),
               "Adam keeps two moments per parameter, besides the gradient."),
              (lambda: 3 * BYTES_PER_PARAM * params_of("vgg11"), "Adam keeps two moments (first and second), not one."),
              (lambda: 8 * 4 * params_of("vgg11"), FLOAT32),
              (lambda: 32 * 4 * params_of("vgg11"), "That is bits; the question asks for bytes (8 bits each)."),
              (lambda: 4 * BYTES_PER_PARAM * params_of("vgg16"),
               "That is torchvision's VGG-16; the question is about d2l's VGG-11."))),
    Exercise("05.fc_head_params_at_96", "How many parameters does nin_variant(2, 'fc', image_size=96) have? "
             "NiN's first three blocks, each followed by its 3 x 3, stride-2 max-pool, then flatten -> "
             "4,096 -> 4,096 -> 10.", "int", lambda: fc_variant_params(96),
             "The blocks' count does not depend on the image; the head's first layer has one weight per "
             "value of the last feature map, for each of its outputs. " + CONV_SIZE,
             ((lambda: fc_variant_params(224), "That is the count at 224 x 224: the last feature map is smaller "
               "at 96, so the first fully connected layer is too. " + CONV_SIZE),
              (nin_params, "That is NiN with global average pooling, whose count ignores the image "
               "size; the fully connected head's does not."),
              (lambda: fc_variant_params_reading(96, 384 * 4 * 4),
               "The third block is followed by its max-pool too: one more floor((n - 3) / 2) + 1."),
              (lambda: fc_variant_params_reading(96, 384 * 2 * 2), CONV_SIZE + " Round down at every layer."),
              (lambda: fc_variant_params(96) - fc_variant_head_biases(96), FC_BIAS))),
]
