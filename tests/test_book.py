"""``make book``: the course website, read as a student reads it, in a classroom with no internet.

The site is built from the committed notebooks (tools/book.py, nothing re-run) into a temporary
folder and served by Python's http.server on 127.0.0.1. Headless Chromium, which cannot reach any
other host (tests/offline_browser.py), starts at the front page and follows every internal link:

* every link leads somewhere (HTML pages, figures, downloads) and every #anchor exists on its page;
* every page loads with no console error and no request to another host;
* the front page is the README's course table, linking every notebook in course order, and the
  sidebar lists the notebooks in that order, then the solutions and the glossary;
* every notebook page shows its committed outputs: the printed lines, every figure decoded, and
  its formulas typeset by MathJax.

Skipped, saying why, where no browser can be installed, where the site's packages
(requirements-book.txt, installed by ``make book``) are missing, or where npm is missing.
"""
from __future__ import annotations

import functools
import http.server
import importlib.util
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import nbformat
import pytest
from offline_browser import console_errors, not_local, offline_chromium, requests_made, wait_until

from tools import book
from tools.web import WebAssetsMissing

pytestmark = pytest.mark.browser
LOAD_TIMEOUT = 30  # seconds for one page and its formulas; about one on 2 CPU cores


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    missing = [m for m in ("sphinx", "myst_nb", "sphinx_book_theme") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: `make book` installs requirements-book.txt")
    tmp = tmp_path_factory.mktemp("book")
    try:
        return book.build(out=tmp / "site", source=tmp / "src").parent
    except WebAssetsMissing as no_npm:
        pytest.skip(str(no_npm))


@pytest.fixture(scope="module")
def server(site):
    """http.server over the built site on a free localhost port; yields its base URL."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # the test reports what matters; no access log on stderr
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def crawl(server, tmp_path_factory):
    """Every page reachable from the front page, opened offline: {url: what the page showed}."""
    pages, queue, links = {}, [server + "index.html"], {}
    with offline_chromium(tmp_path_factory.mktemp("chromium")) as driver:
        requests_made(driver), console_errors(driver)
        while queue:
            url = queue.pop(0)
            if url in pages:
                continue
            pages[url] = visit(driver, url)
            for href in pages[url]["links"]:
                target = urldefrag(urljoin(url, href)).url
                links.setdefault(target, set()).add(url)
                if target.startswith(server) and target.endswith(".html") and target not in pages:
                    queue.append(target)
    return {"pages": pages, "links": links, "base": server}


# Ready: the page has loaded and, where it has formulas, MathJax has typeset them.
PAGE_DONE = """const done = arguments[arguments.length - 1];
if (document.readyState !== 'complete') { window.addEventListener('load', () => done('loaded')); }
else { done('loaded'); }"""
MATH_DONE = """const done = arguments[arguments.length - 1];
if (!document.querySelector('.math')) { done(true); }
else if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
  MathJax.startup.promise.then(() => done(true)); }
else { done(false); }"""
READ_PAGE = """
const out = [...document.querySelectorAll('.cell_output')];
return {
  title: document.title,
  links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  nav: [...document.querySelectorAll('nav.bd-docs-nav a.reference.internal')].map(a => a.getAttribute('href')),
  output_text: out.map(e => e.innerText).join('\\n'),
  images: [...document.querySelectorAll('.cell_output img')].map(i => i.complete ? i.naturalWidth : 0),
  math: document.querySelectorAll('.math').length,
  typeset: document.querySelectorAll('mjx-container').length,
  tex_errors: document.querySelectorAll('mjx-container [data-mml-node="merror"]').length,
  body_text: document.querySelector('main') ? document.querySelector('main').innerText.length : 0,
};"""


def visit(driver, url: str) -> dict:
    driver.get(url)
    driver.set_script_timeout(LOAD_TIMEOUT)
    driver.execute_async_script(PAGE_DONE)
    if not driver.execute_async_script(MATH_DONE):
        wait_until(driver, "return !!(window.MathJax && MathJax.startup && MathJax.startup.promise);",
                   LOAD_TIMEOUT, f"MathJax to load on {url}")
        driver.execute_async_script(MATH_DONE)
    page = driver.execute_script(READ_PAGE)
    page["errors"], page["requests"] = console_errors(driver), requests_made(driver)
    return page


def page_of(crawl, notebook: Path) -> dict:
    url = urljoin(crawl["base"], notebook.relative_to(book.ROOT).with_suffix(".html").as_posix())
    assert url in crawl["pages"], f"{notebook.name} is not reachable from the front page"
    return crawl["pages"][url]


def test_every_internal_link_leads_somewhere(crawl):
    broken = []
    for target, sources in crawl["links"].items():
        if urlparse(target).scheme in ("http", "https") and not target.startswith(crawl["base"]):
            continue  # a link out (d2l, the paper): followed by the reader, not loaded by the page
        if target in crawl["pages"]:
            continue
        try:
            urllib.request.urlopen(target, timeout=10).close()
        except (urllib.error.URLError, OSError) as e:
            broken.append(f"{target} (linked from {sorted(sources)[0]}): {e}")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_every_anchor_exists_on_its_page(crawl):
    missing = []
    for url, page in crawl["pages"].items():
        for href in page["links"]:
            target, fragment = urldefrag(urljoin(url, href))
            if fragment and target in crawl["pages"] and fragment not in crawl["pages"][target]["ids"]:
                missing.append(f"{href} on {url}")
    assert not missing, "links to anchors that do not exist:\n" + "\n".join(missing)


def test_every_page_renders_offline_without_errors(crawl):
    assert len(crawl["pages"]) >= len(book.course_notebooks()) + len(book.solution_notebooks()) + 3
    for url, page in crawl["pages"].items():
        assert page["body_text"] > 0, f"{url} shows nothing"
        # Chromium asks every site for /favicon.ico; the course has no icon, which is no error of a page.
        errors = [e for e in page["errors"] if "/favicon.ico" not in e]
        assert not errors, f"console errors on {url}: {errors}"
        assert not_local(page["requests"]) == [], f"{url} requested other hosts"
        assert page["typeset"] >= page["math"] and not page["tex_errors"], f"formulas not typeset on {url}"


def test_front_page_is_the_course_table_in_course_order(crawl):
    front = crawl["pages"][crawl["base"] + "index.html"]
    expected = [f"notebooks/{nb.stem}.html" for nb in book.course_notebooks()]
    linked = [href for href in front["links"] if href in expected]
    assert list(dict.fromkeys(linked)) == expected, "the front page must link every notebook, in course order"
    assert "notebooks/glossary.html" in front["links"] and "notebooks/solutions/index.html" in front["links"]
    nav = [href.split("#")[0] for href in front["nav"] if href not in ("", "#", "index.html")]  # the home page
    assert nav[:len(expected)] == expected, f"sidebar order: {nav}"
    assert nav[len(expected):][:1] == ["notebooks/solutions/index.html"] and "notebooks/glossary.html" in nav


def expected_outputs(nb) -> tuple[list[str], int]:
    """Printed lines and figures of the notebook's committed outputs (all of them: nothing is re-run)."""
    lines, figures = [], 0
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.output_type == "stream" and out.name == "stdout":
                lines += [" ".join(line.split()) for line in out.text.splitlines() if line.strip()]
            figures += any(k.startswith("image/") for k in out.get("data", {}))
    return lines, figures


@pytest.mark.parametrize("notebook", book.course_notebooks() + book.solution_notebooks(), ids=lambda p: p.name)
def test_notebook_page_shows_its_outputs(crawl, notebook):
    page = page_of(crawl, notebook)
    lines, figures = expected_outputs(nbformat.read(notebook, as_version=4))
    shown = " ".join(page["output_text"].split())
    missing = [line for line in lines if "\r" not in line and line not in shown]
    assert not missing, f"{len(missing)} of {len(lines)} printed lines not shown, e.g. {missing[:2]}"
    assert len(page["images"]) >= figures, f"{len(page['images'])} figures shown, the notebook has {figures}"
    assert all(page["images"]), "a figure did not load"


def test_front_page_keeps_the_readme_sections_for_students_and_teachers():
    """A renamed README heading would silently drop its section from the site: the names must match."""
    text = book.front_page((book.ROOT / "README.md").read_text(encoding="utf-8"), book.course_notebooks())
    for heading in book.FRONT_PAGE:
        assert f"\n## {heading}\n" in text, f"README section {heading!r} is missing from the front page"
    assert "## For maintainers" not in text and "](notebooks/solutions/index.md)" in text
