"""Where code runs and how fast: the one device decision of the course, and the speed settings.

Loaders, ``train``, ``evaluate`` and ``predict`` all follow ``choose_device`` when no device is
given, so a student who leaves the device out gets the same one everywhere. ``speed_settings``
only *describes* what is fast on a device; ``enable_fast_kernels`` is the one place that turns on
global cuDNN/TF32 switches, and ``train`` calls it where a student can see it.

>>> choose_device("cpu")
device(type='cpu')
>>> speed = speed_settings(torch.device("cpu")); speed.channels_last
True
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch


def choose_device(name: str | torch.device | None = None) -> torch.device:
    """``name`` if given, else the first of CUDA, Apple MPS and CPU that this machine has."""
    if name is not None:
        if not isinstance(name, (str, torch.device)):
            raise TypeError(f"device must be a string like 'cuda' or 'cpu', got {type(name).__name__}")
        try:
            device = torch.device(name)
        except RuntimeError:  # torch lists every device type it knows, most of them not for this course
            raise ValueError(f"unknown device: device must be 'cpu', 'cuda' (an NVIDIA GPU; 'cuda:1' for the second), "
                             f"'mps' (Apple), or left out to let choose_device pick, got {name!r}") from None
        available = {"cuda": torch.cuda.is_available, "mps": torch.backends.mps.is_available}.get(device.type)
        if available is not None and not available():
            raise ValueError(f"this machine has no {device.type.upper()} device; use 'cpu', or leave the device out "
                             f"to let choose_device pick, got {name!r}")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def cpu_has_bf16() -> bool:
    """True when this CPU multiplies bfloat16 natively (AVX512-BF16 or AMX); emulated bf16 is slow."""
    checks = [getattr(torch.cpu, n, None) for n in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    return any(check() for check in checks if check is not None)


@dataclass(frozen=True)
class Speed:
    """What makes NiN train fast on one device (measured in benchmarks/RESULTS.md).

    ``channels_last``: store images as (N, H, W, C), the layout cuDNN and oneDNN convolutions prefer.
    ``amp_dtype``: ``torch.bfloat16`` to autocast matrix work to bf16 where the hardware has bf16
    units, else ``None``. bf16 keeps float32's exponent range, so no loss scaling is needed.
    """
    channels_last: bool
    amp_dtype: torch.dtype | None

    @property
    def memory_format(self) -> torch.memory_format:
        return torch.channels_last if self.channels_last else torch.contiguous_format

    def autocast(self, device: torch.device) -> contextlib.AbstractContextManager:
        """``torch.autocast`` to ``amp_dtype`` on ``device``, or a no-op when bf16 is not used."""
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device.type, self.amp_dtype)


def speed_settings(device: str | torch.device) -> Speed:
    """The fast settings for ``device``; reads the hardware, changes nothing."""
    if not isinstance(device, torch.device):
        device = choose_device(device)
    if device.type == "cuda":
        bf16 = torch.cuda.is_bf16_supported(including_emulation=False)
        return Speed(channels_last=True, amp_dtype=torch.bfloat16 if bf16 else None)
    if device.type == "cpu":
        return Speed(channels_last=True, amp_dtype=torch.bfloat16 if cpu_has_bf16() else None)
    return Speed(channels_last=False, amp_dtype=None)


def enable_fast_kernels(device: torch.device) -> None:
    """On CUDA, let cuDNN pick the fastest convolution kernels once per input size and let float32
    matrix work use TF32 tensor cores. Both are global switches, so they are set here, visibly,
    and nowhere else. Elsewhere nothing needs switching on."""
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # fixed input sizes: pick the fastest kernels once
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True


def to_device(X: torch.Tensor, y: torch.Tensor, device: torch.device, speed: Speed):
    """A batch moved to ``device`` in the layout ``speed`` asks for (a no-op when it is there)."""
    return X.to(device, memory_format=speed.memory_format, non_blocking=True), y.to(device, non_blocking=True)
