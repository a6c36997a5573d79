"""Exercises of notebook 03 (the whole network): NiN's layer shapes, smallest input and parameters.

>>> from nin_helpers.exercises.engine import judge_answer
>>> judge_answer(EXERCISES[2], 224)[1]
'03.smallest_input: not yet. Hint: 224 is what d2l uses, not the minimum.'
"""
from __future__ import annotations

from nin_helpers.exercises.engine import Exercise
from nin_helpers.exercises.facts import conv_rows, nin_net, nin_params, top_level_shapes, weights_only
from nin_helpers.exercises.hints import NO_BIAS
from nin_helpers.inspection import count_params
from nin_helpers.models import smallest_input_size


def _too_small_or_not_smallest(side: int) -> str:
    """A hint for a wrong smallest side, computed from the side itself (no list of mistakes covers them all)."""
    if side < 1:
        return "An image side is a whole number of at least one pixel."
    if side < smallest_input_size(nin_net()):
        return ("At that size some layer gets an empty input: try nin()(torch.zeros(1, 1, n, n)) and read "
                "the error, or follow floor((n + 2p - k) / s) + 1 through every conv and pooling layer.")
    return ("NiN accepts that size, but it is not the smallest. Follow floor((n + 2p - k) / s) + 1 "
            "through the layers, or try smaller sides.")


EXERCISES: list[Exercise] = [
    Exercise("03.layer_shapes", "List the output shape of each of the 10 top-level layers of nin() "
             "(for layer in net: ...) for an input of shape (1, 1, 224, 224).", "shapes",
             top_level_shapes,
             "Follow floor((n + 2p - k) / s) + 1 through each block and each 3 x 3, stride-2 max-pool; "
             "dropout keeps the shape; global average pooling leaves 1 x 1; Flatten drops those axes."),
    Exercise("03.gap_input_shape", "What shape enters the global average pooling layer of nin() for an "
             "input of shape (1, 1, 224, 224)?", "shape", lambda: top_level_shapes()[7],
             "Follow the sizes through the network; the last NiN block outputs one channel per class.",
             ((lambda: (1, 384, 5, 5), "The last NiN block turns 384 channels into one channel per class."),
              (lambda: top_level_shapes()[8], "That is the shape after the pooling; the question asks before."),
              (lambda: top_level_shapes()[9], "That is the network's output; the question asks before the pooling."))),
    Exercise("03.smallest_input", "What is the smallest square image side (in pixels) that nin() accepts?",
             "int", lambda: smallest_input_size(nin_net()),
             "Every convolution and pooling needs an input at least as large as its kernel.",
             ((lambda: 224, "224 is what d2l uses, not the minimum."),
              (lambda: 11, "The first kernel fits, but three poolings and later kernels need room too.")),
             diagnose=_too_small_or_not_smallest),
    Exercise("03.total_params", "How many parameters does nin() (1 input channel, 10 classes) have?", "int",
             nin_params,
             "Add the parameters of the four NiN blocks; pooling, dropout and global average pooling "
             "have none.",
             ((lambda: weights_only(nin_net()), NO_BIAS),
              (lambda: int(conv_rows()["params"].iloc[::3].sum()),  # every block's first convolution only
               "Each block also has two 1 x 1 convolutions."))),
    Exercise("03.params_100_classes", "How many parameters does nin(num_classes=100) have?", "int",
             lambda: nin_params(num_classes=100),
             "num_classes sets the channels of the last NiN block: recount that block.",
             ((nin_params, "num_classes sets the last block's channels: the count changes."),
              (lambda: nin_params() + 90 * (9 * 384 + 1),
               "The last block's two 1 x 1 convolutions change too (num_classes x num_classes each)."),
              (lambda: nin_params() + 9 * count_params(nin_net()[7]),
               "The 1 x 1 layers grow with the square of num_classes: not a straight line."))),
    Exercise("03.params_rgb", "How many parameters does nin(in_channels=3) have (colour images)?", "int",
             lambda: nin_params(in_channels=3),
             "Only the first convolution reads the image's channels.",
             ((lambda: 3 * nin_params(), "Only the first convolution sees the input channels."),
              (nin_params, "The first convolution has one k x k kernel per input channel: it grows."))),
]
