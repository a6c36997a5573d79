"""Committed notebooks must be what a clean top-to-bottom run of their current code produced."""
import re

import nbformat
import pytest

from nin_helpers.paths import REPO_ROOT as ROOT
from tools.notebooks import KERNEL_NAME, code_digest

NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts]
ids = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]


def test_there_are_notebooks():
    assert len([p for p in NOTEBOOKS if p.parent.name == "notebooks"]) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_outputs_were_refreshed_after_the_last_code_change(path):
    nb = nbformat.read(path, as_version=4)
    stamp = nb.metadata.get("nin_course", {}).get("code_sha256")
    assert stamp == code_digest(nb), (
        f"{path.name}: its code changed since its outputs were last refreshed; run `make notebooks` "
        f"(or `.venv/bin/python -m tools.notebooks {path.relative_to(ROOT)}`) and commit the result")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_clean_top_to_bottom_run_without_errors(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), \
        f"{path.name}: cells were not executed once each, top to bottom"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: committed with an error output: {errors[0].get('ename')}"
    assert nb.metadata["kernelspec"]["name"] == KERNEL_NAME


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_every_excluded_output_says_why(path):
    """nbval honours the marker only on a line of its own; the reason goes on the next line."""
    from nbval.plugin import find_comment_markers
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "NBVAL_IGNORE_OUTPUT" in cell.source:
            first, *rest = cell.source.splitlines()
            assert dict(find_comment_markers(cell.source)).get("check") is False, \
                f"{path.name}: nbval does not see this marker (write it alone on its line):\n{cell.source[:200]}"
            assert first == "# NBVAL_IGNORE_OUTPUT" and rest and re.search(r"[a-z]{4}", rest[0]), \
                f"{path.name}: a cell excluded from nbval gives no reason on its second line:\n{cell.source[:200]}"


def test_refresh_tool_executes_and_stamps(tmp_path):
    from tools.notebooks import execute_in_place, main
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")]), path)
    execute_in_place(path)
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].outputs[0].text == "42\n"
    assert nb.metadata["nin_course"]["code_sha256"] == code_digest(nb)
    nb.cells[0].source = "print(6 * 9)"  # an edit without a re-run no longer matches the stamp
    assert nb.metadata["nin_course"]["code_sha256"] != code_digest(nb)
    assert main([]) == 2 and main([str(tmp_path / "missing.ipynb")]) == 2
