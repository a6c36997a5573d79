"""Read the code a notebook teaches, so tests can prove the helper package keeps the same thing.

Cells whose first line is ``#@save`` (d2l's convention) hold code that ``nin_helpers`` keeps for
later notebooks. ``saved_namespace`` executes the notebook's import lines, then just those cells, in order.
"""
from __future__ import annotations

import ast
from pathlib import Path

import nbformat

from nin_helpers.paths import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"


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
    # The notebook's own top-level imports first (e.g. `from torch import nn`), as the kernel had them.
    nb = nbformat.read(notebook_path(prefix), as_version=4)
    imports = [ast.unparse(node) for c in nb.cells if c.cell_type == "code"
               for node in ast.parse(c.source).body if isinstance(node, (ast.Import, ast.ImportFrom))]
    exec("\n".join(imports), namespace)
    for source in cells:
        exec(compile(source, f"<notebook {prefix}>", "exec"), namespace)
    return namespace
