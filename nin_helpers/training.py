"""Train NiN (notebook 04): device choice, the recipe table, the epoch loop, resumable checkpoints.

A recipe is a row of ``RECIPES``: how to initialise the weights, which optimiser, learning rate,
warm-up and schedule. ``train`` reads the row, so "d2l's recipe" and "ours" are the same loop.

>>> choose_device("cpu")
device(type='cpu')
>>> list(RECIPES)[0], list(RECIPES)[-1], RECIPES["ours"]["optimizer"]
('d2l', 'ours', 'sgd')
"""
from __future__ import annotations

import math
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F
from tqdm import tqdm

from nin_helpers.initialization import center_biases, equal_class_scores, init_weights
from nin_helpers.validation import check_positive_int

# init: how to draw the weights; center: then shift every conv bias on one batch (center_biases);
# equal_scores: then start every class score at the same positive value (equal_class_scores);
# optimizer, peak lr, momentum (SGD), weight decay; warm-up epochs (linear from ~0); schedule after it.
_SGD = dict(optimizer="sgd", momentum=0.0, weight_decay=0.0)
_ADAMW = dict(optimizer="adamw", lr=1e-3, momentum=0.0, weight_decay=0.05, warmup_epochs=1, schedule="cosine")
_SGD_MOMENTUM = dict(optimizer="sgd", lr=0.01, momentum=0.9, weight_decay=5e-4, warmup_epochs=1,
                     schedule="cosine")
RECIPES: dict[str, dict] = {
    # d2l's chapter: Xavier-uniform weights, plain SGD at a constant 0.1.
    "d2l": dict(init="xavier", center=False, equal_scores=False, **_SGD, lr=0.1, warmup_epochs=0,
                schedule="constant"),
    # The rows in between change one thing at a time; benchmarks/RESULTS.md measures each.
    "d2l+warmup": dict(init="xavier", center=False, equal_scores=False, **_SGD, lr=0.1, warmup_epochs=1,
                       schedule="constant"),
    "d2l+centered": dict(init="xavier", center=True, equal_scores=False, **_SGD, lr=0.1, warmup_epochs=0,
                         schedule="constant"),
    "adamw": dict(init="kaiming", center=False, equal_scores=False, **_ADAMW),
    "adamw+centered": dict(init="kaiming", center=True, equal_scores=False, **_ADAMW),
    "sgd-momentum": dict(init="kaiming", center=False, equal_scores=False, **_SGD_MOMENTUM),
    "sgd-momentum+centered": dict(init="kaiming", center=True, equal_scores=False, **_SGD_MOMENTUM),
    "sgd-momentum+equal": dict(init="kaiming", center=False, equal_scores=True, **_SGD_MOMENTUM),
    "ours": dict(init="kaiming", center=True, equal_scores=True, **_SGD_MOMENTUM),
}


def choose_device(name: str | torch.device | None = None) -> torch.device:
    """``name`` if given, else the first of CUDA, Apple MPS and CPU that this machine has."""
    if name is not None:
        if not isinstance(name, (str, torch.device)):
            raise TypeError(f"device must be a string like 'cuda' or 'cpu', got {type(name).__name__}")
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def cpu_has_bf16() -> bool:
    """True when this CPU multiplies bfloat16 natively (AVX512-BF16 or AMX); emulated bf16 is slow."""
    checks = [getattr(torch.cpu, n, None) for n in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    return any(check() for check in checks if check is not None)


def speed_settings(device: torch.device) -> dict:
    """What makes NiN train fast on ``device`` (measured in benchmarks/RESULTS.md):
    channels-last tensors (the layout cuDNN and oneDNN convolutions prefer) and bf16 autocast where
    the hardware has bf16 units. bf16 keeps float32's exponent range, so no loss scaling is needed."""
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # fixed input sizes: pick the fastest kernels once
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
        bf16 = torch.cuda.is_bf16_supported(including_emulation=False)
        return {"channels_last": True, "amp_dtype": torch.bfloat16 if bf16 else None}
    if device.type == "cpu":
        return {"channels_last": True, "amp_dtype": torch.bfloat16 if cpu_has_bf16() else None}
    return {"channels_last": False, "amp_dtype": None}


def get_recipe(recipe: str | dict) -> dict:
    """A row of ``RECIPES`` by name, or a dict with the same keys."""
    if isinstance(recipe, str):
        if recipe not in RECIPES:
            raise ValueError(f"unknown recipe {recipe!r}; choose one of {sorted(RECIPES)} or pass a dict")
        return dict(RECIPES[recipe])
    if isinstance(recipe, dict):
        missing = set(RECIPES["ours"]) - set(recipe)
        if missing:
            raise ValueError(f"recipe dict is missing {sorted(missing)}; start from dict(RECIPES['ours'])")
        return dict(recipe)
    raise TypeError(f"recipe must be a name like 'ours' or a dict, got {type(recipe).__name__}")


def make_optimizer(net: nn.Module, recipe: dict, steps_per_epoch: int, num_epochs: int):
    """The recipe's optimiser and a per-step schedule: linear warm-up, then constant or cosine to 0."""
    if recipe["optimizer"] == "sgd":
        opt = torch.optim.SGD(net.parameters(), lr=recipe["lr"], momentum=recipe["momentum"],
                              weight_decay=recipe["weight_decay"])
    elif recipe["optimizer"] == "adamw":
        opt = torch.optim.AdamW(net.parameters(), lr=recipe["lr"], weight_decay=recipe["weight_decay"])
    else:
        raise ValueError(f"optimizer must be 'sgd' or 'adamw', got {recipe['optimizer']!r}")
    warmup, total = recipe["warmup_epochs"] * steps_per_epoch, num_epochs * steps_per_epoch

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        if recipe["schedule"] == "cosine":
            return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))
        return 1.0
    return opt, torch.optim.lr_scheduler.LambdaLR(opt, factor)


def to_device(X: torch.Tensor, y: torch.Tensor, device: torch.device, speed: dict):
    layout = torch.channels_last if speed["channels_last"] else torch.contiguous_format
    return X.to(device, memory_format=layout, non_blocking=True), y.to(device, non_blocking=True)


def evaluate(net: nn.Module, data_iter, device: torch.device, speed: dict) -> float:
    """Accuracy of ``net`` over ``data_iter``, in eval mode (no dropout), without gradients."""
    net.eval()
    correct, n = torch.zeros((), device=device), 0
    with torch.inference_mode(), torch.autocast(device.type, speed["amp_dtype"],
                                                enabled=speed["amp_dtype"] is not None):
        for X, y in data_iter:
            X, y = to_device(X, y, device, speed)
            correct += (net(X).argmax(1) == y).sum()
            n += len(y)
    return correct.item() / n


@dataclass
class History:
    """One row per finished epoch: train_loss, train_acc, test_acc, examples_per_sec, seconds."""
    device: str
    epochs: list[dict] = field(default_factory=list)

    @property
    def examples_per_sec(self) -> float:
        """Training examples per second over all epochs (the data pipeline included, evaluation not)."""
        seconds = sum(row["seconds"] for row in self.epochs)
        return sum(row["examples"] for row in self.epochs) / seconds if seconds else 0.0

    def to_frame(self):
        import pandas as pd
        return pd.DataFrame(self.epochs).set_index("epoch")

    def summary(self) -> str:
        last = self.epochs[-1]
        return (f"loss {last['train_loss']:.3f}, train acc {last['train_acc']:.3f}, test acc "
                f"{last['test_acc']:.3f}\n{self.examples_per_sec:.1f} examples/sec on {self.device}")


def save_checkpoint(path: str | Path, state: dict) -> None:
    """Write ``state`` to ``path`` atomically: to a temporary file first, then renamed over ``path``,
    so a crash or a kernel restart mid-write leaves the previous checkpoint whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        torch.save(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_checkpoint(path: str | Path, net: nn.Module, optimizer, scheduler, run: dict) -> History:
    """Restore what ``save_checkpoint`` wrote in ``train`` and return the history so far."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    if state["run"] != run:
        raise ValueError(f"checkpoint {path} belongs to another run ({state['run']}, not {run}); "
                         f"delete it or pass another checkpoint path")
    net.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["rng"])  # dropout masks continue as if never interrupted
    if torch.cuda.is_available() and state.get("cuda_rng"):
        torch.cuda.set_rng_state_all(state["cuda_rng"])
    return History(**state["history"])


def train_epoch(net, train_iter, optimizer, scheduler, device, speed, bar):
    """One pass over ``train_iter``; returns (loss sum, correct, examples, seconds)."""
    net.train()
    loss_sum, correct, n = torch.zeros((), device=device), torch.zeros((), device=device), 0
    start = time.perf_counter()
    for i, (X, y) in enumerate(train_iter):
        X, y = to_device(X, y, device, speed)
        with torch.autocast(device.type, speed["amp_dtype"], enabled=speed["amp_dtype"] is not None):
            y_hat = net(X)
            loss = F.cross_entropy(y_hat, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()  # the schedule is per step, so warm-up also works for a 1-epoch run
        loss_sum += loss.detach() * len(y)  # summed on the device: no GPU->CPU sync per batch
        correct += (y_hat.argmax(1) == y).sum()
        n += len(y)
        bar.update(1)
        if i % 10 == 0 or i == len(train_iter) - 1:  # reading a number syncs, so only now and then
            bar.set_postfix(loss=f"{loss_sum.item() / n:.3f}", acc=f"{correct.item() / n:.3f}",
                            ex_per_s=f"{n / (time.perf_counter() - start):.0f}", refresh=False)
    if device.type == "cuda":
        torch.cuda.synchronize()  # the clock stops when the GPU is done, not when it was asked
    return loss_sum.item(), correct.item(), n, time.perf_counter() - start


def train(net: nn.Module, train_iter, test_iter, num_epochs: int, recipe: str | dict = "ours",
          device: str | torch.device | None = None, checkpoint: str | Path | None = None,
          seed: int = 0, plot: bool | None = None, progress: bool = True) -> History:
    """Train ``net`` with ``recipe`` and return its ``History``. With ``checkpoint``, state is saved
    after every epoch and a later call with the same path resumes after the last saved epoch."""
    check_positive_int("num_epochs", num_epochs)
    recipe, device = get_recipe(recipe), choose_device(device)
    speed = speed_settings(device)
    print(f"training on {device} (channels_last={speed['channels_last']}, autocast="
          f"{speed['amp_dtype']}, {torch.get_num_threads()} CPU threads)")
    torch.manual_seed(seed)
    random.seed(seed)
    net.to(device, memory_format=torch.channels_last if speed["channels_last"] else torch.preserve_format)
    init_weights(net, recipe["init"])
    if recipe["center"]:  # on the first batch of epoch 0, whatever the loader did before
        if hasattr(train_iter, "set_epoch"):
            train_iter.set_epoch(0)
        center_biases(net, to_device(*next(iter(train_iter)), device, speed)[0])
    if recipe["equal_scores"]:
        equal_class_scores(net)
    optimizer, scheduler = make_optimizer(net, recipe, len(train_iter), num_epochs)
    run = {"recipe": recipe, "num_epochs": num_epochs, "seed": seed}  # a resume must match these
    history = History(str(device))
    if checkpoint is not None and Path(checkpoint).exists():
        history = load_checkpoint(checkpoint, net, optimizer, scheduler, run)
        print(f"resumed from {checkpoint}: {len(history.epochs)} of {num_epochs} epochs done")
    live = None
    if plot or (plot is None and "ipykernel" in sys.modules):
        from nin_helpers.plotting import LivePlot
        live = LivePlot(num_epochs)
        live.update(history)
    for epoch in range(len(history.epochs), num_epochs):
        if hasattr(train_iter, "set_epoch"):
            train_iter.set_epoch(epoch)  # the shuffle order depends on the epoch only: resumable
        with tqdm(total=len(train_iter), desc=f"epoch {epoch + 1}/{num_epochs}", disable=not progress,
                  mininterval=1.0, file=sys.stdout) as bar:
            loss_sum, correct, n, seconds = train_epoch(net, train_iter, optimizer, scheduler, device,
                                                        speed, bar)
        history.epochs.append({"epoch": epoch + 1, "train_loss": loss_sum / n, "train_acc": correct / n,
                               "test_acc": evaluate(net, test_iter, device, speed),
                               "examples": n, "seconds": seconds, "examples_per_sec": n / seconds})
        if checkpoint is not None:
            save_checkpoint(checkpoint, {
                "run": run, "history": {"device": history.device, "epochs": history.epochs},
                "model": net.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), "rng": torch.get_rng_state(),
                "cuda_rng": torch.cuda.get_rng_state_all() if device.type == "cuda" else []})
        if live is not None:
            live.update(history)
    if history.epochs:
        print(history.summary())
    return history
