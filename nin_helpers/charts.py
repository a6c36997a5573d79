"""Charts for notebook 05: where the parameters are, and how they grow with the input size.

Each function draws on a matplotlib ``Axes`` (a new one unless ``ax`` is given) and returns it.

>>> import pandas as pd
>>> t = pd.DataFrame({"conv params": [10, 20], "fc params": [30, 0]}, index=["a", "b"])
>>> ax = plot_params_by_kind(t); ax.get_yscale()
'log'
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def _axes(ax, figsize=(6, 3.5)):
    return ax if ax is not None else plt.subplots(figsize=figsize)[1]


def _check_columns(table: pd.DataFrame, columns: list[str]) -> None:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"the table needs columns {missing}; build it with nin_helpers.costs.totals")


def plot_params_by_kind(table: pd.DataFrame, ax=None):
    """Side-by-side bars of convolution and fully connected parameters per model (log scale, so
    LeNet and VGG fit on one chart); a zero is written where there is no bar."""
    _check_columns(table, ["conv params", "fc params"])
    ax = _axes(ax)
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
    return ax


def plot_total_params(table: pd.DataFrame, ax=None):
    """Total parameters per model, log scale, each bar labelled with its count in millions."""
    _check_columns(table, ["params"])
    ax = _axes(ax)
    bars = ax.bar(table.index, table["params"], color="tab:gray")
    ax.bar_label(bars, labels=[f"{p / 1e6:.2f}M" if p >= 1e6 else f"{p:,d}" for p in table["params"]])
    ax.set_yscale("log")
    ax.set_ylim(top=table["params"].max() * 5)  # room for the labels
    ax.set_ylabel("parameters (log scale)")
    ax.set_title("Total parameters")
    ax.tick_params(axis="x", rotation=15)
    return ax


def plot_params_vs_size(table: pd.DataFrame, ax=None):
    """One line per column of ``table`` (index: input side in pixels, values: parameters)."""
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise ValueError("table must be a non-empty DataFrame: index = input side, one column per model")
    ax = _axes(ax)
    for column in table.columns:
        ax.plot(table.index, table[column], marker="o", label=column)
    ax.set_yscale("log")
    ax.set_xlabel("input side (pixels)")
    ax.set_ylabel("parameters (log scale)")
    ax.set_title("Parameters against input size")
    ax.legend()
    return ax
