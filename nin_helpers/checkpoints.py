"""Resumable training (notebook 04): save the whole state after each epoch, atomically, and load it back.

>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "demo.pt"
>>> save_checkpoint(path, {"epoch": 1}); torch.load(path)["epoch"]
1
"""
from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn


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


def training_state(net: nn.Module, optimizer, scheduler, run: dict, history: dict) -> dict:
    """Everything a resumed run needs: weights, optimiser and schedule, random-number state, history."""
    return {"run": run, "history": history, "model": net.state_dict(), "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(), "rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []}


def load_checkpoint(path: str | Path, net: nn.Module, optimizer, scheduler, run: dict) -> dict:
    """Restore what ``training_state`` saved into ``net``, ``optimizer`` and ``scheduler``; return the
    saved history. Refuses a checkpoint of another run (another recipe, epoch count or seed)."""
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
    return state["history"]
