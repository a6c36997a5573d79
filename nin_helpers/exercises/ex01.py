"""Exercises of notebook 01 (the 1 x 1 convolution): its parameters, multiply-adds and output shape.

>>> from nin_helpers.exercises.engine import judge_answer
>>> judge_answer(EXERCISES[0], 64 * 32)
(False, '01.params_1x1: not yet. Hint: Each output channel also has one bias. Count the biases too.')
"""
from __future__ import annotations

from nin_helpers.arithmetic import conv2d_macs, conv2d_output_size, conv2d_params
from nin_helpers.exercises.engine import Exercise
from nin_helpers.exercises.hints import FLOPS, MACS, NO_BIAS

EXERCISES: list[Exercise] = [
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
]
