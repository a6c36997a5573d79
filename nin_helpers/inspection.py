"""Look inside: the layer-by-layer table of a network (notebook 03), and the code the package keeps.

>>> from nin_helpers.models import nin
>>> table = layer_table(nin(), (1, 1, 224, 224))
>>> int(table["params"].sum())
1992166
"""
from __future__ import annotations

import inspect

import pandas as pd
import torch
from torch import nn

from nin_helpers.validation import check_module, check_shape


def count_params(module: nn.Module) -> int:
    """Number of trainable parameters of ``module``."""
    check_module("module", module)
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def layer_table(model: nn.Module, input_shape: tuple[int, ...]) -> pd.DataFrame:
    """Run a zero batch of ``input_shape`` through ``model`` and return one row per leaf layer:
    its name, type, output shape and number of parameters (in execution order).

    Uses forward hooks, so it works for any ``nn.Module``, not only ``nn.Sequential``.
    """
    check_module("model", model)
    check_shape("input_shape", input_shape)

    rows: list[dict] = []

    def record(name: str):
        def hook(module: nn.Module, inputs, output) -> None:
            shape = tuple(output.shape) if isinstance(output, torch.Tensor) else None
            rows.append({"layer": name, "type": type(module).__name__, "output shape": shape,
                         "params": sum(p.numel() for p in module.parameters(recurse=False))})
        return hook

    leaves = [(name, m) for name, m in model.named_modules() if not list(m.children())]
    handles = [m.register_forward_hook(record(name)) for name, m in leaves]
    was_training = model.training
    try:
        model.eval()  # dropout off, batch-norm statistics untouched
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
        with torch.no_grad():
            model(torch.zeros(*input_shape, device=device))
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return pd.DataFrame(rows, columns=["layer", "type", "output shape", "params"])


def show_source(*objects) -> object:
    """The package's own code of ``objects`` (functions, classes, constants' modules), shown as one
    highlighted block. Notebooks 04 and 05 teach with it: the code exists once, in ``nin_helpers``,
    and the notebook shows exactly what runs. In a notebook the result renders as code; elsewhere
    its ``data`` holds the text.

    >>> print(show_source(count_params).data.splitlines()[1])
    def count_params(module: nn.Module) -> int:
    """
    from IPython.display import Markdown  # IPython comes with Jupyter; the rest of the package needs none

    if not objects:
        raise ValueError("show_source needs at least one function or class, e.g. show_source(train)")
    parts = []
    for obj in objects:
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            raise TypeError(f"show_source shows functions and classes, got {type(obj).__name__} {obj!r}")
        parts.append(inspect.getsource(obj).rstrip())
    return Markdown("```python\n" + "\n\n\n".join(parts) + "\n```")
