"""Training progress a student can read: a live bar while an epoch runs, one line when it is done.

In Jupyter (JupyterLab, Notebook, Colab) the bar is an ipywidgets progress bar, shown through a
display handle; when the epoch ends, that same display becomes the epoch's summary line. A saved
notebook therefore holds one clean line per epoch, not dozens of half-drawn text bars. Elsewhere
(scripts, benchmarks, CI logs), or where ipywidgets is missing, the bar is tqdm's text bar on
stdout and the line is printed after it.

>>> epoch_line({"epoch": 3, "train_loss": 0.8123, "train_acc": 0.71, "test_acc": 0.69,
...             "examples_per_sec": 812.4}, 10)
'epoch 3/10: loss 0.812, train acc 0.710, test acc 0.690, 812 ex/s'
"""
from __future__ import annotations

import sys

from tqdm import tqdm


def in_jupyter() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Notebook, Colab, nbclient), where a widget can show;
    False in a script or a terminal IPython."""
    ipython = sys.modules.get("IPython")  # never imported here: a script that did not import it is no kernel
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def epoch_line(row: dict, num_epochs: int) -> str:
    """The one line an epoch leaves behind, from its ``History`` row."""
    return (f"epoch {row['epoch']}/{num_epochs}: loss {row['train_loss']:.3f}, train acc {row['train_acc']:.3f}, "
            f"test acc {row['test_acc']:.3f}, {row['examples_per_sec']:.0f} ex/s")


def epoch_bar(total: int, desc: str, enabled: bool = True) -> tqdm:
    """A progress bar over ``total`` steps: a widget in Jupyter, tqdm's text bar on stdout elsewhere.
    Use it as a context manager, then ``finish_epoch``."""
    bar = _widget_bar(total, desc) if enabled and in_jupyter() else None
    if bar is None:
        # Text bar: at most one redraw a second, so a log file does not fill with them.
        bar = tqdm(total=total, desc=desc, disable=not enabled, mininterval=1.0, file=sys.stdout)
    bar.leaves_line = enabled  # read by finish_epoch: a closed tqdm says disable=True whatever it was
    return bar


def _widget_bar(total: int, desc: str) -> tqdm | None:
    """tqdm's notebook bar shown through our own display handle (so ``finish_epoch`` can replace it),
    or None where ipywidgets is not installed."""
    from IPython.display import display
    from tqdm import notebook

    # tqdm's own test for ipywidgets; asked first, because a bar that fails half-built warns again when
    # garbage-collected.
    if notebook.IProgress is None:
        return None
    bar = notebook.tqdm(total=total, desc=desc, mininterval=1.0, display=False)
    bar.display_handle = display(bar.container, display_id=True)
    return bar


def finish_epoch(bar: tqdm, row: dict, num_epochs: int) -> None:
    """Leave the epoch's summary line: the widget turns into it, or it is printed under the text bar."""
    if not getattr(bar, "leaves_line", False):
        return
    line = epoch_line(row, num_epochs)
    handle = getattr(bar, "display_handle", None)
    if handle is None:
        print(line, flush=True)
        return
    handle.update({"text/plain": line}, raw=True)  # what the saved notebook keeps
    bar.container.close()  # the widget is gone from the page; free its models in the kernel
