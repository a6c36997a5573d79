"""Code saved from the NiN course notebooks, for the notebooks that come after them.

One import gives every name a student uses (``from nin_helpers import nin, train, ...``), as d2l's
``from d2l import torch as d2l`` does. Each module keeps one concern:

- ``arithmetic`` (notebook 01), ``models`` (02-03), ``inspection`` (03): 1x1 convolutions, NiN, looking inside;
- ``paths``, ``data``, ``datafiles``, ``devices``, ``profiles``: where files live, Fashion-MNIST on the device
  and its files checked, the device decision, how big a run notebook 04 makes (04);
- ``initialization``, ``recipes``, ``training``, ``checkpoints``, ``evaluation``: how NiN learns (04);
- ``classic_models``, ``costs`` (05): LeNet/AlexNet/VGG and what a network costs;
- ``plots``: every figure; ``exercises``: the checkers of every notebook's exercises;
- ``validation``: the argument checks behind the clear error messages.

Maintainer tools (refresh notebooks, export slides) live in ``tools/``, outside the package.
"""
from nin_helpers.arithmetic import (
                                    conv2d_macs,
                                    conv2d_output_size,
                                    conv2d_params,
                                    corr2d_multi_in_out_1x1,
                                    linear_params,
)
from nin_helpers.classic_models import alexnet, lenet, nin_variant, vgg11
from nin_helpers.costs import cost_table, flops_by_layer, params_by_kind, totals, training_step_memory
from nin_helpers.data import (
                                    FASHION_MNIST_CLASSES,
                                    FASHION_MNIST_MEAN,
                                    FASHION_MNIST_STD,
                                    DeviceLoader,
                                    fashion_mnist_loaders,
                                    load_fashion_mnist,
                                    resize_batch,
)
from nin_helpers.devices import Speed, choose_device, cpu_has_bf16, enable_fast_kernels, speed_settings, to_device
from nin_helpers.evaluation import class_maps, confusion_matrix, evaluate, predict
from nin_helpers.initialization import center_biases, equal_class_scores, init_weights
from nin_helpers.inspection import count_params, layer_table, show_source
from nin_helpers.models import NIN_BLOCKS, NiN, nin, nin_block, smallest_input_size
from nin_helpers.paths import checkpoint_dir, data_root
from nin_helpers.plots import (
                                    LivePlot,
                                    plot_class_maps,
                                    plot_confusion_matrix,
                                    plot_params_by_kind,
                                    plot_params_vs_size,
                                    plot_total_params,
                                    show_images,
)
from nin_helpers.profiles import PROFILES, Profile, choose_profile
from nin_helpers.recipes import RECIPES, Recipe, make_optimizer, recipe_table
from nin_helpers.training import History, start_weights, train, train_epoch

__all__ = [
    "conv2d_macs", "conv2d_output_size", "conv2d_params", "corr2d_multi_in_out_1x1", "linear_params",
    "alexnet", "lenet", "nin_variant", "vgg11",
    "cost_table", "flops_by_layer", "params_by_kind", "totals", "training_step_memory",
    "FASHION_MNIST_CLASSES", "FASHION_MNIST_MEAN", "FASHION_MNIST_STD", "DeviceLoader",
    "fashion_mnist_loaders", "load_fashion_mnist", "resize_batch",
    "Speed", "choose_device", "cpu_has_bf16", "enable_fast_kernels", "speed_settings", "to_device",
    "class_maps", "confusion_matrix", "evaluate", "predict",
    "center_biases", "equal_class_scores", "init_weights",
    "count_params", "layer_table", "show_source",
    "NIN_BLOCKS", "NiN", "nin", "nin_block", "smallest_input_size",
    "checkpoint_dir", "data_root", "PROFILES", "Profile", "choose_profile",
    "LivePlot", "plot_class_maps", "plot_confusion_matrix", "plot_params_by_kind", "plot_params_vs_size",
    "plot_total_params",
    "show_images",
    "RECIPES", "Recipe", "make_optimizer", "recipe_table",
    "History", "start_weights", "train", "train_epoch",
]
