import pytest
import torch
from torch import nn

from nin_helpers import count_params, layer_table, nin


def test_layer_table_for_nin():
    table = layer_table(nin(), (1, 1, 224, 224))
    assert int(table["params"].sum()) == 1_992_166
    assert list(table.columns) == ["layer", "type", "output shape", "params"]
    assert table.iloc[0].tolist() == ["0.0", "Conv2d", (1, 96, 54, 54), 11 * 11 * 96 + 96]
    assert table.iloc[-1]["output shape"] == (1, 10)
    assert len(table) == 4 * 6 + 3 + 1 + 2  # 4 blocks of 6 layers, 3 pools, dropout, GAP, flatten


class TwoBranch(nn.Module):
    """Not a Sequential: the table must still follow the order layers actually run in."""
    def __init__(self):
        super().__init__()
        self.b = nn.Linear(8, 3)
        self.a = nn.Linear(4, 8)

    def forward(self, x):
        return self.b(torch.relu(self.a(x)))


def test_layer_table_any_module_in_execution_order():
    table = layer_table(TwoBranch(), (2, 4))
    assert table["layer"].tolist() == ["a", "b"]
    assert table["output shape"].tolist() == [(2, 8), (2, 3)]
    assert table["params"].tolist() == [4 * 8 + 8, 8 * 3 + 3]


def test_layer_table_restores_training_mode_and_removes_hooks():
    net = nin().train()
    layer_table(net, (1, 1, 96, 96))
    assert net.training
    assert all(not m._forward_hooks for m in net.modules())


@pytest.mark.parametrize("shape,error,message", [
    ((1, 1, 0, 224), ValueError, r"input_shape\[2\] must be a whole number >= 1, got 0"),
    ((), ValueError, "input_shape must be a tuple"),
    ("1x224", ValueError, "input_shape must be a tuple"),
    ((1, 1, 28, 28), ValueError, "at least 67x67 pixels"),
    ((1, 3, 224, 224), ValueError, r"built for 1 input channel\(s\)"),
])
def test_layer_table_bad_input(shape, error, message):
    with pytest.raises(error, match=message):
        layer_table(nin(), shape)


def test_layer_table_rejects_non_modules():
    with pytest.raises(TypeError, match="must be a torch.nn.Module"):
        layer_table(lambda x: x, (1, 1))


def test_count_params_skips_frozen():
    net = nn.Linear(3, 2)
    net.bias.requires_grad_(False)
    assert count_params(net) == 6
