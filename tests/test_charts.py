"""The charts of notebook 05 draw what they are given, on log scales, and refuse wrong tables."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from nin_helpers.charts import plot_params_by_kind, plot_params_vs_size, plot_total_params  # noqa: E402

TABLE = pd.DataFrame({"params": [100, 2000], "conv params": [100, 20], "fc params": [0, 1980]},
                     index=["NiN", "VGG"])


def test_charts_draw_the_numbers():
    ax = plot_params_by_kind(TABLE)
    heights = sorted(p.get_height() for p in ax.patches if p.get_height() == p.get_height())
    assert heights == [20, 100, 1980] and ax.get_yscale() == "log"
    assert any(t.get_text() == "0" for t in ax.texts)  # NiN's missing fully connected bar is labelled
    ax = plot_total_params(TABLE)
    assert [p.get_height() for p in ax.patches] == [100, 2000]
    ax = plot_params_vs_size(pd.DataFrame({"NiN": [5, 5], "VGG": [7, 9]}, index=[96, 224]))
    assert [list(line.get_ydata()) for line in ax.get_lines()] == [[5, 5], [7, 9]]
    plt.close("all")


def test_wrong_tables_get_clear_errors():
    with pytest.raises(ValueError, match="fc params"):
        plot_params_by_kind(TABLE.drop(columns="fc params"))
    with pytest.raises(TypeError, match="DataFrame"):
        plot_total_params([1, 2])
    with pytest.raises(ValueError, match="non-empty"):
        plot_params_vs_size(pd.DataFrame())
