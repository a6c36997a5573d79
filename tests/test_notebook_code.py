"""The code each notebook writes (its ``#@save`` cells) and the helper package's version agree."""
import pytest
import torch
from torch import nn

import nin_helpers
from notebook_code import saved_namespace


def same_layers(a: nn.Module, b: nn.Module) -> None:
    """Same leaf layers, in order, with the same hyper-parameters and parameter shapes."""
    leaves = lambda m: [x for x in m.modules() if not list(x.children())]
    la, lb = leaves(a), leaves(b)
    assert [type(x) for x in la] == [type(x) for x in lb]
    for x, y in zip(la, lb):
        assert x.extra_repr() == y.extra_repr()
        assert [p.shape for p in x.parameters()] == [p.shape for p in y.parameters()]


def same_function(a: nn.Module, b: nn.Module, shape) -> None:
    """Given the same weights, both compute the same output."""
    b.load_state_dict(a.state_dict())
    a.eval(), b.eval()
    x = torch.rand(*shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(a(x), b(x))


def test_notebook01_arithmetic_agrees_with_helpers():
    nb = saved_namespace("01")
    X = torch.randn(5, 6, 7, generator=torch.Generator().manual_seed(1))
    K = torch.randn(4, 5, 1, 1, generator=torch.Generator().manual_seed(2))
    assert torch.equal(nb["corr2d_multi_in_out_1x1"](X, K), nin_helpers.corr2d_multi_in_out_1x1(X, K))
    for args in [(224, 11, 4, 0), (54, 3, 2, 0), (26, 5, 1, 2), (13, 3, 1, 1)]:
        assert nb["conv2d_output_size"](*args) == nin_helpers.conv2d_output_size(*args)
    for args in [(1, 96, 11), (96, 96, 1), (384, 10, 3)]:
        assert nb["conv2d_params"](*args) == nin_helpers.conv2d_params(*args)
        assert nb["conv2d_params"](*args, bias=False) == nin_helpers.conv2d_params(*args, bias=False)
        assert nb["conv2d_macs"](*args, (7, 9)) == nin_helpers.conv2d_macs(*args, (7, 9))
    for args in [(400, 120), (25088, 4096)]:
        assert nb["linear_params"](*args) == nin_helpers.linear_params(*args)


@pytest.mark.parametrize("args", [(1, 96, 11, 4, 0), (96, 256, 5, 1, 2), (384, 10, 3, 1, 1)])
def test_notebook02_nin_block_agrees_with_helper(args):
    nb = saved_namespace("02")
    torch.manual_seed(0)
    ours, theirs = nb["nin_block"](*args), nin_helpers.nin_block(*args)
    same_layers(ours, theirs)
    same_function(ours, theirs, (2, args[0], 32, 32))


@pytest.mark.parametrize("kwargs", [{}, {"in_channels": 3, "num_classes": 100}])
def test_notebook03_nin_agrees_with_helper(kwargs):
    nb = saved_namespace("03")
    ours, theirs = nb["nin"](**kwargs), nin_helpers.nin(**kwargs)
    same_layers(ours, theirs)
    same_function(ours, theirs, (2, kwargs.get("in_channels", 1), 96, 96))
