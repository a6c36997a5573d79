"""Code saved from the NiN course notebooks, for the notebooks that come after them.

Each module keeps one concern: ``arithmetic`` (notebook 01), ``models`` (02–03),
``inspection`` (03), ``data`` and ``training`` (04), ``plotting``.
"""
from nin_helpers.arithmetic import (conv2d_macs, conv2d_output_size, conv2d_params,
                                    corr2d_multi_in_out_1x1, linear_params)
from nin_helpers.inspection import count_params, layer_table
from nin_helpers.models import NIN_BLOCKS, NiN, nin, nin_block, smallest_input_size

__all__ = ["conv2d_macs", "conv2d_output_size", "conv2d_params", "corr2d_multi_in_out_1x1",
           "linear_params", "count_params", "layer_table", "NIN_BLOCKS", "NiN", "nin", "nin_block",
           "smallest_input_size"]
