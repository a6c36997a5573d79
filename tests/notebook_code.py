"""Read the code a notebook teaches, so tests can prove the helper package keeps the same thing.

Cells whose first line is ``#@save`` (d2l's convention) hold code that ``nin_helpers`` keeps for
later notebooks. ``saved_namespace`` executes just those cells, in order, in a fresh namespace.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def notebook_path(prefix: str) -> Path:
    """The one notebook whose file name starts with ``prefix`` (e.g. "01")."""
    matches = sorted(NOTEBOOKS.glob(f"{prefix}*.ipynb"))
    assert len(matches) == 1, f"expected one notebook starting with {prefix!r}, found {matches}"
    return matches[0]


def saved_cells(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code" and c.source.startswith("#@save")]


def saved_namespace(prefix: str) -> dict:
    """Execute the ``#@save`` cells of notebook ``prefix`` and return the names they define."""
    cells = saved_cells(notebook_path(prefix))
    assert cells, f"notebook {prefix} has no #@save cell"
    namespace: dict = {}
    for source in cells:
        exec(compile(source, f"<notebook {prefix}>", "exec"), namespace)
    return namespace
