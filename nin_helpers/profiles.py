"""How big a training run notebook 04 makes, chosen without editing the notebook.

Two profiles: ``full`` is d2l's chapter (224x224, every training image, 10 epochs, batches of 128) and
suits a GPU; ``quick`` (72x72, 3,072 images, 30 epochs at three times the learning rate, warmed up over 5
epochs) finishes on a CPU in minutes (benchmarks/RESULTS.md, section 4, measures it over five seeds). ``choose_profile``
takes ``NIN_PROFILE`` if set, else ``full`` with a CUDA GPU and ``quick`` without, and warns, with the
expected time, when ``full`` is asked for on a machine without one: hours, not minutes.

>>> choose_profile({"NIN_PROFILE": "quick"})
Profile(name='quick', size=72, n_train=3072, epochs=30, batch_size=128, lr=0.03, warmup_epochs=5)
>>> choose_profile({}, cuda=True).size
224
>>> PROFILES["quick"].recipe().warmup_epochs   # recipe "ours" as this profile runs it
5
>>> round(cpu_hours(PROFILES["full"]), 1)
2.1
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Mapping

import torch

from nin_helpers.recipes import RECIPES, Recipe


@dataclass(frozen=True)
class Profile:
    """One way to run notebook 04: image side, training images (``None``: all), epochs, batch size,
    and the peak learning rate and warm-up epochs of recipe "ours" (``profile.recipe()``)."""
    name: str
    size: int
    n_train: int | None
    epochs: int
    batch_size: int
    lr: float
    warmup_epochs: int

    def recipe(self) -> Recipe:
        """Recipe "ours" with this profile's peak learning rate and warm-up: what notebook 04 trains with."""
        return RECIPES["ours"].but(lr=self.lr, warmup_epochs=self.warmup_epochs)


PROFILES: dict[str, Profile] = {
    # d2l's chapter, with recipe "ours" as tuned at 96 px (RESULTS.md, section 3)
    "full": Profile("full", size=224, n_train=None, epochs=10, batch_size=128, lr=0.01, warmup_epochs=1),
    # A CPU in minutes. Why 72 px, 30 epochs and lr 0.03: smaller images buy more epochs in the same time; at
    # 0.02 seed 2 lagged (0.751), at 0.03 it reached 0.841. Why 5 warm-up epochs: with one (24 steps), seeds 0
    # and 3 ended at 0.815 and 0.799; with five, at 0.849 and 0.837, and all five seeds at 0.820-0.849
    # (RESULTS.md, section 4).
    "quick": Profile("quick", size=72, n_train=3072, epochs=30, batch_size=128, lr=0.03, warmup_epochs=5),
}
FULL_TRAIN_IMAGES = 60_000  # Fashion-MNIST's training set, what n_train=None means with the full data
# NiN at 224x224 with channels-last + bf16 (train's CPU settings) on this course's 2-core CPU: 83 examples/s
# (benchmarks/RESULTS.md, section 2). A measurement, rounded down, not a promise for another CPU.
CPU_EXAMPLES_PER_SEC_224 = 80


def cpu_hours(profile: Profile, examples_per_sec: float = CPU_EXAMPLES_PER_SEC_224) -> float:
    """Hours ``profile`` trains on a CPU at ``examples_per_sec`` (evaluation after each epoch not counted)."""
    images = profile.n_train if profile.n_train is not None else FULL_TRAIN_IMAGES
    return profile.epochs * images / examples_per_sec / 3600


def choose_profile(environ: Mapping[str, str] = os.environ, cuda: bool | None = None) -> Profile:
    """``NIN_PROFILE`` if set (``full`` or ``quick``), else ``full`` with a CUDA GPU and ``quick``
    without. ``cuda`` defaults to ``torch.cuda.is_available()``. Warns when ``full`` runs without CUDA."""
    cuda = torch.cuda.is_available() if cuda is None else cuda
    asked = (environ.get("NIN_PROFILE") or "").strip().lower()
    if asked and asked not in PROFILES:
        raise ValueError(f"NIN_PROFILE must be one of {sorted(PROFILES)}, got {environ['NIN_PROFILE']!r}; unset "
                         f"it to choose automatically (full with a CUDA GPU, quick without)")
    profile = PROFILES[asked or ("full" if cuda else "quick")]
    if profile.name == "full" and not cuda:
        warnings.warn(f"NIN_PROFILE=full without a CUDA GPU: {profile.epochs} epochs over all "
                      f"{FULL_TRAIN_IMAGES:,} training images at {profile.size}x{profile.size} take about "
                      f"{cpu_hours(profile):.1f} hours on a CPU (an estimate from this course's measurement, "
                      f"~{CPU_EXAMPLES_PER_SEC_224} examples/s on a 2-core CPU; yours may be faster or slower). "
                      f"For a run of a minute or two, set NIN_PROFILE=quick or leave it unset",
                      UserWarning, stacklevel=2)
    return profile
