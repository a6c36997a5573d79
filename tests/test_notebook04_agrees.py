"""Notebook 04 teaches the data pipeline and the training loop in ``#@save`` cells; ``nin_helpers``
keeps them. These tests run the notebook's cells and prove both give the same results."""
from __future__ import annotations

import contextlib
import io

import pytest
import torch
from torch import nn

from nin_helpers import data, training
from notebook_code import saved_namespace


@pytest.fixture(scope="module")
def nb():
    return saved_namespace("04")


def test_notebook_saves_the_pipeline_and_the_loop(nb):
    for name in ["resize_batch", "DeviceLoader", "choose_device", "speed_settings", "to_device",
                 "train_epoch", "init_weights", "center_biases", "equal_class_scores", "train"]:
        assert callable(nb[name]), name


@pytest.mark.parametrize("size, mean, std", [(67, 0.0, 1.0), (96, 0.286, 0.353)])
def test_resize_batch_agrees(nb, size, mean, std):
    g = torch.Generator().manual_seed(1)
    images = torch.randint(0, 256, (8, 28, 28), dtype=torch.uint8, generator=g)
    ours = nb["resize_batch"](images, size, mean, std)
    assert torch.equal(ours, data.resize_batch(images, size, mean, std))


def test_device_loader_agrees(nb):
    g = torch.Generator().manual_seed(2)
    images = torch.randint(0, 256, (50, 28, 28), dtype=torch.uint8, generator=g)
    labels = torch.arange(50) % 10
    loaders = [cls(images, labels, batch_size=16, size=32, shuffle=True, seed=5)
               for cls in (nb["DeviceLoader"], data.DeviceLoader)]
    for epoch in (0, 3):
        for loader in loaders:
            loader.set_epoch(epoch)
        batches = [list(loader) for loader in loaders]
        assert len(batches[0]) == len(batches[1]) == len(loaders[1])
        for (X1, y1), (X2, y2) in zip(*batches):
            assert torch.equal(X1, X2) and torch.equal(y1, y2)


def test_device_choice_and_speed_settings_agree(nb, monkeypatch):
    for cuda, mps in [(True, False), (False, True), (False, False)]:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
        assert nb["choose_device"]() == training.choose_device()
    cpu = torch.device("cpu")
    assert nb["speed_settings"](cpu) == training.speed_settings(cpu)


@pytest.mark.parametrize("init", ["xavier", "kaiming", "default"])
def test_init_centring_and_equal_scores_agree(nb, init):
    X = torch.randn(4, 1, 16, 16)
    nets = []
    for module in (nb, vars(training)):
        torch.manual_seed(0)
        net = nn.Sequential(nn.Conv2d(1, 6, 3), nn.ReLU(), nn.Conv2d(6, 10, 1), nn.ReLU())
        module["init_weights"](net, init)
        module["center_biases"](net, X)
        nets.append(net)
        # centring did its job: every channel of the first conv has mean 0 on X
        assert net[0](X).mean(dim=(0, 2, 3)).abs().max() < 1e-5
        module["equal_class_scores"](net)
    for (name, p1), p2 in zip(nets[0].named_parameters(), nets[1].parameters()):
        assert torch.equal(p1, p2), name


def test_train_agrees(nb, tmp_path):
    """Same tiny network, data, seed and recipe: the notebook's train and the package's train
    produce the same history and the same weights, checkpoint included."""
    g = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 10, (64,), generator=g)
    images = (labels.view(-1, 1, 1) * 25 + torch.randint(0, 20, (64, 12, 12), generator=g)).to(torch.uint8)
    results = []
    for name, module in [("notebook", nb), ("package", vars(training))]:
        train_iter = data.DeviceLoader(images, labels, batch_size=16, size=12, shuffle=True)
        test_iter = data.DeviceLoader(images[:32], labels[:32], batch_size=16, size=12)
        torch.manual_seed(0)
        net = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Dropout(0.3), nn.Conv2d(8, 10, 1), nn.ReLU(),
                            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        with contextlib.redirect_stdout(io.StringIO()):
            history = module["train"](net, train_iter, test_iter, 2, recipe="ours", seed=3,
                                      checkpoint=tmp_path / f"{name}.pt", plot=False, progress=False)
        results.append((history, net))
    (h1, net1), (h2, net2) = results
    timing = ("seconds", "examples_per_sec")  # wall-clock: the only thing allowed to differ
    strip = lambda rows: [{k: v for k, v in r.items() if k not in timing} for r in rows]  # noqa: E731
    assert strip(h1.epochs) == strip(h2.epochs)
    for p1, p2 in zip(net1.parameters(), net2.parameters()):
        assert torch.equal(p1, p2)
    saved = [torch.load(tmp_path / f"{n}.pt", weights_only=True) for n in ("notebook", "package")]
    assert saved[0]["run"] == saved[1]["run"]


def test_both_refuse_equal_scores_for_a_fully_connected_head(nb):
    from nin_helpers.classic_models import nin_variant
    messages = []
    for fn in (nb["equal_class_scores"], training.equal_class_scores):
        with pytest.raises(ValueError) as err:
            fn(nin_variant(2, "fc", image_size=96))
        messages.append(str(err.value))
    assert messages[0] == messages[1] and "equal_scores=False" in messages[0]
