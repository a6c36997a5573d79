"""Exercises of notebook 04 (training NiN: batches, the schedule of the quick profile, momentum, the stuck
loss). Notebook 08's (bytes of the data, hours of training) are in ``ex08``.

``nin_helpers.exercises`` registers ``EXERCISES``, so students call them like any other::

    from nin_helpers.exercises import check
    check("04.uniform_loss", 0.1)   # not yet: that is a probability, the loss is minus its log

Every right answer is computed by the code notebook 04 teaches (``DeviceLoader``, ``make_optimizer``,
the quick profile of ``profiles``, torch's own SGD and cross-entropy), never typed in; the figures a question
gives (image counts, batch size) are the constants below, used in the text and the answer.

>>> from nin_helpers.exercises.engine import judge_answer
>>> judge_answer(EXERCISES[0], 60_000 // 128)[1]
'04.steps_per_epoch: not yet. Hint: The images left over after the last full batch make one more, smaller batch: the loader keeps them.'
"""
from __future__ import annotations

import math
from functools import cache

import torch
from torch import nn
from torch.nn import functional as F

from nin_helpers.data import DeviceLoader
from nin_helpers.exercises.engine import Exercise
from nin_helpers.profiles import PROFILES
from nin_helpers.recipes import RECIPES, make_optimizer

N_TRAIN, BATCH, EPOCHS = 60_000, 128, 10              # full Fashion-MNIST, as in d2l's chapter
QUICK = PROFILES["quick"]                             # the run notebook 04 makes on a CPU
QUICK_STEPS = math.ceil(QUICK.n_train / QUICK.batch_size)  # 3,072 images / 128 per batch = 24
QUICK_EPOCHS = QUICK.epochs
WARMUP_EPOCHS = QUICK.warmup_epochs
WARMUP_STEPS = WARMUP_EPOCHS * QUICK_STEPS            # 5 epochs of 24 steps = 120
TOTAL_STEPS = QUICK_EPOCHS * QUICK_STEPS              # 30 epochs of 24 steps = 720
WARMUP_STEP = 5                                       # steps asked about (counted from 0): in the warm-up,
COSINE_STEP = WARMUP_STEPS + (TOTAL_STEPS - WARMUP_STEPS) // 4  # and a quarter of the way down the cosine
MOMENTUM = RECIPES["ours"].momentum


def _steps_per_epoch(n: int = N_TRAIN, drop_last: bool = False) -> int:
    if drop_last:
        return n // BATCH
    images = torch.zeros(n, 1, 1, dtype=torch.uint8)  # 1 x 1 images: only the count matters here
    return len(DeviceLoader(images, torch.zeros(n, dtype=torch.long), BATCH, size=1))


@cache
def _lr_at(step: int, steps: int = QUICK_STEPS, epochs: int = QUICK_EPOCHS) -> float:
    """The learning rate optimiser step ``step`` (from 0) of the quick profile's run uses, read off the real
    scheduler."""
    opt, scheduler = make_optimizer(nn.Linear(1, 1), QUICK.recipe(), steps, epochs)
    for _ in range(step):
        opt.step()  # no gradients: a no-op, but keeps the optimiser-then-scheduler order torch expects
        scheduler.step()
    return opt.param_groups[0]["lr"]


def _peak() -> float:
    return QUICK.lr


def _cosine(fraction: float) -> float:
    return _peak() * 0.5 * (1 + math.cos(math.pi * fraction))


@cache
def _momentum_gain(momentum: float = MOMENTUM, steps: int = 400) -> float:
    """How much longer torch's SGD step is than lr * g after ``steps`` steps of the same gradient g."""
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=1.0, momentum=momentum)
    for _ in range(steps):
        before = w.detach().clone()
        w.grad = torch.ones_like(w)
        opt.step()
    return float(before - w.detach())


def _uniform_loss() -> float:
    """Cross-entropy when all ten class scores are equal (here all 0, as when every class is dead)."""
    return float(F.cross_entropy(torch.zeros(1, 10), torch.tensor([3])))


SCHEDULE = (f"Recipe 'ours' on the quick profile: the rate climbs linearly over the first {WARMUP_EPOCHS} "
            f"epochs ({WARMUP_STEPS} steps), factor (step + 1) / {WARMUP_STEPS} with steps counted from 0, then "
            f"follows 0.5 (1 + cos(pi t)) of the peak, t going from 0 to 1 over the remaining steps.")

EXERCISES: list[Exercise] = [
    Exercise("04.steps_per_epoch", f"Full Fashion-MNIST has {N_TRAIN:,} training images. With batch size "
             f"{BATCH}, and a loader that keeps the last, smaller batch (DeviceLoader and d2l's DataLoader "
             "both do), how many optimiser steps does one epoch take?", "int", _steps_per_epoch,
             "One step per batch: divide the images by the batch size and round up, since a partial batch "
             "still makes a step.",
             ((lambda: _steps_per_epoch(drop_last=True), "The images left over after the last full batch "
               "make one more, smaller batch: the loader keeps them."),
              (lambda: N_TRAIN, "A step uses a whole batch, not one image."),
              (lambda: EPOCHS * _steps_per_epoch(), "That is the whole run; the question asks for one epoch."))),
    Exercise("04.warmup_lr", f"Recipe 'ours' on the quick profile (peak learning rate {_peak()}, "
             f"{WARMUP_EPOCHS} warm-up epochs, then a cosine to 0; {QUICK_STEPS} steps per epoch, "
             f"{QUICK_EPOCHS} epochs). What "
             f"learning rate does step {WARMUP_STEP} use (steps counted from 0)? Give it to three significant figures.",
             "float",
             lambda: _lr_at(WARMUP_STEP), SCHEDULE,
             ((lambda: _peak() * WARMUP_STEP / WARMUP_STEPS, "Off by one: step 0 already uses 1/"
               f"{WARMUP_STEPS} of the peak, so step s uses (s + 1)/{WARMUP_STEPS}."),
              (_peak, "That step is still in the warm-up: the rate has not reached its peak yet."),
              (lambda: _peak() * (WARMUP_STEP + 1) / QUICK_STEPS,
               f"The warm-up lasts {WARMUP_EPOCHS} epochs ({WARMUP_STEPS} steps), not one."),
              (lambda: _peak() * (WARMUP_STEP + 1) / TOTAL_STEPS,
               f"The warm-up lasts {WARMUP_EPOCHS} epochs, not the whole run."))),
    Exercise("04.cosine_lr", f"Same run as 04.warmup_lr: what learning rate does step {COSINE_STEP} use? Give "
             "it to three significant figures.", "float", lambda: _lr_at(COSINE_STEP), SCHEDULE,
             ((_peak, "After the warm-up the rate decays; it is past its peak."),
              (lambda: _peak() * (1 - (COSINE_STEP - WARMUP_STEPS) / (TOTAL_STEPS - WARMUP_STEPS)),
               "The decay follows a cosine, 0.5 (1 + cos(pi t)), not a straight line."),
              (lambda: _cosine(COSINE_STEP / TOTAL_STEPS),
               "The cosine starts after the warm-up: t counts the steps after it, over the steps after it."),
              (lambda: _cosine((COSINE_STEP - WARMUP_STEPS) / TOTAL_STEPS),
               "t runs over the steps after the warm-up, not over the whole run."),
              (lambda: _cosine((COSINE_STEP - QUICK_STEPS) / (TOTAL_STEPS - QUICK_STEPS)),
               f"The warm-up lasts {WARMUP_EPOCHS} epochs ({WARMUP_STEPS} steps), not one: the cosine starts "
               "after it."))),
    Exercise("04.momentum_gain", f"SGD with momentum {MOMENTUM} (PyTorch's form: v = {MOMENTUM} v + g, then "
             "w = w - lr v) gets the same gradient g at every step. After many steps, how many times "
             "longer is each step than plain SGD's lr g? Give it to three significant figures.", "float",
             _momentum_gain,
             "v keeps every past gradient, each multiplied by the momentum once for every step since it "
             "arrived: add up those factors (a geometric series).",
             ((lambda: MOMENTUM, "That is the momentum coefficient itself; the step carries every past "
               "gradient, not a fraction of one."),
              (lambda: 1 + MOMENTUM, "That counts the last two gradients only; all earlier ones still add up."),
              (lambda: 1 / (1 - MOMENTUM) - 1, "Count the current gradient too: the series starts at 1."),
              (lambda: 1 - MOMENTUM, "Upside down: a sum of positive factors that starts with 1 is more "
               "than 1."))),
    Exercise("04.uniform_loss", "When all ten class scores are dead (exactly 0 for every image), what "
             "cross-entropy loss does every image get, whatever its class? Give it to three significant figures.",
             "float", _uniform_loss,
             "Equal scores make the softmax give every class the same probability; the loss is minus the "
             "natural logarithm of the right class's probability.",
             ((lambda: 0.0, "Equal scores are not a perfect prediction: the right class gets only its "
               "share of the probability."),
              (lambda: 0.1, "That is the probability each class gets; the loss is minus its logarithm."),
              (lambda: 1.0, "Cross-entropy uses the natural logarithm, not base 10."),
              (lambda: math.log2(10), "Cross-entropy in PyTorch uses the natural logarithm, not base 2."))),
]
