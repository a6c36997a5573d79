"""Exercises of notebook 02 (the NiN block): its parameters and output shapes.

>>> from nin_helpers.exercises.engine import judge_answer
>>> judge_answer(EXERCISES[1], (1, 96, 214, 214))[1]
'02.block1_shape: not yet. Hint: The stride divides the size: you forgot s.'
"""
from __future__ import annotations

from nin_helpers.arithmetic import conv2d_output_size, conv2d_params
from nin_helpers.exercises.engine import Exercise
from nin_helpers.exercises.facts import weights_only
from nin_helpers.exercises.hints import BLOCK, CONV_SIZE, NO_BIAS
from nin_helpers.inspection import count_params
from nin_helpers.models import nin_block

ONE_CONV = "A NiN block has three convolutions, not one."

EXERCISES: list[Exercise] = [
    Exercise("02.block1_params", "How many parameters does nin_block(1, 96, kernel_size=11, stride=4) have?",
             "int", lambda: count_params(nin_block(1, 96, 11, 4)), BLOCK,
             ((lambda: weights_only(nin_block(1, 96, 11, 4)), NO_BIAS),
              (lambda: conv2d_params(1, 96, 11), ONE_CONV),
              (lambda: conv2d_params(1, 96, 11) + conv2d_params(96, 96, 1), "A NiN block has two 1 x 1 convolutions."),
              (lambda: conv2d_params(1, 96, 11) + 2 * conv2d_params(1, 96, 1),
               "The 1 x 1 convolutions read the first convolution's output channels, not the image's."))),
    Exercise("02.block1_shape", "What shape does nin_block(1, 96, kernel_size=11, stride=4) return for one "
             "224 x 224 grey image, shape (1, 1, 224, 224)?", "shape",
             lambda: (1, 96) + (conv2d_output_size(224, 11, 4),) * 2, CONV_SIZE,
             ((lambda: (1, 96, 224 // 4, 224 // 4),
               "The kernel needs k - 1 extra pixels: subtract k before dividing by s."),
              (lambda: (1, 96, 214, 214), "The stride divides the size: you forgot s."),
              (lambda: (1, 96, 55, 55), "Round down (floor) the division, then add 1."))),
    Exercise("02.block2_params", "How many parameters does nin_block(96, 256, kernel_size=5, padding=2) have?",
             "int", lambda: count_params(nin_block(96, 256, 5, 1, 2)), BLOCK,
             ((lambda: weights_only(nin_block(96, 256, 5, 1, 2)), NO_BIAS),
              (lambda: conv2d_params(96, 256, 5), ONE_CONV),
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
]
