"""The exercises of d2l's NiN chapter (8.3) that code can judge, IDs ``d2l.*``.

Exercise 4 asks what NiN costs (multiply-adds, memory), exercise 5 about its last block, and
exercises 1 and 3 about variants of it (``nin_variant``); their training halves are discussed in
notebook 04, not checked.

>>> from nin_helpers.exercises.engine import judge_answer
>>> judge_answer(EXERCISES[-3], 10 / 384)[1]
'd2l.reduction_factor: not yet. Hint: Upside down: values in divided by values out.'
"""
from __future__ import annotations

import torch

from nin_helpers.arithmetic import conv2d_params
from nin_helpers.exercises.engine import Exercise
from nin_helpers.exercises.facts import (
    FC_VARIANT,
    conv_rows,
    fc_params,
    fc_variant_head_biases,
    fc_variant_params,
    fc_variant_params_reading,
    nin_macs,
    nin_net,
    nin_params,
    nin_table,
    params_of,
    top_level_shapes,
    weights_only,
)
from nin_helpers.exercises.hints import BLOCK, BYTES, FC_BIAS, FLATTEN, FLOPS, MACS, NO_BIAS, TRAINING_BYTES
from nin_helpers.inspection import count_params
from nin_helpers.models import NIN_BLOCKS


def _values(shape: tuple[int, ...]) -> int:
    return int(torch.Size(shape).numel())


def _last_block_in_out() -> tuple[int, int]:
    """Values entering nin()'s last block (the dropout's output, layer 6) and leaving it (layer 7)."""
    shapes = top_level_shapes()
    return _values(shapes[6]), _values(shapes[7])


EXERCISES: list[Exercise] = [
    # --- ex. 4: what NiN costs -----------------------------------------------------------------------
    Exercise("d2l.macs", "d2l 8.3 ex. 4: how many multiply-adds do the convolutions of nin() do for one "
             "(1, 1, 224, 224) image?", "int", nin_macs, MACS + " Sum over all 12 convolutions.",
             ((lambda: 2 * nin_macs(), FLOPS),)),
    Exercise("d2l.param_bytes", "d2l 8.3 ex. 4: how many bytes do the parameters of nin() take in float32 "
             "(what prediction needs besides activations)?", "int", lambda: 4 * nin_params(), BYTES,
             ((nin_params, "A float32 value takes 4 bytes, not 1."),
              (lambda: 8 * nin_params(), "PyTorch's default dtype is float32 (4 bytes), not float64."),
              (lambda: 32 * nin_params(), "That is bits; the question asks for bytes."))),
    Exercise("d2l.adam_train_bytes", "d2l 8.3 ex. 4: training nin() with Adam in float32 keeps, for every "
             "parameter, the weight, its gradient and Adam's two running averages. How many bytes?", "int",
             lambda: 4 * 4 * nin_params(), TRAINING_BYTES,
             ((lambda: 4 * nin_params(), "Training also keeps a gradient and optimizer state for each weight."),
              (lambda: 8 * nin_params(), "Adam keeps two running averages per parameter, besides the gradient."),
              (lambda: 12 * nin_params(), "Adam keeps two running averages (first and second moments), not one."))),
    Exercise("d2l.conv_activations", "d2l 8.3 ex. 4: how many values do the outputs of all 12 convolutions "
             "of nin() hold for one (1, 1, 224, 224) image (what backprop must keep, per image)?", "int",
             lambda: sum(_values(s) for s in conv_rows()["output shape"]),
             "Sum channels x height x width over the output of every convolution.",
             ((lambda: _values(conv_rows()["output shape"].iloc[-1]),
               "Backprop keeps every layer's output, not just the last one."),
              (lambda: sum(_values(s) for s in nin_table()["output shape"]),
               "Count only the 12 convolutions' outputs (not ReLU, pooling, dropout or flatten)."))),
    # --- ex. 5: the last block ------------------------------------------------------------------------
    Exercise("d2l.last_block_params", "d2l 8.3 ex. 5: how many parameters does nin()'s last NiN block "
             "(nin()[7], the one after the dropout) have?", "int", lambda: count_params(nin_net()[7]), BLOCK,
             ((lambda: conv2d_params(384, 10, 3), "The block also has two 1 x 1 convolutions (10 to 10)."),
              (lambda: weights_only(nin_net()[7]), NO_BIAS),
              (lambda: conv2d_params(384, 10, 3) + 2 * conv2d_params(384, 384, 1),
               "The 1 x 1 convolutions come after the 3 x 3 one: they map 10 channels to 10."))),
    Exercise("d2l.reduction_factor", "d2l 8.3 ex. 5: nin()'s last block turns its input into one channel per "
             "class in one step. For a (1, 1, 224, 224) image, by what factor does it shrink the number of "
             "values (values in / values out)? Give it to three significant figures.", "float",
             lambda: _last_block_in_out()[0] / _last_block_in_out()[1],
             "Factor = values in / values out: multiply channels x height x width of the block's input and "
             "of its output (layer_table(nin(), (1, 1, 224, 224)) lists both).",
             ((lambda: _last_block_in_out()[1] / _last_block_in_out()[0],
               "Upside down: values in divided by values out."),
              (lambda: _last_block_in_out()[0] - _last_block_in_out()[1], "A factor is a ratio, not a difference."))),
    # --- ex. 1 and 3: variants of NiN, counted (notebook 05 builds them) -------------------------------
    Exercise("d2l.three_1x1_params", "d2l 8.3 ex. 1: with three 1 x 1 convolutions per NiN block instead of "
             "two (nin_variant(3)), how many parameters does NiN have?", "int",
             lambda: params_of("nin_variant", 3),
             "Each extra 1 x 1 convolution in a block of c channels adds a c x c weight matrix and c biases, "
             "in each of the four blocks.",
             ((nin_params, "That is NiN's own count, with two 1 x 1 convolutions per block."),
              (lambda: nin_params() * 3 // 2, "The k x k convolution opening each block does not grow: "
               "only the 1 x 1 layers are added."),
              (lambda: nin_params() + sum((c or 10) ** 2 for c, *_ in NIN_BLOCKS),
               "Each added 1 x 1 convolution has one bias per output channel too."),
              (lambda: params_of("nin_variant", 1),
               "That removes one 1 x 1 convolution per block; the question adds one."))),
    Exercise("d2l.fc_head_params", "d2l 8.3 ex. 3: replace NiN's last block and its global average pooling "
             "by AlexNet's fully connected head, as nin_variant(2, 'fc') does at 224 x 224. How many more "
             "parameters than nin() does it have?", "int", lambda: fc_variant_params(224) - nin_params(),
             "Difference = (three NiN blocks + the head) - nin(); the head's first layer reads the "
             "flattened 384-channel map left after the third block's pooling.",
             ((lambda: fc_variant_params(224),
               "That is the variant's total; the question asks how many more than nin()."),
              (lambda: fc_params(*FC_VARIANT, 224),
               "That is the head alone; the variant also drops NiN's last block: subtract its parameters."),
              (lambda: fc_variant_params_reading(224, 384) - nin_params(), FLATTEN),
              (lambda: fc_variant_params(224) - nin_params() - fc_variant_head_biases(224), FC_BIAS))),
]
