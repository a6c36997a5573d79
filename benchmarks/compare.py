"""d2l's ``train_ch6`` with d2l's own data pipeline against our ``train`` with the device-resident loader,
on the same NiN and the same images, in alternating rounds. Shared by ``bench_train.py`` and ``gpu_report.py``.

Both sides read one Fashion-MNIST folder that ``prepare_data`` writes: the chosen training images
(optionally repeated, so that a small subset still gives epochs long enough for steady state) and the
test images, in torchvision's raw layout. d2l's ``load_data_fashion_mnist`` is called as d2l ships it
(PIL ``Resize`` + ``ToTensor`` in 4 DataLoader workers); it hardcodes ``root="../data"``, so it runs
from a working directory whose ``../data`` is that folder.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:  # doctest: +SKIP
...     root = prepare_data(data_root(), tmp, n_train=256, tile=4)
...     ours = run_ours(root, batch_size=128, size=96, epochs=1, device=torch.device("cpu"))
>>> ours.examples  # doctest: +SKIP
1024
"""
from __future__ import annotations

import contextlib
import io
import os
import platform
import re
import statistics
import struct
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The repository on sys.path: on a lent GPU machine nin_helpers is not installed, only carried.
from nin_helpers import History, choose_device, data_root, fashion_mnist_loaders, load_fashion_mnist, nin, train  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
# torch's global switches as a fresh process has them. Our train() turns on cudnn.benchmark and TF32 for
# the whole process; d2l's side is put back to these before each of its runs, so every d2l round runs as
# d2l does in its own process, whichever side ran before it.
_BACKEND_DEFAULTS = {"cudnn.benchmark": torch.backends.cudnn.benchmark,
                     "cudnn.allow_tf32": torch.backends.cudnn.allow_tf32,
                     "matmul.allow_tf32": torch.backends.cuda.matmul.allow_tf32}


@dataclass
class Run:
    """One training call of one side: examples/s is examples over the wall-clock of the whole call."""
    side: str
    seconds: float
    examples: int
    test_acc: float
    own_report: str  # the side's own speed line (d2l's timer leaves out data waits; ours leaves out evaluation)
    printed: str = ""  # everything the call printed
    history: History | None = None  # ours only
    extra: dict = field(default_factory=dict)

    @property
    def examples_per_sec(self) -> float:
        return self.examples / self.seconds


def _write_idx(path: Path, array: torch.Tensor) -> None:
    """A uint8 tensor as an IDX file, the format of Fashion-MNIST's raw files (magic 2051 images, 2049 labels)."""
    magic = 2051 if array.dim() == 3 else 2049
    with open(path, "wb") as f:
        f.write(struct.pack(f">{1 + array.dim()}i", magic, *array.shape))
        f.write(array.contiguous().numpy().tobytes())


def prepare_data(source: str | Path, dest: str | Path, n_train: int | None = None, n_test: int | None = None,
                 tile: int = 1, seed: int = 0) -> Path:
    """Write ``dest/data/FashionMNIST/raw`` with ``n_train`` training images drawn (seeded) from ``source``
    and repeated ``tile`` times, and the first ``n_test`` test images; return ``dest/data``.

    Repeating images does not make a bigger data set, only longer epochs: enough steps to time steady state.
    """
    for name, value in [("n_train", n_train), ("n_test", n_test), ("tile", tile)]:
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise ValueError(f"{name} must be a positive integer or None, got {value!r}")
    train_set, test_set = load_fashion_mnist(source)
    keep = torch.randperm(len(train_set), generator=torch.Generator().manual_seed(seed))[:n_train].sort().values
    raw = Path(dest) / "data" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    _write_idx(raw / "train-images-idx3-ubyte", train_set.data[keep].repeat(tile, 1, 1))
    _write_idx(raw / "train-labels-idx1-ubyte", train_set.targets[keep].to(torch.uint8).repeat(tile))
    _write_idx(raw / "t10k-images-idx3-ubyte", test_set.data[:n_test])
    _write_idx(raw / "t10k-labels-idx1-ubyte", test_set.targets[:n_test].to(torch.uint8))
    (Path(dest) / "work").mkdir(exist_ok=True)
    return Path(dest) / "data"


def image_counts(root: Path) -> tuple[int, int]:
    """Training and test images in a folder that ``prepare_data`` wrote (a label file is 8 bytes + 1 per image)."""
    raw = Path(root) / "FashionMNIST" / "raw"
    return tuple((raw / f"{part}-labels-idx1-ubyte").stat().st_size - 8 for part in ("train", "t10k"))


@contextlib.contextmanager
def _working_dir(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def d2l_loaders(root: Path, batch_size: int, size: int):
    """``d2l.load_data_fashion_mnist(batch_size, resize=size)`` itself, reading ``root`` (a folder that
    ``prepare_data`` returned): d2l looks in ``../data``, so it is called from ``root/../work``."""
    os.environ.setdefault("MPLBACKEND", "Agg")  # before d2l imports pyplot: its Animator needs no window
    import d2l.torch as d2l

    with _working_dir(Path(root).parent / "work"), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="This DataLoader will create")  # see run_d2l
        return d2l.load_data_fashion_mnist(batch_size, resize=size)


def restore_backend_defaults() -> None:
    """Put torch's global cuDNN/TF32 switches back to a fresh process's values (see ``_BACKEND_DEFAULTS``)."""
    torch.backends.cudnn.benchmark = _BACKEND_DEFAULTS["cudnn.benchmark"]
    torch.backends.cudnn.allow_tf32 = _BACKEND_DEFAULTS["cudnn.allow_tf32"]
    torch.backends.cuda.matmul.allow_tf32 = _BACKEND_DEFAULTS["matmul.allow_tf32"]


def run_d2l(root: Path, batch_size: int, size: int, epochs: int, device: torch.device, lr: float = 0.1,
            seed: int = 0) -> Run:
    """``d2l.train_ch6`` on NiN (d2l's chapter: SGD, lr 0.1, Xavier init, float32) with d2l's loaders."""
    import d2l.torch as d2l

    train_iter, test_iter = d2l_loaders(root, batch_size, size)
    if len(train_iter) < 5:  # train_ch6 computes i % (num_batches // 5): fewer batches divide by zero
        raise ValueError(f"d2l.train_ch6 needs at least 5 batches per epoch, got {len(train_iter)}; "
                         f"use more training images or a smaller batch")
    restore_backend_defaults()
    torch.manual_seed(seed)
    net, out = nin(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():  # d2l prints its figure's repr in a script
        # d2l asks for 4 DataLoader workers whatever the machine; torch warns on a small one. That is d2l's setup.
        warnings.filterwarnings("ignore", message="This DataLoader will create")
        warnings.filterwarnings("ignore", message="Attempting to set identical low and high xlims")  # 1 epoch
        d2l.train_ch6(net, train_iter, test_iter, epochs, lr, device)
    seconds = time.perf_counter() - start
    lines = out.getvalue().splitlines()
    acc_line = [s for s in lines if s.startswith("loss ")][-1]
    own = [s for s in lines if "examples/sec" in s][-1]
    return Run("d2l", seconds, len(train_iter.dataset) * epochs, float(acc_line.split("test acc ")[-1]),
               own.strip(), out.getvalue())


def run_ours(root: Path, batch_size: int, size: int, epochs: int, device: torch.device, seed: int = 0,
             net: torch.nn.Module | None = None, side: str = "ours") -> Run:
    """Our ``train`` (recipe "ours") with ``fashion_mnist_loaders`` over ``root``; ``net`` defaults to ``nin()``."""
    train_iter, test_iter = fashion_mnist_loaders(batch_size, size, device=device, seed=seed, root=root)
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        history = train(net if net is not None else nin(), train_iter, test_iter, epochs, recipe="ours",
                        device=device, seed=seed, plot=False, progress=False)
    seconds = time.perf_counter() - start
    return Run(side, seconds, sum(r["examples"] for r in history.epochs), history.epochs[-1]["test_acc"],
               f"{history.examples_per_sec:.1f} examples/sec on {history.device}", out.getvalue(), history)


def steady_examples_per_sec(history: History) -> float:
    """Median examples/s of ``train``'s epochs after the first (which also pays for warm-up: cuDNN's kernel
    search, allocations, compilation); the only epoch's rate when there is one. Evaluation is not in it."""
    rates = [row["examples_per_sec"] for row in history.epochs]
    return statistics.median(rates[1:] if len(rates) > 1 else rates)


def alternate(rounds: int, sides: dict[str, Callable[[], Run]], deadline: float | None = None,
              report: Callable[[int, Run], None] | None = None) -> tuple[dict[str, list[Run]], str]:
    """Run each side once per round, the order flipping every round, so that a load on a shared machine
    hits both alike. Before each round after the first, stop if the last round's time would overrun
    ``deadline`` (a ``time.monotonic()`` value). Returns the runs per side and a note on stopping."""
    results: dict[str, list[Run]] = {name: [] for name in sides}
    names, note, last_round = list(sides), "", 0.0
    for r in range(rounds):
        round_start = time.monotonic()
        if r > 0 and deadline is not None and round_start + last_round > deadline:
            note = f"stopped after {r} of {rounds} rounds: the time budget would not fit another"
            break
        for name in (names if r % 2 == 0 else names[::-1]):
            run = sides[name]()
            results[name].append(run)
            if report:
                report(r + 1, run)
        last_round = time.monotonic() - round_start
    return results, note


@dataclass
class Comparison:
    """Medians of the rounds: examples/s (wall-clock), mean test accuracy, the ratio ours/d2l."""
    speed: dict[str, float]
    acc: dict[str, float]
    paired: list[float]  # ours/d2l of each round's back-to-back runs

    @property
    def ratio(self) -> float:
        return self.speed["ours"] / self.speed["d2l"]


def summarise(results: dict[str, list[Run]]) -> Comparison:
    speed = {side: statistics.median(r.examples_per_sec for r in runs) for side, runs in results.items()}
    acc = {side: statistics.mean(r.test_acc for r in runs) for side, runs in results.items()}
    paired = [o.examples_per_sec / d.examples_per_sec for d, o in zip(results["d2l"], results["ours"])]
    return Comparison(speed, acc, paired)


def device_name(device: torch.device) -> str:
    """The GPU's name, or the CPU's model name and core count."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    cpuinfo = Path("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
              if line.startswith("model name")] if cpuinfo.exists() else []
    return f"{models[0] if models else platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def train_settings_line(printed: str) -> str:
    """The line where ``train`` says what it used ("training on cuda (channels_last=True, autocast=...)")."""
    found = re.findall(r"^training on .*$", printed, flags=re.M)
    return found[0] if found else "(train() printed no 'training on' line)"


__all__ = ["Run", "Comparison", "data_root", "prepare_data", "image_counts", "d2l_loaders", "run_d2l", "run_ours",
           "alternate", "summarise", "steady_examples_per_sec", "device_name", "train_settings_line", "choose_device"]
