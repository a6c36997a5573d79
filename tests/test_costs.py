"""Costs of notebook 05: FLOPs checked against the multiply-add formulas, weight memory and the
training-step memory accounting checked against 4 bytes per number."""
from __future__ import annotations

import sys

import pandas as pd
import pytest
import torch
from torch import nn

from nin_helpers import nin
from nin_helpers.classic_models import alexnet, lenet, vgg11
from nin_helpers.costs import (
    cost_table,
    cuda_peak_training_step,
    flops_by_layer,
    params_by_kind,
    peak_rss_training_step,
    totals,
    training_step_memory,
)

META = torch.device("meta")


@pytest.mark.parametrize("builder, shape", [(nin, (1, 1, 224, 224)), (alexnet, (1, 1, 224, 224)),
                                            (lenet, (2, 1, 28, 28))])
def test_flops_match_multiply_add_formulas(builder, shape):
    with META:
        net = builder()
    table = cost_table(net, shape)
    modules = dict(net.named_modules())
    for _, row in table.iterrows():
        m = modules[row["layer"]]
        if isinstance(m, nn.Conv2d):
            n, c_out, h, w = row["output shape"]
            k = m.kernel_size[0]
            assert row["FLOPs"] == 2 * n * h * w * c_out * k * k * m.in_channels
        elif isinstance(m, nn.Linear):
            assert row["FLOPs"] == 2 * row["output shape"][0] * m.in_features * m.out_features
        else:
            assert row["FLOPs"] == 0
        assert row["weight MB"] == pytest.approx(row["params"] * 4 / 1e6)


def test_params_by_kind_and_totals():
    with META:
        net = vgg11()
    kinds = params_by_kind(net)
    convs = sum(9 * a * b + b for a, b in [(1, 64), (64, 128), (128, 256), (256, 256), (256, 512)]
                + [(512, 512)] * 3)
    fcs = 25088 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 10 + 10
    assert kinds == {"convolution": convs, "fully connected": fcs, "other": 0}
    row = totals({"VGG-11": (net, (1, 1, 224, 224))}).loc["VGG-11"]
    assert row["params"] == convs + fcs and row["fc share"] == pytest.approx(fcs / (convs + fcs))
    assert row["GFLOPs"] == pytest.approx(sum(flops_by_layer(net, (1, 1, 224, 224)).values()) / 1e9)
    with pytest.raises(TypeError, match="nn.Module"):
        params_by_kind("vgg")


def test_training_step_memory_accounts_four_bytes_per_number():
    with META:
        net = nin()
    mem = training_step_memory(net, batch_size=64, image_size=96)  # peak in the backward pass
    params = sum(p.numel() for p in net.parameters())
    assert mem["parameters"] == pytest.approx(4 * params / 1e6)
    # AdamW: two moments per weight (plus one step counter per tensor, a few bytes).
    assert mem["optimizer state"] == pytest.approx(2 * 4 * params / 1e6, abs=1e-3)
    assert mem["total"] == pytest.approx(mem.drop("total").sum())
    with META:
        double = training_step_memory(nin(), batch_size=128, image_size=96)
    assert double["activations"] == pytest.approx(2 * mem["activations"], rel=0.01)  # linear in the batch


def test_meta_accounting_equals_real_cpu_accounting():
    torch.manual_seed(0)
    cpu = training_step_memory(lenet(), batch_size=16, image_size=28)
    with META:
        meta = training_step_memory(lenet(), batch_size=16, image_size=28)
    # Equal up to AdamW's step counters (real 4-byte tensors on CPU): 40 bytes for LeNet's 10 tensors.
    pd.testing.assert_series_equal(cpu, meta, check_exact=False, atol=1e-4, rtol=0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_peak_rss_of_a_real_step_is_positive():
    assert peak_rss_training_step("nin_helpers.classic_models:lenet", 8, 28) > 0
    assert peak_rss_training_step("nin_helpers.classic_models:lenet", 2, 32) > 0  # built for 32x32


def test_cost_errors_are_clear():
    with pytest.raises(ValueError, match="package.module:function"):
        peak_rss_training_step("vgg11", 8, 224)
    with pytest.raises(ValueError, match="batch_size"):
        training_step_memory(lenet(), batch_size=0, image_size=28)
    with pytest.raises(ValueError, match="CUDA"):
        cuda_peak_training_step(lenet(), 8, 28)
