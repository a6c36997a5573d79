"""Figures of notebook 04: image grids, the live training curve, the confusion matrix.

Every function returns a closed matplotlib figure: Jupyter shows a figure returned by the last line
of a cell once, and closing it stops the inline backend from showing it a second time.

>>> fig = show_images(torch.zeros(2, 28, 28), ["a", "b"]); len(fig.axes)
2
"""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import torch


def show_images(images: torch.Tensor, titles: Sequence[str], num_cols: int = 8, scale: float = 1.3,
                colors: Sequence[str] | None = None):
    """A grid of grey images ``(N, H, W)`` (or ``(N, 1, H, W)``), each with its title above it."""
    images = images.detach().cpu()
    images = images.squeeze(1) if images.dim() == 4 else images
    if images.dim() != 3 or len(titles) != len(images):
        raise ValueError(f"expected images (N, H, W) and N titles, got shape {tuple(images.shape)} "
                         f"and {len(titles)} titles")
    num_rows = -(-len(images) // num_cols)
    cols = min(num_cols, len(images))
    fig, axes = plt.subplots(num_rows, cols, figsize=(cols * scale, num_rows * (scale + 0.3)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i].float().numpy(), cmap="gray_r")
            ax.set_title(titles[i], fontsize=8, color=colors[i] if colors else "black")
    fig.tight_layout()
    plt.close(fig)
    return fig


class LivePlot:
    """One figure of train loss, train accuracy and test accuracy per epoch, redrawn in place."""

    def __init__(self, num_epochs: int):
        from IPython.display import display
        self.num_epochs = num_epochs
        self.fig, self.ax = plt.subplots(figsize=(5, 3))
        plt.close(self.fig)  # shown through the display handle only, not again at the end of the cell
        self.handle = display(self.fig, display_id=True)

    def update(self, history) -> None:
        ax, rows = self.ax, history.epochs
        ax.cla()
        epochs = [r["epoch"] for r in rows]
        for key, style in [("train_loss", "-"), ("train_acc", "m--"), ("test_acc", "g-.")]:
            ax.plot(epochs, [r[key] for r in rows], style, label=key.replace("_", " "), marker=".")
        ax.set_xlim(0.5, self.num_epochs + 0.5)
        ax.set_ylim(0, max([1.0] + [r["train_loss"] for r in rows]) * 1.05)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(loc="center right", fontsize=8)
        self.fig.tight_layout()
        if self.handle is not None:
            self.handle.update(self.fig)


def plot_confusion_matrix(matrix: torch.Tensor, class_names: Sequence[str]):
    """Rows: true class, columns: predicted class; each cell shows its count."""
    matrix = matrix.cpu()
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    ax.imshow(matrix.numpy(), cmap="Blues")
    ticks = range(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=45, ha="right")
    ax.set_yticks(ticks, class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    limit = matrix.max().item() / 2
    for i in ticks:
        for j in ticks:
            ax.text(j, i, int(matrix[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if matrix[i, j] > limit else "black")
    fig.tight_layout()
    plt.close(fig)
    return fig
