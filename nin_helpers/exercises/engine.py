"""How an exercise judges an answer: the machinery behind ``nin_helpers.exercises.check``.

An ``Exercise`` knows how to *compute* its right answer (from the course's own formulas and
models, never a typed-in number), which typical mistakes lead to which wrong values, and a
hint that names the concept. ``judge_answer`` compares an answer with all of them; the student's
``judge(ID, answer)`` in ``nin_helpers.exercises`` looks the exercise up and calls it.

>>> ex = Exercise("demo.add", "What is 2 + 3?", kind="int", answer=lambda: 2 + 3,
...               concept="Addition counts both groups.",
...               mistakes=((lambda: 2 * 3, "That multiplies; the question adds."),))
>>> judge_answer(ex, 5)
(True, 'demo.add: correct!')
>>> judge_answer(ex, 6)
(False, 'demo.add: not yet. Hint: That multiplies; the question adds.')

A float answer counts when it rounds like the right one at the precision its question asks for
(``sig_figs``, three significant figures by default): 2.30, 2.3 or 2.3026 for ln 10 = 2.302585...,
not 2.31; the right answer rounded further (6.7 for 6.666...) is told to give more digits.

>>> ex = Exercise("demo.third", "20 / 3, to three significant figures?", kind="float", answer=lambda: 20 / 3,
...               concept="Divide.")
>>> judge_answer(ex, 6.67)[0], judge_answer(ex, 6.7)[1]
(True, 'demo.third: almost: that is the right answer rounded to two significant figures; give more digits, to three significant figures.')
"""
from __future__ import annotations

import math
import numbers
import operator
import re
from dataclasses import dataclass
from typing import Any, Callable

# What each kind of answer looks like, for the error message when a student passes something else.
KINDS = {
    "int": "a whole number, e.g. 1234",
    "float": "a number, e.g. 12.5",
    "shape": "a shape, e.g. (2, 8, 30, 30) or torch.Size([2, 8, 30, 30])",
    "shapes": "a list of shapes, one per layer, e.g. [(2, 8, 30, 30), (2, 8, 14, 14), ...]",
}
# The axes of a shape, by its number of axes: an image batch, one image, a flattened batch.
SHAPE_AXES = {4: ("batch", "channels", "height", "width"), 3: ("channels", "height", "width"),
              2: ("batch", "features"), 1: ("values",)}
SIG_FIGS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}  # words: a digit could give an answer away


@dataclass(frozen=True)
class Exercise:
    """One checkable exercise.

    ``answer`` computes the right answer; ``mistakes`` pairs a function computing a typical wrong
    answer with the hint to print for it; ``concept`` is the hint for any other wrong answer.
    ``diagnose`` may compute a hint from the wrong answer itself; ``sig_figs`` is the precision a
    ``kind="float"`` question asks for, in its text ("... to three significant figures").
    """
    id: str
    question: str
    kind: str
    answer: Callable[[], Any]
    concept: str
    mistakes: tuple[tuple[Callable[[], Any], str], ...] = ()
    sig_figs: int = 3
    # Optional: a hint computed from the (wrong) answer itself, e.g. "that size is too small".
    diagnose: Callable[[Any], str | None] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, got {self.kind!r}")
        if self.kind == "float" and f"to {SIG_FIGS[self.sig_figs]} significant figures" not in self.question:
            raise ValueError(f"{self.id}: a float question must say its precision, "
                             f"'to {SIG_FIGS[self.sig_figs]} significant figures'")


def _whole(value: object) -> int | None:
    """``value`` as an int if it is a whole number type (int, numpy integer, integer 0-d tensor), else None."""
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def _as_shape(value: object, what: str) -> tuple[int, ...]:
    """A tuple of ints from a tuple, list or torch.Size, or a TypeError saying what was wrong."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{what} must be {KINDS['shape']}, got {type(value).__name__} {value!r}")
    items = tuple(_whole(v) for v in value)
    if None in items:
        raise TypeError(f"{what} must contain whole numbers only, got {value!r}")
    return items


def normalise(kind: str, value: object, ex_id: str) -> Any:
    """Turn a student's answer into the canonical form of ``kind`` (TypeError if impossible)."""
    if kind == "shape":
        return _as_shape(value, f"the answer to {ex_id}")
    if kind == "shapes":
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise TypeError(f"the answer to {ex_id} must be {KINDS['shapes']}, got {type(value).__name__}")
        return [_as_shape(v, f"shape {i} of the answer to {ex_id}") for i, v in enumerate(value)]
    # A number: ints, floats, numpy and 0-d torch scalars all have __float__; strings do not count.
    if isinstance(value, bool) or isinstance(value, (str, bytes)) or not hasattr(value, "__float__"):
        hint = " (remove the quotes)" if isinstance(value, str) else ""
        raise TypeError(f"the answer to {ex_id} must be {KINDS[kind]}, got {type(value).__name__} "
                        f"{value!r}{hint}")
    size = getattr(value, "size", 1) if not callable(getattr(value, "numel", None)) else value.numel()
    if size != 1:  # an array or tensor of several numbers: float() would fail deep inside numpy or torch
        raise TypeError(f"the answer to {ex_id} must be a single number ({KINDS[kind]}), got a "
                        f"{type(value).__name__} of {size} values")
    whole = _whole(value)
    if kind == "int" and whole is not None:
        return whole  # exactly, however large: float() would overflow or round
    try:
        number = float(value)
    except OverflowError:
        raise TypeError(f"the answer to {ex_id} must be {KINDS[kind]}, and {value!r} is too large for a "
                        f"float") from None
    if not math.isfinite(number):
        raise TypeError(f"the answer to {ex_id} must be a finite number ({KINDS[kind]}), got {value!r}")
    if kind == "int":
        if number != int(number):
            raise TypeError(f"the answer to {ex_id} must be {KINDS['int']}, got {value!r}")
        return int(number)
    return number


def _half_unit(value: float, sig_figs: int) -> float:
    """Half a unit in the last of ``sig_figs`` significant figures of ``value``: how far an answer may
    be from ``value`` and still round like it (0.005 for 2.302585 at three figures)."""
    if value == 0:
        return 0.0
    return 0.5 * 10 ** (math.floor(math.log10(abs(value))) - sig_figs + 1)


def _rounds_like(a: float, b: float, sig_figs: int) -> bool:
    return abs(a - b) <= _half_unit(b, sig_figs) * (1 + 1e-9)  # 1e-9: binary floats at the boundary


def too_few_digits(ex: Exercise, got: float, expected: float) -> int | None:
    """The number of significant figures (fewer than asked) to which ``got`` is the right answer,
    rounded, e.g. 2 for 6.7 when the answer is 6.666...; ``None`` if it is not that."""
    for figures in range(1, ex.sig_figs):
        rounded = float(f"{expected:.{figures}g}")
        if math.isclose(got, rounded, rel_tol=1e-9) and _rounds_like(got, expected, figures):
            return figures
    return None


def _equal(ex: Exercise, a: Any, b: Any) -> bool:
    if ex.kind == "float":
        return isinstance(b, numbers.Real) and _rounds_like(a, b, ex.sig_figs)
    if ex.kind in ("shape", "shapes"):
        return a == (list(map(tuple, b)) if ex.kind == "shapes" else tuple(b))
    return a == b


def _shape_hint(expected: tuple[int, ...], got: tuple[int, ...]) -> str | None:
    """Name the axis that is wrong, without saying its value (a flattened (batch, features) shape has no
    height or width)."""
    names = SHAPE_AXES.get(len(expected))
    if names is None:
        return None
    if len(got) != len(expected):
        return f"a shape here has {len(expected)} numbers ({', '.join(names)}); yours has {len(got)}."
    wrong = [n for n, e, g in zip(names, expected, got) if e != g]
    return f"check the {' and '.join(wrong)}." if wrong else None


def _generic_hint(ex: Exercise, expected: Any, got: Any) -> str:
    if ex.kind == "shape":
        detail = _shape_hint(expected, got)
        return f"{ex.concept} Then {detail}" if detail else ex.concept
    if ex.kind == "shapes":
        if len(got) != len(expected):
            return f"{ex.concept} The network has {len(expected)} layers to list; you gave {len(got)} shapes."
        first = next(i for i, (e, g) in enumerate(zip(expected, got)) if tuple(e) != g)
        detail = _shape_hint(tuple(expected[first]), got[first])
        return f"{ex.concept} The first wrong shape is number {first} (counting from 0): {detail}"
    return ex.concept


def _mentions(text: str, value: Any) -> bool:
    """Whether ``text`` gives ``value`` away (as written, or with thousands separators)."""
    if isinstance(value, (list, tuple)):
        return str(tuple(value)) in text or str(list(value)) in text
    forms = {str(value), f"{value:,}"} if isinstance(value, int) else {f"{value:g}", f"{value:.2f}"}
    # Whole numbers only: "10" must not match inside "100" or "1,024".
    return any(re.search(rf"(?<![\d.,]){re.escape(f)}(?![\d]|[.,]\d)", text) for f in forms)


def judge_answer(ex: Exercise, answer: object) -> tuple[bool, str]:
    """``(True, "ID: correct!")`` or ``(False, "ID: not yet. Hint: ...")``; the hint never contains
    the right answer. ``None`` means "not answered yet". Raises TypeError for a malformed answer."""
    if answer is None:
        return False, f"{ex.id}: no answer yet. Replace None with {KINDS[ex.kind]}."
    got = normalise(ex.kind, answer, ex.id)
    expected = ex.answer()
    if _equal(ex, got, expected):
        return True, f"{ex.id}: correct!"
    hint = next((h for wrong, h in ex.mistakes if _equal(ex, got, wrong())), None)
    figures = too_few_digits(ex, got, expected) if ex.kind == "float" and hint is None else None
    if figures is not None:  # the right answer, rounded too far: not a wrong idea
        return False, (f"{ex.id}: almost: that is the right answer rounded to {SIG_FIGS[figures]} significant "
                       f"figure{'s' if figures > 1 else ''}; give more digits, to {SIG_FIGS[ex.sig_figs]} "
                       f"significant figures.")
    if hint is None and ex.diagnose is not None:
        hint = ex.diagnose(got)
    hint = hint or _generic_hint(ex, expected, got)
    if _mentions(hint, expected):  # a hint must point at the idea, never hand over the number
        hint = ex.concept
    return False, f"{ex.id}: not yet. Hint: {hint}"
