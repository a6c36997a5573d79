"""After training: every test prediction, and the confusion matrix of notebook 04.

>>> confusion_matrix(torch.tensor([0, 1, 1]), torch.tensor([0, 0, 1]), 2)
tensor([[1, 1],
        [0, 1]])
"""
from __future__ import annotations

import torch
from torch import nn

from nin_helpers.training import speed_settings, to_device


def predict(net: nn.Module, data_iter):
    """Class probabilities ``(N, classes)`` and true labels ``(N,)`` for every example of
    ``data_iter``, in its order, on the CPU. Runs where ``net`` is, as ``train`` does."""
    device = next(net.parameters()).device
    speed = speed_settings(device)
    net.eval()
    probs, labels = [], []
    with torch.inference_mode(), torch.autocast(device.type, speed["amp_dtype"],
                                                enabled=speed["amp_dtype"] is not None):
        for X, y in data_iter:
            X, y = to_device(X, y, device, speed)
            probs.append(net(X).float().softmax(1).cpu())
            labels.append(y.cpu())
    return torch.cat(probs), torch.cat(labels)


def confusion_matrix(predicted: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """``matrix[i, j]``: how many examples of true class ``i`` were predicted as ``j``."""
    if predicted.shape != labels.shape:
        raise ValueError(f"predicted {tuple(predicted.shape)} and labels {tuple(labels.shape)} differ")
    counts = torch.bincount(labels.long() * num_classes + predicted.long(), minlength=num_classes ** 2)
    return counts.reshape(num_classes, num_classes)
