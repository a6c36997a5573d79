"""Everything a GPU can tell us about the course, in one command, into one file (issue 14).

    make gpu-report                                    # any machine with a CUDA GPU and `make env`
    python3 benchmarks/gpu_report.py --smoke --out /tmp/GPU.md   # a CPU, tiny sizes, seconds (CI runs it)

Writes ``benchmarks/GPU.md`` (``--out``), rewritten after every step so that a run cut short keeps what it
measured:

1. machine and software: device, driver, torch/torchvision/d2l versions, bf16, what ``train`` used;
2. speed against d2l, in alternating rounds on the same device: ``d2l.train_ch6`` with d2l's
   ``load_data_fashion_mnist`` against our ``train`` with the device-resident loader (``compare.py``);
3. how close to the hardware: training FLOP/s (3 x forward FLOPs from ``FlopCounterMode`` x examples/s) as
   a fraction of the device's bf16 dense peak, a measured bf16 matmul for scale, and variants that
   ``train`` does not use (larger batches, ``torch.compile``, CUDA graphs), each a measured row;
4. every notebook executed top to bottom on the device (copies; the committed notebooks are never
   written), notebook 04 with ``NIN_PROFILE=full``: run times and 04's final test accuracy.

``--budget-s`` bounds the whole run: a step that would not fit is skipped and says so. The exit status
is 1 when any step failed (the report says which and why), 2 for bad arguments.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import (  # noqa: E402
    REPO,
    Run,
    alternate,
    choose_device,
    data_root,
    device_name,
    image_counts,
    prepare_data,
    run_d2l,
    run_ours,
    steady_examples_per_sec,
    summarise,
    train_settings_line,
)

from nin_helpers import load_fashion_mnist, nin  # noqa: E402

GOAL_RATIO = 10.0  # issue 14: on a GPU, ours >= 10x d2l's examples/s at equal or better accuracy
# Dense bf16 tensor-core peaks in TFLOP/s. NVIDIA's datasheets print the figure "with sparsity"; dense is
# half of it. The first name found in torch.cuda.get_device_name() wins, so longer names come first.
BF16_DENSE_PEAKS: list[tuple[str, float, str]] = [
    ("H100 PCIe", 756.0, "NVIDIA H100 datasheet, PCIe: 1,513 TFLOP/s BF16 with sparsity"),
    ("H100 NVL", 835.0, "NVIDIA H100 NVL datasheet: 1,671 TFLOP/s BF16 with sparsity"),
    ("H200 NVL", 835.0, "NVIDIA H200 datasheet, NVL: 1,671 TFLOP/s BF16 with sparsity"),
    ("GH200", 989.0, "NVIDIA GH200 datasheet: 1,979 TFLOP/s BF16 with sparsity"),
    ("H200", 989.0, "NVIDIA H200 datasheet, SXM: 1,979 TFLOP/s BF16 with sparsity (the H100 SXM's chip)"),
    ("H100", 989.0, "NVIDIA H100 datasheet, SXM5: 1,979 TFLOP/s BF16 with sparsity"),
    ("A100", 312.0, "NVIDIA A100 datasheet: 624 TFLOP/s BF16 with sparsity"),
    ("L40S", 362.0, "NVIDIA L40S datasheet: 733 TFLOP/s BF16 with sparsity"),
    ("L40", 181.0, "NVIDIA L40 datasheet: 362 TFLOP/s BF16 with sparsity"),
    ("L4", 121.0, "NVIDIA L4 datasheet: 242 TFLOP/s BF16 with sparsity"),
]
# What one run looks like. Full: d2l's chapter setting. Smoke: the smallest run that still goes through
# every code path (d2l's train_ch6 needs >= 5 batches), in seconds on a 2-core CPU.
PRESETS = {
    "full": dict(size=224, batch_size=128, n_train=None, n_test=None, train_images=24_000, epochs=3, rounds=2,
                 notebooks="all", profile="full", extras="batch256,batch512,compile,cudagraphs", matmul=8192,
                 budget_s=510.0),
    "smoke": dict(size=67, batch_size=8, n_train=40, n_test=16, train_images=0, epochs=1, rounds=1,
                  notebooks="03", profile="quick", extras="batch40", matmul=256, budget_s=300.0),
}
SECTIONS = ["1. Machine and software", "2. Speed: d2l.train_ch6 against our train",
            "3. How close to the hardware", "4. Notebooks on this device"]


class Report:
    """The markdown file, its sections in a fixed order whatever order they are measured in, and a JSON
    block of the same figures at the end (what a session reads to fill the README's GPU column)."""

    def __init__(self, path: Path, header: str):
        self.path, self.header = path, header
        self.sections = {title: "_not run_" for title in SECTIONS}
        self.data: dict = {}
        self.failures: list[str] = []

    def set(self, title: str, body: str, **data) -> None:
        self.sections[title] = body
        self.data.update(data)
        self.write()

    def write(self) -> None:
        parts = [self.header] + [f"## {title}\n\n{body}" for title, body in self.sections.items()]
        parts.append("## Figures as data\n\n```json\n" + json.dumps(self.data, indent=1, sort_keys=True) + "\n```")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("\n\n".join(parts) + "\n")


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def flop_rate(flops_per_s: float) -> str:
    """A FLOP/s figure readable at a CPU's scale and a GPU's.

    >>> flop_rate(3.99e9), flop_rate(412.34e12)
    ('3.99 GFLOP/s', '412.3 TFLOP/s')
    """
    return f"{flops_per_s / 1e12:.1f} TFLOP/s" if flops_per_s >= 1e12 else f"{flops_per_s / 1e9:.2f} GFLOP/s"


def version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def nvidia_smi() -> dict[str, str]:
    """Name, driver, memory and power limit as nvidia-smi reports them; empty where there is none."""
    fields = ["name", "driver_version", "memory.total", "power.limit", "clocks.max.sm"]
    try:
        out = subprocess.run(["nvidia-smi", f"--query-gpu={','.join(fields)}", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    values = [v.strip() for v in out.splitlines()[0].split(",")] if out.strip() else []
    return dict(zip(fields, values)) if len(values) == len(fields) else {}


def bf16_peak(name: str) -> tuple[float | None, str]:
    """(dense bf16 TFLOP/s, where the number comes from) for a device name; (None, why) if unknown.

    >>> bf16_peak("NVIDIA H100 80GB HBM3")[0], bf16_peak("NVIDIA H100 PCIe")[0], bf16_peak("NVIDIA L40S")[0]
    (989.0, 756.0, 362.0)
    """
    for key, peak, source in BF16_DENSE_PEAKS:
        if key in name:
            return peak, source
    return None, f"no datasheet figure in gpu_report.BF16_DENSE_PEAKS for {name!r}"


def matmul_tflops(device: torch.device, n: int, reps: int = 10) -> float:
    """bf16 n x n x n matrix products per second, in TFLOP/s (2 n^3 each), after three warm-ups: what the
    device's matrix units reach on an easy, large problem, a yardstick for NiN's own rate."""
    a, b = (torch.randn(n, n, device=device, dtype=torch.bfloat16) for _ in range(2))
    for _ in range(3):
        a @ b
    sync(device)
    start = time.perf_counter()
    for _ in range(reps):
        a @ b
    sync(device)
    return 2 * n ** 3 * reps / (time.perf_counter() - start) / 1e12


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def nin_flops(size: int) -> tuple[int, int]:
    """(forward FLOPs, counted forward + backward FLOPs) of one image through NiN at ``size`` x ``size``,
    by ``torch.utils.flop_counter.FlopCounterMode`` (convolutions and matmuls, 2 FLOPs per multiply-add)."""
    from torch.utils.flop_counter import FlopCounterMode

    net, x = nin(), torch.zeros(1, 1, size, size)
    with FlopCounterMode(display=False) as forward:
        net(x)
    with FlopCounterMode(display=False) as both:
        net(x).sum().backward()
    return forward.get_total_flops(), both.get_total_flops()


class CompiledTraining(torch.nn.Module):
    """``net`` whose forward runs ``torch.compile``d only while training with gradients: ``train`` first
    initialises through hooks (``center_biases``, under ``no_grad``) and evaluates under ``inference_mode``;
    those stay eager, so compiling changes nothing but the training step. ``train`` itself is unchanged."""

    def __init__(self, net: torch.nn.Module, mode: str | None):
        super().__init__()
        self.net = net
        self.compiled = torch.compile(net, mode=mode, dynamic=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and torch.is_grad_enabled():
            return self.compiled(x)
        return self.net(x)


@contextlib.contextmanager
def kernel_environment(tmp: Path, profile: str) -> Iterator[str]:
    """A Jupyter kernelspec for this very interpreter, in a temporary JUPYTER_PATH, and the environment
    the kernel inherits: the repository on PYTHONPATH (nothing is installed on a lent device), the run
    profile, no MPLBACKEND (ours is Agg; a kernel must pick the inline backend) and a fresh checkpoint
    folder (where nin_helpers reads NIN_CHECKPOINT_DIR; else ``execute_notebook`` flags a resumed run).
    All restored afterwards."""
    name = "nin-gpu-report"
    spec = tmp / "jupyter" / "kernels" / name
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python (gpu_report)", "language": "python"}))
    saved = dict(os.environ)
    os.environ.pop("MPLBACKEND", None)
    os.environ.update({
        "JUPYTER_PATH": str(tmp / "jupyter"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1", "IPYTHONDIR": str(tmp / "ipython"), "NIN_PROFILE": profile,
        "NIN_CHECKPOINT_DIR": str(tmp / "checkpoints"),
        "PYTHONPATH": os.pathsep.join(p for p in [str(REPO), os.environ.get("PYTHONPATH", "")] if p)})
    try:
        yield name
    finally:
        os.environ.clear()
        os.environ.update(saved)


def notebook_test_accuracy(nb) -> float | None:
    """Notebook 04's final test accuracy, read from its outputs ("test accuracy: 0.737 on 1,000 images")."""
    found = None
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/plain", "")
            for match in re.finditer(r"test accuracy: ([0-9.]+) on [0-9,]+ images", "".join(text)):
                found = float(match.group(1))
    return found


def execute_notebook(path: Path, kernel: str, executed_dir: Path, timeout: float) -> dict:
    """Run a copy of ``path`` top to bottom in a fresh kernel, in the notebook's folder; save the copy in
    ``executed_dir``. Returns its time, status (ok / the error) and, where it prints one, test accuracy."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=max(1, int(timeout)), kernel_name=kernel, startup_timeout=120,
                            resources={"metadata": {"path": str(path.parent)}})
    start, status = time.perf_counter(), "ok"
    try:
        client.execute()
    except Exception as error:  # a failing notebook is a finding to report, not a reason to stop
        evalue = getattr(error, "evalue", "") or (str(error).strip().splitlines() or [""])[-1][:200]
        status = f"failed: {getattr(error, 'ename', type(error).__name__)}: {evalue}"
    seconds = time.perf_counter() - start
    executed_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, executed_dir / path.name)
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    if "resumed from" in text:  # train() resumed an old checkpoint: the time does not measure a run
        status = "invalid: resumed from an existing checkpoint (delete checkpoints/ and run again)"
    return {"notebook": path.name, "seconds": round(seconds, 1), "status": status,
            "test_acc": notebook_test_accuracy(nb)}


def select_notebooks(spec: str) -> list[Path]:
    """``all``, ``none`` or comma-separated prefixes of notebooks/*.ipynb names ("01,03")."""
    available = sorted((REPO / "notebooks").glob("*.ipynb"))
    if spec == "none":
        return []
    if spec == "all":
        return available
    chosen = []
    for token in filter(None, (t.strip() for t in spec.split(","))):
        matches = [p for p in available if p.name.startswith(token)]
        if not matches:
            raise ValueError(f"no notebook in notebooks/ starts with {token!r}; "
                             f"choose from {[p.name for p in available]}, 'all' or 'none'")
        chosen += [p for p in matches if p not in chosen]
    return chosen


def parse_extras(spec: str) -> list[str]:
    """Comma-separated variants: ``batchN`` (our train with batch N), ``compile``, ``cudagraphs``."""
    extras = [t.strip() for t in spec.split(",") if t.strip()]
    for extra in extras:
        if extra not in ("compile", "cudagraphs") and not re.fullmatch(r"batch[1-9][0-9]*", extra):
            raise ValueError(f"unknown extra {extra!r}: use batchN (e.g. batch512), compile or cudagraphs")
    return extras


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line, with every preset value filled in and checked (clear errors, exit status 2)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes on any device: proves the script works")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "GPU.md")
    parser.add_argument("--executed-dir", type=Path, default=REPO / "build" / "gpu-report",
                        help="where the executed notebook copies go")
    parser.add_argument("--device", default=None, help="default: CUDA, then MPS, then CPU")
    parser.add_argument("--seed", type=int, default=0)
    for key, kind, text in [("size", int, "image size"), ("batch-size", int, "batch size"),
                            ("n-train", int, "training images drawn from the data (default all)"),
                            ("n-test", int, "test images (default all)"),
                            ("train-images", int, "repeat the training images up to at least this many"),
                            ("epochs", int, "epochs per training run"), ("rounds", int, "alternating rounds"),
                            ("notebooks", str, "'all', 'none' or name prefixes: 01,03"),
                            ("profile", str, "NIN_PROFILE for the notebooks (quick or full)"),
                            ("extras", str, "variants: batchN, compile, cudagraphs ('' for none)"),
                            ("matmul", int, "n of the n x n x n bf16 matmul yardstick"),
                            ("budget-s", float, "seconds the whole run may take")]:
        parser.add_argument(f"--{key}", type=kind, default=None, help=text)
    args = parser.parse_args(argv)
    for key, value in PRESETS["smoke" if args.smoke else "full"].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    for key in ["size", "batch_size", "epochs", "rounds", "matmul"] + \
               [k for k in ("n_train", "n_test") if getattr(args, k) is not None]:
        if getattr(args, key) < 1:
            parser.error(f"--{key.replace('_', '-')} must be a positive integer, got {getattr(args, key)}")
    if args.train_images < 0 or args.budget_s <= 0:
        parser.error("--train-images must be >= 0 and --budget-s > 0")
    if args.profile not in ("quick", "full"):
        parser.error(f"--profile must be quick or full, got {args.profile!r}")
    try:
        args.notebook_paths, args.extra_list = select_notebooks(args.notebooks), parse_extras(args.extras)
        with torch.no_grad():  # NiN's own input check says why a size is too small
            nin()(torch.zeros(1, 1, args.size, args.size))
    except ValueError as error:
        parser.error(str(error))
    needed = ["d2l"] + (["nbclient", "ipykernel", "nbformat"] if args.notebook_paths else [])
    missing = [m for m in needed if importlib.util.find_spec(m) is None]
    if missing:
        parser.error(f"missing Python packages {missing}: run `make env`, or on a lent device install the "
                     f"wheels that `make gpu-prep` put in .whl/ (see README, 'GPU report')")
    return args


def section_machine(device: torch.device, settings_line: str) -> tuple[str, dict]:
    smi = nvidia_smi() if device.type == "cuda" else {}
    bf16 = torch.cuda.is_bf16_supported(including_emulation=False) if device.type == "cuda" else None
    rows = [["device", f"{device} ({device_name(device)})"],
            ["driver (nvidia-smi)", smi.get("driver_version", "n/a")],
            ["GPU memory, power limit, max SM clock (nvidia-smi)",
             ", ".join(smi[k] for k in ("memory.total", "power.limit", "clocks.max.sm")) if smi else "n/a"],
            ["CUDA (torch built with), cuDNN", f"{torch.version.cuda}, {torch.backends.cudnn.version()}"],
            ["Python", platform.python_version()], ["torch", torch.__version__],
            ["torchvision", version("torchvision")], ["d2l", version("d2l")],
            ["nbclient, ipykernel", f"{version('nbclient')}, {version('ipykernel')}"],
            ["bf16 on the device (torch.cuda.is_bf16_supported, no emulation)",
             "n/a (no GPU)" if bf16 is None else bf16],
            ["what our train() used (its own line)", f"`{settings_line}`"],
            ["CPU", f"{device_name(torch.device('cpu'))}, torch threads {torch.get_num_threads()}"]]
    data = {"device": device_name(device), "device_type": device.type, "driver": smi.get("driver_version"),
            "torch": torch.__version__, "torchvision": version("torchvision"), "python": platform.python_version(),
            "bf16_supported": bf16, "train_settings": settings_line}
    return table(["what", "value"], rows), data


def section_speed(args: argparse.Namespace, n_train: int, n_test: int, tile: int, results: dict[str, list[Run]],
                  note: str) -> tuple[str, dict]:
    c = summarise(results)
    per_round = [[i + 1, r.side, f"{r.examples_per_sec:.1f}", f"{r.test_acc:.3f}", f"{r.seconds:.1f}", r.own_report]
                 for i in range(len(results["ours"])) for r in (results["d2l"][i], results["ours"][i])]
    met = c.ratio >= GOAL_RATIO and c.acc["ours"] >= c.acc["d2l"]
    body = "\n\n".join([
        f"NiN, {args.size}x{args.size}, batch {args.batch_size}, {args.epochs} epochs per run, {n_train:,} training "
        f"images ({n_train // tile:,} distinct, repeated {tile}x for steady state), {n_test:,} test images; "
        f"{len(results['ours'])} alternating rounds. d2l side: `d2l.train_ch6(net, *d2l.load_data_fashion_mnist("
        f"{args.batch_size}, resize={args.size}), {args.epochs}, 0.1, device)` as d2l ships it (PIL Resize + "
        f"ToTensor in 4 DataLoader workers, float32, torch's default cuDNN/TF32 switches). Our side: "
        f"`train(nin(), *fashion_mnist_loaders(...), recipe='ours')`. Examples/s = training examples / wall-clock "
        f"of the whole training call (data, training, per-epoch test evaluation)." + (f" {note}." if note else ""),
        table(["round", "side", "examples/s (wall-clock)", "test acc", "seconds", "the side's own report"], per_round),
        table(["side", "examples/s (median)", "test acc (mean)"],
              [["d2l.train_ch6 + d2l DataLoader", f"{c.speed['d2l']:.1f}", f"{c.acc['d2l']:.3f}"],
               ["ours: train + DeviceLoader", f"{c.speed['ours']:.1f}", f"{c.acc['ours']:.3f}"]]),
        f"**ratio ours/d2l: {c.ratio:.2f}x** (per round: {', '.join(f'{r:.2f}x' for r in c.paired)}). "
        f"Goal on a GPU: >= {GOAL_RATIO:g}x at equal or better accuracy: **{'met' if met else 'not met'}**"
        + ("" if results["ours"][0].history.device.startswith("cuda") else " (this run is not on a GPU)") + "."])
    return body, {"d2l_examples_per_sec": c.speed["d2l"], "ours_examples_per_sec": c.speed["ours"],
                  "ratio": c.ratio, "d2l_test_acc": c.acc["d2l"], "ours_test_acc": c.acc["ours"], "goal_met": met,
                  "speed_setting": {"size": args.size, "batch_size": args.batch_size, "epochs": args.epochs,
                                    "train_images": n_train, "tile": tile, "test_images": n_test,
                                    "rounds": len(results["ours"])}}


def variant_row(name: str, run: Run | None, train_flops: int, peak: float | None, note: str) -> tuple[list, dict]:
    if run is None:
        return [name, "-", "-", "-", "-", "-", note], {"variant": name, "note": note}
    steady = steady_examples_per_sec(run.history)
    tflops = train_flops * steady / 1e12
    row = [name, f"{steady:.1f}", flop_rate(tflops * 1e12), f"{100 * tflops / peak:.1f}%" if peak else "n/a",
           f"{run.examples_per_sec:.1f}", f"{run.test_acc:.3f}", note]
    return row, {"variant": name, "steady_examples_per_sec": steady, "train_tflops": tflops,
                 "wall_examples_per_sec": run.examples_per_sec, "test_acc": run.test_acc, "note": note}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    start = time.monotonic()
    deadline = start + args.budget_s
    device = choose_device(args.device)
    mode = "smoke" if args.smoke else "full"
    command = "python " + " ".join([str(Path(sys.argv[0]))] + (sys.argv[1:] if argv is None else argv))
    smoke_note = " (SMOKE MODE: tiny sizes, proves the script runs; the figures mean nothing)" if args.smoke else ""
    date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    header = (f"# GPU report{smoke_note}\n\nMeasured {date} on {device_name(device)} by `{command}` "
              f"(`benchmarks/gpu_report.py`, mode {mode}); every figure below was measured in this run. "
              + ("" if device.type == "cuda" else
                 f"**No GPU: this run measured a {device.type.upper()}**, so the GPU goals do not apply."))
    report = Report(args.out, header)
    report.data.update(mode=mode, command=command, date_utc=date)
    report.write()
    print(f"gpu_report ({mode}) on {device} ({device_name(device)}); writing {args.out}", flush=True)

    def step(title: str, fn) -> None:
        """Run one part; a failure is written into the report and the run goes on to the next part."""
        try:
            fn()
        except Exception:
            report.failures.append(title)
            report.set(title, "**FAILED**\n\n```\n" + traceback.format_exc()[-3000:] + "```")
            print(f"{title}: FAILED\n{traceback.format_exc()}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="nin-gpu-report-") as tmp_name:
        tmp = Path(tmp_name)
        n_available = len(load_fashion_mnist(data_root())[0])  # distinct training images in the data folder
        n_source = min(n_available, args.n_train or n_available)
        tile = max(1, math.ceil(args.train_images / n_source))
        root = prepare_data(data_root(), tmp / "data", args.n_train, args.n_test, tile, args.seed)
        n_train, n_test = image_counts(root)
        if math.ceil(n_train / args.batch_size) < 5:  # train_ch6 divides by num_batches // 5
            raise SystemExit(f"d2l.train_ch6 needs at least 5 batches per epoch: {n_train} training images make "
                             f"{math.ceil(n_train / args.batch_size)} batches of {args.batch_size}; use more "
                             f"images (--n-train, --train-images) or a smaller --batch-size")
        state: dict = {}

        def speed() -> None:
            def say(r: int, run: Run) -> None:
                print(f"  round {r} {run.side:4s}: {run.examples_per_sec:8.1f} examples/s wall-clock, "
                      f"test acc {run.test_acc:.3f} ({run.own_report})", flush=True)
            sides = {"d2l": lambda: run_d2l(root, args.batch_size, args.size, args.epochs, device, seed=args.seed),
                     "ours": lambda: run_ours(root, args.batch_size, args.size, args.epochs, device, args.seed)}
            # The speed rounds may use up to half of what is left: the notebooks and variants come after.
            results, note = alternate(args.rounds, sides, time.monotonic() + (deadline - time.monotonic()) / 2, say)
            state["ours"] = results["ours"]
            body, data = section_speed(args, n_train, n_test, tile, results, note)
            report.set(SECTIONS[1], body, **data)
            print(body.split("\n\n")[-1], flush=True)

        step(SECTIONS[1], speed)
        settings = train_settings_line(state["ours"][0].printed) if "ours" in state else "(no run of ours)"
        def machine() -> None:
            body, data = section_machine(device, settings)
            report.set(SECTIONS[0], body, **data)

        step(SECTIONS[0], machine)

        hardware: dict = {"rows": [], "data": []}

        def write_hardware() -> None:
            h = hardware
            body = "\n\n".join([
                table(["figure", "value"], h["figures"]),
                "Variants of our side (same data and epochs; `train` itself unchanged). Steady = median "
                "examples/s of `train`'s epochs after the first, evaluation excluded; TFLOP/s = 3 x forward "
                "FLOPs x steady examples/s:",
                table(["variant", "steady examples/s", "training FLOP/s", "of bf16 dense peak",
                       "wall-clock examples/s", "test acc", "note"], h["rows"])])
            report.set(SECTIONS[2], body, hardware=h["summary"], variants=h["data"])

        def flops() -> None:
            if "ours" not in state:
                raise RuntimeError("needs our side's runs from section 2, which failed")
            forward, counted = nin_flops(args.size)
            train_flops = 3 * forward
            peak, source = bf16_peak(device_name(device)) if device.type == "cuda" else (None, "no peak: not a GPU")
            matmul = matmul_tflops(device, args.matmul)
            steady = statistics.median(steady_examples_per_sec(r.history) for r in state["ours"])
            achieved = train_flops * steady / 1e12
            hardware.update(train_flops=train_flops, peak=peak, figures=[
                ["forward FLOPs per image (FlopCounterMode)", f"{forward / 1e9:.3f} GFLOP"],
                ["training FLOPs per image (3 x forward)", f"{train_flops / 1e9:.3f} GFLOP"],
                ["forward + backward FLOPs counted by FlopCounterMode (cross-check; no input gradient "
                 "for the first layer)", f"{counted / 1e9:.3f} GFLOP"],
                ["ours, steady examples/s (section 2's runs, median)", f"{steady:.1f}"],
                ["achieved training FLOP/s (3 x forward x steady examples/s)", flop_rate(achieved * 1e12)],
                ["bf16 dense peak of this device", f"{peak:g} TFLOP/s ({source})" if peak else source],
                ["fraction of the bf16 dense peak", f"{100 * achieved / peak:.1f}%" if peak else "n/a"],
                [f"measured bf16 matmul {args.matmul}^3 (yardstick)", flop_rate(matmul * 1e12)],
                ["fraction of the measured matmul rate", f"{100 * achieved / matmul:.1f}%"]],
                summary={"forward_flops": forward, "train_flops_per_image": train_flops,
                         "counted_fwd_bwd_flops": counted, "steady_examples_per_sec": steady,
                         "achieved_tflops": achieved, "peak_tflops": peak, "peak_source": source,
                         "fraction_of_peak": achieved / peak if peak else None, "matmul_tflops": matmul,
                         "fraction_of_matmul": achieved / matmul})
            reference = min(state["ours"], key=lambda r: abs(steady_examples_per_sec(r.history) - steady))
            row, data = variant_row(f"batch {args.batch_size} (section 2)", reference, train_flops, peak, "reference")
            hardware["rows"].append(row)
            hardware["data"].append(data)
            write_hardware()

        step(SECTIONS[2], flops)

        nb_rows: list[dict] = []

        def write_notebooks() -> None:
            rows = [[r["notebook"], f"{r['seconds']:.1f}" if r.get("seconds") is not None else "-", r["status"],
                     "-" if r.get("test_acc") is None else f"{r['test_acc']:.3f}"] for r in nb_rows]
            nb04 = [r for r in nb_rows if r["notebook"].startswith("04")]
            lead = (f"Each notebook executed top to bottom in a fresh kernel of this Python "
                    f"({platform.python_version()}) with nbclient, `NIN_PROFILE={args.profile}`, data from "
                    f"`NIN_DATA_DIR` ({n_available:,} training images there). Run time includes the kernel's start. "
                    f"Executed copies: `{args.executed_dir}`; the committed notebooks were not written.")
            if nb04 and nb04[0].get("seconds") is not None:
                lead += (f"\n\n**Notebook 04, profile {args.profile}: {nb04[0]['seconds']:.1f} s, final test accuracy "
                         f"{'n/a' if nb04[0]['test_acc'] is None else format(nb04[0]['test_acc'], '.3f')}** "
                         f"({nb04[0]['status']}).")
            report.set(SECTIONS[3], lead + "\n\n" + table(["notebook", "seconds", "status", "test acc"], rows),
                       notebooks=nb_rows)

        def notebooks() -> None:
            # 04 first: it matters most, and the budget may not reach the last one
            ordered = sorted(args.notebook_paths, key=lambda p: not p.name.startswith("04"))
            with kernel_environment(tmp / "kernel", args.profile) as kernel:
                for path in ordered:
                    left = deadline - time.monotonic()
                    if left < 30:
                        nb_rows.append({"notebook": path.name, "seconds": None, "status": "skipped: time budget",
                                        "test_acc": None})
                    else:
                        print(f"executing {path.name} ...", flush=True)
                        nb_rows.append(execute_notebook(path, kernel, args.executed_dir, left - 10))
                        print(f"  {nb_rows[-1]}", flush=True)
                    nb_rows.sort(key=lambda r: r["notebook"])
                    write_notebooks()
            if not nb_rows:
                write_notebooks()
            bad = [r for r in nb_rows if not r["status"].startswith(("ok", "skipped"))]
            if bad:
                report.failures.append(SECTIONS[3] + ": " + ", ".join(r["notebook"] for r in bad))

        step(SECTIONS[3], notebooks)

        def variants() -> None:
            needs = {"compile": 150, "cudagraphs": 150}  # seconds a variant needs at least (compiling)
            for extra in args.extra_list:
                left = deadline - time.monotonic()
                run, note = None, "ok"
                if left < needs.get(extra, 30):
                    note = f"skipped: {left:.0f} s of the time budget left"
                else:
                    try:
                        if extra.startswith("batch"):
                            run = run_ours(root, int(extra[5:]), args.size, args.epochs, device, args.seed,
                                           side=extra)
                        else:
                            net = CompiledTraining(nin(), None if extra == "compile" else "reduce-overhead")
                            run = run_ours(root, args.batch_size, args.size, args.epochs, device, args.seed,
                                           net=net, side=extra)
                            note = "first epoch includes compiling: " + (
                                f"{run.history.epochs[0]['seconds']:.1f} s" if run.history.epochs else "?")
                    except Exception as error:  # a variant that does not work is a finding too
                        note = f"failed: {type(error).__name__}: {str(error).strip()[:200]}"
                label = {"compile": f"torch.compile, batch {args.batch_size}",
                         "cudagraphs": f"torch.compile mode=reduce-overhead (CUDA graphs), batch {args.batch_size}"
                         }.get(extra, f"batch {extra[5:]}")
                row, data = variant_row(label, run, hardware["train_flops"], hardware["peak"], note)
                hardware["rows"].append(row)
                hardware["data"].append(data)
                write_hardware()
                print(f"  variant {row}", flush=True)

        if "train_flops" in hardware:
            step(SECTIONS[2], variants)

    report.data.update(failures=report.failures, seconds_total=round(time.monotonic() - start, 1))
    report.write()
    print(f"wrote {args.out} in {time.monotonic() - start:.0f} s; failures: {report.failures or 'none'}", flush=True)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
