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


# --- the data files are checked: a damaged file is named, with what to do ---------------------------------

@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of the subset's four files, to damage one at a time."""
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for f in (SUBSET / "FashionMNIST" / "raw").iterdir():
        if not f.name.endswith(".gz"):
            (raw / f.name).write_bytes(f.read_bytes())
    return tmp_path, raw


def truncate(name: str, keep: int):
    return lambda raw: (raw / name).write_bytes((raw / name).read_bytes()[:keep])


def fewer_labels(raw: Path) -> None:  # a consistent label file with 1,000 labels for 3,443 images
    path = raw / "train-labels-idx1-ubyte"
    data = path.read_bytes()
    path.write_bytes(data[:4] + (1000).to_bytes(4, "big") + data[8:1008])


def label_200(raw: Path) -> None:
    path = raw / "train-labels-idx1-ubyte"
    data = bytearray(path.read_bytes())
    data[20] = 200
    path.write_bytes(bytes(data))


def not_idx(raw: Path) -> None:
    path = raw / "t10k-images-idx3-ubyte"
    path.write_bytes(b"\x00" * path.stat().st_size)


DAMAGE = {  # what is done to a file, the file named, what the message says about it
    "truncated images": (truncate("train-images-idx3-ubyte", 100_000), "train-images-idx3-ubyte",
                         r"header announces \(3443, 28, 28\) values \(2,699,328 bytes\) but it holds 100,000"),
    "truncated header": (truncate("train-images-idx3-ubyte", 10), "train-images-idx3-ubyte",
                         "holds 10 bytes, less than its own 16-byte header"),
    "empty labels": (truncate("t10k-labels-idx1-ubyte", 0), "t10k-labels-idx1-ubyte",
                     "holds 0 bytes, less than its own 8-byte header"),
    "fewer labels than images": (fewer_labels, "train-labels-idx1-ubyte",
                                 "holds 1,000 labels for the 3,443 images of train-images-idx3-ubyte"),
    "label 200": (label_200, "train-labels-idx1-ubyte", r"holds the label 200, but Fashion-MNIST's labels are 0..9"),
    "not an idx file": (not_idx, "t10k-images-idx3-ubyte", "does not start like an idx file"),
}


@needs_subset
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_data_file_is_named_with_what_to_do(data_copy, damage):
    root, raw = data_copy
    load_fashion_mnist(root, download=False)  # the intact copy loads
    mutate, name, reason = DAMAGE[damage]
    mutate(raw)
    for download in (False, True):  # never "not found", never a download over a file that is there
        with pytest.raises(ValueError, match=rf"file {raw / name} is damaged: .*{reason}.*Delete it and run again"):
            load_fashion_mnist(root, download=download)


@needs_subset
def test_asking_for_more_images_than_exist_says_so(monkeypatch):
    monkeypatch.setenv("NIN_DATA_DIR", str(SUBSET))
    train_set, test_set = load_fashion_mnist()
    n = len(train_set) + 1
    with pytest.raises(ValueError, match=rf"n_train={n:,} but the training set in .* has only {len(train_set):,} "
                                         r"images; use n_train=None"):
        fashion_mnist_loaders(128, 32, "cpu", n_train=n)
    with pytest.raises(ValueError, match=rf"n_test={len(test_set) + 1:,} but the test set"):
        fashion_mnist_loaders(128, 32, "cpu", n_test=len(test_set) + 1)
    train_iter, _ = fashion_mnist_loaders(128, 32, "cpu", n_train=len(train_set))  # all of them is fine
    assert len(train_iter.images) == len(train_set)


# --- resize_batch and DeviceLoader refuse what they would silently get wrong ---------------------------------

@pytest.mark.parametrize("images, error, match", [
    (torch.rand(2, 28, 28), ValueError, r"uint8 images .* got torch.float32: .* divided by 255 again"),
    (torch.rand(2, 28, 28) * 255, ValueError, "got torch.float32"),
    (torch.zeros(28, 28, dtype=torch.uint8), ValueError, r"shape \(28, 28\); for one image use images.unsqueeze\(0\)"),
    (torch.zeros(2, 1, 28, 28, dtype=torch.uint8), ValueError, r"for \(N, 1, H, W\) use images.squeeze\(1\)"),
    ([[0, 1]], TypeError, "got list"),
    (torch.zeros(2, 28, 28, dtype=torch.uint8).numpy(), TypeError, "got ndarray"),
])
def test_resize_batch_refuses_what_is_not_uint8_images(images, error, match):
    with pytest.raises(error, match=match):
        resize_batch(images, 32)


@pytest.mark.parametrize("kwargs, match", [
    (dict(size=0), "size must be a whole number >= 1"), (dict(size="32"), "size must be a whole number"),
    (dict(std=0.0), r"std must be a number > 0"), (dict(mean=float("nan")), "mean must be a number"),
])
def test_resize_batch_checks_its_numbers(kwargs, match):
    with pytest.raises(ValueError, match=match):
        resize_batch(torch.zeros(2, 28, 28, dtype=torch.uint8), **{"size": 32, **kwargs})


def test_resize_batch_keeps_an_empty_batch_empty():
    assert resize_batch(torch.zeros(0, 28, 28, dtype=torch.uint8), 32).shape == (0, 1, 32, 32)


@pytest.mark.parametrize("kwargs, match", [
    (dict(images=torch.zeros(0, 28, 28, dtype=torch.uint8), labels=torch.zeros(0, dtype=torch.long)), "0 images"),
    (dict(labels=torch.zeros(3)), r"class indices .* got torch.float32"),
    (dict(labels=torch.tensor([0, -1, 2])), r"class indices .* from -1 to 2"),
    (dict(std=0.0), "std must be a number > 0"),
    (dict(seed=-1), "seed must be a whole number >= 0"),
])
def test_loader_refuses_what_would_fail_later(kwargs, match):
    args = dict(images=torch.zeros(3, 28, 28, dtype=torch.uint8), labels=torch.arange(3), batch_size=2, size=32)
    with pytest.raises(ValueError, match=match):
        DeviceLoader(**{**args, **kwargs})
