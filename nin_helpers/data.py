"""Fashion-MNIST for notebook 04: torchvision's loader, then batches resized on the training device.

d2l resizes every image with PIL inside DataLoader workers; on a GPU that starves the model, and
on a small CPU the workers fight the model for the same cores. Here the whole uint8 data set is
one tensor on the device (60,000 x 28 x 28 bytes = 47 MB), and each batch is resized there with
one ``F.interpolate`` call and normalised on the fly.

>>> images = torch.zeros(5, 28, 28, dtype=torch.uint8)
>>> loader = DeviceLoader(images, torch.arange(5), batch_size=2, size=32)
>>> len(loader), [tuple(X.shape) for X, y in loader]
(3, [(2, 1, 32, 32), (2, 1, 32, 32), (1, 1, 32, 32)])
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Iterator

import torch
import torchvision
from torch.nn import functional as F

from nin_helpers.datafiles import check_raw_files
from nin_helpers.devices import choose_device
from nin_helpers.paths import data_root
from nin_helpers.validation import check_number, check_positive_int, check_uint8_images

# Label names in the order of the data set's targets 0..9 (d2l's ``get_fashion_mnist_labels``).
FASHION_MNIST_CLASSES = ("t-shirt", "trouser", "pullover", "dress", "coat",
                         "sandal", "shirt", "sneaker", "bag", "ankle boot")
# Mean and standard deviation of all 60,000 training pixels, scaled to [0, 1].
FASHION_MNIST_MEAN, FASHION_MNIST_STD = 0.2860, 0.3530


def load_fashion_mnist(root: str | Path | None = None, download: bool = True):
    """The train and test ``torchvision.datasets.FashionMNIST`` sets found under ``root``
    (default: ``data_root()``), downloading them there first if they are missing.

    Raises ``FileNotFoundError`` saying where the files were looked for, and how to point
    ``NIN_DATA_DIR`` at a copy, when they are neither there nor downloadable; ``ValueError`` naming the
    file when one is damaged (``datafiles.check_raw_files``), before and after a download.
    """
    if root is not None and not isinstance(root, (str, Path)):
        raise TypeError(f"root must be a folder path (str or pathlib.Path), got {type(root).__name__}")
    root = Path(root).expanduser().resolve() if root is not None else data_root()
    raw = root / "FashionMNIST" / "raw"
    try:
        check_raw_files(raw)  # a damaged file must not be reported as "not found", nor fail later
        sets = tuple(torchvision.datasets.FashionMNIST(root, train=train, download=download)
                     for train in (True, False))
    except (RuntimeError, OSError) as error:  # torchvision: "Dataset not found" / download errors
        tried = "downloading them failed" if download else "download=False"
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise FileNotFoundError(
            f"Fashion-MNIST was not found in {raw} (it needs train-images-idx3-ubyte, "
            f"train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte) and "
            f"{tried} ({reason}). Copy the files there, or point NIN_DATA_DIR at a folder holding "
            f"FashionMNIST/raw/, e.g. `export NIN_DATA_DIR=/path/to/fashion-mnist-subset` before "
            f"starting Jupyter, or os.environ['NIN_DATA_DIR'] = ... in the notebook.") from error
    check_raw_files(raw)  # what was downloaded, too
    return sets


def resize_batch(images: torch.Tensor, size: int, mean: float = 0.0, std: float = 1.0) -> torch.Tensor:
    """uint8 images ``(N, H, W)`` -> float ``(N, 1, size, size)``, scaled to [0, 1] like
    ``ToTensor`` and then standardised as ``(x - mean) / std``.

    Bilinear with antialiasing is what torchvision's ``Resize`` does to a PIL image. Float images are
    refused: they are usually in [0, 1] already, and dividing them by 255 again would go unnoticed.
    """
    check_uint8_images(images, "resize_batch")
    check_positive_int("size", size)
    check_number("mean", mean)
    check_number("std", std, low=0, low_open=True)
    x = F.interpolate(images.unsqueeze(1).float(), size=(size, size), mode="bilinear",
                      align_corners=False, antialias=True)
    return x.mul_(1 / (255 * std)).sub_(mean / std)


class DeviceLoader:
    """Batches ``(X, y)`` cut from uint8 ``images`` kept on ``device``, resized there per batch.

    Shuffling follows ``seed + epoch`` (``set_epoch``), so a resumed run sees the same order.
    ``device`` defaults to ``choose_device()``, the device ``train`` picks too.
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int, size: int,
                 shuffle: bool = False, device: str | torch.device | None = None,
                 mean: float = 0.0, std: float = 1.0, seed: int = 0):
        check_uint8_images(images, "DeviceLoader")
        if len(images) == 0:
            raise ValueError("DeviceLoader got 0 images: there would be nothing to train or test on; "
                             "check the data folder and n_train / n_test")
        if not isinstance(labels, torch.Tensor) or labels.shape != images.shape[:1]:
            raise ValueError(f"labels must be a tensor with one label per image ({len(images)}), got "
                             f"{tuple(labels.shape) if isinstance(labels, torch.Tensor) else type(labels).__name__}")
        if labels.is_floating_point() or labels.dtype == torch.bool or labels.min() < 0:
            raise ValueError(f"labels must be class indices 0, 1, 2, ... (an integer tensor), got {labels.dtype} "
                             f"from {labels.min().item()} to {labels.max().item()}; e.g. dataset.targets")
        check_positive_int("batch_size", batch_size)
        check_positive_int("size", size)
        check_number("mean", mean)
        check_number("std", std, low=0, low_open=True)
        check_positive_int("seed", seed, minimum=0)
        device = choose_device(device)
        self.images, self.labels = images.to(device), labels.to(device)
        self.batch_size, self.size, self.shuffle = batch_size, size, shuffle
        self.mean, self.std, self.seed, self.epoch = mean, std, seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def describe(self) -> dict:
        """What defines this loader's data, for a checkpoint to record (``checkpoints.describe_run``).
        The data fingerprint: image sums and labels weighted by position, so another data folder
        or subset of the same size, or the same images in another order, give another value."""
        position = torch.arange(1, len(self.images) + 1, device=self.images.device)
        pixels = (self.images.flatten(1).sum(1, dtype=torch.int64) * position).sum()
        labels = (self.labels.long() * position).sum()
        return {"number of training images": len(self.images), "image size": self.size, "batch size": self.batch_size,
                "steps per epoch": len(self), "shuffle": bool(self.shuffle), "loader seed": self.seed,
                "normalisation": [float(self.mean), float(self.std)],
                "data fingerprint": f"{int(pixels):x}-{int(labels):x}"}

    def __len__(self) -> int:
        return math.ceil(len(self.images) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.images)
        if self.shuffle:  # the order is drawn on the CPU, from its own generator: reproducible
            order = torch.randperm(n, generator=torch.Generator().manual_seed(self.seed + self.epoch))
        else:
            order = torch.arange(n)
        for idx in order.to(self.images.device).split(self.batch_size):
            yield resize_batch(self.images[idx], self.size, self.mean, self.std), self.labels[idx]


def fashion_mnist_loaders(batch_size: int, size: int, device: str | torch.device | None = None,
                          n_train: int | None = None, n_test: int | None = None, seed: int = 0,
                          normalize: bool = True, root: str | Path | None = None
                          ) -> tuple[DeviceLoader, DeviceLoader]:
    """Train and test ``DeviceLoader`` s over Fashion-MNIST, images resized to ``size`` x ``size``.

    ``device`` defaults to ``choose_device()``. ``n_train`` / ``n_test`` keep a random (seeded) subset,
    for quick runs. ``normalize`` standardises
    with the training set's mean and std; ``False`` gives ``ToTensor``'s [0, 1] like d2l.
    """
    train_set, test_set = load_fashion_mnist(root)
    mean, std = (FASHION_MNIST_MEAN, FASHION_MNIST_STD) if normalize else (0.0, 1.0)
    loaders = []
    for data, n, shuffle in [(train_set, n_train, True), (test_set, n_test, False)]:
        if n is not None:
            name = "n_train" if shuffle else "n_test"
            check_positive_int(name, n)
            if n > len(data):  # slicing would silently give fewer images than asked for
                raise ValueError(f"{name}={n:,} but the {'training' if shuffle else 'test'} set in {data.root} has "
                                 f"only {len(data):,} images; use {name}=None for all of them, or at most "
                                 f"{len(data):,}")
        keep = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))[:n]
        keep = keep.sort().values  # a subset, in the data set's own order
        loaders.append(DeviceLoader(data.data[keep], data.targets[keep], batch_size, size, shuffle,
                                    device, mean, std, seed))
    return tuple(loaders)
