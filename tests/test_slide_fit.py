"""Slides must fit a projector: at most ~150 words of markdown and 25 lines of code per slide.

A slide is a cell of type ``slide`` or ``subslide`` plus the cells after it up to the next one
(``fragment`` and ``-`` cells included, ``skip`` and ``notes`` cells left out). Notebooks written
since the rule was set are listed in ``CHECKED``; older ones predate it.
"""
import re
from pathlib import Path

import nbformat
import pytest

from nin_helpers.slides import OFF_SLIDES, slide_type

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ["notebooks/07_nin_in_context.ipynb", "notebooks/solutions/07_solutions.ipynb"]
MAX_WORDS, MAX_CODE_LINES = 150, 25


def words(markdown: str) -> int:
    """Words a reader reads: tokens with a letter or digit (table pipes and rules do not count)."""
    return sum(1 for token in markdown.split() if re.search(r"\w", token))


def slides(nb) -> list[tuple[str, int, int]]:
    """``(first line, markdown words, code lines)`` per slide, in order."""
    out: list[list] = []
    for cell in nb.cells:
        kind = slide_type(cell)
        if kind in OFF_SLIDES:
            continue
        if kind in ("slide", "subslide") or not out:
            out.append([cell.source.splitlines()[0] if cell.source else "", 0, 0])
        if cell.cell_type == "markdown":
            out[-1][1] += words(cell.source)
        elif cell.cell_type == "code":
            out[-1][2] += len(cell.source.splitlines())
    return [tuple(s) for s in out]


def test_words_counts_only_words():
    assert words("| a | b |\n|---|---|\n| 10.41% | x |") == 4


@pytest.mark.parametrize("path", CHECKED)
def test_every_slide_fits(path):
    nb = nbformat.read(ROOT / path, as_version=4)
    assert all("slideshow" in cell.metadata for cell in nb.cells), "every cell needs slideshow metadata"
    too_big = [s for s in slides(nb) if s[1] > MAX_WORDS or s[2] > MAX_CODE_LINES]
    assert not too_big, f"slides over {MAX_WORDS} words or {MAX_CODE_LINES} code lines: {too_big}"
