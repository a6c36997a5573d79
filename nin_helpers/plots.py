"""Every figure of the course: image grids, the live training curve, the confusion matrix, class maps (notebook 04),
and where the parameters are (notebook 05).

One convention: each function returns a matplotlib ``Figure``, closed, so Jupyter shows it once
when it is the last value of a cell. A chart function given ``ax=`` draws into that axes instead
and returns the axes' figure, left open for you to lay out and show.

>>> fig = show_images(torch.zeros(2, 28, 28), ["a", "b"]); len(fig.axes)
2
>>> t = pd.DataFrame({"conv params": [10, 20], "fc params": [30, 0]}, index=["a", "b"])
>>> plot_params_by_kind(t).axes[0].get_yscale()
'log'
"""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from nin_helpers.validation import check_positive_int


def show_images(images: torch.Tensor, titles: Sequence[str], num_cols: int = 8, scale: float = 1.3,
                colors: Sequence[str] | None = None):
    """A grid of grey images ``(N, H, W)`` (or ``(N, 1, H, W)``), each with its title above it."""
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a torch.Tensor (N, H, W), e.g. test_set.data[:8], got {type(images).__name__}")
    if isinstance(titles, str) or not hasattr(titles, "__len__"):
        raise TypeError(f"titles must be a list of N strings, one per image, got {type(titles).__name__}")
    check_positive_int("num_cols", num_cols)
    images = images.detach().cpu()
    images = images.squeeze(1) if images.dim() == 4 else images
    if images.dim() != 3 or len(titles) != len(images) or len(images) == 0:
        raise ValueError(f"expected images (N, H, W) with N >= 1 and N titles, got shape {tuple(images.shape)} "
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
    if not isinstance(matrix, torch.Tensor):
        raise TypeError(f"matrix must be a torch.Tensor from confusion_matrix(...), got {type(matrix).__name__}")
    if matrix.dim() != 2 or matrix.shape[0] != matrix.shape[1] or len(matrix) == 0 \
            or isinstance(class_names, str) or len(class_names) != len(matrix):
        raise ValueError(f"matrix must be square (classes x classes) with one class name per row, got shape "
                         f"{tuple(matrix.shape)} and {len(class_names)} names; build it with "
                         f"confusion_matrix(predicted, labels, num_classes)")
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




def plot_class_maps(image: torch.Tensor, maps: torch.Tensor, class_names: Sequence[str],
                    classes: Sequence[int] | None = None, scale: float = 1.6):
    """One image and, beside it, the class maps of ``classes`` (default: all) laid over it: each map
    ``(h, w)`` is upsampled to the image's size (bilinear) and drawn in colour, half transparent, over the grey
    image. One colour scale for all maps, so a brighter map is a larger class score.

    ``image``: ``(H, W)`` or ``(1, H, W)``; ``maps``: ``(classes, h, w)``, e.g. ``class_maps(net, X)[0]``.
    """
    for name, t in [("image", image), ("maps", maps)]:
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
    image = image.detach().float().cpu().squeeze(0) if image.dim() == 3 else image.detach().float().cpu()
    maps = maps.detach().float().cpu()
    if image.dim() != 2 or maps.dim() != 3 or len(maps) != len(class_names):
        raise ValueError(f"expected an image (H, W) and maps (classes, h, w) with one name per class, got image "
                         f"{tuple(image.shape)}, maps {tuple(maps.shape)} and {len(class_names)} names; pass one "
                         f"image's maps, e.g. class_maps(net, X)[0]")
    classes = list(range(len(maps))) if classes is None else list(classes)
    up = torch.nn.functional.interpolate(maps[None], size=tuple(image.shape), mode="bilinear",
                                         align_corners=False)[0]
    top = float(up.max()) or 1.0
    fig, axes = plt.subplots(1, len(classes) + 1, figsize=(scale * (len(classes) + 1), scale * 1.25))
    axes[0].imshow(image.numpy(), cmap="gray")
    axes[0].set_title("image", fontsize=8)
    for ax, c in zip(axes[1:], classes):
        ax.imshow(image.numpy(), cmap="gray")
        ax.imshow(up[c].numpy(), cmap="inferno", alpha=0.6, vmin=0, vmax=top)
        ax.set_title(f"{class_names[c]}\nscore {float(maps[c].mean()):.2f}", fontsize=8)
    for ax in axes:
        ax.axis("off")
    fig.tight_layout()
    plt.close(fig)
    return fig


def _axes(ax, figsize=(6, 3.5)):
    """The axes to draw on: ``ax`` if given, else one of a new figure."""
    return ax if ax is not None else plt.subplots(figsize=figsize)[1]


def _done(ax, own: bool):
    """The figure of ``ax``; closed when this module made it (see the module's convention)."""
    fig = ax.figure
    if own:
        fig.tight_layout()
        plt.close(fig)
    return fig


def _check_columns(table: pd.DataFrame, columns: list[str]) -> None:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"the table needs columns {missing}; build it with nin_helpers.totals")
    if table.empty:
        raise ValueError("the table has no rows: there is nothing to plot; build it with nin_helpers.totals")


def plot_params_by_kind(table: pd.DataFrame, ax=None):
    """Side-by-side bars of convolution and fully connected parameters per model (log scale, so
    LeNet and VGG fit on one chart); a zero is written where there is no bar."""
    _check_columns(table, ["conv params", "fc params"])
    own, ax = ax is None, _axes(ax)
    x = np.arange(len(table))
    for offset, column, label in [(-0.2, "conv params", "convolution"),
                                  (0.2, "fc params", "fully connected")]:
        values = table[column].to_numpy()
        ax.bar(x + offset, np.where(values > 0, values, np.nan), width=0.4, label=label)
        for xi, v in zip(x, values):
            if v == 0:  # no bar on a log scale: say so at the bottom of the axes
                ax.text(xi + offset, 0.03, "0", ha="center", transform=ax.get_xaxis_transform())
    ax.set_yscale("log")
    top = np.nanmax(table[["conv params", "fc params"]].to_numpy().astype(float))
    ax.set_ylim(top=top * 30)  # room for the legend above the tallest bar
    ax.set_xticks(x, table.index, rotation=15)
    ax.set_ylabel("parameters (log scale)")
    ax.set_title("Parameters by layer type")
    ax.legend(loc="upper left", ncols=2)
    return _done(ax, own)


def plot_total_params(table: pd.DataFrame, ax=None):
    """Total parameters per model, log scale, each bar labelled with its count in millions."""
    _check_columns(table, ["params"])
    own, ax = ax is None, _axes(ax)
    bars = ax.bar(table.index, table["params"], color="tab:gray")
    ax.bar_label(bars, labels=[f"{p / 1e6:.2f}M" if p >= 1e6 else f"{p:,d}" for p in table["params"]])
    ax.set_yscale("log")
    ax.set_ylim(top=table["params"].max() * 5)  # room for the labels
    ax.set_ylabel("parameters (log scale)")
    ax.set_title("Total parameters")
    ax.tick_params(axis="x", rotation=15)
    return _done(ax, own)


def plot_params_vs_size(table: pd.DataFrame, ax=None):
    """One line per column of ``table`` (index: input side in pixels, values: parameters)."""
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise ValueError("table must be a non-empty DataFrame: index = input side, one column per model")
    own, ax = ax is None, _axes(ax)
    for column in table.columns:
        ax.plot(table.index, table[column], marker="o", label=column)
    ax.set_yscale("log")
    ax.set_xlabel("input side (pixels)")
    ax.set_ylabel("parameters (log scale)")
    ax.set_title("Parameters against input size")
    ax.legend()
    return _done(ax, own)
