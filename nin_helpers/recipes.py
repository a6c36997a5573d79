"""How to train (notebook 04): a recipe is one row of a table, read by one ``train`` loop.

A ``Recipe`` says how to initialise the weights, which optimiser, learning rate, warm-up and
schedule. ``RECIPES`` holds the rows the course measures, so "d2l's recipe" and "ours" differ in
data, not in code. Change one field with ``RECIPES["ours"].but(lr=0.02)``.

>>> RECIPES["ours"].optimizer, RECIPES["ours"].lr
('sgd', 0.01)
>>> RECIPES["ours"].but(equal_scores=False).equal_scores
False
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import nn

from nin_helpers.validation import check_module, check_positive_int

if TYPE_CHECKING:
    import pandas as pd

INITS = ("xavier", "kaiming", "default")
OPTIMIZERS = ("sgd", "adamw")
SCHEDULES = ("constant", "cosine")


@dataclass(frozen=True)
class Recipe:
    """One way to train.

    ``init``: how to draw the weights (``initialization.init_weights``); ``center``: then shift every
    conv bias on one batch (``center_biases``); ``equal_scores``: then start every class score at
    the same positive value (``equal_class_scores``); ``optimizer``, peak ``lr``, ``momentum`` (SGD),
    ``weight_decay``; ``warmup_epochs`` (linear from ~0); ``schedule`` after the warm-up.
    """
    init: str
    center: bool
    equal_scores: bool
    optimizer: str
    lr: float
    momentum: float = 0.0
    weight_decay: float = 0.0
    warmup_epochs: int = 0
    schedule: str = "constant"

    def __post_init__(self) -> None:
        for name, value, allowed in [("init", self.init, INITS), ("optimizer", self.optimizer, OPTIMIZERS),
                                     ("schedule", self.schedule, SCHEDULES)]:
            if value not in allowed:
                raise ValueError(f"recipe {name} must be one of {allowed}, got {value!r}")
        for name in ("lr", "momentum", "weight_decay"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"recipe {name} must be a finite number, got {value!r}")
        if not self.lr > 0 or self.momentum < 0 or self.weight_decay < 0:
            raise ValueError(f"recipe needs lr > 0, momentum >= 0 and weight_decay >= 0, got lr={self.lr!r}, "
                             f"momentum={self.momentum!r}, weight_decay={self.weight_decay!r}")
        if isinstance(self.warmup_epochs, bool) or not isinstance(self.warmup_epochs, int) or self.warmup_epochs < 0:
            raise ValueError(f"recipe warmup_epochs must be a whole number >= 0, got {self.warmup_epochs!r}")

    def but(self, **changes) -> Recipe:
        """A copy with some fields changed, e.g. ``RECIPES["ours"].but(lr=0.02)``."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"a recipe has no field {sorted(unknown)}; its fields are "
                             f"{[f.name for f in dataclasses.fields(self)]}")
        return dataclasses.replace(self, **changes)


_ADAMW = dict(optimizer="adamw", lr=1e-3, weight_decay=0.05, warmup_epochs=1, schedule="cosine")
_SGD_MOMENTUM = dict(optimizer="sgd", lr=0.01, momentum=0.9, weight_decay=5e-4, warmup_epochs=1,
                     schedule="cosine")
RECIPES: dict[str, Recipe] = {
    # d2l's chapter as d2l-zh and the lecture run it (train_ch6): Xavier-uniform weights, plain SGD at 0.1.
    "d2l": Recipe("xavier", center=False, equal_scores=False, optimizer="sgd", lr=0.1),
    # d2l-en's chapter today: NiN(lr=0.05) with d2l.Trainer, same init (init_cnn: weights only), SGD at 0.05.
    "d2l-en": Recipe("xavier", center=False, equal_scores=False, optimizer="sgd", lr=0.05),
    # The rows in between change one thing at a time; benchmarks/RESULTS.md measures each.
    "d2l+warmup": Recipe("xavier", center=False, equal_scores=False, optimizer="sgd", lr=0.1, warmup_epochs=1),
    "d2l+centered": Recipe("xavier", center=True, equal_scores=False, optimizer="sgd", lr=0.1),
    "adamw": Recipe("kaiming", center=False, equal_scores=False, **_ADAMW),
    "adamw+centered": Recipe("kaiming", center=True, equal_scores=False, **_ADAMW),
    "sgd-momentum": Recipe("kaiming", center=False, equal_scores=False, **_SGD_MOMENTUM),
    "sgd-momentum+centered": Recipe("kaiming", center=True, equal_scores=False, **_SGD_MOMENTUM),
    "sgd-momentum+equal": Recipe("kaiming", center=False, equal_scores=True, **_SGD_MOMENTUM),
    "ours": Recipe("kaiming", center=True, equal_scores=True, **_SGD_MOMENTUM),
}


def get_recipe(recipe: str | Recipe) -> Recipe:
    """A row of ``RECIPES`` by name, or a ``Recipe`` as it is."""
    if isinstance(recipe, Recipe):
        return recipe
    if isinstance(recipe, str):
        if recipe not in RECIPES:
            raise ValueError(f"unknown recipe {recipe!r}; choose one of {sorted(RECIPES)} or pass a Recipe, "
                             f"e.g. RECIPES['ours'].but(lr=0.02)")
        return RECIPES[recipe]
    raise TypeError(f"recipe must be a name like 'ours' or a Recipe (e.g. RECIPES['ours'].but(lr=0.02)), "
                    f"got {type(recipe).__name__}")


def recipe_table() -> "pd.DataFrame":
    """``RECIPES`` as a table: one row per recipe, one column per field."""
    import pandas as pd
    return pd.DataFrame([dataclasses.asdict(r) for r in RECIPES.values()], index=list(RECIPES))


def make_optimizer(net: nn.Module, recipe: str | Recipe, steps_per_epoch: int, num_epochs: int):
    """The recipe's optimiser and a per-step schedule: linear warm-up, then constant or cosine to 0."""
    check_module("net", net)
    recipe = get_recipe(recipe)
    check_positive_int("steps_per_epoch", steps_per_epoch)
    check_positive_int("num_epochs", num_epochs)
    if recipe.optimizer == "sgd":
        opt = torch.optim.SGD(net.parameters(), lr=recipe.lr, momentum=recipe.momentum,
                              weight_decay=recipe.weight_decay)
    else:
        opt = torch.optim.AdamW(net.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
    warmup, total = recipe.warmup_epochs * steps_per_epoch, num_epochs * steps_per_epoch

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        if recipe.schedule == "cosine":
            return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))
        return 1.0
    return opt, torch.optim.lr_scheduler.LambdaLR(opt, factor)
