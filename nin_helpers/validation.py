"""Argument and input checks that turn a deep torch error (or a silently wrong answer) into a sentence a
student can act on.

One message style everywhere: what was wrong, the valid range, how to fix it. A wrong kind of object
raises ``TypeError``; a tensor or number of the right kind but the wrong shape, dtype or value raises
``ValueError``.

>>> check_positive_int("in_channels", 0)
Traceback (most recent call last):
...
ValueError: in_channels must be a whole number >= 1, got 0
>>> check_input(torch.zeros(2, 1, 28, 28, dtype=torch.uint8), 1, 1, "NiN")
Traceback (most recent call last):
...
ValueError: NiN expects float images, got torch.uint8; uint8 images: use resize_batch(images, size), or x.float() / 255
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import torch
from torch import nn


def check_positive_int(name: str, value: object, minimum: int = 1, why: str = "") -> None:
    """Raise ``ValueError`` unless ``value`` is a whole number (not a bool; numpy integers count) of at
    least ``minimum``; ``why`` (e.g. "(one class gives a loss of 0)") is added to the message."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}{' ' + why if why else ''}, got {shown(value)}")


def check_number(name: str, value: object, low: float = -math.inf, high: float = math.inf,
                 low_open: bool = False, high_open: bool = False, kind: str = "a number") -> None:
    """Raise ``ValueError`` unless ``value`` is a finite real number (not a bool) in the given range.

    >>> check_number("dropout", 1.0, 0, 1, high_open=True, kind="a probability")
    Traceback (most recent call last):
    ...
    ValueError: dropout must be a probability in [0, 1), got 1.0
    """
    ok = (not isinstance(value, bool) and isinstance(value, numbers.Real) and math.isfinite(value)
          and (value > low if low_open else value >= low) and (value < high if high_open else value <= high))
    if not ok:
        if (low, high) == (-math.inf, math.inf):
            what = f"{kind} (finite)"
        elif high == math.inf:
            what = f"{kind} {'>' if low_open else '>='} {low:g}"
        else:
            what = f"{kind} in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be {what}, got {shown(value)}")


def check_shape(name: str, shape: object) -> None:
    """Raise ``ValueError`` unless ``shape`` is a non-empty tuple (or list, or ``torch.Size``) of whole
    numbers >= 1."""
    if not isinstance(shape, (tuple, list, torch.Size)) or len(shape) == 0:
        raise ValueError(f"{name} must be a tuple like (1, 1, 224, 224), got {shown(shape)}")
    for i, side in enumerate(shape):
        check_positive_int(f"{name}[{i}]", side)


def check_module(name: str, value: object) -> None:
    """Raise ``TypeError`` unless ``value`` is a ``torch.nn.Module`` (a network such as ``nin()``)."""
    if not isinstance(value, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module (a network such as nin()), got {type(value).__name__}")


def check_batches(name: str, value: object) -> None:
    """Raise ``TypeError`` unless ``value`` can give batches ``(X, y)`` (a loader, or a list of pairs)."""
    if isinstance(value, (torch.Tensor, str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must give batches (X, y), e.g. a DeviceLoader from fashion_mnist_loaders or "
                        f"a list [(X, y)], got {type(value).__name__}")


def check_batch(name: str, batch: object) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch`` as ``(X, y)``, or ``TypeError`` when it is not a pair of tensors (what a loader gives)."""
    if not isinstance(batch, (tuple, list)) or len(batch) != 2 or not all(isinstance(t, torch.Tensor) for t in batch):
        got = (f"({', '.join(type(t).__name__ for t in batch)})" if isinstance(batch, (tuple, list))
               else type(batch).__name__)
        raise TypeError(f"{name} must give batches (X, y) of two tensors (images and labels), got {got}")
    return batch[0], batch[1]


def _autocast_on(device_type: str) -> bool:
    try:
        return torch.is_autocast_enabled(device_type)
    except (RuntimeError, TypeError):  # a device type autocast does not know (e.g. meta)
        return False


def check_float_images(x: torch.Tensor, what: str, dtype: torch.dtype | None = None) -> None:
    """Raise ``ValueError`` unless ``x`` holds floats (of ``dtype``, the network's weights, if given):
    integer images would otherwise stop inside ``conv2d`` with "Input type ... should be the same"."""
    if x.dtype == torch.uint8:
        raise ValueError(f"{what} expects float images, got torch.uint8; uint8 images: use "
                         f"resize_batch(images, size), or x.float() / 255")
    if not x.is_floating_point():
        raise ValueError(f"{what} expects float images, got {x.dtype}; convert them with x.float()")
    # Under autocast (train and predict use it for bf16) float32 and 16-bit inputs are cast; float64 never is.
    autocast = _autocast_on(x.device.type) and x.dtype != torch.float64
    if dtype is not None and x.dtype != dtype and not autocast:
        raise ValueError(f"{what} has {dtype} weights but got a {x.dtype} batch; convert the batch with "
                         f"x.to({dtype}), or the network with net.to({x.dtype})")


def check_input(x: object, in_channels: int, min_size: int, what: str, dtype: torch.dtype | None = None) -> None:
    """Check that ``x`` is a float batch of images ``(N, C, H, W)`` with the channels and size ``what``
    needs (and, if given, the ``dtype`` of its weights)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{what} expects a torch.Tensor of shape (batch, {in_channels}, height, width), "
                        f"got {type(x).__name__}")
    check_float_images(x, what, dtype)
    if x.dim() != 4:
        hint = ""
        if x.dim() == 3:  # one image (C, H, W), or a batch of grey images (N, H, W)?
            hint = (" (add a batch dimension with x.unsqueeze(0))" if x.shape[0] == in_channels else
                    " (a batch of grey images? add the channel axis with x.unsqueeze(1))")
        raise ValueError(f"{what} expects a 4-D batch (batch, channels, height, width), "
                         f"got shape {tuple(x.shape)}{hint}")
    if x.shape[1] != in_channels:
        raise ValueError(f"{what} was built for {in_channels} input channel(s) but got {x.shape[1]} "
                         f"(shape {tuple(x.shape)}); build it with in_channels={x.shape[1]} or convert "
                         f"the images")
    height, width = x.shape[-2:]
    if min(height, width) < min_size:
        raise ValueError(f"{what} needs inputs of at least {min_size}x{min_size} pixels, got "
                         f"{height}x{width}; resize the images (e.g. transforms.Resize({max(min_size, 224)}))")


def check_uint8_images(images: object, what: str) -> None:
    """Raise unless ``images`` is a non-empty uint8 tensor ``(N, height, width)``, as ``dataset.data`` is.

    A float tensor is refused, not converted: it is usually already scaled to [0, 1], and scaling it by
    1/255 a second time would give almost black images without any error.
    """
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"{what} expects uint8 images (N, height, width) as a torch.Tensor, e.g. dataset.data, "
                        f"got {type(images).__name__}")
    if images.dtype != torch.uint8:
        raise ValueError(f"{what} expects uint8 images (values 0-255, e.g. dataset.data), got {images.dtype}: "
                         f"float images are usually scaled to [0, 1] already and would be divided by 255 "
                         f"again; pass the uint8 images, or resize float ones with F.interpolate")
    if images.dim() != 3:
        hint = {2: "; for one image use images.unsqueeze(0)",
                4: "; for (N, 1, H, W) use images.squeeze(1)"}.get(images.dim(), "")
        raise ValueError(f"{what} expects uint8 images of shape (N, height, width), got shape "
                         f"{tuple(images.shape)}{hint}")


def check_labels(labels: torch.Tensor, num_classes: int, what: str) -> None:
    """Raise ``ValueError`` unless ``labels`` are integer class indices ``0..num_classes-1``.

    >>> check_labels(torch.tensor([0, 200]), 10, "the labels")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the labels must be class indices 0..9 (the network has 10 outputs), got values from 0 to 200; ...
    """
    if not isinstance(labels, torch.Tensor):
        raise TypeError(f"{what} must be a tensor of class indices, got {type(labels).__name__}")
    if labels.is_floating_point() or labels.dtype == torch.bool or labels.is_complex():
        raise ValueError(f"{what} must be integer class indices 0..{num_classes - 1}, got {labels.dtype}; "
                         f"convert them with labels.long()")
    if labels.numel() == 0:
        return
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= num_classes:
        fix = f"build the network with num_classes={high + 1} or fix the labels" if low >= 0 else "fix the labels"
        raise ValueError(f"{what} must be class indices 0..{num_classes - 1} (the network has {num_classes} "
                         f"outputs), got values from {low} to {high}; {fix}")


def shown(value: Any) -> str:
    """``value`` as a message shows it: a short repr for a number, string or small tuple, else its type
    (and shape, for a tensor or array), so that a wrong argument cannot flood the message.

    >>> shown(2.5), shown("abc"), shown(torch.zeros(2, 3)), shown(len)
    ('2.5', "'abc'", 'Tensor of shape (2, 3)', 'builtin_function_or_method')
    """
    shape = getattr(value, "shape", None)
    if shape is not None and not isinstance(value, numbers.Number):
        return f"{type(value).__name__} of shape {tuple(shape)}"
    text = repr(value)
    if isinstance(value, (numbers.Number, str, bytes, tuple, list, type(None))) and len(text) <= 60:
        return text
    return type(value).__name__
