"""Train NiN (notebook 04): the epoch loop, the history it returns, resumable checkpoints.

``train`` reads a ``Recipe`` (``nin_helpers.recipes``), so "d2l's recipe" and "ours" are the same
loop. The device follows ``choose_device`` unless given, like the loaders.

>>> History("cpu").epochs
[]
"""
from __future__ import annotations

import dataclasses
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import torch
from torch import nn
from torch.nn import functional as F
from tqdm import tqdm

from nin_helpers.checkpoints import load_checkpoint, save_checkpoint, training_state
from nin_helpers.devices import Speed, choose_device, enable_fast_kernels, speed_settings, to_device
from nin_helpers.evaluation import evaluate
from nin_helpers.initialization import center_biases, equal_class_scores, init_weights
from nin_helpers.progress import epoch_bar, finish_epoch
from nin_helpers.recipes import Recipe, get_recipe, make_optimizer
from nin_helpers.validation import check_positive_int

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


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
        if not self.epochs:
            return f"no epoch finished yet on {self.device}"
        last = self.epochs[-1]
        return (f"loss {last['train_loss']:.3f}, train acc {last['train_acc']:.3f}, test acc "
                f"{last['test_acc']:.3f}\n{self.examples_per_sec:.1f} examples/sec on {self.device}")


def train_epoch(net: nn.Module, train_iter: Batches, optimizer: torch.optim.Optimizer, scheduler,
                device: torch.device, speed: Speed, bar: tqdm) -> tuple[float, float, int, float]:
    """One pass over ``train_iter``; returns (loss sum, correct, examples, seconds)."""
    net.train()
    loss_sum, correct, n = torch.zeros((), device=device), torch.zeros((), device=device), 0
    start = time.perf_counter()
    for i, (X, y) in enumerate(train_iter):
        X, y = to_device(X, y, device, speed)
        with speed.autocast(device):
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


def start_weights(net: nn.Module, recipe: Recipe, train_iter: Batches, device: torch.device,
                  speed: Speed) -> None:
    """The recipe's initialisation: draw the weights, then optionally centre the biases on the first
    batch of epoch 0 and start every class score equal."""
    if recipe.equal_scores:
        equal_class_scores(net, check_only=True)  # refuse a fully connected head before touching net
    init_weights(net, recipe.init)
    if recipe.center:  # on the first batch of epoch 0, whatever the loader did before
        if hasattr(train_iter, "set_epoch"):
            train_iter.set_epoch(0)
        center_biases(net, to_device(*next(iter(train_iter)), device, speed)[0])
    if recipe.equal_scores:
        equal_class_scores(net)


def train(net: nn.Module, train_iter: Batches, test_iter: Batches, num_epochs: int,
          recipe: str | Recipe = "ours", device: str | torch.device | None = None,
          checkpoint: str | Path | None = None, seed: int = 0, plot: bool | None = None,
          progress: bool = True) -> History:
    """Train ``net`` with ``recipe`` and return its ``History``. With ``checkpoint``, state is saved
    after every epoch and a later call with the same path resumes after the last saved epoch."""
    check_positive_int("num_epochs", num_epochs)
    recipe, device = get_recipe(recipe), choose_device(device)
    speed = speed_settings(device)
    enable_fast_kernels(device)
    print(f"training on {device} (channels_last={speed.channels_last}, autocast={speed.amp_dtype}, "
          f"{torch.get_num_threads()} CPU threads)")
    torch.manual_seed(seed)
    random.seed(seed)
    net.to(device, memory_format=speed.memory_format)
    start_weights(net, recipe, train_iter, device, speed)
    optimizer, scheduler = make_optimizer(net, recipe, len(train_iter), num_epochs)
    run = {"recipe": dataclasses.asdict(recipe), "num_epochs": num_epochs, "seed": seed}  # a resume must match
    history = History(str(device))
    if checkpoint is not None and Path(checkpoint).exists():
        history = History(**load_checkpoint(checkpoint, net, optimizer, scheduler, run))
        print(f"resumed from {checkpoint}: {len(history.epochs)} of {num_epochs} epochs done")
    live = None
    if plot or (plot is None and "ipykernel" in sys.modules):
        from nin_helpers.plots import LivePlot
        live = LivePlot(num_epochs)
        live.update(history)
    for epoch in range(len(history.epochs), num_epochs):
        if hasattr(train_iter, "set_epoch"):
            train_iter.set_epoch(epoch)  # the shuffle order depends on the epoch only: resumable
        with epoch_bar(len(train_iter), f"epoch {epoch + 1}/{num_epochs}", enabled=progress) as bar:
            loss_sum, correct, n, seconds = train_epoch(net, train_iter, optimizer, scheduler, device,
                                                        speed, bar)
        history.epochs.append({"epoch": epoch + 1, "train_loss": loss_sum / n, "train_acc": correct / n,
                               "test_acc": evaluate(net, test_iter), "examples": n, "seconds": seconds,
                               "examples_per_sec": n / seconds})
        finish_epoch(bar, history.epochs[-1], num_epochs)  # a widget in Jupyter becomes this one line
        if checkpoint is not None:
            save_checkpoint(checkpoint, training_state(net, optimizer, scheduler, run, dataclasses.asdict(history)))
        if live is not None:
            live.update(history)
    if history.epochs:
        print(history.summary())
    return history
