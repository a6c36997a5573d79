"""Export the notebooks to reveal.js slide decks (``make slides``), for presenting in a browser.

Each cell's ``metadata["slideshow"]["slide_type"]`` (the same metadata RISE uses live in
JupyterLab) decides where it goes: ``slide`` starts a new slide, ``subslide`` a new vertical
slide below it, ``fragment`` appears on the next click, ``-`` continues, ``skip`` and ``notes``
stay off the slides. nbconvert writes one self-contained HTML file per notebook (figures are
embedded as data URIs) into ``build/slides/``, which git ignores.

    python -m tools.slides notebooks/*.ipynb      # -> build/slides/NN_name.slides.html

>>> import nbformat
>>> cell = lambda kind: nbformat.v4.new_markdown_cell("x", metadata={"slideshow": {"slide_type": kind}})
>>> slide_counts(nbformat.v4.new_notebook(cells=[cell("slide"), cell("subslide"), cell("skip"), cell("slide")]))
(2, 3)
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

BUILD = Path(__file__).resolve().parent.parent / "build" / "slides"
OFF_SLIDES = {"skip", "notes"}


def slide_type(cell: nbformat.NotebookNode) -> str:
    """The cell's slideshow type; cells without the metadata continue the current slide ("-")."""
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def slide_counts(nb: nbformat.NotebookNode) -> tuple[int, int]:
    """``(slides, slides + subslides)`` the deck of ``nb`` should have, read from its metadata.

    The first cell shown always opens a slide, whatever its type says.
    """
    shown = [slide_type(c) for c in nb.cells if slide_type(c) not in OFF_SLIDES]
    if not shown:
        return 0, 0
    slides = max(1, sum(t == "slide" for t in shown) + (shown[0] not in ("slide",)))
    return slides, slides + sum(t == "subslide" for t in shown[1:])


def export_deck(notebook: str | Path, out_dir: str | Path = BUILD) -> Path:
    """Write ``notebook``'s reveal.js deck (with its saved outputs; nothing is re-run) into ``out_dir``."""
    from nbconvert import SlidesExporter  # imported here: the package itself does not need nbconvert

    notebook = Path(notebook)
    if notebook.suffix != ".ipynb" or not notebook.is_file():
        raise ValueError(f"expected an existing .ipynb notebook, got {str(notebook)!r}")
    nb = nbformat.read(notebook, as_version=4)
    exporter = SlidesExporter()
    # Serve reveal.js from a CDN, the nbconvert default; the slides' content itself is all inline.
    html, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{notebook.stem}.slides.html"
    out.write_text(html, encoding="utf-8")
    return out


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: python -m tools.slides NOTEBOOK.ipynb [...]", file=sys.stderr)
        return 2
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        slides, total = slide_counts(nb)
        print(f"{export_deck(path)}: {slides} slides ({total} with subslides)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
