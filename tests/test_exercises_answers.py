"""How the checker reads an answer: to the precision the question asks for, a rounded-too-far answer told to
give more digits, malformed answers refused with a sentence, and no question or hint that gives an answer away."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

from nin_helpers.exercises import EXERCISES, judge
from nin_helpers.exercises.engine import SIG_FIGS, Exercise

FLOATS = sorted(ex_id for ex_id, ex in EXERCISES.items() if ex.kind == "float")


def rounded(x: float, figures: int) -> float:
    """``x`` rounded to ``figures`` significant figures, with decimal arithmetic (as a student writes it)."""
    return round(x, figures - 1 - math.floor(math.log10(abs(x))))


def test_every_float_question_says_its_precision():
    assert FLOATS, "there are float exercises"
    for ex_id in FLOATS:
        ex = EXERCISES[ex_id]
        assert f"to {SIG_FIGS[ex.sig_figs]} significant figures" in ex.question, ex_id
    with pytest.raises(ValueError, match="must say its precision"):
        Exercise("demo.f", "What is 1 / 3?", "float", lambda: 1 / 3, "Divide.")


@pytest.mark.parametrize("ex_id", FLOATS)
def test_an_answer_to_the_asked_precision_is_accepted(ex_id):
    ex = EXERCISES[ex_id]
    right = ex.answer()
    assert judge(ex_id, rounded(right, ex.sig_figs))[0]
    assert judge(ex_id, rounded(right, ex.sig_figs + 2))[0]  # more digits are fine too


@pytest.mark.parametrize("ex_id", FLOATS)
def test_an_answer_rounded_too_far_is_told_to_give_more_digits(ex_id):
    ex = EXERCISES[ex_id]
    right = ex.answer()
    for figures in range(1, ex.sig_figs):
        answer = rounded(right, figures)
        if rounded(answer, ex.sig_figs) == rounded(right, ex.sig_figs):
            continue  # e.g. 10 for momentum's 10.0: rounding further changed nothing, so it is right
        if any(w != 0 and rounded(answer, ex.sig_figs) == rounded(w, ex.sig_figs)
               for w in (wrong() for wrong, _ in ex.mistakes)):
            continue  # e.g. 0.03 for 04.cosine_lr's 0.0256 is also the peak rate, a known mistake: its hint wins
        ok, message = judge(ex_id, answer)
        assert not ok and f"give more digits, to {SIG_FIGS[ex.sig_figs]} significant figures" in message, message
        assert f"rounded to {SIG_FIGS[figures]} significant figure" in message


def test_the_rounded_answers_students_gave():
    assert judge("04.uniform_loss", 2.3)[0]  # ln 10 = 2.302585: 2.3 is 2.30 to three figures
    assert "give more digits" in judge("08.cpu_hours", 6.7)[1]
    assert "give more digits" in judge("04.cosine_lr", 0.026)[1]
    assert judge("08.cpu_hours", 6.67)[0] and judge("04.cosine_lr", 0.0256)[0]
    ok, message = judge("04.uniform_loss", 2.31)
    assert not ok and "more digits" not in message  # a wrong third figure is wrong, not short


@pytest.mark.parametrize("answer, match", [
    (np.array([1, 2]), r"must be a single number \(a whole number, e\.g\. 1234\), got a ndarray of 2 values"),
    (torch.tensor([1.0, 2.0]), "got a Tensor of 2 values"),
    (float("inf"), "must be a finite number"),
    (float("nan"), "must be a finite number"),
])
def test_arrays_and_infinities_get_a_clear_type_error(answer, match):
    with pytest.raises(TypeError, match=match):
        judge("01.params_1x1", answer)


def test_huge_and_numpy_whole_numbers_are_judged_exactly():
    assert judge("01.params_1x1", 10**400)[0] is False  # judged, not an OverflowError
    with pytest.raises(TypeError, match="too large for a float"):
        judge("04.uniform_loss", 10**400)
    assert judge("01.params_1x1", np.int64(2080))[0]
    assert judge("01.output_shape_1x1", np.array([2, 32, 56, 56]))[0]
    assert judge("01.output_shape_1x1", torch.tensor([2, 32, 56, 56]))[0]


def test_a_flattened_shape_names_its_own_axes():
    right = list(EXERCISES["03.layer_shapes"].answer())
    assert len(right[-1]) == 2  # NiN ends in Flatten: (batch, classes)
    wrong = right[:-1] + [(right[-1][0], right[-1][1] + 1)]
    message = judge("03.layer_shapes", wrong)[1]
    assert "check the features" in message and "height" not in message.split("number")[-1]
    wrong = right[:-1] + [(*right[-1], 1)]
    assert "2 numbers (batch, features); yours has 3" in judge("03.layer_shapes", wrong)[1]


def shape_forms(shape: tuple[int, ...]) -> set[str]:
    """How a text could spell the (channels, height, width) part of a shape answer."""
    chw = [str(v) for v in shape[1:]]
    return {sep.join(chw) for sep in (" x ", "x", "×", " × ")} | {str(tuple(shape)), str(list(shape))}


def test_no_question_or_hint_gives_another_exercise_s_shape_away():
    shapes = {ex_id: ex.answer() for ex_id, ex in EXERCISES.items() if ex.kind == "shape"}
    for ex_id, ex in EXERCISES.items():
        texts = [ex.question, ex.concept, *(hint for _, hint in ex.mistakes)]
        for other, shape in shapes.items():
            for form in shape_forms(tuple(shape)):
                assert not any(form in text for text in texts), (ex_id, other, form)


def test_hints_do_not_state_the_closed_form_of_an_answer():
    # The momentum question gives m; a hint with the sum of the series would hand over the number.
    ex = EXERCISES["04.momentum_gain"]
    for text in [ex.concept, *(hint for _, hint in ex.mistakes)]:
        assert not re.search(r"1\s*/\s*\(1\s*-\s*m\)", text), text
