"""The browser libraries the slide decks and the course website load, installed from npm and pinned.

``tools/web-assets/package.json`` and its ``package-lock.json`` name exact versions (with integrity hashes) of
reveal.js, require.js and MathJax. ``node_modules()`` installs them with ``npm ci`` into
``build/web/`` (git-ignored) the first time, or again when the lock file changed, and
``copy_assets`` copies the files a page needs next to it, so that a folder of decks or the website
opens with no network at all, e.g. in a classroom.

>>> sorted(pinned())
['mathjax', 'requirejs', 'reveal.js']
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Iterable, Mapping

ROOT = Path(__file__).resolve().parent.parent
SPEC = Path(__file__).resolve().parent / "web-assets"
INSTALL = ROOT / "build" / "web"
# Source maps and ES-module builds: nothing a page loads through a <script> tag or require.js.
UNUSED = shutil.ignore_patterns("*.map", "*.esm.js", "*.mjs", "*.d.ts")


class WebAssetsMissing(RuntimeError):
    """npm is not there, or ``npm ci`` failed: decks and the website cannot be built offline-ready."""


def pinned() -> dict[str, str]:
    """Package name -> exact version, as ``tools/web-assets/package.json`` pins them."""
    return json.loads((SPEC / "package.json").read_text())["dependencies"]


def node_modules(install: Path = INSTALL) -> Path:
    """``build/web/node_modules`` with the pinned packages, running ``npm ci`` first if they are
    missing or the committed lock file changed since the last install."""
    lock = (SPEC / "package-lock.json").read_text()
    installed = install / "package-lock.json"
    modules = install / "node_modules"
    if modules.is_dir() and installed.is_file() and installed.read_text() == lock:
        return modules
    npm = shutil.which("npm")
    if npm is None:
        raise WebAssetsMissing("npm not found: install Node.js (with npm) to build offline slides and the website")
    install.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(SPEC / name, install / name)
    # npm ci installs exactly the lock file (integrity-checked) and removes what it does not name.
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=install,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        installed.unlink(missing_ok=True)  # so the next call tries again
        raise WebAssetsMissing(f"npm ci failed in {install}:\n{(done.stderr or done.stdout)[-1500:]}")
    return modules


def copy_assets(files: Mapping[str, str], dest: Path, modules: Path | None = None) -> list[Path]:
    """Copy ``{target under dest: source under node_modules}`` (files or whole folders) into ``dest``,
    with each package's package.json (its version) and LICENSE file where it has one (require.js keeps
    its licence in the header of require.js). Returns the paths written."""
    modules = modules or node_modules()
    written = []
    for package in sorted({source.split("/")[0] for source in files.values()}):
        for name in ("package.json", "LICENSE"):
            if (modules / package / name).is_file() or name == "package.json":
                written.append(_copy(modules / package / name, dest / package / name))
    for target, source in files.items():
        written.append(_copy(modules / source, dest / target))
    return written


def _copy(source: Path, target: Path) -> Path:
    if not source.exists():
        raise WebAssetsMissing(f"{source} is missing: is {SPEC / 'package.json'} installed (npm ci)?")
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, ignore=UNUSED, dirs_exist_ok=True)
    else:
        shutil.copyfile(source, target)
    return target


def external_urls(html: str, allowed: Iterable[str] = ()) -> list[str]:
    """The URLs a page would *load* from another host: the src of scripts, images and frames, the href
    of stylesheets and the url() of inline styles (plain links to other sites are not loads).

    >>> external_urls('<script src="https://cdn.x/a.js"></script><a href="https://d2l.ai">d2l</a>')
    ['https://cdn.x/a.js']
    >>> external_urls('<link rel="stylesheet" href="vendor/reveal.css"><img src="data:image/png;base64,AA">')
    []
    """
    import re

    loads = re.findall(r'<(?:script|img|iframe|source|video|audio|embed)\b[^>]*?\ssrc="([^"]+)"', html)
    loads += re.findall(r'<link\b[^>]*?\bhref="([^"]+)"[^>]*>', html)
    loads += re.findall(r"\burl\(\s*['\"]?([^'\")]+)", html)
    loads += re.findall(r"""\bimport\s+[^'"]*?from\s+['"]([^'"]+)['"]""", html)
    return [url for url in loads if re.match(r"(https?:)?//", url) and not url.startswith(tuple(allowed))]
