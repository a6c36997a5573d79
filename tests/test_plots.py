"""The figures draw what they are given and keep one convention: a closed Figure, or the given axes' figure."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from nin_helpers.plots import (  # noqa: E402
    plot_confusion_matrix,
    plot_params_by_kind,
    plot_params_vs_size,
    plot_total_params,
    show_images,
)

TABLE = pd.DataFrame({"params": [100, 2000], "conv params": [100, 20], "fc params": [0, 1980]},
                     index=["NiN", "VGG"])


def test_charts_draw_the_numbers():
    ax = plot_params_by_kind(TABLE).axes[0]
    heights = sorted(p.get_height() for p in ax.patches if p.get_height() == p.get_height())
    assert heights == [20, 100, 1980] and ax.get_yscale() == "log"
    assert any(t.get_text() == "0" for t in ax.texts)  # NiN's missing fully connected bar is labelled
    ax = plot_total_params(TABLE).axes[0]
    assert [p.get_height() for p in ax.patches] == [100, 2000]
    ax = plot_params_vs_size(pd.DataFrame({"NiN": [5, 5], "VGG": [7, 9]}, index=[96, 224])).axes[0]
    assert [list(line.get_ydata()) for line in ax.get_lines()] == [[5, 5], [7, 9]]
    plt.close("all")


def test_wrong_tables_get_clear_errors():
    with pytest.raises(ValueError, match="fc params"):
        plot_params_by_kind(TABLE.drop(columns="fc params"))
    with pytest.raises(TypeError, match="DataFrame"):
        plot_total_params([1, 2])
    with pytest.raises(ValueError, match="non-empty"):
        plot_params_vs_size(pd.DataFrame())


def test_one_convention_closed_figures_or_the_callers_axes():
    figures = [show_images(torch.zeros(3, 8, 8), ["a", "b", "c"]),
               plot_confusion_matrix(torch.eye(2, dtype=torch.long), ["x", "y"]), plot_total_params(TABLE)]
    for fig in figures:
        assert isinstance(fig, matplotlib.figure.Figure)
        assert fig.number not in plt.get_fignums()  # closed: Jupyter shows it once, as the cell's value
    fig, (ax1, ax2) = plt.subplots(1, 2)
    assert plot_params_by_kind(TABLE, ax=ax1) is fig and plot_total_params(TABLE, ax=ax2) is fig
    assert fig.number in plt.get_fignums()  # the caller's figure stays open for the caller to show
    plt.close("all")
