"""Keep the committed notebooks honest: execute them top to bottom and stamp their code digest.

``make notebooks`` runs ``python -m tools.notebooks notebooks/*.ipynb``. Each notebook is
executed in a fresh kernel of the current environment, its outputs saved, and the SHA-256 of its
code cells stored in ``metadata["nin_course"]["code_sha256"]``. ``tests/test_notebooks.py`` fails
when a notebook's code no longer matches its stamp, i.e. its code changed but its committed
outputs were not refreshed.

>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
>>> code_digest(nb)[:12]
'4e2273679c33'
"""
from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import nbformat

KERNEL_NAME = "nin-course"
KERNELSPEC = {"name": KERNEL_NAME, "display_name": "Python (NiN course)", "language": "python"}


def code_digest(nb: nbformat.NotebookNode) -> str:
    """SHA-256 over the source of every code cell, in order."""
    h = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            h.update(cell.source.encode() + b"\0")
    return h.hexdigest()


def execute_in_place(path: Path, timeout: int = 1800) -> float:
    """Run ``path`` top to bottom in a fresh kernel (working directory: its folder) and save it."""
    from nbclient import NotebookClient  # imported here: only maintainers need it

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    # kernel_name="python3" is the current interpreter: the same environment nbval uses. No widget state:
    # training's progress widgets turn into text lines when done (nin_helpers.progress), and saved state
    # would make every HTML export load the widget manager from a CDN.
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False, store_widget_state=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - start
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata.setdefault("nin_course", {})["code_sha256"] = code_digest(nb)
    nbformat.write(nb, path)
    return seconds


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: python -m tools.notebooks NOTEBOOK.ipynb [...]", file=sys.stderr)
        return 2
    for p in map(Path, paths):
        if not p.is_file():
            print(f"no such notebook: {p}", file=sys.stderr)
            return 2
        print(f"{p}: executed in {execute_in_place(p):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
