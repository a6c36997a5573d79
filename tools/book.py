"""Build the course website (``make book``): a static site from the committed notebooks, nothing re-run.

Sphinx with MyST-NB (the notebook reader of Jupyter Book 1) and sphinx-book-theme, all from PyPI
(requirements-book.txt). Not Jupyter Book 2 / mystmd: its HTML build downloads its theme from the
internet at build time, which CI and a classroom cannot reach. The sources are staged in
``build/book-src/``:

* ``index.md``, the front page: the README's title, introduction and the sections for students and
  teachers (``FRONT_PAGE``); the course table links the notebooks with the README's own paths, which
  resolve in the site as they do on GitHub;
* the notebooks in course order, their worked solutions (with an index page) and the glossary;
* MathJax 3 in ``_static/`` (pinned on npm, tools/web.py), so the site needs no network.

Sphinx writes ``build/book/`` (open ``build/book/index.html``, or serve the folder). Warnings are errors:
a broken link between pages fails the build.

    python -m tools.book            # -> build/book/index.html
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tools import web

ROOT = Path(__file__).resolve().parent.parent
CONF = Path(__file__).resolve().parent / "book-conf"
SOURCE, OUT = ROOT / "build" / "book-src", ROOT / "build" / "book"
MATHJAX = {"mathjax/es5/tex-svg-full.js": "mathjax/es5/tex-svg-full.js"}


def course_notebooks(root: Path = ROOT) -> list[Path]:
    """The course's notebooks in order (their file names start with their number)."""
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def solution_notebooks(root: Path = ROOT) -> list[Path]:
    return sorted((root / "notebooks" / "solutions").glob("*.ipynb"))


# The README sections a student or teacher needs on the site (the rest is about installing and maintaining).
FRONT_PAGE = ("The course", "Slides and website offline", "Without `make`: Colab or any Jupyter server")


def readme_sections(readme: str, keep: tuple[str, ...] = FRONT_PAGE) -> str:
    """The README's title and introduction (everything before its first ``##``) and the sections named.

    >>> readme_sections("# T\\n\\nintro\\n\\n## Start\\n\\nmake\\n\\n## The course\\n\\n| a |\\n", ("The course",))
    '# T\\n\\nintro\\n\\n## The course\\n\\n| a |\\n'
    """
    parts = re.split(r"(?m)^(?=## )", readme)
    kept = [parts[0]] + [p for p in parts[1:] if p[3:].splitlines()[0].strip() in keep]
    return "".join(kept).rstrip("\n") + "\n"


def toctree(caption: str, entries: list[str]) -> str:
    return "\n".join(["```{toctree}", ":hidden:", f":caption: {caption}", "", *entries, "```", ""])


def front_page(readme: str, notebooks: list[Path]) -> str:
    """``index.md``: the README's introduction and course table, and the site's table of contents.

    The README links the solutions folder (``notebooks/solutions/``), which on the site is a page."""
    text = readme_sections(readme).replace("](notebooks/solutions/)", "](notebooks/solutions/index.md)")
    course = [f"notebooks/{nb.stem}" for nb in notebooks]
    return "\n".join([text, toctree("Course", course),
                      toctree("Reference", ["notebooks/solutions/index", "notebooks/glossary"])])


def solutions_page(solutions: list[Path]) -> str:
    """``notebooks/solutions/index.md``: one line and one link per notebook's worked solutions."""
    lines = ["# Worked solutions", "",
             "The answers to each notebook's exercises, worked in code and checked by the same checkers the "
             "notebooks use (`from nin_helpers.exercises import check`). Try the exercises first.", ""]
    lines += [f"* [{nb.stem.split('_')[0]}: solutions]({nb.name})" for nb in solutions]
    return "\n".join(lines + ["", toctree("Solutions", [nb.stem for nb in solutions])])


def stage(source: Path = SOURCE, root: Path = ROOT) -> Path:
    """Write the site's sources into ``source`` (emptied first) and return it."""
    if source.exists():
        shutil.rmtree(source)
    (source / "notebooks" / "solutions").mkdir(parents=True)
    notebooks, solutions = course_notebooks(root), solution_notebooks(root)
    for nb in notebooks + [root / "notebooks" / "glossary.md"]:
        shutil.copyfile(nb, source / "notebooks" / nb.name)
    for nb in solutions:
        shutil.copyfile(nb, source / "notebooks" / "solutions" / nb.name)
    (source / "index.md").write_text(front_page((root / "README.md").read_text(encoding="utf-8"), notebooks),
                                     encoding="utf-8")
    (source / "notebooks" / "solutions" / "index.md").write_text(solutions_page(solutions), encoding="utf-8")
    web.copy_assets(MATHJAX, source / "_static")
    return source


def build(out: Path = OUT, source: Path = SOURCE) -> Path:
    """Stage the sources and run Sphinx (warnings are errors); returns the site's ``index.html``."""
    stage(source)
    if out.exists():
        shutil.rmtree(out)  # a page removed from the course must not linger in the site
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-j", "1",
                    "-c", str(CONF), "-D", f"html_static_path={source / '_static'}",
                    "-d", str(source / "_doctrees"), str(source), str(out)], check=True)
    return out / "index.html"


def main(argv: list[str]) -> int:
    if argv:
        print("usage: python -m tools.book   (builds build/book/ from the committed notebooks)", file=sys.stderr)
        return 2
    start = time.perf_counter()
    try:
        index = build()
    except subprocess.CalledProcessError as failed:
        print(f"sphinx failed ({failed.returncode}): see the warnings above", file=sys.stderr)
        return 1
    print(f"{index}: built in {time.perf_counter() - start:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
