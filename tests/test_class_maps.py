"""Class maps (notebook 04, section 6): NiN's last block before global average pooling, whose means are the
class scores, and the figure that lays them over an image."""
import pytest
import torch

from nin_helpers import class_maps, nin, plot_class_maps
from nin_helpers.classic_models import nin_variant


@pytest.fixture(scope="module")
def net():
    torch.manual_seed(0)
    return nin().eval()


@pytest.mark.parametrize("side, map_side", [(72, 1), (96, 1), (216, 5), (224, 5)])
def test_the_mean_of_each_map_is_the_class_score(net, side, map_side):
    X = torch.randn(3, 1, side, side)
    maps = class_maps(net, X)
    assert maps.shape == (3, 10, map_side, map_side)
    with torch.no_grad():
        assert torch.allclose(maps.mean(dim=(2, 3)), net(X), atol=1e-6)


def test_class_maps_are_in_eval_mode_so_repeatable(net):
    X = torch.randn(2, 1, 96, 96)
    net.train()  # dropout on: class_maps must switch it off, as evaluate does
    assert torch.equal(class_maps(net, X), class_maps(net, X))


def test_a_network_without_global_average_pooling_has_no_class_maps():
    with pytest.raises(ValueError, match="has no class maps"):
        class_maps(nin_variant(2, "fc", image_size=96), torch.randn(1, 1, 96, 96))
    with pytest.raises(ValueError, match="has no class maps"):
        class_maps(torch.nn.Conv2d(1, 10, 3), torch.randn(1, 1, 96, 96))


def test_raw_images_get_a_clear_error(net):
    with pytest.raises((TypeError, ValueError), match="float"):
        class_maps(net, torch.zeros(1, 1, 96, 96, dtype=torch.uint8))


def test_plot_class_maps_draws_the_image_and_one_panel_per_class(net):
    X = torch.randn(1, 1, 216, 216)
    fig = plot_class_maps(X[0, 0], class_maps(net, X)[0], [f"c{i}" for i in range(10)], classes=range(3))
    assert len(fig.axes) == 4
    assert fig.axes[1].get_title().startswith("c0\nscore ")


def test_plot_class_maps_says_what_it_needs():
    with pytest.raises(ValueError, match=r"class_maps\(net, X\)\[0\]"):
        plot_class_maps(torch.zeros(28, 28), torch.zeros(2, 10, 1, 1), ["a"] * 10)
    with pytest.raises(TypeError, match="maps must be a torch.Tensor"):
        plot_class_maps(torch.zeros(28, 28), [[0.0]], ["a"])
