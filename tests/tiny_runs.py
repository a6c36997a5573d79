"""A network and data small enough to train in milliseconds, shared by the training and checkpoint tests."""
from __future__ import annotations

import torch
from torch import nn

from nin_helpers.data import DeviceLoader
from nin_helpers.training import History, train


def tiny_net(dropout: float = 0.3, width: int = 8) -> nn.Module:
    """Small enough to train in milliseconds, with dropout so that the RNG state matters."""
    return nn.Sequential(nn.Conv2d(1, width, 3), nn.ReLU(), nn.Dropout(dropout), nn.Conv2d(width, 10, 1),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten())


def tiny_data(n: int = 96, seed: int = 0, batch_size: int = 16, size: int = 12, labels: torch.Tensor | None = None):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 10, (n,), generator=g) if labels is None else labels
    # images whose brightness tells the class: learnable, so training visibly moves
    images = (labels.clamp(0, 9).view(-1, 1, 1) * 25
              + torch.randint(0, 20, (n, 12, 12), generator=g)).to(torch.uint8)
    train_iter = DeviceLoader(images, labels, batch_size=batch_size, size=size, shuffle=True, seed=seed)
    test_iter = DeviceLoader(images[:32], labels[:32], batch_size=16, size=size)
    return train_iter, test_iter


def quiet_train(*args, **kwargs) -> History:
    return train(*args, plot=False, progress=False, **kwargs)


class Wrapped:
    """A loader that stands for the one it wraps: the same data (so checkpoints are of the same run), the
    same epochs and length; subclasses change what ``__iter__`` gives in epoch ``at``."""

    def __init__(self, loader, epoch: int):
        self.loader, self.at, self.epoch = loader, epoch, 0

    def describe(self):
        return self.loader.describe()

    def set_epoch(self, epoch):
        self.epoch = epoch
        self.loader.set_epoch(epoch)

    def __len__(self):
        return len(self.loader)


class Interrupting(Wrapped):
    """Raises KeyboardInterrupt (as the Jupyter stop button does) after some batches of one epoch."""

    def __init__(self, loader, epoch: int, after_batches: int):
        super().__init__(loader, epoch)
        self.after = after_batches

    def __iter__(self):
        for i, batch in enumerate(self.loader):
            if self.epoch == self.at and i == self.after:
                raise KeyboardInterrupt
            yield batch


def same_weights(a: nn.Module, b: nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def weights(net: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in net.state_dict().items()}
