"""benchmarks/gpu_report.py must keep working against the current package, although CI has no GPU:
its smoke mode runs here end to end (tiny sizes, on the CPU) and the report it writes is checked."""
import hashlib
import importlib.metadata as md
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import gpu_report  # noqa: E402
from compare import image_counts, prepare_data  # noqa: E402

SUBSET = Path(os.environ.get("NIN_DATA_DIR") or REPO.parent / "shared/data/fashion-mnist-subset")
needs_subset = pytest.mark.skipif(not (SUBSET / "FashionMNIST/raw").is_dir(),
                                  reason=f"Fashion-MNIST subset not found at {SUBSET}; set NIN_DATA_DIR")


def number(text: str) -> float:
    return float(re.search(r"-?[0-9][0-9,]*\.?[0-9]*", text).group().replace(",", ""))


def table_rows(section: str, first_header: str) -> list[list[str]]:
    """The body rows of the markdown table in ``section`` whose header starts with ``first_header``."""
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """One smoke run (about 30-50 s on 2 shared cores): its exit status, output, report and folders."""
    if not (SUBSET / "FashionMNIST/raw").is_dir():
        pytest.skip(f"Fashion-MNIST subset not found at {SUBSET}; set NIN_DATA_DIR")
    tmp = tmp_path_factory.mktemp("gpu_report")
    committed = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (REPO / "notebooks").glob("*.ipynb")}
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks/gpu_report.py"), "--smoke", "--out",
                           str(tmp / "GPU.md"), "--executed-dir", str(tmp / "executed")],
                          capture_output=True, text=True, timeout=600, env=dict(os.environ, NIN_DATA_DIR=str(SUBSET)))
    report = (tmp / "GPU.md").read_text() if (tmp / "GPU.md").exists() else ""
    sections = dict(re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", report, flags=re.M | re.S))
    return {"proc": proc, "report": report, "sections": sections, "tmp": tmp, "committed": committed}


def test_smoke_run_succeeds_and_fills_every_section(smoke):
    proc = smoke["proc"]
    assert proc.returncode == 0, f"gpu_report --smoke failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert smoke["report"].startswith("# GPU report (SMOKE MODE")
    assert list(smoke["sections"]) == gpu_report.SECTIONS + ["Figures as data"]
    for title, body in smoke["sections"].items():
        assert "_not run_" not in body and "FAILED" not in body, f"section {title!r}:\n{body}"
    assert "--smoke" in smoke["report"].split("\n\n")[1]  # the command that made it is recorded
    machine = dict(table_rows(smoke["sections"][gpu_report.SECTIONS[0]], "what"))
    assert machine["torch"] and machine["d2l"] != "not installed"
    assert "training on" in machine["what our train() used (its own line)"]


def test_smoke_speed_ratio_is_ours_over_d2l_as_printed(smoke):
    section = smoke["sections"][gpu_report.SECTIONS[1]]
    summary = {row[0].split()[0].rstrip(":"): row for row in table_rows(section, "side")}
    d2l, ours = number(summary["d2l.train_ch6"][1]), number(summary["ours"][1])
    printed = number(re.search(r"ratio ours/d2l: ([0-9.]+)x", section).group(1))
    # The printed rates carry one decimal: the ratio must lie within what that rounding allows.
    low, high = (ours - 0.05) / (d2l + 0.05), (ours + 0.05) / (d2l - 0.05)
    assert low - 0.005 <= printed <= high + 0.005, (printed, ours, d2l)
    rounds = table_rows(section, "round")
    for side, label in [("d2l", "d2l.train_ch6"), ("ours", "ours")]:
        rates = [number(r[2]) for r in rounds if r[1] == side]
        assert rates and statistics.median(rates) == pytest.approx(number(summary[label][1]), abs=0.051)
        assert all(0 <= number(r[3]) <= 1 for r in rounds if r[1] == side)
    data = json.loads(re.search(r"```json\n(.*)\n```", smoke["report"], flags=re.S).group(1))
    assert data["ratio"] == pytest.approx(data["ours_examples_per_sec"] / data["d2l_examples_per_sec"])
    assert round(data["ratio"], 2) == printed
    assert data["goal_met"] is (data["ratio"] >= 10 and data["ours_test_acc"] >= data["d2l_test_acc"])


def test_smoke_flops_are_three_forward_passes_times_the_rate(smoke):
    figures = dict(table_rows(smoke["sections"][gpu_report.SECTIONS[2]], "figure"))
    forward = number(figures["forward FLOPs per image (FlopCounterMode)"])
    assert number(figures["training FLOPs per image (3 x forward)"]) == pytest.approx(3 * forward, abs=0.002)
    data = json.loads(re.search(r"```json\n(.*)\n```", smoke["report"], flags=re.S).group(1))["hardware"]
    assert data["achieved_tflops"] == pytest.approx(3 * data["forward_flops"] * data["steady_examples_per_sec"] / 1e12)
    # FlopCounterMode's own count of forward + backward is close to the 3x rule (no input gradient at layer 1)
    assert 2.5 * data["forward_flops"] < data["counted_fwd_bwd_flops"] <= 3 * data["forward_flops"]
    variants = table_rows(smoke["sections"][gpu_report.SECTIONS[2]], "variant")
    assert len(variants) == 2 and all(row[-1] in ("reference", "ok") for row in variants), variants


def test_smoke_notebook_ran_on_a_copy(smoke):
    rows = table_rows(smoke["sections"][gpu_report.SECTIONS[3]], "notebook")
    assert [r[0] for r in rows] == ["03_nin_network.ipynb"] and rows[0][2] == "ok" and number(rows[0][1]) > 0
    executed = nbformat.read(smoke["tmp"] / "executed" / "03_nin_network.ipynb", as_version=4)
    assert [c.execution_count for c in executed.cells if c.cell_type == "code"][0] == 1
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (REPO / "notebooks").glob("*.ipynb")}
    assert after == smoke["committed"], "a committed notebook was written"


@pytest.mark.parametrize("argv, message", [
    (["--smoke", "--size", "20"], "20x20"),
    (["--smoke", "--rounds", "0"], "--rounds must be a positive integer"),
    (["--smoke", "--notebooks", "99"], "no notebook in notebooks/ starts with '99'"),
    (["--smoke", "--extras", "turbo"], "unknown extra 'turbo'"),
    (["--smoke", "--profile", "huge"], "--profile must be quick or full"),
])
def test_bad_arguments_are_refused_clearly(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        gpu_report.parse_args(argv)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_presets_fill_every_option():
    smoke = gpu_report.parse_args(["--smoke", "--notebooks", "none"])
    full = gpu_report.parse_args(["--notebooks", "none"])
    assert (smoke.size, smoke.rounds, full.size, full.batch_size) == (67, 1, 224, 128)
    assert gpu_report.parse_args(["--smoke", "--notebooks", "01,03"]).notebook_paths[1].name == "03_nin_network.ipynb"


@pytest.mark.parametrize("name, peak", [("NVIDIA H100 80GB HBM3", 989.0), ("NVIDIA H100 PCIe", 756.0),
                                        ("NVIDIA H200", 989.0), ("NVIDIA GH200 480GB", 989.0),
                                        ("NVIDIA L40S", 362.0), ("NVIDIA L4", 121.0), ("Tesla T4", None)])
def test_bf16_peak_by_device_name(name, peak):
    found, source = gpu_report.bf16_peak(name)
    assert found == peak and source


def test_notebook_04s_accuracy_line_is_found():
    """The report reads notebook 04's final test accuracy from its printed line; this is the contract."""
    nb = nbformat.read(REPO / "notebooks" / "04_training_nin.ipynb", as_version=4)
    acc = gpu_report.notebook_test_accuracy(nb)
    assert acc is not None and 0 < acc < 1, "notebook 04 no longer prints 'test accuracy: X on N images'"
    nb.cells.append(nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "stream", text="test accuracy: 0.912 on 10,000 images\n")]))
    assert gpu_report.notebook_test_accuracy(nb) == 0.912  # the last one printed
    assert gpu_report.notebook_test_accuracy(nbformat.v4.new_notebook()) is None


@needs_subset
def test_prepared_data_repeats_the_chosen_images(tmp_path):
    from nin_helpers import load_fashion_mnist

    root = prepare_data(SUBSET, tmp_path, n_train=10, n_test=7, tile=3)
    assert image_counts(root) == (30, 7)
    train, test = load_fashion_mnist(root, download=False)
    assert (train.data[:10] == train.data[10:20]).all() and (train.targets[:10] == train.targets[20:]).all()
    assert (test.data == load_fashion_mnist(SUBSET, download=False)[1].data[:7]).all()
    with pytest.raises(ValueError, match="tile must be a positive integer"):
        prepare_data(SUBSET, tmp_path, tile=0)


def test_wheel_list_covers_what_the_device_lacks():
    """benchmarks/gpu_wheels.txt: every package nbclient, ipykernel and d2l need is listed or on the device,
    and the pins agree with requirements*.txt (what `make env` installs and the tests run)."""
    lines = (REPO / "benchmarks" / "gpu_wheels.txt").read_text().splitlines()
    norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()  # noqa: E731
    listed = {norm(Requirement(line).name): str(Requirement(line).specifier)[2:]
              for line in lines if line.strip() and not line.startswith("#")}
    device = {norm(n) for n in next(line for line in lines if line.startswith("# device-has:")).split(":")[1].split()}
    missing, seen, todo = [], set(), ["nbclient", "nbformat", "ipykernel", "matplotlib-inline"]
    while todo:  # the requirement closure, as installed here; the device's own packages bring their own needs
        name = norm(todo.pop())
        if name in seen or name in device:
            continue
        seen.add(name)
        if name not in listed:
            missing.append(name)
        for req in map(Requirement, md.distribution(name).requires or []):
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    assert not missing, f"add to benchmarks/gpu_wheels.txt (NAME==installed version): {missing}"
    pins = {norm(Requirement(line).name): str(Requirement(line).specifier)[2:]
            for f in ("requirements.txt", "requirements-nodeps.txt")
            for line in (REPO / f).read_text().splitlines() if line.strip() and not line.startswith("#")}
    assert {n: v for n, v in listed.items() if n in pins and pins[n] != v} == {}
    assert all(n in listed for n in ("d2l", "nbclient", "ipykernel"))


def test_device_call_is_documented_and_its_folders_are_ignored():
    readme, ignored = (REPO / "README.md").read_text(), (REPO / ".gitignore").read_text().split()
    assert "bash benchmarks/gpu_device_run.sh" in readme and '".whl", ".gpu_data"' in readme
    assert "/.whl/" in ignored and "/.gpu_data/" in ignored  # the device tool carries ignored folders only
