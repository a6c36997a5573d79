"""``make slides``: every notebook exports to a reveal.js deck with the slides its metadata asks
for, its figures embedded, and no error output (tests/test_slides_offline.py opens the decks in a
browser with no network)."""
import re
from html.parser import HTMLParser

import nbformat
import pytest

from nin_helpers.paths import REPO_ROOT
from tools.slides import MAX_CODE_LINES, MAX_WORDS, export_deck, fit, slide_counts, slides_of
from tools.web import WebAssetsMissing

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ALL_NOTEBOOKS = NOTEBOOKS + sorted((REPO_ROOT / "notebooks" / "solutions").glob("*.ipynb"))


class SectionCounter(HTMLParser):
    """Count reveal.js slides: top-level <section>s and the <section>s nested one level inside."""

    def __init__(self):
        super().__init__()
        self.depth = self.slides = self.subslides = 0

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self.depth += 1
            self.slides += self.depth == 1
            self.subslides += self.depth == 2

    def handle_endtag(self, tag):
        if tag == "section":
            self.depth -= 1


def image_outputs(nb) -> int:
    """Figures the deck must show: image outputs of cells that are not skipped."""
    return sum(1 for c in nb.cells if c.cell_type == "code"
               and c.get("metadata", {}).get("slideshow", {}).get("slide_type") not in ("skip", "notes")
               for o in c.get("outputs", []) if any(k.startswith("image/") for k in o.get("data", {})))


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    try:
        return {nb.name: export_deck(nb, out) for nb in NOTEBOOKS}
    except WebAssetsMissing as missing:  # no npm here: the decks' libraries cannot be installed
        pytest.skip(str(missing))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_deck_matches_the_notebook(decks, notebook):
    nb = nbformat.read(notebook, as_version=4)
    html = decks[notebook.name].read_text(encoding="utf-8")
    counter = SectionCounter()
    counter.feed(html)
    assert counter.depth == 0, "unbalanced <section> tags"
    assert (counter.slides, counter.subslides) == slide_counts(nb)
    assert len(re.findall(r'<img[^>]+src="data:image/', html)) >= image_outputs(nb), "a figure is missing"
    assert "Traceback (most recent call last)" not in html
    assert not any(o.output_type == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_notebook_06_has_a_title_slide_and_one_slide_per_question():
    nb = nbformat.read(next(p for p in NOTEBOOKS if p.name.startswith("06")), as_version=4)
    assert nb.cells[0].metadata["slideshow"]["slide_type"] == "slide"
    titles = [c.source.splitlines()[0] for c in nb.cells
              if c.cell_type == "markdown" and c.metadata["slideshow"]["slide_type"] == "slide"]
    assert titles[0].startswith("# 06")
    assert [t.split()[1] for t in titles[1:]] == [f"{i}." for i in range(1, 11)]


def test_slide_counts_read_the_metadata():
    cell = lambda kind: nbformat.v4.new_markdown_cell("x", metadata={"slideshow": {"slide_type": kind}})
    new = nbformat.v4.new_notebook
    assert slide_counts(new(cells=[cell("-"), cell("fragment")])) == (1, 1)   # no metadata: one slide
    assert slide_counts(new(cells=[cell("skip"), cell("subslide"), cell("slide")])) == (2, 2)
    assert slide_counts(new(cells=[cell("skip")])) == (0, 0)


def test_export_rejects_a_missing_notebook(tmp_path):
    with pytest.raises(ValueError, match="existing .ipynb"):
        export_deck(tmp_path / "nope.ipynb", tmp_path)


@pytest.mark.parametrize("notebook", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_every_slide_fits_a_projector(notebook):
    """At most MAX_WORDS words of prose and MAX_CODE_LINES lines of code per slide (outputs not counted);
    `python -m tools.slides --fit NOTEBOOK` reflows a notebook whose slides overflow."""
    nb = nbformat.read(notebook, as_version=4)
    too_big = [(s.start, s.words, s.code_lines) for s in slides_of(nb) if not s.fits]
    assert not too_big, (f"slides (first cell, words, code lines) over {MAX_WORDS} words or "
                         f"{MAX_CODE_LINES} lines: {too_big}")


def test_fit_splits_long_prose_and_overflowing_slides():
    md = lambda text, kind="-": nbformat.v4.new_markdown_cell(text, metadata={"slideshow": {"slide_type": kind}})
    code = lambda lines: nbformat.v4.new_code_cell("\n".join(["x = 1"] * lines))
    para = " ".join(["word"] * 100)
    nb = nbformat.v4.new_notebook(cells=[md(f"{para}\n\n{para}", "slide"), code(20), code(20), md("short")])
    assert fit(nb) == []
    assert all(s.fits for s in slides_of(nb)) and len(slides_of(nb)) == 3
    assert [c.source.count("word") for c in nb.cells if c.cell_type == "markdown"][:2] == [100, 100]
    assert fit(nbformat.v4.new_notebook(cells=[code(MAX_CODE_LINES + 1)]))  # cannot be split: reported
    table = "| a | b |\n|---|---|\n" + "\n".join(f"| {' '.join(['w'] * 10)} | x |" for _ in range(30))
    nb = nbformat.v4.new_notebook(cells=[md(table, "slide")])
    assert fit(nb) == [] and all(s.fits for s in slides_of(nb)) and len(nb.cells) > 1
    assert all(c.source.startswith("| a | b |\n|---|---|") for c in nb.cells)  # every piece keeps the header
