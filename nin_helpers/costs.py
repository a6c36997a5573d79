"""What a network costs: parameters by kind, weight memory, FLOPs per layer and the memory of one
training step (notebook 05).

FLOPs come from ``torch.utils.flop_counter.FlopCounterMode`` (2 FLOPs per multiply-add, counted
for convolutions and matrix multiplies; ReLU, pooling and the like are not counted). Training-step
memory comes from torch's ``MemTracker``, which follows every tensor a step creates and files it
under parameters, gradients, optimizer state, activations or temporaries. Both work on the
``meta`` device, where tensors have shapes but no data, so even VGG at batch 128 costs nothing
to measure.

>>> from nin_helpers.models import nin
>>> table = cost_table(nin(), (1, 1, 224, 224))
>>> int(table["FLOPs"].sum()), round(float(table["weight MB"].sum()), 2)
(1524594704, 7.97)
"""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from nin_helpers.inspection import layer_table
from nin_helpers.validation import check_module, check_positive_int, check_shape

BYTES_PER_PARAM = 4  # fp32
MB = 1e6


def params_by_kind(model: nn.Module) -> dict[str, int]:
    """Parameters of ``model`` split into convolution, fully connected and other layers.

    >>> params_by_kind(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(8, 4)))
    {'convolution': 20, 'fully connected': 36, 'other': 0}
    """
    check_module("model", model)
    kinds = {"convolution": 0, "fully connected": 0, "other": 0}
    for m in model.modules():
        n = sum(p.numel() for p in m.parameters(recurse=False))
        kind = ("convolution" if isinstance(m, nn.modules.conv._ConvNd)
                else "fully connected" if isinstance(m, nn.Linear) else "other")
        kinds[kind] += n
    return kinds


def flops_by_layer(model: nn.Module, input_shape: tuple[int, ...]) -> dict[str, int]:
    """FLOPs of one forward pass of a zero batch of ``input_shape``, per leaf layer name (the names
    of ``model.named_modules()``), counted by ``FlopCounterMode``.

    >>> flops_by_layer(nn.Sequential(nn.Linear(3, 2)), (1, 3))
    {'0': 12}
    """
    check_module("model", model)
    check_shape("input_shape", input_shape)
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(*input_shape, device=device))
    counts = counter.get_flop_counts()
    prefix = type(model).__name__  # FlopCounterMode names modules "<ClassName>.<path>"
    return {name: int(sum(counts.get(f"{prefix}.{name}", {}).values()))
            for name, m in model.named_modules() if name and not list(m.children())}


def cost_table(model: nn.Module, input_shape: tuple[int, ...]) -> pd.DataFrame:
    """``layer_table`` plus each layer's fp32 weight memory in MB and its forward FLOPs."""
    table = layer_table(model, input_shape)
    flops = flops_by_layer(model, input_shape)
    table["weight MB"] = table["params"] * BYTES_PER_PARAM / MB
    table["FLOPs"] = table["layer"].map(flops).fillna(0).astype("int64")
    return table


def totals(models: dict[str, tuple[nn.Module, tuple[int, ...]]]) -> pd.DataFrame:
    """One row per named ``(model, input_shape)``: input, parameters by kind, weight MB, GFLOPs.

    >>> totals({"tiny": (nn.Sequential(nn.Flatten(), nn.Linear(4, 2)), (1, 1, 2, 2))})["params"].tolist()
    [10]
    """
    if not isinstance(models, dict) or not models:
        raise TypeError(f"models must be a non-empty dict {{name: (model, input_shape)}}, e.g. "
                        f"{{'NiN': (nin(), (1, 1, 224, 224))}}, got {type(models).__name__} {models!r:.60}")
    rows = []
    for name, pair in models.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"models[{name!r}] must be a pair (model, input_shape), got {type(pair).__name__}")
        model, input_shape = pair
        kinds = params_by_kind(model)
        params = sum(kinds.values())
        rows.append({"model": name, "input": "x".join(map(str, input_shape[1:])), "params": params,
                     "conv params": kinds["convolution"], "fc params": kinds["fully connected"],
                     "fc share": kinds["fully connected"] / params if params else 0.0,
                     "weight MB": params * BYTES_PER_PARAM / MB,
                     "GFLOPs": sum(flops_by_layer(model, input_shape).values()) / 1e9})
    return pd.DataFrame(rows).set_index("model")


def one_training_step(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor,
              y: torch.Tensor) -> None:
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


def training_step_memory(model: nn.Module, batch_size: int, image_size: int,
                         optimizer: str = "adamw") -> pd.Series:
    """Peak memory (MB) of one training step of ``model`` on a batch of
    ``(batch_size, in_channels, image_size, image_size)``, split by what holds it. The input batch
    itself is not counted (it exists before the step): add ``batch x channels x size² x 4`` bytes.

    ``optimizer``: ``"adamw"`` (keeps two tensors per parameter) or ``"sgd"`` (plain SGD, as d2l's
    chapters train: no state). A first step runs untracked so the optimizer state exists; the
    second is tracked, as every later step would look. Use a model on the
    ``meta`` device to get the numbers without computing anything. When the peak falls in the
    AdamW update (small batches), MemTracker files the update's temporaries under
    "optimizer state" too.

    >>> from nin_helpers.models import nin
    >>> mem = training_step_memory(nin().to("meta"), batch_size=8, image_size=224)
    >>> round(float(mem["parameters"]), 1), round(float(mem["total"]), 1)
    (8.0, 89.6)
    """
    from torch.distributed._tools.mem_tracker import MemTracker  # ships with torch

    check_module("model", model)
    check_positive_int("batch_size", batch_size)
    check_positive_int("image_size", image_size)
    param = next(model.parameters(), None)
    if param is None:
        raise ValueError("model has no parameters: a training step would have nothing to update")
    in_channels = getattr(model, "in_channels", 1)
    x = torch.zeros(batch_size, in_channels, image_size, image_size, device=param.device)
    y = torch.zeros(batch_size, dtype=torch.long, device=param.device)
    model.train()
    if optimizer not in ("adamw", "sgd"):
        raise ValueError(f"optimizer must be 'adamw' or 'sgd', got {optimizer!r}")
    opt = (torch.optim.AdamW(model.parameters(), lr=1e-3) if optimizer == "adamw"
           else torch.optim.SGD(model.parameters(), lr=0.01))
    one_training_step(model, opt, x, y)
    tracker = MemTracker()
    tracker.track_external(model, opt)
    with tracker:
        one_training_step(model, opt, x, y)
    peak = tracker.get_tracker_snapshot("peak")[param.device]
    names = {"PARAM": "parameters", "GRAD": "gradients", "OPT": "optimizer state",
             "ACT": "activations", "TEMP": "temporaries", "BUFFER": "buffers", "OTH": "other"}
    mem = {names[k.name]: v / MB for k, v in peak.items() if k != "Total"}
    mem["total"] = peak["Total"] / MB
    return pd.Series(mem, name="MB")


_RSS_SCRIPT = """
import importlib, inspect, sys, torch
from nin_helpers.costs import one_training_step
def status(field):  # kB figures the Linux kernel keeps for this process
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(field))
module, name = sys.argv[1].split(":")
batch, size = int(sys.argv[2]), int(sys.argv[3])
build = getattr(importlib.import_module(module), name)
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak (VmHWM) to what the imports left resident
before = status("VmRSS:")
torch.manual_seed(0)
sized = "image_size" in inspect.signature(build).parameters  # heads built for one size
model = build(image_size=size) if sized else build()
x = torch.randn(batch, 1, size, size); y = torch.zeros(batch, dtype=torch.long)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
for _ in range(2):  # the second step is the steady state: AdamW's state exists
    one_training_step(model, optimizer, x, y)
print(status("VmHWM:") - before)
"""


def peak_rss_training_step(builder: str, batch_size: int, image_size: int) -> float:
    """Linux only: build the model and run two real AdamW steps on CPU in a fresh process; return
    how far the process's peak resident memory rose above what the imports left, in MB.

    ``builder`` names a function that builds the model, e.g. ``"nin_helpers.models:nin"``. The
    kernel keeps the peak (``VmHWM`` in ``/proc/self/status``) and lets a process reset it
    (``clear_refs``), so the rise is the step's own: the memory the CPU allocator really handed
    out, including what tensor accounting cannot see (kernel workspaces, allocator slack).
    Compare with the ``total`` of ``training_step_memory`` (plus the input batch).
    """
    if not sys.platform.startswith("linux"):
        raise RuntimeError("peak_rss_training_step reads /proc, so it needs Linux; "
                           "use training_step_memory on any system")
    if not isinstance(builder, str) or builder.count(":") != 1:
        raise ValueError(f"builder must look like 'package.module:function', got {builder!r}")
    check_positive_int("batch_size", batch_size)
    check_positive_int("image_size", image_size)
    done = subprocess.run([sys.executable, "-c", _RSS_SCRIPT, builder, str(batch_size),
                           str(image_size)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the measuring process failed:\n{done.stderr[-2000:]}")
    return int(done.stdout.split()[0]) / MB


def cuda_peak_training_step(model: nn.Module, batch_size: int, image_size: int) -> float:
    """On a GPU: the allocator's peak (``torch.cuda.max_memory_allocated``) over one AdamW step
    after a warm-up step, in MB. ``model`` must already be on the GPU."""
    check_module("model", model)
    check_positive_int("batch_size", batch_size)
    check_positive_int("image_size", image_size)
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    if device.type != "cuda":
        raise ValueError(f"model must be on a CUDA device (model.to('cuda')), it is on {device}")
    x = torch.randn(batch_size, getattr(model, "in_channels", 1), image_size, image_size,
                    device=device)
    y = torch.zeros(batch_size, dtype=torch.long, device=device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    one_training_step(model, optimizer, x, y)
    torch.cuda.synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    one_training_step(model, optimizer, x, y)
    torch.cuda.synchronize(device)
    return torch.cuda.max_memory_allocated(device) / MB
