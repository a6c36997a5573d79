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
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from numbers import Real
from typing import Any, Callable

# What each kind of answer looks like, for the error message when a student passes something else.
KINDS = {
    "int": "a whole number, e.g. 1234",
    "float": "a number, e.g. 12.5",
    "shape": "a shape, e.g. (2, 8, 30, 30) or torch.Size([2, 8, 30, 30])",
    "shapes": "a list of shapes, one per layer, e.g. [(2, 8, 30, 30), (2, 8, 14, 14), ...]",
}
SHAPE_AXES = ("batch", "channels", "height", "width")


@dataclass(frozen=True)
class Exercise:
    """One checkable exercise.

    ``answer`` computes the right answer; ``mistakes`` pairs a function computing a typical wrong
    answer with the hint to print for it; ``concept`` is the hint for any other wrong answer.
    ``diagnose`` may compute a hint from the wrong answer itself; ``rel_tol`` is used for
    ``kind="float"`` only.
    """
    id: str
    question: str
    kind: str
    answer: Callable[[], Any]
    concept: str
    mistakes: tuple[tuple[Callable[[], Any], str], ...] = ()
    rel_tol: float = 1e-3
    # Optional: a hint computed from the (wrong) answer itself, e.g. "that size is too small".
    diagnose: Callable[[Any], str | None] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, got {self.kind!r}")


def _as_shape(value: object, what: str) -> tuple[int, ...]:
    """A tuple of ints from a tuple, list or torch.Size, or a TypeError saying what was wrong."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{what} must be {KINDS['shape']}, got {type(value).__name__} {value!r}")
    items = tuple(value)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
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
    number = float(value)
    if kind == "int":
        if not math.isfinite(number) or number != int(number):
            raise TypeError(f"the answer to {ex_id} must be {KINDS['int']}, got {value!r}")
        return int(number)
    return number


def _equal(ex: Exercise, a: Any, b: Any) -> bool:
    if ex.kind == "float":
        return isinstance(b, Real) and math.isclose(a, b, rel_tol=ex.rel_tol)
    if ex.kind in ("shape", "shapes"):
        return a == (list(map(tuple, b)) if ex.kind == "shapes" else tuple(b))
    return a == b


def _shape_hint(expected: tuple[int, ...], got: tuple[int, ...]) -> str | None:
    """Name the axis that is wrong, without saying its value."""
    if len(got) != len(expected):
        return (f"a shape here has {len(expected)} numbers ({', '.join(SHAPE_AXES[-len(expected):])}); "
                f"yours has {len(got)}.") if len(expected) <= 4 else None
    names = SHAPE_AXES[-len(expected):]
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
    if hint is None and ex.diagnose is not None:
        hint = ex.diagnose(got)
    hint = hint or _generic_hint(ex, expected, got)
    if _mentions(hint, expected):  # a hint must point at the idea, never hand over the number
        hint = ex.concept
    return False, f"{ex.id}: not yet. Hint: {hint}"
