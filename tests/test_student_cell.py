"""The README's first cell for Colab or any Jupyter server without ``make`` really works.

The cell is read from the README (section "Without `make`") and run, with ``COURSE`` set to a
copy of this checkout's package sources, by the Python of a fresh virtual environment that has the
course's dependencies (torch, pandas, ... through a .pth file pointing at this environment) but not
``nin_helpers``, in a temporary home and working directory, as a student's kernel would run it:

* it installs the package (non-editable, from the checkout) and imports it from that environment;
* it prints where data and checkpoints go: ``~/.cache/nin-course/...`` outside a checkout, or
  ``NIN_DATA_DIR`` / ``NIN_CHECKPOINT_DIR`` when set;
* run again, it does not install again (``COURSE`` then points nowhere, so pip would fail).

pip is told ``--no-deps`` through its environment (the dependencies are already there; resolving
them is pip's work, not the cell's) and builds without isolation when setuptools is at hand, so the
test needs no network.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from nin_helpers.paths import REPO_ROOT

SECTION = "## Without `make`"


def student_cell(readme: str) -> str:
    """The first ```python block of the README's section for Colab and other Jupyter servers."""
    assert SECTION in readme, f"README has no section starting {SECTION!r}"
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "the section shows no ```python cell"
    return blocks[0]


def with_course(cell: str, course: str) -> str:
    """The cell with its ``COURSE = ...`` line pointing at ``course``."""
    changed, n = re.subn(r'(?m)^COURSE = "[^"]*"', f"COURSE = {course!r}", cell)
    assert n == 1, "the cell must set COURSE exactly once"
    return changed


@pytest.fixture(scope="module")
def student_python(tmp_path_factory) -> Path:
    """A fresh venv's python that sees this environment's packages but not nin_helpers."""
    root = tmp_path_factory.mktemp("student")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True, timeout=120)
    python = root / "venv" / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # A path added by a .pth line is not scanned for .pth files: this environment's editable
    # nin_helpers (itself a .pth hook) stays invisible, its dependencies and pip do not.
    Path(site, "course-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def run_cell(python: Path, cell: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir(exist_ok=True)
    work.mkdir(exist_ok=True)
    script = work / "cell.py"
    script.write_text(cell + "\nimport nin_helpers\nprint('imported from', nin_helpers.__file__)\n")
    environ = {k: v for k, v in os.environ.items()
               if k not in ("NIN_DATA_DIR", "NIN_CHECKPOINT_DIR", "PYTHONPATH", "VIRTUAL_ENV")}
    environ.update(HOME=str(home), PIP_NO_DEPS="1", PIP_DISABLE_PIP_VERSION_CHECK="1", **env)
    if importlib.util.find_spec("setuptools") is not None:
        environ["PIP_NO_BUILD_ISOLATION"] = "1"  # build with this environment's setuptools: no download
    return subprocess.run([str(python), str(script)], cwd=work, env=environ, capture_output=True, text=True,
                          timeout=300)


def test_readme_cell_installs_the_package_once_and_says_where_files_go(student_python, tmp_path):
    cell = student_cell((REPO_ROOT / "README.md").read_text(encoding="utf-8"))
    before = subprocess.run([str(student_python), "-c", "import nin_helpers"], cwd=tmp_path, capture_output=True)
    assert before.returncode != 0, "the student's python must start without nin_helpers"

    # The package's sources as a student's copy of the repository has them (built there, not in this checkout).
    course = tmp_path / "course"
    shutil.copytree(REPO_ROOT / "nin_helpers", course / "nin_helpers", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(REPO_ROOT / name, course / name)
    done = run_cell(student_python, with_course(cell, str(course)), tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    home = tmp_path / "home"
    cache = home / ".cache" / "nin-course"
    assert f"data in {cache / 'data'} and checkpoints in {cache / 'checkpoints'}" in done.stdout, done.stdout
    imported = Path(done.stdout.split("imported from", 1)[1].strip())
    assert imported.is_relative_to(student_python.parent.parent), f"not installed in the student's env: {imported}"
    assert not imported.is_relative_to(course), "imported from the sources, not from the installed package"

    again = run_cell(student_python, with_course(cell, str(tmp_path / "nowhere")), tmp_path,
                     NIN_DATA_DIR=str(tmp_path / "fmnist"), NIN_CHECKPOINT_DIR=str(tmp_path / "ckpt"))
    assert again.returncode == 0, f"the cell installed again:\n{again.stderr[-2000:]}"
    assert f"data in {tmp_path / 'fmnist'} and checkpoints in {tmp_path / 'ckpt'}" in again.stdout


def test_with_course_rewrites_only_the_course_line():
    cell = 'import sys\nCOURSE = "git+https://example.org/x.git"  # where\nprint(COURSE)\n'
    assert with_course(cell, "/tmp/course") == "import sys\nCOURSE = '/tmp/course'  # where\nprint(COURSE)\n"
    with pytest.raises(AssertionError, match="exactly once"):
        with_course("print(1)\n", "/tmp/course")
