"""`make lab` as a student uses it: JupyterLab from this environment, driven by headless Chromium.

The test starts JupyterLab on a free localhost port (with a token) over a temporary copy of
notebook 01 with its outputs cleared, opens it in Debian's Chromium through Selenium, runs all
cells with JupyterLab's own "Run All Cells" command, waits until every cell has run, and checks
the page shows the outputs the committed notebook has (printed lines and figures) and no
traceback, and that jupyterlab-rise (live slides) is loaded. JupyterLab and Chromium are always
stopped, even when the test fails.

It is skipped, saying why, only where no browser can be installed (`.ci/install-browser.sh`
installs Debian's chromium and chromium-driver; it needs apt-get and root).
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import nbformat
import pytest

from nin_helpers.paths import REPO_ROOT

ROOT = REPO_ROOT
INSTALL = ROOT / ".ci" / "install-browser.sh"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1400,1000"]
RUN_TIMEOUT = 60  # seconds for all cells; notebook 01 runs in a few seconds on a CPU

pytestmark = pytest.mark.browser


def notebook_under_test() -> Path:
    """Notebook 01 (the first one students open), or 06 where 01 is not there yet."""
    for prefix in ("01", "06"):
        found = sorted((ROOT / "notebooks").glob(f"{prefix}_*.ipynb"))
        if found:
            return found[0]
    pytest.fail("neither notebook 01 nor 06 exists")


def find_browser() -> tuple[str, str]:
    """Paths of chromium and chromedriver, installing them first if needed; skip if impossible."""
    def which() -> tuple[str | None, str | None]:
        return shutil.which("chromium"), shutil.which("chromedriver")

    chromium, driver = which()
    if not (chromium and driver) and INSTALL.is_file():
        done = subprocess.run(["bash", str(INSTALL)], capture_output=True, text=True, timeout=600)
        chromium, driver = which()
        if not (chromium and driver):
            pytest.skip(f"no browser: chromium/chromedriver not found and {INSTALL.name} failed: "
                        f"{(done.stderr or done.stdout).strip()[-300:]}")
    if not (chromium and driver):
        pytest.skip("no browser: install Debian's chromium and chromium-driver (.ci/install-browser.sh)")
    return chromium, driver


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def expected_outputs(nb) -> tuple[list[str], int]:
    """Printed lines and number of figures of the committed notebook's deterministic cells."""
    lines, figures = [], 0
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.source.startswith("# NBVAL_IGNORE_OUTPUT"):
            continue
        for out in cell.outputs:
            if out.output_type == "stream" and out.name == "stdout":
                lines += [" ".join(line.split()) for line in out.text.splitlines() if line.strip()]
            figures += any(k.startswith("image/") for k in out.get("data", {}))
    return lines, figures


@pytest.fixture
def lab(tmp_path):
    """JupyterLab serving a copy of the notebook (outputs cleared); yields (url, notebook)."""
    source = notebook_under_test()
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    with running_lab(tmp_path, nb, source.name) as url:
        yield url, source


@contextmanager
def running_lab(tmp_path: Path, nb, name: str) -> Iterator[str]:
    """JupyterLab on a free localhost port serving ``nb`` as ``name``; yields the notebook's URL."""
    # "python3" is this environment's own kernel, so no kernel-picker dialog can appear.
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    work = tmp_path / "notebooks"
    work.mkdir()
    nbformat.write(nb, work / name)

    # JupyterLab 4 renders only the cells in view by default; render all, so all outputs are in the page.
    settings = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')

    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"))
    env.setdefault("NIN_DATA_DIR", str(ROOT.parent / "shared" / "data" / "fashion-mnist-subset"))
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
               "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = open(tmp_path / "lab.log", "w")
    server = subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        wait_for_server(f"http://127.0.0.1:{port}/api/status?token={token}", server, tmp_path / "lab.log")
        yield f"http://127.0.0.1:{port}/lab/tree/{name}?token={token}"
    finally:
        stop(server)
        log.close()


def wait_for_server(url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"JupyterLab did not answer within {timeout} s:\n{log.read_text()[-2000:]}")


def stop(server: subprocess.Popen) -> None:
    """SIGTERM JupyterLab's process group (it and its kernels), then SIGKILL if it lingers."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


@pytest.fixture
def browser(tmp_path):
    chromium, driver_path = find_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium          # with both paths given, Selenium Manager downloads nothing
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path, log_output=str(tmp_path / "chromedriver.log")),
                              options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_until(driver, script: str, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = driver.execute_script(script)
        if result:
            return result
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


# All code cells show an execution count "[n]:", none is queued or running "[*]:"; or a cell failed
# (then "Run All" stops there, and the traceback check below reports it).
ALL_RAN = """
const failed = [...document.querySelectorAll(
    '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')].some(e => e.innerText.includes('Traceback'));
if (failed) return 'failed';
const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
    .map(p => p.textContent.trim());
return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p));
"""
KERNEL_IDLE = """
const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
const kernel = panel && panel.sessionContext && panel.sessionContext.session
    && panel.sessionContext.session.kernel;
return !!kernel && kernel.status === 'idle';
"""


def test_run_all_cells_in_jupyterlab(lab, browser):
    url, source = lab
    lines, figures = expected_outputs(nbformat.read(source, as_version=4))
    assert lines, f"{source.name} has no printed output to look for"

    browser.get(url)
    wait_until(browser, KERNEL_IDLE, 45, "the notebook to open and its kernel to be idle")
    browser.execute_script("return window.jupyterapp.commands.execute('notebook:run-all-cells');")
    wait_until(browser, ALL_RAN, RUN_TIMEOUT, "every cell to run")
    wait_until(browser, KERNEL_IDLE, RUN_TIMEOUT, "the kernel to finish")

    tracebacks = browser.execute_script("""
        return [...document.querySelectorAll(
            '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')]
            .map(e => e.innerText).filter(t => t.includes('Traceback') || t.includes('Error'));""")
    assert not tracebacks, "error output in the page:\n" + "\n".join(tracebacks)[-3000:]

    page = browser.execute_script(
        "return [...document.querySelectorAll('.jp-OutputArea-output')].map(e => e.innerText).join('\\n');")
    page = "\n".join(" ".join(line.split()) for line in page.splitlines())
    missing = [line for line in lines if line not in page]
    assert not missing, f"{len(missing)} expected output lines not shown, e.g. {missing[:3]}"
    shown = browser.execute_script("return document.querySelectorAll('.jp-OutputArea-output img').length;")
    assert shown >= figures, f"expected {figures} figures, the page shows {shown}"
    assert re.search(r"\S", page)
    # The same notebook can be presented live: jupyterlab-rise is installed in this environment.
    rise = browser.execute_script(
        "return window.jupyterapp.commands.listCommands().filter(c => c.toLowerCase().startsWith('rise:'));")
    assert rise, "jupyterlab-rise's commands are missing: is jupyterlab-rise installed?"


# A short training run a browser can watch: tests/test_training.py's tiny net and data, each batch slowed
# down so that every epoch's bar is on screen for a few seconds.
TRAINS = """import sys, time
sys.path.insert(0, {tests!r})
from test_training import tiny_data, tiny_net
from nin_helpers.training import train

class Slow:
    def __init__(self, loader): self.loader = loader
    def __len__(self): return len(self.loader)
    def __iter__(self):
        for batch in self.loader:
            time.sleep(0.5)
            yield batch

train_iter, test_iter = tiny_data()
history = train(tiny_net(), Slow(train_iter), test_iter, 2, device="cpu", plot=False)"""
WIDGET_BARS = "return document.querySelectorAll('.jp-OutputArea-output .widget-hprogress').length;"


def test_training_shows_a_progress_widget_that_becomes_one_line_per_epoch(tmp_path, browser):
    """In JupyterLab, training shows a live ipywidgets bar (nin_helpers.progress); when an epoch ends
    the bar is replaced by that epoch's one summary line, which is what the notebook keeps."""
    code = TRAINS.format(tests=str(Path(__file__).resolve().parent))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    with running_lab(tmp_path, nb, "trains.ipynb") as url:
        browser.get(url)
        wait_until(browser, KERNEL_IDLE, 45, "the notebook to open and its kernel to be idle")
        # Not returned: Selenium would wait for the command's promise, i.e. until training is over.
        browser.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells');")
        wait_until(browser, WIDGET_BARS, 60, "a progress widget to appear while training runs")
        wait_until(browser, ALL_RAN, RUN_TIMEOUT, "the training cell to finish")
        wait_until(browser, KERNEL_IDLE, RUN_TIMEOUT, "the kernel to finish")
        texts = browser.execute_script(
            "return [...document.querySelectorAll('.jp-OutputArea-output')].map(e => e.innerText.trim());")
        assert not browser.execute_script(WIDGET_BARS), "a progress widget is left after training"
    lines = [t for t in texts if t.startswith("epoch ")]
    assert [t.split(":")[0] for t in lines] == ["epoch 1/2", "epoch 2/2"], texts
    assert all(re.fullmatch(r"epoch \d/2: loss [\d.]+, train acc [\d.]+, test acc [\d.]+, \d+ ex/s", t)
               for t in lines), lines
    assert not any("Traceback" in t or "IProgress" in t for t in texts), texts


def test_skips_and_says_why_where_no_browser_can_be_installed(monkeypatch, tmp_path):
    failing = tmp_path / "install-browser.sh"
    failing.write_text("echo 'install-browser: no apt-get here' >&2; exit 1\n")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(sys.modules[__name__], "INSTALL", failing)
    with pytest.raises(pytest.skip.Exception, match="no apt-get here"):
        find_browser()
