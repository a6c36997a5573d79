"""Where the course keeps files: the data set and the training checkpoints.

One rule, used by every notebook and tool:

1. ``$NIN_DATA_DIR`` (or ``$NIN_CHECKPOINT_DIR``) if set, with ``~`` expanded;
2. else ``data/`` (``checkpoints/``) in the course's repository when the package runs from a checkout;
3. else a folder in the user's cache (``~/.cache/nin-course/``), e.g. after ``pip install`` on Colab.

Paths are returned absolute, so what a notebook prints is where the files really are.

>>> data_root({"NIN_DATA_DIR": "/somewhere/fmnist"})
PosixPath('/somewhere/fmnist')
>>> data_root({"NIN_DATA_DIR": "~/fm"}) == Path.home() / "fm"
True
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping


def _checkout_root() -> Path | None:
    """The repository this package was imported from, or ``None`` when it is installed elsewhere."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir() else None


REPO_ROOT: Path | None = _checkout_root()
CACHE = Path.home() / ".cache" / "nin-course"


def _location(variable: str, folder: str, environ: Mapping[str, str]) -> Path:
    if environ.get(variable):
        return Path(environ[variable]).expanduser().resolve()
    return (REPO_ROOT if REPO_ROOT is not None else CACHE) / folder


def data_root(environ: Mapping[str, str] = os.environ) -> Path:
    """Where Fashion-MNIST lives (and is downloaded to): see the module's rule."""
    return _location("NIN_DATA_DIR", "data", environ)


def checkpoint_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """Where training checkpoints go: see the module's rule."""
    return _location("NIN_CHECKPOINT_DIR", "checkpoints", environ)
