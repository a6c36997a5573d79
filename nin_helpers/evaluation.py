"""After training: accuracy, every test prediction, the confusion matrix (notebook 04).

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

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


def logits(net: nn.Module, data_iter: Batches) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """``(scores, labels)`` per batch of ``data_iter``, computed where ``net`` is, as ``train`` does."""
    device = next(net.parameters()).device
    speed = speed_settings(device)
    net.eval()
    with torch.inference_mode(), speed.autocast(device):
        for X, y in data_iter:
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
    if predicted.shape != labels.shape:
        raise ValueError(f"predicted {tuple(predicted.shape)} and labels {tuple(labels.shape)} differ")
    for name, t in [("predicted", predicted), ("labels", labels)]:
        if len(t) and (t.min() < 0 or t.max() >= num_classes):
            raise ValueError(f"{name} must be class indices 0..{num_classes - 1}, got values from "
                             f"{int(t.min())} to {int(t.max())}")
    counts = torch.bincount(labels.long() * num_classes + predicted.long(), minlength=num_classes ** 2)
    return counts.reshape(num_classes, num_classes)
