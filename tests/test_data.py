"""Fashion-MNIST loading and the on-device batch pipeline of notebook 04."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
import torchvision
from PIL import Image
from torchvision import transforms

from nin_helpers import paths
from nin_helpers.data import DeviceLoader, fashion_mnist_loaders, load_fashion_mnist, resize_batch
from nin_helpers.paths import REPO_ROOT as REPO

SUBSET = Path(os.environ.get("NIN_DATA_DIR") or REPO.parent / "shared/data/fashion-mnist-subset")
needs_subset = pytest.mark.skipif(not (SUBSET / "FashionMNIST/raw").is_dir(),
                                  reason=f"Fashion-MNIST subset not found at {SUBSET}; set NIN_DATA_DIR")


def test_data_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NIN_DATA_DIR", str(tmp_path))
    assert paths.data_root() == tmp_path
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NIN_DATA_DIR", "relative/fm")  # relative to where the notebook runs, made absolute
    assert paths.data_root() == tmp_path / "relative/fm"
    monkeypatch.delenv("NIN_DATA_DIR")
    assert paths.data_root() == REPO / "data"
    assert paths.checkpoint_dir() == REPO / "checkpoints"


def test_outside_a_checkout_files_go_to_the_user_cache(monkeypatch):
    monkeypatch.delenv("NIN_DATA_DIR", raising=False)
    monkeypatch.setattr(paths, "REPO_ROOT", None)  # as after a plain `pip install`
    assert paths.data_root() == paths.CACHE / "data" and paths.checkpoint_dir() == paths.CACHE / "checkpoints"


def test_missing_data_without_download_says_where_and_how(tmp_path):
    with pytest.raises(FileNotFoundError) as error:
        load_fashion_mnist(tmp_path, download=False)
    message = str(error.value)
    assert str(tmp_path / "FashionMNIST" / "raw") in message
    assert "NIN_DATA_DIR" in message and "train-images-idx3-ubyte" in message


def test_failed_download_says_where_and_how(monkeypatch, tmp_path):
    attempts = []

    def offline(self):  # what torchvision raises when no mirror answers
        attempts.append(self.root)
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz: no route to host")
    monkeypatch.setattr(torchvision.datasets.FashionMNIST, "download", offline)
    monkeypatch.setenv("NIN_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError) as error:
        load_fashion_mnist()  # root from NIN_DATA_DIR, download=True by default
    assert attempts, "load_fashion_mnist should try to download missing files"
    message = str(error.value)
    assert str(tmp_path / "nowhere" / "FashionMNIST" / "raw") in message
    assert "downloading them failed" in message and "no route to host" in message
    assert "export NIN_DATA_DIR=" in message


def test_root_must_be_a_path():
    with pytest.raises(TypeError, match="root must be a folder path"):
        load_fashion_mnist(42)


def torchvision_path(images: torch.Tensor, size: int) -> torch.Tensor:
    """d2l's pipeline: PIL image -> transforms.Resize -> transforms.ToTensor, one image at a time."""
    tf = transforms.Compose([transforms.Resize(size), transforms.ToTensor()])
    return torch.stack([tf(Image.fromarray(img.numpy(), mode="L")) for img in images])


# PIL resizes in float and rounds to uint8; ToTensor then divides by 255. Our batch is never rounded,
# so the two may differ by that rounding: at most one grey level, 1/255.
ONE_GREY_LEVEL = 1 / 255 + 1e-6


@pytest.mark.parametrize("size", [67, 96, 224, 20])  # upscaling as in the course, and one downscale
def test_batch_resize_matches_torchvision_on_random_images(size):
    g = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (16, 28, 28), dtype=torch.uint8, generator=g)
    ours, theirs = resize_batch(images, size), torchvision_path(images, size)
    assert ours.shape == theirs.shape == (16, 1, size, size)
    assert (ours - theirs).abs().max() <= ONE_GREY_LEVEL


@needs_subset
def test_batch_resize_matches_torchvision_on_fashion_mnist():
    _, test_set = load_fashion_mnist(SUBSET, download=False)
    images = test_set.data[:64]
    diff = (resize_batch(images, 96) - torchvision_path(images, 96)).abs()
    assert diff.max() <= ONE_GREY_LEVEL
    assert diff.mean() < 0.002  # and most pixels agree exactly


def test_normalisation_is_applied_on_the_fly():
    images = torch.full((2, 28, 28), 255, dtype=torch.uint8)
    out = resize_batch(images, 32, mean=0.5, std=0.25)
    assert torch.allclose(out, torch.full_like(out, (1 - 0.5) / 0.25))


def test_loader_visits_every_example_once_per_epoch():
    images = torch.arange(10, dtype=torch.uint8).repeat_interleave(4).reshape(10, 2, 2)
    loader = DeviceLoader(images, torch.arange(10), batch_size=4, size=2, shuffle=True, seed=3)
    assert len(loader) == 3
    orders = []
    for epoch in (0, 1, 0):
        loader.set_epoch(epoch)
        labels = torch.cat([y for _, y in loader])
        assert sorted(labels.tolist()) == list(range(10))
        orders.append(labels.tolist())
        first = next(iter(loader))  # images travel with their labels
        assert torch.allclose(first[0][:, 0, 0, 0] * 255, first[1].float())
    assert orders[0] == orders[2] != orders[1]  # the order depends on the epoch only


def test_unshuffled_loader_keeps_the_data_order():
    images = torch.zeros(5, 28, 28, dtype=torch.uint8)
    loader = DeviceLoader(images, torch.arange(5), batch_size=2, size=28)
    assert torch.cat([y for _, y in loader]).tolist() == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("kwargs, match", [
    (dict(images=torch.zeros(3, 28, 28)), "uint8"),
    (dict(labels=torch.arange(2)), "one label per image"),
    (dict(batch_size=0), "batch_size"),
    (dict(size=2.5), "size"),
])
def test_loader_rejects_bad_arguments(kwargs, match):
    args = dict(images=torch.zeros(3, 28, 28, dtype=torch.uint8), labels=torch.arange(3),
                batch_size=2, size=32)
    with pytest.raises(ValueError, match=match):
        DeviceLoader(**{**args, **kwargs})


@needs_subset
def test_loaders_over_the_subset(monkeypatch):
    monkeypatch.setenv("NIN_DATA_DIR", str(SUBSET))
    train_iter, test_iter = fashion_mnist_loaders(batch_size=100, size=32, n_train=300)
    assert len(train_iter.images) == 300 and len(test_iter.images) == 1000
    X, y = next(iter(test_iter))
    assert X.shape == (100, 1, 32, 32) and X.dtype == torch.float32 and y.dtype == torch.int64
    # standardised with the training set's statistics: roughly zero mean, unit spread
    assert abs(X.mean().item()) < 0.3 and 0.7 < X.std().item() < 1.3
