"""Exercise checkers: ``check("ID", answer)`` prints "correct" or a hint that names the concept.

Every right answer is *computed* from the course's own code (``nin_helpers.arithmetic``,
``nin_helpers.models``, ``nin_helpers.inspection``), so a checker cannot drift from the lesson.
Use it at the end of a notebook::

    from nin_helpers.exercises import check, question
    question("01.params_1x1")        # prints the exercise text
    check("01.params_1x1", 2048)     # prints "not yet. Hint: ..." (here: the biases are missing)

IDs are ``NN.name`` for notebook NN's exercises and ``d2l.name`` for the NiN chapter's own
exercises (d2l 8.3) that code can judge. ``EXERCISES`` maps every ID to its ``Exercise``;
``list_exercises("02.")`` prints IDs with their questions;
``judge(ID, answer)`` returns ``(ok, message)`` without printing (tests use it). Answers are
whole numbers, floats, shapes (tuple, list or ``torch.Size``) or lists of shapes; ``None`` means
"not answered yet"; a malformed answer raises TypeError, an unknown ID ValueError.

>>> check("01.params_1x1", conv2d_params(64, 32, kernel_size=1))
01.params_1x1: correct!
>>> check("01.params_1x1", 64 * 32)
01.params_1x1: not yet. Hint: Each output channel also has one bias. Count the biases too.
"""
from __future__ import annotations

import difflib
from functools import cache

import torch
from torch import nn

from nin_helpers.arithmetic import conv2d_macs, conv2d_output_size, conv2d_params
from nin_helpers.checking import Exercise, judge as judge_exercise
from nin_helpers.exercises_context import CONTEXT_EXERCISES  # notebook 07's
from nin_helpers.exercises_costs import COST_EXERCISES  # notebook 05's, in their own module
from nin_helpers.exercises_training import TRAINING_EXERCISES  # notebook 04's
from nin_helpers.inspection import count_params, layer_table
from nin_helpers.models import nin, nin_block, smallest_input_size

IMAGE = (1, 1, 224, 224)  # one Fashion-MNIST image, resized as in d2l


@cache
def _nin_params(in_channels: int = 1, num_classes: int = 10) -> int:
    return count_params(nin(in_channels=in_channels, num_classes=num_classes))


@cache
def _net() -> nn.Module:
    """One NiN, built once: checkers only read it (shapes, counts), never train it."""
    return nin().eval()


@cache
def _nin_table():
    return layer_table(_net(), IMAGE)


@cache
def _top_level_shapes() -> tuple[tuple[int, ...], ...]:
    x, shapes = torch.zeros(IMAGE), []
    with torch.no_grad():
        for layer in _net():
            x = layer(x)
            shapes.append(tuple(x.shape))
    return tuple(shapes)


def _conv_rows():
    t = _nin_table()
    return t[t["type"] == "Conv2d"]


def _weights_only(module: nn.Module) -> int:
    return sum(p.numel() for name, p in module.named_parameters() if not name.endswith("bias"))


def _nin_macs() -> int:
    total, net = 0, _net()
    for conv, (_, row) in zip((m for m in net.modules() if isinstance(m, nn.Conv2d)), _conv_rows().iterrows()):
        total += conv2d_macs(conv.in_channels, conv.out_channels, conv.kernel_size[0], row["output shape"][2:])
    return total


def _too_small_or_not_smallest(side: int) -> str | None:
    if side < 1:
        return "An image side is a whole number of at least one pixel."
    if side < smallest_input_size(_net()):
        return ("At that size some layer gets an empty input: try nin()(torch.zeros(1, 1, n, n)) and read "
                "the error, or follow floor((n + 2p - k) / s) + 1 through every conv and pooling layer.")
    return ("NiN accepts that size, but it is not the smallest. Follow floor((n + 2p - k) / s) + 1 "
            "through the layers, or try smaller sides.")


NO_BIAS = "Each output channel also has one bias. Count the biases too."
MACS = "Multiply-adds of a convolution: (output pixels) x (output channels) x (k x k x input channels)."
FLOPS = "That counts FLOPs (a multiply and an add each); the question asks for multiply-adds."
CONV_SIZE = "Output side of a convolution or pooling: floor((n + 2p - k) / s) + 1."
BLOCK = "A NiN block is one k x k convolution and two 1 x 1 convolutions, each with weights and biases."

_EXERCISES = [
    # --- 01: the 1x1 convolution -------------------------------------------------------------
    Exercise("01.params_1x1", "How many parameters does nn.Conv2d(64, 32, kernel_size=1) have?", "int",
             lambda: conv2d_params(64, 32, 1),
             "A 1 x 1 convolution is a (c_out x c_in) weight matrix shared by every pixel, plus one "
             "bias per output channel.",
             ((lambda: 64 * 32, NO_BIAS),
              (lambda: 64 * 32 + 64, "There is one bias per output channel, not per input channel."),
              (lambda: 64 * 64 + 64, "The weight matrix is c_out x c_in: you used the input channels twice."),
              (lambda: 32 * 32 + 32, "The weight matrix is c_out x c_in: you used the output channels twice."))),
    Exercise("01.params_3x3", "How many parameters does nn.Conv2d(64, 32, kernel_size=3) have?", "int",
             lambda: conv2d_params(64, 32, 3),
             "Each (input channel, output channel) pair has its own k x k kernel; add one bias per "
             "output channel.",
             ((lambda: conv2d_params(64, 32, 1), "Each kernel is k x k, not 1 x 1: multiply by k squared."),
              (lambda: 3 * 64 * 32 + 32, "A k x k kernel has k squared weights, not k."),
              (lambda: 9 * 64 * 32, NO_BIAS))),
    Exercise("01.macs_1x1", "How many multiply-adds does nn.Conv2d(64, 32, kernel_size=1) do on one "
             "input of shape (1, 64, 56, 56)?", "int",
             lambda: conv2d_macs(64, 32, 1, out_hw=(56, 56)), MACS,
             ((lambda: 2 * conv2d_macs(64, 32, 1, out_hw=(56, 56)), FLOPS),
              (lambda: 64 * 32, "The same weights are applied again at every one of the h x w pixels."),
              (lambda: 56 * 64 * 32, "Count every pixel: height times width."),
              (lambda: 56 * 56 * (64 * 32 + 32), "Adding a bias is not a multiply-add: leave biases out."))),
    Exercise("01.output_shape_1x1", "What shape does nn.Conv2d(64, 32, kernel_size=1) return for an input "
             "of shape (2, 64, 56, 56)?", "shape",
             lambda: (2, 32, conv2d_output_size(56, 1), conv2d_output_size(56, 1)),
             "A 1 x 1 convolution changes the channels (one per kernel) and keeps batch, height and width.",
             ((lambda: (2, 64, 56, 56), "The output has one channel per kernel, i.e. c_out channels."),
              (lambda: (32, 56, 56), "Keep the batch dimension first."))),
    # --- 02: the NiN block --------------------------------------------------------------------
    Exercise("02.block1_params", "How many parameters does nin_block(1, 96, kernel_size=11, stride=4) have?",
             "int", lambda: count_params(nin_block(1, 96, 11, 4)), BLOCK,
             ((lambda: _weights_only(nin_block(1, 96, 11, 4)), NO_BIAS),
              (lambda: conv2d_params(1, 96, 11), "A NiN block has three convolutions, not one."),
              (lambda: conv2d_params(1, 96, 11) + conv2d_params(96, 96, 1), "A NiN block has two 1 x 1 convolutions."),
              (lambda: conv2d_params(1, 96, 11) + 2 * conv2d_params(1, 96, 1),
               "The 1 x 1 convolutions read the first convolution's output channels, not the image's."))),
    Exercise("02.block1_shape", "What shape does nin_block(1, 96, kernel_size=11, stride=4) return for one "
             "224 x 224 grey image, shape (1, 1, 224, 224)?", "shape",
             lambda: (1, 96) + (conv2d_output_size(224, 11, 4),) * 2, CONV_SIZE,
             ((lambda: (1, 96, 224 // 4, 224 // 4), "The kernel needs k - 1 extra pixels: subtract k before dividing by s."),
              (lambda: (1, 96, 214, 214), "The stride divides the size: you forgot s."),
              (lambda: (1, 96, 55, 55), "Round down (floor) the division, then add 1."))),
    Exercise("02.block2_params", "How many parameters does nin_block(96, 256, kernel_size=5, padding=2) have?",
             "int", lambda: count_params(nin_block(96, 256, 5, 1, 2)), BLOCK,
             ((lambda: _weights_only(nin_block(96, 256, 5, 1, 2)), NO_BIAS),
              (lambda: conv2d_params(96, 256, 5), "A NiN block has three convolutions, not one."),
              (lambda: conv2d_params(96, 256, 1) + 2 * conv2d_params(256, 256, 1),
               "The first convolution's kernel is 5 x 5: multiply by k squared."),
              (lambda: conv2d_params(96, 256, 5) + 2 * conv2d_params(96, 96, 1),
               "The 1 x 1 convolutions map the block's output channels to themselves (c_out to c_out)."))),
    Exercise("02.block2_shape", "What shape does nin_block(96, 256, kernel_size=5, padding=2) return for an "
             "input of shape (1, 96, 26, 26)?", "shape",
             lambda: (1, 256) + (conv2d_output_size(26, 5, 1, 2),) * 2, CONV_SIZE,
             ((lambda: (1, 256, 22, 22), "Padding p adds p pixels on each side: 2p in all."),
              (lambda: (1, 256, 24, 24), "Padding is added on both sides: 2p, not p."),
              (lambda: (1, 96, 26, 26), "The block outputs c_out channels."))),
    # --- 03: the whole network ------------------------------------------------------------------
    Exercise("03.layer_shapes", "List the output shape of each of the 10 top-level layers of nin() "
             "(for layer in net: ...) for an input of shape (1, 1, 224, 224).", "shapes",
             _top_level_shapes,
             "Follow floor((n + 2p - k) / s) + 1 through each block and each 3 x 3, stride-2 max-pool; "
             "dropout keeps the shape; global average pooling leaves 1 x 1; Flatten drops those axes."),
    Exercise("03.gap_input_shape", "What shape enters the global average pooling layer of nin() for an "
             "input of shape (1, 1, 224, 224)?", "shape", lambda: _top_level_shapes()[7],
             "Follow the sizes through the network; the last NiN block outputs one channel per class.",
             ((lambda: (1, 384, 5, 5), "The last NiN block turns 384 channels into one channel per class."),
              (lambda: _top_level_shapes()[8], "That is the shape after the pooling; the question asks before."),
              (lambda: _top_level_shapes()[9], "That is the network's output; the question asks before the pooling."))),
    Exercise("03.smallest_input", "What is the smallest square image side (in pixels) that nin() accepts?",
             "int", lambda: smallest_input_size(_net()),
             "Every convolution and pooling needs an input at least as large as its kernel.",
             ((lambda: 224, "224 is what d2l uses, not the minimum."),
              (lambda: 11, "The first kernel fits, but three poolings and later kernels need room too.")),
             diagnose=_too_small_or_not_smallest),
    Exercise("03.total_params", "How many parameters does nin() (1 input channel, 10 classes) have?", "int",
             lambda: _nin_params(),
             "Add the parameters of the four NiN blocks; pooling, dropout and global average pooling "
             "have none.",
             ((lambda: _weights_only(_net()), NO_BIAS),
              (lambda: int(_conv_rows()["params"].iloc[::3].sum()),
               "Each block also has two 1 x 1 convolutions."))),
    Exercise("03.params_100_classes", "How many parameters does nin(num_classes=100) have?", "int",
             lambda: _nin_params(num_classes=100),
             "num_classes sets the channels of the last NiN block: recount that block.",
             ((lambda: _nin_params(), "num_classes sets the last block's channels: the count changes."),
              (lambda: _nin_params() + 90 * (9 * 384 + 1),
               "The last block's two 1 x 1 convolutions change too (num_classes x num_classes each)."),
              (lambda: _nin_params() + 9 * count_params(_net()[7]),
               "The 1 x 1 layers grow with the square of num_classes: not a straight line."))),
    Exercise("03.params_rgb", "How many parameters does nin(in_channels=3) have (colour images)?", "int",
             lambda: _nin_params(in_channels=3),
             "Only the first convolution reads the image's channels.",
             ((lambda: 3 * _nin_params(), "Only the first convolution sees the input channels."),
              (lambda: _nin_params(), "The first convolution has one k x k kernel per input channel: it grows."))),
    # --- d2l 8.3 exercises that code can judge -------------------------------------------------------
    Exercise("d2l.macs", "d2l 8.3 ex. 4: how many multiply-adds do the convolutions of nin() do for one "
             "(1, 1, 224, 224) image?", "int", _nin_macs, MACS + " Sum over all 12 convolutions.",
             ((lambda: 2 * _nin_macs(), FLOPS),)),
    Exercise("d2l.param_bytes", "d2l 8.3 ex. 4: how many bytes do the parameters of nin() take in float32 "
             "(what prediction needs besides activations)?", "int", lambda: 4 * _nin_params(),
             "Bytes = number of parameters x bytes per float32 value.",
             ((lambda: _nin_params(), "A float32 value takes 4 bytes, not 1."),
              (lambda: 8 * _nin_params(), "PyTorch's default dtype is float32 (4 bytes), not float64."),
              (lambda: 32 * _nin_params(), "That is bits; the question asks for bytes."))),
    Exercise("d2l.adam_train_bytes", "d2l 8.3 ex. 4: training nin() with Adam in float32 keeps, for every "
             "parameter, the weight, its gradient and Adam's two running averages. How many bytes?", "int",
             lambda: 4 * 4 * _nin_params(),
             "Count the float32 tensors kept per parameter during training, times 4 bytes each.",
             ((lambda: 4 * _nin_params(), "Training also keeps a gradient and optimizer state for each weight."),
              (lambda: 8 * _nin_params(), "Adam keeps two running averages per parameter, besides the gradient."),
              (lambda: 12 * _nin_params(), "Adam keeps two running averages (first and second moments), not one."))),
    Exercise("d2l.conv_activations", "d2l 8.3 ex. 4: how many values do the outputs of all 12 convolutions "
             "of nin() hold for one (1, 1, 224, 224) image (what backprop must keep, per image)?", "int",
             lambda: sum(int(torch.Size(s).numel()) for s in _conv_rows()["output shape"]),
             "Sum channels x height x width over the output of every convolution.",
             ((lambda: int(torch.Size(_conv_rows()["output shape"].iloc[-1]).numel()),
               "Backprop keeps every layer's output, not just the last one."),
              (lambda: sum(int(torch.Size(s).numel()) for s in _nin_table()["output shape"]),
               "Count only the 12 convolutions' outputs (not ReLU, pooling, dropout or flatten)."))),
    Exercise("d2l.last_block_params", "d2l 8.3 ex. 5: how many parameters does nin()'s last block (384 "
             "channels of 5 x 5 in, 10 out) have?", "int", lambda: count_params(_net()[7]), BLOCK,
             ((lambda: conv2d_params(384, 10, 3), "The block also has two 1 x 1 convolutions (10 to 10)."),
              (lambda: _weights_only(_net()[7]), NO_BIAS),
              (lambda: conv2d_params(384, 10, 3) + 2 * conv2d_params(384, 384, 1),
               "The 1 x 1 convolutions come after the 3 x 3 one: they map 10 channels to 10."))),
    Exercise("d2l.reduction_factor", "d2l 8.3 ex. 5: by what factor does the last block shrink the number "
             "of values (384 x 5 x 5 in, 10 x 5 x 5 out)?", "float",
             lambda: (384 * 5 * 5) / (10 * 5 * 5),
             "Factor = values in / values out; height and width stay 5 x 5, only channels shrink.",
             ((lambda: (10 * 5 * 5) / (384 * 5 * 5), "Upside down: values in divided by values out."),
              (lambda: 384 * 5 * 5 - 10 * 5 * 5, "A factor is a ratio, not a difference."))),
]
EXERCISES: dict[str, Exercise] = {ex.id: ex for ex in [*_EXERCISES, *TRAINING_EXERCISES, *COST_EXERCISES,
                                                         *CONTEXT_EXERCISES]}


def _find(ex_id: str) -> Exercise:
    if not isinstance(ex_id, str):
        raise TypeError(f"the exercise ID must be a string like '01.params_1x1', got {type(ex_id).__name__}")
    if ex_id not in EXERCISES:
        close = difflib.get_close_matches(ex_id, EXERCISES, n=3)
        raise ValueError(f"no exercise {ex_id!r}; " + (f"did you mean {', '.join(close)}?" if close else
                         f"known IDs: {', '.join(EXERCISES)}"))
    return EXERCISES[ex_id]


def judge(ex_id: str, answer: object) -> tuple[bool, str]:
    """``(ok, message)`` for ``answer`` to exercise ``ex_id``, without printing."""
    return judge_exercise(_find(ex_id), answer)


def check(ex_id: str, answer: object) -> None:
    """Print whether ``answer`` to exercise ``ex_id`` is correct, or a hint."""
    print(judge(ex_id, answer)[1])


def question(ex_id: str) -> None:
    """Print the text of exercise ``ex_id``."""
    print(f"{ex_id}: {_find(ex_id).question}")


def list_exercises(prefix: str = "") -> None:
    """Print every exercise whose ID starts with ``prefix`` (e.g. "02."), with its question.

    >>> list_exercises("d2l.reduction")
    d2l.reduction_factor: d2l 8.3 ex. 5: by what factor does the last block shrink the number of values (384 x 5 x 5 in, 10 x 5 x 5 out)?
    """
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a string like '02.', got {type(prefix).__name__}")
    found = [ex for ex in EXERCISES.values() if ex.id.startswith(prefix)]
    if not found:
        prefixes = ", ".join(sorted({ex_id.split(".")[0] + "." for ex_id in EXERCISES}))
        raise ValueError(f"no exercise ID starts with {prefix!r}; IDs start with {prefixes}")
    for ex in found:
        print(f"{ex.id}: {ex.question}")
