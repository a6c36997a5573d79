"""Exercises of notebook 08 (making training fast: the data on the device, a resized batch, hours of
training at d2l's setting).

``nin_helpers.exercises`` registers ``EXERCISES``, so students call them like any other::

    from nin_helpers.exercises import check
    check("08.batch_bytes", 128 * 224 * 224)   # not yet: resize_batch returns float32

Every right answer is computed by the code notebook 08 teaches (``resize_batch``, torch's dtypes), never
typed in; the figures a question gives (image counts, batch size, speed) are the constants below, used in the
text and the answer.

>>> from nin_helpers.exercises.engine import judge_answer
>>> judge_answer(EXERCISES[1], 128 * 224 * 224)[1]
'08.batch_bytes: not yet. Hint: resize_batch returns float32: four bytes per value.'
"""
from __future__ import annotations

import math

import torch

from nin_helpers.data import resize_batch
from nin_helpers.exercises.engine import Exercise

N_TRAIN, BATCH, EPOCHS = 60_000, 128, 10              # full Fashion-MNIST, as in d2l's chapter
RAW_SIDE, IMAGE_SIDE = 28, 224                        # image side as stored, and as the network gets it
CPU_EX_PER_S = 25                                     # d2l's float32 loop at 224 px, notebook 08's table


def _bytes(shape: tuple[int, ...], dtype: torch.dtype) -> int:
    return math.prod(shape) * dtype.itemsize


def _batch_bytes() -> int:
    one = resize_batch(torch.zeros(1, RAW_SIDE, RAW_SIDE, dtype=torch.uint8), IMAGE_SIDE)  # as the network gets it
    return BATCH * one.nelement() * one.element_size()


def _hours(epochs: int = EPOCHS, ex_per_s: float = CPU_EX_PER_S) -> float:
    return epochs * N_TRAIN / ex_per_s / 3600


EXERCISES: list[Exercise] = [
    Exercise("08.dataset_bytes", f"DeviceLoader keeps all {N_TRAIN:,} training images on the device as "
             f"they come, uint8 {RAW_SIDE} x {RAW_SIDE}. How many bytes is that?", "int",
             lambda: _bytes((N_TRAIN, RAW_SIDE, RAW_SIDE), torch.uint8),
             "Bytes = images x pixels per image x bytes per pixel (uint8: one).",
             ((lambda: _bytes((N_TRAIN, RAW_SIDE, RAW_SIDE), torch.float32),
               "The images stay uint8, one byte per pixel; they become float32 only a batch at a time."),
              (lambda: _bytes((N_TRAIN, IMAGE_SIDE, IMAGE_SIDE), torch.uint8),
               "The images are kept at their own size; resizing happens a batch at a time."),
              (lambda: _bytes((N_TRAIN, IMAGE_SIDE, IMAGE_SIDE), torch.float32), "The images are kept at their own "
               "size and as uint8; resizing and the float conversion happen a batch at a time."),
              (lambda: _bytes((70_000, RAW_SIDE, RAW_SIDE), torch.uint8),
               "Training images only: the 10,000 test images are a separate tensor."))),
    Exercise("08.batch_bytes", f"And one batch of {BATCH} after resize_batch to {IMAGE_SIDE} x {IMAGE_SIDE}, "
             "as the network receives it: how many bytes?", "int", _batch_bytes,
             "Bytes = images x channels x height x width x bytes per value; resize_batch returns float32.",
             ((lambda: _bytes((BATCH, IMAGE_SIDE, IMAGE_SIDE), torch.uint8),
               "resize_batch returns float32: four bytes per value."),
              (lambda: _bytes((BATCH, 3, IMAGE_SIDE, IMAGE_SIDE), torch.float32),
               "Fashion-MNIST is grey: one channel, not three."),
              (lambda: _bytes((BATCH, RAW_SIDE, RAW_SIDE), torch.float32),
               "The batch is resized before the network sees it: use the new side."),
              (lambda: _bytes((BATCH, IMAGE_SIDE, IMAGE_SIDE), torch.float64), "float32 is four bytes, not eight."))),
    Exercise("08.cpu_hours", f"d2l's float32 loop trains at about {CPU_EX_PER_S} examples/s at {IMAGE_SIDE} "
             f"x {IMAGE_SIDE} on this course's 2-core CPU (notebook 08's speed table). How many hours do d2l's "
             f"{EPOCHS} epochs over the {N_TRAIN:,} training images take? Give it to three significant figures.",
             "float", _hours,
             "Hours = epochs x images / (examples per second) / 3,600 seconds per hour.",
             ((lambda: _hours() * 60, "That is minutes; the question asks for hours."),
              (lambda: _hours() * 3600, "That is seconds; the question asks for hours."),
              (lambda: _hours(epochs=1), f"That is one epoch; d2l trains for {EPOCHS}."))),
]
