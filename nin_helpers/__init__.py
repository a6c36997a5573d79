"""Code saved from the NiN course notebooks, for the notebooks that come after them.

Each module keeps one concern: ``arithmetic`` (notebook 01), ``models`` (02–03), ``inspection`` (03),
``data``, ``initialization``, ``training``, ``evaluation``, ``plotting`` (04), ``classic_models``, ``costs``,
``charts`` (05), ``exercises`` (checks for every notebook's exercises, with ``exercises_training`` and
``exercises_costs`` for 04 and 05), ``notebooks`` and ``slides`` (maintenance).
"""
from nin_helpers.arithmetic import (conv2d_macs, conv2d_output_size, conv2d_params,
                                    corr2d_multi_in_out_1x1, linear_params)
from nin_helpers.data import FASHION_MNIST_CLASSES, DeviceLoader, fashion_mnist_loaders, load_fashion_mnist
from nin_helpers.evaluation import confusion_matrix, predict
from nin_helpers.inspection import count_params, layer_table
from nin_helpers.models import NIN_BLOCKS, NiN, nin, nin_block, smallest_input_size
from nin_helpers.training import RECIPES, choose_device, train

__all__ = ["conv2d_macs", "conv2d_output_size", "conv2d_params", "corr2d_multi_in_out_1x1",
           "linear_params", "FASHION_MNIST_CLASSES", "DeviceLoader", "fashion_mnist_loaders",
           "load_fashion_mnist", "confusion_matrix", "predict", "count_params", "layer_table",
           "NIN_BLOCKS", "NiN", "nin", "nin_block", "smallest_input_size", "RECIPES", "choose_device", "train"]
