"""The glossary says where each term is used: every notebook it names must really use the term."""
from __future__ import annotations

import re

import nbformat
import pytest

from nin_helpers.paths import REPO_ROOT

GLOSSARY = REPO_ROOT / "notebooks" / "glossary.md"


def rows() -> list[tuple[str, list[str]]]:
    """``(English term, [notebook numbers])`` per table row."""
    out = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.match(r"^\d\d", cells[3]):
            numbers = []
            for part in re.split(r",\s*", cells[3]):
                a, _, b = part.partition("–")  # "01–03" is a range
                numbers += [f"{n:02d}" for n in range(int(a), int(b or a) + 1)]
            out.append((cells[0], numbers))
    return out


def forms(term: str) -> list[str]:
    """The ways a term may be written: 'kernel (filter)' -> ['kernel', 'filter']; 'ReLU' in any case."""
    parts = re.split(r"\s*[(),]\s*|\s+/\s+", term)
    return [normalise(p) for p in parts if len(p) > 2]


def normalise(text: str) -> str:
    """Lower case, hyphens and underscores as spaces: 'max-pooling' and 'cross_entropy' count."""
    return re.sub(r"[-_]", " ", text.lower())


def notebook_text(number: str) -> str:
    (path,) = (REPO_ROOT / "notebooks").glob(f"{number}_*.ipynb")
    return normalise("\n".join(c.source for c in nbformat.read(path, as_version=4).cells))


def test_the_glossary_has_rows():
    assert len(rows()) >= 30


@pytest.mark.parametrize("term, numbers", rows(), ids=[r[0] for r in rows()])
def test_each_term_is_used_where_the_glossary_says(term, numbers):
    for number in numbers:
        text = notebook_text(number)
        assert any(form in text for form in forms(term)), f"{term!r} is listed under {number}, which never uses it"
