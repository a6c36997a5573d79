import pytest
import torch
from torch import nn

from nin_helpers import conv2d_macs, conv2d_output_size, conv2d_params, corr2d_multi_in_out_1x1, linear_params


@pytest.mark.parametrize("c_i,c_o,h,w", [(1, 1, 1, 1), (3, 2, 3, 3), (7, 5, 4, 9)])
def test_1x1_matmul_equals_conv2d(c_i, c_o, h, w):
    torch.manual_seed(c_i * 100 + c_o)
    X, K = torch.randn(c_i, h, w), torch.randn(c_o, c_i, 1, 1)
    expected = nn.functional.conv2d(X.unsqueeze(0), K)[0]
    assert torch.allclose(corr2d_multi_in_out_1x1(X, K), expected, atol=1e-5)
    # a 2-D kernel (c_o, c_i) is the same matrix
    assert torch.allclose(corr2d_multi_in_out_1x1(X, K[:, :, 0, 0]), expected, atol=1e-5)


@pytest.mark.parametrize("X,K,message", [
    (torch.zeros(1, 3, 2, 2), torch.zeros(2, 3, 1, 1), "X must be a tensor of shape"),
    (torch.zeros(3, 2, 2), torch.zeros(2, 3, 3, 3), "K must be a 1x1 kernel"),
    (torch.zeros(3, 2, 2), torch.zeros(2, 4, 1, 1), "K expects 4 input channels but X has 3"),
    ([[1.0]], torch.zeros(1, 1, 1, 1), "got list"),
])
def test_1x1_bad_shapes_say_what_is_wrong(X, K, message):
    with pytest.raises(ValueError, match=message):
        corr2d_multi_in_out_1x1(X, K)


@pytest.mark.parametrize("c_in,c_out,k,bias", [(1, 96, 11, True), (96, 96, 1, True), (256, 384, 3, False)])
def test_conv2d_params_match_a_real_layer(c_in, c_out, k, bias):
    layer = nn.Conv2d(c_in, c_out, k, bias=bias)
    assert conv2d_params(c_in, c_out, k, bias=bias) == sum(p.numel() for p in layer.parameters())


@pytest.mark.parametrize("n_in,n_out", [(400, 120), (25088, 4096), (1, 1)])
def test_linear_params_match_a_real_layer(n_in, n_out):
    assert linear_params(n_in, n_out) == sum(p.numel() for p in nn.Linear(n_in, n_out).parameters())


@pytest.mark.parametrize("size,k,s,p", [(224, 11, 4, 0), (54, 3, 2, 0), (26, 5, 1, 2), (12, 3, 1, 1), (7, 7, 1, 0)])
def test_output_size_matches_torch(size, k, s, p):
    out = nn.Conv2d(1, 1, k, s, p)(torch.zeros(1, 1, size, size))
    assert conv2d_output_size(size, k, s, p) == out.shape[-1]


@pytest.mark.parametrize("c_in,c_out,k,side", [(96, 96, 1, 54), (1, 96, 11, 54), (3, 2, 3, 5)])
def test_macs_are_half_of_torch_flop_count(c_in, c_out, k, side):
    from torch.utils.flop_counter import FlopCounterMode
    layer = nn.Conv2d(c_in, c_out, k, padding=k // 2)
    with FlopCounterMode(display=False) as counter:
        layer(torch.zeros(1, c_in, side, side))
    assert 2 * conv2d_macs(c_in, c_out, k, (side, side)) == counter.get_total_flops()


@pytest.mark.parametrize("call,message", [
    (lambda: conv2d_params(0, 3, 3), "c_in must be a whole number >= 1, got 0"),
    (lambda: conv2d_params(3, -1, 3), "c_out must be a whole number >= 1, got -1"),
    (lambda: conv2d_params(3, 3, 2.5), "kernel_size must be a whole number"),
    (lambda: linear_params(0, 10), "n_in must be"),
    (lambda: conv2d_output_size(5, 7), "kernel_size 7 is larger than the padded input"),
    (lambda: conv2d_output_size(224, 11, stride=0), "stride must be"),
    (lambda: conv2d_output_size(224, 3, padding=-1), "padding must be a whole number >= 0"),
    (lambda: conv2d_macs(3, 3, 1, (0, 4)), "output height"),
    (lambda: conv2d_params(True, 3, 3), "c_in must be"),
])
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
