"""``make slides`` decks work in a classroom with no internet: each deck, opened as a file from its
folder in headless Chromium that cannot reach any other host, is a running reveal.js presentation
with the slides its notebook's metadata asks for, every figure loaded, every formula typeset by
MathJax, no error in the console and not one request that leaves the machine.

Skipped, saying why, where no browser can be installed, or where npm (which installs the pinned
reveal.js, require.js and MathJax, tools/web.py) is missing.
"""
from __future__ import annotations

import re

import nbformat
import pytest
from offline_browser import console_errors, not_local, offline_chromium, requests_made, wait_until
from test_slides import NOTEBOOKS, image_outputs

from tools.slides import OFF_SLIDES, export_deck, slide_counts, slide_type
from tools.web import WebAssetsMissing, external_urls

pytestmark = pytest.mark.browser
LOAD_TIMEOUT = 30  # seconds for reveal.js and MathJax to finish one deck; a few seconds on 2 CPU cores


def expected_formulas(nb) -> int:
    """$...$ and $$...$$ formulas in the markdown the deck shows (code spans and fences are not math)."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown" or slide_type(cell) in OFF_SLIDES:
            continue
        text = re.sub(r"```.*?```|`[^`\n]*`", "", cell.source, flags=re.S)
        display = re.findall(r"\$\$.+?\$\$", text, flags=re.S)
        text = re.sub(r"\$\$.+?\$\$", "", text, flags=re.S)
        # inline math may wrap onto the next line, never across a blank one
        count += len(display) + len(re.findall(r"(?<!\\)\$(?:[^$\n]|\n(?!\s*\n))+?(?<!\\)\$", text))
    return count


@pytest.fixture(scope="module")
def deck_folder(tmp_path_factory):
    """Every notebook's deck and its vendor/ folder, as ``make slides`` writes them."""
    out = tmp_path_factory.mktemp("decks")
    try:
        return {nb.name: export_deck(nb, out) for nb in NOTEBOOKS}
    except WebAssetsMissing as missing:  # no npm here: the decks' libraries cannot be installed
        pytest.skip(str(missing))


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with offline_chromium(tmp_path_factory.mktemp("chromium")) as driver:
        yield driver


def test_decks_load_nothing_from_another_host(deck_folder):
    for name, deck in deck_folder.items():
        assert external_urls(deck.read_text(encoding="utf-8")) == [], f"{name} loads from the internet"


# reveal.js is loaded by require.js (not a global), so the test asks require.js for the deck's module.
REVEAL = "require('vendor/reveal.js/dist/reveal.js')"
READY = f"""return window.require !== undefined && require.defined('vendor/reveal.js/dist/reveal.js')
    && {REVEAL}.isReady() && document.querySelector('.reveal.ready') !== null
    && window.MathJax !== undefined && MathJax.startup !== undefined && MathJax.startup.promise !== undefined;"""
MATH_DONE = "const done = arguments[arguments.length - 1]; MathJax.startup.promise.then(() => done(true));"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_deck_renders_offline(deck_folder, browser, notebook):
    nb = nbformat.read(notebook, as_version=4)
    deck = deck_folder[notebook.name]
    requests_made(browser), console_errors(browser)  # empty the logs of the previous deck
    browser.get(deck.as_uri())
    wait_until(browser, READY, LOAD_TIMEOUT, f"reveal.js and MathJax to start in {deck.name}")
    browser.set_script_timeout(LOAD_TIMEOUT)
    browser.execute_async_script(MATH_DONE)

    # The presentation: reveal.js counts the slides its notebook's metadata asks for.
    slides, total = slide_counts(nb)
    shown = browser.execute_script(
        f"return [document.querySelectorAll('.reveal .slides > section').length, {REVEAL}.getTotalSlides()];")
    assert shown == [slides, total], f"(slides, slides + subslides) shown {shown}, metadata asks {slides, total}"

    # Figures: every image decoded; the first one, on its own slide, really on screen.
    images = browser.execute_script(
        "return [...document.querySelectorAll('.reveal .slides img')].map(i => i.complete && i.naturalWidth);")
    assert len(images) >= image_outputs(nb), f"{len(images)} figures in the deck, notebook has {image_outputs(nb)}"
    assert all(images), f"{images.count(0) + images.count(False)} figures did not load"
    if images:
        width = browser.execute_script(f"""const R = {REVEAL};
            const img = document.querySelector('.reveal .slides img');
            const at = R.getIndices(img.closest('section')); R.slide(at.h, at.v);
            return img.getBoundingClientRect().width;""")
        assert width > 50, f"the first figure is {width} px wide on its slide"

    # Formulas: one MathJax SVG per $...$ of the markdown, none with a TeX error.
    formulas = browser.execute_script("""return [
        document.querySelectorAll('.reveal .slides mjx-container').length,
        document.querySelectorAll('.reveal .slides mjx-container [data-mml-node="merror"]').length];""")
    assert formulas == [expected_formulas(nb), 0], f"(typeset formulas, TeX errors) = {formulas}"

    # Nothing failed, and nothing tried to leave the machine.
    assert not console_errors(browser), f"console errors in {deck.name}"
    requested = requests_made(browser)
    assert any(url.endswith("tex-svg-full.js") for url in requested), "MathJax was not loaded from vendor/"
    assert not_local(requested) == [], f"{deck.name} requested other hosts"


def test_expected_formulas_counts_math_not_code():
    md = nbformat.v4.new_markdown_cell
    nb = nbformat.v4.new_notebook(cells=[md("$a$ and $$b$$ but `$c$` and\n```\n$d$\n```\nand \\$5 and $f\ng$"),
                                         md("$e$", metadata={"slideshow": {"slide_type": "skip"}})])
    assert expected_formulas(nb) == 3
