"""Export the notebooks to reveal.js slide decks (``make slides``), for presenting in a browser.

Each cell's ``metadata["slideshow"]["slide_type"]`` (the same metadata RISE uses live in
JupyterLab) decides where it goes: ``slide`` starts a new slide, ``subslide`` a new vertical
slide below it, ``fragment`` appears on the next click, ``-`` continues, ``skip`` and ``notes``
stay off the slides. nbconvert writes one HTML file per notebook (figures are embedded as data
URIs) into ``build/slides/``, which git ignores, and ``vendor/`` beside them holds the reveal.js,
require.js and MathJax it loads (pinned npm packages, ``tools/web.py``): the folder works with no
network, from a web server or opened as files, and can be copied to a classroom's machine as it is.

    python -m tools.slides notebooks/*.ipynb      # -> build/slides/NN_name.slides.html + vendor/

>>> import nbformat
>>> cell = lambda kind: nbformat.v4.new_markdown_cell("x", metadata={"slideshow": {"slide_type": kind}})
>>> slide_counts(nbformat.v4.new_notebook(cells=[cell("slide"), cell("subslide"), cell("skip"), cell("slide")]))
(2, 3)
"""
from __future__ import annotations

import re
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tools import web

BUILD = Path(__file__).resolve().parent.parent / "build" / "slides"
OFF_SLIDES = {"skip", "notes"}
# reveal.js's white theme ships its font (Source Sans Pro); nbconvert's default, simple, imports Google Fonts.
THEME = "white"
# The deck template (nbconvert's reveal template with its CDN loads replaced) and what it loads,
# relative to the deck's folder: {target under vendor/: source in node_modules}.
TEMPLATES = Path(__file__).resolve().parent / "templates"
VENDOR = "vendor"
REVEAL, REQUIRE_JS, MATHJAX = "reveal.js", "requirejs/require.js", "mathjax/es5/tex-svg-full.js"
ASSETS = {"reveal.js/dist": "reveal.js/dist", "reveal.js/plugin/notes": "reveal.js/plugin/notes",
          REQUIRE_JS: REQUIRE_JS, MATHJAX: MATHJAX}


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


# What fits a projector: a slide's prose and code must be readable from the back of a room.
MAX_WORDS, MAX_CODE_LINES = 150, 25


@dataclass
class Slide:
    """One slide or subslide: the index of its first cell, its cells, its prose words and code lines."""
    start: int
    cells: list[int] = field(default_factory=list)
    words: int = 0
    code_lines: int = 0

    @property
    def fits(self) -> bool:
        return self.words <= MAX_WORDS and self.code_lines <= MAX_CODE_LINES


def size(cell: nbformat.NotebookNode) -> tuple[int, int]:
    """``(words, code lines)`` a cell puts on its slide (its outputs are not counted)."""
    if cell.cell_type == "markdown":
        return len(cell.source.split()), 0
    if cell.cell_type == "code":
        return 0, sum(1 for line in cell.source.splitlines() if line.strip())
    return 0, 0


def slides_of(nb: nbformat.NotebookNode) -> list[Slide]:
    """The deck's slides and subslides, each with the cells shown on it (``skip`` and ``notes`` are not)."""
    slides: list[Slide] = []
    for i, cell in enumerate(nb.cells):
        kind = slide_type(cell)
        if kind in OFF_SLIDES:
            continue
        if kind in ("slide", "subslide") or not slides:
            slides.append(Slide(i))
        words, lines = size(cell)
        slides[-1].cells.append(i)
        slides[-1].words += words
        slides[-1].code_lines += lines
    return slides


def _pieces(paragraph: str) -> list[str]:
    """A paragraph too long for one slide, in pieces: a table by rows (each piece keeps the header),
    a list by items, prose by sentences."""
    lines = paragraph.split("\n")
    if len(lines) > 2 and lines[0].startswith("|") and set(lines[1]) <= set("|-: "):
        header, rows, pieces = lines[:2], lines[2:], []
        while rows:
            take, words = [], sum(len(h.split()) for h in header)
            while rows and (not take or words + len(rows[0].split()) <= MAX_WORDS):
                words += len(rows[0].split())
                take.append(rows.pop(0))
            pieces.append("\n".join(header + take))
        return pieces
    items = re.split(r"\n(?=\s*(?:[*-]|\d+\.) )", paragraph)
    if len(items) > 1:
        return items
    return re.split(r"(?<=[.!?])\s+(?=[A-Z(*])", paragraph)


def _split_markdown(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """A long markdown cell as several, cut between paragraphs (or inside one that is too long on its own),
    each within ``MAX_WORDS`` where possible."""
    paragraphs = []
    for paragraph in cell.source.split("\n\n"):
        paragraphs += [(p, "\n") for p in _pieces(paragraph)] if len(paragraph.split()) > MAX_WORDS \
            else [(paragraph, "\n\n")]
    chunks: list[list[str]] = [[]]
    for paragraph, _ in paragraphs:
        current = sum(len(p.split()) for p in chunks[-1])
        if chunks[-1] and current + len(paragraph.split()) > MAX_WORDS:
            chunks.append([])
        chunks[-1].append(paragraph)
    cells = []
    for n, chunk in enumerate(chunks):
        new = nbformat.v4.new_markdown_cell("\n\n".join(chunk), metadata=dict(cell.metadata))
        new.id = cell.id if n == 0 else uuid.uuid4().hex[:8]
        cells.append(new)
    return cells


def fit(nb: nbformat.NotebookNode) -> list[str]:
    """Reflow ``nb``'s slides so each fits (see ``MAX_WORDS``): long markdown cells are cut between
    paragraphs, and a cell that would overflow its slide starts a new subslide below it. Code and
    outputs are untouched. Returns what could not be made to fit (a single code cell too long)."""
    cells = []
    for cell in nb.cells:
        too_long = cell.cell_type == "markdown" and size(cell)[0] > MAX_WORDS
        cells += _split_markdown(cell) if too_long else [cell]
    nb.cells = cells
    words = lines = 0
    problems = []
    for i, cell in enumerate(nb.cells):
        kind = slide_type(cell)
        if kind in OFF_SLIDES:
            continue
        w, n = size(cell)
        starts = kind in ("slide", "subslide")
        if not starts and (words + w > MAX_WORDS or lines + n > MAX_CODE_LINES) and (words or lines):
            cell.metadata.setdefault("slideshow", {})["slide_type"] = "subslide"
            starts = True
        words, lines = (w, n) if starts else (words + w, lines + n)
        if n > MAX_CODE_LINES:
            problems.append(f"cell {i}: {n} lines of code on one slide; shorten it or split it")
    problems += [f"cell {s.start}: {s.words} words on one slide; split it by hand" for s in slides_of(nb)
                 if s.words > MAX_WORDS]
    return problems


def copy_web_assets(out_dir: str | Path = BUILD) -> Path:
    """Copy what the decks load into ``out_dir/vendor`` (``npm ci`` first if needed); returns it."""
    vendor = Path(out_dir) / VENDOR
    web.copy_assets(ASSETS, vendor)
    return vendor


def export_deck(notebook: str | Path, out_dir: str | Path = BUILD) -> Path:
    """Write ``notebook``'s reveal.js deck (with its saved outputs; nothing is re-run) into ``out_dir``,
    and the libraries it loads into ``out_dir/vendor`` if they are not there yet."""
    from nbconvert import SlidesExporter  # imported here: the package itself does not need nbconvert

    notebook = Path(notebook)
    if notebook.suffix != ".ipynb" or not notebook.is_file():
        raise ValueError(f"expected an existing .ipynb notebook, got {str(notebook)!r}")
    nb = nbformat.read(notebook, as_version=4)
    out_dir = Path(out_dir)
    if not (out_dir / VENDOR / MATHJAX).is_file():
        copy_web_assets(out_dir)
    # Relative URLs: the deck finds its libraries beside it, whether served or opened as a file.
    exporter = SlidesExporter(template_name="nin-reveal", extra_template_basedirs=[str(TEMPLATES)],
                              reveal_url_prefix=f"{VENDOR}/{REVEAL}", require_js_url=f"{VENDOR}/{REQUIRE_JS}",
                              mathjax_url=f"{VENDOR}/{MATHJAX}", reveal_theme=THEME)
    html, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{notebook.stem}.slides.html"
    out.write_text(html, encoding="utf-8")
    return out


def main(paths: list[str]) -> int:
    if paths and paths[0] == "--fit":  # maintainers: reflow slides that do not fit, in place
        problems = []
        for path in paths[1:]:
            nb = nbformat.read(path, as_version=4)
            problems += [f"{path}: {p}" for p in fit(nb)]
            nbformat.write(nb, path)
        print("\n".join(problems) or "every slide fits")
        return 1 if problems else 0
    if not paths:
        print("usage: python -m tools.slides NOTEBOOK.ipynb [...]", file=sys.stderr)
        return 2
    print(f"{copy_web_assets()}: reveal.js, require.js and MathJax for offline decks", flush=True)
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        slides, total = slide_counts(nb)
        print(f"{export_deck(path)}: {slides} slides ({total} with subslides)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
