"""Hint texts that several exercises share, written once so that a fix reaches every exercise.

A hint names the concept behind a mistake and never the right answer: none of these may contain a
number that is some exercise's answer (``engine.judge_answer`` falls back to the exercise's
concept if one ever does).
"""

# Convolutions (notebooks 01-03 and the d2l exercises on NiN).
NO_BIAS = "Each output channel also has one bias. Count the biases too."
MACS = "Multiply-adds of a convolution: (output pixels) x (output channels) x (k x k x input channels)."
FLOPS = "That counts FLOPs (a multiply and an add each); the question asks for multiply-adds."
CONV_SIZE = "Output side of a convolution or pooling: floor((n + 2p - k) / s) + 1."
BLOCK = "A NiN block is one k x k convolution and two 1 x 1 convolutions, each with weights and biases."

# Fully connected layers (notebook 05 and the d2l exercises on NiN's variants).
FC_BIAS = "Each output of a fully connected layer also has one bias. Count the biases too."
FC_RULE = "A fully connected layer from n_in to n_out values has n_in x n_out weights plus n_out biases."
FLATTEN = ("Flatten keeps every value of the last feature map: the layer's input length is "
           "channels x height x width, not just the channels or just the pixels.")
BIAS_PER_OUTPUT = "There is one bias per output, not per input."

# Memory.
BYTES = "Bytes = number of parameters x bytes per float32 value."
FLOAT32 = "PyTorch's default dtype is float32: 4 bytes per value, not 8."
TRAINING_BYTES = "Count the float32 tensors kept per parameter during training, times 4 bytes each."
