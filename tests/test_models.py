import pytest
import torch
from torch import nn

from formulas import conv
from nin_helpers import NIN_BLOCKS, nin, nin_block, smallest_input_size


def expected_nin_params(in_channels, num_classes):
    total, c = 0, in_channels
    for out, k, _, _ in NIN_BLOCKS:
        out = num_classes if out is None else out
        total += conv(k, c, out) + 2 * conv(1, out, out)
        c = out
    return total


def test_nin_has_the_d2l_parameter_count():
    net = nin()
    assert sum(p.numel() for p in net.parameters()) == expected_nin_params(1, 10) == 1_992_166


@pytest.mark.parametrize("in_channels,num_classes", [(3, 10), (1, 100), (3, 1000)])
def test_nin_arguments_change_only_first_and_last_block(in_channels, num_classes):
    net = nin(in_channels=in_channels, num_classes=num_classes)
    assert sum(p.numel() for p in net.parameters()) == expected_nin_params(in_channels, num_classes)
    net.eval()
    with torch.no_grad():
        assert net(torch.zeros(2, in_channels, 96, 96)).shape == (2, num_classes)


def test_nin_shapes_at_224():
    net = nin().eval()
    x = torch.zeros(1, 1, 224, 224)
    sides = []
    for layer in net:
        x = layer(x)
        sides.append(tuple(x.shape[1:]))
    assert sides == [(96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12), (384, 12, 12), (384, 5, 5),
                     (384, 5, 5), (10, 5, 5), (10, 1, 1), (10,)]


def test_smallest_input_is_67_and_torch_agrees():
    net = nin()
    assert net.min_size == smallest_input_size(net) == 67
    plain = nn.Sequential(*net)  # the same layers without our input check
    with torch.no_grad():
        assert plain(torch.zeros(1, 1, 67, 67)).shape == (1, 10)
        with pytest.raises(RuntimeError):
            plain(torch.zeros(1, 1, 66, 66))


@pytest.mark.parametrize("x,error,message", [
    (torch.zeros(1, 1, 28, 28), ValueError, r"at least 67x67 pixels, got 28x28; resize"),
    (torch.zeros(1, 1, 224, 66), ValueError, r"at least 67x67 pixels, got 224x66"),
    (torch.zeros(1, 3, 224, 224), ValueError, r"built for 1 input channel\(s\) but got 3"),
    (torch.zeros(1, 224, 224), ValueError, r"4-D batch .*add a batch dimension"),
    (torch.zeros(224, 224), ValueError, r"4-D batch"),
    ([[0.0]], TypeError, r"expects a torch.Tensor"),
])
def test_nin_bad_input_is_explained(x, error, message):
    with pytest.raises(error, match=message):
        nin()(x)


@pytest.mark.parametrize("kwargs,message", [
    ({"in_channels": 0}, "in_channels must be a whole number >= 1, got 0"),
    ({"num_classes": -3}, "num_classes must be"),
    ({"num_classes": 2.0}, "num_classes must be"),
    ({"dropout": 1.0}, r"dropout must be a probability in \[0, 1\)"),
])
def test_nin_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nin(**kwargs)


def test_nin_block_layers_and_params():
    block = nin_block(96, 256, kernel_size=5, stride=1, padding=2)
    kinds = [type(m).__name__ for m in block]
    assert kinds == ["Conv2d", "ReLU", "Conv2d", "ReLU", "Conv2d", "ReLU"]
    assert [m.kernel_size for m in block if isinstance(m, nn.Conv2d)] == [(5, 5), (1, 1), (1, 1)]
    assert sum(p.numel() for p in block.parameters()) == conv(5, 96, 256) + 2 * conv(1, 256, 256)
    assert block(torch.zeros(1, 96, 26, 26)).shape == (1, 256, 26, 26)


@pytest.mark.parametrize("args,message", [
    ((0, 96, 11), "in_channels must be a whole number >= 1"),
    ((1, 0, 11), "out_channels must be"),
    ((1, 96, 0), "kernel_size must be"),
    ((1, 96, 3, 0), "stride must be"),
    ((1, 96, 3, 1, -1), "padding must be a whole number >= 0"),
])
def test_nin_block_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        nin_block(*args)


def test_nin_block_kernel_larger_than_input():
    with pytest.raises(ValueError, match=r"at least 11x11 pixels, got 8x8"):
        nin_block(1, 8, kernel_size=11)(torch.zeros(1, 1, 8, 8))
    # padding makes room: a 5x5 kernel with padding 2 runs on a 1x1 input
    assert nin_block(1, 8, kernel_size=5, padding=2)(torch.zeros(1, 1, 1, 1)).shape == (1, 8, 1, 1)


def test_nin_block_wrong_channels():
    with pytest.raises(ValueError, match=r"built for 96 input channel\(s\) but got 3"):
        nin_block(96, 256, 5, padding=2)(torch.zeros(1, 3, 26, 26))


def test_slices_are_plain_sequentials_that_compute_the_same():
    net, block = nin().eval(), nin_block(1, 8, kernel_size=3)
    head, rest = net[:3], net[3:]
    assert type(head) is nn.Sequential and type(block[2:]) is nn.Sequential
    x = torch.rand(1, 1, 96, 96)
    with torch.no_grad():
        assert torch.equal(rest(head(x)), net(x))
    assert isinstance(net[0], type(block))  # indexing one layer still returns that layer


# --- dtypes and class counts: a sentence instead of "Input type (unsigned char) and bias type (float)" -----

@pytest.mark.parametrize("dtype, message", [
    (torch.uint8, r"expects float images, got torch.uint8; uint8 images: use resize_batch\(images, size\), or "
                  r"x.float\(\) / 255"),
    (torch.int64, r"expects float images, got torch.int64; convert them with x.float\(\)"),
    (torch.bool, r"expects float images, got torch.bool"),
    (torch.float16, r"has torch.float32 weights but got a torch.float16 batch; convert the batch with "
                    r"x.to\(torch.float32\)"),
    (torch.float64, r"has torch.float32 weights but got a torch.float64 batch"),
])
@pytest.mark.parametrize("build, side", [(nin, 96), (lambda: nin_block(1, 8, 3), 8)], ids=["nin", "nin_block"])
def test_a_batch_of_the_wrong_dtype_is_explained(build, side, dtype, message):
    with pytest.raises(ValueError, match=message):
        build()(torch.zeros(2, 1, side, side, dtype=dtype))


def test_a_batch_of_grey_images_without_the_channel_axis_gets_the_right_hint():
    with pytest.raises(ValueError, match=r"a batch of grey images\? add the channel axis with x.unsqueeze\(1\)"):
        nin()(torch.zeros(8, 96, 96))


def test_half_precision_networks_take_half_batches():
    block = nin_block(1, 8, 3).to(torch.bfloat16)
    assert block(torch.zeros(1, 1, 8, 8, dtype=torch.bfloat16)).dtype == torch.bfloat16


@pytest.mark.parametrize("kwargs, message", [
    ({"num_classes": 1}, r"num_classes must be a whole number >= 2 \(with one class the loss is always 0"),
    ({"dropout": "0.5"}, r"dropout must be a probability in \[0, 1\), got '0.5'"),
    ({"dropout": float("nan")}, "dropout must be a probability"),
])
def test_nin_refuses_what_would_train_to_nothing(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nin(**kwargs)
    assert nin(num_classes=2)(torch.zeros(1, 1, 67, 67)).shape == (1, 2)


# --- smallest_input_size follows torch's own rules: dilation, ceil_mode, "same" padding, non-square ----------

def torch_smallest_side(layers: nn.Module) -> int:
    """The smallest square side torch itself accepts, by trying them (NiN's blocks check their own input
    size with ValueError: that check is what is tested here, so it counts as a refusal)."""
    for side in range(1, 200):
        try:
            with torch.no_grad():
                nn.Sequential(*layers)(torch.zeros(1, 1, side, side))
            return side
        except (RuntimeError, ValueError):
            continue
    raise AssertionError("no side up to 200 fits")


@pytest.mark.parametrize("layers", [
    [nn.Conv2d(1, 1, 3, dilation=2)],
    [nn.Conv2d(1, 1, 3), nn.MaxPool2d(3, 2, ceil_mode=True), nn.Conv2d(1, 1, 3)],
    [nn.AvgPool2d(3, 2, ceil_mode=True), nn.Conv2d(1, 1, 3)],
    [nn.MaxPool2d(3, 2, padding=1, ceil_mode=True), nn.MaxPool2d(2, 2, ceil_mode=True), nn.Conv2d(1, 1, 2)],
    [nn.MaxPool2d(3, 1, dilation=3)],
    [nn.Conv2d(1, 1, (3, 7))],
    [nn.Conv2d(1, 1, 3, stride=(1, 3)), nn.Conv2d(1, 1, 3)],
    [nn.Conv2d(1, 1, 5, padding="same"), nn.Conv2d(1, 1, 3)],
    [nn.Conv2d(1, 1, 5, padding="valid")],
    list(nin()),
], ids=["dilated conv", "ceil max-pool", "ceil avg-pool", "ceil with padding", "dilated pool", "non-square kernel",
        "non-square stride", "same padding", "valid padding", "nin"])
def test_smallest_input_size_agrees_with_torch(layers):
    assert smallest_input_size(nn.Sequential(*layers)) == torch_smallest_side(layers)
