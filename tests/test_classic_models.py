"""LeNet, AlexNet, VGG and the NiN variants of notebook 05: every parameter count the notebook states,
checked against the textbook formulas written out here independently of the builders."""
from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn

from formulas import conv, fc, side
from nin_helpers import count_params, nin
from nin_helpers.classic_models import alexnet, lenet, nin_variant, vgg, vgg11

META = torch.device("meta")


# (kernel, c_in, c_out) of NiN's four block-opening convolutions (d2l's Fashion-MNIST NiN).
NIN_OPENERS = [(11, 1, 96), (5, 96, 256), (3, 256, 384), (3, 384, 10)]


def nin_expected(num_1x1: int, openers=NIN_OPENERS) -> int:
    return sum(conv(k, ci, co) + num_1x1 * conv(1, co, co) for k, ci, co in openers)


def alexnet_side(s: int) -> int:
    s = side(side(s, 11, 4, 1), 3, 2)        # conv 11/4 pad 1, max-pool 3/2
    s = side(s, 3, 2)                       # conv 5 pad 2 keeps the size, max-pool 3/2
    return side(s, 3, 2)                    # three conv 3 pad 1 keep it, max-pool 3/2


def nin_fc_side(s: int) -> int:
    s = side(side(s, 11, 4), 3, 2)           # block 1 (11/4, no padding), max-pool 3/2
    return side(side(s, 3, 2), 3, 2)         # blocks 2, 3 keep the size, each then max-pool 3/2


BIG_HEAD = lambda n_flat, classes=10: fc(n_flat, 4096) + fc(4096, 4096) + fc(4096, classes)  # noqa: E731

VGG11_CONVS = [(1, 64), (64, 128), (128, 256), (256, 256), (256, 512), (512, 512), (512, 512), (512, 512)]
VGG16_CONVS = [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 256),
               (256, 512), (512, 512), (512, 512), (512, 512), (512, 512), (512, 512)]


def expected_lenet() -> int:
    return conv(5, 1, 6) + conv(5, 6, 16) + fc(16 * 5 * 5, 120) + fc(120, 84) + fc(84, 10)


def expected_alexnet(s: int = 224) -> int:
    convs = conv(11, 1, 96) + conv(5, 96, 256) + conv(3, 256, 384) + conv(3, 384, 384) + conv(3, 384, 256)
    return convs + BIG_HEAD(256 * alexnet_side(s) ** 2)


def expected_vgg11(s: int = 224) -> int:
    return sum(conv(3, ci, co) for ci, co in VGG11_CONVS) + BIG_HEAD(512 * (s // 32) ** 2)


def test_totals_match_formulas():
    with META:
        assert count_params(lenet()) == expected_lenet() == 61_706
        assert count_params(alexnet()) == expected_alexnet() == 46_764_746
        assert count_params(vgg11()) == expected_vgg11() == 128_806_154
        assert count_params(nin()) == nin_expected(2) == 1_992_166
        vgg16 = sum(conv(3, ci, co) for ci, co in VGG16_CONVS) + BIG_HEAD(512 * 7 * 7, 1000)
        assert count_params(torchvision.models.vgg16()) == vgg16 == 138_357_544


def test_first_fully_connected_layers_the_lecture_quotes():
    def first_linear(net):
        return next(m for m in net.modules() if isinstance(m, nn.Linear))
    with META:
        assert first_linear(lenet()).weight.numel() == (16 * 5 * 5) * 120 == 48_000
        assert first_linear(alexnet()).weight.numel() == (256 * 5 * 5) * 4096 == 26_214_400
        assert first_linear(vgg11()).weight.numel() == (512 * 7 * 7) * 4096 == 102_760_448
        assert first_linear(nin_variant(2, "fc")).weight.numel() == (384 * 5 * 5) * 4096


@pytest.mark.parametrize("builder", [lenet, alexnet, vgg11, nin, lambda: nin_variant(3, "fc")])
def test_every_layer_matches_its_formula(builder):
    with META:
        net = builder()
    for m in net.modules():
        n = sum(p.numel() for p in m.parameters(recurse=False))
        if isinstance(m, nn.Conv2d):
            assert n == conv(m.kernel_size[0], m.in_channels, m.out_channels)
        elif isinstance(m, nn.Linear):
            assert n == fc(m.in_features, m.out_features)
        else:
            assert n == 0


@pytest.mark.parametrize("num_1x1", [0, 1, 2, 3])
def test_nin_variant_counts(num_1x1):
    with META:
        assert count_params(nin_variant(num_1x1, "gap")) == nin_expected(num_1x1)
        fc = nin_expected(num_1x1, NIN_OPENERS[:3]) + BIG_HEAD(384 * 5 * 5)
        assert count_params(nin_variant(num_1x1, "fc")) == fc


@pytest.mark.parametrize("size", [96, 128, 160, 192, 224, 256, 320])
def test_parameters_against_input_size(size):
    with META:
        assert count_params(nin_variant(2, "gap", image_size=size)) == nin_expected(2)
        assert count_params(nin_variant(2, "fc", image_size=size)) == \
            nin_expected(2, NIN_OPENERS[:3]) + BIG_HEAD(384 * nin_fc_side(size) ** 2)
        assert count_params(alexnet(image_size=size)) == expected_alexnet(size)
        assert count_params(vgg11(image_size=size)) == expected_vgg11(size)


def test_nin_variant_2_gap_is_exactly_nin():
    torch.manual_seed(0)
    a = nin()
    torch.manual_seed(0)
    b = nin_variant(2, "gap")
    assert str(a) == str(b) and type(a) is type(b)
    assert all(type(x) is type(y) for x, y in zip(a.modules(), b.modules()))
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)
    x = torch.randn(2, 1, 96, 96)
    assert torch.equal(a.eval()(x), b.eval()(x))


def test_forward_shapes():
    assert lenet()(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    with META:
        for net, s in [(alexnet(), 224), (vgg11(), 224), (vgg(((1, 8),), image_size=32), 32),
                       (nin_variant(0, "gap"), 224), (nin_variant(1, "fc", image_size=96), 96)]:
            assert net(torch.zeros(2, 1, s, s)).shape == (2, 10)


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="head must be one of"):
        nin_variant(2, "max")
    with pytest.raises(ValueError, match="num_1x1"):
        nin_variant(-1)
    with pytest.raises(ValueError, match="image_size"):
        lenet(image_size=0)
    with pytest.raises(ValueError, match="use a larger image_size"):
        vgg11(image_size=16)
    with pytest.raises(ValueError, match="arch"):
        vgg(())
    with pytest.raises(ValueError, match="dropout"):
        nin_variant(dropout=1.0)


def test_wrong_inputs_get_clear_errors():
    net = lenet()
    with pytest.raises(ValueError, match="built for 28x28 inputs"):
        net(torch.zeros(1, 1, 32, 32))
    with pytest.raises(ValueError, match="input channel"):
        net(torch.zeros(1, 3, 28, 28))
    with pytest.raises(ValueError, match="unsqueeze"):
        net(torch.zeros(1, 28, 28))
