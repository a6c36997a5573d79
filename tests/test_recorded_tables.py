"""The tables of recorded training runs that benchmarks/RESULTS.md and the notebooks show are the ones the
benchmark scripts make from their raw rows (``--summarise``), so a figure cannot be retyped wrong or left
behind when runs are added. Each table line shown must be a line of the summary, and the quick profile's own
row must be shown in RESULTS.md and notebook 04."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # the scripts import their neighbours (runlog, recipe_study)

import ablations  # noqa: E402
import quick_profile  # noqa: E402
from runlog import read_jsonl  # noqa: E402

from nin_helpers.profiles import PROFILES  # noqa: E402


def markdown_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text()


def shown_rows(text: str, header: str) -> list[str]:
    """The data lines of every markdown table in ``text`` that starts with ``header``."""
    rows, inside = [], False
    for line in text.splitlines():
        if line == header:
            inside = True
        elif inside and line.startswith("|"):
            if not line.startswith("|---"):
                rows.append(line)
        else:
            inside = False
    return rows


STUDIES = {
    "quick_profile": (quick_profile.summarise, "quick_profile_runs.jsonl",
                      ["benchmarks/RESULTS.md", "notebooks/04_training_nin.ipynb"]),
    "ablations": (ablations.summarise, "ablation_runs.jsonl",
                  ["benchmarks/RESULTS.md", "notebooks/solutions/04_solutions.ipynb"]),
}


@pytest.mark.parametrize("study", sorted(STUDIES))
def test_every_shown_row_is_what_the_script_makes_from_the_raw_rows(study):
    summarise, jsonl, shown_in = STUDIES[study]
    summary = summarise(read_jsonl(ROOT / "benchmarks" / jsonl)).splitlines()
    header, made = summary[0], set(summary[2:])
    for path in shown_in:
        rows = shown_rows(markdown_of(ROOT / path), header)
        assert rows, f"{path} shows no table with the header of {study}'s summary"
        stale = [row for row in rows if row not in made]
        assert not stale, f"{path}: rows not in `{study}.py --summarise {jsonl}`: {stale}"


def test_the_quick_profile_s_own_row_is_shown():
    quick = PROFILES["quick"]
    summary = quick_profile.summarise(read_jsonl(ROOT / "benchmarks" / "quick_profile_runs.jsonl")).splitlines()
    own = f"| ours | {quick.size} px, {quick.epochs}, {quick.batch_size}, {quick.lr:g}, {quick.warmup_epochs} |"
    [row] = [line for line in summary if line.startswith(own)]
    assert row.count(": 0.") == 5, "the profile's row should have five seeds"
    for path in ["benchmarks/RESULTS.md", "notebooks/04_training_nin.ipynb"]:
        assert row in markdown_of(ROOT / path).splitlines(), path


def test_shown_rows_finds_a_table_and_ignores_others():
    text = "| a | b |\n|---|---|\n| 1 | 2 |\n\n| c |\n|---|\n| 3 |\n| a | b |\n|---|---|\n| 4 | 5 |"
    assert shown_rows(text, "| a | b |") == ["| 1 | 2 |", "| 4 | 5 |"]
