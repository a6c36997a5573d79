"""A pytest plugin for ``make test``/``make nbval``: give nbval more patience with a cell's outputs.

nbval waits for a cell's execution to finish (``--nbval-cell-timeout``), then reads the cell's outputs
off the kernel's IOPub channel, allowing only 5 seconds between two messages (``IPyNbCell.output_timeout``,
not a command-line option). If that gap is exceeded it stops the kernel and marks every later cell of the
notebook "xfail", and the run fails. Notebook 04's training cell, which streams a progress bar, a figure and
a line per epoch for minutes, once failed with that signature on the 2-core machine after training had
finished (2026-11-24: 1 failed and 20 xfailed, then 41 passed on the next run); its error message was not
kept, so the cause is likely, not confirmed. 60 seconds between messages changes nothing for a healthy run;
a hung kernel is still caught by ``--nbval-cell-timeout``.

    python -m pytest -p tools.nbval_patience --nbval notebooks
"""
from __future__ import annotations

OUTPUT_TIMEOUT_S = 60


def pytest_collection_modifyitems(items) -> None:
    from nbval.plugin import IPyNbCell

    for item in items:
        if isinstance(item, IPyNbCell):
            item.output_timeout = OUTPUT_TIMEOUT_S
