"""Train NiN (notebook 04): the epoch loop, the history it returns, resumable checkpoints.

``train`` reads a ``Recipe`` (``nin_helpers.recipes``), so "d2l's recipe" and "ours" are the same
loop. The device follows ``choose_device`` unless given, like the loaders. Nothing is lost and nothing
is silently wrong: the data and the checkpoint folder are checked before the first step, a failed save
warns and training goes on, a loss that is no longer a number stops the run before it overwrites the
last good checkpoint, and a trained network is never re-initialised without ``restart=True``.

>>> History("cpu").epochs
[]
"""
from __future__ import annotations

import math
import random
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable

import torch
from torch import nn
from torch.nn import functional as F
from tqdm import tqdm

from nin_helpers import checkpoints as ckpt
from nin_helpers.devices import Speed, choose_device, enable_fast_kernels, speed_settings, to_device
from nin_helpers.evaluation import evaluate
from nin_helpers.initialization import center_biases, equal_class_scores, init_weights
from nin_helpers.progress import epoch_bar, finish_epoch
from nin_helpers.recipes import RECIPES, Recipe, get_recipe, make_optimizer
from nin_helpers.validation import (
    check_batch,
    check_batches,
    check_float_images,
    check_labels,
    check_module,
    check_positive_int,
)

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]
COLUMNS = ["epoch", "train_loss", "train_acc", "test_acc", "examples", "seconds", "examples_per_sec"]
# A mean cross-entropy this large means the scores are thousands apart: the run has diverged and will not
# come back (lr=1e4 on NiN: 6e25 in epoch 1, NaN in epoch 2). Untrained networks start near ln 10 = 2.3.
DIVERGED = 1e4
# The attribute train leaves on a network once an epoch has finished (or a checkpoint was resumed into it):
# {"checkpoint": its path or None}. A plain attribute: state_dict, saving and torch.export ignore it.
TRAINED = "_nin_trained"


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
        """The epochs as a table, one row per epoch (empty, with its columns, before the first)."""
        import pandas as pd
        return pd.DataFrame(self.epochs, columns=COLUMNS).set_index("epoch")

    def summary(self) -> str:
        if not self.epochs:
            return f"no epoch finished yet on {self.device}"
        last = self.epochs[-1]
        return (f"loss {last['train_loss']:.3f}, train acc {last['train_acc']:.3f}, test acc "
                f"{last['test_acc']:.3f}\n{self.examples_per_sec:.1f} examples/sec on {self.device}")


def train_epoch(net: nn.Module, train_iter: Batches, optimizer: torch.optim.Optimizer, scheduler,
                device: torch.device, speed: Speed, bar: tqdm) -> tuple[float, float, int, float]:
    """One pass over ``train_iter``; returns (loss sum, correct, examples, seconds). Raises
    ``FloatingPointError`` as soon as the mean loss it reads (every 10 batches) is not a finite number
    or has diverged (above ``DIVERGED``)."""
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
            total = loss_sum.item()
            check_loss(total / n, f"at batch {i + 1}")  # where the number is read anyway: no extra sync
            bar.set_postfix(loss=f"{total / n:.3f}", acc=f"{correct.item() / n:.3f}",
                            ex_per_s=f"{n / (time.perf_counter() - start):.0f}", refresh=False)
    if device.type == "cuda":
        torch.cuda.synchronize()  # the clock stops when the GPU is done, not when it was asked
    return loss_sum.item(), correct.item(), n, time.perf_counter() - start


def check_loss(loss: float, where: str) -> None:
    """Raise ``FloatingPointError`` when a mean loss is not a number, infinite, or has diverged."""
    if not math.isfinite(loss):
        raise FloatingPointError(f"the training loss became {loss} {where}")
    if loss > DIVERGED:
        raise FloatingPointError(f"the training loss reached {loss:.3g} {where}: the network has diverged")


def first_batch(train_iter: Batches) -> tuple[torch.Tensor, torch.Tensor]:
    """The first batch of epoch 0, or a clear error when ``train_iter`` gives none."""
    if hasattr(train_iter, "set_epoch"):
        train_iter.set_epoch(0)
    for batch in train_iter:
        return check_batch("train_iter", batch)
    raise ValueError("train_iter gave no batches: there is nothing to train on; check the data folder and "
                     "n_train, or the list of batches")


def check_data(net: nn.Module, train_iter: Batches, test_iter: Batches, X: torch.Tensor, y: torch.Tensor,
               device: torch.device, speed: Speed) -> None:
    """Before the first step: float images, and labels that fit the network's outputs (all of a
    ``DeviceLoader``'s labels, else the first batch's), so a label of 200 fails now, not mid-epoch."""
    check_float_images(X, "train (the batches of train_iter)")
    net.eval()  # one image through the network, without dropout or gradients: its number of outputs
    with torch.no_grad(), speed.autocast(device):
        scores = net(to_device(X[:1], y[:1], device, speed)[0])
    if scores.dim() != 2 or scores.shape[1] < 2:
        raise ValueError(f"train needs a network that outputs class scores (batch, classes) with at least 2 "
                         f"classes, got output shape {tuple(scores.shape)}; build it with num_classes >= 2")
    for name, loader, labels in [("train_iter", train_iter, y), ("test_iter", test_iter, None)]:
        labels = getattr(loader, "labels", labels)
        if labels is not None:
            check_labels(labels, scores.shape[1], f"the labels of {name}")
    if hasattr(test_iter, "__len__") and len(test_iter) == 0:
        raise ValueError("test_iter gives no batches: there is nothing to test on after each epoch")


def start_weights(net: nn.Module, recipe: Recipe, train_iter: Batches, device: torch.device,
                  speed: Speed, first: torch.Tensor | None = None) -> None:
    """The recipe's initialisation: draw the weights, then optionally centre the biases on the first
    batch of epoch 0 (``first``, if the caller has it already) and start every class score equal."""
    if recipe.equal_scores:
        equal_class_scores(net, check_only=True)  # refuse a fully connected head before touching net
    init_weights(net, recipe.init)
    if recipe.center:  # on the first batch of epoch 0, whatever the loader did before
        X = first if first is not None else first_batch(train_iter)[0]
        center_biases(net, X.to(device, memory_format=speed.memory_format))
    if recipe.equal_scores:
        equal_class_scores(net)


def check_restart(net: nn.Module, resume_from: Path | None, restart: bool) -> None:
    """Refuse to re-initialise a network ``train`` trained before, unless ``restart`` or the call resumes
    that network's own checkpoint: a second ``train(net, ...)`` would silently throw its training away."""
    mark = getattr(net, TRAINED, None)
    if mark is None or restart or (resume_from is not None and mark["checkpoint"] == str(resume_from)):
        return
    raise ValueError("this network was trained already, and train would re-initialise its weights and lose "
                     "that training. Pass restart=True to start again from new weights, or build a new "
                     "network (e.g. net = nin()); to resume a run, pass the checkpoint it was trained with")


def check_warmup(recipe: Recipe, num_epochs: int) -> None:
    """Refuse a warm-up longer than the run: the rate would still be climbing when training ends."""
    if recipe.warmup_epochs > num_epochs:
        raise ValueError(f"the recipe's warm-up ({recipe.warmup_epochs} epochs) is longer than the run "
                         f"(num_epochs={num_epochs}): the learning rate would never reach its peak lr="
                         f"{recipe.lr:g}. Train for at least {recipe.warmup_epochs} epochs, or use e.g. "
                         f"recipe.but(warmup_epochs={num_epochs})")


def try_save(path: Path, state: dict, epoch: int, last_saved: int) -> bool:
    """Save a checkpoint; if that fails (a full disk, a folder gone), warn and return False: the trained
    network and its history still come back to the caller, and the previous checkpoint stays whole."""
    try:
        ckpt.save_checkpoint(path, state)
        return True
    except (OSError, RuntimeError) as error:  # torch.save on a full disk: RuntimeError "unexpected pos"
        kept = f"the checkpoint of epoch {last_saved} is kept" if last_saved else "no earlier checkpoint exists"
        warnings.warn(f"could not save the checkpoint {path} after epoch {epoch} ({str(error).strip()[:120]}); "
                      f"training goes on without saving and {kept}. Free some space, or choose another "
                      f"checkpoint path for the next run", RuntimeWarning, stacklevel=3)
        return False


def stopped(error: FloatingPointError, recipe: Recipe, epoch: int, path: Path | None, last_saved: int,
            history: History) -> FloatingPointError:
    """The error that stops a run whose loss is no longer a number, naming the likely cause."""
    kept = (f" The checkpoint {path} still holds epoch {last_saved}, the last one saved." if last_saved else "")
    stop = FloatingPointError(
        f"training stopped in epoch {epoch}: {error}, so the weights are no longer usable. The likely cause: the "
        f"learning rate lr={recipe.lr:g} is too high for this recipe ({recipe.optimizer}). Try a tenth of it, "
        f"recipe.but(lr={recipe.lr / 10:g}), or recipe 'ours' (lr={RECIPES['ours'].lr:g}), with a new network "
        f"(nin()).{kept}")
    stop.history = history  # the epochs that did finish
    return stop


def train(net: nn.Module, train_iter: Batches, test_iter: Batches, num_epochs: int,
          recipe: str | Recipe = "ours", device: str | torch.device | None = None,
          checkpoint: str | Path | None = None, seed: int = 0, plot: bool | None = None,
          progress: bool = True, restart: bool = False) -> History:
    """Train ``net`` with ``recipe`` and return its ``History``. With ``checkpoint`` (``~`` and relative
    paths work), state is saved after every epoch and a later call with the same path and the same run
    resumes after the last saved epoch. A network ``train`` trained before is re-initialised only with
    ``restart=True`` (a checkpoint that exists is still resumed: delete it to start the run over)."""
    check_module("net", net)
    check_batches("train_iter", train_iter)
    check_batches("test_iter", test_iter)
    if not hasattr(train_iter, "__len__"):
        raise TypeError("train_iter must know its number of batches, len(train_iter), for the learning-rate "
                        "schedule: use a DeviceLoader, a DataLoader or a list of batches")
    check_positive_int("num_epochs", num_epochs)
    check_positive_int("seed", seed, minimum=0)
    recipe, device = get_recipe(recipe), choose_device(device)
    check_warmup(recipe, num_epochs)
    path = ckpt.checkpoint_path(checkpoint)
    resume = path is not None and path.exists()
    check_restart(net, path if resume else None, restart)
    speed = speed_settings(device)
    enable_fast_kernels(device)
    print(f"training on {device} (channels_last={speed.channels_last}, autocast={speed.amp_dtype}, "
          f"{torch.get_num_threads()} CPU threads)")
    torch.manual_seed(seed)
    random.seed(seed)
    net.to(device, memory_format=speed.memory_format)
    X, y = first_batch(train_iter)
    check_data(net, train_iter, test_iter, X, y, device, speed)
    run = ckpt.describe_run(net, train_iter, recipe, num_epochs, seed)  # a resume must match all of it
    saved = ckpt.read_checkpoint(path) if resume else None
    if saved is not None:
        ckpt.check_same_run(saved, run, path)  # refused before the network is touched
    if path is not None:
        slots = 2 if recipe.optimizer == "adamw" else int(recipe.momentum > 0)
        ckpt.check_writable(path, ckpt.checkpoint_bytes(net, slots))
    start_weights(net, recipe, train_iter, device, speed, first=X)
    mark = {"checkpoint": str(path) if path is not None else None}  # set once the weights hold training
    optimizer, scheduler = make_optimizer(net, recipe, len(train_iter), num_epochs)
    history = History(str(device))
    if saved is not None:
        history = History(**ckpt.restore(saved, path, net, optimizer, scheduler))
        setattr(net, TRAINED, mark)
        print(f"resumed from {path}: {len(history.epochs)} of {num_epochs} epochs done")
    elif path is not None:
        print(f"saving a checkpoint after every epoch to {path}")
    live = None
    if plot or (plot is None and "ipykernel" in sys.modules):
        from nin_helpers.plots import LivePlot
        live = LivePlot(num_epochs)
        live.update(history)
    saving, last_saved = path is not None, len(history.epochs)
    for epoch in range(len(history.epochs), num_epochs):
        if hasattr(train_iter, "set_epoch"):
            train_iter.set_epoch(epoch)  # the shuffle order depends on the epoch only: resumable
        try:
            with epoch_bar(len(train_iter), f"epoch {epoch + 1}/{num_epochs}", enabled=progress) as bar:
                loss_sum, correct, n, seconds = train_epoch(net, train_iter, optimizer, scheduler, device,
                                                            speed, bar)
            check_loss(loss_sum / n, "over the epoch")
        except FloatingPointError as error:
            raise stopped(error, recipe, epoch + 1, path, last_saved, history) from None
        history.epochs.append({"epoch": epoch + 1, "train_loss": loss_sum / n, "train_acc": correct / n,
                               "test_acc": evaluate(net, test_iter), "examples": n, "seconds": seconds,
                               "examples_per_sec": n / seconds})
        finish_epoch(bar, history.epochs[-1], num_epochs)  # a widget in Jupyter becomes this one line
        setattr(net, TRAINED, mark)
        if saving:
            state = ckpt.training_state(net, optimizer, scheduler, run, asdict(history))
            saving = try_save(path, state, epoch + 1, last_saved)
            last_saved = epoch + 1 if saving else last_saved
        if live is not None:
            live.update(history)
    if history.epochs:
        print(history.summary())
    return history
