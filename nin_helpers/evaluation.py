"""After training: accuracy, every test prediction, the confusion matrix, the class maps (notebook 04).

``evaluate`` and ``predict`` share one inference path, ``logits``: eval mode (no dropout), no
gradients, on the network's own device, with the same layout and bf16 setting as training.

>>> confusion_matrix(torch.tensor([0, 1, 1]), torch.tensor([0, 0, 1]), 2)
tensor([[1, 1],
        [0, 1]])
"""
from __future__ import annotations

from typing import Iterable, Iterator

import torch
from torch import nn

from nin_helpers.devices import speed_settings, to_device
from nin_helpers.validation import check_batch, check_batches, check_float_images, check_module, check_positive_int

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


def logits(net: nn.Module, data_iter: Batches) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """``(scores, labels)`` per batch of ``data_iter``, computed where ``net`` is, as ``train`` does."""
    check_module("net", net)
    check_batches("data_iter", data_iter)
    param = next(net.parameters(), None)
    device = param.device if param is not None else torch.device("cpu")
    speed = speed_settings(device)
    net.eval()
    with torch.inference_mode(), speed.autocast(device):
        for batch in data_iter:
            X, y = check_batch("data_iter", batch)
            check_float_images(X, "the network", param.dtype if param is not None else None)
            X, y = to_device(X, y, device, speed)
            yield net(X).float(), y


def evaluate(net: nn.Module, data_iter: Batches) -> float:
    """Accuracy of ``net`` over ``data_iter`` (the count stays on the device: one sync at the end)."""
    correct, n = 0, 0
    for scores, y in logits(net, data_iter):
        correct += (scores.argmax(1) == y).sum()
        n += len(y)
    if n == 0:
        raise ValueError("data_iter gave no batches: there is nothing to evaluate on")
    return float(correct) / n


def predict(net: nn.Module, data_iter: Batches) -> tuple[torch.Tensor, torch.Tensor]:
    """Class probabilities ``(N, classes)`` and true labels ``(N,)`` for every example of
    ``data_iter``, in its order, on the CPU."""
    probs, labels = [], []
    for scores, y in logits(net, data_iter):
        probs.append(scores.softmax(1).cpu())
        labels.append(y.cpu())
    if not probs:
        raise ValueError("data_iter gave no batches: there is nothing to predict")
    return torch.cat(probs), torch.cat(labels)


def confusion_matrix(predicted: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """``matrix[i, j]``: how many examples of true class ``i`` were predicted as ``j``."""
    check_positive_int("num_classes", num_classes)
    for name, t in [("predicted", predicted), ("labels", labels)]:
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a tensor of class indices, e.g. probs.argmax(1), got {type(t).__name__}")
        if t.is_floating_point() or t.is_complex() or t.dim() != 1:
            raise ValueError(f"{name} must be a 1-D tensor of integer class indices (use probs.argmax(1) for "
                             f"predictions), got {t.dtype} of shape {tuple(t.shape)}")
    if predicted.shape != labels.shape:
        raise ValueError(f"predicted {tuple(predicted.shape)} and labels {tuple(labels.shape)} differ")
    for name, t in [("predicted", predicted), ("labels", labels)]:
        if len(t) and (t.min() < 0 or t.max() >= num_classes):
            raise ValueError(f"{name} must be class indices 0..{num_classes - 1}, got values from "
                             f"{int(t.min())} to {int(t.max())}")
    counts = torch.bincount(labels.long() * num_classes + predicted.long(), minlength=num_classes ** 2)
    return counts.reshape(num_classes, num_classes)


def class_maps(net: nn.Sequential, X: torch.Tensor) -> torch.Tensor:
    """What NiN's last block outputs before global average pooling: one map per class, ``(N, classes, h,
    w)``, in float32 and eval mode (no dropout). Averaging each map over its positions gives the network's
    class scores, ``class_maps(net, X).mean((2, 3))`` = ``net(X)`` up to rounding: that is all GAP does.

    >>> net = nn.Sequential(nn.Conv2d(1, 10, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
    >>> X = torch.randn(2, 1, 8, 8)
    >>> maps = class_maps(net, X); tuple(maps.shape), torch.allclose(maps.mean((2, 3)), net(X))
    ((2, 10, 6, 6), True)
    """
    check_module("net", net)
    pools = [i for i, m in enumerate(net) if isinstance(m, nn.AdaptiveAvgPool2d)] if isinstance(
        net, nn.Sequential) else []
    if not pools:
        raise ValueError("class_maps needs a NiN-style nn.Sequential whose class scores come from global average "
                         "pooling (an nn.AdaptiveAvgPool2d layer at its top level), e.g. nin(); this network "
                         "has none, so it has no class maps")
    check_float_images(X, "class_maps")
    param = next(net.parameters(), None)
    net.eval()
    with torch.no_grad():
        return net[:pools[-1]](X.to(param.device if param is not None else X.device)).float()
