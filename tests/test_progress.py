"""Training progress (nin_helpers.progress): a text bar and one summary line per epoch in a script; in
Jupyter a widget bar that becomes that line, so the saved notebook holds one clean line per epoch."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from test_training import tiny_data, tiny_net
from tqdm import tqdm
from tqdm.notebook import tqdm as notebook_tqdm

from nin_helpers import progress
from nin_helpers.training import train

LINE = re.compile(r"epoch (\d+)/(\d+): loss \d+\.\d{3}, train acc [01]\.\d{3}, test acc [01]\.\d{3}, \d+ ex/s")


def test_outside_jupyter_a_text_bar_and_one_summary_line_per_epoch(capsys):
    assert not progress.in_jupyter()  # pytest is no kernel
    bar = progress.epoch_bar(5, "epoch 1/1")
    assert type(bar) is tqdm and not bar.disable
    bar.close()
    capsys.readouterr()

    train_iter, test_iter = tiny_data()
    train(tiny_net(), train_iter, test_iter, 3, device="cpu", plot=False)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if LINE.fullmatch(line)]
    assert [LINE.fullmatch(line).groups() for line in lines] == [("1", "3"), ("2", "3"), ("3", "3")]
    # the text bar ran too: tqdm's "n/total" counter for each epoch's 6 batches
    assert all(f"epoch {e}/3: 100%" in out and "6/6" in out for e in (1, 2, 3)), out


def test_no_bar_and_no_lines_when_progress_is_off(capsys):
    train_iter, test_iter = tiny_data()
    train(tiny_net(), train_iter, test_iter, 2, device="cpu", plot=False, progress=False)
    out = capsys.readouterr().out
    assert not any(LINE.fullmatch(line) for line in out.splitlines()) and "100%" not in out


class FakeHandle:
    """Stands in for IPython's DisplayHandle: records what the display was updated to."""

    def __init__(self):
        self.updates = []

    def update(self, data, raw=False):
        self.updates.append((data, raw))


def test_in_jupyter_the_widget_becomes_the_summary_line(monkeypatch, capsys):
    import IPython.display

    handles = []

    def display(obj, display_id=None):
        assert display_id is True, "the bar must be shown through a handle, to be replaced by its line"
        handles.append(FakeHandle())
        return handles[-1]

    monkeypatch.setattr(progress, "in_jupyter", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    train_iter, test_iter = tiny_data()
    train(tiny_net(), train_iter, test_iter, 2, device="cpu", plot=False)

    assert len(handles) == 2, "one widget per epoch"
    lines = [data["text/plain"] for h in handles for data, raw in h.updates if raw]
    assert [LINE.fullmatch(line).groups() for line in lines] == [("1", "2"), ("2", "2")]
    out = capsys.readouterr().out
    assert "100%" not in out and not any(LINE.fullmatch(line) for line in out.splitlines()), \
        "in Jupyter nothing is printed per epoch: the widget's display holds the line"


def test_in_jupyter_without_ipywidgets_the_text_bar_is_used(monkeypatch):
    monkeypatch.setattr(progress, "in_jupyter", lambda: True)
    monkeypatch.setattr("tqdm.notebook.IProgress", None)  # what tqdm sees when ipywidgets is missing
    bar = progress.epoch_bar(3, "epoch 1/1")
    assert type(bar) is tqdm
    bar.close()


def test_a_notebook_that_trains_saves_one_clean_line_per_epoch(tmp_path):
    """Executed as tools/notebooks.py executes the course (nbclient, a real kernel): the saved cell
    holds the epochs' lines as text, no widget, no partial progress bar, and no widget state."""
    from tools.notebooks import execute_in_place

    code = ("import sys; sys.path.insert(0, {tests!r})\n"
            "from test_training import tiny_data, tiny_net\n"
            "from nin_helpers.training import train\n"
            "train_iter, test_iter = tiny_data()\n"
            "history = train(tiny_net(), train_iter, test_iter, 3, device='cpu', plot=False)\n")
    path = tmp_path / "trains.ipynb"
    tests = str(Path(__file__).resolve().parent)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code.format(tests=tests))]), path)
    execute_in_place(path, timeout=120)

    nb = nbformat.read(path, as_version=4)
    outputs = nb.cells[0].outputs
    texts = [o.data["text/plain"] for o in outputs if o.output_type == "display_data"]
    assert [LINE.fullmatch(t).groups() for t in texts] == [("1", "3"), ("2", "3"), ("3", "3")]
    assert not [o for o in outputs if o.output_type == "display_data" and set(o.data) != {"text/plain"}]
    stdout = "".join(o.text for o in outputs if o.output_type == "stream")
    assert "%|" not in stdout and "\r" not in stdout, f"partial progress bars were saved: {stdout!r}"
    assert "widgets" not in nb.metadata, "widget state would make exports fetch the widget manager"


@pytest.mark.parametrize("kind", [tqdm, notebook_tqdm])
def test_finish_epoch_does_nothing_for_a_disabled_bar(kind, capsys):
    bar = kind(total=1, disable=True)
    bar.close()
    progress.finish_epoch(bar, {"epoch": 1, "train_loss": 1, "train_acc": 0, "test_acc": 0,
                                "examples_per_sec": 1}, 1)
    assert capsys.readouterr().out == ""
