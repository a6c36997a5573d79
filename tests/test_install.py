"""Paths work wherever the package is installed: a plain (non-editable) install, imported from another
working folder, keeps data and checkpoints in the user's cache, never inside site-packages."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nin_helpers.paths import REPO_ROOT

# Run in a fresh interpreter that sees only the installed copy (importing it takes a few seconds: once).
PROBE = """
import json, nin_helpers
from nin_helpers.checkpoints import checkpoint_path
from nin_helpers.paths import REPO_ROOT, checkpoint_dir, data_root
chosen = {"NIN_DATA_DIR": "~/fm", "NIN_CHECKPOINT_DIR": "runs"}
print(json.dumps({"package": nin_helpers.__file__, "repo": str(REPO_ROOT), "data": str(data_root()),
                  "checkpoints": str(checkpoint_dir()), "tilde": str(checkpoint_path("~/ck/run.pt")),
                  "relative": str(checkpoint_path("ck/run.pt")), "chosen data": str(data_root(chosen)),
                  "chosen checkpoints": str(checkpoint_dir(chosen))}))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """nin_helpers installed with pip, not editable, into a folder of its own (offline: no dependencies,
    the build backend taken from this environment). Built from a copy, so no build files land in the repo."""
    if REPO_ROOT is None:
        pytest.skip("needs the course's repository to install from")
    source, target = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("site-packages")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source / name)
    shutil.copytree(REPO_ROOT / "nin_helpers", source / "nin_helpers", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--no-index", "--target", str(target), str(source)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"pip install failed:\n{done.stdout}\n{done.stderr}")
    return target


def test_an_installed_package_keeps_its_files_in_the_user_cache(installed, tmp_path):
    home, elsewhere = tmp_path / "home", tmp_path / "some" / "notebook" / "folder"
    elsewhere.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("NIN_DATA_DIR", "NIN_CHECKPOINT_DIR", "PYTHONPATH")}
    env.update(HOME=str(home), PYTHONPATH=str(installed))
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    where = json.loads(done.stdout)
    assert Path(where["package"]).is_relative_to(installed)  # the installed copy, not the checkout
    assert where["repo"] == "None"
    cache = home / ".cache" / "nin-course"
    assert Path(where["data"]) == cache / "data" and Path(where["checkpoints"]) == cache / "checkpoints"
    assert not Path(where["data"]).is_relative_to(installed)
    assert Path(where["tilde"]) == home / "ck" / "run.pt"
    assert Path(where["relative"]) == elsewhere / "ck" / "run.pt"
    # NIN_DATA_DIR and NIN_CHECKPOINT_DIR still decide, with ~ expanded and relative paths made absolute
    assert Path(where["chosen data"]) == home / "fm" and Path(where["chosen checkpoints"]) == elsewhere / "runs"
