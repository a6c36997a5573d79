"""The paper's NiN (``nin_paper``, ``nin_from_table``), the 500-questions table, and what came after
(``paper_models``: Inception, Mixer's MLP), checked against the formulas of ``tests/formulas.py``."""
import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from formulas import conv, fc, side
from nin_helpers.models import (
    NIN_500Q_BLOCKS,
    NIN_CIFAR10_BLOCKS,
    nin,
    nin_block,
    nin_from_table,
    nin_paper,
    smallest_input_size,
)
from nin_helpers.paper_models import INCEPTION_3A, INCEPTION_3B, MIXER_S16, Inception, mixer_mlp


def numel(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def sides(net: nn.Module, in_channels: int, n: int) -> list[int]:
    """Side of every 4-D output of the top-level layers (blocks, poolings, dropouts, GAP)."""
    x, out = torch.zeros(1, in_channels, n, n), []
    with torch.no_grad():
        for layer in net.eval():
            x = layer(x)
            if x.dim() == 4:
                out.append(x.shape[-1])
    return out


@pytest.mark.parametrize("in_channels,num_classes", [(3, 10), (1, 10), (3, 100)])
def test_paper_nin_parameters_by_formula(in_channels, num_classes):
    expected = (conv(5, in_channels, 192) + conv(1, 192, 160) + conv(1, 160, 96)
                + conv(5, 96, 192) + 2 * conv(1, 192, 192)
                + conv(3, 192, 192) + conv(1, 192, 192) + conv(1, 192, num_classes))
    assert numel(nin_paper(in_channels, num_classes)) == expected
    assert numel(nin_paper()) == 966_986


def test_paper_nin_layers_follow_the_caffe_definition():
    net = nin_paper()
    convs = [(m.in_channels, m.out_channels, m.kernel_size[0], m.padding[0]) for m in net.modules()
             if isinstance(m, nn.Conv2d)]
    assert convs == [(3, 192, 5, 2), (192, 160, 1, 0), (160, 96, 1, 0), (96, 192, 5, 2), (192, 192, 1, 0),
                     (192, 192, 1, 0), (192, 192, 3, 1), (192, 192, 1, 0), (192, 10, 1, 0)]
    pools = [m for m in net.modules() if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d))]
    assert [type(p) for p in pools] == [nn.MaxPool2d, nn.AvgPool2d]
    assert all(p.kernel_size == 3 and p.stride == 2 and p.ceil_mode for p in pools)
    assert [m.p for m in net.modules() if isinstance(m, nn.Dropout)] == [0.5, 0.5]
    relus = sum(isinstance(m, nn.ReLU) for m in net.modules())
    assert relus == len(convs)  # a ReLU after every conv and cccp layer, the last one included


@pytest.mark.parametrize("n,ceil_mode,expected", [
    (32, True, [32, 16, 16, 16, 8, 8, 8, 1]),    # Caffe's sides
    (32, False, [32, 15, 15, 15, 7, 7, 7, 1]),   # PyTorch's default rounding
    (28, True, [28, 14, 14, 14, 7, 7, 7, 1]),
    (28, False, [28, 13, 13, 13, 6, 6, 6, 1]),
])
def test_pooled_sides_ceil_and_floor(n, ceil_mode, expected):
    assert sides(nin_paper(1, ceil_mode=ceil_mode), 1, n) == expected
    pooled = [side(n, 3, 2)] if not ceil_mode else [-(-(n - 3) // 2) + 1]
    assert expected[1] == pooled[0]


@pytest.mark.parametrize("build", [lambda: nin_paper(), lambda: nin_paper(ceil_mode=False),
                                   lambda: nin(), lambda: nin_from_table(NIN_500Q_BLOCKS, 3, 100)])
def test_smallest_input_agrees_with_torch(build):
    net = build()
    plain = nn.Sequential(*net).eval()  # the same layers without the network's input check
    n = smallest_input_size(net)
    with torch.no_grad():
        plain(torch.zeros(1, net.in_channels, n, n))
        with pytest.raises((RuntimeError, ValueError)):  # torch's error, or a block's own check
            plain(torch.zeros(1, net.in_channels, n - 1, n - 1))


def test_paper_nin_output_and_input_check():
    net = nin_paper().eval()
    assert net(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    with pytest.raises(ValueError, match="built for 3 input channel"):
        net(torch.zeros(2, 1, 32, 32))


def test_500_questions_table():
    net = nin_from_table(NIN_500Q_BLOCKS, in_channels=3, num_classes=100)
    counts = [numel(m) for m in net.modules() if isinstance(m, nn.Conv2d)]
    assert counts == [conv(3, 3, 16), conv(1, 16, 16), conv(3, 16, 64), conv(1, 64, 64), conv(3, 64, 100),
                      conv(1, 100, 100)] == [448, 272, 9_280, 4_160, 57_700, 10_100]
    assert sum(counts) == numel(net) == 81_960
    assert sides(net, 3, 32) == [30, 28, 26, 1]
    assert not any(isinstance(m, (nn.MaxPool2d, nn.AvgPool2d, nn.Dropout)) for m in net.modules())


def test_nin_block_default_widths_unchanged():
    torch.manual_seed(0)
    a = nin_block(96, 256, 5, 1, 2)
    torch.manual_seed(0)
    b = nin_block(96, 256, 5, 1, 2, mlp_channels=(256, 256))
    assert str(a) == str(b)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def test_table_builder_rejects_bad_rows():
    with pytest.raises(ValueError, match="pooling must be one of"):
        nin_from_table(((8, 3, 1, 1, (8,), "mean"),))
    with pytest.raises(ValueError, match="at least one row"):
        nin_from_table(())
    with pytest.raises(ValueError, match="mlp_channels\\[0\\]"):
        nin_block(1, 8, 3, mlp_channels=(0,))
    with pytest.raises(ValueError, match="dropout"):
        nin_from_table(NIN_CIFAR10_BLOCKS, dropout=1.0)


def macs(module: nn.Module, *shape: int) -> int:
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(torch.zeros(*shape))
    return counter.get_total_flops() // 2


@pytest.mark.parametrize("row,reduced,naive", [
    # (k, c_in, c_out) of every convolution, from GoogLeNet Table 1 / Fig. 2.
    (INCEPTION_3A, [(1, 192, 64), (1, 192, 96), (3, 96, 128), (1, 192, 16), (5, 16, 32), (1, 192, 32)],
     [(1, 192, 64), (3, 192, 128), (5, 192, 32)]),
    (INCEPTION_3B, [(1, 256, 128), (1, 256, 128), (3, 128, 192), (1, 256, 32), (5, 32, 96), (1, 256, 64)],
     [(1, 256, 128), (3, 256, 192), (5, 256, 96)]),
])
def test_inception_parameters_and_macs_by_formula(row, reduced, naive):
    for reduce, layers in [(True, reduced), (False, naive)]:
        module = Inception(row, reduce)
        assert numel(module) == sum(conv(*layer) for layer in layers)
        assert macs(module, 1, row.in_channels, 28, 28) == 28 * 28 * sum(k * k * a * b for k, a, b in layers)
        out = module(torch.zeros(1, row.in_channels, 28, 28))
        assert out.shape == (1, module.out_channels, 28, 28)
    assert Inception(INCEPTION_3A).out_channels == 256 and Inception(INCEPTION_3B).out_channels == 480
    with pytest.raises(ValueError, match="expects"):
        Inception(row)(torch.zeros(1, 3, 28, 28))


def test_mixer_mlps():
    assert MIXER_S16.tokens == 196
    assert numel(mixer_mlp(MIXER_S16.tokens, MIXER_S16.tokens_mlp)) == fc(196, 256) + fc(256, 196)
    assert numel(mixer_mlp(MIXER_S16.channels, MIXER_S16.channels_mlp)) == fc(512, 2048) + fc(2048, 512)
    x = torch.randn(2, 9, 4)
    assert mixer_mlp(4, 8)(x).shape == x.shape
