"""Exercise checkers: ``check("ID", answer)`` prints "correct" or a hint that names the concept.

Every right answer is *computed* from the course's own code (``nin_helpers.arithmetic``,
``nin_helpers.models``, ``nin_helpers.inspection``, ...), so a checker cannot drift from the lesson.
Use it at the end of a notebook::

    from nin_helpers.exercises import check, question
    question("01.params_1x1")        # prints the exercise text
    check("01.params_1x1", 2048)     # prints "not yet. Hint: ..." (here: the biases are missing)

IDs are ``NN.name`` for notebook NN's exercises and ``d2l.name`` for the NiN chapter's own
exercises (d2l 8.3) that code can judge. ``EXERCISES`` maps every ID to its ``Exercise``;
``list_exercises("02.")`` prints IDs with their questions;
``judge(ID, answer)`` returns ``(ok, message)`` without printing (tests use it). Answers are
whole numbers, floats, shapes (tuple, list or ``torch.Size``) or lists of shapes; ``None`` means
"not answered yet"; a malformed answer raises TypeError, an unknown ID ValueError.

The package keeps one module per notebook (``ex01`` ... ``ex08``) and one for d2l's exercises
(``d2l``), each with its list ``EXERCISES``; ``engine`` judges an answer, ``hints`` holds the hint
texts several modules share and ``facts`` the facts about the networks they compute answers from.

>>> from nin_helpers.arithmetic import conv2d_params
>>> check("01.params_1x1", conv2d_params(64, 32, kernel_size=1))
01.params_1x1: correct!
>>> check("01.params_1x1", 64 * 32)
01.params_1x1: not yet. Hint: Each output channel also has one bias. Count the biases too.
"""
from __future__ import annotations

import difflib

from nin_helpers.exercises import d2l, ex01, ex02, ex03, ex04, ex05, ex07, ex08
from nin_helpers.exercises.engine import Exercise, judge_answer

__all__ = ["EXERCISES", "check", "judge", "list_exercises", "question"]


def _registry(*modules) -> dict[str, Exercise]:
    """Every exercise of ``modules``, by ID, in order; two exercises with one ID are a bug, not an override."""
    registry: dict[str, Exercise] = {}
    for module in modules:
        for ex in module.EXERCISES:
            if ex.id in registry:
                raise ValueError(f"exercise ID {ex.id!r} is defined twice (again in {module.__name__})")
            registry[ex.id] = ex
    return registry


EXERCISES: dict[str, Exercise] = _registry(ex01, ex02, ex03, ex04, ex05, ex07, ex08, d2l)


def _find(ex_id: str) -> Exercise:
    if not isinstance(ex_id, str):
        raise TypeError(f"the exercise ID must be a string like '01.params_1x1', got {type(ex_id).__name__}")
    if ex_id not in EXERCISES:
        close = difflib.get_close_matches(ex_id, EXERCISES, n=3)
        raise ValueError(f"no exercise {ex_id!r}; " + (f"did you mean {', '.join(close)}?" if close else
                         f"known IDs: {', '.join(EXERCISES)}"))
    return EXERCISES[ex_id]


def judge(ex_id: str, answer: object) -> tuple[bool, str]:
    """``(ok, message)`` for ``answer`` to exercise ``ex_id``, without printing."""
    return judge_answer(_find(ex_id), answer)


def check(ex_id: str, answer: object) -> None:
    """Print whether ``answer`` to exercise ``ex_id`` is correct, or a hint."""
    print(judge(ex_id, answer)[1])


def question(ex_id: str) -> None:
    """Print the text of exercise ``ex_id``."""
    print(f"{ex_id}: {_find(ex_id).question}")


def list_exercises(prefix: str = "") -> None:
    """Print every exercise whose ID starts with ``prefix`` (e.g. "02."), with its question.

    >>> list_exercises("d2l.last")
    d2l.last_block_params: d2l 8.3 ex. 5: how many parameters does nin()'s last NiN block (nin()[7], the one after the dropout) have?
    """
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a string like '02.', got {type(prefix).__name__}")
    found = [ex for ex in EXERCISES.values() if ex.id.startswith(prefix)]
    if not found:
        prefixes = ", ".join(sorted({ex_id.split(".")[0] + "." for ex_id in EXERCISES}))
        raise ValueError(f"no exercise ID starts with {prefix!r}; IDs start with {prefixes}")
    for ex in found:
        print(f"{ex.id}: {ex.question}")
