"""Resumable training (notebook 04): the whole state saved after each epoch, atomically, and read back
only into the run that wrote it.

A checkpoint records everything that defines its run (``describe_run``): the model's class, parameter
shapes and dropout, the data (images, size, batch size, steps per epoch, a fingerprint of the content),
the recipe, the seed and the number of epochs. A resume that differs in any of them is refused, naming the
field and both values, before the network is touched. A file that cannot be read as a checkpoint of this
course gets one message: corrupt or from another run.

>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "demo.pt"
>>> save_checkpoint(path, {"epoch": 1}); torch.load(path)["epoch"]
1
>>> _ = path.write_bytes(b"not a checkpoint")
>>> read_checkpoint(path)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: checkpoint .../demo.pt is corrupt or from another run (...): delete it or choose another path
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import tempfile
from pathlib import Path

import torch
from torch import nn

FORMAT = "nin-course checkpoint 2"  # what a checkpoint of this version holds under "format"
KEYS = {"format", "run", "history", "model", "optimizer", "scheduler", "rng", "cuda_rng"}


def checkpoint_path(checkpoint: object) -> Path | None:
    """``checkpoint`` as an absolute path (``~`` expanded, relative to the working folder), or ``None``.

    >>> checkpoint_path("~/ck/run.pt") == Path.home() / "ck" / "run.pt"
    True
    """
    if checkpoint is None:
        return None
    if not isinstance(checkpoint, (str, os.PathLike)):
        raise TypeError(f"checkpoint must be a file path (str or pathlib.Path) such as 'checkpoints/run.pt', "
                        f"got {type(checkpoint).__name__}")
    path = Path(checkpoint).expanduser().resolve()
    if path.is_dir():
        raise ValueError(f"checkpoint must be a file path, but {path} is a folder; use e.g. {path / 'run.pt'}")
    return path


def checkpoint_bytes(net: nn.Module, optimizer_slots: int) -> int:
    """About how large a checkpoint of ``net`` is: its weights and buffers, plus ``optimizer_slots``
    tensors of the same size kept by the optimiser (SGD with momentum: 1, AdamW: 2)."""
    weights = sum(t.numel() * t.element_size() for t in net.state_dict().values())
    return weights * (1 + optimizer_slots) + 2**20  # + history, schedule and random-number state


def check_writable(path: Path, needed: int) -> None:
    """Before training starts: the checkpoint's folder can be made and written to, and its disk has room
    for ``needed`` bytes, so that no epoch is trained only to be lost when the first save fails."""
    folder = path.parent
    blocking = next((p for p in [folder, *folder.parents] if p.is_file()), None)
    if blocking is not None:  # mkdir would say only "File exists" or "Not a directory"
        raise OSError(f"cannot write checkpoints to {folder}: {blocking} is a file, not a folder; training has "
                      f"not started. Choose another path, e.g. checkpoint=nin_helpers.checkpoint_dir() / "
                      f"'{path.name}'")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", suffix=".write-test"):
            pass
        free = shutil.disk_usage(folder).free
    except OSError as error:
        raise OSError(f"cannot write checkpoints to {folder} ({error.strerror or error}); training has not "
                      f"started. Choose another path, e.g. checkpoint=nin_helpers.checkpoint_dir() / "
                      f"'{path.name}'") from error
    if free < needed:
        raise OSError(f"not enough free space for checkpoints in {folder}: a checkpoint needs about "
                      f"{needed / 1e6:.0f} MB, {free / 1e6:.0f} MB are free; training has not started. Free "
                      f"some space, or choose a folder on another disk")


def save_checkpoint(path: str | Path, state: dict) -> None:
    """Write ``state`` to ``path`` atomically: to a temporary file first, then renamed over ``path``,
    so a crash or a kernel restart mid-write leaves the previous checkpoint whole. A write that fails
    (a full disk, an interrupt) removes its temporary file and raises."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):  # a half-written file must not stay behind
            tmp.unlink(missing_ok=True)
        raise


def describe_data(batches: object) -> dict:
    """What defines the training data of a run: a ``DeviceLoader`` describes itself (``describe()``);
    of other loaders, the batch size, number of images and steps per epoch that they tell."""
    if callable(getattr(batches, "describe", None)):
        return dict(batches.describe())
    dataset = getattr(batches, "dataset", None)
    return {"number of training images": len(dataset) if hasattr(dataset, "__len__") else None,
            "batch size": getattr(batches, "batch_size", None),
            "steps per epoch": len(batches) if hasattr(batches, "__len__") else None}


def describe_run(net: nn.Module, batches: object, recipe, num_epochs: int, seed: int) -> dict:
    """Every field that defines a training run, flat (one name per field), in plain Python values."""
    run = {"model": type(net).__name__,
           "dropout": [m.p for m in net.modules() if isinstance(m, nn.modules.dropout._DropoutNd)]}
    run.update({f"shape of {name}": list(t.shape) for name, t in net.state_dict().items()})
    run.update(describe_data(batches))
    run.update({f"recipe {key}": value for key, value in dataclasses.asdict(recipe).items()})
    run.update({"num_epochs": num_epochs, "seed": seed})
    return run


def training_state(net: nn.Module, optimizer, scheduler, run: dict, history: dict) -> dict:
    """Everything a resumed run needs: weights, optimiser and schedule, random-number state, history."""
    return {"format": FORMAT, "run": run, "history": history, "model": net.state_dict(),
            "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
            "rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []}


def _corrupt(path: Path, reason: str) -> ValueError:
    return ValueError(f"checkpoint {path} is corrupt or from another run ({reason}): delete it or choose "
                      f"another path")


def read_checkpoint(path: str | Path) -> dict:
    """The state saved at ``path``, or ``ValueError`` when the file is empty, truncated, garbage or not a
    checkpoint of this course (``torch.load`` would say EOFError, UnpicklingError or KeyError)."""
    path = Path(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # whatever torch.load says about a bad file, the student gets one message
        raise _corrupt(path, f"{type(error).__name__}: {str(error).strip()[:80] or 'no details'}") from error
    if not isinstance(state, dict) or state.get("format") != FORMAT or not KEYS <= state.keys():
        found = sorted(map(str, state))[:6] if isinstance(state, dict) else type(state).__name__
        raise _corrupt(path, f"it holds {found}, not a checkpoint written by this version of nin_helpers")
    return state


def check_same_run(state: dict, run: dict, path: Path) -> None:
    """Refuse a checkpoint whose run differs from ``run``, naming the fields and both values."""
    missing = "(not recorded)"
    names = list(run) + [name for name in state["run"] if name not in run]
    differ = [name for name in names if state["run"].get(name, missing) != run.get(name, missing)]
    if differ:
        first = differ[0]
        more = f" (and {len(differ) - 1} more: {', '.join(differ[1:4])}{'...' if len(differ) > 4 else ''})"
        raise ValueError(f"checkpoint {path} belongs to another run: its {first} is "
                         f"{state['run'].get(first, missing)!r}, this run's is {run.get(first, missing)!r}"
                         f"{more if len(differ) > 1 else ''}. Run with the checkpoint's settings to resume "
                         f"it, or delete it or pass another checkpoint path to start a new run")


def restore(state: dict, path: Path, net: nn.Module, optimizer, scheduler) -> dict:
    """Put ``state`` (from ``read_checkpoint``, checked by ``check_same_run``) into ``net``,
    ``optimizer`` and ``scheduler`` and the random-number generators; return its history."""
    try:
        net.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["rng"])  # dropout masks continue as if never interrupted
        if torch.cuda.is_available() and state.get("cuda_rng"):
            torch.cuda.set_rng_state_all(state["cuda_rng"])
    except (RuntimeError, ValueError, KeyError, TypeError) as error:
        raise _corrupt(path, f"{type(error).__name__}: {str(error).strip()[:80]}") from error
    return state["history"]


def load_checkpoint(path: str | Path, net: nn.Module, optimizer, scheduler, run: dict) -> dict:
    """Restore what ``training_state`` saved into ``net``, ``optimizer`` and ``scheduler``; return the
    saved history. Refuses an unreadable file, or a checkpoint of another run (``check_same_run``)."""
    path = Path(path)
    state = read_checkpoint(path)
    check_same_run(state, run, path)
    return restore(state, path, net, optimizer, scheduler)
